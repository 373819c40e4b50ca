"""The built-in corpus: deterministic, balanced, and labelled by its own rules."""

import re

import pytest

from tinyllm.data import sentiment_corpus, story_corpus
from tinyllm.data.corpus import NEG_ADJ, POS_ADJ


def test_sentiment_corpus_is_deterministic_balanced_distinct():
    x, y = sentiment_corpus(2000, seed=0)
    assert len(x) == 2000 and sum(y) == 1000 and len(set(x)) == 2000
    assert sentiment_corpus(2000, seed=0) == (x, y)
    assert sentiment_corpus(2000, seed=1)[0] != x
    assert all(s == s.lower() for s in x)


def _polarity(word):
    return 1 if word in POS_ADJ else 0 if word in NEG_ADJ else None


def test_labels_follow_negation_and_contrast():
    x, y = sentiment_corpus(4000, seed=0)
    negated = contrast = 0
    for s, label in zip(x, y):
        m = re.search(r", but .* (?:was|were|is|are) (?:\w+ )?(\w+)\.", s)
        if m and _polarity(m.group(1)) is not None:
            # "X was bad, but Y was great": the clause after "but" decides
            assert label == _polarity(m.group(1)), s
            contrast += 1
            continue
        m = re.search(r"(?:was|were|is|are) (?:not|never|hardly) (\w+)\.", s)
        if m and _polarity(m.group(1)) is not None and " but " not in s:
            assert label == 1 - _polarity(m.group(1)), s  # negation flips the adjective
            negated += 1
    assert negated > 50 and contrast > 50


def test_story_corpus():
    s = story_corpus()
    assert len(s) >= 300_000 and s == story_corpus()
    stories = s.strip().split("\n\n")
    assert len(stories) > 200 and all(st.endswith(('.', '"', '!')) for st in stories)
    assert story_corpus(n_stories=3, seed=5).count("\n\n") == 2
    assert len(story_corpus(n_chars=5000)) >= 5000
    assert '"' in s and "said" in s


def test_corpus_bad_input():
    with pytest.raises(ValueError, match="n must be"):
        sentiment_corpus(0)
    with pytest.raises(ValueError, match="not both"):
        story_corpus(n_stories=2, n_chars=10)
    with pytest.raises(ValueError, match="n_chars"):
        story_corpus(n_chars=-5)
