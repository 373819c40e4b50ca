"""Character-level tokenizer: one id per distinct character (the char-RNN / nanoGPT way).

The vocabulary is the sorted set of characters seen in training text, so ids are
reproducible: ``stoi[c]`` is the rank of ``c`` among the characters. Optional special
tokens (e.g. ``"<unk>"``) come first, before the characters.
"""

from __future__ import annotations

import json
from pathlib import Path

from ._checks import check_ids, check_text


class CharTokenizer:
    """Map characters to ids and back.

    Args:
        chars: the alphabet (any iterable of single characters); ``None`` to call
            :meth:`fit` later.
        unk_token: if given, unknown characters encode to this token's id; otherwise they
            raise ``ValueError``.
    """

    def __init__(self, chars=None, unk_token: str | None = None):
        if unk_token is not None and not isinstance(unk_token, str):
            raise TypeError(f"CharTokenizer: unk_token must be a str or None, got {unk_token!r}")
        self.unk_token = unk_token
        self.itos: list[str] = []
        self.stoi: dict[str, int] = {}
        if chars is not None:
            self._build(chars)

    def _build(self, chars) -> None:
        chars = sorted(set(chars))
        for c in chars:
            if not isinstance(c, str) or len(c) != 1:
                raise ValueError(f"CharTokenizer: alphabet items must be single characters, "
                                 f"got {c!r}")
        specials = [self.unk_token] if self.unk_token is not None else []
        self.itos = specials + [c for c in chars if c not in specials]
        self.stoi = {s: i for i, s in enumerate(self.itos)}

    def fit(self, texts) -> CharTokenizer:
        """Build the alphabet from a string or a list of strings."""
        if isinstance(texts, str):
            texts = [texts]
        if texts is None:
            raise TypeError("CharTokenizer.fit: texts must be a str or a list of str, got None")
        chars: set[str] = set()
        n = 0
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise TypeError(f"CharTokenizer.fit: texts[{i}] must be a str, "
                                f"got {type(t).__name__}")
            chars.update(t)
            n += 1
        if not chars:
            raise ValueError("CharTokenizer.fit: no characters to learn from (empty input)")
        self._build(chars)
        return self

    @property
    def vocab_size(self) -> int:
        return len(self.itos)

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, text: str) -> list[int]:
        """``text`` → list of ids, one per character."""
        check_text(text, "CharTokenizer.encode")
        if not self.itos:
            raise RuntimeError("CharTokenizer.encode: empty alphabet; call fit first")
        stoi = self.stoi
        if self.unk_token is not None:
            unk = stoi[self.unk_token]
            return [stoi.get(c, unk) for c in text]
        try:
            return [stoi[c] for c in text]
        except KeyError as e:
            raise ValueError(f"CharTokenizer.encode: character {e.args[0]!r} is not in the "
                             "alphabet (pass unk_token=... to map unknown characters)") from None

    def decode(self, ids) -> str:
        """List of ids → string."""
        ids = check_ids(ids, "CharTokenizer.decode")
        n = len(self.itos)
        for j in ids:
            if not 0 <= j < n:
                raise ValueError(f"CharTokenizer.decode: id {j} is outside the vocabulary "
                                 f"[0, {n})")
        return "".join(self.itos[j] for j in ids)

    def to_json(self) -> str:
        return json.dumps({"type": "CharTokenizer", "unk_token": self.unk_token,
                           "itos": self.itos}, ensure_ascii=False)

    @classmethod
    def from_json(cls, s: str) -> CharTokenizer:
        try:
            d = json.loads(s)
            if d.get("type") != "CharTokenizer":
                raise ValueError("type is not CharTokenizer")
            tok = cls(unk_token=d["unk_token"])
            itos = list(d["itos"])
        except (TypeError, KeyError, ValueError, AttributeError) as e:
            raise ValueError(f"CharTokenizer.from_json: not a CharTokenizer JSON ({e})") from None
        if len(set(itos)) != len(itos):
            raise ValueError("CharTokenizer.from_json: duplicate entries in itos")
        tok.itos = itos
        tok.stoi = {c: i for i, c in enumerate(itos)}
        return tok

    def save(self, path) -> None:
        Path(path).write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path) -> CharTokenizer:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))
