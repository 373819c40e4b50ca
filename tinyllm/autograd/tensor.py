"""``Tensor``: an ``np.ndarray`` plus the bookkeeping reverse-mode autograd needs.

A tensor made by the user is a *leaf*; a tensor returned by an op remembers the node
(``_ctx``) that made it, and which of that node's outputs it is (``_out_index``).
``backward()`` hands the whole graph to :mod:`tinyllm.autograd.engine`.

Operators (``+``, ``@``, ``.sum()`` …) are attached by :mod:`tinyllm.ops` when the
package is imported, so this file never imports the ops (the arrows point down only).
"""

from __future__ import annotations

import numbers

import numpy as np

DEFAULT_FLOAT = np.float32


def _to_array(data, dtype=None) -> np.ndarray:
    """Convert user data to an ndarray with tinyllm's dtype policy.

    Python floats and lists of floats become float32 (the default dtype); an ndarray that
    already is float64 stays float64 (gradchecks need it); integer and bool data keep
    their kind (token ids, masks).
    """
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        return np.asarray(data, dtype=dtype)
    if isinstance(data, np.ndarray):
        arr = data
    elif isinstance(data, np.generic):
        arr = np.asarray(data)
    else:
        arr = np.asarray(data)
        if arr.dtype == np.float64:  # came from Python floats: use the default dtype
            arr = arr.astype(DEFAULT_FLOAT)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"tensor: unsupported dtype {arr.dtype} (expected float, int or bool data)")
    if arr.dtype == np.float16:
        arr = arr.astype(np.float32)
    return arr


class Tensor:
    """A multi-dimensional array that can record the operations applied to it.

    Attributes
    ----------
    data : np.ndarray          the values
    grad : np.ndarray | None   d(loss)/d(self), filled by ``backward()`` on leaves
    requires_grad : bool       whether gradients flow to (and through) this tensor
    """

    __slots__ = ("data", "grad", "requires_grad", "_ctx", "_out_index", "_retains_grad",
                 "name", "__weakref__")
    __array_priority__ = 1000  # so that ndarray + Tensor calls Tensor.__radd__

    def __init__(self, data, requires_grad: bool = False, dtype=None, name: str | None = None):
        self.data = _to_array(data, dtype)
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(
                f"tensor: only floating-point tensors can require gradients, got {self.data.dtype}"
            )
        self.grad: np.ndarray | None = None
        self.requires_grad = bool(requires_grad)
        self._ctx = None
        self._out_index = 0
        self._retains_grad = False
        self.name = name

    # ----- array-like properties -------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def is_leaf(self) -> bool:
        return self._ctx is None

    def __len__(self) -> int:
        return len(self.data)

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self.data

    def item(self):
        if self.data.size != 1:
            raise ValueError(f"item(): only one-element tensors convert to a scalar, "
                             f"got shape {self.shape}")
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def detach(self) -> Tensor:
        """Same values, cut from the graph."""
        return Tensor(self.data)

    def astype(self, dtype) -> Tensor:
        """A copy with another dtype, cut from the graph (use for ids/masks, not weights)."""
        return Tensor(self.data.astype(dtype))

    def float(self) -> Tensor:
        return self.astype(np.float32)

    def double(self) -> Tensor:
        return self.astype(np.float64)

    def requires_grad_(self, flag: bool = True) -> Tensor:
        if flag and self.data.dtype.kind != "f":
            raise TypeError(f"requires_grad_: dtype {self.data.dtype} cannot require gradients")
        self.requires_grad = bool(flag)
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after ``backward()`` (for inspection)."""
        self._retains_grad = True

    def zero_grad(self) -> None:
        self.grad = None

    def backward(self, grad=None, retain_graph: bool = False) -> None:
        """Back-propagate from this tensor: fill ``.grad`` of every leaf that needs one.

        ``grad`` is d(something)/d(self); it may be omitted only for a one-element tensor
        (the loss), where it is 1.
        """
        from .engine import backward  # local import: engine imports Tensor

        backward(self, grad, retain_graph=retain_graph)

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=4, separator=", ", threshold=20)
        extra = ", requires_grad=True" if self.requires_grad else ""
        if self._ctx is not None:
            extra = f", grad_fn={self._ctx.fn.__name__}"
        return f"tensor({body}, dtype={self.data.dtype}{extra})"

    def __bool__(self):
        if self.data.size != 1:
            raise ValueError("the truth value of a multi-element tensor is ambiguous")
        return bool(self.data)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)


def tensor(data, requires_grad: bool = False, dtype=None) -> Tensor:
    """Make a leaf tensor from a *copy* of ``data`` (like ``torch.tensor``), so training
    never writes into the caller's array: ``tl.tensor(np.ones((2, 3)), requires_grad=True)``.
    ``Tensor(array)`` wraps the array without copying."""
    t = Tensor(data, requires_grad=requires_grad, dtype=dtype)
    if isinstance(data, (np.ndarray, Tensor)) and np.shares_memory(t.data, np.asarray(data)):
        t.data = t.data.copy()
    return t


def as_tensor(x, like: Tensor | None = None) -> Tensor:
    """Wrap constants (Python numbers, arrays) so ops see only tensors.

    A Python number takes the dtype of ``like`` so that ``x * 2.0`` stays float32.
    """
    if isinstance(x, Tensor):
        return x
    if isinstance(x, numbers.Number) and like is not None and like.data.dtype.kind == "f":
        return Tensor(np.asarray(x, dtype=like.data.dtype))
    return Tensor(x)


def zeros(*shape, dtype=DEFAULT_FLOAT, requires_grad=False) -> Tensor:
    shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    return Tensor(np.zeros(shape, dtype=dtype), requires_grad=requires_grad)


def ones(*shape, dtype=DEFAULT_FLOAT, requires_grad=False) -> Tensor:
    shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    return Tensor(np.ones(shape, dtype=dtype), requires_grad=requires_grad)


def randn(*shape, dtype=DEFAULT_FLOAT, requires_grad=False) -> Tensor:
    from ..rng import get_rng

    shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    return Tensor(get_rng().standard_normal(shape).astype(dtype), requires_grad=requires_grad)


def arange(*args, dtype=np.int64) -> Tensor:
    return Tensor(np.arange(*args, dtype=dtype))
