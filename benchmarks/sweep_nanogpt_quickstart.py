"""The hyperparameter sweep behind the quick-start recipe (benchmarks/RESULTS.md).

Each configuration trains the nanoGPT CPU quick start (bench_nanogpt_quickstart.py's
model, data, batch, lr schedule and β2, all fixed) for 2000 iterations and records the
20-batch validation estimates every 250 iterations and a 200-batch estimate of the final
model, one JSON line per run. The runs were made two at a time, one thread each:

    OPENBLAS_NUM_THREADS=1 NUMBA_NUM_THREADS=1 python \\
        benchmarks/sweep_nanogpt_quickstart.py b1_08_s1 '{"seed": 1, "beta1": 0.8}'

Names used in results/nanogpt_quickstart_sweep.jsonl: base = nanoGPT's recipe (β1 0.9,
weight decay 0.1, clip 1.0, no biases); b1_08 = β1 0.8; wd0 = no weight decay; noclip =
no gradient clipping; bias = biases on; s<N> = seed N.
"""

from __future__ import annotations

import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import tinyllm as tl  # noqa: E402
from tinyllm.data import load_tinyshakespeare  # noqa: E402
from tinyllm.models.gpt_train import estimate_loss, train_gpt  # noqa: E402

BASE = dict(tokenizer="char", out_dir=None, n_layer=4, n_head=4, n_embd=128, block_size=64,
            dropout=0.0, bias=False, batch_size=12, max_iters=2000, learning_rate=1e-3,
            min_lr=1e-4, warmup_iters=100, lr_decay_iters=2000, weight_decay=0.1, beta1=0.9,
            beta2=0.99, grad_clip=1.0, eval_interval=250, eval_iters=20, seed=1337,
            progress=False, plot=False, sample_tokens=0)


def run(name: str, overrides: dict, out: str) -> dict:
    text = load_tinyshakespeare()
    t0 = time.time()
    res = train_gpt(text=text, log=lambda *a: None, **{**BASE, **overrides})
    ids = np.asarray(res.tokenizer.encode(text), dtype=np.int64)
    n = int(len(ids) * 0.9)
    tl.manual_seed(12345)
    big = estimate_loss(res.model, {"val": ids[n:]}, 200, 12, 64)
    row = {"name": name, "kw": overrides, "val20": res.history["val_loss"],
           "best20": res.best_val_loss, "final200": big["val"], "secs": time.time() - t0}
    with open(out, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(row) + "\n")
    return row


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    print(json.dumps(run(sys.argv[1], json.loads(sys.argv[2]),
                         os.path.join(HERE, "results", "nanogpt_quickstart_sweep.jsonl"))))
