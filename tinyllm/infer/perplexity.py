"""Perplexity: exp of the mean next-token negative log-likelihood over a token stream.

    PPL = exp( −(1/N) Σᵢ log p(tᵢ | t_<i) )

A model that is uniformly unsure among k tokens has perplexity k. The stream is cut into
windows of at most ``block_size`` tokens; with ``stride`` < block_size the windows
overlap and each token is scored once, with up to block_size − stride tokens of extra
context (Hugging Face's sliding-window evaluation). Token 0 has no context and is not
scored.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.grad_mode import no_grad
from .sampling import log_softmax


def perplexity(model, tokens, stride: int | None = None, return_nll: bool = False):
    """Perplexity of ``model`` on the 1-D id sequence ``tokens`` (float; with
    ``return_nll`` a dict with ``perplexity``, ``nll`` (mean, nats) and ``tokens`` scored)."""
    ids = np.asarray(tokens, dtype=np.int64).reshape(-1)
    if len(ids) < 2:
        raise ValueError(f"perplexity: need at least 2 tokens, got {len(ids)}")
    block = model.config.block_size
    stride = block if stride is None else int(stride)
    if not 1 <= stride <= block:
        raise ValueError(f"perplexity: stride must be in [1, block_size={block}], got {stride}")
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    scored_to = 1  # next target position still to score
    begin = 0
    with no_grad():
        while scored_to < len(ids):
            end = min(begin + block + 1, len(ids))          # inputs ids[begin:end-1]
            x, y = ids[begin:end - 1], ids[begin + 1:end]
            logp = log_softmax(model(x[None, :]).data[0])   # (len, V)
            first = scored_to - (begin + 1)                  # skip targets already scored
            picked = logp[np.arange(first, len(y)), y[first:]]
            total -= float(picked.sum())
            count += len(picked)
            scored_to = end
            begin = min(begin + stride, max(len(ids) - block - 1, 0)) \
                if end < len(ids) else end
    model.train(was_training)
    nll = total / count
    ppl = math.exp(nll)
    return {"perplexity": ppl, "nll": nll, "tokens": count} if return_nll else ppl
