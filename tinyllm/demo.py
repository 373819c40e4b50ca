"""``tinyllm demo``: the book's pipeline, end to end, on the built-in corpus.

1. The math (book §4): the worked example's real forward values, its training loss
   falling under SGD, and a gradient check of every op.
2. The project (book §5): the Embedding → LSTM(50) → Dense(sigmoid) sentiment classifier,
   trained and evaluated with precision/recall/F1 (the right formulas — see §3.2 erratum).
3. A language model: a small GPT pretrained on the generated stories, then decoded with
   each inference strategy (greedy, temperature/top-k/top-p sampling, beam search), with
   and without the KV cache.

Figures go to ``--out`` (default ``tinyllm-demo/``).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path


def _banner(title: str) -> None:
    print("\n" + "=" * 78 + f"\n{title}\n" + "=" * 78, flush=True)


def _plot_history(history, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps, losses, accs = zip(*history)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(steps, losses, label="cross-entropy")
    ax.plot(steps, accs, label="accuracy")
    ax.set_xlabel("SGD step")
    ax.set_title("book §4.4 network: 3 → 3 ReLU → 2")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def part_math(fast: bool, out_dir: Path) -> None:
    import numpy as np

    from .labs.worked_example import forward_example, train_worked_example
    from .ops.cases import CASES, run_all
    from .ops.gradcheck_cli import load_all_ops

    _banner("1. The math: the book's worked example (§4.4), done right")
    out = forward_example()
    np.set_printoptions(precision=4, suppress=True)
    print("x =\n", out["x"].data)
    print("z = x·W1 + b  (the book prints [[.3,.4,.5],…]; these follow from its x and W1):\n",
          out["z"].data)
    print("a = ReLU(z) =\n", out["a"].data)
    print(f"cross-entropy after an output layer (3 hidden → 2 classes): {out['loss'].item():.4f}")
    out["loss"].backward()
    print("∂L/∂W1 by back-propagation =\n", out["W1"].grad)
    print("\nTraining the network on the book's 100 samples with SGD:")
    history = train_worked_example(steps=150 if fast else 300, log_every=50)
    _plot_history(history, out_dir / "worked_example_loss.png")

    print("\nGradient check of every op (float64 central differences):")
    load_all_ops()
    results = run_all()
    worst = {}  # op -> (largest error over its cases, all cases passed)
    for name, rep in results:
        err, ok = worst.get(name, (0.0, True))
        worst[name] = (max(err, max(r.max_abs_err for r in rep.inputs)), ok and rep.passed)
    print(f"  {'op':<30} {'max abs err':>12}  ok")
    for name, (err, ok) in sorted(worst.items()):
        print(f"  {name:<30} {err:12.2e}  {'yes' if ok else 'NO'}")
    n_ok = sum(rep.passed for _, rep in results)
    print(f"  {n_ok}/{len(results)} cases passed across {len(CASES)} ops")


def part_sentiment(fast: bool, out_dir: Path) -> None:
    from .train.demo_sentiment import run_sentiment_demo

    _banner("2. The project: a Keras-style LSTM sentiment classifier (§5)")
    # fast: one epoch fewer; the seeded run still clears 90 % held-out accuracy
    run_sentiment_demo(out_dir=out_dir, **({"epochs": 3} if fast else {}))


def part_gpt(fast: bool, out_dir: Path) -> None:
    from .models.gpt_demo import run_gpt_demo

    _banner("3. A language model: pretrain a small GPT, then decode it every way")
    run_gpt_demo(out_dir=out_dir, fast=fast)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="tinyllm demo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fast", action="store_true",
                        help="smaller runs (also set by TINYLLM_FAST=1)")
    parser.add_argument("--out", default="tinyllm-demo", help="folder for figures")
    parser.add_argument("--parts", default="math,sentiment,gpt",
                        help="comma-separated subset of: math, sentiment, gpt")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    fast = args.fast or os.environ.get("TINYLLM_FAST") == "1"
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(parts) - {"math", "sentiment", "gpt"}
    if unknown:
        parser.error(f"unknown part(s): {sorted(unknown)}")
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)

    from . import manual_seed
    from .kernels import get_backend

    manual_seed(args.seed)
    t0 = time.perf_counter()
    print(f"tinyllm demo — kernels backend: {get_backend()}, figures in {out_dir}/")
    if "math" in parts:
        part_math(fast, out_dir)
    if "sentiment" in parts:
        part_sentiment(fast, out_dir)
    if "gpt" in parts:
        part_gpt(fast, out_dir)
    print(f"\ndone in {time.perf_counter() - t0:.0f} s; figures: "
          + ", ".join(sorted(str(p.relative_to(out_dir)) for p in out_dir.rglob("*.png"))))
    return 0
