"""Every registered Function has a float64 gradcheck case, and every case passes."""

import numpy as np
import pytest

import tinyllm as tl
from tinyllm.autograd import REGISTRY
from tinyllm.ops.cases import CASES
from tinyllm.ops.gradcheck_cli import load_all_ops

load_all_ops()


def test_every_function_has_a_case():
    missing = sorted(n for n, f in REGISTRY.items() if f.differentiable and n not in CASES)
    assert missing == [], f"Functions without a gradcheck case: {missing}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck_case(name):
    for builder in CASES[name]:
        fn, inputs = builder()
        report = tl.gradcheck(fn, inputs, name=name)
        assert report.passed, report.table()
        # the check is real: every input was compared, in float64, with a tiny error
        assert report.inputs and max(r.max_abs_err for r in report.inputs) < 1e-6


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_gradcheck_under_both_backends(backend):
    """Switching kernels changes speed, never gradients."""
    with tl.use_backend(backend):
        for name in ("CrossEntropy", "LayerNorm", "GELU", "Embedding",
                     "ScaledDotProductAttention", "LSTM", "MatMul"):
            for builder in CASES[name]:
                fn, inputs = builder()
                assert tl.gradcheck(fn, inputs).passed, name


def test_gradcheck_catches_a_wrong_backward():
    """A Function whose backward is deliberately wrong must fail the check."""

    class WrongSquare(tl.Function):
        differentiable = False  # keep it out of the registry test

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved
            return g * x  # should be 2·x·g

    WrongSquare.differentiable = True
    x = tl.tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    report = tl.gradcheck(lambda t: WrongSquare.apply(t), [x])
    assert not report.passed
    assert report.inputs[0].max_abs_err == pytest.approx(3.0 * 1.0, rel=0.7)
    with pytest.raises(tl.GradcheckError, match="max abs err"):
        tl.gradcheck(lambda t: WrongSquare.apply(t), [x], raise_exception=True)
    del REGISTRY["WrongSquare"]
