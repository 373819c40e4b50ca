"""Perplexity, token accuracy, BIO entity scores and BLEU, checked against hand counts."""

import math

import numpy as np
import pytest

from tinyllm.metrics import (
    bio_entities,
    corpus_bleu,
    entity_f1_score,
    entity_precision_recall_f1,
    perplexity,
    sentence_bleu,
    token_accuracy,
)

# ---------------------------------------------------------------- perplexity


def test_perplexity_values():
    assert perplexity(0.0) == 1.0  # perfect model
    assert perplexity(math.log(50)) == pytest.approx(50.0)  # uniform over 50 tokens
    assert perplexity([1.0, 2.0]) == pytest.approx(math.exp(1.5))
    # batches of 3 and 1 tokens: (3*1 + 1*2) / 4 = 1.25
    assert perplexity([1.0, 2.0], token_counts=[3, 1]) == pytest.approx(math.exp(1.25))
    assert perplexity(np.array([2.0, 2.0, 2.0])) == pytest.approx(math.exp(2.0))
    assert perplexity(-1e-9) == 1.0  # log-softmax round-off
    assert perplexity(1000.0) == math.inf


@pytest.mark.parametrize(
    "args, match",
    [
        (([],), "empty"),
        ((float("nan"),), "NaN"),
        ((-0.5,), "negative"),
        (([[1.0]],), "1-D"),
        (([1.0, 2.0], [1]), "1 token_counts for 2 losses"),
        (([1.0], [0]), "positive total"),
    ],
)
def test_perplexity_errors(args, match):
    with pytest.raises(ValueError, match=match):
        perplexity(*args)


# ---------------------------------------------------------------- BIO tags


def test_bio_entities_rules():
    assert bio_entities(["B-PER", "I-PER", "O", "B-LOC"]) == [("PER", 0, 2), ("LOC", 3, 4)]
    # I- without a preceding B- opens an entity (conlleval)
    assert bio_entities(["O", "I-MISC", "I-MISC", "O"]) == [("MISC", 1, 3)]
    assert bio_entities(["I-PER", "I-PER"]) == [("PER", 0, 2)]
    # adjacent entities: B- always starts a new one; a type change starts a new one
    assert bio_entities(["B-PER", "B-PER"]) == [("PER", 0, 1), ("PER", 1, 2)]
    assert bio_entities(["B-PER", "B-LOC"]) == [("PER", 0, 1), ("LOC", 1, 2)]
    assert bio_entities(["B-PER", "I-LOC", "I-LOC"]) == [("PER", 0, 1), ("LOC", 1, 3)]
    assert bio_entities(["O", "O"]) == []
    assert bio_entities(["B", "I", "O", "I"]) == [("", 0, 2), ("", 3, 4)]  # untyped tags
    with pytest.raises(ValueError, match="'E-PER' is not a BIO tag"):
        bio_entities(["E-PER"])
    with pytest.raises(TypeError, match="must be strings"):
        bio_entities([1, 2])


TRUE = ["B-PER", "I-PER", "O", "B-LOC", "I-LOC", "B-ORG"]
PRED = ["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-ORG"]
# true: PER(0,2) LOC(3,5) ORG(5,6); pred: PER(0,2) LOC(3,4) LOC(4,5) ORG(5,6)
# correct: PER, ORG -> P = 2/4, R = 2/3, F1 = 2*2/(4+3) = 4/7


def test_entity_scores_micro():
    p, r, f = entity_precision_recall_f1([TRUE], [PRED])
    assert (p, r) == (pytest.approx(0.5), pytest.approx(2 / 3))
    assert f == pytest.approx(4 / 7)
    assert entity_f1_score(TRUE, PRED) == pytest.approx(4 / 7)  # flat list = one sentence
    # token accuracy: only tags 4 and 5 differ -> 4/6, although entity F1 is 4/7
    assert token_accuracy([TRUE], [PRED]) == pytest.approx(4 / 6)


def test_entity_scores_per_type_and_averages():
    per_type = entity_precision_recall_f1([TRUE], [PRED], average=None)
    assert per_type == {"LOC": (0.0, 0.0, 0.0, 1), "ORG": (1.0, 1.0, 1.0, 1),
                        "PER": (1.0, 1.0, 1.0, 1)}
    p, r, f = entity_precision_recall_f1([TRUE], [PRED], average="macro")
    assert (p, r, f) == (pytest.approx(2 / 3), pytest.approx(2 / 3), pytest.approx(2 / 3))
    # weighted: supports LOC 1, ORG 1, PER 1 -> same as macro here; make PER heavier:
    t2, p2 = [TRUE, ["B-PER", "O"]], [PRED, ["B-PER", "O"]]
    # PER support 2 (both found), LOC 1 (missed), ORG 1: R = (0*1 + 1*1 + 1*2)/4 = 3/4
    assert entity_precision_recall_f1(t2, p2, average="weighted")[1] == pytest.approx(0.75)


def test_entities_do_not_cross_sentences():
    t = [["O", "B-PER"], ["I-PER", "O"]]
    p = [["O", "B-PER", "I-PER", "O"]]
    assert entity_f1_score(t, t) == 1.0
    # two sentences: PER(0:1,2) and PER(1:0,1) — not one entity spanning the boundary
    assert entity_precision_recall_f1(t, [["O", "B-PER"], ["B-PER", "O"]]) == (1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="2 true sequences but 1 predicted"):
        entity_f1_score(t, p)


def test_entity_edge_cases():
    # nothing predicted, nothing true: all 0/0 -> zero_division
    assert entity_precision_recall_f1([["O"]], [["O"]]) == (0.0, 0.0, 0.0)
    assert entity_precision_recall_f1([["O"]], [["O"]], zero_division=1) == (1.0, 1.0, 1.0)
    # predicted entities but none true: P = 0/1, R = 0/0
    assert entity_precision_recall_f1([["O"]], [["B-X"]]) == (0.0, 0.0, 0.0)
    # boundary must match exactly
    assert entity_f1_score(["B-PER", "I-PER"], ["B-PER", "O"]) == 0.0
    with pytest.raises(ValueError, match="sequence 0 has 2 true tags but 1 predicted"):
        entity_f1_score([["O", "O"]], [["O"]])


def test_token_accuracy_ignore_label():
    t = np.array([[1, 2, -100], [3, -100, -100]])
    p = np.array([[1, 0, 7], [3, 5, 5]])
    assert token_accuracy(t, p, ignore_label=-100) == pytest.approx(2 / 3)
    assert token_accuracy(t, p) == pytest.approx(2 / 6)
    with pytest.raises(ValueError, match="no tokens"):
        token_accuracy([[-100]], [[1]], ignore_label=-100)


# ---------------------------------------------------------------- BLEU

REF = "the cat is on the mat".split()
HYP = "the cat sat on the mat".split()
# clipped matches / hypothesis n-grams:
#   1-grams: the×2 cat on mat = 5/6      2-grams: "the cat" "on the" "the mat" = 3/5
#   3-grams: "on the mat" = 1/4          4-grams: none = 0/3
# c = r = 6 -> BP = exp(1 - 6/6) = 1


def test_bleu_perfect_match():
    assert sentence_bleu([REF], REF) == 1.0
    assert corpus_bleu([[REF], [HYP]], [REF, HYP]) == 1.0
    assert corpus_bleu([["the cat sat"]], ["the cat sat"], max_n=3) == 1.0  # str -> split
    # str hypothesis with two str references: "a b" matches the second
    assert sentence_bleu(["x y", "a b"], "a b", max_n=2) == 1.0


def test_bleu_known_ngram_counts():
    assert sentence_bleu([REF], HYP, max_n=1) == pytest.approx(5 / 6)
    assert sentence_bleu([REF], HYP, max_n=2) == pytest.approx(math.sqrt(5 / 6 * 3 / 5))
    assert sentence_bleu([REF], HYP, max_n=3) == pytest.approx(0.5)  # (5/6·3/5·1/4)^(1/3)
    assert sentence_bleu([REF], HYP) == 0.0  # no 4-gram match, unsmoothed
    # custom weights: 1-grams only through weights
    assert sentence_bleu([REF], HYP, weights=[1, 0, 0, 0]) == pytest.approx(5 / 6)


def test_bleu_smoothing():
    # epsilon: p4 = 0.1/3 -> (1/8 · 1/30)^(1/4)
    assert sentence_bleu([REF], HYP, smoothing="epsilon") == pytest.approx((1 / 240) ** 0.25)
    # add1 for n >= 2: 5/6 · 4/6 · 2/5 · 1/4 = 1/18
    assert sentence_bleu([REF], HYP, smoothing="add1") == pytest.approx((1 / 18) ** 0.25)
    # exp: first zero order gets 1/(2·3) -> 1/8 · 1/6 = 1/48
    assert sentence_bleu([REF], HYP, smoothing="exp") == pytest.approx((1 / 48) ** 0.25)


def test_bleu_clipping():
    # Papineni's example: 7 × "the" against a reference with 2 "the" -> 2/7 (not 7/7)
    hyp = ["the"] * 7
    assert sentence_bleu([REF], hyp, max_n=1) == pytest.approx(2 / 7)  # c=7 > r=6, BP=1
    # with two references, clip by the largest count in any one of them
    refs = [["the", "a"], ["the", "the", "the", "x"]]
    # c = 7; closest ref lengths 2 and 4 -> r = 4; p1 = 3/7
    assert sentence_bleu(refs, hyp, max_n=1) == pytest.approx(3 / 7)


def test_bleu_brevity_penalty():
    # "the cat" vs 6-token reference: p1 = 2/2, p2 = 1/1, BP = exp(1 - 6/2) = e^-2
    assert sentence_bleu([REF], ["the", "cat"], max_n=2) == pytest.approx(math.exp(-2))
    # closest reference length, ties to the shorter: c = 3, refs 2 and 4 -> r = 2, BP = 1
    assert sentence_bleu([["a", "b"], ["a", "b", "c", "d"]], ["a", "b", "c"],
                         max_n=1) == pytest.approx(1.0)
    # c = 3, refs 1 and 4 -> r = 4 (|3-4| < |3-1|), BP = exp(1 - 4/3)
    assert sentence_bleu([["a"], ["a", "b", "c", "d"]], ["a", "b", "c"],
                         max_n=1) == pytest.approx(math.exp(1 - 4 / 3))
    assert sentence_bleu([REF], [], max_n=1) == 0.0


def test_corpus_bleu_pools_counts():
    refs = [[["a", "b"]], [["c", "x", "y", "z"]]]
    hyps = [["a", "b"], ["c", "d", "e", "f"]]
    # pooled p1 = (2 + 1) / (2 + 4) = 1/2, c = r = 6; the mean of sentence scores would be 0.625
    assert corpus_bleu(refs, hyps, max_n=1) == pytest.approx(0.5)


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: corpus_bleu([[REF]], [HYP, HYP]), ValueError, "1 reference lists for 2"),
        (lambda: corpus_bleu([], []), ValueError, "no hypotheses"),
        (lambda: corpus_bleu([REF], [HYP]), TypeError, "wrap a single reference"),
        (lambda: corpus_bleu([[REF]], [HYP], max_n=0), ValueError, "max_n"),
        (lambda: corpus_bleu([[REF]], [HYP], weights=[1]), ValueError, "weights"),
        (lambda: corpus_bleu([[REF]], [HYP], smoothing="magic"), ValueError, "smoothing"),
        (lambda: corpus_bleu([[REF]], [5]), TypeError, "hypotheses\\[0\\]"),
        (lambda: corpus_bleu([["a b", 7]], ["a b"]), TypeError, "references\\[0\\]"),
    ],
)
def test_bleu_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
