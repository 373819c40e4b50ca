"""Benchmark the kernels: Numba twin vs NumPy reference (vs PyTorch when installed).

Every case times a forward+backward pair (or one update) at a realistic size and
reports the median over repeated runs after a warm-up (the warm-up also triggers Numba
compilation, which is not timed). Prints a table and writes
``benchmarks/results/bench_kernels.json``.

    python benchmarks/bench_kernels.py            # all cases
    python benchmarks/bench_kernels.py --only lstm ce --repeat 50
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tinyllm.kernels as K  # noqa: E402

try:
    import torch

    torch.set_num_threads(2)
except ImportError:  # PyTorch is optional: its column is left empty
    torch = None

OUT = Path(__file__).resolve().parent / "results" / "bench_kernels.json"


def timings_ms(fn, repeat: int, warmup: int = 2) -> tuple[float, float]:
    """(median, minimum) wall time in ms; the minimum is the least disturbed run."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times), 1e3 * min(times)


def on(backend, fn):
    """fn run with the given kernel backend."""
    def run():
        with K.use_backend(backend):
            return fn()
    return run


# --- cases: each returns {label: callable}; "numba" and "numpy" always present ------------


def case_lstm(dt, rng):
    t, b, i, h = 64, 32, 64, 128
    x = rng.normal(size=(t, b, i)).astype(dt)
    h0 = np.zeros((b, h), dt)
    c0 = np.zeros((b, h), dt)
    w_ih = (rng.normal(size=(4 * h, i)) * 0.1).astype(dt)
    w_hh = (rng.normal(size=(4 * h, h)) * 0.1).astype(dt)
    bias = (rng.normal(size=4 * h) * 0.1).astype(dt)
    dhs = rng.normal(size=(t, b, h)).astype(dt)

    def ours():
        hs, cs, g = K.lstm_forward(x, h0, c0, w_ih, w_hh, bias)
        return K.lstm_backward(dhs, h0, c0, x, h0, c0, w_ih, w_hh, hs, cs, g)

    fns = {"numba": on("numba", ours), "numpy": on("numpy", ours)}
    if torch is not None:
        lstm = torch.nn.LSTM(i, h).to(getattr(torch, np.dtype(dt).name))
        xt = torch.from_numpy(x).requires_grad_(True)
        dt_h = torch.from_numpy(dhs)

        def torch_run():
            lstm.zero_grad(set_to_none=True)
            xt.grad = None
            out, _ = lstm(xt)
            out.backward(dt_h)

        fns["torch"] = torch_run
    return f"LSTM fwd+bwd T{t} B{b} I{i} H{h}", fns


def case_ce(dt, rng, n, c):
    logits = (rng.normal(size=(n, c)) * 2).astype(dt)
    targets = rng.integers(0, c, size=n)
    grad = np.full(n, 1.0 / n, dt)

    def ours():
        _, p = K.cross_entropy_forward(logits, targets, -100, 0.0)
        return K.cross_entropy_backward(p, targets, grad, -100, 0.0)

    fns = {"numba": on("numba", ours), "numpy": on("numpy", ours)}
    if torch is not None:
        lt = torch.from_numpy(logits).requires_grad_(True)
        tt = torch.from_numpy(targets)

        def torch_run():
            lt.grad = None
            torch.nn.functional.cross_entropy(lt, tt).backward()

        fns["torch"] = torch_run
    return f"cross-entropy fwd+bwd {n}x{c}", fns


def case_ln(dt, rng, n=768, d=384):
    x = rng.normal(size=(n, d)).astype(dt)
    w, b = rng.normal(size=d).astype(dt), rng.normal(size=d).astype(dt)
    dy = rng.normal(size=(n, d)).astype(dt)

    def ours():
        _, mean, rstd = K.layer_norm_forward(x, w, b, 1e-5)
        return K.layer_norm_backward(dy, x, w, mean, rstd)

    fns = {"numba": on("numba", ours), "numpy": on("numpy", ours)}
    if torch is not None:
        xt = torch.from_numpy(x).requires_grad_(True)
        wt = torch.from_numpy(w).requires_grad_(True)
        bt = torch.from_numpy(b).requires_grad_(True)
        dyt = torch.from_numpy(dy)

        def torch_run():
            xt.grad = wt.grad = bt.grad = None
            torch.nn.functional.layer_norm(xt, (d,), wt, bt, 1e-5).backward(dyt)

        fns["torch"] = torch_run
    return f"layer norm fwd+bwd {n}x{d}", fns


def case_gelu(dt, rng, approx, n=768, d=1536):
    x = rng.normal(size=(n, d)).astype(dt)
    dy = rng.normal(size=(n, d)).astype(dt)

    def ours():
        K.gelu_forward(x, approx)
        return K.gelu_backward(dy, x, approx)

    fns = {"numba": on("numba", ours), "numpy": on("numpy", ours)}
    if torch is not None:
        xt = torch.from_numpy(x).requires_grad_(True)
        dyt = torch.from_numpy(dy)

        def torch_run():
            xt.grad = None
            torch.nn.functional.gelu(xt, approximate=approx).backward(dyt)

        fns["torch"] = torch_run
    return f"GELU ({approx}) fwd+bwd {n}x{d}", fns


def case_embedding(dt, rng, v=20_000, d=64, n_ids=2048):
    ids = rng.integers(0, v, size=n_ids)
    dout = rng.normal(size=(n_ids, d)).astype(dt)

    def ours():
        return K.embedding_backward(ids, dout, v, None)

    def add_at():
        dw = np.zeros((v, d), dt)
        np.add.at(dw, ids, dout)
        return dw

    fns = {"numba": on("numba", ours), "numpy": on("numpy", ours), "np.add.at": add_at}
    if torch is not None:
        wt = torch.zeros((v, d), dtype=getattr(torch, np.dtype(dt).name), requires_grad=True)
        it = torch.from_numpy(ids)
        dot = torch.from_numpy(dout)

        def torch_run():
            wt.grad = None
            torch.nn.functional.embedding(it, wt).backward(dot)

        fns["torch"] = torch_run
    return f"embedding backward {v}x{d}, {n_ids} ids", fns


def case_attention(dt, rng, b=4, h=6, t=256, d=64):
    q, k, v = (rng.normal(size=(b, h, t, d)).astype(dt) for _ in range(3))
    dout = rng.normal(size=(b, h, t, d)).astype(dt)
    scale = 1.0 / np.sqrt(d)

    def ours():
        _, p = K.attention_forward(q, k, v, None, True, scale)
        return K.attention_backward(dout, q, k, v, p, scale)

    fns = {"numba": on("numba", ours), "numpy": on("numpy", ours)}
    if torch is not None:
        qt, kt, vt = (torch.from_numpy(a).requires_grad_(True) for a in (q, k, v))
        dot = torch.from_numpy(dout)

        def torch_run():
            qt.grad = kt.grad = vt.grad = None
            torch.nn.functional.scaled_dot_product_attention(qt, kt, vt, is_causal=True) \
                .backward(dot)

        fns["torch"] = torch_run
    return f"causal attention fwd+bwd B{b} H{h} T{t} D{d}", fns


def case_qkv_attention(dt, rng, b=12, h=4, t=64, d=32):
    """The GPT block's attention at the nanoGPT quick-start size, read from the fused qkv."""
    qkv = rng.normal(size=(b * t, 3 * h * d)).astype(dt)
    dy = rng.normal(size=(b * t, h * d)).astype(dt)

    def ours():
        _, p = K.qkv_attention_forward(qkv, h, t)
        return K.qkv_attention_backward(dy, qkv, p, h, t)

    fns = {"numba": on("numba", ours), "numpy": on("numpy", ours)}
    if torch is not None:
        xt = torch.from_numpy(qkv).requires_grad_(True)
        dyt = torch.from_numpy(dy)

        def torch_run():      # the same layout work as nanoGPT: split, view, transpose
            xt.grad = None
            q, k, v = (z.view(b, t, h, d).transpose(1, 2) for z in xt.split(h * d, dim=1))
            y = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
            y.transpose(1, 2).reshape(b * t, h * d).backward(dyt)

        fns["torch"] = torch_run
    return f"qkv attention fwd+bwd B{b} H{h} T{t} D{d}", fns


def case_adam(dt, rng, n=1_000_000):
    p = rng.normal(size=n).astype(dt)
    g = rng.normal(size=n).astype(dt)
    m, v = np.zeros_like(p), np.zeros_like(p)

    def ours():
        K.adam_update(p, g, m, v, 10, 1e-3, 0.9, 0.999, 1e-8, 0.01, True)

    fns = {"numba": on("numba", ours), "numpy": on("numpy", ours)}
    if torch is not None:
        pt = torch.nn.Parameter(torch.from_numpy(p.copy()))
        pt.grad = torch.from_numpy(g)
        opt = torch.optim.AdamW([pt], lr=1e-3, weight_decay=0.01, foreach=False)
        fns["torch"] = opt.step
    return f"AdamW update {n:,} params", fns


def case_matmul(dt, rng, n):
    a = rng.normal(size=(n, n)).astype(dt)
    b = rng.normal(size=(n, n)).astype(dt)
    fns = {
        "numba": on("numba", lambda: K.matmul_tiled(a, b)),
        "numpy": on("numpy", lambda: K.matmul_tiled(a, b)),
        "BLAS": lambda: np.matmul(a, b),
    }
    if torch is not None:
        at, bt = torch.from_numpy(a), torch.from_numpy(b)
        fns["torch"] = lambda: at @ bt
    return f"matmul_tiled {n}x{n}x{n}", fns


CASES = {
    "lstm": lambda dt, rng: [case_lstm(dt, rng)],
    "ce": lambda dt, rng: [case_ce(dt, rng, 768, 65), case_ce(dt, rng, 4096, 8192)],
    "ln": lambda dt, rng: [case_ln(dt, rng)],
    "gelu": lambda dt, rng: [case_gelu(dt, rng, "tanh"), case_gelu(dt, rng, "none")],
    "embedding": lambda dt, rng: [case_embedding(dt, rng)],
    "attention": lambda dt, rng: [case_attention(dt, rng)],
    "qkv_attention": lambda dt, rng: [case_qkv_attention(dt, rng)],
    "adam": lambda dt, rng: [case_adam(dt, rng)],
    "matmul": lambda dt, rng: [case_matmul(dt, rng, n) for n in (128, 256, 512, 1024, 2048)],
}


def machine() -> dict:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numba

    return {
        "cpu": cpu, "cores": os.cpu_count(), "platform": platform.platform(),
        "python": platform.python_version(), "numpy": np.__version__,
        "numba": numba.__version__, "numba_threads": numba.get_num_threads(),
        "torch": None if torch is None else torch.__version__,
        "torch_threads": None if torch is None else torch.get_num_threads(),
        "numba_threading_layer": _threading_layer(),
        "load_average_1_5_15": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def _threading_layer():
    import numba

    try:
        return numba.threading_layer()
    except ValueError:  # no parallel region has run yet
        return None


def markdown_table(result: dict) -> str:
    """The rows as a Markdown table (times in ms, ratios = other / numba)."""
    lines = ["| kernel (" + result["dtype"] + ") | numba ms | numpy ms | numpy/numba | "
             "other | torch ms | torch/numba |", "|---|---:|---:|---:|---|---:|---:|"]
    for row in result["rows"]:
        ms = row["ms"]
        extra = [n for n in ms if n not in ("numba", "numpy", "torch")]
        other = "; ".join(f"{n} {ms[n]:.3f} ms ({ms[n] / ms['numba']:.2f}x)" for n in extra)
        torch_ms = ms.get("torch")
        lines.append(
            f"| {row['label']} | {ms['numba']:.3f} | {ms['numpy']:.3f} | "
            f"{ms['numpy'] / ms['numba']:.2f}x | {other} | "
            + (f"{torch_ms:.3f} | {torch_ms / ms['numba']:.2f}x |" if torch_ms else "– | – |")
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", choices=sorted(CASES), help="cases to run")
    ap.add_argument("--repeat", type=int, default=30, help="timed runs per entry")
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    ap.add_argument("--out", type=Path, default=OUT, help="JSON file to write")
    args = ap.parse_args(argv)
    dt = np.dtype(args.dtype).type
    rng = np.random.default_rng(0)
    rows = []
    load_start = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    for key in args.only or list(CASES):
        for label, fns in CASES[key](dt, rng):
            repeat = args.repeat if "2048" not in label else max(3, args.repeat // 6)
            both = {name: timings_ms(fn, repeat) for name, fn in fns.items()}
            times = {name: med for name, (med, _) in both.items()}
            base = times["numba"]
            row = {"case": key, "label": label, "ms": times,
                   "min_ms": {name: low for name, (_, low) in both.items()},
                   "speedup_vs": {n: t / base for n, t in times.items() if n != "numba"}}
            rows.append(row)
            others = "  ".join(f"{n} {t:9.3f} ms ({t / base:5.2f}x)"
                               for n, t in times.items() if n != "numba")
            print(f"{label:44s} numba {base:9.3f} ms  {others}", flush=True)
    result = {"machine": machine(), "load_average_at_start": load_start,
              "dtype": args.dtype, "repeat": args.repeat,
              "note": "ms = median wall time; speedup_vs[x] = time(x) / time(numba)",
              "rows": rows}
    print(markdown_table(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
