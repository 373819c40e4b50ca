"""L1 and L2 penalties, added to the loss (the book's regularisation advice, §3).

Weight decay inside an optimizer and a penalty in the loss are two ways to say the same
thing for plain SGD: ``SGD(weight_decay=λ)`` takes the same steps as adding
``l2_penalty(params, λ/2)`` to the loss. (For Adam they differ — that is why AdamW exists.)
"""

from __future__ import annotations

from ..autograd.tensor import Tensor


def _params(params, fn: str) -> list:
    ps = [params] if isinstance(params, Tensor) else list(params)
    if not ps:
        raise ValueError(f"{fn}: got no parameters")
    for p in ps:
        if not isinstance(p, Tensor):
            raise TypeError(f"{fn}: params must be tensors (e.g. model.parameters()), got "
                            f"{type(p).__name__}")
    return ps


def l1_penalty(params, coeff: float = 1.0) -> Tensor:
    """λ·Σᵢ|wᵢ| over every parameter; its gradient is λ·sign(w) (pushes weights to 0)."""
    total = None
    for p in _params(params, "l1_penalty"):
        term = p.abs().sum()
        total = term if total is None else total + term
    return total * coeff


def l2_penalty(params, coeff: float = 1.0) -> Tensor:
    """λ·Σᵢ wᵢ² over every parameter; its gradient is 2λ·w (shrinks large weights)."""
    total = None
    for p in _params(params, "l2_penalty"):
        term = (p * p).sum()
        total = term if total is None else total + term
    return total * coeff
