"""Run every tutorial chapter as a script in fast mode and check it wrote its figures.

Each chapter runs in its own subprocess with ``TINYLLM_FAST=1`` (smaller data, fewer
steps, the same code path) and ``MPLBACKEND=Agg``; it must exit 0 and (re)write every
figure listed here. Set ``TINYLLM_SKIP_TUTORIALS=1`` to skip them (about 1.5 minutes in
total on a 2-core machine).

The subprocesses run single-threaded (``NUMBA_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``,
``OMP_NUM_THREADS`` = 1 unless already set): on a machine shared with other work,
multi-threaded kernels oversubscribe the cores and the same chapter measured 20–35×
slower (chapter 5: 17 s single-threaded, > 600 s with default threads under load).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TUTORIALS = REPO / "tutorials"
FIGURES = TUTORIALS / "figures"

# chapter script -> figures (in tutorials/figures/) it must write
EXPECTED = {
    "01_neuron_forward_backward.py": [
        "01_pipeline.png", "01_activations.png", "01_worked_example_training.png"],
    "02_text_preprocessing_tokenizers.py": ["02_bpe_compression.png", "02_embedding_lookup.png"],
    "03_losses_optimizers_metrics.py": [
        "03_losses.png", "03_optimizers.png", "03_lr_schedules.png"],
    "04_keras_text_classifier.py": ["04_history_baseline.png", "04_random_search.png"],
    "05_finetuning_pretrained.py": ["05_finetuning.png"],
    "06_decoding_strategies.py": [
        "06_pretraining.png", "06_distributions.png", "06_kv_cache.png"],
    "07_tools_profiling.py": [
        "07_history.png", "07_confusion_matrix.png", "07_confusion_matrix_normalized.png",
        "07_profile.png", "07_backends.png"],
    "08_applications_ner_translation.py": ["08_ner.png", "08_translation.png"],
}

pytestmark = pytest.mark.skipif(os.environ.get("TINYLLM_SKIP_TUTORIALS") == "1",
                                reason="TINYLLM_SKIP_TUTORIALS=1")


def test_every_chapter_is_listed():
    chapters = sorted(p.name for p in TUTORIALS.glob("[0-9][0-9]_*.py"))
    assert chapters == sorted(EXPECTED), "add new chapters (and their figures) to EXPECTED"


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_tutorial_runs_in_fast_mode(script):
    env = dict(os.environ, TINYLLM_FAST="1", MPLBACKEND="Agg", PYTHONHASHSEED="0")
    for var in ("NUMBA_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    env.pop("TINYLLM_SKIP_TUTORIALS", None)
    started = time.time()
    proc = subprocess.run([sys.executable, str(TUTORIALS / script)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, (
        f"{script} exited with {proc.returncode}\n--- stdout (tail) ---\n"
        f"{proc.stdout[-3000:]}\n--- stderr (tail) ---\n{proc.stderr[-3000:]}")
    for name in EXPECTED[script]:
        fig = FIGURES / name
        assert fig.is_file(), f"{script} did not write {fig}"
        assert fig.stat().st_mtime >= started - 1, f"{script} did not rewrite {fig}"
        assert fig.stat().st_size > 1000, f"{fig} is suspiciously small"
        with open(fig, "rb") as fh:
            assert fh.read(8) == b"\x89PNG\r\n\x1a\n", f"{fig} is not a PNG"
