"""The key/value cache: what a decoder has already computed about the tokens it has seen.

In causal attention a token's key and value never change once computed (later tokens
cannot influence earlier ones). So when generating token t+1 we need only the *new*
token's q, k, v: its k and v are appended to the cache, and its q attends to all cached
keys. One forward pass then costs O(1) tokens instead of O(t), and the whole generation
O(T) instead of O(T²).

The arrays are preallocated to ``max_len`` positions per layer (no re-allocation while
decoding): ``k[layer]`` and ``v[layer]`` have shape (B, H, max_len, D). ``key_mask``
(B, max_len) marks which cached positions are real tokens (False = left padding of a
shorter prompt in a batch).
"""

from __future__ import annotations

import numpy as np


class KVCache:
    """Per-layer preallocated key/value arrays plus how many positions are filled."""

    def __init__(self, n_layer: int, batch_size: int, n_head: int, head_dim: int,
                 max_len: int, dtype=np.float32):
        for name, v in (("n_layer", n_layer), ("batch_size", batch_size), ("n_head", n_head),
                        ("head_dim", head_dim), ("max_len", max_len)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"KVCache: {name} must be a positive int, got {v!r}")
        shape = (batch_size, n_head, max_len, head_dim)
        self.k = [np.zeros(shape, dtype=dtype) for _ in range(n_layer)]
        self.v = [np.zeros(shape, dtype=dtype) for _ in range(n_layer)]
        self.key_mask = np.ones((batch_size, max_len), dtype=bool)
        self.max_len = int(max_len)
        self.length = 0  # positions filled in every layer

    @classmethod
    def for_model(cls, model, batch_size: int, max_len: int | None = None) -> KVCache:
        """A cache sized for ``model`` (a GPT): max_len defaults to its block size."""
        cfg = model.config
        max_len = cfg.block_size if max_len is None else max_len
        dtype = model.transformer.wte.weight.data.dtype
        return cls(cfg.n_layer, batch_size, cfg.n_head, cfg.n_embd // cfg.n_head, max_len,
                   dtype)

    @property
    def batch_size(self) -> int:
        return self.key_mask.shape[0]

    def write(self, layer: int, k: np.ndarray, v: np.ndarray):
        """Store the new tokens' k, v (B, H, Tn, D) after the filled positions of ``layer``;
        return that layer's keys and values for all positions so far (B, H, length+Tn, D)."""
        tn = k.shape[2]
        end = self.length + tn
        if end > self.max_len:
            raise ValueError(f"KVCache.write: {self.length} cached + {tn} new positions exceed "
                             f"max_len={self.max_len}")
        self.k[layer][:, :, self.length:end] = k
        self.v[layer][:, :, self.length:end] = v
        return self.k[layer][:, :, :end], self.v[layer][:, :, :end]

    def set_mask(self, mask) -> None:
        """Record which of the next positions are real tokens (bool (B, Tn))."""
        mask = np.asarray(mask, dtype=bool)
        if self.length + mask.shape[1] > self.max_len:
            raise ValueError(f"KVCache: {self.length} cached + {mask.shape[1]} new positions "
                             f"exceed max_len={self.max_len}")
        self.key_mask[:, self.length:self.length + mask.shape[1]] = mask

    def advance(self, n: int) -> None:
        """Mark ``n`` more positions as filled (after every layer has written them)."""
        self.length += int(n)

    def reorder(self, index) -> None:
        """Keep rows ``index`` of the batch (beam search: each beam continues a parent)."""
        index = np.asarray(index)
        for i in range(len(self.k)):
            self.k[i] = self.k[i][index]
            self.v[i] = self.v[i][index]
        self.key_mask = self.key_mask[index]

    def reset(self) -> None:
        self.length = 0
        self.key_mask[:] = True
