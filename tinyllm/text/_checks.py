"""Input checks shared by the tokenizers: clear errors instead of garbage."""

from __future__ import annotations

from collections.abc import Iterable


def check_text(text, where: str, name: str = "text") -> str:
    """Return ``text`` if it is a ``str``; otherwise raise a TypeError naming the caller."""
    if not isinstance(text, str):
        raise TypeError(f"{where}: {name} must be a str, got {type(text).__name__}")
    return text


def check_texts(texts, where: str, allow_empty: bool = True) -> list[str]:
    """Return ``texts`` as a list of strings.

    A bare string is refused: iterating over it would silently treat every character as a
    separate document, which is never what the caller meant.
    """
    if texts is None:
        raise TypeError(f"{where}: texts must be a list of str, got None")
    if isinstance(texts, (str, bytes)):
        raise TypeError(
            f"{where}: texts must be a list of str, got a single {type(texts).__name__}; "
            "wrap it in a list"
        )
    if not isinstance(texts, Iterable):
        raise TypeError(f"{where}: texts must be a list of str, got {type(texts).__name__}")
    texts = list(texts)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"{where}: texts[{i}] must be a str, got {type(t).__name__}")
    if not allow_empty and not texts:
        raise ValueError(f"{where}: texts is empty; give at least one text")
    return texts


def check_ids(ids, where: str) -> list[int]:
    """Return ``ids`` as a list of Python ints (accepts lists, tuples and integer arrays)."""
    if ids is None or isinstance(ids, (str, bytes)):
        raise TypeError(f"{where}: ids must be a sequence of int, got {type(ids).__name__}")
    try:
        seq = list(ids)
    except TypeError:
        raise TypeError(
            f"{where}: ids must be a sequence of int, got {type(ids).__name__}"
        ) from None
    out = []
    for i, v in enumerate(seq):
        # numpy integers are accepted; bools and floats are not ids.
        if isinstance(v, bool) or not hasattr(v, "__index__"):
            raise TypeError(f"{where}: ids[{i}] must be an int, got {type(v).__name__}")
        out.append(int(v))
    return out
