"""``tinyllm train-gpt | generate | perplexity``: the GPT from the command line.

    tinyllm train-gpt --data ../shared/data/tinyshakespeare/input.txt --out-dir runs/shakespeare
    tinyllm generate --ckpt runs/shakespeare --prompt "ROMEO:" --strategy top-p --top-p 0.9
    tinyllm perplexity --ckpt runs/shakespeare --data some.txt
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

STRATEGIES = ("greedy", "sample", "top-k", "top-p", "min-p", "beam")


def _backend(name):
    if name:
        from ..kernels import set_backend

        set_backend(name)


def train_main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="tinyllm train-gpt",
                                 description="Pretrain a GPT on a text file (defaults: nanoGPT's "
                                             "Shakespeare-char CPU quick start).")
    ap.add_argument("--data", help="UTF-8 text file (default: the built-in story corpus)")
    ap.add_argument("--tokenizer", choices=("char", "bpe"), default="char")
    ap.add_argument("--bpe-vocab-size", type=int, default=512)
    ap.add_argument("--out-dir", default=os.path.join("runs", "gpt"))
    ap.add_argument("--n-layer", type=int, default=4)
    ap.add_argument("--n-head", type=int, default=4)
    ap.add_argument("--n-embd", type=int, default=128)
    ap.add_argument("--block-size", type=int, default=64)
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--no-bias", action="store_true",
                    help="no biases in Linear/LayerNorm layers (nanoGPT's quick start)")
    ap.add_argument("--batch-size", type=int, default=12)
    ap.add_argument("--max-iters", type=int, default=2000)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--min-lr", type=float, default=1e-4)
    ap.add_argument("--warmup-iters", type=int, default=100)
    ap.add_argument("--lr-decay-iters", type=int, default=None)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--beta1", type=float, default=0.9)
    ap.add_argument("--beta2", type=float, default=0.99)
    ap.add_argument("--grad-clip", type=float, default=1.0, help="0 turns clipping off")
    ap.add_argument("--eval-interval", type=int, default=250)
    ap.add_argument("--eval-iters", type=int, default=20)
    ap.add_argument("--sample-tokens", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--backend", choices=("numba", "numpy"))
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)
    _backend(args.backend)
    from .gpt_train import train_gpt

    try:
        res = train_gpt(data=args.data, tokenizer=args.tokenizer, out_dir=args.out_dir,
                        n_layer=args.n_layer, n_head=args.n_head, n_embd=args.n_embd,
                        block_size=args.block_size, dropout=args.dropout,
                        bias=not args.no_bias,
                        batch_size=args.batch_size, max_iters=args.max_iters,
                        learning_rate=args.lr, min_lr=args.min_lr,
                        warmup_iters=args.warmup_iters, lr_decay_iters=args.lr_decay_iters,
                        weight_decay=args.weight_decay, beta1=args.beta1, beta2=args.beta2,
                        grad_clip=args.grad_clip, eval_interval=args.eval_interval,
                        eval_iters=args.eval_iters, bpe_vocab_size=args.bpe_vocab_size,
                        seed=args.seed, sample_tokens=args.sample_tokens,
                        progress=not args.no_progress)
    except (ValueError, FileNotFoundError) as e:
        print(f"tinyllm train-gpt: {e}", file=sys.stderr)
        return 2
    print(f"best checkpoint: {res.checkpoint} (val loss {res.best_val_loss:.4f}); loss curves: "
          f"{os.path.join(args.out_dir, 'loss.png')}")
    return 0


def load_for_inference(ckpt):
    """(model in eval mode, tokenizer) from a train-gpt output directory or checkpoint."""
    from .gpt import GPT
    from .gpt_train import load_tokenizer

    path = os.fspath(ckpt)
    if os.path.isdir(path) and os.path.isfile(os.path.join(path, "best.json")):
        path = os.path.join(path, "best")
    model, state = GPT.load(path)
    model.eval()
    tok_path = os.path.join(os.path.dirname(path) or ".", state.get("tokenizer",
                                                                     "tokenizer.json"))
    if not os.path.isfile(tok_path):
        raise FileNotFoundError(f"no tokenizer next to the checkpoint (looked for {tok_path!r})")
    return model, load_tokenizer(tok_path)


def _generate_args(argv):
    ap = argparse.ArgumentParser(prog="tinyllm generate",
                                 description="Stream text from a GPT checkpoint.")
    ap.add_argument("--ckpt", required=True, help="train-gpt output dir or checkpoint prefix")
    ap.add_argument("--prompt", default="\n")
    ap.add_argument("--max-new-tokens", type=int, default=200)
    ap.add_argument("--strategy", choices=STRATEGIES, default="sample")
    ap.add_argument("--temperature", type=float, default=0.8)
    ap.add_argument("--top-k", type=int, default=50)
    ap.add_argument("--top-p", type=float, default=0.9)
    ap.add_argument("--min-p", type=float, default=0.05)
    ap.add_argument("--num-beams", type=int, default=4)
    ap.add_argument("--length-penalty", type=float, default=1.0)
    ap.add_argument("--repetition-penalty", type=float, default=1.0)
    ap.add_argument("--stop", action="append", default=None, help="stop string (repeatable)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-cache", action="store_true")
    ap.add_argument("--backend", choices=("numba", "numpy"))
    return ap.parse_args(argv)


def strategy_kwargs(args) -> dict:
    """The generate() options a --strategy name stands for."""
    kw = {"repetition_penalty": args.repetition_penalty}
    if args.strategy == "greedy":
        return kw
    if args.strategy == "beam":
        return {**kw, "num_beams": args.num_beams, "length_penalty": args.length_penalty}
    kw.update(do_sample=True, temperature=args.temperature)
    if args.strategy == "top-k":
        kw["top_k"] = args.top_k
    elif args.strategy == "top-p":
        kw["top_p"] = args.top_p
    elif args.strategy == "min-p":
        kw["min_p"] = args.min_p
    return kw


def generate_main(argv=None) -> int:
    args = _generate_args(argv)
    _backend(args.backend)
    from ..infer import generate, stream_text
    from ..rng import manual_seed

    try:
        model, tok = load_for_inference(args.ckpt)
        manual_seed(args.seed)
        kw = strategy_kwargs(args)
        out = sys.stdout
        out.write(args.prompt)
        out.flush()
        if args.strategy == "beam":      # beams change until the end: print the winner
            ids = generate(model, tok.encode(args.prompt), args.max_new_tokens,
                           use_cache=not args.no_cache, stop_strings=args.stop, tokenizer=tok,
                           **kw)
            out.write(tok.decode([int(i) for i in ids[len(tok.encode(args.prompt)):]]))
        else:
            for piece in stream_text(model, tok, args.prompt, args.max_new_tokens,
                                     use_cache=not args.no_cache, stop_strings=args.stop, **kw):
                out.write(piece)
                out.flush()
        out.write("\n")
    except (ValueError, FileNotFoundError) as e:
        print(f"tinyllm generate: {e}", file=sys.stderr)
        return 2
    return 0


def perplexity_main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="tinyllm perplexity",
                                 description="Perplexity of a GPT checkpoint on a text file.")
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--data", required=True, help="UTF-8 text file")
    ap.add_argument("--stride", type=int, default=None,
                    help="window step (default block_size: disjoint windows)")
    ap.add_argument("--max-chars", type=int, default=None, help="use only the first N chars")
    ap.add_argument("--backend", choices=("numba", "numpy"))
    args = ap.parse_args(argv)
    _backend(args.backend)
    from ..infer import perplexity

    try:
        model, tok = load_for_inference(args.ckpt)
        with open(args.data, encoding="utf-8") as fh:
            text = fh.read()
        if args.max_chars:
            text = text[:args.max_chars]
        ids = np.asarray(tok.encode(text), dtype=np.int64)
        res = perplexity(model, ids, stride=args.stride, return_nll=True)
    except (ValueError, FileNotFoundError) as e:
        print(f"tinyllm perplexity: {e}", file=sys.stderr)
        return 2
    print(f"perplexity {res['perplexity']:.4f}  (mean NLL {res['nll']:.4f} nats/token over "
          f"{res['tokens']:,} tokens)")
    return 0
