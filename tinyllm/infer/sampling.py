"""Turning next-token logits into a choice: the logit processors and the draw.

Every function takes and returns float arrays of shape (B, V), one row per sequence.
Filtered-out tokens get −∞ (probability exactly 0 after the softmax). Order, as in
Hugging Face: repetition penalty → temperature → top-k → top-p → min-p.
"""

from __future__ import annotations

import numpy as np

NEG_INF = -np.inf


def check_sampling_args(temperature, top_k, top_p, min_p, repetition_penalty) -> None:
    """Raise ValueError for options outside their domain (named, with the value)."""
    if temperature is None or not np.isfinite(temperature) or temperature < 0:
        raise ValueError(f"generate: temperature must be a finite number >= 0 (0 = greedy), "
                         f"got {temperature!r}")
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer))
                              or top_k < 1):
        raise ValueError(f"generate: top_k must be None or an int >= 1, got {top_k!r}")
    if top_p is not None and not (0.0 < float(top_p) <= 1.0):
        raise ValueError(f"generate: top_p must be in (0, 1], got {top_p!r}")
    if min_p is not None and not (0.0 <= float(min_p) <= 1.0):
        raise ValueError(f"generate: min_p must be in [0, 1], got {min_p!r}")
    if repetition_penalty is None or not repetition_penalty > 0:
        raise ValueError(f"generate: repetition_penalty must be > 0 (1 = off), got "
                         f"{repetition_penalty!r}")


def apply_repetition_penalty(logits: np.ndarray, seen: np.ndarray, penalty: float) -> np.ndarray:
    """CTRL's penalty (Keskar et al. 2019) on every token already in the sequence:
    z → z/θ if z > 0 else z·θ (θ > 1 makes repeats less likely). ``seen`` is (B, V) bool."""
    if penalty == 1.0:
        return logits
    z = logits.copy()
    pen = np.where(z > 0, z / penalty, z * penalty)
    z[seen] = pen[seen]
    return z


def top_k_filter(logits: np.ndarray, k: int) -> np.ndarray:
    """Keep the k largest logits of each row (ties with the k-th are kept too)."""
    if k >= logits.shape[-1]:
        return logits
    kth = np.partition(logits, -k, axis=-1)[:, -k][:, None]
    return np.where(logits < kth, NEG_INF, logits)


def top_p_filter(logits: np.ndarray, p: float) -> np.ndarray:
    """Nucleus (Holtzman et al. 2020): keep the smallest set of most likely tokens whose
    probabilities sum to ≥ p. Token i (in descending order) is kept when the mass
    *before* it is < p, so the most likely token always survives."""
    if p >= 1.0:
        return logits
    probs = softmax(logits)
    order = np.argsort(-probs, axis=-1, kind="stable")
    sorted_p = np.take_along_axis(probs, order, axis=-1)
    before = np.cumsum(sorted_p, axis=-1) - sorted_p
    keep_sorted = before < p
    keep = np.zeros_like(keep_sorted)
    np.put_along_axis(keep, order, keep_sorted, axis=-1)
    return np.where(keep, logits, NEG_INF)


def min_p_filter(logits: np.ndarray, min_p: float) -> np.ndarray:
    """Keep tokens with p ≥ min_p · p_max (a cut that scales with the model's confidence)."""
    if not min_p:
        return logits
    probs = softmax(logits)
    thresh = min_p * probs.max(axis=-1, keepdims=True)
    return np.where(probs >= thresh, logits, NEG_INF)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row softmax in float64 (−∞ entries get probability 0)."""
    z = logits.astype(np.float64)
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(logits: np.ndarray) -> np.ndarray:
    z = logits.astype(np.float64)
    m = z.max(axis=-1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))


def process_logits(logits: np.ndarray, temperature: float = 1.0, top_k=None, top_p=None,
                   min_p=None) -> np.ndarray:
    """Temperature, then the top-k, top-p and min-p filters."""
    z = logits.astype(np.float64) / temperature
    if top_k is not None:
        z = top_k_filter(z, int(top_k))
    if top_p is not None:
        z = top_p_filter(z, float(top_p))
    if min_p is not None:
        z = min_p_filter(z, float(min_p))
    return z


def sampling_probs(logits: np.ndarray, temperature: float = 1.0, top_k=None, top_p=None,
                   min_p=None) -> np.ndarray:
    """The distribution sampling draws from: softmax of the processed logits, (B, V)."""
    return softmax(process_logits(np.atleast_2d(logits), temperature, top_k, top_p, min_p))


def sample(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw per row by inverting the CDF: the first i with cumsum(p)_i > u·Σp."""
    cdf = np.cumsum(probs, axis=-1)
    u = rng.random(probs.shape[0]) * cdf[:, -1]
    out = np.empty(probs.shape[0], dtype=np.int64)
    for r in range(probs.shape[0]):
        i = int(np.searchsorted(cdf[r], u[r], side="right"))
        # guard the float edge u == cdf[-1]: step back to the last token with mass
        while i >= probs.shape[1] or probs[r, i] == 0:
            i -= 1
        out[r] = i
    return out
