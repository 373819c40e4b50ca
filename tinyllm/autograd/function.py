"""``Function``: one node of the graph — a forward formula and its derivative.

Every op in :mod:`tinyllm.ops` subclasses :class:`Function` and writes two static methods,
as in ``torch.autograd.Function``::

    forward(ctx, *arrays, **options) -> array or tuple of arrays
    backward(ctx, *grads)            -> one gradient (or None) per positional input

Tensors are passed positionally; options (axes, flags, constants) are passed as keyword
arguments and get no gradient. ``forward`` sees plain ``np.ndarray``s (tensors are
unwrapped), so the math reads like the formula. ``ctx`` carries what the derivative
needs (``ctx.save_for_backward``) and what ``apply`` learned about the inputs
(``ctx.needs_input_grad``).

Every subclass is recorded in :data:`REGISTRY` by name, so that the test suite and the
``tinyllm gradcheck`` command can check each one.
"""

from __future__ import annotations

import time

import numpy as np

from .grad_mode import is_grad_enabled
from .tensor import Tensor

#: name -> Function subclass, filled automatically by ``__init_subclass__``.
REGISTRY: dict[str, type] = {}

#: set by :mod:`tinyllm.profiler` while a profile is recording; None otherwise.
PROFILE_HOOK = None


class BufferFreedError(RuntimeError):
    """Raised when a backward pass needs arrays that an earlier backward already freed."""


class Context:
    """The node of the graph: which function ran, on which tensors, and what it saved."""

    __slots__ = ("fn", "parents", "needs_input_grad", "out_meta", "_saved", "_freed", "__dict__")

    def __init__(self, fn, parents, needs_input_grad):
        self.fn = fn
        self.parents = parents  # one entry per positional input: Tensor or None
        self.needs_input_grad = needs_input_grad
        self.out_meta = ()  # (shape, dtype) of each output, to make zero grads
        self._saved = ()
        self._freed = False

    def save_for_backward(self, *arrays) -> None:
        self._saved = arrays

    @property
    def saved(self) -> tuple:
        if self._freed:
            raise BufferFreedError(
                f"{self.fn.__name__}.backward: the arrays saved for backward were already "
                "freed by an earlier backward() through this graph. Call "
                "backward(retain_graph=True) the first time if you need to go through it twice."
            )
        return self._saved

    def free(self) -> None:
        """Drop saved arrays (and any extra attributes) once backward has used them."""
        self._saved = ()
        self.__dict__.clear()
        self._freed = True


class Function:
    """Base class of every differentiable op."""

    #: False for ops with no derivative (argmax, comparisons); they skip the gradcheck test
    differentiable = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        REGISTRY[cls.__name__] = cls

    @staticmethod
    def forward(ctx, *args, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grads):  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run ``forward`` on unwrapped arrays and, if any input needs a gradient, record
        a node so that ``backward`` can run later. Returns a Tensor (or a tuple of them)."""
        arrays = [a.data if isinstance(a, Tensor) else a for a in args]
        needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        record = cls.differentiable and is_grad_enabled() and any(needs)
        ctx = Context(cls, None, needs)
        hook = PROFILE_HOOK
        if hook is None:
            out = cls.forward(ctx, *arrays, **kwargs)
        else:
            t0 = time.perf_counter()
            out = cls.forward(ctx, *arrays, **kwargs)
            hook(cls.__name__, "forward", time.perf_counter() - t0)
        multi = isinstance(out, tuple)
        outs = out if multi else (out,)
        tensors = tuple(Tensor(np.asarray(o)) for o in outs)
        if record:
            ctx.parents = tuple(a if isinstance(a, Tensor) and a.requires_grad else None
                                for a in args)
            ctx.out_meta = tuple((t.data.shape, t.data.dtype) for t in tensors)
            for i, t in enumerate(tensors):
                if t.data.dtype.kind == "f":
                    t.requires_grad = True
                    t._ctx = ctx
                    t._out_index = i
        return tensors if multi else tensors[0]
