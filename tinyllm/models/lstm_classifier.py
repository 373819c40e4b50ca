"""``LSTMClassifier``: token ids → embedding → LSTM → pooled state → class logits.

The book's chapter 5 model (Embedding → LSTM → Dense) written with the PyTorch-style
API, plus what real data needs: padding that does not leak into the result, an optional
backward reader, dropout, and a choice of how to summarise the sequence.

Padding. A batch of sentences of different lengths is padded with ``padding_idx``
(default 0), on either side. The model first moves every row's real tokens to the front
(post-padding) and cuts the batch to its longest real sequence, then reads the LSTM
state at each row's own last real token::

    h_b = LSTM(emb(x_b,1..L_b))[L_b]          (L_b = number of real tokens of row b)

so the padding never enters the summary and the output of a sentence does not depend
on which other sentences share its batch. With ``bidirectional=True`` a second LSTM
reads each row reversed *within its own length* and its final state is concatenated.
``pooling="mean"`` / ``"max"`` instead average / take the maximum of the states over
the real tokens only.

Output: logits [B, num_classes]; train with ``F.cross_entropy`` (``loss="cross_entropy"``
in :class:`tinyllm.train.Trainer`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .. import functional as F
from ..autograd.tensor import Tensor
from ..nn.layers import Dropout, Embedding, Linear
from ..nn.module import Module
from ..nn.rnn import LSTM

__all__ = ["LSTMClassifier", "LSTMClassifierConfig"]


@dataclass
class LSTMClassifierConfig:
    vocab_size: int
    embed_dim: int = 64
    hidden_size: int = 64
    num_classes: int = 2
    num_layers: int = 1
    bidirectional: bool = False
    dropout: float = 0.0
    padding_idx: int = 0
    pooling: str = "last"


class LSTMClassifier(Module):
    """``LSTMClassifier(vocab_size, embed_dim=64, hidden_size=64, num_classes=2,
    num_layers=1, bidirectional=False, dropout=0.0, padding_idx=0, pooling="last")``.

    ``forward(ids)`` with ``ids`` an int array [B, T] → logits [B, num_classes].
    ``dropout`` acts on the embeddings and on the pooled state (and between stacked
    LSTM layers).
    """

    def __init__(self, vocab_size: int, embed_dim: int = 64, hidden_size: int = 64,
                 num_classes: int = 2, num_layers: int = 1, bidirectional: bool = False,
                 dropout: float = 0.0, padding_idx: int = 0, pooling: str = "last"):
        super().__init__()
        for name, v in (("vocab_size", vocab_size), ("embed_dim", embed_dim),
                        ("hidden_size", hidden_size), ("num_classes", num_classes),
                        ("num_layers", num_layers)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"LSTMClassifier: {name} must be a positive int, got {v!r}")
        if pooling not in ("last", "mean", "max"):
            raise ValueError(f"LSTMClassifier: pooling must be 'last', 'mean' or 'max', got "
                             f"{pooling!r}")
        if not 0 <= padding_idx < vocab_size:
            raise ValueError(f"LSTMClassifier: padding_idx {padding_idx} outside [0, "
                             f"{vocab_size})")
        self.config = LSTMClassifierConfig(int(vocab_size), int(embed_dim), int(hidden_size),
                                           int(num_classes), int(num_layers),
                                           bool(bidirectional), float(dropout),
                                           int(padding_idx), pooling)
        self.embedding = Embedding(vocab_size, embed_dim, padding_idx=padding_idx)
        self.lstm = LSTM(embed_dim, hidden_size, num_layers=num_layers, batch_first=True,
                         dropout=dropout if num_layers > 1 else 0.0)
        if bidirectional:
            self.lstm_reverse = LSTM(embed_dim, hidden_size, num_layers=num_layers,
                                     batch_first=True,
                                     dropout=dropout if num_layers > 1 else 0.0)
        self.dropout = Dropout(dropout)
        self.head = Linear(hidden_size * (2 if bidirectional else 1), num_classes)

    @classmethod
    def from_config(cls, config: dict | LSTMClassifierConfig) -> LSTMClassifier:
        cfg = asdict(config) if isinstance(config, LSTMClassifierConfig) else dict(config)
        return cls(**cfg)

    @staticmethod
    def align(ids: np.ndarray, padding_idx: int = 0):
        """Move each row's real tokens to the front, in order; cut to the longest row.

        Returns ``(aligned [B, L], lengths [B])``; an all-padding row gets length 1 (it
        then reads one padding token, so it still has a state).
        """
        real = ids != padding_idx
        lengths = real.sum(axis=1)
        order = np.argsort(~real, axis=1, kind="stable")  # real tokens first, order kept
        aligned = np.take_along_axis(ids, order, axis=1)
        width = max(int(lengths.max(initial=0)), 1)
        return aligned[:, :width], np.maximum(lengths, 1)

    @staticmethod
    def reverse_within(aligned: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Row b's first ``lengths[b]`` tokens reversed, the padding left behind them."""
        t = np.arange(aligned.shape[1])[None, :]
        src = np.where(t < lengths[:, None], lengths[:, None] - 1 - t, t)
        return np.take_along_axis(aligned, src, axis=1)

    def _summary(self, lstm, ids, lengths, mask):
        h = lstm(self.dropout(self.embedding(ids)))[0]           # [B, L, H]
        if self.config.pooling == "last":
            return h[np.arange(len(lengths)), lengths - 1]       # state at the last real token
        m = Tensor(mask[:, :, None].astype(h.dtype))
        if self.config.pooling == "mean":
            return (h * m).sum(axis=1) / Tensor(lengths[:, None].astype(h.dtype))
        return h.masked_fill(~mask[:, :, None], -1e9).max(axis=1)

    def forward(self, ids):
        ids = ids.data if isinstance(ids, Tensor) else np.asarray(ids)
        if ids.ndim != 2 or ids.dtype.kind not in "iu":
            raise ValueError(f"LSTMClassifier: expected integer token ids [batch, time], got "
                             f"shape {ids.shape} dtype {ids.dtype}")
        if ids.size and (ids.min() < 0 or ids.max() >= self.config.vocab_size):
            raise ValueError(f"LSTMClassifier: token ids must be in [0, "
                             f"{self.config.vocab_size}), got max {int(ids.max())}")
        aligned, lengths = self.align(ids, self.config.padding_idx)
        mask = np.arange(aligned.shape[1])[None, :] < lengths[:, None]
        state = self._summary(self.lstm, aligned, lengths, mask)
        if self.config.bidirectional:
            back = self._summary(self.lstm_reverse, self.reverse_within(aligned, lengths),
                                 lengths, mask)
            state = F.concatenate([state, back], axis=-1)
        return self.head(self.dropout(state))

    def extra_repr(self) -> str:
        c = self.config
        return f"pooling={c.pooling!r}, bidirectional={c.bidirectional}"
