"""Binary ops under broadcasting, shapes drawn by hypothesis: gradients sum back right."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinyllm as tl

OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a ** b,
}


@settings(max_examples=25, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                min_side=1, max_side=3),
       op=st.sampled_from(sorted(OPS)), seed=st.integers(0, 2**16))
def test_broadcast_binary_gradcheck(shapes, op, seed):
    rng = np.random.default_rng(seed)
    sa, sb = shapes.input_shapes
    a = rng.uniform(0.5, 1.5, sa)  # positive: valid for pow and away from div-by-0
    b = rng.uniform(0.5, 1.5, sb)
    ta = tl.tensor(a, requires_grad=True)
    tb = tl.tensor(b, requires_grad=True)
    out = OPS[op](ta, tb)
    assert out.shape == shapes.result_shape
    report = tl.gradcheck(OPS[op], [ta, tb])
    assert report.passed, report.table()


@settings(max_examples=20, deadline=None)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
       data=st.data())
def test_reductions_any_axis(shape, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    keepdims = data.draw(st.booleans())
    x = np.random.default_rng(1).standard_normal(shape)
    for name in ("sum", "mean", "max"):
        fn = lambda t, n=name: getattr(t, n)(axis=axis, keepdims=keepdims)  # noqa: E731
        expected = getattr(np, name)(x, axis=axis, keepdims=keepdims)
        np.testing.assert_allclose(fn(tl.tensor(x)).data, expected)
        assert tl.gradcheck(fn, [tl.tensor(x, requires_grad=True)]).passed
