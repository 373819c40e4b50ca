"""Classic NLP preprocessing (book section 2.2) — and why LLM tokenizers skip most of it.

The classic pipeline
--------------------
Before neural language models, a text was boiled down to a short list of informative
words before counting them (bag of words, TF-IDF) or looking up fixed word vectors
(Word2Vec, GloVe)::

    clean_text       strip HTML tags, URLs, e-mail addresses; normalise Unicode (NFKC);
                     collapse runs of whitespace
    lowercase        "The" and "the" become one word
    remove_punctuation
    word_tokenize    split into words
    remove_stop_words  drop frequent function words ("the", "of", "is", ...)
    lemmatize        map inflected forms to a dictionary form ("studies" → "study",
                     "went" → "go")

Each step shrinks the vocabulary, which mattered when every distinct word needed its own
row of counts and when data was scarce: merging "run", "runs" and "running" pools their
statistics. :func:`preprocess` runs the whole chain.

Why an LLM keeps all of it (an erratum to the book's sections 2.2–2.3)
----------------------------------------------------------------------
Sections 2.2–2.3 present this pipeline and pretrained word vectors as the input stage of
an LLM. They describe classic NLP, not LLMs. A GPT or BERT tokenizer removes nothing:

* **Stop words carry meaning.** "not", "no", "never" are on most stop-word lists, yet
  "this film is not good" and "this film is good" differ only by one. Pronouns,
  articles and prepositions carry who did what to whom ("the dog bit the man").
* **Inflections carry grammar.** "walked" vs "walks" is tense, "mouse" vs "mice" is
  number; a model that generates text must produce them, so it must see them.
* **Case and punctuation carry information** — "US" vs "us", a question mark, a
  sentence boundary. A cased GPT-2 keeps them byte for byte.
* **Generation needs a lossless round trip.** A language model predicts the *next
  token of the real text*; if the tokenizer threw words away, the model could never
  output them. Byte-level BPE (:mod:`tinyllm.text.bpe`) guarantees
  ``decode(encode(s)) == s``.
* **The vocabulary problem is solved differently.** Instead of shrinking the word list
  by normalisation, subword tokenizers (BPE, WordPiece) split rare words into frequent
  pieces ("unaffable" → "una", "##ffa", "##ble"), so the vocabulary stays fixed
  (30k–50k) with no out-of-vocabulary words, and related forms share pieces.
* **Embeddings are learned, in context.** An LLM's embedding layer is trained with the
  rest of the network, and attention turns it into a context-dependent representation
  ("bank" of a river vs a bank account). Static Word2Vec/GloVe vectors are not its input.

What LLM pipelines do keep from the classic list is the first step: cleaning *bad* data
(markup, boilerplate, duplicated or corrupted documents) and Unicode normalisation —
BERT's own tokenizer lower-cases and strips accents for its uncased models (see
:mod:`tinyllm.text.wordpiece`), because it was trained that way.
"""

from __future__ import annotations

import re
import unicodedata

from ._checks import check_text

__all__ = ["STOP_WORDS", "clean_text", "lowercase", "remove_punctuation", "word_tokenize",
           "remove_stop_words", "lemmatize", "lemmatize_tokens", "preprocess"]

# A compact English stop-word list written for tinyllm: articles, pronouns, auxiliaries,
# prepositions, conjunctions and a few frequent adverbs. Note that it contains negations
# ("not", "no", "nor") like most classic lists — the tutorial shows what that does to
# sentiment.
STOP_WORDS = frozenset("""
a an the this that these those
i me my mine myself we us our ours ourselves you your yours yourself yourselves
he him his himself she her hers herself it its itself they them their theirs themselves
what which who whom whose
am is are was were be been being have has had having do does did doing
will would shall should can could may might must
and but or nor if then else so than too very
as of at by for with about against between into through during before after above below
to from up down in out on off over under again further once
here there when where why how all any both each few more most other some such
no not only own same just now also
s t d ll m re ve don't isn't aren't wasn't weren't
""".split())

_HTML_RE = re.compile(r"<[^>]{0,200}>")
_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_SPACE_RE = re.compile(r"\s+")
_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def clean_text(text: str, remove_html: bool = True, remove_urls: bool = True,
               remove_emails: bool = True, normalize_unicode: bool = True) -> str:
    """Strip markup, URLs and e-mail addresses, NFKC-normalise, collapse whitespace.

    NFKC folds compatibility forms: full-width ``Ａ`` → ``A``, the ligature ``ﬁ`` → ``fi``,
    a non-breaking space → a space.
    """
    check_text(text, "clean_text")
    if normalize_unicode:
        text = unicodedata.normalize("NFKC", text)
    if remove_html:
        text = _HTML_RE.sub(" ", text)
    if remove_urls:
        text = _URL_RE.sub(" ", text)
    if remove_emails:
        text = _EMAIL_RE.sub(" ", text)
    # Control characters (NUL, escape codes) are noise in any pipeline.
    text = "".join(c if unicodedata.category(c) != "Cc" else " " for c in text)
    return _SPACE_RE.sub(" ", text).strip()


def lowercase(text: str) -> str:
    """Lower-case with Unicode rules (``str.casefold`` would also fold ``ß`` → ``ss``)."""
    return check_text(text, "lowercase").lower()


def _is_punct(c: str) -> bool:
    cat = unicodedata.category(c)
    return cat.startswith("P") or (cat.startswith("S") and c.isascii())


def remove_punctuation(text: str, keep_apostrophes: bool = False) -> str:
    """Delete punctuation (Unicode ``P*``) and ASCII symbols (``$ + < = > ^ ` | ~``).

    ``"e-mail!"`` → ``"email"``. With ``keep_apostrophes`` an apostrophe between letters
    survives (``"don't"`` stays), so stop-word lists that contain contractions still match.
    """
    check_text(text, "remove_punctuation")
    out = []
    n = len(text)
    for i, c in enumerate(text):
        if _is_punct(c):
            if (keep_apostrophes and c in "'’" and 0 < i < n - 1 and text[i - 1].isalpha()
                    and text[i + 1].isalpha()):
                out.append("'")
            continue
        out.append(c)
    return "".join(out)


def word_tokenize(text: str) -> list[str]:
    """Split into words: runs of letters/digits, keeping inner apostrophes (``don't``)."""
    return [w.replace("’", "'") for w in _WORD_RE.findall(check_text(text, "word_tokenize"))]


def remove_stop_words(tokens, stop_words=STOP_WORDS) -> list[str]:
    """Drop tokens whose lower-case form is in ``stop_words``."""
    if tokens is None or isinstance(tokens, str):
        raise TypeError("remove_stop_words: tokens must be a list of str (tokenize first), "
                        f"got {type(tokens).__name__}")
    out = []
    for i, t in enumerate(tokens):
        if not isinstance(t, str):
            raise TypeError(f"remove_stop_words: tokens[{i}] must be a str, "
                            f"got {type(t).__name__}")
        if t.lower() not in stop_words:
            out.append(t)
    return out


# Irregular forms a suffix rule cannot reach.
_IRREGULAR = {
    "am": "be", "is": "be", "are": "be", "was": "be", "were": "be", "been": "be",
    "being": "be", "has": "have", "had": "have", "having": "have", "does": "do",
    "did": "do", "done": "do", "doing": "do", "went": "go", "gone": "go", "goes": "go",
    "made": "make", "making": "make", "said": "say", "says": "say", "took": "take",
    "taken": "take", "taking": "take", "came": "come", "coming": "come", "saw": "see",
    "seen": "see", "knew": "know", "known": "know", "got": "get", "gotten": "get",
    "gave": "give", "given": "give", "giving": "give", "found": "find", "thought": "think",
    "told": "tell", "felt": "feel", "left": "leave", "kept": "keep", "began": "begin",
    "begun": "begin", "wrote": "write", "written": "write", "writing": "write",
    "ran": "run", "ate": "eat", "eaten": "eat", "bought": "buy", "brought": "bring",
    "taught": "teach", "sat": "sit", "stood": "stand", "spoke": "speak",
    "spoken": "speak", "lived": "live", "living": "live", "loved": "love",
    "loving": "love", "used": "use", "using": "use", "better": "good", "best": "good",
    "worse": "bad", "worst": "bad", "children": "child", "men": "man", "women": "woman",
    "people": "person", "mice": "mouse", "feet": "foot", "teeth": "tooth",
    "geese": "goose", "lives": "life", "wives": "wife", "knives": "knife",
    "leaves": "leaf", "wolves": "wolf", "movies": "movie", "series": "series",
    "news": "news", "this": "this", "his": "his", "its": "its", "us": "us",
    "always": "always", "perhaps": "perhaps", "during": "during", "nothing": "nothing",
    "something": "something", "anything": "anything", "everything": "everything",
    "morning": "morning", "evening": "evening", "thing": "thing", "king": "king",
    "ring": "ring", "sing": "sing", "bring": "bring", "spring": "spring",
    "string": "string", "need": "need", "feed": "feed", "seed": "seed", "bed": "bed",
    "red": "red", "led": "lead", "fled": "flee", "fed": "feed", "shed": "shed",
}

_VOWELS = set("aeiou")


def _restore_e(stem: str) -> str:
    """``mak`` → ``make``, ``hop`` → ``hope``: a short consonant-vowel-consonant stem
    usually lost a silent ``e`` before ``-ing``/``-ed``."""
    if (len(stem) == 3 and stem[0] not in _VOWELS and stem[1] in _VOWELS
            and stem[2] not in _VOWELS and stem[2] not in "wxy"):
        return stem + "e"
    return stem


def _undouble(stem: str) -> str:
    """``runn`` → ``run``, ``stopp`` → ``stop`` (but ``fall``, ``miss``, ``buzz`` stay)."""
    if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS | set("lsz"):
        return stem[:-1]
    return stem


def _base(stem: str) -> str:
    undone = _undouble(stem)
    return undone if undone != stem else _restore_e(stem)


def lemmatize(word: str) -> str:
    """A small rule-based English lemmatizer (lower-cases its input).

    Irregular forms come from a table (``went`` → ``go``, ``mice`` → ``mouse``); then one
    suffix rule applies: ``-ies`` → ``-y``, ``-sses``/``-xes``/``-ches``/``-shes``/``-zes``
    drop ``es``, ``-s`` drops ``s`` (not after ``s``, ``u``, ``i``), ``-ied`` → ``-y``,
    ``-ing``/``-ed`` are removed with the doubled consonant undone or a silent ``e``
    restored. It is deliberately small; real lemmatizers use a dictionary and the part
    of speech, which is exactly why the approach does not scale (and LLMs do not use it).
    """
    w = check_text(word, "lemmatize").lower()
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    if len(w) <= 3:
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "xes", "ches", "shes", "zes")):
        return w[:-2]
    if w.endswith("ied") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("ing") and len(w) >= 6:
        stem = w[:-3]
        if not any(c in _VOWELS or c == "y" for c in stem):
            return w  # "string"-like words: no vowel left, not an -ing form
        return _base(stem)
    if w.endswith("eed") and len(w) >= 5:  # agreed → agree (but "need" is in the table)
        return w[:-1]
    if w.endswith("ed") and len(w) >= 5:
        stem = w[:-2]
        if not any(c in _VOWELS or c == "y" for c in stem):
            return w
        return _base(stem)
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def lemmatize_tokens(tokens) -> list[str]:
    """:func:`lemmatize` applied to every token."""
    if tokens is None or isinstance(tokens, str):
        raise TypeError("lemmatize_tokens: tokens must be a list of str, "
                        f"got {type(tokens).__name__}")
    return [lemmatize(t) for t in tokens]


def preprocess(text: str, lower: bool = True, punctuation: bool = True,
               stop_words: bool = True, lemmas: bool = True) -> list[str]:
    """The whole classic chain: clean → lowercase → remove punctuation → tokenize →
    remove stop words → lemmatize. Each flag switches one step off."""
    t = clean_text(check_text(text, "preprocess"))
    if lower:
        t = t.lower()
    if punctuation:
        t = remove_punctuation(t, keep_apostrophes=True)
    tokens = word_tokenize(t)
    if stop_words:
        tokens = remove_stop_words(tokens)
    if lemmas:
        tokens = lemmatize_tokens(tokens)
    return tokens
