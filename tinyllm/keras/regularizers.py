"""Weight penalties added to the training loss (``tinyllm.keras.regularizers``).

    l2(λ):     λ·Σ w²          (Keras' convention: no ½)
    l1(λ):     λ·Σ |w|
    l1_l2(l1, l2): both

The gradient of λ·Σw² is 2λ·w: each step pulls every weight towards zero a little,
which is what keeps a small model from memorising its training set.
"""

from __future__ import annotations

__all__ = ["Regularizer", "L1", "L2", "L1L2", "l1", "l2", "l1_l2", "get_regularizer"]


class Regularizer:
    def __call__(self, w):  # pragma: no cover - abstract
        raise NotImplementedError


class L1L2(Regularizer):
    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        if l1 < 0 or l2 < 0:
            raise ValueError(f"regularizer: l1 and l2 must be >= 0, got l1={l1}, l2={l2}")
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, w):
        """λ₁·Σ|w| + λ₂·Σw² as a scalar Tensor."""
        total = None
        if self.l1:
            total = w.abs().sum() * self.l1
        if self.l2:
            term = (w * w).sum() * self.l2
            total = term if total is None else total + term
        return total if total is not None else (w * 0.0).sum()

    def __repr__(self) -> str:
        return f"L1L2(l1={self.l1:g}, l2={self.l2:g})"


class L1(L1L2):
    def __init__(self, l1: float = 0.01):
        super().__init__(l1=l1)


class L2(L1L2):
    def __init__(self, l2: float = 0.01):
        super().__init__(l2=l2)


def l1(l1: float = 0.01) -> L1:  # noqa: E743 - Keras' name
    return L1(l1)


def l2(l2: float = 0.01) -> L2:
    return L2(l2)


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:
    return L1L2(l1, l2)


def get_regularizer(spec):
    """None, a Regularizer, or a name ("l1", "l2", "l1_l2") with Keras' default 0.01."""
    if spec is None or isinstance(spec, Regularizer):
        return spec
    if isinstance(spec, str) and spec in ("l1", "l2", "l1_l2"):
        return {"l1": l1, "l2": l2, "l1_l2": l1_l2}[spec]()
    raise ValueError(f"regularizer: expected None, 'l1', 'l2', 'l1_l2' or a Regularizer, got "
                     f"{spec!r}")
