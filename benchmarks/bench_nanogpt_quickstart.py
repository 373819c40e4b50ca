"""Reproduce nanoGPT's CPU quick start with tinyllm and record the result.

nanoGPT (README, "I only have a macbook"):

    python train.py config/train_shakespeare_char.py --device=cpu --compile=False
        --eval_iters=20 --log_interval=1 --block_size=64 --batch_size=12 --n_layer=4
        --n_head=4 --n_embd=128 --max_iters=2000 --lr_decay_iters=2000 --dropout=0.0

with the config's lr 1e-3 (warmup 100, cosine to 1e-4), AdamW β = (0.9, 0.99), weight
decay 0.1, grad clip 1.0, no biases (train.py's default bias=False), char-level tiny
Shakespeare split 90/10 — reported val loss 1.88. Target here: tinyllm's validation
loss ≤ 1.88 within those 2000 iterations.

``--recipe nanogpt`` runs exactly that; ``--recipe tuned`` (the default) changes the three
knobs the target leaves open (β1, weight decay, clipping; see RECIPES).
``--torch-control`` trains the same recipe in PyTorch too, as a control for the engine.

Writes benchmarks/results/nanogpt_quickstart_<recipe>.json and prints a summary. Takes
minutes.

    python benchmarks/bench_nanogpt_quickstart.py [--recipe tuned|nanogpt] [--seed S]
        [--torch-control] [--backend numba] [--iters 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import tinyllm as tl  # noqa: E402
from tinyllm.models.gpt_train import estimate_loss, train_gpt  # noqa: E402

NANOGPT_VAL_LOSS = 1.88

# The issue fixes model size, data, batch, dropout, the lr schedule and β2; these three
# it leaves open. "nanogpt" is nanoGPT's choice; "tuned" is what measured best here
# (three seeds each, benchmarks/RESULTS.md): β1 0.8 −0.025, no weight decay −0.006,
# no clipping −0.005…−0.016 in validation loss.
RECIPES = {
    "nanogpt": {"beta1": 0.9, "weight_decay": 0.1, "grad_clip": 1.0},
    "tuned": {"beta1": 0.8, "weight_decay": 0.0, "grad_clip": 0.0},
}


def torch_control(text: str, tok, iters: int, seed: int, beta1: float, weight_decay: float,
                  grad_clip: float, eval_iters: int = 200) -> dict:
    """The same run with PyTorch doing the model and AdamW (nanoGPT's model, from
    bench_gpt.torch_gpt), fed by the same batches code: a control for what this
    configuration reaches, independent of tinyllm's engine."""
    import torch

    sys.path.insert(0, HERE)
    from bench_gpt import torch_gpt

    from tinyllm.models.gpt_train import get_batch, get_lr

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    ids = np.asarray(tok.encode(text), dtype=np.int64)
    n = int(len(ids) * 0.9)
    train, val = ids[:n], ids[n:]
    model = torch_gpt()
    decay = [p for p in model.parameters() if p.dim() >= 2]
    rest = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                             {"params": rest, "weight_decay": 0.0}], lr=1e-3,
                            betas=(beta1, 0.99))
    t0 = time.perf_counter()
    for it in range(iters):
        for g in opt.param_groups:
            g["lr"] = get_lr(it, 1e-3, 1e-4, 100, iters)
        x, y = (torch.from_numpy(a) for a in get_batch(train, 12, 64, rng))
        loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if grad_clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
        opt.step()
    secs = time.perf_counter() - t0
    model.eval()
    with torch.no_grad():
        vals = [model(*(torch.from_numpy(a) for a in get_batch(val, 12, 64, rng))).item()
                for _ in range(eval_iters)]
    return {"val_loss_20_batches": float(np.mean(vals[:20])),
            f"val_loss_{eval_iters}_batches": float(np.mean(vals)), "seconds": secs}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", default="numba", choices=["numba", "numpy"])
    ap.add_argument("--iters", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--recipe", choices=sorted(RECIPES), default="tuned",
                    help="nanogpt: nanoGPT's β1 0.9, weight decay 0.1, clip 1.0; tuned: β1 0.8, "
                         "no weight decay, no clipping (the three knobs the issue leaves open)")
    ap.add_argument("--beta1", type=float, help="override the recipe's Adam β1")
    ap.add_argument("--weight-decay", type=float, help="override the recipe's weight decay")
    ap.add_argument("--grad-clip", type=float, help="override the recipe's clip (0 = off)")
    ap.add_argument("--bias", action="store_true",
                    help="biases in Linear/LayerNorm (nanoGPT's train.py default is bias=False)")
    ap.add_argument("--final-eval-iters", type=int, default=200,
                    help="batches for the final, lower-noise estimate of the best checkpoint")
    ap.add_argument("--torch-control", action="store_true",
                    help="also train the same configuration with PyTorch (a control run)")
    ap.add_argument("--out-dir", default=os.path.join(HERE, "out", "nanogpt_quickstart"),
                    help="checkpoint, tokenizer and loss curves (not committed)")
    ap.add_argument("--json", help="default: results/nanogpt_quickstart_<recipe>.json")
    args = ap.parse_args(argv)
    for key, value in RECIPES[args.recipe].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.json is None:
        args.json = os.path.join(HERE, "results", f"nanogpt_quickstart_{args.recipe}.json")

    tl.set_backend(args.backend)
    from tinyllm.data import load_tinyshakespeare

    text = load_tinyshakespeare()
    t0 = time.perf_counter()
    res = train_gpt(text=text, tokenizer="char", out_dir=args.out_dir, n_layer=4, n_head=4,
                    n_embd=128, block_size=64, dropout=0.0, bias=args.bias, batch_size=12,
                    max_iters=args.iters, learning_rate=1e-3, min_lr=1e-4, warmup_iters=100,
                    lr_decay_iters=args.iters, weight_decay=args.weight_decay,
                    beta1=args.beta1, beta2=0.99,
                    grad_clip=args.grad_clip, eval_interval=250, eval_iters=20, seed=args.seed,
                    progress=sys.stderr.isatty())
    wall = time.perf_counter() - t0

    # A second, larger estimate of the best checkpoint (same 10 % held-out split).
    from tinyllm.models import GPT

    best, _ = GPT.load(os.path.join(args.out_dir, "best"))
    ids = np.asarray(res.tokenizer.encode(text), dtype=np.int64)
    n = int(len(ids) * 0.9)
    tl.manual_seed(12345)
    final = estimate_loss(best, {"train": ids[:n], "val": ids[n:]}, args.final_eval_iters, 12, 64)

    h = res.history
    control = None
    if args.torch_control:
        control = torch_control(text, res.tokenizer, args.iters, args.seed, args.beta1,
                                args.weight_decay, args.grad_clip)
        print(f"PyTorch control: val loss {control['val_loss_200_batches']:.4f} (200 batches)")
    out = {
        "benchmark": "nanogpt_quickstart",
        "config": {"n_layer": 4, "n_head": 4, "n_embd": 128, "block_size": 64,
                   "batch_size": 12, "dropout": 0.0, "bias": args.bias,
                   "max_iters": args.iters,
                   "learning_rate": 1e-3, "min_lr": 1e-4, "warmup_iters": 100,
                   "recipe": args.recipe, "betas": [args.beta1, 0.99],
                   "weight_decay": args.weight_decay, "grad_clip": args.grad_clip,
                   "eval_iters": 20, "seed": args.seed, "backend": tl.get_backend()},
        "nanogpt_reported_val_loss": NANOGPT_VAL_LOSS,
        "best_val_loss_20_batches": res.best_val_loss,
        "best_iter": res.best_iter,
        "final_val_loss_20_batches": h["val_loss"][-1],
        f"best_checkpoint_val_loss_{args.final_eval_iters}_batches": final["val"],
        f"best_checkpoint_train_loss_{args.final_eval_iters}_batches": final["train"],
        "passed": bool(res.best_val_loss <= NANOGPT_VAL_LOSS),
        "torch_control": control,
        "history": {"iter": h["iter"], "train_loss": h["train_loss"],
                    "val_loss": h["val_loss"]},
        "training_seconds": res.seconds,
        "wall_seconds": wall,
        "tokens_per_second": res.tokens_per_second,
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version(), "numpy": np.__version__},
    }
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w", encoding="utf-8") as fh:
        json.dump(out, fh, indent=2)
    print(f"best val loss {res.best_val_loss:.4f} (20 batches, iter {res.best_iter}); "
          f"{args.final_eval_iters}-batch estimate {final['val']:.4f}; nanoGPT {NANOGPT_VAL_LOSS}; "
          f"{'PASS' if out['passed'] else 'FAIL'}; wall {wall:.0f} s")
    return 0 if out["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
