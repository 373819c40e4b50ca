"""Classic preprocessing (book 2.2) and the character tokenizer."""

import pytest

from tinyllm.text import (
    STOP_WORDS,
    CharTokenizer,
    clean_text,
    lemmatize,
    lowercase,
    preprocess,
    remove_punctuation,
    remove_stop_words,
    word_tokenize,
)


def test_clean_text():
    raw = "<p>Visit https://example.com/x?y=1 or mail me@ex.org</p>\x00  Ｆｕｌｌ ﬁne\u00a0!"
    assert clean_text(raw) == "Visit or mail Full fine !"
    assert clean_text("a <b>b</b>", remove_html=False) == "a <b>b</b>"


def test_lowercase_punctuation_tokenize():
    assert lowercase("ÀB Straße") == "àb straße"
    assert remove_punctuation("e-mail! «quoted» $5 don't") == "email quoted 5 dont"
    assert remove_punctuation("don't 'quote'", keep_apostrophes=True) == "don't quote"
    assert word_tokenize("It's 2 o’clock, isn't it?") == ["It's", "2", "o'clock", "isn't",
                                                          "it"]


def test_stop_words():
    assert {"the", "not", "is", "and"} <= STOP_WORDS and "movie" not in STOP_WORDS
    assert remove_stop_words(["The", "movie", "is", "not", "good"]) == ["movie", "good"]
    with pytest.raises(TypeError, match="tokenize first"):
        remove_stop_words("the movie")


@pytest.mark.parametrize("word,lemma", [
    ("running", "run"), ("stopped", "stop"), ("making", "make"), ("hoping", "hope"),
    ("studies", "study"), ("tried", "try"), ("classes", "class"), ("boxes", "box"),
    ("watches", "watch"), ("cats", "cat"), ("bus", "bus"), ("analysis", "analysis"),
    ("played", "play"), ("agreed", "agree"), ("liked", "like"), ("falling", "fall"),
    ("went", "go"), ("mice", "mouse"), ("children", "child"), ("better", "good"),
    ("Walked", "walk"), ("string", "string"), ("sing", "sing"),
])
def test_lemmatize(word, lemma):
    assert lemmatize(word) == lemma


def test_preprocess_pipeline_and_what_it_loses():
    text = "<b>The children were running</b> to https://x.com and weren't happy!"
    assert preprocess(text) == ["child", "run", "happy"]
    # The erratum in one line: the classic pipeline erases the negation.
    assert preprocess("The movie is not good.") == preprocess("The movie is good.") == [
        "movie", "good"]
    assert preprocess("The movie is not good.", stop_words=False) == [
        "the", "movie", "be", "not", "good"]


def test_preprocess_bad_input():
    for f in (clean_text, lowercase, remove_punctuation, word_tokenize, lemmatize, preprocess):
        with pytest.raises(TypeError, match=f.__name__):
            f(None)


def test_char_tokenizer():
    tok = CharTokenizer().fit("hello world")
    assert tok.itos == [" ", "d", "e", "h", "l", "o", "r", "w"]
    assert tok.encode("hold") == [3, 5, 4, 1]
    assert tok.decode([3, 2, 4, 4, 5]) == "hello"
    with pytest.raises(ValueError, match="'z' is not in the alphabet"):
        tok.encode("zoo")
    unk = CharTokenizer(unk_token="<unk>").fit(["ab", "ba"])
    assert unk.itos == ["<unk>", "a", "b"] and unk.encode("abc") == [1, 2, 0]
    back = CharTokenizer.from_json(unk.to_json())
    assert back.itos == unk.itos and back.encode("abc") == [1, 2, 0]
    emoji = CharTokenizer().fit("日本👍\x00")
    assert emoji.decode(emoji.encode("👍日\x00")) == "👍日\x00"


def test_char_tokenizer_bad_input():
    with pytest.raises(ValueError, match="empty"):
        CharTokenizer().fit([])
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        CharTokenizer().fit(["a", 1])
    with pytest.raises(ValueError, match="outside the vocabulary"):
        CharTokenizer("ab").decode([2])
    with pytest.raises(TypeError, match="CharTokenizer.encode"):
        CharTokenizer("ab").encode(None)
    with pytest.raises(RuntimeError, match="call fit first"):
        CharTokenizer().encode("a")
    with pytest.raises(ValueError, match="not a CharTokenizer"):
        CharTokenizer.from_json("[1, 2]")
