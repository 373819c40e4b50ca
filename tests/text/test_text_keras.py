"""Keras-equivalent Tokenizer and pad_sequences: outputs worked out by hand from Keras's
algorithm (stable sort by count, 1-based indices, index < num_words kept)."""

import json

import numpy as np
import pytest

from tinyllm.text import Tokenizer, pad_sequences, text_to_word_sequence, tokenizer_from_json

TEXTS = ["The cat sat on the mat.", "The dog ate my homework!", "My cat ate the fish"]


def fitted(**kw):
    tok = Tokenizer(**kw)
    tok.fit_on_texts(TEXTS)
    return tok


def test_word_index_is_by_frequency_then_first_seen():
    tok = fitted()
    # counts: the 4; cat, ate, my 2 (first seen in that order); the rest 1.
    assert tok.word_index == {"the": 1, "cat": 2, "ate": 3, "my": 4, "sat": 5, "on": 6,
                              "mat": 7, "dog": 8, "homework": 9, "fish": 10}
    assert tok.word_counts["the"] == 4 and tok.word_counts["fish"] == 1
    assert tok.word_docs["the"] == 3 and tok.word_docs["cat"] == 2
    assert tok.index_word[3] == "ate"
    assert tok.document_count == 3


def test_texts_to_sequences_drops_unknown_words():
    tok = fitted()
    assert tok.texts_to_sequences(["the cat ate a fish", "Dog!! my HOMEWORK"]) == [
        [1, 2, 3, 10], [8, 4, 9]]


def test_num_words_keeps_indices_below_the_cutoff():
    tok = fitted(num_words=4)
    assert tok.texts_to_sequences(["the cat ate a fish", "dog my homework"]) == [[1, 2, 3], []]
    assert len(tok.word_index) == 10  # word_index itself is never cut, as in Keras


def test_oov_token_gets_index_1_and_replaces_unknown_and_cut_words():
    tok = fitted(oov_token="<OOV>")
    assert tok.word_index["<OOV>"] == 1 and tok.word_index["the"] == 2
    assert tok.word_index["fish"] == 11
    assert tok.texts_to_sequences(["the cat ate a fish"]) == [[2, 3, 4, 1, 11]]
    tok5 = fitted(oov_token="<OOV>", num_words=5)
    assert tok5.texts_to_sequences(["the cat ate a fish", "dog my homework"]) == [
        [2, 3, 4, 1, 1], [1, 1, 1]]
    assert tok5.sequences_to_texts([[2, 3, 4, 1, 11]]) == ["the cat ate <OOV> <OOV>"]


def test_sequences_to_texts_drops_unknown_ids():
    tok = fitted()
    assert tok.sequences_to_texts([[1, 2, 99, 3], np.array([10, 0])]) == ["the cat ate", "fish"]


def test_filters_lower_split_and_char_level():
    assert text_to_word_sequence("Hello, World!\tbye") == ["hello", "world", "bye"]
    tok = Tokenizer(lower=False, filters="", split=",")
    tok.fit_on_texts(["a,B,B", "c"])
    assert tok.word_index == {"B": 1, "a": 2, "c": 3}
    ch = Tokenizer(char_level=True)
    ch.fit_on_texts(["abba"])
    assert ch.word_index == {"a": 1, "b": 2}
    assert ch.texts_to_sequences(["Bad"]) == [[2, 1]]


def test_prepared_word_lists_are_accepted():
    tok = Tokenizer()
    tok.fit_on_texts([["New York", "is", "big"], ["New York"]])
    assert tok.word_index == {"new york": 1, "is": 2, "big": 3}


def test_texts_to_matrix_modes():
    tok = fitted()
    m = tok.texts_to_matrix(["the the cat"], mode="count")
    assert m.shape == (1, 11) and m[0, 1] == 2 and m[0, 2] == 1 and m.sum() == 3
    b = tok.texts_to_matrix(["the the cat"], mode="binary")
    assert b[0, 1] == 1 and b.sum() == 2
    f = tok.texts_to_matrix(["the the cat"], mode="freq")
    np.testing.assert_allclose(f[0, [1, 2]], [2 / 3, 1 / 3])
    t = tok.texts_to_matrix(["the the cat"], mode="tfidf")
    # the: tf = 1 + ln 2, df = 3 → idf = ln(1 + 3/4); cat: tf = 1, df = 2 → ln(1 + 3/3)
    np.testing.assert_allclose(t[0, [1, 2]], [(1 + np.log(2)) * np.log(1.75), np.log(2.0)])


def test_json_round_trip_matches_keras_layout():
    tok = fitted(num_words=7, oov_token="<unk>")
    s = tok.to_json()
    d = json.loads(s)
    assert d["class_name"] == "Tokenizer"
    assert json.loads(d["config"]["word_index"])["the"] == 2
    back = tokenizer_from_json(s)
    assert back.word_index == tok.word_index and back.index_word == tok.index_word
    assert back.num_words == 7 and back.oov_token == "<unk>"
    assert back.texts_to_sequences(["the fish"]) == tok.texts_to_sequences(["the fish"])
    with pytest.raises(ValueError, match="Tokenizer.from_json"):
        Tokenizer.from_json('{"config": 3}')


def test_book_listing_flow():
    train = ["I love this movie", "This movie is terrible", "Great film", "Awful plot"]
    tok = Tokenizer()
    tok.fit_on_texts(train)
    padded = pad_sequences(tok.texts_to_sequences(train), maxlen=10)
    assert padded.shape == (4, 10) and padded.dtype == np.int32
    # this 1, movie 2 (count 2 each), then i, love, is, terrible, great, film, awful, plot
    np.testing.assert_array_equal(padded[0], [0] * 6 + [3, 4, 1, 2])
    np.testing.assert_array_equal(padded[3], [0] * 8 + [9, 10])


@pytest.mark.parametrize("bad", [None, "just one string", 42, [1, 2], ["ok", None]])
def test_fit_rejects_bad_input(bad):
    with pytest.raises(TypeError, match="Tokenizer.fit_on_texts"):
        Tokenizer().fit_on_texts(bad)


def test_empty_and_unfitted_errors():
    with pytest.raises(ValueError, match="empty"):
        Tokenizer().fit_on_texts([])
    with pytest.raises(RuntimeError, match="fit_on_texts first"):
        Tokenizer().texts_to_sequences(["a"])
    assert fitted().texts_to_sequences([]) == []
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        fitted().texts_to_sequences(["a", None])
    with pytest.raises(ValueError, match="num_words"):
        Tokenizer(num_words=0)


SEQS = [[1, 2, 3], [4, 5], [6, 7, 8, 9, 10]]


def test_pad_defaults_pre_padding_to_longest():
    out = pad_sequences(SEQS)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, [[0, 0, 1, 2, 3], [0, 0, 0, 4, 5], [6, 7, 8, 9, 10]])


@pytest.mark.parametrize("padding,truncating,maxlen,expected", [
    ("pre", "pre", 3, [[1, 2, 3], [0, 4, 5], [8, 9, 10]]),
    ("post", "post", 3, [[1, 2, 3], [4, 5, 0], [6, 7, 8]]),
    ("pre", "post", 4, [[0, 1, 2, 3], [0, 0, 4, 5], [6, 7, 8, 9]]),
    ("post", "pre", 4, [[1, 2, 3, 0], [4, 5, 0, 0], [7, 8, 9, 10]]),
])
def test_pad_padding_and_truncating(padding, truncating, maxlen, expected):
    out = pad_sequences(SEQS, maxlen=maxlen, padding=padding, truncating=truncating)
    np.testing.assert_array_equal(out, expected)


def test_pad_value_dtype_empty_rows_and_item_shapes():
    out = pad_sequences([[1.5], []], maxlen=2, dtype="float32", value=-1.0, padding="post")
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[1.5, -1.0], [-1.0, -1.0]])
    vec = pad_sequences([np.ones((2, 3)), np.ones((1, 3))], dtype="float64")
    assert vec.shape == (2, 2, 3) and vec[1, 0].sum() == 0 and vec[1, 1].sum() == 3
    assert pad_sequences([], maxlen=4).shape == (0, 4)


def test_pad_bad_input():
    with pytest.raises(ValueError, match="maxlen"):
        pad_sequences(SEQS, maxlen=0)
    with pytest.raises(ValueError, match="maxlen"):
        pad_sequences([])
    with pytest.raises(ValueError, match="padding"):
        pad_sequences(SEQS, padding="middle")
    with pytest.raises(ValueError, match="truncating"):
        pad_sequences(SEQS, truncating="both")
    with pytest.raises(TypeError, match=r"sequences\[1\]"):
        pad_sequences([[1], None])
    with pytest.raises(TypeError, match="pad_sequences"):
        pad_sequences(None)
    with pytest.raises(TypeError, match=r"sequences\[0\]"):
        pad_sequences([["a", "b"]])
    with pytest.raises(ValueError, match="shape"):
        pad_sequences([np.ones((1, 3)), np.ones((1, 2))])
