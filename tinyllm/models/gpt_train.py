"""Pretraining a GPT on a text file, nanoGPT-style: random blocks, AdamW, warmup + cosine.

    text → tokenizer (char or BPE) → one token stream → 90 % train / 10 % val
    loop: lr(it) → batch of random blocks → loss → backward → clip → AdamW step
    every eval_interval: mean loss over eval_iters batches of each split, keep the best
    checkpoint, print a sample; at the end: loss curves as a PNG.

``train_gpt(...)`` returns a :class:`TrainResult` (the model, tokenizer, history and the
best validation loss); ``tinyllm train-gpt`` is the same from the command line.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from ..autograd.grad_mode import no_grad
from ..nn.utils import clip_grad_norm_
from ..rng import get_rng, manual_seed
from .gpt import GPT, GPTConfig


def get_lr(it: int, learning_rate: float, min_lr: float, warmup_iters: int,
           lr_decay_iters: int) -> float:
    """Linear warmup, then cosine decay to ``min_lr``, then constant ``min_lr``.

        it < warmup:   lr = learning_rate·(it + 1)/(warmup + 1)
        warmup ≤ it ≤ decay:  r = (it − warmup)/(decay − warmup),
                              lr = min_lr + ½(1 + cos(π·r))·(learning_rate − min_lr)
        it > decay:    lr = min_lr
    Warmup keeps the first, large Adam steps (made while v̂ is still a poor estimate)
    small; the cosine tail lets the loss settle into a minimum.
    """
    if it < warmup_iters:
        return learning_rate * (it + 1) / (warmup_iters + 1)
    if it > lr_decay_iters:
        return min_lr
    ratio = (it - warmup_iters) / max(1, lr_decay_iters - warmup_iters)
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (learning_rate - min_lr)


def get_batch(tokens: np.ndarray, batch_size: int, block_size: int, rng=None):
    """``batch_size`` random blocks: x = tokens[s : s+T], y = tokens[s+1 : s+T+1]."""
    rng = get_rng() if rng is None else rng
    if len(tokens) < block_size + 1:
        raise ValueError(f"get_batch: {len(tokens)} tokens are too few for block_size="
                         f"{block_size}")
    starts = rng.integers(0, len(tokens) - block_size, size=batch_size)
    pos = starts[:, None] + np.arange(block_size)
    return tokens[pos], tokens[pos + 1]


def estimate_loss(model: GPT, splits: dict, eval_iters: int, batch_size: int,
                  block_size: int, rng=None) -> dict:
    """Mean loss over ``eval_iters`` random batches of each split, in eval mode."""
    was_training = model.training
    model.eval()
    out = {}
    with no_grad():
        for name, tokens in splits.items():
            losses = [model(*get_batch(tokens, batch_size, block_size, rng))[1].item()
                      for _ in range(eval_iters)]
            out[name] = float(np.mean(losses))
    model.train(was_training)
    return out


# ----- tokenizers ------------------------------------------------------------------------
def build_tokenizer(kind: str, text: str, bpe_vocab_size: int = 512):
    """A CharTokenizer fitted on ``text`` (nanoGPT's char-level alphabet) or a byte-level
    BPE trained on it."""
    from ..text import BPETokenizer, CharTokenizer

    if kind == "char":
        return CharTokenizer().fit(text)
    if kind == "bpe":
        return BPETokenizer().train(text, vocab_size=bpe_vocab_size)
    raise ValueError(f"train_gpt: tokenizer must be 'char' or 'bpe', got {kind!r}")


def save_tokenizer(tok, path) -> None:
    tok.save(path)


def load_tokenizer(path):
    """Read a tokenizer saved next to a checkpoint (its JSON says which kind it is)."""
    from ..text import BPETokenizer, CharTokenizer

    with open(path, encoding="utf-8") as fh:
        kind = json.load(fh).get("type")
    if kind == "CharTokenizer":
        return CharTokenizer.load(path)
    if kind == "BPETokenizer":
        return BPETokenizer.load(path)
    raise ValueError(f"load_tokenizer: {path!r} is not a CharTokenizer/BPETokenizer file")


def load_text(data=None) -> tuple[str, str]:
    """(text, description): the file at ``data``, or the built-in story corpus."""
    if data is None:
        from ..data.corpus import story_corpus

        return story_corpus(), "built-in story corpus"
    path = os.fspath(data)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"train_gpt: data file {path!r} not found")
    with open(path, encoding="utf-8") as fh:
        return fh.read(), path


# ----- the loop ---------------------------------------------------------------------------
@dataclass
class TrainResult:
    model: GPT
    tokenizer: object
    history: dict = field(default_factory=dict)   # iter, train_loss, val_loss, lr, step losses
    best_val_loss: float = float("inf")
    best_iter: int = -1
    checkpoint: str | None = None
    seconds: float = 0.0
    tokens_per_second: float = 0.0


def train_gpt(data=None, text: str | None = None, tokenizer="char", out_dir: str | None = None,
              n_layer: int = 4, n_head: int = 4, n_embd: int = 128, block_size: int = 64,
              dropout: float = 0.0, bias: bool = True, batch_size: int = 12,
              max_iters: int = 2000, learning_rate: float = 1e-3, min_lr: float = 1e-4,
              warmup_iters: int = 100, lr_decay_iters: int | None = None,
              weight_decay: float = 0.1, beta1: float = 0.9, beta2: float = 0.99,
              grad_clip: float = 1.0, eval_interval: int = 250, eval_iters: int = 20,
              val_fraction: float = 0.1, bpe_vocab_size: int = 512, seed: int = 1337,
              sample_tokens: int = 200, progress: bool = True, plot: bool = True,
              log=print) -> TrainResult:
    """Train a GPT from scratch; defaults are nanoGPT's Shakespeare-char CPU quick start.

    ``data`` is a text file (``text`` a string instead; neither → the built-in corpus);
    ``tokenizer`` is ``"char"``, ``"bpe"`` or a fitted tokenizer object. With ``out_dir``,
    the best checkpoint (by validation loss) goes to ``out_dir/best`` with the tokenizer
    in ``out_dir/tokenizer.json``, and the loss curves to ``out_dir/loss.png``.
    """
    for name, v in (("max_iters", max_iters), ("batch_size", batch_size),
                    ("eval_interval", eval_interval), ("eval_iters", eval_iters)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"train_gpt: {name} must be a positive int, got {v!r}")
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"train_gpt: val_fraction must be in (0, 1), got {val_fraction}")
    lr_decay_iters = max_iters if lr_decay_iters is None else lr_decay_iters
    manual_seed(seed)
    if text is None:
        text, source = load_text(data)
    else:
        source = "given text"
    tok = build_tokenizer(tokenizer, text, bpe_vocab_size) if isinstance(tokenizer, str) \
        else tokenizer
    ids = np.asarray(tok.encode(text), dtype=np.int64)
    n_train = int(len(ids) * (1.0 - val_fraction))   # nanoGPT: first 90 % train, last 10 % val
    splits = {"train": ids[:n_train], "val": ids[n_train:]}
    for name, arr in splits.items():
        if len(arr) < block_size + 1:
            raise ValueError(f"train_gpt: the {name} split has {len(arr)} tokens, fewer than "
                             f"block_size + 1 = {block_size + 1}; use more text or a smaller "
                             "block_size")
    config = GPTConfig(vocab_size=tok.vocab_size, block_size=block_size, n_layer=n_layer,
                       n_head=n_head, n_embd=n_embd, dropout=dropout, bias=bias)
    model = GPT(config)
    opt = model.configure_optimizer(weight_decay, learning_rate, (beta1, beta2))
    log(f"train_gpt: {source}: {len(ids):,} tokens (vocab {tok.vocab_size}), "
        f"{model.num_params():,} parameters, {max_iters} iterations of {batch_size}×{block_size}")
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
        save_tokenizer(tok, os.path.join(out_dir, "tokenizer.json"))

    hist = {"iter": [], "train_loss": [], "val_loss": [], "step_loss": [], "lr": []}
    result = TrainResult(model=model, tokenizer=tok, history=hist)
    bar = _progress(max_iters, progress)
    t_start = time.perf_counter()
    tokens_seen = 0
    model.train()
    for it in range(max_iters + 1):
        lr = get_lr(it, learning_rate, min_lr, warmup_iters, lr_decay_iters)
        for g in opt.param_groups:
            g["lr"] = lr
        if it % eval_interval == 0 or it == max_iters:
            losses = estimate_loss(model, splits, eval_iters, batch_size, block_size)
            hist["iter"].append(it)
            hist["train_loss"].append(losses["train"])
            hist["val_loss"].append(losses["val"])
            msg = f"iter {it}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}"
            if losses["val"] < result.best_val_loss:
                result.best_val_loss, result.best_iter = losses["val"], it
                if out_dir:
                    result.checkpoint = model.save(
                        os.path.join(out_dir, "best"),
                        {"iter": it, "val_loss": losses["val"], "tokenizer": "tokenizer.json"})[0]
                    msg += " (saved)"
            _write(bar, log, msg)
            if sample_tokens:
                _write(bar, log, "sample: " + repr(_sample(model, tok, sample_tokens)))
        if it == max_iters:
            break
        x, y = get_batch(splits["train"], batch_size, block_size)
        _, loss = model(x, y)
        opt.zero_grad()
        loss.backward()
        if grad_clip:
            clip_grad_norm_(model.parameters(), grad_clip)
        opt.step()
        tokens_seen += x.size
        hist["step_loss"].append(loss.item())
        hist["lr"].append(lr)
        if bar is not None:
            elapsed = time.perf_counter() - t_start
            bar.set_postfix(loss=f"{hist['step_loss'][-1]:.3f}",
                            tok_s=f"{tokens_seen / elapsed:,.0f}")
            bar.update(1)
    if bar is not None:
        bar.close()
    result.seconds = time.perf_counter() - t_start
    result.tokens_per_second = tokens_seen / max(result.seconds, 1e-9)
    log(f"train_gpt: done in {result.seconds:.1f} s ({result.tokens_per_second:,.0f} tokens/s); "
        f"best val loss {result.best_val_loss:.4f} at iter {result.best_iter}")
    if out_dir and plot:
        plot_losses(hist, os.path.join(out_dir, "loss.png"))
    return result


def _progress(total, enabled):
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:  # tqdm is a runtime dependency, but stay usable without it
        return None
    return tqdm(total=total, desc="train", unit="it", file=sys.stderr, dynamic_ncols=True)


def _write(bar, log, msg):
    if bar is not None and log is print:
        bar.write(msg)
    else:
        log(msg)


def _sample(model, tok, n) -> str:
    """A short sampled continuation of the first token (shows what the model learned)."""
    from ..infer import generate

    start = np.asarray([[0]], dtype=np.int64)
    was_training = model.training
    model.eval()
    out = generate(model, start, min(n, model.config.block_size - 1), do_sample=True,
                   temperature=0.8, top_k=50)
    model.train(was_training)
    return tok.decode([int(i) for i in out[0, 1:]])


def plot_losses(history: dict, path: str) -> str:
    """Save the per-step training loss and the periodic train/val estimates as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(np.arange(len(history["step_loss"])), history["step_loss"], lw=0.6, alpha=0.5,
            label="train (per step)")
    ax.plot(history["iter"], history["train_loss"], "o-", label="train (estimate)")
    ax.plot(history["iter"], history["val_loss"], "s-", label="val (estimate)")
    ax.set_xlabel("iteration")
    ax.set_ylabel("cross-entropy loss (nats/token)")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
