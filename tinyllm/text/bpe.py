"""Byte-level byte-pair encoding (BPE), the tokenizer family of GPT-2.

Why bytes
---------
A text is first turned into its UTF-8 bytes, so the 256 byte values are the starting
vocabulary and *every* string (emoji, CJK, combining marks, NUL) can be encoded with no
unknown token: at worst a character becomes its 1–4 bytes. Decoding concatenates the bytes
back and UTF-8-decodes them, so ``decode(encode(s)) == s`` for any valid Unicode string.

GPT-2 writes each byte as a printable Unicode character (``bytes_to_unicode``: printable
Latin-1 bytes stand for themselves, the rest are shifted to U+0100…), so that
``vocab.json`` and ``merges.txt`` are readable text; the space byte shows up as ``Ġ``.

Training (Sennrich et al., 2016)
--------------------------------
1. Pre-tokenize: split text into words with a regular expression (below) and count each
   distinct word once, with its frequency. Merges never cross a word boundary.
2. Count every adjacent pair of symbols, weighted by word frequency.
3. Repeat until the vocabulary is big enough: take the most frequent pair ``(a, b)``, add
   the new symbol ``ab``, and rewrite the words that contain the pair.

Step 3 is done *incrementally*: an index ``pair → words containing it`` finds the few
words to rewrite, only those words' pair counts are updated (subtract the old pairs, add
the new ones), and a max-heap with lazy deletion gives the next best pair. A naive
rescan of the whole corpus for each merge costs O(merges × corpus); this costs about
O(merges × words touched).

Encoding applies the learned merges to each pre-token in rank order (lowest rank first,
like GPT-2), with a cache per distinct pre-token.

Pre-tokenization pattern
------------------------
GPT-2's pattern is written for the third-party ``regex`` module::

    's|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+

tinyllm uses only the standard library ``re``, which has no ``\\p{..}`` classes, so the
default pattern approximates them: letters ``\\p{L}`` → ``[^\\W\\d_]`` (word characters
that are not decimal digits or ``_``), numbers ``\\p{N}`` → ``\\d`` (decimal digits only),
and "other" → ``[^\\s\\w]`` or ``_``. The differences are small: numeric characters that
are not decimal digits (``²``, ``½``, Roman numeral ``Ⅻ``) count as letters here, and
``re``'s ``\\s`` also matches the separators U+001C–U+001F. Every character still falls
into exactly one class, so pre-tokenization never loses text. Loading a real GPT-2
vocabulary therefore reproduces GPT-2's ids on ordinary text, and may split differently
only around such characters.
"""

from __future__ import annotations

import heapq
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

from ._checks import check_ids, check_text, check_texts

GPT2_PATTERN = (r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+"""
                r"""|\s+(?!\S)|\s+""")


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible map byte → printable character (in GPT-2's id order).

    Bytes that are printable Latin-1 characters (``!``…``~``, ``¡``…``¬``, ``®``…``ÿ``) map
    to themselves; the other 68 bytes map to ``chr(256 + k)`` in increasing byte order.
    """
    bs = (list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
          + list(range(ord("®"), ord("ÿ") + 1)))
    cs = list(bs)
    k = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + k)
            k += 1
    return dict(zip(bs, (chr(c) for c in cs)))


BYTE_ENCODER = bytes_to_unicode()
BYTE_DECODER = {c: b for b, c in BYTE_ENCODER.items()}


def _to_str(bs: bytes) -> str:
    return "".join(BYTE_ENCODER[b] for b in bs)


class BPETokenizer:
    """Byte-level BPE tokenizer: ``train``, ``encode``, ``decode``, save/load.

    Args:
        special_tokens: strings that are never split (e.g. ``"<|endoftext|>"``); they get
            the ids after the byte and merge ids.
        pattern: the pre-tokenization regular expression (``re`` syntax); GPT-2's
            approximation by default.

    A fresh tokenizer knows the 256 bytes only (ids 0–255 in GPT-2's order).
    """

    def __init__(self, special_tokens=None, pattern: str = GPT2_PATTERN):
        self.pattern = pattern
        self._re = re.compile(pattern)
        # vocab: token string (bytes written with BYTE_ENCODER, or a raw special) → id
        self.vocab: dict[str, int] = {c: i for i, c in enumerate(BYTE_ENCODER.values())}
        self.merges: list[tuple[str, str]] = []
        self.special_tokens: dict[str, int] = {}
        self._rebuild()
        if special_tokens:
            self.add_special_tokens(special_tokens)

    # -- internal tables ---------------------------------------------------------------
    def _rebuild(self) -> None:
        """Derive the fast lookup tables from ``vocab``, ``merges`` and ``special_tokens``."""
        self._byte_ids = [self.vocab[BYTE_ENCODER[b]] for b in range(256)]
        self._ranks: dict[tuple[int, int], tuple[int, int]] = {}
        for r, (a, b) in enumerate(self.merges):
            self._ranks[(self.vocab[a], self.vocab[b])] = (r, self.vocab[a + b])
        self._id_bytes: dict[int, bytes] = {}
        for tok, i in self.vocab.items():
            if tok in self.special_tokens:
                self._id_bytes[i] = tok.encode("utf-8")
            else:
                self._id_bytes[i] = bytes(BYTE_DECODER[c] for c in tok)
        self._id_token = {i: t for t, i in self.vocab.items()}
        self._cache: dict[str, list[int]] = {}
        if self.special_tokens:
            alts = sorted(self.special_tokens, key=len, reverse=True)
            self._special_re = re.compile("(" + "|".join(re.escape(s) for s in alts) + ")")
        else:
            self._special_re = None

    def add_special_tokens(self, tokens) -> None:
        """Append special tokens (unsplittable strings) to the vocabulary."""
        tokens = check_texts(tokens, "BPETokenizer.add_special_tokens")
        for t in tokens:
            if not t:
                raise ValueError("BPETokenizer.add_special_tokens: empty special token")
            if t in self.special_tokens:
                continue
            if t in self.vocab:
                raise ValueError(f"BPETokenizer.add_special_tokens: {t!r} is already an "
                                 "ordinary token of the vocabulary")
            i = max(self.vocab.values()) + 1
            self.vocab[t] = i
            self.special_tokens[t] = i
        self._rebuild()

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def __len__(self) -> int:
        return len(self.vocab)

    def token_to_id(self, token: str) -> int | None:
        return self.vocab.get(token)

    def id_to_token(self, i: int) -> str | None:
        return self._id_token.get(int(i))

    # -- training ------------------------------------------------------------------------
    def pretokenize(self, text: str) -> list[str]:
        """Split ``text`` into pre-token words (their concatenation is ``text``)."""
        return self._re.findall(check_text(text, "BPETokenizer.pretokenize"))

    def _split_special(self, text: str) -> list[str]:
        return self._special_re.split(text) if self._special_re else [text]

    def train(self, texts, vocab_size: int, min_frequency: int = 2,
              special_tokens=None) -> BPETokenizer:
        """Learn merges until ``len(vocab) == vocab_size`` (or no pair occurs
        ``min_frequency`` times). Replaces any previous merges.

        Args:
            texts: a string or a list of strings.
            vocab_size: final size, counting the 256 bytes and the special tokens.
            min_frequency: stop when the best pair is rarer than this.
            special_tokens: added after the merges (default: the ones already set).
        """
        where = "BPETokenizer.train"
        if isinstance(texts, str):
            texts = [texts]
        texts = check_texts(texts, where, allow_empty=False)
        if isinstance(vocab_size, bool) or not isinstance(vocab_size, int):
            raise TypeError(f"{where}: vocab_size must be an int, got {vocab_size!r}")
        specials = list(self.special_tokens) if special_tokens is None else \
            check_texts(special_tokens, where)
        n_merges = vocab_size - 256 - len(specials)
        if n_merges < 0:
            raise ValueError(f"{where}: vocab_size={vocab_size} is smaller than the 256 bytes "
                             f"plus {len(specials)} special tokens")
        if min_frequency < 1:
            raise ValueError(f"{where}: min_frequency must be >= 1, got {min_frequency}")

        # Start from bytes only; special tokens are cut out of the training text so that
        # no merge ever spans one.
        self.vocab = {c: i for i, c in enumerate(BYTE_ENCODER.values())}
        self.merges = []
        self.special_tokens = {}
        self._special_re = (re.compile("|".join(re.escape(s) for s in
                                                sorted(specials, key=len, reverse=True)))
                            if specials else None)

        word_freq: Counter[str] = Counter()
        for t in texts:
            for piece in self._split_special(t):
                word_freq.update(self._re.findall(piece))
        byte_ids = [self.vocab[BYTE_ENCODER[b]] for b in range(256)]
        words = [[byte_ids[b] for b in w.encode("utf-8", errors="surrogatepass")]
                 for w in word_freq]
        freqs = list(word_freq.values())
        id_str = list(BYTE_ENCODER.values())  # id → token string, grows with merges

        pair_count: dict[tuple[int, int], int] = defaultdict(int)
        pair_words: dict[tuple[int, int], set[int]] = defaultdict(set)
        for wi, w in enumerate(words):
            f = freqs[wi]
            for p in zip(w, w[1:]):
                pair_count[p] += f
                pair_words[p].add(wi)
        # Max-heap via negated counts; ties go to the smallest (a, b) ids, which makes
        # training deterministic. Stale entries are skipped when popped.
        heap = [(-c, p) for p, c in pair_count.items()]
        heapq.heapify(heap)

        merges: list[tuple[int, int]] = []
        while len(merges) < n_merges and heap:
            neg, p = heapq.heappop(heap)
            c = pair_count.get(p, 0)
            if c != -neg:
                continue
            if c < min_frequency:
                break
            a, b = p
            new = len(id_str)
            id_str.append(id_str[a] + id_str[b])
            merges.append(p)
            delta: dict[tuple[int, int], int] = defaultdict(int)
            for wi in pair_words.pop(p, ()):
                w = words[wi]
                out = []
                i, n = 0, len(w)
                hit = False
                while i < n:
                    if i + 1 < n and w[i] == a and w[i + 1] == b:
                        out.append(new)
                        i += 2
                        hit = True
                    else:
                        out.append(w[i])
                        i += 1
                if not hit:  # the index is lazily cleaned: the pair left this word earlier
                    continue
                f = freqs[wi]
                for q in zip(w, w[1:]):
                    delta[q] -= f
                for q in zip(out, out[1:]):
                    delta[q] += f
                    if new in q:
                        pair_words[q].add(wi)
                words[wi] = out
            for q, d in delta.items():
                if d == 0:
                    continue
                nc = pair_count.get(q, 0) + d
                if nc > 0:
                    pair_count[q] = nc
                    heapq.heappush(heap, (-nc, q))
                else:
                    pair_count.pop(q, None)

        for i, s in enumerate(id_str):
            self.vocab[s] = i
        self.merges = [(id_str[a], id_str[b]) for a, b in merges]
        for s in specials:
            if s not in self.vocab:
                self.vocab[s] = len(self.vocab)
            self.special_tokens[s] = self.vocab[s]
        self._rebuild()
        return self

    # -- encoding ------------------------------------------------------------------------
    def _bpe(self, word: str) -> list[int]:
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        try:
            raw = word.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("BPETokenizer.encode: text contains a lone surrogate "
                             f"({word!r}), which is not valid Unicode") from None
        ids = [self._byte_ids[b] for b in raw]
        ranks = self._ranks
        while len(ids) > 1:
            best = None
            for p in zip(ids, ids[1:]):
                r = ranks.get(p)
                if r is not None and (best is None or r[0] < best[0]):
                    best = (r[0], r[1], p)
            if best is None:
                break
            _, new, (a, b) = best
            out = []
            i, n = 0, len(ids)
            while i < n:
                if i + 1 < n and ids[i] == a and ids[i + 1] == b:
                    out.append(new)
                    i += 2
                else:
                    out.append(ids[i])
                    i += 1
            ids = out
        if len(self._cache) > 200_000:  # bound memory on huge, diverse corpora
            self._cache.clear()
        self._cache[word] = ids
        return ids

    def encode(self, text: str, allow_special: bool = True) -> list[int]:
        """``text`` → ids. With ``allow_special`` the special-token strings in the text map
        to their ids; otherwise they are encoded as ordinary text."""
        check_text(text, "BPETokenizer.encode")
        out: list[int] = []
        pieces = self._split_special(text) if allow_special else [text]
        for k, piece in enumerate(pieces):
            if allow_special and self._special_re is not None and k % 2 == 1:
                out.append(self.special_tokens[piece])
                continue
            for w in self._re.findall(piece):
                out.extend(self._bpe(w))
        return out

    def encode_batch(self, texts, allow_special: bool = True) -> list[list[int]]:
        texts = check_texts(texts, "BPETokenizer.encode_batch")
        return [self.encode(t, allow_special) for t in texts]

    def tokenize(self, text: str) -> list[str]:
        """``text`` → token strings (GPT-2 notation: ``Ġ`` is a space)."""
        return [self._id_token[i] for i in self.encode(text)]

    def decode(self, ids, errors: str = "replace") -> str:
        """ids → text. Bytes that do not form valid UTF-8 (only possible for an id slice
        that cuts a character) are handled by ``errors`` (``"replace"`` → U+FFFD)."""
        ids = check_ids(ids, "BPETokenizer.decode")
        table = self._id_bytes
        try:
            data = b"".join([table[i] for i in ids])
        except KeyError as e:
            raise ValueError(f"BPETokenizer.decode: id {e.args[0]} is not in the vocabulary "
                             f"(size {len(self.vocab)})") from None
        return data.decode("utf-8", errors=errors)

    # -- persistence ----------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {"type": "BPETokenizer", "version": 1, "pattern": self.pattern,
                "vocab": self.vocab, "merges": [f"{a} {b}" for a, b in self.merges],
                "special_tokens": self.special_tokens}

    def save(self, path) -> None:
        """Write one JSON file (vocab, merges, special tokens, pattern)."""
        Path(path).write_text(json.dumps(self.to_dict(), ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path) -> BPETokenizer:
        """Read a file written by :meth:`save`."""
        try:
            d = json.loads(Path(path).read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError(f"BPETokenizer.load: {path} is not a JSON tokenizer file "
                             f"({e})") from None
        if not isinstance(d, dict) or d.get("type") != "BPETokenizer":
            raise ValueError(f"BPETokenizer.load: {path} is not a BPETokenizer file")
        try:
            return cls._from_parts(d["vocab"], d["merges"], d.get("special_tokens"),
                                   d.get("pattern", GPT2_PATTERN), where="BPETokenizer.load")
        except KeyError as e:
            raise ValueError(f"BPETokenizer.load: {path} lacks the field {e}") from None

    def save_gpt2(self, directory) -> tuple[Path, Path]:
        """Write GPT-2-format ``vocab.json`` and ``merges.txt`` into ``directory``."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        (d / "vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False),
                                      encoding="utf-8")
        lines = ["#version: 0.2"] + [f"{a} {b}" for a, b in self.merges]
        (d / "merges.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return d / "vocab.json", d / "merges.txt"

    @classmethod
    def from_gpt2(cls, vocab_path, merges_path, special_tokens=None) -> BPETokenizer:
        """Load GPT-2-format files (``vocab.json`` / ``encoder.json`` and ``merges.txt``).

        Vocabulary entries that are neither a byte nor the result of a merge (GPT-2's
        ``<|endoftext|>``) become special tokens; ``special_tokens`` may name more.
        """
        where = "BPETokenizer.from_gpt2"
        try:
            vocab = json.loads(Path(vocab_path).read_text(encoding="utf-8"))
            merge_lines = Path(merges_path).read_text(encoding="utf-8").split("\n")
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError(f"{where}: cannot parse {vocab_path} / {merges_path}: {e}") from None
        merges = [ln for ln in merge_lines if ln.strip() and not ln.startswith("#version")]
        return cls._from_parts(vocab, merges, special_tokens, GPT2_PATTERN, where=where,
                               infer_specials=True)

    @classmethod
    def from_pretrained(cls, directory) -> BPETokenizer:
        """Load ``vocab.json`` + ``merges.txt`` from a (Hugging Face GPT-2) directory."""
        d = Path(directory)
        return cls.from_gpt2(d / "vocab.json", d / "merges.txt")

    @classmethod
    def _from_parts(cls, vocab, merges, specials, pattern, where, infer_specials=False):
        if not isinstance(vocab, dict) or not vocab:
            raise ValueError(f"{where}: the vocabulary must be a non-empty JSON object")
        for t, i in vocab.items():
            if isinstance(i, bool) or not isinstance(i, int) or i < 0:
                raise ValueError(f"{where}: vocabulary id of {t!r} must be an int >= 0, "
                                 f"got {i!r}")
        if len(set(vocab.values())) != len(vocab):
            raise ValueError(f"{where}: two vocabulary entries share an id")
        missing = [c for c in BYTE_ENCODER.values() if c not in vocab]
        if missing:
            raise ValueError(f"{where}: the vocabulary lacks {len(missing)} of the 256 byte "
                             f"symbols (e.g. {missing[0]!r}); not a byte-level BPE vocabulary")
        pairs = []
        for k, line in enumerate(merges):
            parts = line.split(" ") if isinstance(line, str) else None
            if not parts or len(parts) != 2 or not all(parts):
                raise ValueError(f"{where}: merge {k} is {line!r}, expected 'left right'")
            a, b = parts
            for t in (a, b, a + b):
                if t not in vocab:
                    raise ValueError(f"{where}: merge {k} ({line!r}) uses {t!r}, which is not "
                                     "in the vocabulary")
            pairs.append((a, b))
        specials = dict(specials) if isinstance(specials, dict) else \
            {s: None for s in (specials or [])}
        if infer_specials:
            made = {a + b for a, b in pairs} | set(BYTE_ENCODER.values())
            for t in vocab:
                if t not in made:
                    specials.setdefault(t, None)
        tok = cls(pattern=pattern)
        tok.vocab = dict(vocab)
        tok.merges = pairs
        tok.special_tokens = {}
        for s in specials:
            if s not in tok.vocab:
                raise ValueError(f"{where}: special token {s!r} is not in the vocabulary")
            tok.special_tokens[s] = tok.vocab[s]
        tok._rebuild()
        return tok
