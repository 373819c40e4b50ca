"""The backward pass: walk the graph from the loss to the leaves, applying the chain rule.

For a node y = f(x₁, …, xₙ) and a loss L, the chain rule gives
∂L/∂xᵢ = Σ_outputs (∂L/∂y)·(∂y/∂xᵢ); ``Function.backward`` computes exactly that product.

The walk is *iterative* (an explicit stack, no recursion), so a graph 100,000 nodes deep
back-propagates without hitting Python's recursion limit. Nodes run in reverse
topological order, so every gradient reaching a node is complete before it is used; a
tensor used twice gets the sum of both contributions. Each node frees its saved arrays
right after its backward (unless ``retain_graph=True``), which keeps peak memory down.
"""

from __future__ import annotations

import time

import numpy as np

from . import function as _function
from .tensor import Tensor


def _topological_order(root_ctx) -> list:
    """Nodes reachable from ``root_ctx``, each before every node that produced its inputs.

    An iterative post-order depth-first search: a node is appended only after all the
    nodes it depends on, so the reversed list puts every consumer before its producers.
    """
    order, visited = [], set()
    stack = [(root_ctx, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))  # appended once everything below it is done
        for parent in node.parents:
            if parent is not None and parent._ctx is not None and id(parent._ctx) not in visited:
                stack.append((parent._ctx, False))
    order.reverse()  # root first: consumers before producers
    return order


def _accumulate(store: dict, key, grad: np.ndarray) -> None:
    prev = store.get(key)
    store[key] = grad if prev is None else prev + grad


def backward(root: Tensor, grad=None, retain_graph: bool = False) -> None:
    """Back-propagate ``grad`` (default 1 for a scalar) from ``root`` to every leaf."""
    if not root.requires_grad:
        raise RuntimeError(
            "backward(): this tensor does not require grad — no input that it was computed "
            "from has requires_grad=True (or it was computed under no_grad())."
        )
    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"backward(): grad can be implicit only for a one-element output, but this "
                f"tensor has shape {root.shape}. Pass grad= (d something / d this tensor), "
                "or reduce it first, e.g. loss.sum().backward()."
            )
        grad = np.ones_like(root.data)
    else:
        grad = np.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=root.data.dtype)
        if grad.shape != root.shape:
            raise ValueError(f"backward(): grad has shape {grad.shape}, expected {root.shape}")

    if root._ctx is None:  # backward on a leaf: its gradient is the given one
        _accumulate_leaf(root, grad)
        return

    grads: dict = {(id(root._ctx), root._out_index): grad}
    hook = _function.PROFILE_HOOK  # set while a tinyllm.profiler.profile() is recording
    for node in _topological_order(root._ctx):
        if node._freed:
            raise _function.BufferFreedError(
                f"{node.fn.__name__}.backward: this graph was already back-propagated and its "
                "saved arrays freed. Call backward(retain_graph=True) the first time to go "
                "through it twice."
            )
        out_grads = []
        for i, (shape, dtype) in enumerate(node.out_meta):
            g = grads.pop((id(node), i), None)
            out_grads.append(np.zeros(shape, dtype=dtype) if g is None else g)
        if hook is None:
            in_grads = node.fn.backward(node, *out_grads)
        else:
            t0 = time.perf_counter()
            in_grads = node.fn.backward(node, *out_grads)
            hook(node.fn.__name__, "backward", time.perf_counter() - t0)
        if not isinstance(in_grads, tuple):
            in_grads = (in_grads,)
        if len(in_grads) > len(node.parents) and all(
                g is None for g in in_grads[len(node.parents):]):
            in_grads = in_grads[:len(node.parents)]  # trailing optional inputs not given
        if len(in_grads) != len(node.parents):
            raise RuntimeError(
                f"{node.fn.__name__}.backward returned {len(in_grads)} gradients for "
                f"{len(node.parents)} inputs"
            )
        for parent, g in zip(node.parents, in_grads):
            if parent is None or g is None:
                continue
            g = np.asarray(g)
            if g.shape != parent.data.shape:
                raise RuntimeError(
                    f"{node.fn.__name__}.backward produced a gradient of shape {g.shape} "
                    f"for an input of shape {parent.data.shape}"
                )
            if g.dtype != parent.data.dtype:
                g = g.astype(parent.data.dtype)
            if parent._ctx is None:
                _accumulate_leaf(parent, g)
            else:
                _accumulate(grads, (id(parent._ctx), parent._out_index), g)
                if parent._retains_grad:
                    parent.grad = g.copy() if parent.grad is None else parent.grad + g
        if not retain_graph:
            node.free()


def _accumulate_leaf(t: Tensor, g: np.ndarray) -> None:
    # Copy on first write: g may be a view of another tensor's array or a shared buffer.
    t.grad = np.array(g, copy=True) if t.grad is None else t.grad + g
