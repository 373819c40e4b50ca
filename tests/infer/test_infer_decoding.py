"""Decoding: cache parity, beam search, sampling filters (support + chi-square), stops,
batching, streaming, perplexity, bad input."""

import itertools
import math

import numpy as np
import pytest

import tinyllm as tl
from tinyllm.autograd.tensor import Tensor
from tinyllm.infer import (
    KVCache,
    apply_repetition_penalty,
    generate,
    perplexity,
    sampling_probs,
    stream,
    stream_text,
)
from tinyllm.models import GPT, GPTConfig
from tinyllm.text import CharTokenizer


def _gpt(block_size=48, seed=0):
    tl.manual_seed(seed)
    m = GPT(GPTConfig(vocab_size=23, block_size=block_size, n_layer=2, n_head=2, n_embd=16))
    m.eval()
    return m


class _Config:
    def __init__(self, vocab_size, block_size):
        self.vocab_size, self.block_size = vocab_size, block_size


class BigramModel:
    """A fake language model: logits of the next token depend on the last token only,
    through a fixed table — so every decoding result can be computed by hand."""

    training = False

    def __init__(self, table):
        self.table = np.asarray(table, dtype=np.float32)
        self.config = _Config(self.table.shape[0], 64)

    def eval(self):
        return self

    def train(self, mode=True):
        return self

    def __call__(self, idx, attention_mask=None, position_ids=None, last_only=False, **kw):
        idx = np.asarray(idx)
        out = self.table[idx]                               # (B, T, V)
        return Tensor(out[:, -1:] if last_only else out)


# ----- cache parity and beam search on a real GPT -----------------------------------------
def test_cached_and_uncached_greedy_are_identical():
    m = _gpt()
    prompts = np.array([[1, 2, 3, 4, 5], [9, 8, 7, 6, 5]])
    a = generate(m, prompts, 30, use_cache=False)
    b = generate(m, prompts, 30, use_cache=True)
    assert a.shape == (2, 35)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a[:, :5], prompts)


def test_cache_parity_beyond_block_size():
    m = _gpt(block_size=12)
    a = generate(m, [3, 1, 4, 1, 5], 25, use_cache=False)
    b = generate(m, [3, 1, 4, 1, 5], 25, use_cache=True)
    assert len(a) == 30
    np.testing.assert_array_equal(a, b)


def test_cached_logits_equal_full_forward():
    m = _gpt()
    ids = np.array([[4, 8, 15, 16, 23 % 23, 42 % 23, 7]])
    full = m(ids).data
    cache = KVCache.for_model(m, 1)
    with tl.no_grad():
        first = m(ids[:, :4], cache=cache).data
        steps = [m(ids[:, t:t + 1], cache=cache).data for t in range(4, 7)]
    np.testing.assert_allclose(np.concatenate([first] + steps, axis=1), full, atol=1e-5)
    assert cache.length == 7


def test_beam_width_one_equals_greedy():
    m = _gpt()
    prompts = np.array([[1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(generate(m, prompts, 20, num_beams=1),
                                  generate(m, prompts, 20))
    # the beam-search code path itself with one beam
    from tinyllm.infer import beam_search

    ids, mask = prompts, np.ones_like(prompts, dtype=bool)
    out = beam_search(m, ids, mask, 20, num_beams=1)
    np.testing.assert_array_equal(np.array(out), generate(m, prompts, 20)[:, 3:])


def test_beam_search_cached_equals_uncached():
    m = _gpt()
    a = generate(m, [[1, 2], [3, 4, 5]], 10, num_beams=3, use_cache=False)
    b = generate(m, [[1, 2], [3, 4, 5]], 10, num_beams=3, use_cache=True)
    assert a == b


def test_beam_search_finds_the_most_likely_sequence():
    r = np.random.default_rng(0)
    table = r.standard_normal((5, 5)) * 2
    m = BigramModel(table)
    lp = table - np.log(np.exp(table).sum(1, keepdims=True))
    best = max(itertools.product(range(5), repeat=3),
               key=lambda s: lp[2, s[0]] + lp[s[0], s[1]] + lp[s[1], s[2]])
    out = generate(m, [2], 3, num_beams=25, use_cache=False)    # 25 beams = exhaustive
    assert tuple(out[1:]) == best
    greedy = generate(m, [2], 3, use_cache=False)
    assert len(greedy) == 4


def test_beam_search_stops_at_eos_and_length_penalty():
    # from token 0 the model prefers eos (4) right away; from others it continues
    table = np.full((5, 5), -3.0)
    table[0, 4] = 2.0
    table[0, 1] = 1.5
    table[1, 2] = 5.0
    table[2, 3] = 5.0
    table[3, 1] = 5.0
    m = BigramModel(table)
    short = generate(m, [0], 6, num_beams=2, eos_token_id=4, length_penalty=0.0,
                     early_stopping=True, use_cache=False)
    assert list(short) == [0, 4]
    # a strong length reward keeps the long, nearly certain continuation instead
    long = generate(m, [0], 6, num_beams=2, eos_token_id=4, length_penalty=3.0,
                    use_cache=False)
    assert list(long) == [0, 1, 2, 3, 1, 2, 3]


# ----- stops, batching, streaming -------------------------------------------------------------
def _cycle_table(v=6):
    t = np.full((v, v), -5.0)
    for i in range(v):
        t[i, (i + 1) % v] = 5.0
    return t


def test_greedy_on_known_model_and_stop_token():
    m = BigramModel(_cycle_table())
    np.testing.assert_array_equal(generate(m, [0], 8, use_cache=False),
                                  [0, 1, 2, 3, 4, 5, 0, 1, 2])
    np.testing.assert_array_equal(generate(m, [0], 8, eos_token_id=3, use_cache=False),
                                  [0, 1, 2, 3])
    # rows stop independently; finished rows are padded
    out = generate(m, [[0], [2]], 4, stop_token_ids=[3], pad_token_id=-1, use_cache=False)
    assert out == [[0, 1, 2, 3], [2, 3]]
    arr = generate(m, np.array([[0], [2]]), 4, stop_token_ids=[3], pad_token_id=9,
                   use_cache=False)
    np.testing.assert_array_equal(arr, [[0, 1, 2, 3], [2, 3, 9, 9]])


def test_stop_strings():
    tok = CharTokenizer("abcdef")
    m = BigramModel(_cycle_table())
    out = generate(m, tok.encode("a"), 10, stop_strings=["de"], tokenizer=tok, use_cache=False)
    assert tok.decode(out) == "abcde"
    with pytest.raises(ValueError, match="tokenizer"):
        generate(m, [0], 3, stop_strings=["x"], use_cache=False)


def test_batched_prompts_of_different_lengths_equal_single_runs():
    m = _gpt()
    prompts = [[5, 6, 7, 8, 9, 10], [1, 2], [3, 3, 3, 3]]
    batched = generate(m, prompts, 12)
    for p, row in zip(prompts, batched):
        single = generate(m, np.array(p), 12)
        assert row == list(single)
    assert generate(m, prompts, 12, use_cache=False) == batched


def test_streaming_yields_the_generated_tokens():
    m = _gpt()
    steps = list(stream(m, [[1, 2, 3]], 10))
    assert len(steps) == 10 and all(s.shape == (1,) for s in steps)
    full = generate(m, [1, 2, 3], 10)
    np.testing.assert_array_equal(np.concatenate(steps), full[3:])
    tok = CharTokenizer("abcdefghijklmnopqrstuvw")
    pieces = list(stream_text(m, tok, "bcd", 10))            # ids 1, 2, 3
    assert len(pieces) == 10
    assert "".join(pieces) == tok.decode([int(i) for i in full[3:]])


# ----- sampling filters -------------------------------------------------------------------------
P = np.array([0.4, 0.25, 0.15, 0.1, 0.06, 0.04])
LOGITS = np.log(P)


def test_filters_by_hand():
    np.testing.assert_allclose(sampling_probs(LOGITS, top_k=2)[0],
                               [0.4 / 0.65, 0.25 / 0.65, 0, 0, 0, 0])
    # nucleus 0.65: mass before tokens = 0, .4, .65 → keep the first two
    np.testing.assert_allclose(sampling_probs(LOGITS, top_p=0.65)[0],
                               [0.4 / 0.65, 0.25 / 0.65, 0, 0, 0, 0])
    np.testing.assert_allclose(sampling_probs(LOGITS, top_p=0.66)[0],
                               np.r_[P[:3] / 0.8, 0, 0, 0])
    # min_p 0.3: keep p ≥ 0.12
    np.testing.assert_allclose(sampling_probs(LOGITS, min_p=0.3)[0], np.r_[P[:3] / 0.8, 0, 0, 0])
    t = sampling_probs(LOGITS, temperature=0.5)[0]
    np.testing.assert_allclose(t, P ** 2 / (P ** 2).sum())
    np.testing.assert_allclose(sampling_probs(LOGITS, top_p=1.0)[0], P)


def test_repetition_penalty_by_hand():
    z = np.array([[2.0, -1.0, 0.5]])
    out = apply_repetition_penalty(z, np.array([[True, True, False]]), 2.0)
    np.testing.assert_allclose(out, [[1.0, -2.0, 0.5]])


# 0.999 quantiles of the chi-square distribution (df = 1…5)
CHI2_999 = {1: 10.828, 2: 13.816, 3: 16.266, 4: 18.467, 5: 20.515}


def _draws(kw, n=6000, seed=0):
    m = BigramModel(np.tile(LOGITS, (6, 1)))
    out = generate(m, np.zeros((n, 1), dtype=np.int64), 1, do_sample=True, use_cache=False,
                   rng=np.random.default_rng(seed), **kw)
    return out[:, 1]


@pytest.mark.parametrize("kw,allowed", [
    (dict(top_k=3), [0, 1, 2]),
    (dict(top_p=0.5), [0, 1]),
    (dict(top_p=0.7, temperature=1.5), [0, 1, 2]),
    (dict(min_p=0.2), [0, 1, 2, 3]),
    (dict(top_k=5, top_p=0.9), [0, 1, 2, 3]),
])
def test_sampling_support_and_chi_square(kw, allowed):
    draws = _draws(kw)
    assert set(np.unique(draws)) <= set(allowed)      # never a token outside the set
    assert set(np.unique(draws)) == set(allowed)      # and every allowed token shows up
    probs = sampling_probs(LOGITS, **kw)[0]
    assert np.all(probs[[i for i in range(6) if i not in allowed]] == 0)
    counts = np.bincount(draws, minlength=6)[allowed]
    expected = probs[allowed] * len(draws)
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    assert chi2 < CHI2_999[len(allowed) - 1], (counts, expected, chi2)


def test_sampling_is_reproducible_with_seed():
    m = _gpt()
    a = generate(m, [1, 2], 15, do_sample=True, top_k=5, rng=np.random.default_rng(7))
    b = generate(m, [1, 2], 15, do_sample=True, top_k=5, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
    tl.manual_seed(3)
    c = generate(m, [1, 2], 15, do_sample=True, top_p=0.9)
    tl.manual_seed(3)
    d = generate(m, [1, 2], 15, do_sample=True, top_p=0.9, use_cache=False)
    np.testing.assert_array_equal(c, d)


def test_temperature_zero_is_greedy():
    m = _gpt()
    np.testing.assert_array_equal(generate(m, [4, 5], 10, do_sample=True, temperature=0.0),
                                  generate(m, [4, 5], 10))


# ----- bad input --------------------------------------------------------------------------------
def test_bad_input_errors():
    m = _gpt(block_size=8)
    with pytest.raises(ValueError, match="block_size is 8"):
        generate(m, list(range(9)), 3)
    with pytest.raises(ValueError, match="empty prompt"):
        generate(m, [], 3)
    with pytest.raises(ValueError, match="empty prompt"):
        generate(m, [[1, 2], []], 3)
    for p in (0.0, -0.1, 1.5):
        with pytest.raises(ValueError, match="top_p"):
            generate(m, [1], 3, do_sample=True, top_p=p)
    for t in (-1.0, float("nan")):
        with pytest.raises(ValueError, match="temperature"):
            generate(m, [1], 3, do_sample=True, temperature=t)
    with pytest.raises(ValueError, match="top_k"):
        generate(m, [1], 3, do_sample=True, top_k=0)
    with pytest.raises(ValueError, match="num_beams"):
        generate(m, [1], 3, num_beams=0)
    with pytest.raises(ValueError, match="max_new_tokens"):
        generate(m, [1], -1)
    with pytest.raises(ValueError, match="repetition_penalty"):
        generate(m, [1], 3, repetition_penalty=0.0)
    cache = KVCache.for_model(m, 1, max_len=4)
    with pytest.raises(ValueError, match="max_len"):
        with tl.no_grad():
            m(np.array([[1, 2, 3, 4, 5]]), cache=cache)


# ----- perplexity -------------------------------------------------------------------------------
def test_perplexity_of_uniform_model_is_vocab_size():
    m = BigramModel(np.zeros((7, 7)))
    m.config.block_size = 10
    ids = np.arange(40) % 7
    assert perplexity(m, ids) == pytest.approx(7.0)
    res = perplexity(m, ids, stride=3, return_nll=True)
    assert res["tokens"] == 39 and res["nll"] == pytest.approx(math.log(7))


def test_perplexity_matches_loss_on_one_window():
    m = _gpt()
    ids = np.array([1, 5, 2, 7, 3, 9, 4, 11, 6, 0])
    with tl.no_grad():
        _, loss = m(ids[None, :-1], ids[None, 1:])
    assert perplexity(m, ids) == pytest.approx(math.exp(loss.item()), rel=1e-5)
    # sliding windows score every token exactly once
    long = np.random.default_rng(0).integers(0, 23, 150)
    assert perplexity(m, long, stride=16, return_nll=True)["tokens"] == 149
