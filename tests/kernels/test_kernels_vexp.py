"""The vectorisable exp / tanh / sigmoid used inside the Numba twins."""

import numpy as np
import pytest

import tinyllm.kernels as K

pytestmark = pytest.mark.skipif(not K.numba_available(), reason="numba not importable")


def _run(name, x):
    from tinyllm.kernels.jit import vexp as V

    out = np.empty_like(x)
    getattr(V, name)(x, out)
    return out


def test_vexp_float32_relative_error_and_special_values():
    x = np.linspace(-87.3, 88.7, 1_000_001).astype(np.float32)
    got = _run("vexp_array", x).astype(np.float64)
    want = np.exp(x.astype(np.float64))
    assert np.max(np.abs(got - want) / want) < 2.5e-7          # ≈ 2 ulp
    tiny = np.linspace(-103.9, -87.4, 10_001).astype(np.float32)  # subnormal results
    assert np.max(np.abs(_run("vexp_array", tiny) - np.exp(tiny.astype(np.float64)))) < 3e-45
    special = np.array([-np.inf, -200, -104, 0, -0.0, 88.73, 1000, np.inf, np.nan], np.float32)
    got = _run("vexp_array", special)
    np.testing.assert_array_equal(got[:5], [0, 0, 0, 1, 1])
    assert np.all(np.isposinf(got[5:8])) and np.isnan(got[8])


def test_vtanh_float32_relative_error_everywhere():
    x = np.concatenate([np.linspace(-20, 20, 400_001), np.geomspace(1e-30, 1, 50_000),
                        -np.geomspace(1e-30, 1, 50_000)]).astype(np.float32)
    got = _run("vtanh_array", x).astype(np.float64)
    want = np.tanh(x.astype(np.float64))
    nz = want != 0                                              # x = 0 from linspace
    assert np.max(np.abs(got - want)[nz] / np.abs(want[nz])) < 6e-7 and not got[~nz].any()
    special = _run("vtanh_array", np.array([np.inf, -np.inf, 0.0, np.nan], np.float32))
    np.testing.assert_array_equal(special[:3], [1, -1, 0])
    assert np.isnan(special[3])


def test_float64_uses_libm():
    x = np.random.default_rng(0).normal(size=1000) * 10
    np.testing.assert_allclose(_run("vexp_array", x), np.exp(x), rtol=4e-16, atol=0)
    np.testing.assert_allclose(_run("vtanh_array", x), np.tanh(x), rtol=4e-16, atol=0)
