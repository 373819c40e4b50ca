"""Part 3 of ``tinyllm demo``: pretrain a small GPT on the built-in stories, then show
each inference strategy — how a trained model *produces* text (greedy, temperature,
top-k, top-p, beam search), with and without the KV cache — and measure it with
perplexity (an evaluation metric, which is not an inference strategy: book erratum
2.11/3.2/9.3)."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np

from ..autograd.grad_mode import no_grad


def run_gpt_demo(out_dir, fast: bool = False, log=print) -> dict:
    from ..data import story_corpus
    from ..infer import perplexity
    from .gpt_train import train_gpt

    text = story_corpus(seed=0)
    iters = 120 if fast else 1500
    result = train_gpt(text=text, tokenizer="char", out_dir=str(Path(out_dir) / "gpt"),
                       n_layer=2 if fast else 4, n_head=4, n_embd=64 if fast else 128,
                       block_size=64, batch_size=12, max_iters=iters,
                       warmup_iters=iters // 10, eval_interval=max(iters // 4, 1),
                       eval_iters=10, sample_tokens=0, log=log)
    model, tok = result.model, result.tokenizer
    model.eval()
    log(f"loss curves: {Path(out_dir) / 'gpt' / 'loss.png'}")

    prompt = "One sunny day, a dog called"
    ids = np.array([tok.encode(prompt)], dtype=np.int64)
    strategies = [
        ("greedy (always the most likely token)", dict(do_sample=False)),
        ("sampling, temperature 0.8", dict(do_sample=True, temperature=0.8)),
        ("sampling, top-k = 10", dict(do_sample=True, top_k=10)),
        ("sampling, top-p = 0.9 (nucleus)", dict(do_sample=True, top_p=0.9)),
        ("beam search, 4 beams", dict(num_beams=4)),
    ]
    n_new = 60 if fast else 120
    log(f"\nprompt: {prompt!r}")
    for name, kw in strategies:
        out = model.generate(ids, n_new, **kw)
        log(f"\n[{name}]\n{tok.decode(out[0].tolist())}")

    n_speed = 64 if fast else 200
    timings = {}
    for use_cache in (True, False):
        t0 = time.perf_counter()
        out = model.generate(ids, n_speed, use_cache=use_cache)
        timings[use_cache] = time.perf_counter() - t0
        if use_cache:
            cached = out
    same = bool(np.array_equal(cached, out))
    log(f"\nKV cache: {n_speed} greedy tokens in {timings[True]:.2f} s with the cache, "
        f"{timings[False]:.2f} s without ({timings[False] / timings[True]:.1f}× faster; "
        f"identical tokens: {same})")

    val = np.asarray(tok.encode(text[-20_000:]), dtype=np.int64)
    with no_grad():
        ppl = perplexity(model, val)
    log(f"perplexity on the last 20k characters (held out): {ppl:.2f} "
        f"(a uniform guess over {tok.vocab_size} characters would be {tok.vocab_size})")
    return {"best_val_loss": result.best_val_loss, "perplexity": float(ppl),
            "cache_speedup": timings[False] / timings[True], "cache_identical": same,
            "train_seconds": result.seconds, "val_loss_nats": result.best_val_loss,
            "val_bits_per_char": result.best_val_loss / math.log(2)}
