"""Softmax, log-softmax, cross-entropy, BCE-with-logits and sigmoid stay exact at ±1e4."""

import numpy as np

import tinyllm as tl
from tinyllm import functional as F

BIG = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4 + 1.0]])


def test_softmax_and_log_softmax_extreme():
    s = F.softmax(tl.tensor(BIG)).data
    assert np.all(np.isfinite(s))
    np.testing.assert_allclose(s[0], [1.0, 0.0, 0.0])
    e = np.exp(1.0)
    np.testing.assert_allclose(s[1], [1 / (2 + e), 1 / (2 + e), e / (2 + e)], rtol=1e-12)
    ls = F.log_softmax(tl.tensor(BIG)).data
    np.testing.assert_allclose(ls[0], [0.0, -2e4, -1e4])
    np.testing.assert_allclose(ls[1, 2], -np.log1p(2 / e), rtol=1e-12)


def test_cross_entropy_extreme_logits_exact_and_gradient_finite():
    z = tl.tensor(BIG, requires_grad=True)
    loss = F.cross_entropy(z, np.array([1, 2]), reduction="none")
    # row 0: −log softmax at −1e4 when the max is 1e4 → 2e4 exactly
    np.testing.assert_allclose(loss.data, [2e4, np.log1p(2 / np.exp(1.0))], rtol=1e-12)
    loss.sum().backward()
    assert np.all(np.isfinite(z.grad))
    np.testing.assert_allclose(z.grad[0], [1.0, -1.0, 0.0])


def test_bce_with_logits_extreme():
    z = tl.tensor(np.array([1e4, -1e4, 1e4, -1e4]), requires_grad=True)
    y = np.array([1.0, 0.0, 0.0, 1.0])
    loss = F.binary_cross_entropy_with_logits(z, y, reduction="none")
    np.testing.assert_allclose(loss.data, [0.0, 0.0, 1e4, 1e4])
    loss.sum().backward()
    np.testing.assert_allclose(z.grad, [0.0, 0.0, 1.0, -1.0])


def test_sigmoid_extreme_no_overflow():
    with np.errstate(over="raise"):
        s = F.sigmoid(tl.tensor(np.array([1e4, -1e4, 0.0]))).data
    np.testing.assert_array_equal(s, [1.0, 0.0, 0.5])


def test_float32_cross_entropy_matches_float64():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((8, 11)) * 30
    t = rng.integers(0, 11, 8)
    l64 = F.cross_entropy(tl.tensor(z), t).item()
    l32 = F.cross_entropy(tl.tensor(z.astype(np.float32)), t).item()
    assert abs(l32 - l64) < 1e-4 * max(1, abs(l64))


def test_label_smoothing_and_ignore_index_values():
    z = np.array([[2.0, 0.0, -1.0], [0.5, 0.5, 0.5]])
    lsm = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    eps = 0.2
    expected_row0 = (1 - eps) * -lsm[0, 0] + eps * -lsm[0].mean()
    out = F.cross_entropy(tl.tensor(z), np.array([0, -100]), label_smoothing=eps)
    np.testing.assert_allclose(out.item(), expected_row0, rtol=1e-12)  # mean over 1 kept row
