"""The benchmark scripts still run end to end (tiny sizes; the numbers are not checked
here — benchmarks/RESULTS.md holds the measured ones)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks"


def _run(script, *args, timeout=600):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", NUMBA_NUM_THREADS="1")
    out = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True,
                         text=True, timeout=timeout, env=env, cwd=ROOT)
    return out


def test_bench_kernels_writes_a_row_per_case(tmp_path):
    out = tmp_path / "k.json"
    res = _run("bench_kernels.py", "--only", "qkv_attention", "ln", "--repeat", "2",
               "--out", str(out))
    assert res.returncode == 0, res.stderr
    data = json.loads(out.read_text())
    text = json.dumps(data)
    assert "qkv attention fwd+bwd" in text and "layer norm" in text


def test_nanogpt_quickstart_recipes_run(tmp_path):
    from tinyllm.data import load_tinyshakespeare

    try:
        load_tinyshakespeare()
    except (FileNotFoundError, OSError) as e:
        pytest.skip(f"tiny Shakespeare not available: {e}")
    for recipe in ("tuned", "nanogpt"):
        out = tmp_path / f"{recipe}.json"
        res = _run("bench_nanogpt_quickstart.py", "--recipe", recipe, "--iters", "12",
                   "--final-eval-iters", "2", "--out-dir", str(tmp_path / recipe),
                   "--json", str(out))
        # exit code 1 = "target not met", which 12 iterations never meet
        assert res.returncode == 1, res.stderr
        data = json.loads(out.read_text())
        want = {"tuned": [0.8, 0.0, 0.0], "nanogpt": [0.9, 0.1, 1.0]}[recipe]
        cfg = data["config"]
        assert [cfg["betas"][0], cfg["weight_decay"], cfg["grad_clip"]] == want
        assert cfg["recipe"] == recipe and data["history"]["iter"][-1] == 12
        assert data["passed"] is False and data["best_val_loss_20_batches"] < 4.5
