"""The backward pass: order, accumulation, memory, deep graphs, modes, dtypes."""

import sys

import numpy as np
import pytest

import tinyllm as tl
from tinyllm.autograd import BufferFreedError


def test_chain_rule_by_hand():
    # L = sum(tanh(w·x)) → dL/dw = (1 − tanh²(w·x))·x
    x = np.array([0.5, -1.0, 2.0])
    w = tl.tensor(np.array([0.3, 0.2, -0.1]), requires_grad=True)
    (w * tl.tensor(x)).tanh().sum().backward()
    np.testing.assert_allclose(w.grad, (1 - np.tanh(w.data * x) ** 2) * x, rtol=1e-12)


def test_gradient_accumulates_over_uses():
    x = tl.tensor(np.array([2.0, 3.0]), requires_grad=True)
    y = x * x + x * 3.0 + x  # dy/dx = 2x + 4
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [8.0, 10.0])
    # a second backward adds to .grad, as in PyTorch
    (x * 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [9.0, 11.0])


def test_diamond_graph_runs_each_node_once_with_full_gradient():
    x = tl.tensor(np.array([1.5]), requires_grad=True)
    a = x.exp()
    b = a * a          # both branches use a
    c = a + b
    c.backward(np.ones(1))
    e = np.exp(1.5)
    np.testing.assert_allclose(x.grad, [e + 2 * e * e], rtol=1e-12)


def test_100k_node_chain_does_not_hit_the_recursion_limit():
    x = tl.tensor(np.array([1.0]), requires_grad=True)
    y = x
    n = 100_000
    for _ in range(n):
        y = y + 1e-6
    assert n > sys.getrecursionlimit()
    y.sum().backward()
    assert x.grad[0] == 1.0
    assert y.data[0] == pytest.approx(1.1, rel=1e-9)


def test_saved_arrays_are_freed_and_second_backward_explains():
    x = tl.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = (x.exp() * x).sum()
    node = y._ctx
    y.backward()
    assert node._freed
    with pytest.raises(BufferFreedError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_two_backwards():
    x = tl.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.copy()
    y.backward()
    np.testing.assert_allclose(x.grad, 2 * first)


def test_backward_on_non_scalar_needs_grad():
    x = tl.tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"shape \(2, 3\)"):
        (x * 2.0).backward()
    (x * 2.0).backward(np.ones((2, 3)))
    np.testing.assert_array_equal(x.grad, 2 * np.ones((2, 3)))


def test_backward_without_grad_inputs_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        tl.tensor(np.ones(2)).sum().backward()


def test_no_grad_records_nothing():
    x = tl.tensor(np.ones(3), requires_grad=True)
    with tl.no_grad():
        y = x * 2.0
    assert not y.requires_grad and y._ctx is None
    assert tl.is_grad_enabled()

    @tl.no_grad()
    def f(t):
        return t * 3.0
    assert not f(x).requires_grad


def test_dtype_policy():
    assert tl.tensor([1.0, 2.0]).dtype == np.float32          # Python floats → float32
    assert tl.tensor(np.ones(2)).dtype == np.float64          # float64 arrays are kept
    assert tl.tensor([1, 2]).dtype.kind == "i"                # ids stay integers
    x = tl.tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    y = (x * 2.5).sum()                                       # Python scalar keeps float32
    assert y.dtype == np.float32
    y.backward()
    assert x.grad.dtype == np.float32
    with pytest.raises(TypeError, match="floating-point"):
        tl.tensor([1, 2], requires_grad=True)


def test_mixed_precision_promotes_and_grads_keep_input_dtype():
    a = tl.tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    b = tl.tensor(np.ones((3, 2)), requires_grad=True)
    out = a @ b
    assert out.dtype == np.float64
    out.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64


def test_detach_item_numpy():
    x = tl.tensor(np.array([3.0]), requires_grad=True)
    d = (x * 2.0).detach()
    assert not d.requires_grad and d._ctx is None
    assert d.item() == 6.0 and d.numpy() is d.data


def test_retain_grad_on_intermediate():
    x = tl.tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = x * 3.0
    h.retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad, 2 * h.data)


def test_manual_seed_repeats_random_draws():
    tl.manual_seed(123)
    a = tl.randn(3).data
    m1 = tl.functional.dropout(tl.tensor(np.ones(50)), 0.5).data
    tl.manual_seed(123)
    np.testing.assert_array_equal(tl.randn(3).data, a)
    np.testing.assert_array_equal(tl.functional.dropout(tl.tensor(np.ones(50)), 0.5).data, m1)
    state = tl.get_rng_state()
    r1 = tl.get_rng().random(4)
    tl.set_rng_state(state)
    np.testing.assert_array_equal(tl.get_rng().random(4), r1)
