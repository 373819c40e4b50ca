"""``History``: what a training run measured, epoch by epoch and step by step.

``history.history`` is Keras' dict ``{"loss": [...], "accuracy": [...], "val_loss": [...]}``
(one entry per epoch); ``history.epoch`` the epoch numbers; ``history.step_losses`` the
loss of every optimizer step (the mean over its accumulated micro-batches), which is what
the resume test compares.
"""

from __future__ import annotations

import json
import os

from ..io import atomic_write

__all__ = ["History"]


class History:
    def __init__(self):
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.step_losses: list[float] = []
        self.params: dict = {}

    def log_epoch(self, epoch: int, logs: dict) -> None:
        n_before = len(self.epoch)
        self.epoch.append(int(epoch))
        for k, v in logs.items():
            # A key first seen now (e.g. val_loss after validation is switched on) gets
            # None for the epochs before it, so every list stays aligned with ``epoch``.
            column = self.history.setdefault(k, [None] * n_before)
            column.append(float(v))
        for column in self.history.values():
            if len(column) < len(self.epoch):
                column.append(None)

    def __getitem__(self, key: str) -> list[float]:
        if key not in self.history:
            raise KeyError(f"History: no metric {key!r}; recorded: {sorted(self.history)}")
        return self.history[key]

    def __contains__(self, key) -> bool:
        return key in self.history

    def best(self, metric: str, mode: str = "auto") -> tuple[int, float]:
        """(epoch, value) of the best value of ``metric`` (min for losses, max else)."""
        values = [(e, v) for e, v in zip(self.epoch, self[metric]) if v is not None]
        if not values:
            raise ValueError(f"History.best: {metric!r} has no values")
        if mode == "auto":
            mode = "min" if "loss" in metric or metric.endswith(("mae", "mse")) else "max"
        if mode not in ("min", "max"):
            raise ValueError(f"History.best: mode must be 'min', 'max' or 'auto', got {mode!r}")
        pick = min if mode == "min" else max
        return pick(values, key=lambda ev: ev[1])

    def state_dict(self) -> dict:
        return {"history": {k: list(v) for k, v in self.history.items()},
                "epoch": list(self.epoch), "step_losses": list(self.step_losses),
                "params": dict(self.params)}

    def load_state_dict(self, state: dict) -> None:
        self.history = {k: list(v) for k, v in state["history"].items()}
        self.epoch = [int(e) for e in state["epoch"]]
        self.step_losses = [float(x) for x in state["step_losses"]]
        self.params = dict(state.get("params", {}))

    def to_json(self, path: str | os.PathLike) -> None:
        """Write the history as JSON (atomically)."""
        with atomic_write(path) as fh:
            fh.write(json.dumps(self.state_dict(), indent=1).encode("utf-8"))

    @classmethod
    def from_json(cls, path: str | os.PathLike) -> History:
        with open(path, encoding="utf-8") as fh:
            state = json.load(fh)
        h = cls()
        h.load_state_dict(state)
        return h

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, metrics={sorted(self.history)})"
