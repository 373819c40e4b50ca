"""Every Numba twin equals its NumPy reference.

Tolerance: float64 1e-10, float32 1e-5, relative to the largest magnitude in the
reference result (|got − want| ≤ tol·max(|want|) elementwise, plus the same relative
test per element), on random inputs with odd sizes (1, 7, 129) and non-contiguous views.
"""

import numpy as np
import pytest

import tinyllm.kernels as K

pytestmark = pytest.mark.skipif(not K.numba_available(), reason="numba not importable")

TOL = {np.float64: 1e-10, np.float32: 1e-5}
DTYPES = [np.float64, np.float32]
SIZES = [1, 7, 129]


def both(fn, *args):
    """Run kernel ``fn`` on both backends (fresh copies of the inputs each time)."""
    out = {}
    for name in ("numpy", "numba"):
        fresh = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
        with K.use_backend(name):
            out[name] = getattr(K, fn)(*fresh)
    return out["numba"], out["numpy"]


def close(got, want, dtype):
    if want is None:
        assert got is None
        return
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            close(g, w, dtype)
        return
    assert got.dtype == want.dtype == dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape
    tol = TOL[dtype]
    scale = float(np.max(np.abs(want))) if want.size else 0.0
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol * max(scale, 1e-30))


def noncontig(rng, shape, dtype, scale=1.0):
    """A strided view: every other element of the last axis of a bigger array."""
    big = rng.normal(size=shape[:-1] + (2 * shape[-1],)) * scale
    return big.astype(dtype)[..., ::2]


def arr(rng, shape, dtype, contiguous=True, scale=1.0):
    if contiguous:
        return (rng.normal(size=shape) * scale).astype(dtype)
    return noncontig(rng, shape, dtype, scale)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
def test_softmax_family(dtype, n):
    rng = np.random.default_rng(n)
    for contiguous in (True, False):
        x = arr(rng, (3, n, n + 2), dtype, contiguous, scale=5.0)
        close(*both("softmax", x), dtype)
        close(*both("log_softmax", x), dtype)
    x = np.array([[1e4, 0, -1e4], [-1e4, -1e4, 3]], dtype=dtype)
    close(*both("softmax", x), dtype)
    close(*both("log_softmax", x), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("smooth", [0.0, 0.1])
def test_cross_entropy(dtype, n, smooth):
    rng = np.random.default_rng(n)
    c = n + 6
    logits = arr(rng, (n, c), dtype, contiguous=n != 7, scale=3.0)
    targets = rng.integers(0, c, size=n)
    targets[::3] = -100
    fwd = both("cross_entropy_forward", logits, targets, -100, smooth)
    close(*fwd, dtype)
    probs = fwd[1][1]
    grad = arr(rng, (n,), dtype)
    close(*both("cross_entropy_backward", probs, targets, grad, -100, smooth), dtype)
    close(*both("cross_entropy_backward", probs[:, ::-1], targets, grad, -100, smooth), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("affine", [True, False])
def test_layer_norm(dtype, n, affine):
    rng = np.random.default_rng(n)
    d = {1: 1, 7: 13, 129: 129}[n]
    x = arr(rng, (n, d), dtype, contiguous=n != 129, scale=2.0) + 1
    w = arr(rng, (d,), dtype) if affine else None
    b = arr(rng, (d,), dtype) if affine else None
    fwd = both("layer_norm_forward", x, w, b, 1e-5)
    close(*fwd, dtype)
    _, mean, rstd = fwd[1]
    dy = arr(rng, (n, d), dtype, contiguous=False)
    close(*both("layer_norm_backward", dy, x, w, mean, rstd), dtype)
    x3 = arr(rng, (2, n, d), dtype)  # leading dims
    close(*both("layer_norm_forward", x3, w, b, 1e-5), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("approx", ["none", "tanh"])
def test_gelu(dtype, approx):
    rng = np.random.default_rng(3)
    for shape in ((1,), (7, 3), (129, 5)):
        for contiguous in (True, False):
            x = arr(rng, shape, dtype, contiguous, scale=3.0)
            close(*both("gelu_forward", x, approx), dtype)
            dy = arr(rng, shape, dtype)
            close(*both("gelu_backward", dy, x, approx), dtype)
    x = np.array([-40.0, -8.0, -1e-8, 0.0, 1e-8, 8.0, 40.0], dtype=dtype)
    close(*both("gelu_forward", x, approx), dtype)
    close(*both("gelu_backward", np.ones_like(x), x, approx), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
def test_embedding(dtype, n):
    rng = np.random.default_rng(n)
    w = arr(rng, (n + 3, 5), dtype, contiguous=n != 7)
    ids = rng.integers(0, n + 3, size=(2, n))
    close(*both("embedding_forward", w, ids), dtype)
    close(*both("embedding_forward", w, ids.T), dtype)  # non-contiguous ids
    dout = arr(rng, (2, n, 5), dtype, contiguous=False)
    for pad in (None, 0):
        close(*both("embedding_backward", ids, dout, n + 3, pad), dtype)


def lstm_args(rng, t, b, i, h, dtype, contiguous=True):
    return [
        arr(rng, (t, b, i), dtype, contiguous),
        arr(rng, (b, h), dtype, contiguous, 0.5), arr(rng, (b, h), dtype, True, 0.5),
        arr(rng, (4 * h, i), dtype, contiguous, 0.3), arr(rng, (4 * h, h), dtype, True, 0.3),
        arr(rng, (4 * h,), dtype, True, 0.3),
    ]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("t,b,i,h", [(1, 1, 1, 1), (7, 3, 7, 5), (5, 2, 3, 129), (129, 1, 2, 3)])
def test_lstm(dtype, t, b, i, h):
    rng = np.random.default_rng(t * 1000 + h)
    args = lstm_args(rng, t, b, i, h, dtype, contiguous=h != 5)
    fwd = both("lstm_forward", *args)
    close(*fwd, dtype)
    hs, cs, gates = fwd[1]
    dhs = arr(rng, (t, b, h), dtype, contiguous=False)
    dhT, dcT = arr(rng, (b, h), dtype), arr(rng, (b, h), dtype)
    x, h0, c0, w_ih, w_hh, _ = args
    close(*both("lstm_backward", dhs, dhT, dcT, x, h0, c0, w_ih, w_hh, hs, cs, gates), dtype)


def test_lstm_saturated_gates():
    """Huge pre-activations: sigmoid/tanh must saturate cleanly (no overflow, no NaN)."""
    rng = np.random.default_rng(0)
    args = lstm_args(rng, 4, 2, 3, 4, np.float64)
    args[3] *= 400.0
    got, want = both("lstm_forward", *args)
    assert np.all(np.isfinite(got[0]))
    close(got, want, np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("tq,tk", [(1, 1), (7, 7), (3, 129), (129, 129)])
@pytest.mark.parametrize("causal", [False, True])
def test_attention(dtype, tq, tk, causal):
    rng = np.random.default_rng(tq + tk)
    q = arr(rng, (2, 3, tq, 4), dtype, contiguous=tq != 7)
    k = arr(rng, (2, 3, tk, 4), dtype)
    v = arr(rng, (2, 3, tk, 4), dtype, contiguous=False)
    for mask in (None, rng.random((2, 1, tq, tk)) > 0.4):
        if mask is not None:
            mask[0, 0, 0] = False  # one row fully masked → zeros
        fwd = both("attention_forward", q, k, v, mask, causal, 0.37)
        close(*fwd, dtype)
        out, probs = fwd[1]
        assert np.all(np.isfinite(out))
        dout = arr(rng, out.shape, dtype, contiguous=False)
        close(*both("attention_backward", dout, q, k, v, probs, 0.37), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("b,t,h,d", [(1, 1, 1, 1), (2, 7, 3, 5), (3, 64, 4, 32), (1, 129, 2, 8)])
def test_qkv_attention(dtype, b, t, h, d):
    rng = np.random.default_rng(b * t + h * d)
    qkv = arr(rng, (b * t, 3 * h * d), dtype, contiguous=t != 7)
    for keep in (None, rng.random((b, t)) > 0.3):
        if keep is not None:
            keep[0, 0] = False      # query 0 of sequence 0 has no key at all → zeros
        fwd = both("qkv_attention_forward", qkv, h, t, keep, 0.37)
        close(*fwd, dtype)
        y, probs = fwd[1]
        assert np.all(np.isfinite(y))
        if keep is not None:
            assert not fwd[0][1][0, :, 0].any()
        dy = arr(rng, y.shape, dtype, contiguous=False)
        close(*both("qkv_attention_backward", dy, qkv, probs, h, t, 0.37), dtype)


def test_qkv_attention_equals_per_head_attention():
    """The fused-layout kernel is the plain causal attention of each head's q, k, v."""
    rng = np.random.default_rng(0)
    b, t, h, d = 2, 5, 3, 4
    qkv = rng.normal(size=(b * t, 3 * h * d))
    x = qkv.reshape(b, t, 3, h, d).transpose(2, 0, 3, 1, 4)
    want, _ = K.attention_forward(x[0], x[1], x[2], None, True, 0.5)
    for name in ("numpy", "numba"):
        with K.use_backend(name):
            y, _ = K.qkv_attention_forward(qkv, h, t, None, 0.5)
        np.testing.assert_allclose(y, want.transpose(0, 2, 1, 3).reshape(b * t, h * d),
                                   rtol=1e-12, atol=1e-12)


def test_qkv_attention_bad_input():
    q = np.zeros((6, 12), np.float32)
    with pytest.raises(ValueError, match="seq_len=4 dividing"):
        K.qkv_attention_forward(q, 2, 4)
    with pytest.raises(ValueError, match="3·n_head=15"):
        K.qkv_attention_forward(q, 5, 3)
    with pytest.raises(ValueError, match="key_keep"):
        K.qkv_attention_forward(q, 2, 3, np.ones((3, 3), bool))
    with pytest.raises(TypeError, match="key_keep must be None or a boolean"):
        K.qkv_attention_forward(q, 2, 3, np.ones((2, 3)))
    with pytest.raises(ValueError, match="dy"):
        K.qkv_attention_backward(np.zeros((6, 5), np.float32), q, np.zeros((2, 2, 3, 3),
                                 np.float32), 2, 3)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("decoupled", [True, False])
def test_adam(dtype, decoupled):
    rng = np.random.default_rng(5)
    for shape in ((1,), (7, 3), (129, 129)):
        state = {}
        for name in ("numpy", "numba"):
            p = arr(rng.__class__(rng.bit_generator.__class__(1)), shape, dtype)
            m, v = np.zeros_like(p), np.zeros_like(p)
            with K.use_backend(name):
                for step in (1, 2, 3):
                    g = arr(np.random.default_rng(step), shape, dtype, contiguous=False)
                    K.adam_update(p, g, m, v, step, 1e-2, 0.9, 0.999, 1e-8, 0.1, decoupled)
            state[name] = (p, m, v)
        close(state["numba"], state["numpy"], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
def test_matmul_tiled_and_dispatch(dtype, n):
    rng = np.random.default_rng(n)
    a = arr(rng, (n, n + 64), dtype, contiguous=False)
    b = arr(rng, (n + 64, 3), dtype)
    close(*both("matmul_tiled", a, b), dtype)
    close(*both("matmul", a, b), dtype)
    close(*both("matmul", a[None].repeat(2, 0), b), dtype)  # batched
    small = arr(rng, (3, 4), dtype), arr(rng, (4, 2), dtype)
    close(*both("matmul", *small), dtype)
    with K.use_backend("numba"):  # BLAS won at every size measured, so it is always chosen
        assert K.matmul_choice(*small).startswith("blas")
        assert "(3, 4) @ (4, 2)" in K.matmul_choice(*small)
    with K.use_backend("numpy"):
        assert K.matmul_choice(*small).startswith("blas")
