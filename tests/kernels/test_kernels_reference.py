"""NumPy reference kernels against straightforward formulas and finite differences.

These run on the numpy backend; the numba twins are held to these references by
test_kernels_parity.py.
"""

import math

import numpy as np
import pytest

import tinyllm.kernels as K
from tinyllm.kernels import reference as R


@pytest.fixture(autouse=True)
def _numpy_backend():
    with K.use_backend("numpy"):
        yield


def numgrad(f, x, eps=1e-6):
    """Central differences of the scalar f() with respect to array x (modified in place)."""
    g = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        idx = it.multi_index
        old = x[idx]
        x[idx] = old + eps
        fp = f()
        x[idx] = old - eps
        fm = f()
        x[idx] = old
        g[idx] = (fp - fm) / (2 * eps)
    return g


rng = np.random.default_rng(1)


def test_softmax_matches_loop_and_is_stable():
    x = rng.normal(size=(4, 7))
    want = np.array([[math.exp(v) / sum(math.exp(u) for u in row) for v in row] for row in x])
    np.testing.assert_allclose(K.softmax(x), want, rtol=1e-13)
    big = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4]])
    p = K.softmax(big)
    np.testing.assert_allclose(p, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]], atol=1e-15)
    ls = K.log_softmax(big)
    np.testing.assert_allclose(ls[0], [0.0, -1e4, -2e4])
    np.testing.assert_allclose(ls[1], [-math.log(3)] * 3, rtol=1e-15)
    assert K.softmax(x.astype(np.float32)).dtype == np.float32


def test_cross_entropy_forward_hand_values():
    logits = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 1.0]])
    targets = np.array([0, 1, 1])
    loss, probs = K.cross_entropy_forward(logits, targets, -100, 0.0)
    np.testing.assert_allclose(loss, [math.log(2), math.log(1 + math.e**2), math.log(2)])
    np.testing.assert_allclose(probs.sum(1), 1.0)
    # label smoothing 0.2 on row 1: 0.8·(lse − 0) + 0.2·(lse − mean(2, 0))
    loss_s, _ = K.cross_entropy_forward(logits, targets, -100, 0.2)
    lse = math.log(1 + math.e**2)
    assert loss_s[1] == pytest.approx(0.8 * lse + 0.2 * (lse - 1.0), rel=1e-14)
    # ignored rows give 0
    loss_i, _ = K.cross_entropy_forward(logits, np.array([0, 1, 7]), 7, 0.0)
    assert loss_i[2] == 0.0 and loss_i[0] == pytest.approx(math.log(2))
    with pytest.raises(ValueError, match="targets"):
        K.cross_entropy_forward(logits, np.array([0, 2, 1]), -100, 0.0)


@pytest.mark.parametrize("smooth", [0.0, 0.3])
def test_cross_entropy_backward_is_gradient(smooth):
    logits = rng.normal(size=(5, 6))
    targets = np.array([0, 5, -1, 2, 2])
    w = rng.normal(size=5)

    def total():
        return float((K.cross_entropy_forward(logits, targets, -1, smooth)[0] * w).sum())

    _, probs = K.cross_entropy_forward(logits, targets, -1, smooth)
    got = K.cross_entropy_backward(probs, targets, w, -1, smooth)
    np.testing.assert_allclose(got, numgrad(total, logits), atol=1e-8)
    assert np.all(got[2] == 0)


def test_layer_norm_forward_and_backward():
    x = rng.normal(size=(4, 5)) * 3 + 1
    w, b = rng.normal(size=5), rng.normal(size=5)
    y, mean, rstd = K.layer_norm_forward(x, w, b, 1e-5)
    mu = x.mean(1, keepdims=True)
    var = ((x - mu) ** 2).mean(1, keepdims=True)
    np.testing.assert_allclose(y, (x - mu) / np.sqrt(var + 1e-5) * w + b, rtol=1e-13)
    np.testing.assert_allclose(rstd, 1 / np.sqrt(var[:, 0] + 1e-5), rtol=1e-14)
    r = rng.normal(size=x.shape)

    def total():
        return float((K.layer_norm_forward(x, w, b, 1e-5)[0] * r).sum())

    dx, dw, db = K.layer_norm_backward(r, x, w, mean, rstd)
    np.testing.assert_allclose(dx, numgrad(total, x), atol=1e-7)
    np.testing.assert_allclose(dw, numgrad(total, w), atol=1e-7)
    np.testing.assert_allclose(db, numgrad(total, b), atol=1e-7)
    dx0, dw0, db0 = K.layer_norm_backward(r, x, None, mean, rstd)
    assert dw0 is None and db0 is None
    np.testing.assert_allclose(dx0, K.layer_norm_backward(r, x, np.ones(5), mean, rstd)[0])


def test_erf_matches_math_erf():
    x = np.concatenate([np.linspace(-7, 7, 20001), np.geomspace(1e-300, 1e-2, 50)])
    want = np.array([math.erf(v) for v in x])
    got = R.erf(x)
    assert np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-300)) < 1e-15
    assert np.isnan(R.erf(np.array([np.nan]))[0])


@pytest.mark.parametrize("approx", ["none", "tanh"])
def test_gelu_values_and_gradient(approx):
    x = np.array([-3.0, -0.5, 0.0, 0.7, 2.0])
    y = K.gelu_forward(x, approx)
    if approx == "none":
        want = [0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x]
    else:
        want = [0.5 * v * (1 + math.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v**3)))
                for v in x]
    np.testing.assert_allclose(y, want, rtol=1e-14, atol=1e-300)
    r = rng.normal(size=5)
    g = K.gelu_backward(r, x, approx)
    np.testing.assert_allclose(g, numgrad(lambda: float((K.gelu_forward(x, approx) * r).sum()),
                                          x), atol=1e-8)
    with pytest.raises(ValueError, match="approximate"):
        K.gelu_forward(x, "fast")


def test_embedding_forward_backward():
    w = rng.normal(size=(6, 3))
    ids = np.array([[1, 4, 1], [0, 5, 1]])
    np.testing.assert_array_equal(K.embedding_forward(w, ids), w[ids])
    dout = rng.normal(size=(2, 3, 3))
    want = np.zeros((6, 3))
    np.add.at(want, ids, dout)
    np.testing.assert_allclose(K.embedding_backward(ids, dout, 6, None), want, rtol=1e-14)
    want[1] = 0
    np.testing.assert_allclose(K.embedding_backward(ids, dout, 6, 1), want, rtol=1e-14)
    np.testing.assert_allclose(K.embedding_backward(ids, dout, 6, -5), want, rtol=1e-14)
    with pytest.raises(ValueError, match="ids"):
        K.embedding_forward(w, np.array([6]))


def _lstm_naive(x, h, c, w_ih, w_hh, b):
    """One scalar-formula step at a time (the textbook loop)."""
    hid = h.shape[1]
    hs = []
    for t in range(x.shape[0]):
        z = x[t] @ w_ih.T + h @ w_hh.T + b
        sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
        i, f, g, o = (sig(z[:, :hid]), sig(z[:, hid:2 * hid]), np.tanh(z[:, 2 * hid:3 * hid]),
                      sig(z[:, 3 * hid:]))
        c = f * c + i * g
        h = o * np.tanh(c)
        hs.append(h)
    return np.stack(hs), c


def _lstm_inputs(t=4, b=3, i=2, h=5, dtype=np.float64):
    x = rng.normal(size=(t, b, i))
    h0, c0 = rng.normal(size=(b, h)), rng.normal(size=(b, h))
    w_ih, w_hh = rng.normal(size=(4 * h, i)) * 0.5, rng.normal(size=(4 * h, h)) * 0.5
    bias = rng.normal(size=4 * h) * 0.5
    return [a.astype(dtype) for a in (x, h0, c0, w_ih, w_hh, bias)]


def test_lstm_forward_matches_naive_and_backward_is_gradient():
    x, h0, c0, w_ih, w_hh, b = args = _lstm_inputs()
    hs, cs, gates = K.lstm_forward(*args)
    want_hs, want_c = _lstm_naive(*args)
    np.testing.assert_allclose(hs, want_hs, rtol=1e-13)
    np.testing.assert_allclose(cs[-1], want_c, rtol=1e-13)
    assert gates.shape == (4, 3, 20)
    r_hs, r_h, r_c = rng.normal(size=hs.shape), rng.normal(size=h0.shape), rng.normal(size=h0.shape)

    def total():
        hs_, cs_, _ = K.lstm_forward(x, h0, c0, w_ih, w_hh, b)
        return float((hs_ * r_hs).sum() + (hs_[-1] * r_h).sum() + (cs_[-1] * r_c).sum())

    grads = K.lstm_backward(r_hs, r_h, r_c, x, h0, c0, w_ih, w_hh, hs, cs, gates)
    for got, arr in zip(grads, (x, h0, c0, w_ih, w_hh, b)):
        np.testing.assert_allclose(got, numgrad(total, arr), atol=1e-7)


def _attn_naive(q, k, v, keep, scale):
    out = np.zeros(q.shape[:-1] + v.shape[-1:])
    for idx in np.ndindex(q.shape[:-2]):
        for i in range(q.shape[-2]):
            s = [scale * float(q[idx][i] @ k[idx][j]) for j in range(k.shape[-2])]
            w = [math.exp(sj) if keep[idx][i, j] else 0.0 for j, sj in enumerate(s)]
            tot = sum(w)
            if tot > 0:
                out[idx][i] = sum(wj / tot * v[idx][j] for j, wj in enumerate(w))
    return out


def test_attention_causal_mask_kv_cache_and_gradient():
    q, k, v = rng.normal(size=(2, 2, 3, 4)), rng.normal(size=(2, 2, 5, 4)), rng.normal(
        size=(2, 2, 5, 4))
    mask = rng.random((2, 1, 3, 5)) > 0.3
    mask[0, 0, 1] = False  # a fully masked row
    causal = np.arange(5)[None, :] <= np.arange(3)[:, None] + 2
    keep = np.broadcast_to(mask & causal, (2, 2, 3, 5))
    out, probs = K.attention_forward(q, k, v, mask, True, 0.5)
    np.testing.assert_allclose(out, _attn_naive(q, k, v, keep, 0.5), rtol=1e-12, atol=1e-14)
    assert np.all(out[0, :, 1] == 0) and np.all(probs[0, :, 1] == 0)
    # KV-cache decoding: the last query alone sees the same keys as in the full pass
    out_last, _ = K.attention_forward(q[..., 2:, :], k, v, None, True, 0.5)
    out_full, _ = K.attention_forward(q, k, v, None, True, 0.5)
    np.testing.assert_allclose(out_last[..., 0, :], out_full[..., 2, :], rtol=1e-13)
    r = rng.normal(size=out.shape)

    def total():
        return float((K.attention_forward(q, k, v, mask, True, 0.5)[0] * r).sum())

    dq, dk, dv = K.attention_backward(r, q, k, v, probs, 0.5)
    for got, arr in ((dq, q), (dk, k), (dv, v)):
        np.testing.assert_allclose(got, numgrad(total, arr), atol=1e-7)


@pytest.mark.parametrize("decoupled", [True, False])
def test_adam_update_one_step_by_hand(decoupled):
    p = np.array([1.0, -2.0])
    g = np.array([0.5, 0.25])
    m, v = np.zeros(2), np.zeros(2)
    K.adam_update(p, g, m, v, 1, 0.1, 0.9, 0.999, 1e-8, 0.01, decoupled)
    if decoupled:
        p0 = np.array([1.0, -2.0]) * (1 - 0.1 * 0.01)
        geff = g
    else:
        p0 = np.array([1.0, -2.0])
        geff = g + 0.01 * np.array([1.0, -2.0])
    # first step: m̂ = g, v̂ = g², so the step is lr·g/(|g| + eps) ≈ lr·sign(g)
    np.testing.assert_allclose(m, 0.1 * geff, rtol=1e-15)
    np.testing.assert_allclose(v, 0.001 * geff**2, rtol=1e-14)
    np.testing.assert_allclose(p, p0 - 0.1 * geff / (np.abs(geff) + 1e-8), rtol=1e-12)
    np.testing.assert_array_equal(g, [0.5, 0.25])  # the caller's gradient is untouched
    with pytest.raises(ValueError, match="contiguous"):
        K.adam_update(np.zeros((4, 4))[:, ::2], np.zeros((4, 2)), np.zeros((4, 2)),
                      np.zeros((4, 2)), 1, 0.1)


def test_matmul_tiled_reference():
    a, b = rng.normal(size=(130, 70)), rng.normal(size=(70, 65))
    np.testing.assert_allclose(K.matmul_tiled(a, b), a @ b, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(K.matmul(a[None], b), (a @ b)[None], rtol=1e-12)
    with pytest.raises(ValueError, match="inner"):
        K.matmul(a, a)


def test_backend_switching(monkeypatch):
    assert K.get_backend() == "numpy"
    with K.use_backend("numba") as name:
        assert name in ("numba", "numpy") and K.get_backend() == name
    assert K.get_backend() == "numpy"
    with pytest.raises(ValueError, match="backend"):
        K.set_backend("cuda")
    with pytest.raises(TypeError, match="float32 or float64"):
        K.softmax(np.arange(3))
