"""Checkpoints of a training run, built on :func:`tinyllm.io.save_checkpoint`.

A run checkpoint ``<prefix>`` is two files, each written atomically (temporary file +
rename), so a crash mid-write leaves the previous checkpoint in place:

* ``<prefix>.safetensors`` — the model's state dict (PyTorch names), plus the arrays of
  the optimizer state (Adam's moments ...);
* ``<prefix>.json`` — ``state``: ``{"format": "tinyllm-train", "position": {epoch, batch,
  step}, "optimizer": ..., "scheduler": ..., "rng": ..., "history": ..., "meters": ...,
  "callbacks": ..., "config": ...}`` and the SHA-256 of the tensors file.

Everything a resumed run needs to draw the same random numbers and see the same batches
is in there: the model and optimizer state, the scheduler, the global RNG
(:func:`tinyllm.get_rng_state`) and the position in the data (epoch, next batch, step; the
shuffling order of an epoch is a pure function of (seed, epoch)). Loading never
unpickles, and a damaged or hostile file is refused by the io layer with a
:class:`tinyllm.io.CheckpointError` / :class:`tinyllm.io.SafetensorsError` (both
``ValueError``).
"""

from __future__ import annotations

import os

import numpy as np

from ..io import CheckpointError, load_checkpoint, save_checkpoint

__all__ = ["TRAIN_FORMAT", "optimizer_state_to_json", "optimizer_state_from_json",
           "save_run_checkpoint", "load_run_checkpoint", "load_model_weights"]

TRAIN_FORMAT = "tinyllm-train"


def optimizer_state_to_json(sd: dict) -> dict:
    """``Optimizer.state_dict()`` with its integer parameter indices as strings (JSON keys
    are strings) and tuples as lists."""
    def plain(v):
        if isinstance(v, tuple):
            return [plain(x) for x in v]
        if isinstance(v, dict):
            return {str(k): plain(x) for k, x in v.items()}
        if isinstance(v, list):
            return [plain(x) for x in v]
        return v
    return {"state": {str(i): plain(s) for i, s in sd.get("state", {}).items()},
            "param_groups": plain(sd.get("param_groups", []))}


def optimizer_state_from_json(sd: dict) -> dict:
    """Inverse of :func:`optimizer_state_to_json` (indices back to ints, lists of two
    numbers named ``betas`` back to tuples)."""
    groups = []
    for g in sd.get("param_groups", []):
        g = dict(g)
        if isinstance(g.get("betas"), list):
            g["betas"] = tuple(g["betas"])
        groups.append(g)
    try:
        state = {int(i): dict(s) for i, s in sd.get("state", {}).items()}
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"optimizer state: bad parameter index ({e})") from None
    return {"state": state, "param_groups": groups}


def save_run_checkpoint(path, model_state: dict, state: dict) -> tuple[str, str]:
    """Write ``model_state`` (name -> array) and the run ``state`` dict; return the paths."""
    tensors = {k: np.ascontiguousarray(v) for k, v in model_state.items()}
    return save_checkpoint(path, tensors, {"format": TRAIN_FORMAT, "version": 1, **state})


def load_run_checkpoint(path) -> tuple[dict, dict]:
    """Read a run checkpoint; return ``(model_state, state)``. Raises
    :class:`tinyllm.io.CheckpointError` if it is not one."""
    tensors, state = load_checkpoint(path)
    if state.get("format") != TRAIN_FORMAT:
        raise CheckpointError(f"load_run_checkpoint: {os.fspath(path)!r} is not a training "
                              f"checkpoint (format={state.get('format')!r}, expected "
                              f"{TRAIN_FORMAT!r})")
    for key in ("position", "rng", "history"):
        if not isinstance(state.get(key), dict):
            raise CheckpointError(f"load_run_checkpoint: {os.fspath(path)!r} lacks the "
                                  f"{key!r} section")
    return tensors, state


def load_model_weights(model, path, strict: bool = True):
    """Load the model weights of a run checkpoint (or a plain ``.safetensors`` file) into
    ``model``; returns ``model.load_state_dict``'s report."""
    p = os.fspath(path)
    if p.endswith(".safetensors") and not os.path.exists(p[: -len(".safetensors")] + ".json"):
        from ..io import load_safetensors
        return model.load_state_dict(load_safetensors(p), strict=strict)
    tensors, _ = load_checkpoint(p)
    return model.load_state_dict(tensors, strict=strict)
