"""Seeded train / validation / test split, optionally stratified by label."""

from __future__ import annotations

import numpy as np


def _count(size, n: int, name: str) -> int:
    if isinstance(size, bool):
        raise TypeError(f"train_val_test_split: {name} must be a float in [0, 1) or an int")
    if isinstance(size, (float, np.floating)):
        if not 0.0 <= size < 1.0:
            raise ValueError(f"train_val_test_split: {name}={size} must be in [0, 1) "
                             "as a fraction, or an int count")
        return int(round(float(size) * n))
    if isinstance(size, (int, np.integer)):
        if size < 0 or size >= n:
            raise ValueError(f"train_val_test_split: {name}={size} must be in [0, {n})")
        return int(size)
    raise TypeError(f"train_val_test_split: {name} must be a float or an int, got {size!r}")


def _take(a, idx: np.ndarray):
    if isinstance(a, np.ndarray):
        return a[idx]
    if isinstance(a, tuple):
        return tuple(a[i] for i in idx)
    return [a[i] for i in idx]


def split_indices(n: int, val_size=0.1, test_size=0.1, seed: int | None = 0,
                  stratify=None, shuffle: bool = True):
    """Index arrays ``(train, val, test)`` over ``range(n)``; see :func:`train_val_test_split`."""
    if n < 1:
        raise ValueError("train_val_test_split: cannot split an empty data set")
    rng = np.random.default_rng(seed)
    if stratify is None:
        n_val, n_test = _count(val_size, n, "val_size"), _count(test_size, n, "test_size")
        if n_val + n_test >= n:
            raise ValueError(f"train_val_test_split: val ({n_val}) + test ({n_test}) leave no "
                             f"training examples out of {n}")
        order = rng.permutation(n) if shuffle else np.arange(n)
        return (order[n_val + n_test:], order[:n_val], order[n_val:n_val + n_test])
    if not shuffle:
        raise ValueError("train_val_test_split: stratify needs shuffle=True")
    y = np.asarray(stratify)
    if y.shape[:1] != (n,):
        raise ValueError(f"train_val_test_split: stratify has {len(y)} labels for {n} items")
    if not isinstance(val_size, float) or not isinstance(test_size, float):
        raise TypeError("train_val_test_split: with stratify, val_size and test_size must be "
                        "fractions (floats)")
    parts: tuple[list, list, list] = ([], [], [])
    # Split each class with the same fractions, so every split keeps the label balance.
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        idx = idx[rng.permutation(len(idx))]
        k_val = int(round(val_size * len(idx)))
        k_test = int(round(test_size * len(idx)))
        parts[1].append(idx[:k_val])
        parts[2].append(idx[k_val:k_val + k_test])
        parts[0].append(idx[k_val + k_test:])
    out = tuple(rng.permutation(np.concatenate(p)) for p in parts)
    if len(out[0]) == 0:
        raise ValueError("train_val_test_split: the split leaves no training examples")
    return out


def train_val_test_split(*arrays, val_size=0.1, test_size=0.1, seed: int | None = 0,
                         stratify=None, shuffle: bool = True):
    """Split arrays/lists of equal length into train, validation and test parts.

    Sizes are fractions (``0.1`` → ``round(0.1·n)`` items) or counts. With
    ``stratify=labels`` each class is split with the same fractions (so each part keeps
    the class proportions, up to rounding). The same ``seed`` gives the same split.

    Returns ``a_train, a_val, a_test`` for one array, or
    ``a_train, a_val, a_test, b_train, b_val, b_test, ...`` for several (like
    scikit-learn's ``train_test_split``). Lists stay lists, arrays stay arrays.
    """
    if not arrays:
        raise ValueError("train_val_test_split: give at least one array")
    for i, a in enumerate(arrays):
        if a is None or isinstance(a, (str, bytes)) or not hasattr(a, "__len__"):
            raise TypeError(f"train_val_test_split: argument {i} must be a list or array, "
                            f"got {type(a).__name__}")
    n = len(arrays[0])
    for i, a in enumerate(arrays[1:], start=1):
        if len(a) != n:
            raise ValueError(f"train_val_test_split: argument {i} has length {len(a)}, "
                             f"argument 0 has {n}")
    tr, va, te = split_indices(n, val_size, test_size, seed, stratify, shuffle)
    out = []
    for a in arrays:
        out.extend((_take(a, tr), _take(a, va), _take(a, te)))
    return tuple(out)
