"""Where data files live: one resolution order for every loader.

For a file ``<dir>/<filename>`` of a data set (``dir`` is the data set's directory name
in ``shared/data``, e.g. ``sst2/train.tsv``), the first existing candidate wins:

1. the ``path`` argument (a file, or a directory holding the file);
2. the data set's own environment variable (e.g. ``TINYLLM_SST2``; file or directory);
3. ``$TINYLLM_DATA_DIR/<dir>/<filename>`` (same layout as ``shared/data``);
4. the cache ``$TINYLLM_CACHE_DIR/<dir>/<filename>``, by default
   ``~/.cache/tinyllm/<dir>/<filename>``;
5. ``shared/data/<dir>/<filename>`` in the current directory or any parent of it, then in
   any parent of the installed package (a clone with ``shared/`` beside it).

Only if all fail and ``download=True`` is the file fetched from its original public
address into the cache. Otherwise :class:`DataNotFoundError` says where to put it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path


class DataNotFoundError(FileNotFoundError):
    """A data file was not found in any of the places a loader looks."""


@dataclass(frozen=True)
class DataSpec:
    """A data set: its directory name, environment variable and download addresses."""

    dirname: str
    env: str
    # filename → URL of the original public copy (``zip:member`` suffix: extract member)
    urls: dict[str, str] = field(default_factory=dict)


_GH = "https://raw.githubusercontent.com"
SPECS = {
    "tinyshakespeare": DataSpec("tinyshakespeare", "TINYLLM_TINYSHAKESPEARE", {
        "input.txt": f"{_GH}/karpathy/char-rnn/6f9487a6fe5b420b7ca9afb0d7c078e37c1d1b4e/"
                     "data/tinyshakespeare/input.txt"}),
    "sst2": DataSpec("sst2", "TINYLLM_SST2", {
        name: f"{_GH}/brunnurs/binary-classification-bert/"
              f"35e1628db50472679176dd31b992534a3866a86e/data/SST2/{name}"
        for name in ("train.tsv", "dev.tsv")}),
    "translation": DataSpec("translation", "TINYLLM_TRANSLATION", {
        "eng-fra.txt": f"{_GH}/genimind/seq2seq/4f3f8eb0adde54fcc8b89394336b002e7961244c/"
                       "fra-eng.zip#fra.txt"}),
    "ner": DataSpec("ner", "TINYLLM_CONLL", {
        "train.conll": f"{_GH}/leondz/emerging_entities_17/"
                       "e52a2d2a71ac1a051ca2d532eef28653c5c02603/wnut17train.conll",
        "dev.conll": f"{_GH}/leondz/emerging_entities_17/"
                     "e52a2d2a71ac1a051ca2d532eef28653c5c02603/emerging.dev.conll",
        "test.conll": f"{_GH}/leondz/emerging_entities_17/"
                      "e52a2d2a71ac1a051ca2d532eef28653c5c02603/emerging.test.annotated"}),
}


def cache_dir() -> Path:
    """``$TINYLLM_CACHE_DIR`` or ``~/.cache/tinyllm``."""
    env = os.environ.get("TINYLLM_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "tinyllm"


def find_shared_data_dir() -> Path | None:
    """The nearest ``shared/data`` above the working directory or the package, or None."""
    starts = [Path.cwd().resolve(), Path(__file__).resolve().parent]
    for start in starts:
        for p in (start, *start.parents):
            cand = p / "shared" / "data"
            if cand.is_dir():
                return cand
    return None


def _in(base: str | os.PathLike, spec: DataSpec, filename: str, own: bool) -> Path:
    """A path given by the user/env var: a file, a directory with the file, or a data root
    with ``<dirname>/<filename>`` (only tried for roots, ``own=False``)."""
    p = Path(base).expanduser()
    if p.is_dir():
        return p / filename if own else p / spec.dirname / filename
    return p


def candidates(name: str, filename: str, path=None) -> list[Path]:
    """Every place :func:`resolve` looks, in order."""
    spec = SPECS[name]
    out: list[Path] = []
    if path is not None:
        out.append(_in(path, spec, filename, own=True))
    env = os.environ.get(spec.env)
    if env:
        out.append(_in(env, spec, filename, own=True))
    root = os.environ.get("TINYLLM_DATA_DIR")
    if root:
        out.append(Path(root).expanduser() / spec.dirname / filename)
    out.append(cache_dir() / spec.dirname / filename)
    shared = find_shared_data_dir()
    if shared is not None:
        out.append(shared / spec.dirname / filename)
    return out


def _download(url: str, dest: Path, timeout: float = 60.0) -> None:
    url, _, member = url.partition("#")
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        tmp_file = Path(tmp) / "download"
        with urllib.request.urlopen(url, timeout=timeout) as r, open(tmp_file, "wb") as f:
            shutil.copyfileobj(r, f)
        if member:
            with zipfile.ZipFile(tmp_file) as z, z.open(member) as src, \
                    open(Path(tmp) / "member", "wb") as f:
                shutil.copyfileobj(src, f)
            tmp_file = Path(tmp) / "member"
        os.replace(tmp_file, dest)  # atomic: a half-written file is never left behind


def resolve(name: str, filename: str, path=None, download: bool = False) -> Path:
    """Return the path of ``filename`` of data set ``name`` (see the module docstring)."""
    spec = SPECS[name]
    if path is not None:
        # An explicit path is a promise: do not silently fall back to another copy.
        p = _in(path, spec, filename, own=True)
        if p.is_file():
            return p
        raise DataNotFoundError(f"{name}: {filename} not found at the given path {p}")
    cands = candidates(name, filename)
    for p in cands:
        if p.is_file():
            return p
    target = cache_dir() / spec.dirname / filename
    url = spec.urls.get(filename)
    if download and url:
        try:
            _download(url, target)
            return target
        except OSError as e:  # URLError, timeouts and disk errors are all OSErrors
            raise DataNotFoundError(f"{name}: downloading {url} into {target} failed ({e}). "
                                    f"Put {filename} there by hand instead.") from e
    where = "\n  ".join(str(p) for p in cands)
    hint = (f"call with download=True to fetch it from {url.partition('#')[0]}"
            if url else "no download address is known")
    raise DataNotFoundError(
        f"{name}: cannot find {filename}. Looked in:\n  {where}\n"
        f"Put the file at {target}, or pass path=..., or set ${spec.env} (file or directory) "
        f"or $TINYLLM_DATA_DIR (a directory with {spec.dirname}/{filename}); or {hint}.")
