"""A word tokenizer with the semantics of ``keras.preprocessing.text.Tokenizer``.

The book's LSTM listing (section 5) fits a Keras ``Tokenizer`` and pads with
``pad_sequences``; this module reproduces both so that listing runs unchanged on tinyllm.

How it works
------------
1. Split a text into words: lower-case it (``lower=True``), replace every character in
   ``filters`` by ``split``, split on ``split`` and drop empty pieces.
2. ``fit_on_texts`` counts words. ``word_index`` numbers them 1, 2, 3, … by descending
   count; ties keep the order in which the words were first seen (a stable sort). Index 0
   is never used: it is left for padding. If ``oov_token`` is set it gets index 1.
3. ``texts_to_sequences`` maps each word to its index. Words not in ``word_index`` are
   dropped, or mapped to the OOV index when ``oov_token`` is set. With ``num_words=N`` only
   indices ``1 … N-1`` are kept (the N-1 most frequent words, OOV included): others are
   dropped or become OOV, exactly as in Keras.
"""

from __future__ import annotations

import json
import re
from collections import Counter, OrderedDict

from ._checks import check_ids, check_texts

DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'


def text_to_word_sequence(text: str, filters: str = DEFAULT_FILTERS, lower: bool = True,
                          split: str = " ") -> list[str]:
    """Split ``text`` into words the Keras way (see the module docstring, step 1)."""
    if not isinstance(text, str):
        raise TypeError(f"text_to_word_sequence: text must be a str, got {type(text).__name__}")
    if lower:
        text = text.lower()
    if filters:
        text = text.translate(str.maketrans({c: split for c in filters}))
    return [w for w in text.split(split) if w]


class Tokenizer:
    """Keras-compatible word tokenizer.

    Args:
        num_words: keep only word indices ``< num_words`` when converting texts (``None``:
            keep all). ``word_index`` itself always holds every word seen.
        filters: characters replaced by ``split`` before splitting.
        lower: lower-case texts first.
        split: the separator.
        char_level: treat every character as a token.
        oov_token: if given, gets index 1 and replaces out-of-vocabulary words.
    """

    def __init__(self, num_words: int | None = None, filters: str = DEFAULT_FILTERS,
                 lower: bool = True, split: str = " ", char_level: bool = False,
                 oov_token: str | None = None, document_count: int = 0):
        if num_words is not None and (isinstance(num_words, bool) or not isinstance(num_words,
                                                                                     int)):
            raise TypeError(f"Tokenizer: num_words must be an int or None, got {num_words!r}")
        if num_words is not None and num_words < 1:
            raise ValueError(f"Tokenizer: num_words must be >= 1, got {num_words}")
        if not isinstance(split, str) or not split:
            raise ValueError(f"Tokenizer: split must be a non-empty str, got {split!r}")
        if oov_token is not None and not isinstance(oov_token, str):
            raise TypeError(f"Tokenizer: oov_token must be a str or None, got {oov_token!r}")
        self.num_words = num_words
        self.filters = filters or ""
        self.lower = bool(lower)
        self.split = split
        self.char_level = bool(char_level)
        self.oov_token = oov_token
        self.document_count = int(document_count)
        self.word_counts: OrderedDict[str, int] = OrderedDict()
        self.word_docs: OrderedDict[str, int] = OrderedDict()
        self.word_index: dict[str, int] = {}
        self.index_word: dict[int, str] = {}
        self.index_docs: dict[int, int] = {}
        self._table = str.maketrans({c: split for c in self.filters})
        # With a one-character separator, "replace filters by split, split, drop empty
        # pieces" is the same as "find maximal runs of other characters" — one C-level
        # regex pass, several times faster than translate + split on large corpora.
        self._word_re = (re.compile("[^" + re.escape(self.filters + split) + "]+")
                         if len(split) == 1 else None)

    # -- splitting ---------------------------------------------------------------------
    def _words(self, text, where: str, i: int) -> list[str]:
        if isinstance(text, str):
            if self.char_level:
                return list(text.lower() if self.lower else text)
            if self.lower:
                text = text.lower()
            if self._word_re is not None:
                return self._word_re.findall(text)
            return [w for w in text.translate(self._table).split(self.split) if w]
        if isinstance(text, (list, tuple)):
            # Keras accepts pre-split texts (a list of words) as well.
            for w in text:
                if not isinstance(w, str):
                    raise TypeError(f"{where}: texts[{i}] holds a {type(w).__name__}, "
                                    "expected str words")
            return [w.lower() for w in text] if self.lower else list(text)
        raise TypeError(f"{where}: texts[{i}] must be a str (or a list of str), "
                        f"got {type(text).__name__}")

    def _check(self, texts, where: str) -> list:
        if texts is None or isinstance(texts, (str, bytes)):
            # Reuse the shared message for the common mistakes.
            check_texts(texts, where)
        try:
            return list(texts)
        except TypeError:
            raise TypeError(f"{where}: texts must be a list of str, "
                            f"got {type(texts).__name__}") from None

    # -- fitting ---------------------------------------------------------------------
    def fit_on_texts(self, texts) -> Tokenizer:
        """Count words in ``texts`` and rebuild ``word_index`` (1-based, by frequency)."""
        texts = self._check(texts, "Tokenizer.fit_on_texts")
        if not texts:
            raise ValueError("Tokenizer.fit_on_texts: texts is empty; give at least one text")
        # Counter.update runs in C; a Counter keeps first-seen order like an OrderedDict.
        counts = Counter(self.word_counts)
        docs = Counter(self.word_docs)
        for i, text in enumerate(texts):
            seq = self._words(text, "Tokenizer.fit_on_texts", i)
            counts.update(seq)
            docs.update(set(seq))
        self.document_count += len(texts)
        self.word_counts = OrderedDict(counts)
        self.word_docs = OrderedDict(docs)
        # sorted() is stable, so equal counts keep first-seen order, as in Keras.
        ordered = sorted(counts.items(), key=lambda kv: kv[1], reverse=True)
        vocab = [] if self.oov_token is None else [self.oov_token]
        vocab.extend(w for w, _ in ordered if w != self.oov_token)
        self.word_index = {w: i for i, w in enumerate(vocab, start=1)}
        self.index_word = {i: w for w, i in self.word_index.items()}
        self.index_docs = {self.word_index[w]: c for w, c in docs.items()
                           if w in self.word_index}
        return self

    def _require_fitted(self, where: str) -> None:
        if not self.word_index:
            raise RuntimeError(f"{where}: the tokenizer has no vocabulary; "
                               "call fit_on_texts first")

    # -- converting ------------------------------------------------------------------
    def texts_to_sequences(self, texts) -> list[list[int]]:
        """Map each text to a list of word indices (see the module docstring, step 3)."""
        where = "Tokenizer.texts_to_sequences"
        texts = self._check(texts, where)
        self._require_fitted(where)
        index = self.word_index
        n = self.num_words
        oov = index.get(self.oov_token) if self.oov_token is not None else None
        if n:
            # Fold the cut-off into one lookup table: a word past the cut-off maps to OOV
            # (or is dropped), so the inner loop is a single dict lookup per word.
            index = {w: (i if i < n else oov) for w, i in index.items()}
        out = []
        for i, text in enumerate(texts):
            words = self._words(text, where, i)
            ids = [index.get(w, oov) for w in words]
            out.append([j for j in ids if j is not None] if None in ids else ids)
        return out

    def texts_to_sequences_generator(self, texts):
        """Yield ``texts_to_sequences([t])[0]`` for each text, lazily."""
        for t in texts:
            yield self.texts_to_sequences([t])[0]

    def sequences_to_texts(self, sequences) -> list[str]:
        """Map index lists back to space-joined words (inverse of ``texts_to_sequences``).

        Unknown indices are dropped (or shown as ``oov_token``); the same ``num_words``
        cut-off applies.
        """
        where = "Tokenizer.sequences_to_texts"
        if sequences is None or isinstance(sequences, (str, bytes)):
            raise TypeError(f"{where}: sequences must be a list of lists of int, "
                            f"got {type(sequences).__name__}")
        self._require_fitted(where)
        n = self.num_words
        oov_i = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        oov_w = self.index_word.get(oov_i) if oov_i is not None else None
        out = []
        for seq in sequences:
            words = []
            for j in check_ids(seq, where):
                w = self.index_word.get(j)
                if w is not None and not (n and j >= n):
                    words.append(w)
                elif oov_w is not None:
                    words.append(oov_w)
            out.append(" ".join(words))
        return out

    def texts_to_matrix(self, texts, mode: str = "binary"):
        """Bag-of-words matrix ``[len(texts), num_words or len(word_index)+1]``.

        Modes: ``binary`` (1 if present), ``count``, ``freq`` (count / words in text) and
        ``tfidf`` with Keras's formula ``tf = 1 + ln(count)``,
        ``idf = ln(1 + N / (1 + df))``.
        """
        import numpy as np

        seqs = self.texts_to_sequences(texts)
        return self.sequences_to_matrix(seqs, mode=mode) if seqs else np.zeros((0, 0))

    def sequences_to_matrix(self, sequences, mode: str = "binary"):
        """See :meth:`texts_to_matrix`."""
        import numpy as np

        if mode not in ("binary", "count", "freq", "tfidf"):
            raise ValueError(f"Tokenizer.sequences_to_matrix: unknown mode {mode!r}; "
                             "expected binary, count, freq or tfidf")
        width = self.num_words or (len(self.word_index) + 1)
        x = np.zeros((len(sequences), width))
        for r, seq in enumerate(sequences):
            seq = [j for j in check_ids(seq, "Tokenizer.sequences_to_matrix") if j < width]
            if not seq:
                continue
            ids, counts = np.unique(np.asarray(seq), return_counts=True)
            if mode == "binary":
                x[r, ids] = 1.0
            elif mode == "count":
                x[r, ids] = counts
            elif mode == "freq":
                x[r, ids] = counts / len(seq)
            else:
                df = np.array([self.index_docs.get(int(j), 0) for j in ids])
                x[r, ids] = (1 + np.log(counts)) * np.log(1 + self.document_count / (1 + df))
        return x

    # -- serialisation -------------------------------------------------------------------
    def get_config(self) -> dict:
        """The Keras ``Tokenizer.get_config()`` dictionary (inner dicts as JSON strings)."""
        return {
            "num_words": self.num_words,
            "filters": self.filters,
            "lower": self.lower,
            "split": self.split,
            "char_level": self.char_level,
            "oov_token": self.oov_token,
            "document_count": self.document_count,
            "word_counts": json.dumps(self.word_counts),
            "word_docs": json.dumps(self.word_docs),
            "index_docs": json.dumps(self.index_docs),
            "index_word": json.dumps(self.index_word),
            "word_index": json.dumps(self.word_index),
        }

    def to_json(self, **kwargs) -> str:
        """Serialise as Keras does: ``{"class_name": "Tokenizer", "config": {...}}``."""
        return json.dumps({"class_name": self.__class__.__name__,
                           "config": self.get_config()}, **kwargs)

    @classmethod
    def from_json(cls, json_string: str) -> Tokenizer:
        """Rebuild a tokenizer from :meth:`to_json` output (also reads Keras's files)."""
        try:
            data = json.loads(json_string)
            cfg = dict(data["config"])
            word_counts = json.loads(cfg.pop("word_counts"))
            word_docs = json.loads(cfg.pop("word_docs"))
            index_docs = {int(k): v for k, v in json.loads(cfg.pop("index_docs")).items()}
            index_word = {int(k): v for k, v in json.loads(cfg.pop("index_word")).items()}
            word_index = json.loads(cfg.pop("word_index"))
        except (TypeError, KeyError, ValueError, AttributeError) as e:
            raise ValueError(f"Tokenizer.from_json: not a Tokenizer JSON string ({e})") from None
        known = {"num_words", "filters", "lower", "split", "char_level", "oov_token",
                 "document_count"}
        tok = cls(**{k: v for k, v in cfg.items() if k in known})
        tok.word_counts = OrderedDict(word_counts)
        tok.word_docs = OrderedDict(word_docs)
        tok.index_docs = index_docs
        tok.index_word = index_word
        tok.word_index = word_index
        return tok


def tokenizer_from_json(json_string: str) -> Tokenizer:
    """Keras's module-level name for :meth:`Tokenizer.from_json`."""
    return Tokenizer.from_json(json_string)
