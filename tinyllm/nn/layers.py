"""The basic layers: Linear, Neuron, Embedding, LayerNorm, Dropout, activations."""

from __future__ import annotations

import math

import numpy as np

from .. import functional as F
from ..autograd.tensor import DEFAULT_FLOAT, Tensor
from ..rng import get_rng
from .module import Module, Parameter


def _uniform(shape, bound, dtype=DEFAULT_FLOAT):
    return get_rng().uniform(-bound, bound, size=shape).astype(dtype)


class Linear(Module):
    """y = x Wᵀ + b, W of shape [out_features, in_features] (PyTorch's layout).

    Initialised like PyTorch: W, b ~ U(−1/√in, 1/√in).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 dtype=DEFAULT_FLOAT):
        super().__init__()
        if in_features <= 0 or out_features <= 0:
            raise ValueError(f"Linear: features must be positive, got ({in_features}, "
                             f"{out_features})")
        self.in_features, self.out_features = in_features, out_features
        bound = 1.0 / math.sqrt(in_features)
        self.weight = Parameter(_uniform((out_features, in_features), bound, dtype))
        self.register_parameter("bias", Parameter(_uniform((out_features,), bound, dtype))
                                if bias else None)

    def forward(self, x):
        x = x if isinstance(x, Tensor) else Tensor(x)
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(f"Linear({self.in_features}, {self.out_features}): input's last "
                             f"dimension must be in_features={self.in_features}, got input "
                             f"shape {x.shape}")
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


_ACTIVATIONS = {"relu": F.relu, "sigmoid": F.sigmoid, "tanh": F.tanh, "gelu": F.gelu,
                None: None, "linear": None}


class Neuron(Module):
    """The book's single unit (§4.1.1): z = Σᵢ wᵢxᵢ + b, then a = f(z).

    ``w`` is the weight vector (shape [n_inputs]), ``b`` the bias; ``activation`` is one of
    'sigmoid', 'relu', 'tanh', 'gelu' or None.
    """

    def __init__(self, n_inputs: int, activation: str | None = "sigmoid", dtype=DEFAULT_FLOAT):
        super().__init__()
        if activation not in _ACTIVATIONS:
            raise ValueError(f"Neuron: unknown activation {activation!r}; choose from "
                             f"{[k for k in _ACTIVATIONS if k]}")
        self.n_inputs, self.activation = n_inputs, activation
        self.w = Parameter(_uniform((n_inputs,), 1.0 / math.sqrt(n_inputs), dtype))
        self.b = Parameter(np.zeros((), dtype=dtype))

    def forward(self, x):
        x = x if isinstance(x, Tensor) else Tensor(x)
        if x.shape[-1:] != (self.n_inputs,):
            raise ValueError(f"Neuron: expected inputs with last dimension {self.n_inputs}, "
                             f"got shape {x.shape}")
        z = x @ self.w + self.b                      # z = Σ wᵢ xᵢ + b
        f = _ACTIVATIONS[self.activation]
        return z if f is None else f(z)

    def extra_repr(self) -> str:
        return f"n_inputs={self.n_inputs}, activation={self.activation!r}"


class Embedding(Module):
    """A lookup table: ``Embedding(num_embeddings, embedding_dim)(ids)`` = W[ids].

    Initialised N(0, 1) like PyTorch; the ``padding_idx`` row starts at zero and never
    receives a gradient.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 dtype=DEFAULT_FLOAT):
        super().__init__()
        if padding_idx is not None and not -num_embeddings <= padding_idx < num_embeddings:
            raise ValueError(f"Embedding: padding_idx {padding_idx} outside the table of "
                             f"{num_embeddings} rows")
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = None if padding_idx is None else padding_idx % num_embeddings
        w = get_rng().standard_normal((num_embeddings, embedding_dim)).astype(dtype)
        if self.padding_idx is not None:
            w[self.padding_idx] = 0
        self.weight = Parameter(w)

    def forward(self, ids):
        return F.embedding(ids, self.weight, padding_idx=self.padding_idx)

    def extra_repr(self) -> str:
        pad = f", padding_idx={self.padding_idx}" if self.padding_idx is not None else ""
        return f"{self.num_embeddings}, {self.embedding_dim}{pad}"


class LayerNorm(Module):
    """Normalise the last dimensions to mean 0, variance 1, then scale γ and shift β."""

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, dtype=DEFAULT_FLOAT):
        super().__init__()
        if isinstance(normalized_shape, (int, np.integer)):
            normalized_shape = (int(normalized_shape),)
        self.normalized_shape, self.eps = tuple(normalized_shape), eps
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=dtype))
            self.register_parameter(
                "bias", Parameter(np.zeros(self.normalized_shape, dtype=dtype)) if bias else None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, x):
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}"


class Dropout(Module):
    """Zero each element with probability p while training (scaled by 1/(1−p))."""

    def __init__(self, p: float = 0.5):
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError(f"Dropout: p must be in [0, 1), got {p}")
        self.p = p

    def forward(self, x):
        return F.dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class ReLU(Module):
    def forward(self, x):
        return F.relu(x)


class Sigmoid(Module):
    def forward(self, x):
        return F.sigmoid(x)


class Tanh(Module):
    def forward(self, x):
        return F.tanh(x)


class GELU(Module):
    def __init__(self, approximate: str = "none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(x, self.approximate)


class Softmax(Module):
    def __init__(self, axis: int = -1):
        super().__init__()
        self.axis = axis

    def forward(self, x):
        return F.softmax(x, self.axis)


class Identity(Module):
    def forward(self, x):
        return x
