"""``Module`` and ``Parameter``: how layers hold weights and find each other.

Assigning a :class:`Parameter` or a :class:`Module` to an attribute registers it (the
same mechanism as ``torch.nn.Module``), so ``parameters()`` / ``state_dict()`` walk the
whole tree with PyTorch's dotted names (``encoder.layers.0.weight``).
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from ..autograd.tensor import Tensor


class Parameter(Tensor):
    """A tensor that is a weight of a module: ``requires_grad=True`` by default."""

    __slots__ = ()

    def __init__(self, data, requires_grad: bool = True):
        if isinstance(data, Tensor):
            data = data.data
        arr = np.array(data, copy=True)  # a weight owns its memory: training writes into it
        if arr.dtype.kind != "f":
            raise TypeError(f"Parameter: weights must be floating point, got dtype {arr.dtype}")
        super().__init__(arr, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return f"Parameter(shape={self.shape}, dtype={self.dtype})"


class StateDictError(ValueError):
    """``load_state_dict`` found missing, unexpected or mis-shaped entries."""


class Module:
    """Base class of every layer and model."""

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "training", True)

    # ----- registration -----------------------------------------------------------------
    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise RuntimeError(f"{type(self).__name__}: call super().__init__() before "
                               "assigning attributes")
        for store in (self._parameters, self._modules, self._buffers):
            store.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        for store in (self._parameters, self._modules, self._buffers):
            store.pop(name, None)
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` (or None for an absent optional weight such as a bias)."""
        if param is None:
            self._parameters.pop(name, None)
            object.__setattr__(self, name, None)
        else:
            setattr(self, name, param)

    def register_buffer(self, name: str, array: np.ndarray | None) -> None:
        """A non-trainable array that belongs in the state dict (e.g. running statistics)."""
        self._buffers[name] = array
        object.__setattr__(self, name, array)

    def add_module(self, name: str, module: Module | None) -> None:
        setattr(self, name, module)

    # ----- traversal --------------------------------------------------------------------
    def named_modules(self, prefix: str = ""):
        yield prefix, self
        for name, m in self._modules.items():
            if m is not None:
                yield from m.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self):
        for _, m in self.named_modules():
            yield m

    def children(self):
        return (m for m in self._modules.values() if m is not None)

    def named_parameters(self, prefix: str = ""):
        """(dotted name, Parameter) for every parameter, each shared one once."""
        seen = set()
        for mod_name, m in self.named_modules(prefix):
            for name, p in m._parameters.items():
                if p is not None and id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{mod_name}.{name}" if mod_name else name), p

    def parameters(self):
        for _, p in self.named_parameters():
            yield p

    def num_parameters(self, trainable_only: bool = False) -> int:
        return sum(p.size for p in self.parameters() if p.requires_grad or not trainable_only)

    # ----- modes and gradients ----------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> Module:
        return self.train(False)

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = None

    def requires_grad_(self, flag: bool = True) -> Module:
        """Freeze (False) or unfreeze (True) every parameter of this module."""
        for p in self.parameters():
            p.requires_grad = bool(flag)
        return self

    # ----- state dict -------------------------------------------------------------------
    def state_dict(self) -> dict:
        """Ordered {dotted name: np.ndarray copy} of parameters and buffers."""
        out = OrderedDict()
        for mod_name, m in self.named_modules():
            for name, p in m._parameters.items():
                if p is not None:
                    out[f"{mod_name}.{name}" if mod_name else name] = p.data.copy()
            for name, b in m._buffers.items():
                if b is not None:
                    out[f"{mod_name}.{name}" if mod_name else name] = np.array(b, copy=True)
        return out

    def load_state_dict(self, state: dict, strict: bool = True):
        """Copy arrays into this module's parameters (in place, keeping their dtype).

        Raises :class:`StateDictError` naming every missing, unexpected or mis-shaped key
        (with ``strict=False`` missing/unexpected keys are returned instead).
        """
        targets = {}
        for mod_name, m in self.named_modules():
            for name in list(m._parameters) + list(m._buffers):
                targets[f"{mod_name}.{name}" if mod_name else name] = (m, name)
        missing = [k for k in targets if k not in state]
        unexpected = [k for k in state if k not in targets]
        wrong = []
        for key, (m, name) in targets.items():
            if key not in state:
                continue
            value = state[key]
            value = value.data if isinstance(value, Tensor) else np.asarray(value)
            current = m._parameters.get(name)
            cur_shape = current.shape if current is not None else np.shape(m._buffers[name])
            if tuple(value.shape) != tuple(cur_shape):
                wrong.append(f"{key} ({name} of {type(m).__name__}({m.extra_repr()})): "
                             f"expected shape {tuple(cur_shape)}, got {tuple(value.shape)}")
        problems = []
        if wrong:
            problems.append("mis-shaped: " + "; ".join(wrong))
        if strict and missing:
            problems.append("missing keys: " + ", ".join(missing))
        if strict and unexpected:
            problems.append("unexpected keys: " + ", ".join(unexpected))
        if problems:
            raise StateDictError(f"load_state_dict into {type(self).__name__}: "
                                 + " | ".join(problems))
        for key, (m, name) in targets.items():
            if key in state:
                value = state[key]
                value = value.data if isinstance(value, Tensor) else np.asarray(value)
                p = m._parameters.get(name)
                if p is not None:
                    p.data = value.astype(p.data.dtype, copy=True)
                else:
                    m.register_buffer(name, np.array(value, copy=True))
        return {"missing_keys": missing, "unexpected_keys": unexpected}

    def to(self, dtype) -> Module:
        """Cast every parameter to ``dtype`` (float32 / float64), in place."""
        for p in self.parameters():
            p.data = p.data.astype(dtype)
            p.grad = None
        return self

    def double(self) -> Module:
        return self.to(np.float64)

    def float(self) -> Module:
        return self.to(np.float32)

    # ----- calling and printing ---------------------------------------------------------
    def forward(self, *args, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__}({self.extra_repr()}"]
        children = [(n, m) for n, m in self._modules.items() if m is not None]
        if not children:
            return lines[0] + ")"
        lines[0] = f"{type(self).__name__}("
        if self.extra_repr():
            lines.append("  " + self.extra_repr())
        for name, m in children:
            sub = repr(m).replace("\n", "\n  ")
            lines.append(f"  ({name}): {sub}")
        lines.append(")")
        return "\n".join(lines)

    def summary(self) -> str:
        """The module tree followed by its parameter counts."""
        total = self.num_parameters()
        trainable = self.num_parameters(trainable_only=True)
        return f"{self!r}\nparameters: {total:,} ({trainable:,} trainable)"
