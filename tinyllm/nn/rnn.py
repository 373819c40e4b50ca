"""Recurrent layers: ``nn.LSTM`` and ``nn.GRU``, with PyTorch's names, shapes and gate order.

Each (layer, direction) runs as ONE fused autograd node over the whole sequence
(:func:`tinyllm.functional.lstm`, :class:`tinyllm.nn.gru_op.GRU`), so a 500-step sequence
is a handful of graph nodes, not thousands.

Parameters of layer k (``_reverse`` suffix for the backward direction)::

    weight_ih_l{k}  [G·H, I_k]   (I_0 = input_size, I_k = H·num_directions for k > 0)
    weight_hh_l{k}  [G·H, H]
    bias_ih_l{k}, bias_hh_l{k}  [G·H]

with G = 4 gates (i, f, g, o) for the LSTM and G = 3 gates (r, z, n) for the GRU — the
same layout as ``torch.nn.LSTM`` / ``torch.nn.GRU``, so a state dict moves unchanged.
All are initialised U(−1/√H, 1/√H) like PyTorch.
"""

from __future__ import annotations

import math

import numpy as np

from .. import functional as F
from ..autograd.tensor import DEFAULT_FLOAT, Tensor
from ..rng import get_rng
from .gru_op import GRU as _GRUFunction
from .module import Module, Parameter


class _RNNBase(Module):
    """Shared bookkeeping of LSTM and GRU: parameters, shape checks, layers × directions."""

    gates = 0  # set by subclasses: 4 (LSTM) or 3 (GRU)

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, dtype=DEFAULT_FLOAT):
        super().__init__()
        name = type(self).__name__
        for arg, v in (("input_size", input_size), ("hidden_size", hidden_size),
                       ("num_layers", num_layers)):
            if not isinstance(v, (int, np.integer)) or v <= 0:
                raise ValueError(f"{name}: {arg} must be a positive integer, got {v!r}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"{name}: dropout must be in [0, 1), got {dropout}")
        self.input_size, self.hidden_size = int(input_size), int(hidden_size)
        self.num_layers, self.bias = int(num_layers), bool(bias)
        self.batch_first, self.dropout = bool(batch_first), float(dropout)
        self.bidirectional = bool(bidirectional)
        self.num_directions = 2 if bidirectional else 1
        bound = 1.0 / math.sqrt(hidden_size)
        gh = self.gates * hidden_size
        rng = get_rng()
        for layer in range(self.num_layers):
            n_in = self.input_size if layer == 0 else hidden_size * self.num_directions
            for d in range(self.num_directions):
                sfx = self._suffix(layer, d)
                shapes = [("weight_ih", (gh, n_in)), ("weight_hh", (gh, hidden_size))]
                if bias:
                    shapes += [("bias_ih", (gh,)), ("bias_hh", (gh,))]
                for pname, shape in shapes:
                    arr = rng.uniform(-bound, bound, size=shape).astype(dtype)
                    setattr(self, pname + sfx, Parameter(arr))

    @staticmethod
    def _suffix(layer: int, direction: int) -> str:
        return f"_l{layer}" + ("_reverse" if direction else "")

    def _weights(self, layer: int, direction: int):
        """(w_ih, w_hh, b_ih, b_hh) of one layer and direction; zero arrays without bias."""
        sfx = self._suffix(layer, direction)
        w_ih, w_hh = getattr(self, "weight_ih" + sfx), getattr(self, "weight_hh" + sfx)
        if self.bias:
            return w_ih, w_hh, getattr(self, "bias_ih" + sfx), getattr(self, "bias_hh" + sfx)
        zero = np.zeros(self.gates * self.hidden_size, dtype=w_ih.dtype)
        return w_ih, w_hh, zero, zero

    def _describe(self) -> str:
        return f"{type(self).__name__}(input_size={self.input_size}, " \
               f"hidden_size={self.hidden_size})"

    def _check_input(self, x) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(x)
        layout = "(batch, seq, feature) with batch_first=True" if self.batch_first \
            else "(seq, batch, feature) with batch_first=False"
        if x.ndim != 3:
            raise ValueError(f"{self._describe()}: input must be 3-D {layout}, got shape "
                             f"{x.shape}")
        if x.shape[2] != self.input_size:
            raise ValueError(f"{self._describe()}: input's last dimension must be "
                             f"input_size={self.input_size} {layout}, got shape {x.shape}")
        if x.dtype.kind != "f":
            raise TypeError(f"{self._describe()}: input must be floating point, got {x.dtype}")
        dtype = self.weight_ih_l0.dtype
        if x.dtype != dtype:
            raise TypeError(f"{self._describe()}: input dtype {x.dtype} differs from the "
                            f"layer's parameters ({dtype}); cast the input or call "
                            f"{'.double()' if x.dtype == np.float64 else '.float()'}")
        return x

    def _check_state(self, arg: str, h, batch: int, dtype) -> Tensor:
        expected = (self.num_layers * self.num_directions, batch, self.hidden_size)
        if h is None:
            return Tensor(np.zeros(expected, dtype=dtype))
        h = h if isinstance(h, Tensor) else Tensor(h)
        if h.shape != expected:
            raise ValueError(f"{self._describe()}: {arg} must have shape (num_layers * "
                             f"num_directions, batch, hidden_size) = {expected}, got {h.shape}")
        if h.dtype != dtype:
            raise TypeError(f"{self._describe()}: {arg} dtype {h.dtype} differs from the "
                            f"parameters' {dtype}")
        return h

    def _run(self, x, states):
        """Run every layer and direction. ``states`` is a tuple of [L·D, B, H] tensors (h
        and, for the LSTM, c); returns (top output [T, B, D·H], final states stacked)."""
        finals = [[] for _ in states]
        for layer in range(self.num_layers):
            outs = []
            for d in range(self.num_directions):
                k = layer * self.num_directions + d
                # the backward direction is the forward recurrence on the time-reversed input
                xin = x if d == 0 else x[::-1]
                res = self._cell_sequence(xin, [s[k] for s in states], *self._weights(layer, d))
                hs = res[0] if d == 0 else res[0][::-1]
                outs.append(hs)
                for f, r in zip(finals, res[1:]):
                    f.append(r)
            x = outs[0] if len(outs) == 1 else F.concatenate(outs, axis=2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)  # between layers, not after the last
        return x, tuple(F.stack(f, axis=0) for f in finals)

    def _cell_sequence(self, x, states, w_ih, w_hh, b_ih, b_hh):  # pragma: no cover
        raise NotImplementedError

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


class LSTM(_RNNBase):
    """Long short-term memory, as ``torch.nn.LSTM`` (gate order i, f, g, o):

        [i, f, g, o] = [σ, σ, tanh, σ](W_ih xₜ + b_ih + W_hh hₜ₋₁ + b_hh)
        cₜ = f ⊙ cₜ₋₁ + i ⊙ g,     hₜ = o ⊙ tanh(cₜ)

    ``forward(input, hx=None)`` with input [T, B, I] (or [B, T, I] if ``batch_first``)
    and hx = (h₀, c₀), each [num_layers·num_directions, B, H] (zeros when None). Returns
    ``(output, (h_n, c_n))``: output [T, B, D·H] (batch first if ``batch_first``) holds the
    top layer's h at every step, the two directions concatenated (forward first); h_n, c_n
    are the final states of every layer and direction, ordered l0, l0_reverse, l1, …
    ``dropout`` is applied to the outputs of every layer but the last, while training.
    """

    gates = 4

    def forward(self, input, hx=None):
        x = self._check_input(input)
        if self.batch_first:
            x = x.swapaxes(0, 1)
        batch, dtype = x.shape[1], x.dtype
        if hx is None:
            h0 = c0 = None
        elif isinstance(hx, (tuple, list)) and len(hx) == 2:
            h0, c0 = hx
        else:
            raise TypeError(f"{self._describe()}: hx must be a tuple (h_0, c_0) or None")
        h0 = self._check_state("h_0", h0, batch, dtype)
        c0 = self._check_state("c_0", c0, batch, dtype)
        out, (h_n, c_n) = self._run(x, (h0, c0))
        if self.batch_first:
            out = out.swapaxes(0, 1)
        return out, (h_n, c_n)

    def _cell_sequence(self, x, states, w_ih, w_hh, b_ih, b_hh):
        h0, c0 = states
        return F.lstm(x, h0, c0, w_ih, w_hh, b_ih, b_hh)


class GRU(_RNNBase):
    """Gated recurrent unit, as ``torch.nn.GRU`` (gate order r, z, n):

        r = σ(W_ir xₜ + b_ir + W_hr hₜ₋₁ + b_hr),   z = σ(W_iz xₜ + b_iz + W_hz hₜ₋₁ + b_hz)
        n = tanh(W_in xₜ + b_in + r ⊙ (W_hn hₜ₋₁ + b_hn)),   hₜ = (1 − z) ⊙ n + z ⊙ hₜ₋₁

    ``forward(input, hx=None)``: input as for :class:`LSTM`, hx = h₀
    [num_layers·num_directions, B, H]. Returns ``(output, h_n)``.
    """

    gates = 3

    def forward(self, input, hx=None):
        x = self._check_input(input)
        if self.batch_first:
            x = x.swapaxes(0, 1)
        h0 = self._check_state("h_0", hx, x.shape[1], x.dtype)
        out, (h_n,) = self._run(x, (h0,))
        if self.batch_first:
            out = out.swapaxes(0, 1)
        return out, h_n

    def _cell_sequence(self, x, states, w_ih, w_hh, b_ih, b_hh):
        return _GRUFunction.apply(x, states[0], w_ih, w_hh, b_ih, b_hh)
