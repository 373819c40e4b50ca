"""Byte-level BPE: GPT-2 byte ids, hand-worked merges, parity with a naive trainer,
lossless round trips, special tokens, GPT-2 file format and corrupt files."""

import json
from collections import Counter

import pytest

from tinyllm.data import story_corpus
from tinyllm.text import BPETokenizer, bytes_to_unicode

TORTURE = ("Hello, wörld! 👍🏽👨‍👩‍👧 日本語のテキスト 한국어 e\u0301 Z\u0351\u0361a\u0327l "
           "\x00NUL\x00 tab\tnew\nline\r\n  two  spaces ½ ² Ⅻ ٣ 𝔘𝔫𝔦 \ufeff\u200b "
           "it's they'll x__y ... <|endoftext|> end")


def test_bytes_to_unicode_is_gpt2s_map():
    m = bytes_to_unicode()
    assert len(m) == 256 and len(set(m.values())) == 256
    assert m[ord("a")] == "a" and m[32] == "Ġ" and m[10] == "Ċ" and m[0] == "Ā"
    assert list(m)[:3] == [33, 34, 35]  # GPT-2's id order: printable bytes first


def test_fresh_tokenizer_uses_gpt2_byte_ids():
    tok = BPETokenizer()
    assert len(tok) == 256
    assert tok.encode("!") == [0] and tok.encode("a") == [64] and tok.encode(" ") == [220]
    assert tok.decode([64, 220, 0]) == "a !"


def test_pretokenize_follows_gpt2_pattern():
    tok = BPETokenizer()
    assert tok.pretokenize("Hello world's 123!! a  b") == [
        "Hello", " world", "'s", " 123", "!!", " a", " ", " b"]
    assert tok.pretokenize("x__y") == ["x", "__", "y"]
    assert "".join(tok.pretokenize(TORTURE)) == TORTURE


def test_hand_worked_training():
    # words: "ab" ×1 and " ab" ×2 → pairs (a,b)=3, (Ġ,a)=2 → merge a+b first;
    # then (Ġ,ab)=2 → merge; then no pair is left.
    tok = BPETokenizer().train(["ab ab ab"], vocab_size=300)
    assert tok.merges == [("a", "b"), ("Ġ", "ab")]
    assert len(tok) == 258 and tok.vocab["ab"] == 256 and tok.vocab["Ġab"] == 257
    assert tok.encode("ab ab") == [256, 257]
    assert tok.tokenize("ab abab b") == ["ab", "Ġab", "ab", "Ġ", "b"]


def test_min_frequency_and_exact_vocab_size():
    tok = BPETokenizer().train(["ab ab ab"], vocab_size=300, min_frequency=3)
    assert tok.merges == [("a", "b")]
    big = BPETokenizer(special_tokens=["<|endoftext|>"]).train(story_corpus(n_stories=30),
                                                               vocab_size=400)
    assert len(big) == 400 and big.special_tokens == {"<|endoftext|>": 399}


def naive_bpe(text: str, n_merges: int, pattern) -> list[tuple[str, str]]:
    """The textbook trainer: recount every pair after every merge (slow, obviously right).
    Ties go to the smallest (left id, right id), as in BPETokenizer."""
    m = bytes_to_unicode()
    ids = {c: i for i, c in enumerate(m.values())}
    strs = list(m.values())
    words = Counter(tuple(ids[m[b]] for b in w.encode()) for w in pattern.findall(text))
    merges = []
    for _ in range(n_merges):
        pairs = Counter()
        for w, f in words.items():
            for p in zip(w, w[1:]):
                pairs[p] += f
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        if pairs[best] < 2:
            break
        new = len(strs)
        strs.append(strs[best[0]] + strs[best[1]])
        merges.append((strs[best[0]], strs[best[1]]))
        nxt = Counter()
        for w, f in words.items():
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and (w[i], w[i + 1]) == best:
                    out.append(new)
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            nxt[tuple(out)] += f
        words = nxt
    return merges


def test_incremental_training_equals_naive_training():
    text = story_corpus(n_stories=25, seed=3) + " aaaa aaa aa a 1111 11 ..."
    tok = BPETokenizer().train([text], vocab_size=256 + 120)
    assert tok.merges == naive_bpe(text, 120, tok._re)


@pytest.mark.parametrize("text", [TORTURE, "", " ", "\x00", "🙂" * 5, "a" * 1000,
                                  "Ω≈ç√∫˜µ≤≥÷", "\U0010FFFF\ue000"])
def test_round_trip_is_lossless(text):
    tok = BPETokenizer(special_tokens=["<|endoftext|>"]).train(
        [story_corpus(n_stories=20), TORTURE], vocab_size=350)
    ids = tok.encode(text)
    assert tok.decode(ids) == text
    assert tok.decode(tok.encode(text, allow_special=False)) == text


def test_special_tokens_are_never_split():
    tok = BPETokenizer(special_tokens=["<|endoftext|>"]).train(
        ["hi there <|endoftext|> hi again"] * 5, vocab_size=280)
    eot = tok.special_tokens["<|endoftext|>"]
    ids = tok.encode("hi<|endoftext|>there")
    assert ids.count(eot) == 1
    assert eot not in tok.encode("hi<|endoftext|>there", allow_special=False)
    # No learned merge contains a piece of the special token's text.
    assert not any("endoftext" in a + b for a, b in tok.merges)


def test_save_load_and_gpt2_format(tmp_path):
    tok = BPETokenizer(special_tokens=["<|endoftext|>"]).train(
        [story_corpus(n_stories=20)], vocab_size=320)
    tok.save(tmp_path / "tok.json")
    back = BPETokenizer.load(tmp_path / "tok.json")
    assert back.vocab == tok.vocab and back.merges == tok.merges
    assert back.encode(TORTURE) == tok.encode(TORTURE)
    vocab_path, merges_path = tok.save_gpt2(tmp_path / "gpt2")
    assert merges_path.read_text().splitlines()[0] == "#version: 0.2"
    g = BPETokenizer.from_gpt2(vocab_path, merges_path)
    assert g.special_tokens == {"<|endoftext|>": 319}  # inferred: not a byte, not a merge
    assert g.encode(TORTURE) == tok.encode(TORTURE)
    assert BPETokenizer.from_pretrained(tmp_path / "gpt2").merges == tok.merges


def _write_gpt2(d, vocab, merges):
    (d / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    (d / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n",
                                  encoding="utf-8")
    return d / "vocab.json", d / "merges.txt"


def test_hand_written_gpt2_files(tmp_path):
    vocab = {c: i for i, c in enumerate(bytes_to_unicode().values())}
    vocab.update({"Ġt": 256, "he": 257, "Ġthe": 258, "<|endoftext|>": 259})
    v, m = _write_gpt2(tmp_path, vocab, ["Ġ t", "h e", "Ġt he"])
    tok = BPETokenizer.from_gpt2(v, m)
    assert tok.encode(" the<|endoftext|>the") == [258, 259, 83, 257]
    assert tok.decode([258, 259]) == " the<|endoftext|>"


def test_corrupt_files_give_clear_errors(tmp_path):
    vocab = {c: i for i, c in enumerate(bytes_to_unicode().values())}
    v, m = _write_gpt2(tmp_path, vocab, ["a b"])  # "ab" is not in the vocabulary
    with pytest.raises(ValueError, match="merge 0"):
        BPETokenizer.from_gpt2(v, m)
    v, m = _write_gpt2(tmp_path, {"a": 0, "b": 1}, [])
    with pytest.raises(ValueError, match="256 byte symbols"):
        BPETokenizer.from_gpt2(v, m)
    v, m = _write_gpt2(tmp_path, vocab, ["onlyone"])
    with pytest.raises(ValueError, match="left right"):
        BPETokenizer.from_gpt2(v, m)
    (tmp_path / "vocab.json").write_bytes(b"\xff\xfe{not json")
    with pytest.raises(ValueError, match="cannot parse"):
        BPETokenizer.from_gpt2(tmp_path / "vocab.json", m)
    (tmp_path / "bad.json").write_text('{"type": "Other"}')
    with pytest.raises(ValueError, match="not a BPETokenizer"):
        BPETokenizer.load(tmp_path / "bad.json")


def test_bad_input():
    tok = BPETokenizer()
    with pytest.raises(TypeError, match="BPETokenizer.encode"):
        tok.encode(None)
    with pytest.raises(TypeError, match="BPETokenizer.encode"):
        tok.encode(b"bytes")
    with pytest.raises(ValueError, match="lone surrogate"):
        tok.encode("a\ud800b")
    with pytest.raises(ValueError, match="id 999"):
        tok.decode([1, 999])
    with pytest.raises(TypeError, match=r"ids\[0\]"):
        tok.decode([1.5])
    with pytest.raises(ValueError, match="empty"):
        BPETokenizer().train([], vocab_size=300)
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        BPETokenizer().train(["a", 3], vocab_size=300)
    with pytest.raises(ValueError, match="smaller than the 256 bytes"):
        BPETokenizer().train(["abc"], vocab_size=100)
