"""Loaders for the real data sets (tiny Shakespeare, SST-2, English–French pairs,
WNUT-17 NER in CoNLL format). File locations: see :mod:`tinyllm.data.paths`."""

from __future__ import annotations

import numpy as np

from .paths import resolve


def _read(path, where: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"{where}: {path} is not UTF-8 text ({e}); is the file corrupt?") \
            from None


def _check_split(split: str, allowed: tuple[str, ...], where: str) -> None:
    if split not in allowed:
        raise ValueError(f"{where}: split must be one of {allowed}, got {split!r}")


def load_tinyshakespeare(path=None, download: bool = False) -> str:
    """The 1,115,394-character tiny Shakespeare text (karpathy/char-rnn) as one string."""
    p = resolve("tinyshakespeare", "input.txt", path, download)
    return _read(p, "load_tinyshakespeare")


def load_sst2(split: str = "train", path=None, download: bool = False):
    """SST-2 (GLUE) sentences and labels: ``(texts: list[str], labels: int64 array)``.

    ``split`` is ``"train"`` (67,349 phrases) or ``"dev"`` (872 sentences; GLUE's test
    split has no labels). The files' trailing spaces are stripped from the sentences.
    """
    where = "load_sst2"
    _check_split(split, ("train", "dev", "validation"), where)
    fname = "dev.tsv" if split in ("dev", "validation") else "train.tsv"
    p = resolve("sst2", fname, path, download)
    lines = _read(p, where).split("\n")
    if not lines or lines[0].strip().split("\t") != ["sentence", "label"]:
        raise ValueError(f"{where}: {p} does not start with the header 'sentence<TAB>label'")
    texts, labels = [], []
    for k, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 2 or parts[1].strip() not in ("0", "1"):
            raise ValueError(f"{where}: line {k} of {p} is not 'sentence<TAB>0|1': {line!r}")
        texts.append(parts[0].strip())
        labels.append(int(parts[1]))
    return texts, np.asarray(labels, dtype=np.int64)


def load_translation_pairs(path=None, download: bool = False, max_pairs: int | None = None,
                           reverse: bool = False) -> list[tuple[str, str]]:
    """English–French pairs (Tatoeba via manythings.org): ``[(english, french), ...]``.

    Ordered shortest first, as in the file. ``reverse=True`` gives ``(french, english)``.
    Extra tab-separated columns (attribution in newer releases) are ignored.
    """
    where = "load_translation_pairs"
    if max_pairs is not None and (not isinstance(max_pairs, int) or max_pairs < 1):
        raise ValueError(f"{where}: max_pairs must be a positive int or None, got {max_pairs!r}")
    p = resolve("translation", "eng-fra.txt", path, download)
    pairs = []
    for k, line in enumerate(_read(p, where).split("\n"), start=1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) < 2:
            raise ValueError(f"{where}: line {k} of {p} has no TAB: {line!r}")
        en, fr = parts[0].strip(), parts[1].strip()
        pairs.append((fr, en) if reverse else (en, fr))
        if max_pairs is not None and len(pairs) >= max_pairs:
            break
    return pairs


def load_conll(split: str = "train", path=None, download: bool = False):
    """CoNLL-format NER (WNUT-17 here): ``(sentences, tags)``, two lists of token lists.

    One ``token<TAB>tag`` per line (the first column is the token, the last the tag);
    a blank or whitespace-only line ends a sentence.
    """
    where = "load_conll"
    _check_split(split, ("train", "dev", "test"), where)
    p = resolve("ner", f"{split}.conll", path, download)
    sentences, tags = [], []
    toks, tgs = [], []
    for k, line in enumerate(_read(p, where).split("\n"), start=1):
        if not line.strip():
            if toks:
                sentences.append(toks)
                tags.append(tgs)
                toks, tgs = [], []
            continue
        parts = line.rstrip("\r").split("\t") if "\t" in line else line.split()
        if len(parts) < 2:
            raise ValueError(f"{where}: line {k} of {p} is not 'token<TAB>tag': {line!r}")
        toks.append(parts[0])
        tgs.append(parts[-1].strip())
    if toks:
        sentences.append(toks)
        tags.append(tgs)
    return sentences, tags
