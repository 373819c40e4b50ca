"""GPT training-step speed: tinyllm (numba and numpy backends) vs PyTorch, side by side;
and generation speed with and without the KV cache.

The model is nanoGPT's CPU quick start (4 layers, 4 heads, C = 128, T = 64, batch 12,
vocab 65, no biases); a step is forward + backward + clip_grad_norm + AdamW, as in
training. Each implementation runs in its own worker process (so thread pools of
OpenBLAS, Numba's OpenMP and PyTorch never compete inside one process), all with 2
threads, and the workers take turns: round r times ``--steps`` steps of each in
turn, so a change in machine load hits all of them alike. Reported: the median step
time over all rounds, and the median of the per-round ratios.

    python benchmarks/bench_gpt.py [--rounds 8] [--steps 10] [--threads 2]

Writes benchmarks/results/bench_gpt.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

CFG = dict(vocab_size=65, block_size=64, n_layer=4, n_head=4, n_embd=128, dropout=0.0,
           bias=False)
BATCH = 12


def step_flops(c=CFG, b=BATCH) -> float:
    """Floating-point operations of one training step (matmuls and attention only):
    forward 2·m·n·k per product, backward twice that."""
    t, d, v, n = c["block_size"], c["n_embd"], c["vocab_size"], c["n_layer"]
    rows = b * t
    per_layer = 2 * rows * (d * 3 * d + d * d + 2 * d * 4 * d)      # qkv, proj, fc, fc-proj
    attn = 2 * 2 * b * t * t * d                                      # QKᵀ and PV
    head = 2 * rows * d * v
    return 3.0 * (n * (per_layer + attn) + head)


# ----- workers -------------------------------------------------------------------------------
def _tinyllm_worker(backend: str):
    import numpy as np

    import tinyllm as tl
    from tinyllm.models import GPT, GPTConfig
    from tinyllm.nn.utils import clip_grad_norm_

    tl.set_backend(backend)
    tl.manual_seed(0)
    model = GPT(GPTConfig(**CFG))
    model.train()
    opt = model.configure_optimizer(0.1, 1e-3, (0.9, 0.99))
    r = np.random.default_rng(0)
    x = r.integers(0, CFG["vocab_size"], (BATCH, CFG["block_size"]))
    y = r.integers(0, CFG["vocab_size"], (BATCH, CFG["block_size"]))
    params = list(model.parameters())

    def step():
        _, loss = model(x, y)
        opt.zero_grad()
        loss.backward()
        clip_grad_norm_(params, 1.0)
        opt.step()
        return loss.item()

    return step, tl.get_backend()


def torch_gpt(cfg=CFG):
    """nanoGPT's model (bias=False, weight tying, GPT-2 init) in PyTorch; returns
    ``model`` with ``model(idx, targets) -> loss``."""
    import math

    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    c, h, n_layer, v, t = (cfg["n_embd"], cfg["n_head"], cfg["n_layer"], cfg["vocab_size"],
                           cfg["block_size"])

    class Block(nn.Module):   # nanoGPT's block (bias=False), written out
        def __init__(self):
            super().__init__()
            self.ln_1 = nn.LayerNorm(c, bias=False)
            self.c_attn = nn.Linear(c, 3 * c, bias=False)
            self.attn_proj = nn.Linear(c, c, bias=False)
            self.ln_2 = nn.LayerNorm(c, bias=False)
            self.c_fc = nn.Linear(c, 4 * c, bias=False)
            self.mlp_proj = nn.Linear(4 * c, c, bias=False)

        def forward(self, x):
            b, tt, _ = x.shape
            q, k, vv = self.c_attn(self.ln_1(x)).split(c, dim=2)
            q, k, vv = (z.view(b, tt, h, c // h).transpose(1, 2) for z in (q, k, vv))
            y = F.scaled_dot_product_attention(q, k, vv, is_causal=True)
            x = x + self.attn_proj(y.transpose(1, 2).contiguous().view(b, tt, c))
            return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte = nn.Embedding(v, c)
            self.wpe = nn.Embedding(t, c)
            self.h = nn.ModuleList([Block() for _ in range(n_layer)])
            self.ln_f = nn.LayerNorm(c, bias=False)
            self.head = nn.Linear(c, v, bias=False)
            self.head.weight = self.wte.weight

        def forward(self, idx, tgt):
            x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
            for blk in self.h:
                x = blk(x)
            logits = self.head(self.ln_f(x))
            return F.cross_entropy(logits.view(-1, v), tgt.view(-1))

    model = Model()
    for name, p in model.named_parameters():      # GPT-2 init, as nanoGPT
        if p.dim() == 2:
            std = 0.02 / math.sqrt(2 * n_layer) if name.endswith(("attn_proj.weight",
                                                                 "mlp_proj.weight")) else 0.02
            nn.init.normal_(p, 0.0, std)
    return model


def _torch_worker(threads: int):
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = torch_gpt()
    v, t = CFG["vocab_size"], CFG["block_size"]
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                             {"params": no_decay, "weight_decay": 0.0}], lr=1e-3,
                            betas=(0.9, 0.99))
    x = torch.randint(0, v, (BATCH, t))
    y = torch.randint(0, v, (BATCH, t))

    def step():
        loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    return step, f"torch {torch.__version__}"


def worker_main(kind: str, threads: int) -> int:
    """Line protocol on stdin/stdout: "run N" → JSON list of N step times; "quit"."""
    if kind == "torch":
        step, label = _torch_worker(threads)
    else:
        step, label = _tinyllm_worker(kind.split("-", 1)[1])
    for _ in range(5):        # warm up: JIT compile (cached), allocator, BLAS buffers
        step()
    print(json.dumps({"ready": label}), flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == "quit":
            break
        times = []
        for _ in range(int(cmd[1])):
            t0 = time.perf_counter()
            step()
            times.append(time.perf_counter() - t0)
        print(json.dumps(times), flush=True)
    return 0


def _thread_env(threads: int) -> dict:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "NUMBA_NUM_THREADS"):
        env[var] = str(threads)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else 0.5 * (xs[n // 2 - 1] + xs[n // 2])


def race(kinds, rounds: int, steps: int, threads: int) -> dict:
    procs = {}
    for k in kinds:
        # "kind@VAR=value,VAR=value" runs a worker with extra environment settings
        name, _, extra = k.partition("@")
        env = _thread_env(threads)
        env.update(dict(kv.split("=", 1) for kv in extra.split(",") if kv))
        procs[k] = subprocess.Popen([sys.executable, __file__, "--worker", name, "--threads",
                                     str(threads)], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, text=True, env=env)
    labels = {}
    for k, p in procs.items():
        line = p.stdout.readline()
        if not line:
            raise RuntimeError(f"bench_gpt: worker {k} failed to start")
        labels[k] = json.loads(line)["ready"]
    times = {k: [] for k in kinds}
    per_round = {k: [] for k in kinds}
    for r in range(rounds):
        order = kinds if r % 2 == 0 else list(reversed(kinds))  # no fixed position bias
        for k in order:
            procs[k].stdin.write(f"run {steps}\n")
            procs[k].stdin.flush()
            ts = json.loads(procs[k].stdout.readline())
            times[k] += ts
            per_round[k].append(_median(ts))
    for p in procs.values():
        p.stdin.write("quit\n")
        p.stdin.flush()
        p.wait(timeout=60)
    return {"labels": labels, "times": times, "per_round": per_round}


# ----- generation ----------------------------------------------------------------------------
def generation_speed(new_tokens: int = 256, prompt_len: int = 16, repeats: int = 3) -> dict:
    """Tokens/s of greedy decoding with and without the KV cache (tinyllm, current backend)."""
    import numpy as np

    import tinyllm as tl
    from tinyllm.infer import generate
    from tinyllm.models import GPT, GPTConfig

    tl.manual_seed(0)
    cfg = dict(CFG, block_size=prompt_len + new_tokens)
    model = GPT(GPTConfig(**cfg))
    model.eval()
    prompt = np.random.default_rng(0).integers(0, cfg["vocab_size"], prompt_len)
    out, same = {}, None
    for use_cache in (True, False):
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            ids = generate(model, prompt, new_tokens, use_cache=use_cache)
            best = min(best, time.perf_counter() - t0)
        out["cached" if use_cache else "uncached"] = {"seconds": best,
                                                      "tokens_per_s": new_tokens / best}
        same = ids if same is None else bool(np.array_equal(same, ids))
    out["speedup"] = out["uncached"]["seconds"] / out["cached"]["seconds"]
    out["identical_tokens"] = same
    out["config"] = {**cfg, "prompt_len": prompt_len, "new_tokens": new_tokens}
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--extra", nargs="*", default=[],
                    help="more workers to race, e.g. tinyllm-numba@NUMBA_NUM_THREADS=1")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--json", default=os.path.join(HERE, "results", "bench_gpt.json"))
    args = ap.parse_args(argv)
    if args.worker == "generation":
        print(json.dumps(generation_speed()))
        return 0
    if args.worker:
        return worker_main(args.worker, args.threads)

    kinds = ["tinyllm-numba", "tinyllm-numpy"]
    if not args.no_torch:
        import importlib.util

        if importlib.util.find_spec("torch") is not None:
            kinds.append("torch")
        else:
            print("PyTorch not installed: racing tinyllm's backends only")
    kinds += args.extra
    res = race(kinds, args.rounds, args.steps, args.threads)
    flops = step_flops()
    rows = {}
    for k in kinds:
        med = _median(res["times"][k])
        rows[k] = {"label": res["labels"][k], "step_ms_median": 1e3 * med,
                   "step_ms_min": 1e3 * min(res["times"][k]),
                   "tokens_per_s": BATCH * CFG["block_size"] / med,
                   "gflops_per_s": flops / med / 1e9,
                   "per_round_ms": [1e3 * t for t in res["per_round"][k]]}

    def ratio(a, b):   # median over rounds of (b's step time / a's): > 1 means a is faster
        return _median([tb / ta for ta, tb in zip(res["per_round"][a], res["per_round"][b])])

    ratios = {"numba_speedup_over_numpy": ratio("tinyllm-numba", "tinyllm-numpy")}
    if "torch" in kinds:
        ratios["numba_speedup_over_torch"] = ratio("tinyllm-numba", "torch")
        ratios["numpy_speedup_over_torch"] = ratio("tinyllm-numpy", "torch")

    gen = json.loads(subprocess.run(
        [sys.executable, __file__, "--worker", "generation"], capture_output=True, text=True,
        check=True, env=_thread_env(args.threads)).stdout.strip().splitlines()[-1])

    out = {"benchmark": "bench_gpt", "config": {**CFG, "batch_size": BATCH},
           "threads": args.threads, "rounds": args.rounds, "steps_per_round": args.steps,
           "step_gflop": flops / 1e9, "train_step": rows, "ratios": ratios, "generation": gen,
           "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(),
                       "python": platform.python_version(),
                       "loadavg_at_end": os.getloadavg()}}
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w", encoding="utf-8") as fh:
        json.dump(out, fh, indent=2)

    print(f"GPT training step (B={BATCH}, T={CFG['block_size']}, C={CFG['n_embd']}, "
          f"{CFG['n_layer']} layers, {flops / 1e9:.2f} GFLOP/step), {args.threads} threads, "
          f"{args.rounds}×{args.steps} steps each, interleaved\n")
    print("| implementation | step ms (median) | step ms (min) | tokens/s | GFLOP/s |")
    print("|---|---:|---:|---:|---:|")
    for k, r in rows.items():
        print(f"| {r['label'] if k == 'torch' else k} | {r['step_ms_median']:.1f} | "
              f"{r['step_ms_min']:.1f} | {r['tokens_per_s']:,.0f} | {r['gflops_per_s']:.1f} |")
    print()
    for k, v in ratios.items():
        print(f"{k}: {v:.2f}×")
    print(f"\ngreedy generation of {gen['config']['new_tokens']} tokens: cached "
          f"{gen['cached']['tokens_per_s']:.0f} tok/s, uncached "
          f"{gen['uncached']['tokens_per_s']:.0f} tok/s → {gen['speedup']:.1f}× "
          f"(identical tokens: {gen['identical_tokens']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
