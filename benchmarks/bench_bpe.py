"""Benchmark: byte-level BPE training and encoding, and the Keras-style Tokenizer.

Trains a 1,000-token BPE vocabulary on tiny Shakespeare (1.1 MB) several times and
reports the median; also times encoding the whole text, and ``Tokenizer.fit_on_texts`` +
``texts_to_sequences`` + ``pad_sequences`` on SST-2's 67k training sentences.
Prints a table and writes ``benchmarks/results/bench_bpe.json``.

    python benchmarks/bench_bpe.py [--runs 5] [--vocab-size 1000]
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tinyllm.data import DataNotFoundError, load_sst2, load_tinyshakespeare  # noqa: E402
from tinyllm.text import BPETokenizer, Tokenizer, pad_sequences  # noqa: E402


def timed(fn, runs: int) -> tuple[list[float], object]:
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return times, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--vocab-size", type=int, default=1000)
    args = ap.parse_args()
    rows = []
    try:
        text = load_tinyshakespeare()
    except DataNotFoundError as e:
        print(f"skipping: {e}")
        return
    times, tok = timed(lambda: BPETokenizer().train(text, args.vocab_size), args.runs)
    rows.append({"name": f"BPE train vocab={args.vocab_size} on tiny Shakespeare",
                 "input_chars": len(text), "runs": args.runs,
                 "median_s": statistics.median(times), "min_s": min(times),
                 "max_s": max(times), "merges": len(tok.merges)})

    def encode_fresh():
        tok._cache.clear()
        return tok.encode(text)

    times, ids = timed(encode_fresh, args.runs)
    assert tok.decode(ids) == text
    rows.append({"name": "BPE encode tiny Shakespeare (cold cache)", "input_chars": len(text),
                 "runs": args.runs, "median_s": statistics.median(times),
                 "min_s": min(times), "max_s": max(times), "tokens": len(ids),
                 "chars_per_token": len(text) / len(ids)})
    try:
        texts, _ = load_sst2("train")
    except DataNotFoundError as e:
        print(f"skipping SST-2 rows: {e}")
        texts = None
    if texts is not None:
        def keras_pipeline():
            k = Tokenizer()
            k.fit_on_texts(texts)
            return pad_sequences(k.texts_to_sequences(texts), maxlen=50)

        times, padded = timed(keras_pipeline, args.runs)
        rows.append({"name": "Tokenizer fit + texts_to_sequences + pad (SST-2 train)",
                     "input_texts": len(texts), "runs": args.runs,
                     "median_s": statistics.median(times), "min_s": min(times),
                     "max_s": max(times), "shape": list(padded.shape)})

    print(f"{'benchmark':60s} {'median s':>9s} {'min s':>8s} {'max s':>8s}")
    for r in rows:
        print(f"{r['name']:60s} {r['median_s']:9.3f} {r['min_s']:8.3f} {r['max_s']:8.3f}")
    out = {"machine": {"platform": platform.platform(), "python": platform.python_version(),
                       "processor": platform.processor() or platform.machine(),
                       "cpu_count": os.cpu_count()},
           "results": rows}
    dest = ROOT / "benchmarks" / "results" / "bench_bpe.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {dest}")


if __name__ == "__main__":
    main()
