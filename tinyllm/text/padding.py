"""``pad_sequences`` with the defaults and behaviour of Keras.

Every sequence becomes exactly ``maxlen`` long:

- longer ones are cut: ``truncating="pre"`` drops items from the start (keeps the last
  ``maxlen``), ``"post"`` drops them from the end;
- shorter ones are filled with ``value``: ``padding="pre"`` puts the fill before the
  sequence, ``"post"`` after it.

``maxlen=None`` uses the longest sequence. Pre-padding is the default because a
left-to-right RNN then reads the real tokens last, right before its final state is used.
"""

from __future__ import annotations

import itertools

import numpy as np


def _pad_flat(x, sequences, lengths, maxlen, padding, truncating) -> bool:
    """Vectorised fill for flat sequences of numbers: one pass to concatenate, one
    fancy-indexed copy. Returns False (caller falls back to the row loop, which gives
    precise errors) if the items are not plain numbers."""
    try:
        flat = np.fromiter(itertools.chain.from_iterable(sequences), dtype=x.dtype,
                           count=sum(lengths))
    except (TypeError, ValueError):
        return False
    lens = np.asarray(lengths, dtype=np.int64)
    keep = np.minimum(lens, maxlen)
    offsets = np.cumsum(lens) - lens
    src0 = offsets + (lens - keep if truncating == "pre" else 0)
    dst0 = maxlen - keep if padding == "pre" else np.zeros_like(keep)
    rows = np.repeat(np.arange(len(lens)), keep)
    within = np.arange(int(keep.sum())) - np.repeat(np.cumsum(keep) - keep, keep)
    x[rows, dst0[rows] + within] = flat[src0[rows] + within]
    return True


def pad_sequences(sequences, maxlen: int | None = None, dtype="int32", padding: str = "pre",
                  truncating: str = "pre", value=0.0) -> np.ndarray:
    """Pad/truncate a list of sequences into an array ``[len(sequences), maxlen, ...]``.

    Items of each sequence may themselves be arrays (shape ``sample_shape``); the result is
    then ``[n, maxlen, *sample_shape]``.
    """
    where = "pad_sequences"
    if sequences is None or isinstance(sequences, (str, bytes)):
        raise TypeError(f"{where}: sequences must be a list of sequences, "
                        f"got {type(sequences).__name__}")
    if isinstance(sequences, np.ndarray) and sequences.ndim >= 2:
        sequences = list(sequences)
    try:
        sequences = list(sequences)
    except TypeError:
        raise TypeError(f"{where}: sequences must be a list of sequences, "
                        f"got {type(sequences).__name__}") from None
    if padding not in ("pre", "post"):
        raise ValueError(f'{where}: padding must be "pre" or "post", got {padding!r}')
    if truncating not in ("pre", "post"):
        raise ValueError(f'{where}: truncating must be "pre" or "post", got {truncating!r}')
    if maxlen is not None:
        if isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer)):
            raise TypeError(f"{where}: maxlen must be a positive int or None, got {maxlen!r}")
        if maxlen <= 0:
            raise ValueError(f"{where}: maxlen must be a positive int or None, got {maxlen}")
        maxlen = int(maxlen)

    lengths = []
    sample_shape = ()
    found_shape = False
    for i, s in enumerate(sequences):
        if s is None or isinstance(s, (str, bytes)) or not hasattr(s, "__len__"):
            raise TypeError(f"{where}: sequences[{i}] must be a list or array of numbers, "
                            f"got {type(s).__name__}")
        lengths.append(len(s))
        if not found_shape and len(s):
            sample_shape = np.asarray(s).shape[1:]
            found_shape = True
    if maxlen is None:
        if not lengths:
            raise ValueError(f"{where}: sequences is empty and maxlen is None; "
                             "cannot infer the output length")
        maxlen = max(lengths)
        if maxlen == 0:
            raise ValueError(f"{where}: every sequence is empty and maxlen is None; "
                             "give maxlen")

    is_str = np.issubdtype(np.dtype(dtype), np.str_) or np.dtype(dtype) == object
    if isinstance(value, str) and not is_str:
        raise ValueError(f"{where}: value is a str ({value!r}) but dtype is {dtype}; "
                         "use dtype=object or a str dtype")
    x = np.full((len(sequences), maxlen) + tuple(sample_shape), value, dtype=dtype)
    if sample_shape == () and not is_str and _pad_flat(x, sequences, lengths, maxlen,
                                                       padding, truncating):
        return x
    for i, s in enumerate(sequences):
        if not len(s):
            continue
        trunc = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        try:
            trunc = np.asarray(trunc, dtype=dtype)
        except (TypeError, ValueError) as e:
            raise TypeError(f"{where}: sequences[{i}] cannot be converted to {dtype}: "
                            f"{e}") from None
        if trunc.shape[1:] != tuple(sample_shape):
            raise ValueError(f"{where}: sequences[{i}] has items of shape {trunc.shape[1:]}, "
                             f"expected {tuple(sample_shape)} like the first sequence")
        if padding == "post":
            x[i, :len(trunc)] = trunc
        else:
            x[i, maxlen - len(trunc):] = trunc
    return x
