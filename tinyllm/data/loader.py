"""Batches of numpy arrays: ``DataLoader``, a collate function that pads, and
``ArrayDataset``. The training code turns the arrays into tensors."""

from __future__ import annotations

import math
from numbers import Number

import numpy as np


class ArrayDataset:
    """Equal-length arrays indexed together: ``ds[i] == (a[i], b[i], ...)``.

    Batches are gathered with one fancy-indexing call per array (``get_batch``), which is
    much faster than collating item by item.
    """

    def __init__(self, *arrays):
        if not arrays:
            raise ValueError("ArrayDataset: give at least one array")
        self.arrays = [np.asarray(a) for a in arrays]
        n = len(self.arrays[0])
        for i, a in enumerate(self.arrays):
            if a.ndim == 0 or len(a) != n:
                raise ValueError(f"ArrayDataset: array {i} has shape {a.shape}, "
                                 f"expected first dimension {n}")

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, i):
        item = tuple(a[i] for a in self.arrays)
        return item if len(item) > 1 else item[0]

    def get_batch(self, idx: np.ndarray):
        out = tuple(a[idx] for a in self.arrays)
        return out if len(out) > 1 else out[0]


def _is_seq(x) -> bool:
    return isinstance(x, (list, np.ndarray)) and not (isinstance(x, np.ndarray) and x.ndim == 0)


def pad_batch(seqs, pad_value=0, padding_side: str = "right"):
    """Stack variable-length sequences into ``[B, L_max, ...]`` plus a 0/1 mask ``[B, L]``.

    ``mask[b, t] = 1`` where position ``t`` holds a real item of sequence ``b``.
    """
    arrs = [np.asarray(s) for s in seqs]
    lengths = [len(a) for a in arrs]
    L = max(lengths) if lengths else 0
    tail = arrs[0].shape[1:] if arrs else ()
    dtype = np.result_type(*arrs) if arrs else np.int64
    out = np.full((len(arrs), L) + tail, pad_value, dtype=dtype)
    mask = np.zeros((len(arrs), L), dtype=np.int64)
    for b, a in enumerate(arrs):
        if a.shape[1:] != tail:
            raise ValueError(f"collate: item {b} has trailing shape {a.shape[1:]}, item 0 has "
                             f"{tail}")
        n = len(a)
        if padding_side == "right":
            out[b, :n] = a
            mask[b, :n] = 1
        else:
            out[b, L - n:] = a
            mask[b, L - n:] = 1
    return out, mask


def _collate_field(values, pad_value, padding_side):
    first = values[0]
    if isinstance(first, (Number, np.number, np.bool_)):
        return np.asarray(values), None
    if isinstance(first, str):
        return list(values), None
    if _is_seq(first):
        shapes = {np.shape(v) for v in values}
        if len(shapes) == 1:
            return np.stack([np.asarray(v) for v in values]), None
        return pad_batch(values, pad_value, padding_side)
    raise TypeError(f"collate: cannot batch items of type {type(first).__name__}")


def collate(batch, pad_value=0, padding_side: str = "right"):
    """Turn a list of items into arrays.

    - dict items → a dict; each key is stacked, or padded when lengths differ; if an
      ``input_ids`` key is present an ``attention_mask`` (1 = real token) is added;
    - tuple items ``(x, y, ...)`` → a tuple of stacked/padded arrays;
    - a bare sequence per item (list or 1-D array of ids) →
      ``{"input_ids": [B, L], "attention_mask": [B, L]}``;
    - numbers → a 1-D array.
    """
    if not batch:
        raise ValueError("collate: empty batch")
    if padding_side not in ("right", "left"):
        raise ValueError(f"collate: padding_side must be 'right' or 'left', got {padding_side!r}")
    first = batch[0]
    if isinstance(first, dict):
        out = {}
        for k in first:
            try:
                values = [item[k] for item in batch]
            except KeyError:
                raise ValueError(f"collate: some items lack the key {k!r}") from None
            arr, mask = _collate_field(values, pad_value, padding_side)
            out[k] = arr
            if k == "input_ids" and "attention_mask" not in first:
                if mask is None:
                    mask = np.ones(arr.shape[:2], dtype=np.int64)
                out["attention_mask"] = mask
        return out
    if isinstance(first, tuple):
        width = len(first)
        if any(not isinstance(it, tuple) or len(it) != width for it in batch):
            raise ValueError(f"collate: all items must be tuples of length {width}")
        return tuple(_collate_field([it[j] for it in batch], pad_value, padding_side)[0]
                     for j in range(width))
    if _is_seq(first):
        arr, mask = _collate_field(list(batch), pad_value, padding_side)
        if mask is None:
            mask = np.ones(arr.shape[:2], dtype=np.int64)
        return {"input_ids": arr, "attention_mask": mask}
    return _collate_field(list(batch), pad_value, padding_side)[0]


class DataLoader:
    """Iterate over a data set in batches of numpy arrays.

    Args:
        dataset: anything with ``len()`` and ``[i]`` (a list, an :class:`ArrayDataset`,
            ...). If it has ``get_batch(indices)`` that is used instead of per-item
            indexing + ``collate_fn``.
        batch_size: items per batch.
        shuffle: a new random order every epoch, drawn from ``np.random.default_rng(seed)``
            (or the given ``generator``), so runs with the same seed see the same batches.
        drop_last: drop the final batch if it is smaller than ``batch_size``.
        collate_fn: list of items → batch (default :func:`collate` with ``pad_value``).
    """

    def __init__(self, dataset, batch_size: int = 32, shuffle: bool = False,
                 seed: int | None = None, generator: np.random.Generator | None = None,
                 drop_last: bool = False, collate_fn=None, pad_value=0,
                 padding_side: str = "right"):
        if dataset is None or not hasattr(dataset, "__len__") or \
                not hasattr(dataset, "__getitem__"):
            raise TypeError("DataLoader: dataset must support len() and indexing, got "
                            f"{type(dataset).__name__}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.generator = generator if generator is not None else np.random.default_rng(seed)
        self.collate_fn = collate_fn
        self.pad_value = pad_value
        self.padding_side = padding_side

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        order = self.generator.permutation(n) if self.shuffle else np.arange(n)
        stop = (n // self.batch_size) * self.batch_size if self.drop_last else n
        use_fast = self.collate_fn is None and hasattr(self.dataset, "get_batch")
        for s in range(0, stop, self.batch_size):
            idx = order[s:s + self.batch_size]
            if use_fast:
                yield self.dataset.get_batch(idx)
                continue
            items = [self.dataset[int(i)] for i in idx]
            if self.collate_fn is not None:
                yield self.collate_fn(items)
            else:
                yield collate(items, self.pad_value, self.padding_side)
