"""Training checkpoints: ``<name>.safetensors`` (arrays) + ``<name>.json`` (everything else).

``save_checkpoint("runs/gpt/step_1000", tensors, state)`` writes

* ``step_1000.safetensors`` — the model tensors, plus every NumPy array found inside
  ``state`` (optimizer moments, ...) under the key ``"state." + dotted path``
  (``state["optim"]["exp_avg"]["fc.weight"]`` -> ``"state.optim.exp_avg.fc.weight"``);
* ``step_1000.json`` — ``{"format": "tinyllm-checkpoint", "version": 1,
  "tensors_file": ..., "tensors_sha256": ..., "state": ...}`` where ``state`` is the
  caller's dict with each array replaced by ``{"__ndarray__": "<tensor key>"}``.

Both files are written atomically, the tensors first. The JSON records the SHA-256 of
the tensors file, so a crash *between* the two writes (new tensors, old JSON) is detected
on load instead of silently mixing two steps.

``state`` must be plain data: dict (str keys), list, tuple (comes back as a list), str,
int, float, bool, None, NumPy scalars (come back as Python numbers) and arrays. What goes
in — config, step, optimizer and scheduler state, RNG state (see :mod:`tinyllm.io.rng`)
— is the caller's choice.
"""

from __future__ import annotations

import hashlib
import json
import os

import numpy as np

from .atomic import atomic_write
from .safetensors import _save, load_safetensors

__all__ = [
    "CheckpointError",
    "CheckpointNotFoundError",
    "checkpoint_paths",
    "save_checkpoint",
    "load_checkpoint",
]

FORMAT = "tinyllm-checkpoint"
VERSION = 1
_REF = "__ndarray__"


class CheckpointError(ValueError):
    """A checkpoint could not be written or read."""


class CheckpointNotFoundError(CheckpointError, FileNotFoundError):
    """A checkpoint file is missing (also a ``FileNotFoundError``)."""


def checkpoint_paths(path: str | os.PathLike) -> tuple[str, str]:
    """Resolve ``path`` to ``(<prefix>.safetensors, <prefix>.json)``.

    ``path`` may be the prefix itself (``runs/a/step_10``), either file's name, or an
    existing directory (then the prefix is ``<dir>/checkpoint``).
    """
    p = os.fspath(path)
    if not p:
        raise CheckpointError("checkpoint path is empty")
    for suffix in (".safetensors", ".json"):
        if p.endswith(suffix):
            p = p[: -len(suffix)]
            break
    else:
        if os.path.isdir(p) or p.endswith(("/", os.sep)):
            p = os.path.join(p, "checkpoint")
    return p + ".safetensors", p + ".json"


def _extract_arrays(value, path: list[str], arrays: dict[str, np.ndarray]):
    """Copy ``value`` into plain JSON data, moving arrays into ``arrays``."""
    where = "state" + "".join(f"[{p!r}]" for p in path)
    if isinstance(value, np.ndarray):
        key = "state." + ".".join(path)
        if key in arrays:
            raise CheckpointError(f"save_checkpoint: two arrays in state map to key {key!r}")
        arrays[key] = value
        return {_REF: key}
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_extract_arrays(v, path + [str(i)], arrays) for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                # json.dumps would turn 3 into "3" and the round trip would not be exact.
                raise CheckpointError(
                    f"save_checkpoint: {where} has a non-string key {k!r}; JSON keys are strings"
                )
            if k == _REF:
                raise CheckpointError(f"save_checkpoint: {where} uses the reserved key {_REF!r}")
            out[k] = _extract_arrays(v, path + [k], arrays)
        return out
    raise CheckpointError(
        f"save_checkpoint: {where} is a {type(value).__name__}; state may hold only dict, "
        "list, tuple, str, int, float, bool, None and numpy arrays/scalars"
    )


def save_checkpoint(
    path: str | os.PathLike,
    tensors: dict[str, np.ndarray],
    state: dict | None = None,
    metadata: dict[str, str] | None = None,
) -> tuple[str, str]:
    """Write ``tensors`` and ``state``; return the two file paths written.

    ``metadata`` (str -> str) goes into the safetensors header's ``__metadata__``.
    """
    st_path, json_path = checkpoint_paths(path)
    if state is None:
        state = {}
    if not isinstance(state, dict):
        raise CheckpointError(f"save_checkpoint: state must be a dict, got {type(state).__name__}")
    if not isinstance(tensors, dict):
        raise CheckpointError(
            f"save_checkpoint: tensors must be a dict name -> ndarray, got {type(tensors).__name__}"
        )
    state_arrays: dict[str, np.ndarray] = {}
    plain_state = _extract_arrays(state, [], state_arrays)
    clash = sorted(set(tensors) & set(state_arrays))
    if clash:
        raise CheckpointError(f"save_checkpoint: tensor names {clash} clash with state arrays")
    document = {
        "format": FORMAT,
        "version": VERSION,
        "tensors_file": os.path.basename(st_path),
        "tensors_sha256": None,  # known once the tensors are written
        "state": plain_state,
    }
    try:  # fail before touching any file if the state cannot be written as JSON
        json.dumps(document)
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"save_checkpoint: state is not JSON-serialisable: {e}") from e

    parent = os.path.dirname(st_path)
    if parent:
        os.makedirs(parent, exist_ok=True)
    document["tensors_sha256"] = _save({**tensors, **state_arrays}, st_path, metadata)
    with atomic_write(json_path) as fh:
        fh.write(json.dumps(document, indent=1).encode("utf-8"))
    return st_path, json_path


def _sha256_of(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _restore_arrays(value, tensors: dict[str, np.ndarray], used: set[str], json_path: str):
    if isinstance(value, list):
        return [_restore_arrays(v, tensors, used, json_path) for v in value]
    if isinstance(value, dict):
        if _REF in value:
            key = value[_REF]
            if len(value) != 1 or not isinstance(key, str) or key not in tensors:
                raise CheckpointError(
                    f"load_checkpoint: {json_path!r} refers to array {key!r}, which is not in "
                    "the tensors file"
                )
            used.add(key)
            return tensors[key]
        return {k: _restore_arrays(v, tensors, used, json_path) for k, v in value.items()}
    return value


def load_checkpoint(
    path: str | os.PathLike, verify: bool = True
) -> tuple[dict[str, np.ndarray], dict]:
    """Read a checkpoint written by :func:`save_checkpoint`; return ``(tensors, state)``.

    ``tensors`` holds the model tensors only; arrays that came from ``state`` are back
    in their places inside ``state``. ``verify`` checks the tensors file's SHA-256
    against the one recorded in the JSON.
    """
    st_path, json_path = checkpoint_paths(path)
    for p in (json_path, st_path):
        if not os.path.isfile(p):
            raise CheckpointNotFoundError(f"load_checkpoint: missing checkpoint file {p!r}")
    try:
        with open(json_path, "rb") as fh:
            doc = json.loads(fh.read().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise CheckpointError(f"load_checkpoint: {json_path!r} is not valid JSON: {e}") from e
    if not isinstance(doc, dict):
        raise CheckpointError(
            f"load_checkpoint: {json_path!r} must hold a JSON object, got {type(doc).__name__}"
        )
    if doc.get("format") != FORMAT or doc.get("version") != VERSION:
        raise CheckpointError(
            f"load_checkpoint: {json_path!r} is not a {FORMAT} version {VERSION} file "
            f"(format={doc.get('format')!r}, version={doc.get('version')!r})"
        )
    state = doc.get("state")
    if not isinstance(state, dict):
        raise CheckpointError(f"load_checkpoint: {json_path!r}: 'state' must be a JSON object")
    if verify:
        expected = doc.get("tensors_sha256")
        if _sha256_of(st_path) != expected:
            raise CheckpointError(
                f"load_checkpoint: {st_path!r} does not match {json_path!r} (SHA-256 differs): "
                "the files come from different saves, or a save was interrupted"
            )
    tensors = load_safetensors(st_path)
    used: set[str] = set()
    state = _restore_arrays(state, tensors, used, json_path)
    return {k: v for k, v in tensors.items() if k not in used}, state
