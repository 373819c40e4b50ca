"""Keras-style layers (``tinyllm.keras.layers``), each a :class:`tinyllm.nn.Module`.

They take Keras' arguments and Keras' default initialisers, and are *built lazily*: a
``Dense(8)`` learns its input size from the first batch it sees (``build(input_shape)``),
as in Keras. Shapes are batch-first: ``[batch, time, features]``.

Keras' defaults, reproduced here because they matter for how fast a model trains:

* ``Embedding``: weights U(−0.05, 0.05);
* ``Dense``: kernel Glorot-uniform U(−√(6/(in+out)), +√(6/(in+out))), bias 0;
* ``LSTM`` / ``GRU``: input kernel Glorot-uniform, recurrent kernel orthogonal, bias 0,
  and for the LSTM the forget-gate bias set to 1 (``unit_forget_bias``) so that the
  cell starts by remembering. Both run on the fused :class:`tinyllm.nn.LSTM` /
  :class:`tinyllm.nn.GRU` (PyTorch layout: ``weight_ih_l0`` = Keras' kernel transposed).
"""

from __future__ import annotations

import math

import numpy as np

from .. import functional as F
from ..autograd.tensor import Tensor
from ..nn.module import Module, Parameter
from ..nn.rnn import GRU as _NNGRU
from ..nn.rnn import LSTM as _NNLSTM
from ..rng import get_rng
from .regularizers import get_regularizer

__all__ = ["Layer", "Embedding", "LSTM", "GRU", "Bidirectional", "Dense", "Dropout",
           "Flatten", "GlobalAveragePooling1D", "GlobalMaxPooling1D", "Activation"]

_ACTIVATIONS = {
    None: None, "linear": None, "relu": F.relu, "sigmoid": F.sigmoid, "tanh": F.tanh,
    "gelu": F.gelu, "softmax": lambda x: F.softmax(x, -1),
}


def _activation(name, who: str):
    if callable(name) and not isinstance(name, str):
        return name
    if name not in _ACTIVATIONS:
        raise ValueError(f"{who}: unknown activation {name!r}; choose from "
                         f"{[k for k in _ACTIVATIONS if k]}")
    return _ACTIVATIONS[name]


def _positive_int(v, who: str, name: str) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
        raise ValueError(f"{who}: {name} must be a positive int, got {v!r}")
    return int(v)


def glorot_uniform(shape, fan_in: int, fan_out: int) -> np.ndarray:
    """U(−√(6/(fan_in+fan_out)), +√(6/(fan_in+fan_out)))."""
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return get_rng().uniform(-limit, limit, size=shape).astype(np.float32)


def orthogonal(rows: int, cols: int) -> np.ndarray:
    """A [rows, cols] matrix with orthonormal rows (or columns, whichever are fewer):
    the Q of a QR decomposition of a Gaussian matrix, signs fixed by diag(R)."""
    a = get_rng().standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return q[:rows, :cols].astype(np.float32)


class Layer(Module):
    """Base of the Keras-style layers: lazy ``build(input_shape)``, an output-shape rule
    for ``summary()``, and the regularisation penalties of its weights."""

    def __init__(self, name: str | None = None):
        super().__init__()
        self.built = False
        self.layer_name = name
        self._regularized: list[tuple[str, object]] = []  # (parameter name, regularizer)

    def build(self, input_shape) -> None:
        self.built = True

    def compute_output_shape(self, input_shape):
        return input_shape

    def call(self, x):  # pragma: no cover - abstract
        raise NotImplementedError

    def forward(self, x):
        if not self.built:
            shape = x.shape if hasattr(x, "shape") else np.shape(x)
            self.build(tuple(shape))
        return self.call(x)

    def regularization_losses(self) -> list:
        """Penalty tensors (e.g. λ·Σw²) of this layer's regularised weights."""
        out = []
        for pname, reg in self._regularized:
            p = getattr(self, pname, None)
            if p is not None:
                out.append(reg(p))
        return out

    def _add_regularizer(self, pname: str, reg) -> None:
        reg = get_regularizer(reg)
        if reg is not None:
            self._regularized.append((pname, reg))


class Embedding(Layer):
    """Token ids [B, T] → vectors [B, T, output_dim]; ``input_length`` only informs
    ``summary()`` (as in Keras)."""

    def __init__(self, input_dim: int, output_dim: int, input_length: int | None = None,
                 mask_zero: bool = False, embeddings_regularizer=None,
                 embeddings_initializer: str = "uniform", name: str | None = None, **kwargs):
        super().__init__(name)
        who = "Embedding"
        self.input_dim = _positive_int(input_dim, who, "input_dim")
        self.output_dim = _positive_int(output_dim, who, "output_dim")
        self.input_length = None if input_length is None else _positive_int(
            input_length, who, "input_length")
        if mask_zero:
            raise ValueError("Embedding: mask_zero=True is not supported (the fused LSTM "
                             "has no per-step mask); pad with padding='pre' so the real "
                             "tokens come last, or use tinyllm.models.LSTMClassifier")
        _reject_unknown(kwargs, who, {"input_shape", "trainable"})
        if embeddings_initializer == "uniform":
            w = get_rng().uniform(-0.05, 0.05, size=(self.input_dim, self.output_dim))
        elif embeddings_initializer in ("normal", "random_normal"):
            w = get_rng().normal(0.0, 0.05, size=(self.input_dim, self.output_dim))
        else:
            raise ValueError(f"Embedding: embeddings_initializer must be 'uniform' or "
                             f"'normal', got {embeddings_initializer!r}")
        self.embeddings = Parameter(w.astype(np.float32))
        self._add_regularizer("embeddings", embeddings_regularizer)
        self.built = True

    def call(self, x):
        ids = x.data if isinstance(x, Tensor) else np.asarray(x)
        if ids.dtype.kind == "f":
            if not np.all(ids == np.round(ids)):
                raise TypeError("Embedding: inputs must be integer token ids")
            ids = ids.astype(np.int64)
        if ids.dtype.kind not in "iu":
            raise TypeError(f"Embedding: inputs must be integer token ids, got {ids.dtype}")
        if ids.size and (ids.min() < 0 or ids.max() >= self.input_dim):
            raise ValueError(f"Embedding: token id {int(ids.max())} out of range for "
                             f"input_dim={self.input_dim} (ids must be in [0, input_dim))")
        return F.embedding(ids, self.embeddings)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def extra_repr(self) -> str:
        return f"input_dim={self.input_dim}, output_dim={self.output_dim}"


def _reject_unknown(kwargs, who, allowed):
    unknown = set(kwargs) - set(allowed)
    if unknown:
        raise TypeError(f"{who}: unsupported argument(s) {sorted(unknown)}")


class _Recurrent(Layer):
    _nn_class = None
    gates = 0

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid",
                 return_sequences: bool = False, return_state: bool = False,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 name: str | None = None, **kwargs):
        super().__init__(name)
        who = type(self).__name__
        self.units = _positive_int(units, who, "units")
        if activation != "tanh" or recurrent_activation not in ("sigmoid",):
            raise ValueError(f"{who}: only activation='tanh' with recurrent_activation="
                             "'sigmoid' is supported (the fused kernel's gates)")
        if recurrent_dropout:
            raise ValueError(f"{who}: recurrent_dropout is not supported; use dropout= "
                             "(on the inputs) or a Dropout layer")
        if return_state:
            raise ValueError(f"{who}: return_state=True is not supported in Sequential")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"{who}: dropout must be in [0, 1), got {dropout}")
        _reject_unknown(kwargs, who, {"input_shape", "unroll", "trainable", "reset_after",
                                      "unit_forget_bias"})
        self.return_sequences = bool(return_sequences)
        self.dropout = float(dropout)
        self.bidirectional = False
        self._regs = (kernel_regularizer, recurrent_regularizer, bias_regularizer)
        self.cell = None

    def build(self, input_shape) -> None:
        if len(input_shape) != 3:
            raise ValueError(f"{type(self).__name__}: expects inputs [batch, time, features], "
                             f"got shape {input_shape}")
        n_in = int(input_shape[-1])
        h = self.units
        self.cell = self._nn_class(n_in, h, batch_first=True, bidirectional=self.bidirectional)
        # Keras' initialisers, written into PyTorch's layout (weight = kernelᵀ).
        for pname, p in self.cell.named_parameters():
            if pname.startswith("weight_ih"):
                p.data = glorot_uniform((n_in, self.gates * h), n_in, self.gates * h).T.copy()
            elif pname.startswith("weight_hh"):
                p.data = orthogonal(h, self.gates * h).T.copy()
            else:
                p.data = np.zeros_like(p.data)
                if self.gates == 4 and pname.startswith("bias_ih"):
                    p.data[h:2 * h] = 1.0  # unit_forget_bias: the forget gate starts open
        if self.gates == 4:
            # Keras' LSTM has one bias vector, PyTorch's two (b_ih + b_hh are only ever
            # added). Keep b_ih as *the* bias and make b_hh a constant zero, so parameter
            # counts match Keras (4·H·(I + H + 1)).
            for pname in [n for n, _ in self.cell.named_parameters() if n.startswith("bias_hh")]:
                setattr(self.cell, pname, Tensor(np.zeros(self.gates * h, dtype=np.float32)))
        kreg, rreg, breg = self._regs
        for reg, prefix in ((kreg, "weight_ih"), (rreg, "weight_hh"), (breg, "bias")):
            reg = get_regularizer(reg)
            if reg is not None:
                for pname, _ in self.cell.named_parameters():
                    if pname.startswith(prefix):
                        self._regularized.append(("cell." + pname, reg))
        self.built = True

    def regularization_losses(self) -> list:
        params = dict(self.named_parameters())
        return [reg(params[n]) for n, reg in self._regularized if n in params]

    def call(self, x):
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=np.float32))
        if self.dropout and self.training:
            # Keras' input dropout: one mask per sequence, the same at every time step.
            keep = F.dropout(Tensor(np.ones((x.shape[0], 1, x.shape[2]), dtype=x.dtype)),
                             self.dropout, True)
            x = x * keep
        out = self.cell(x)[0]
        if self.return_sequences:
            return out
        if self.bidirectional:
            h = self.units
            # forward direction: its last step; backward direction: its state after
            # reading the whole sequence (right to left), which sits at time step 0.
            return F.concatenate([out[:, -1, :h], out[:, 0, h:]], axis=-1)
        return out[:, -1, :]

    def compute_output_shape(self, input_shape):
        width = self.units * (2 if self.bidirectional else 1)
        if self.return_sequences:
            return (input_shape[0], input_shape[1], width)
        return (input_shape[0], width)

    def extra_repr(self) -> str:
        return f"units={self.units}, return_sequences={self.return_sequences}"


class LSTM(_Recurrent):
    """Keras' ``LSTM(units, return_sequences=False, dropout=0.0, ...)`` on the fused
    :class:`tinyllm.nn.LSTM` (gates i, f, g, o; forget-gate bias 1)."""

    _nn_class = _NNLSTM
    gates = 4


class GRU(_Recurrent):
    """Keras' ``GRU(units, ...)`` (TF 2 default ``reset_after=True``: the reset gate
    multiplies W_hn·h + b_hn, exactly :class:`tinyllm.nn.GRU`'s formula)."""

    _nn_class = _NNGRU
    gates = 3


class Bidirectional(Layer):
    """``Bidirectional(LSTM(units))``: the sequence read forwards and backwards, the two
    final states concatenated (``merge_mode="concat"``)."""

    def __init__(self, layer, merge_mode: str = "concat", name: str | None = None, **kwargs):
        super().__init__(name)
        if not isinstance(layer, _Recurrent):
            raise TypeError(f"Bidirectional: expected an LSTM or GRU layer, got "
                            f"{type(layer).__name__}")
        if merge_mode != "concat":
            raise ValueError(f"Bidirectional: only merge_mode='concat' is supported, got "
                             f"{merge_mode!r}")
        _reject_unknown(kwargs, "Bidirectional", {"input_shape"})
        if layer.built:
            raise ValueError("Bidirectional: wrap a layer that has not been built yet")
        layer.bidirectional = True
        self.layer = layer

    def build(self, input_shape) -> None:
        self.layer.build(input_shape)
        self.built = True

    def call(self, x):
        return self.layer(x)

    def regularization_losses(self) -> list:
        return self.layer.regularization_losses()

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)


class Dense(Layer):
    """``Dense(units, activation=None)``: y = activation(x·K + b) on the last axis; K is
    stored PyTorch-style as ``weight`` [units, in]."""

    def __init__(self, units: int, activation=None, use_bias: bool = True,
                 kernel_regularizer=None, bias_regularizer=None, name: str | None = None,
                 **kwargs):
        super().__init__(name)
        self.units = _positive_int(units, "Dense", "units")
        self.activation_name = activation if isinstance(activation, str) or activation is None \
            else getattr(activation, "__name__", "custom")
        self.activation = _activation(activation, "Dense")
        self.use_bias = use_bias
        _reject_unknown(kwargs, "Dense", {"input_shape", "input_dim", "trainable"})
        self._regs = (kernel_regularizer, bias_regularizer)
        self.weight = None
        self.bias = None
        if "input_dim" in kwargs:
            self.build((None, int(kwargs["input_dim"])))

    def build(self, input_shape) -> None:
        n_in = int(input_shape[-1])
        self.in_features = n_in
        self.weight = Parameter(glorot_uniform((n_in, self.units), n_in, self.units).T.copy())
        self.register_parameter("bias", Parameter(np.zeros(self.units, dtype=np.float32))
                                if self.use_bias else None)
        self._add_regularizer("weight", self._regs[0])
        if self.use_bias:
            self._add_regularizer("bias", self._regs[1])
        self.built = True

    def call(self, x):
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=np.float32))
        if x.shape[-1] != self.in_features:
            raise ValueError(f"Dense({self.units}): expected inputs with last dimension "
                             f"{self.in_features}, got shape {x.shape}")
        y = F.linear(x, self.weight, self.bias)
        return y if self.activation is None else self.activation(y)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def extra_repr(self) -> str:
        return f"units={self.units}, activation={self.activation_name!r}"


class Dropout(Layer):
    """Zero each input with probability ``rate`` while training, scale the rest by
    1/(1 − rate); identity at inference."""

    def __init__(self, rate: float, name: str | None = None, **kwargs):
        super().__init__(name)
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"Dropout: rate must be in [0, 1), got {rate}")
        _reject_unknown(kwargs, "Dropout", {"noise_shape", "seed"})
        self.rate = float(rate)
        self.built = True

    def call(self, x):
        return F.dropout(x, self.rate, self.training)

    def extra_repr(self) -> str:
        return f"rate={self.rate}"


class Activation(Layer):
    def __init__(self, activation, name: str | None = None):
        super().__init__(name)
        self.activation_name = activation
        self.fn = _activation(activation, "Activation")
        self.built = True

    def call(self, x):
        return x if self.fn is None else self.fn(x)


class Flatten(Layer):
    """[B, d1, d2, ...] → [B, d1·d2·…]."""

    def __init__(self, name: str | None = None):
        super().__init__(name)
        self.built = True

    def call(self, x):
        x = x if isinstance(x, Tensor) else Tensor(x)
        return x.reshape(x.shape[0], -1)

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        n = None if any(d is None for d in rest) else int(np.prod(rest))
        return (input_shape[0], n)


class GlobalAveragePooling1D(Layer):
    """[B, T, D] → [B, D]: the mean over time."""

    def __init__(self, name: str | None = None):
        super().__init__(name)
        self.built = True

    def call(self, x):
        return x.mean(axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])


class GlobalMaxPooling1D(GlobalAveragePooling1D):
    """[B, T, D] → [B, D]: the maximum over time."""

    def call(self, x):
        return x.max(axis=1)
