"""Weight initialisation (in place on a Parameter's array), PyTorch's names."""

from __future__ import annotations

import math

import numpy as np

from ..rng import get_rng


def _fans(shape) -> tuple:
    if len(shape) < 2:
        raise ValueError(f"init: fan in/out need at least 2 dimensions, got shape {shape}")
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def zeros_(p):
    p.data[...] = 0
    return p


def ones_(p):
    p.data[...] = 1
    return p


def constant_(p, value: float):
    p.data[...] = value
    return p


def normal_(p, mean: float = 0.0, std: float = 1.0):
    p.data[...] = get_rng().normal(mean, std, p.shape)
    return p


def uniform_(p, a: float = 0.0, b: float = 1.0):
    p.data[...] = get_rng().uniform(a, b, p.shape)
    return p


def xavier_uniform_(p, gain: float = 1.0):
    """Glorot: U(−a, a), a = gain·√(6/(fan_in + fan_out))."""
    fan_in, fan_out = _fans(p.shape)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(p, -a, a)


def xavier_normal_(p, gain: float = 1.0):
    """Glorot: N(0, σ²), σ = gain·√(2/(fan_in + fan_out))."""
    fan_in, fan_out = _fans(p.shape)
    return normal_(p, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def kaiming_uniform_(p, a: float = 0.0, nonlinearity: str = "relu"):
    """He: U(−b, b), b = gain·√(3/fan_in), gain = √2 for ReLU (√(2/(1+a²)) leaky)."""
    fan_in, _ = _fans(p.shape)
    gain = math.sqrt(2.0 / (1 + a * a)) if nonlinearity in ("relu", "leaky_relu") else 1.0
    b = gain * math.sqrt(3.0 / fan_in)
    return uniform_(p, -b, b)


def kaiming_normal_(p, a: float = 0.0, nonlinearity: str = "relu"):
    """He: N(0, σ²), σ = gain/√fan_in."""
    fan_in, _ = _fans(p.shape)
    gain = math.sqrt(2.0 / (1 + a * a)) if nonlinearity in ("relu", "leaky_relu") else 1.0
    return normal_(p, 0.0, gain / math.sqrt(fan_in))


def orthogonal_(p, gain: float = 1.0):
    """A (semi-)orthogonal matrix from the QR decomposition of a Gaussian matrix."""
    if p.ndim < 2:
        raise ValueError(f"orthogonal_: need at least 2 dimensions, got shape {p.shape}")
    rows, cols = p.shape[0], int(np.prod(p.shape[1:]))
    flat = get_rng().standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))  # make the decomposition unique (uniform over orthogonals)
    if rows < cols:
        q = q.T
    p.data[...] = gain * q.reshape(p.shape)
    return p
