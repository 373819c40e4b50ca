"""Check an analytic backward against central finite differences, in float64.

For an input x and a function f, the numerical derivative of each element is

    ∂f/∂xᵢ ≈ (f(x + ε·eᵢ) − f(x − ε·eᵢ)) / (2ε)          (error O(ε²))

A non-scalar output y is reduced to a scalar by a fixed random projection L = Σ r ⊙ y,
so one backward with grad r checks the whole Jacobian-vector product at once.
An element passes when |analytic − numeric| ≤ atol + rtol·|numeric| (like ``np.allclose``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .grad_mode import enable_grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """Raised by ``gradcheck(..., raise_exception=True)`` when a gradient is wrong."""


@dataclass
class InputReport:
    index: int
    shape: tuple
    max_abs_err: float
    max_rel_err: float
    passed: bool


@dataclass
class GradcheckReport:
    """What ``gradcheck`` found, one row per input that requires grad."""

    name: str
    inputs: list = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.inputs)

    def __bool__(self) -> bool:
        return self.passed

    def table(self) -> str:
        lines = [f"gradcheck {self.name}",
                 f"{'input':>5}  {'shape':<16} {'max abs err':>12} {'max rel err':>12}  ok"]
        for r in self.inputs:
            lines.append(f"{r.index:>5}  {str(r.shape):<16} {r.max_abs_err:12.3e} "
                         f"{r.max_rel_err:12.3e}  {'yes' if r.passed else 'NO'}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def _as_float64_leaf(x) -> Tensor:
    if isinstance(x, Tensor):
        if x.data.dtype.kind == "f":
            return Tensor(x.data.astype(np.float64), requires_grad=x.requires_grad)
        return x  # ids, masks: passed through, never perturbed
    arr = np.asarray(x)
    if arr.dtype.kind == "f":
        return Tensor(arr.astype(np.float64), requires_grad=True)
    return Tensor(arr)


def gradcheck(fn, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = False, seed: int = 0, name: str | None = None
              ) -> GradcheckReport:
    """Compare ``fn``'s backward with central differences for every input needing grad.

    ``fn`` takes the tensors in ``inputs`` (floating inputs are converted to float64
    copies; tensors with ``requires_grad=False`` and integer tensors are constants) and
    returns a Tensor. Returns a :class:`GradcheckReport`; with ``raise_exception=True`` a
    failing check raises :class:`GradcheckError` with the report's table.
    """
    if not isinstance(inputs, (list, tuple)):
        inputs = [inputs]
    xs = [_as_float64_leaf(x) for x in inputs]
    if not any(x.requires_grad for x in xs):
        raise ValueError("gradcheck: no input requires grad — nothing to check")

    with enable_grad():
        out = fn(*xs)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(out).__name__}")
    if out.data.dtype != np.float64:
        raise TypeError(f"gradcheck: fn returned {out.data.dtype}; it must compute in float64")
    r = np.random.default_rng(seed).standard_normal(out.shape)

    def projected(*args) -> float:
        with enable_grad():
            return float(np.sum(r * fn(*args).data))

    for x in xs:
        x.grad = None
    out.backward(r)

    report = GradcheckReport(name or getattr(fn, "__name__", "fn"))
    for i, x in enumerate(xs):
        if not x.requires_grad:
            continue
        analytic = x.grad if x.grad is not None else np.zeros_like(x.data)
        numeric = np.zeros_like(x.data)
        flat = x.data.reshape(-1)  # a view: perturbing it perturbs x
        num_flat = numeric.reshape(-1)
        for j in range(flat.size):
            orig = flat[j]
            flat[j] = orig + eps
            f_plus = projected(*xs)
            flat[j] = orig - eps
            f_minus = projected(*xs)
            flat[j] = orig
            num_flat[j] = (f_plus - f_minus) / (2 * eps)
        abs_err = np.abs(analytic - numeric)
        rel_err = abs_err / np.maximum(np.abs(numeric), 1e-12)
        ok = bool(np.all(abs_err <= atol + rtol * np.abs(numeric)))
        report.inputs.append(InputReport(
            i, x.shape, float(abs_err.max(initial=0.0)),
            float(np.where(abs_err == 0, 0.0, rel_err).max(initial=0.0)), ok))
    if raise_exception and not report.passed:
        raise GradcheckError("gradient check failed\n" + report.table())
    return report
