"""Ops that move values around without changing them: reshape, transpose, index, join.

Their derivatives route the gradient back to where each value came from.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function


class Reshape(Function):
    """out = x viewed with a new shape.   Backward: reshape g back to x's shape."""

    @staticmethod
    def forward(ctx, x, shape=()):
        ctx.shape = x.shape
        try:
            return x.reshape(shape)
        except ValueError:
            raise ValueError(f"reshape: cannot reshape a tensor of shape {x.shape} "
                             f"({x.size} elements) into {tuple(shape)}") from None

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape)


class Transpose(Function):
    """out = x with its axes permuted by ``axes``.   Backward: permute g by the inverse."""

    @staticmethod
    def forward(ctx, x, axes=None):
        if axes is None:
            axes = tuple(reversed(range(x.ndim)))
        axes = tuple(int(a) % max(x.ndim, 1) for a in axes)
        if sorted(axes) != list(range(x.ndim)):
            raise ValueError(
                f"transpose: axes {axes} are not a permutation of the {x.ndim} axes of a tensor "
                f"of shape {x.shape} (NumPy semantics; for PyTorch's transpose(a, b) use "
                "swapaxes(a, b))")
        ctx.inverse = tuple(np.argsort(axes))
        return np.transpose(x, axes)

    @staticmethod
    def backward(ctx, g):
        return np.transpose(g, ctx.inverse)


def _clean_index(index):
    """Tensors inside an index become arrays; everything else is NumPy indexing."""
    from ..autograd.tensor import Tensor

    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return index


def _is_basic(index) -> bool:
    """Basic indexing (ints, slices, None, ...) never selects an element twice."""
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (int, np.integer, slice))
               for i in items)


class GetItem(Function):
    """out = x[index].   Backward: a zero array with g added at the indexed places.

    Integer-array indexing may pick an element several times (x[[0, 0]]); each pick adds
    its share of the gradient, so the scatter uses an accumulating add.
    """

    @staticmethod
    def forward(ctx, x, index=None):
        index = _clean_index(index)
        try:
            out = x[index]
        except IndexError as e:
            raise IndexError(f"getitem: index {index!r} is invalid for a tensor of shape "
                             f"{x.shape}: {e}") from None
        ctx.index, ctx.shape, ctx.dtype = index, x.shape, x.dtype
        return np.array(out, copy=True) if np.shares_memory(out, x) else out

    @staticmethod
    def backward(ctx, g):
        grad = np.zeros(ctx.shape, dtype=g.dtype)
        if _is_basic(ctx.index):
            grad[ctx.index] = g
        else:
            np.add.at(grad, ctx.index, g)
        return grad


class Concatenate(Function):
    """out = [x₁ | x₂ | …] along ``axis``.   Backward: split g at the same boundaries."""

    @staticmethod
    def forward(ctx, *xs, axis=0):
        if not xs:
            raise ValueError("concatenate: need at least one tensor")
        try:
            out = np.concatenate(xs, axis=axis)
        except ValueError as e:
            shapes = [x.shape for x in xs]
            raise ValueError(f"concatenate: shapes {shapes} do not fit along axis {axis}: {e}") \
                from None
        ctx.axis = axis
        ctx.splits = np.cumsum([x.shape[axis] for x in xs])[:-1]
        return out

    @staticmethod
    def backward(ctx, g):
        return tuple(np.split(g, ctx.splits, axis=ctx.axis))


class Stack(Function):
    """out = the inputs stacked along a new ``axis``.   Backward: unstack g."""

    @staticmethod
    def forward(ctx, *xs, axis=0):
        if not xs:
            raise ValueError("stack: need at least one tensor")
        shapes = {x.shape for x in xs}
        if len(shapes) != 1:
            raise ValueError(f"stack: all tensors must have the same shape, got {sorted(shapes)}")
        out = np.stack(xs, axis=axis)
        ctx.axis = axis % out.ndim
        return out

    @staticmethod
    def backward(ctx, g):
        return tuple(np.moveaxis(g, ctx.axis, 0))
