"""Backend registry: env var, fallback without numba, and the on-disk numba cache."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_py(code: str, **env) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env=full_env, cwd=ROOT, timeout=600)


def test_env_var_and_bad_value():
    ok = run_py("import tinyllm.kernels as K; print(K.get_backend())", TINYLLM_BACKEND="numpy")
    assert ok.stdout.strip() == "numpy", ok.stderr
    bad = run_py("import tinyllm.kernels", TINYLLM_BACKEND="cuda")
    assert bad.returncode != 0 and "TINYLLM_BACKEND" in bad.stderr


def test_missing_numba_falls_back_with_one_warning():
    out = run_py("""
        import sys, warnings
        sys.modules["numba"] = None          # makes `import numba` raise ImportError
        import numpy as np
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            import tinyllm.kernels as K
            before = len(caught)
            p = K.softmax(np.array([[0.0, 0.0]]))
            K.softmax(np.array([[1.0, 0.0]]))
            print(K.get_backend(), before, len(caught), p.tolist())
    """)
    assert out.returncode == 0, out.stderr
    backend, before, after, probs = out.stdout.split(maxsplit=3)
    assert (backend, before, after) == ("numpy", "0", "1")
    assert probs.strip() == "[[0.5, 0.5]]"


CALL_EVERY_KERNEL = """
import json
import numpy as np
import tinyllm.kernels as K
from numba.core.registry import CPUDispatcher

K.set_backend("numba")
assert K.get_backend() == "numba"
for dt in (np.float32, np.float64):
    r = np.random.default_rng(0)
    a = lambda *s: r.normal(size=s).astype(dt)
    K.matmul_tiled(a(3, 4), a(4, 5)); K.matmul(a(3, 4), a(4, 2))
    K.softmax(a(2, 3)); K.log_softmax(a(2, 3))
    t = np.array([0, 2])
    _, p = K.cross_entropy_forward(a(2, 3), t); K.cross_entropy_backward(p, t, a(2))
    _, mu, rs = K.layer_norm_forward(a(2, 3), a(3), a(3))
    K.layer_norm_backward(a(2, 3), a(2, 3), a(3), mu, rs)
    for ap in ("none", "tanh"):
        K.gelu_forward(a(4), ap); K.gelu_backward(a(4), a(4), ap)
    K.embedding_forward(a(5, 2), np.array([1, 4]))
    K.embedding_backward(np.array([1, 4]), a(2, 2), 5)
    hs, cs, g = K.lstm_forward(a(2, 1, 3), a(1, 2), a(1, 2), a(8, 3), a(8, 2), a(8))
    K.lstm_backward(a(2, 1, 2), a(1, 2), a(1, 2), a(2, 1, 3), a(1, 2), a(1, 2), a(8, 3),
                    a(8, 2), hs, cs, g)
    for mask in (None, np.ones((1, 1, 2, 3), bool)):
        q, k, v = a(1, 1, 2, 4), a(1, 1, 3, 4), a(1, 1, 3, 4)
        o, p = K.attention_forward(q, k, v, mask, True, 0.5)
    K.attention_backward(a(1, 1, 2, 4), a(1, 1, 2, 4), a(1, 1, 3, 4), a(1, 1, 3, 4), p, 0.5)
    K.adam_update(a(3), a(3), a(3), np.abs(a(3)), 1, 1e-3)
misses, hits = 0, 0
import sys
mods = [m for name, m in sys.modules.items() if name.startswith("tinyllm.kernels.jit.")]
for mod in mods:
    for obj in vars(mod).values():
        twins = [obj.serial, obj.parallel] if hasattr(obj, "serial") else [obj]
        for d in twins:
            if isinstance(d, CPUDispatcher):
                misses += sum(d.stats.cache_misses.values())
                hits += sum(d.stats.cache_hits.values())
print(json.dumps({"misses": misses, "hits": hits}))
"""


@pytest.mark.skipif(
    run_py("import numba").returncode != 0, reason="numba not importable"
)
def test_second_process_compiles_nothing():
    """cache=True: after one process compiled the kernels, the next one only loads them."""
    first = run_py(CALL_EVERY_KERNEL)
    assert first.returncode == 0, first.stderr
    second = run_py(CALL_EVERY_KERNEL)
    assert second.returncode == 0, second.stderr
    stats = json.loads(second.stdout.strip().splitlines()[-1])
    assert stats["misses"] == 0, stats
    assert stats["hits"] >= 30, stats  # every kernel × both dtypes came from the cache
