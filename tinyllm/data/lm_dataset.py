"""Language-model training data: blocks of a token stream with next-token targets.

For a stream ``t_0 … t_{N-1}`` and block size ``T``, a block starting at ``s`` is
``x = t[s : s+T]`` with targets ``y = t[s+1 : s+T+1]`` — at every position the model
predicts the next token. Training samples random starts (nanoGPT's ``get_batch``):
with ``N − T`` possible starts, an epoch-based pass over disjoint blocks would show each
boundary at the same offsets forever; random starts show every context.
"""

from __future__ import annotations

import numpy as np


class LMBlockDataset:
    """Next-token blocks from one long 1-D token array.

    ``ds[i]`` is the ``i``-th *disjoint* block ``(x, y)`` (for evaluation, deterministic);
    ``ds.sample(batch_size)`` draws random blocks for training.
    """

    def __init__(self, tokens, block_size: int, seed: int | None = 0, dtype=np.int64):
        if isinstance(block_size, bool) or not isinstance(block_size, (int, np.integer)) \
                or block_size < 1:
            raise ValueError(f"LMBlockDataset: block_size must be a positive int, "
                             f"got {block_size!r}")
        if tokens is None or isinstance(tokens, str):
            raise TypeError("LMBlockDataset: tokens must be a 1-D sequence of ids (encode the "
                            f"text first), got {type(tokens).__name__}")
        arr = np.asarray(tokens)
        if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
            raise TypeError(f"LMBlockDataset: tokens must be a 1-D integer array, got shape "
                            f"{arr.shape} dtype {arr.dtype}")
        if len(arr) < block_size + 1:
            raise ValueError(f"LMBlockDataset: {len(arr)} tokens are too few for block_size="
                             f"{block_size} (need at least block_size + 1)")
        self.tokens = arr.astype(dtype, copy=False)
        self.block_size = int(block_size)
        self.rng = np.random.default_rng(seed)
        self._offsets = np.arange(self.block_size)

    def __len__(self) -> int:
        return (len(self.tokens) - 1) // self.block_size

    def __getitem__(self, i):
        n = len(self)
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)):
            raise TypeError(f"LMBlockDataset: index must be an int, got {type(i).__name__}")
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"LMBlockDataset: block {i} out of range [0, {n})")
        s = i * self.block_size
        return self.tokens[s:s + self.block_size], self.tokens[s + 1:s + self.block_size + 1]

    def get_batch(self, idx):
        """Disjoint blocks ``idx`` as ``(x, y)`` arrays ``[len(idx), T]`` (for DataLoader)."""
        starts = np.asarray(idx) * self.block_size
        pos = starts[:, None] + self._offsets
        return self.tokens[pos], self.tokens[pos + 1]

    def sample(self, batch_size: int, rng: np.random.Generator | None = None):
        """``batch_size`` blocks at uniform random starts: ``(x, y)``, each ``[B, T]``."""
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size < 1:
            raise ValueError(f"LMBlockDataset.sample: batch_size must be a positive int, "
                             f"got {batch_size!r}")
        rng = self.rng if rng is None else rng
        starts = rng.integers(0, len(self.tokens) - self.block_size, size=batch_size)
        pos = starts[:, None] + self._offsets
        return self.tokens[pos], self.tokens[pos + 1]
