"""SST-2 from scratch: an LSTM text classifier trained on SST-2's training phrases,
scored on SST-2 dev (GLUE's test split has no labels, so dev is the held-out set).

No pretrained embeddings: ``Tokenizer`` (Keras-style words) → :class:`LSTMClassifier`
(embedding → LSTM, both directions, max-pooled over the real tokens → linear), trained
with :class:`tinyllm.train.Trainer` (Adam, gradient clipping). Model selection (which
epoch's weights to keep) uses 5 % of the training phrases held out, never dev; dev is
scored once, at the end.

    python benchmarks/bench_sst2.py                 # the full run (minutes)
    python benchmarks/bench_sst2.py --fast          # a smoke run on 3,000 phrases

Prints a table and writes ``benchmarks/results/sst2.json``.
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
from tinyllm import optim  # noqa: E402
from tinyllm.data import DataNotFoundError, load_sst2  # noqa: E402
from tinyllm.metrics import accuracy, f1_score  # noqa: E402
from tinyllm.models.lstm_classifier import LSTMClassifier  # noqa: E402
from tinyllm.text import Tokenizer, pad_sequences  # noqa: E402
from tinyllm.train import EarlyStopping, Trainer, count_parameters  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--embed", type=int, default=128)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--dropout", type=float, default=0.3)
    ap.add_argument("--vocab", type=int, default=20000, help="keep the N-1 most frequent words")
    ap.add_argument("--unidirectional", action="store_true")
    ap.add_argument("--pooling", default="max", choices=["last", "mean", "max"])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--fast", action="store_true", help="3,000 training phrases, 1 epoch")
    ap.add_argument("--data", default=None, help="directory with train.tsv / dev.tsv")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "sst2.json"))
    ap.add_argument("--verbose", type=int, default=1)
    args = ap.parse_args(argv)

    t_start = time.perf_counter()
    try:
        train_texts, train_y = load_sst2("train", path=args.data)
        dev_texts, dev_y = load_sst2("dev", path=args.data)
    except DataNotFoundError as e:
        print(f"bench_sst2: SST-2 not found ({e}); skipping")
        return 0
    if args.fast:
        train_texts, train_y = train_texts[:3000], train_y[:3000]
        args.epochs = 1

    tok = Tokenizer(num_words=args.vocab, oov_token="<unk>")
    tok.fit_on_texts(train_texts)
    vocab = min(args.vocab, len(tok.word_index) + 1)

    def encode(texts):
        seqs = tok.texts_to_sequences(texts)
        return pad_sequences(seqs, maxlen=max(len(s) for s in seqs) or 1, padding="post",
                             dtype="int64")

    x_all, x_dev = encode(train_texts), encode(dev_texts)
    rng = np.random.default_rng(args.seed)
    order = rng.permutation(len(x_all))
    n_hold = max(1, len(order) // 20)
    hold, train = order[:n_hold], order[n_hold:]

    tl.manual_seed(args.seed)
    model = LSTMClassifier(vocab, embed_dim=args.embed, hidden_size=args.hidden, num_classes=2,
                           bidirectional=not args.unidirectional, dropout=args.dropout,
                           padding_idx=0, pooling=args.pooling)
    opt = optim.Adam(model.parameters(), lr=args.lr)
    trainer = Trainer(model, opt, "cross_entropy", metrics=["accuracy"], grad_clip=5.0,
                      seed=args.seed, verbose=args.verbose,
                      callbacks=[EarlyStopping(monitor="val_accuracy", patience=1,
                                               restore_best_weights=True)])
    t0 = time.perf_counter()
    history = trainer.fit((x_all[train], train_y[train]), (x_all[hold], train_y[hold]),
                          epochs=args.epochs, batch_size=args.batch_size)
    train_seconds = time.perf_counter() - t0
    pred = trainer.predict_labels(x_dev, batch_size=256)
    dev_acc, dev_f1 = accuracy(dev_y, pred), f1_score(dev_y, pred)
    total = time.perf_counter() - t_start

    result = {
        "benchmark": "sst2_lstm_from_scratch",
        "dev_accuracy": dev_acc, "dev_f1": dev_f1,
        "train_seconds": train_seconds, "wall_seconds": total,
        "epochs_run": len(history.epoch),
        "best_epoch": int(np.argmax(history["val_accuracy"])) + 1,
        "history": history.history,
        "n_train": int(len(train)), "n_holdout": int(n_hold), "n_dev": int(len(dev_y)),
        "parameters": count_parameters(model)["total"],
        "config": {k: v for k, v in vars(args).items() if k not in ("out", "data")},
        "backend": tl.get_backend(),
        "threads_env": {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS",
                                                       "OMP_NUM_THREADS",
                                                       "NUMBA_NUM_THREADS")},
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "processor": platform.processor() or platform.machine(),
                    "cpus": os.cpu_count(), "numpy": np.__version__},
    }
    print()
    print("| model | train phrases | epochs | params | dev accuracy | dev F1 | train time | "
          "wall time |")
    print("|---|---|---|---|---|---|---|---|")
    kind = "LSTM" if args.unidirectional else "BiLSTM"
    print(f"| {kind} {args.embed}/{args.hidden}, {args.pooling}-pool | {len(train):,} | "
          f"{len(history.epoch)} | {result['parameters']:,} | {dev_acc:.4f} | {dev_f1:.4f} | "
          f"{train_seconds:.0f} s | {total:.0f} s |")
    if not args.fast:
        os.makedirs(os.path.dirname(args.out), exist_ok=True)
        with open(args.out, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=1)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
