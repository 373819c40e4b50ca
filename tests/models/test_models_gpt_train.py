"""GPT training driver and CLI: the loss falls on the built-in corpus, checkpoints and
loss curves are written, and the generate/perplexity commands read them back."""

import math

import numpy as np
import pytest

from tinyllm.data.corpus import story_corpus
from tinyllm.models import GPT
from tinyllm.models.gpt_cli import generate_main, load_for_inference, perplexity_main, train_main
from tinyllm.models.gpt_train import get_batch, train_gpt

TINY = dict(n_layer=2, n_head=2, n_embd=32, block_size=32, batch_size=8, eval_iters=4,
            warmup_iters=10, learning_rate=3e-3, sample_tokens=20, progress=False)


def test_training_loss_falls_on_builtin_corpus(tmp_path):
    logs = []
    res = train_gpt(text=story_corpus(n_chars=40_000), max_iters=120, eval_interval=60,
                    out_dir=str(tmp_path), log=logs.append, **TINY)
    h = res.history
    assert h["iter"] == [0, 60, 120]
    # starts near ln(vocab) (uniform guess), ends far below it
    assert h["val_loss"][0] == pytest.approx(math.log(res.tokenizer.vocab_size), abs=0.15)
    assert h["val_loss"][-1] < 0.75 * h["val_loss"][0]
    assert res.best_val_loss == min(h["val_loss"])
    assert len(h["step_loss"]) == 120 and h["lr"][9] == pytest.approx(3e-3 * 10 / 11)
    for name in ("best.safetensors", "best.json", "tokenizer.json", "loss.png"):
        assert (tmp_path / name).is_file()
    assert any(line.startswith("sample: ") for line in logs)
    model, tok = load_for_inference(tmp_path)
    assert isinstance(model, GPT) and tok.vocab_size == res.tokenizer.vocab_size


def test_get_batch_targets_are_shifted_inputs():
    tokens = np.arange(100)
    x, y = get_batch(tokens, 5, 7, np.random.default_rng(0))
    assert x.shape == y.shape == (5, 7)
    np.testing.assert_array_equal(y, x + 1)
    np.testing.assert_array_equal(np.diff(x, axis=1), 1)
    with pytest.raises(ValueError, match="too few"):
        get_batch(np.arange(5), 2, 8)


def test_train_gpt_bad_arguments():
    with pytest.raises(ValueError, match="tokenizer"):
        train_gpt(text="abc" * 100, tokenizer="words", max_iters=1)
    with pytest.raises(ValueError, match="split"):
        train_gpt(text="abcdefgh" * 5, block_size=32, max_iters=1, progress=False)
    with pytest.raises(ValueError, match="max_iters"):
        train_gpt(text="abc" * 100, max_iters=0)
    with pytest.raises(FileNotFoundError, match="not found"):
        train_gpt(data="/nonexistent/file.txt", max_iters=1)


def test_cli_train_generate_perplexity(tmp_path, capsys):
    data = tmp_path / "text.txt"
    data.write_text(story_corpus(n_chars=20_000), encoding="utf-8")
    out = tmp_path / "run"
    rc = train_main(["--data", str(data), "--out-dir", str(out), "--max-iters", "20",
                     "--eval-interval", "10", "--eval-iters", "2", "--n-layer", "1",
                     "--n-embd", "16", "--n-head", "2", "--block-size", "16",
                     "--sample-tokens", "0", "--no-progress", "--no-bias", "--grad-clip", "0",
                     "--beta1", "0.8", "--weight-decay", "0"])
    assert rc == 0 and (out / "best.json").is_file()
    model, _ = load_for_inference(out)
    assert model.config.bias is False and model.transformer.h[0].attn.c_attn.bias is None
    capsys.readouterr()
    for strategy in ("greedy", "top-k", "top-p", "min-p", "beam"):
        rc = generate_main(["--ckpt", str(out), "--prompt", "Once", "--max-new-tokens", "12",
                            "--strategy", strategy])
        text = capsys.readouterr().out
        assert rc == 0 and text.startswith("Once") and len(text) == len("Once") + 12 + 1
    # greedy output is the same with and without the cache
    generate_main(["--ckpt", str(out), "--prompt", "The", "--strategy", "greedy"])
    a = capsys.readouterr().out
    generate_main(["--ckpt", str(out), "--prompt", "The", "--strategy", "greedy", "--no-cache"])
    assert capsys.readouterr().out == a
    rc = perplexity_main(["--ckpt", str(out), "--data", str(data), "--max-chars", "3000"])
    line = capsys.readouterr().out
    assert rc == 0 and line.startswith("perplexity ")
    assert 1.0 < float(line.split()[1]) < 60.0
    # errors are reported, not raised
    assert generate_main(["--ckpt", str(tmp_path / "missing"), "--prompt", "x"]) == 2
    assert "tinyllm generate" in capsys.readouterr().err
