"""Callbacks: code that runs at fixed points of :meth:`Trainer.fit` (Keras' hook names).

::

    on_train_begin(logs)                 once, before the first epoch
    on_epoch_begin(epoch, logs)          before each epoch
    on_train_batch_end(step, logs)       after each optimizer step; logs: loss, lr
    on_epoch_end(epoch, logs)            after validation; logs: loss, metrics, val_*
    on_train_end(logs)                   once, also after an early stop or a Ctrl-C

A callback reaches the run through ``self.trainer`` (and ``self.model``); setting
``self.trainer.stop_training = True`` ends the run after the current epoch. A callback
with state (EarlyStopping's patience counter, ModelCheckpoint's best score) returns it
from ``state_dict()`` so that it is saved in checkpoints and a resumed run behaves
exactly like an uninterrupted one.
"""

from __future__ import annotations

import csv
import io
import math
import os

import numpy as np

from ..io import atomic_write, save_safetensors

__all__ = ["Callback", "CallbackList", "EarlyStopping", "ModelCheckpoint",
           "LearningRateScheduler", "ReduceLROnPlateau", "CSVLogger", "JSONLogger",
           "LambdaCallback"]


class Callback:
    def __init__(self):
        self.trainer = None

    @property
    def model(self):
        return None if self.trainer is None else self.trainer.model

    def set_trainer(self, trainer) -> None:
        self.trainer = trainer

    def on_train_begin(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_train_batch_end(self, step, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_train_end(self, logs=None): ...

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        pass


class CallbackList:
    """Calls each hook on every callback, in order."""

    def __init__(self, callbacks=(), trainer=None):
        self.callbacks = list(callbacks or [])
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks: expected Callback instances, got "
                                f"{type(cb).__name__}")
            if trainer is not None:
                cb.set_trainer(trainer)

    def __iter__(self):
        return iter(self.callbacks)

    def _call(self, hook, *args):
        for cb in self.callbacks:
            getattr(cb, hook)(*args)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs)

    def on_train_batch_end(self, step, logs=None):
        self._call("on_train_batch_end", step, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs)

    def state_dict(self) -> dict:
        return {f"{i}:{type(cb).__name__}": cb.state_dict()
                for i, cb in enumerate(self.callbacks)}

    def load_state_dict(self, state: dict) -> None:
        for i, cb in enumerate(self.callbacks):
            key = f"{i}:{type(cb).__name__}"
            if key in state:
                cb.load_state_dict(state[key])


def _resolve_mode(mode: str, monitor: str, who: str) -> str:
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{who}: mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "auto":
        # Keras' rule: accuracy-like quantities grow, everything else (losses) shrinks.
        grows = any(k in monitor for k in ("acc", "f1", "precision", "recall", "auc"))
        return "max" if grows else "min"
    return mode


def _monitored(logs, monitor: str, who: str):
    if logs is None or monitor not in logs:
        available = sorted(logs) if logs else []
        raise ValueError(f"{who}: monitored quantity {monitor!r} is not in the epoch logs "
                         f"{available}; pass validation data for val_* metrics")
    return float(logs[monitor])


class _Monitor:
    """Keeps the best value of one logged quantity: improved(v) ⇔ v beats best by min_delta."""

    def __init__(self, monitor, mode, min_delta, who):
        self.monitor = monitor
        self.mode = _resolve_mode(mode, monitor, who)
        self.min_delta = abs(float(min_delta))
        self.best = math.inf if self.mode == "min" else -math.inf

    def improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience``
    epochs; with ``restore_best_weights`` the model gets back its weights of the best
    epoch."""

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0,
                 mode: str = "auto", restore_best_weights: bool = False, verbose: int = 0,
                 baseline: float | None = None):
        super().__init__()
        if not isinstance(patience, int) or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be an int >= 0, got {patience!r}")
        self._m = _Monitor(monitor, mode, min_delta, "EarlyStopping")
        self.monitor, self.patience = monitor, patience
        self.restore_best_weights, self.verbose = restore_best_weights, verbose
        self.baseline = baseline
        self.wait, self.best_epoch, self.stopped_epoch = 0, None, None
        self.best_weights = None

    def on_train_begin(self, logs=None):
        if self.baseline is not None and self.best_epoch is None:
            self._m.best = float(self.baseline)

    def on_epoch_end(self, epoch, logs=None):
        value = _monitored(logs, self.monitor, "EarlyStopping")
        if self._m.improved(value):
            self._m.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_weights = self.model.state_dict()
            return
        self.wait += 1
        if self.wait >= max(self.patience, 1):
            self.stopped_epoch = epoch
            self.trainer.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                self.model.load_state_dict(self.best_weights)
            if self.verbose:
                print(f"EarlyStopping: no improvement of {self.monitor} for {self.wait} "
                      f"epochs; best {self._m.best:.4f} at epoch {self.best_epoch + 1}")

    @property
    def best(self):
        return self._m.best

    def state_dict(self) -> dict:
        sd = {"best": self._m.best, "wait": self.wait, "best_epoch": self.best_epoch,
              "stopped_epoch": self.stopped_epoch}
        if self.best_weights is not None:
            sd["best_weights"] = {k: np.asarray(v) for k, v in self.best_weights.items()}
        return sd

    def load_state_dict(self, state: dict) -> None:
        self._m.best = float(state["best"])
        self.wait, self.best_epoch = int(state["wait"]), state["best_epoch"]
        self.stopped_epoch = state.get("stopped_epoch")
        self.best_weights = state.get("best_weights")


class ModelCheckpoint(Callback):
    """Save after each epoch — only when ``monitor`` improved, with ``save_best_only``.

    ``filepath`` may hold format fields from the epoch logs and ``epoch`` (1-based, as in
    Keras): ``"ckpt/epoch{epoch:02d}-{val_accuracy:.3f}"``. A path ending in
    ``.safetensors`` (or ``save_weights_only=True``) stores the model weights only;
    otherwise a full resumable training checkpoint (weights, optimizer, scheduler, RNG,
    step — see :mod:`tinyllm.train.checkpoint`). Writes are atomic.
    """

    def __init__(self, filepath, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False,
                 mode: str = "auto"):
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.monitor, self.verbose = monitor, verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only or self.filepath.endswith(".safetensors")
        self._m = _Monitor(monitor, mode, 0.0, "ModelCheckpoint")
        self.best_path = None

    def _format(self, epoch, logs) -> str:
        try:
            return self.filepath.format(epoch=epoch + 1, **(logs or {}))
        except (KeyError, IndexError, ValueError) as e:
            raise ValueError(f"ModelCheckpoint: cannot fill in filepath {self.filepath!r} "
                             f"from logs {sorted(logs or {})}: {e}") from None

    def on_epoch_end(self, epoch, logs=None):
        if self.save_best_only:
            value = _monitored(logs, self.monitor, "ModelCheckpoint")
            if not self._m.improved(value):
                return
            self._m.best = value
        path = self._format(epoch, logs)
        if self.save_weights_only:
            parent = os.path.dirname(path)
            if parent:
                os.makedirs(parent, exist_ok=True)
            save_safetensors(dict(self.model.state_dict()), path,
                             metadata={"epoch": str(epoch + 1)})
        else:
            # Written by the trainer after every callback of this epoch has run.
            self.trainer.request_checkpoint(path)
        self.best_path = path
        if self.verbose:
            print(f"ModelCheckpoint: saved {path}")

    @property
    def best(self):
        return self._m.best

    def state_dict(self) -> dict:
        return {"best": self._m.best, "best_path": self.best_path}

    def load_state_dict(self, state: dict) -> None:
        self._m.best = float(state["best"])
        self.best_path = state.get("best_path")


def _set_lr(optimizer, lr: float) -> None:
    for g in optimizer.param_groups:
        g["lr"] = float(lr)


class LearningRateScheduler(Callback):
    """Keras' epoch-level schedule: at each epoch start, lr ← ``schedule(epoch, lr)``
    (``epoch`` 0-based, ``lr`` the first group's current rate) for every group."""

    def __init__(self, schedule, verbose: int = 0):
        super().__init__()
        if not callable(schedule):
            raise TypeError("LearningRateScheduler: schedule must be callable (epoch, lr)")
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        opt = self.trainer.optimizer
        lr = float(self.schedule(epoch, float(opt.param_groups[0]["lr"])))
        if not math.isfinite(lr) or lr < 0:
            raise ValueError(f"LearningRateScheduler: schedule returned lr={lr}")
        _set_lr(opt, lr)
        if self.verbose:
            print(f"epoch {epoch + 1}: learning rate {lr:.3g}")


class ReduceLROnPlateau(Callback):
    """Multiply every group's lr by ``factor`` when ``monitor`` has not improved for
    ``patience`` epochs (then wait ``cooldown`` epochs); never below ``min_lr``."""

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 mode: str = "auto", min_delta: float = 1e-4, cooldown: int = 0,
                 min_lr: float = 0.0, verbose: int = 0):
        super().__init__()
        if not 0.0 < factor < 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be in (0, 1), got {factor}")
        self._m = _Monitor(monitor, mode, min_delta, "ReduceLROnPlateau")
        self.monitor, self.factor, self.patience = monitor, factor, patience
        self.cooldown, self.min_lr, self.verbose = cooldown, min_lr, verbose
        self.wait, self.cooldown_left = 0, 0

    def on_epoch_end(self, epoch, logs=None):
        value = _monitored(logs, self.monitor, "ReduceLROnPlateau")
        if self.cooldown_left > 0:
            self.cooldown_left -= 1
            self.wait = 0
        if self._m.improved(value):
            self._m.best, self.wait = value, 0
            return
        if self.cooldown_left > 0:
            return
        self.wait += 1
        if self.wait >= self.patience:
            for g in self.trainer.optimizer.param_groups:
                g["lr"] = max(float(g["lr"]) * self.factor, self.min_lr)
            self.wait, self.cooldown_left = 0, self.cooldown
            if self.verbose:
                print(f"ReduceLROnPlateau: lr -> {self.trainer.optimizer.param_groups[0]['lr']}")

    def state_dict(self) -> dict:
        return {"best": self._m.best, "wait": self.wait, "cooldown_left": self.cooldown_left}

    def load_state_dict(self, state: dict) -> None:
        self._m.best = float(state["best"])
        self.wait, self.cooldown_left = int(state["wait"]), int(state["cooldown_left"])


def _history_rows(history):
    keys = sorted(history.history)
    rows = [["epoch"] + keys]
    for i, e in enumerate(history.epoch):
        row = [e]
        for k in keys:
            v = history.history[k][i]
            row.append("" if v is None else repr(float(v)))
        rows.append(row)
    return rows


class CSVLogger(Callback):
    """Write the epoch history as CSV (``epoch, loss, accuracy, val_loss, ...``).

    The whole file is rewritten atomically after each epoch from the trainer's history,
    so a resumed run produces the same file as an uninterrupted one.
    """

    def __init__(self, filename, separator: str = ","):
        super().__init__()
        self.filename, self.separator = os.fspath(filename), separator

    def on_epoch_end(self, epoch, logs=None):
        buf = io.StringIO()
        csv.writer(buf, delimiter=self.separator, lineterminator="\n").writerows(
            _history_rows(self.trainer.history))
        parent = os.path.dirname(self.filename)
        if parent:
            os.makedirs(parent, exist_ok=True)
        with atomic_write(self.filename) as fh:
            fh.write(buf.getvalue().encode("utf-8"))


class JSONLogger(Callback):
    """Write the history (epoch metrics and per-step losses) as JSON after each epoch."""

    def __init__(self, filename):
        super().__init__()
        self.filename = os.fspath(filename)

    def on_epoch_end(self, epoch, logs=None):
        parent = os.path.dirname(self.filename)
        if parent:
            os.makedirs(parent, exist_ok=True)
        self.trainer.history.to_json(self.filename)


class LambdaCallback(Callback):
    """A callback from plain functions: ``LambdaCallback(on_epoch_end=lambda e, logs: ...)``."""

    def __init__(self, on_train_begin=None, on_epoch_begin=None, on_train_batch_end=None,
                 on_epoch_end=None, on_train_end=None):
        super().__init__()
        for name, fn in [("on_train_begin", on_train_begin), ("on_epoch_begin", on_epoch_begin),
                         ("on_train_batch_end", on_train_batch_end),
                         ("on_epoch_end", on_epoch_end), ("on_train_end", on_train_end)]:
            if fn is not None:
                setattr(self, name, fn)
