"""Gradient utilities."""

from __future__ import annotations

import numpy as np


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0) -> float:
    """Scale all gradients so their joint norm is at most ``max_norm``; return the norm
    before clipping. ‖g‖ = (Σ over every gradient element |g|^p)^(1/p)."""
    params = [p for p in parameters if p.grad is not None]
    if not params:
        return 0.0
    if norm_type == float("inf"):
        total = max(float(np.max(np.abs(p.grad))) for p in params)
    elif norm_type == 2.0:  # the common case: Σ g² as dot products, no temporaries
        total = float(sum(float(np.vdot(p.grad, p.grad)) for p in params)) ** 0.5
    else:
        total = float(sum(float(np.sum(np.abs(p.grad) ** norm_type)) for p in params)
                      ** (1.0 / norm_type))
    if not np.isfinite(total):
        raise FloatingPointError(f"clip_grad_norm_: the gradient norm is {total} (NaN or inf "
                                 "in a gradient)")
    coef = max_norm / (total + 1e-6)
    if coef < 1.0:
        for p in params:
            p.grad *= coef
    return total


def functional_call(module, params: dict, args=(), kwargs=None):
    """Call ``module(*args, **kwargs)`` with some parameters temporarily replaced.

    ``params`` maps dotted names (as in ``named_parameters()``) to tensors. The module's own
    parameters are put back afterwards, even if the call raises. This is what lets
    :func:`tinyllm.gradcheck` perturb a layer's weights: pass them as inputs and call
    ``functional_call(layer, dict(zip(names, tensors)), (x,))``.
    """
    owners = dict(module.named_modules())
    targets = []
    for name, value in params.items():
        mod_name, _, pname = name.rpartition(".")
        owner = owners.get(mod_name)
        if owner is None or pname not in owner._parameters:
            raise ValueError(f"functional_call: {type(module).__name__} has no parameter "
                             f"{name!r}")
        targets.append((owner, pname, value))
    swapped = []
    try:
        for owner, pname, value in targets:
            swapped.append((owner, pname, owner._parameters[pname]))
            owner._parameters[pname] = value
            object.__setattr__(owner, pname, value)
        return module(*args, **(kwargs or {}))
    finally:
        for owner, pname, old in reversed(swapped):
            owner._parameters[pname] = old
            object.__setattr__(owner, pname, old)


def gradcheck_module(module, *inputs, kwargs=None, output=None, **gradcheck_kwargs):
    """Gradcheck a whole layer in float64: its floating inputs AND every trainable parameter.

    ``module`` must already be float64 (``module.double()``) and deterministic (dropout
    p = 0 or ``eval()``). Floating ``inputs`` are checked; integer ones (token ids) and
    ``kwargs`` (masks, flags) are passed unchanged. ``output`` maps the module's result to
    the tensor to check (default: the result itself, or its first element for a tuple).
    Returns the :class:`~tinyllm.autograd.gradcheck.GradcheckReport`; inputs come first,
    then parameters in ``named_parameters()`` order.
    """
    from ..autograd.gradcheck import gradcheck

    named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
    bad = [n for n, p in named if p.dtype != np.float64]
    if bad:
        raise TypeError(f"gradcheck_module: parameters {bad} of {type(module).__name__} are "
                        "not float64; call module.double() first")
    names = [n for n, _ in named]
    n_in = len(inputs)

    def pick(out):
        if output is not None:
            return output(out)
        return out[0] if isinstance(out, tuple) else out

    def fn(*tensors):
        params = dict(zip(names, tensors[n_in:]))
        return pick(functional_call(module, params, tensors[:n_in], kwargs))

    return gradcheck(fn, [*inputs, *(p for _, p in named)], **gradcheck_kwargs)
