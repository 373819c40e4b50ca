"""``Trainer``: the training loop — batches, forward, loss, backward, step — and the
bookkeeping around it (validation, metrics, callbacks, checkpoints, Ctrl-C, resume).

One optimizer step::

    for each of the k micro-batches of this step (gradient accumulation, k ≥ 1):
        outputs = model(*inputs);  L_j = loss(outputs, targets)
        backward(L_j / k)                  # gradients add up: ∇ (1/k) Σ_j L_j
    clip the joint gradient norm to grad_clip (optional)
    optimizer.step(); scheduler.step() (if per step); zero the gradients

Determinism. ``fit`` re-seeds tinyllm's global generator with ``seed`` (dropout and any
other draw use it), and the order of epoch e is ``default_rng([seed, e]).permutation(n)``
— a pure function of (seed, e), so a resumed run needs only the epoch and the next batch
index to see the same batches. A checkpoint holds that position, the model, optimizer
and scheduler state, the generator's state, the running epoch metrics and the
callbacks' state: resuming continues with exactly the losses of an uninterrupted run.

Ctrl-C (SIGINT) while ``fit`` runs sets a flag; the loop finishes the current optimizer
step, writes ``<checkpoint_dir>/interrupted`` and returns normally (``trainer.interrupted``
is True). A second Ctrl-C aborts at once.
"""

from __future__ import annotations

import math
import os
import signal
import sys
import threading

import numpy as np

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..rng import get_rng, get_rng_state, manual_seed, set_rng_state
from .callbacks import CallbackList
from .checkpoint import (
    load_run_checkpoint,
    optimizer_state_from_json,
    optimizer_state_to_json,
    save_run_checkpoint,
)
from .history import History
from .losses import get_loss
from .meters import make_meters

__all__ = ["Trainer", "TrainingData", "as_training_data"]


class TrainingData:
    """Uniform access to the supported data forms.

    * a tuple/list of equal-length arrays ``(x, y)`` or ``(x1, x2, ..., y)``: the last is
      the target, the others are the model's positional inputs;
    * a dict of arrays: ``target_key`` (default ``"labels"``) is the target, the rest are
      keyword inputs (``model(input_ids=..., attention_mask=...)``);
    * an object with ``__len__`` and ``get_batch(indices) -> (inputs..., target)`` (e.g.
      :class:`tinyllm.data.ArrayDataset`).
    """

    def __init__(self, data, who: str = "Trainer", target_key: str = "labels"):
        self.kind = None
        if isinstance(data, dict):
            if target_key not in data:
                raise ValueError(f"{who}: dict data needs a {target_key!r} entry (the "
                                 f"targets); got keys {sorted(data)}")
            self.kind = "dict"
            self.arrays = {k: as_batch_array(v, f"{who}: data[{k!r}]") for k, v in data.items()}
            self.target_key = target_key
            lengths = {k: len(v) for k, v in self.arrays.items()}
        elif isinstance(data, (tuple, list)) and data and not _is_number(data[0]):
            if len(data) < 2:
                raise ValueError(f"{who}: data must be (inputs..., targets); got one array")
            self.kind = "tuple"
            self.arrays = [as_batch_array(v, f"{who}: data[{i}]") for i, v in enumerate(data)]
            lengths = {i: len(v) for i, v in enumerate(self.arrays)}
        elif hasattr(data, "get_batch") and hasattr(data, "__len__"):
            self.kind = "dataset"
            self.dataset = data
            lengths = {"dataset": len(data)}
        else:
            raise TypeError(f"{who}: data must be a tuple (x, y), a dict of arrays with "
                            f"{target_key!r}, or a dataset with get_batch(); got "
                            f"{type(data).__name__}")
        if len(set(lengths.values())) != 1:
            raise ValueError(f"{who}: inputs and targets have different lengths {lengths}")
        self.n = next(iter(lengths.values()))
        if self.n == 0:
            raise ValueError(f"{who}: the data set is empty")

    def __len__(self) -> int:
        return self.n

    def batch(self, idx: np.ndarray):
        """→ (inputs: tuple or dict, targets: ndarray)."""
        if self.kind == "tuple":
            return tuple(a[idx] for a in self.arrays[:-1]), self.arrays[-1][idx]
        if self.kind == "dict":
            inputs = {k: a[idx] for k, a in self.arrays.items() if k != self.target_key}
            return inputs, self.arrays[self.target_key][idx]
        out = self.dataset.get_batch(idx)
        if not isinstance(out, tuple) or len(out) < 2:
            raise ValueError("Trainer: dataset.get_batch must return (inputs..., targets)")
        return tuple(out[:-1]), out[-1]


def _is_number(x) -> bool:
    return isinstance(x, (int, float, np.number))


def as_batch_array(v, where: str) -> np.ndarray:
    """Data (Tensor, array, nested lists) → a numeric array with a batch axis; ragged or
    scalar input gets an error that names ``where`` and says what to do."""
    try:
        a = v.data if isinstance(v, Tensor) else np.asarray(v)
    except ValueError:  # NumPy refuses ragged nested lists
        a = np.empty(0, dtype=object)
    if a.dtype == object:
        raise TypeError(f"{where}: could not turn the data into a numeric array (ragged "
                        "sequences? pad them first, e.g. with pad_sequences)")
    if a.ndim == 0:
        raise ValueError(f"{where} must have a batch dimension, got a scalar")
    return a


def as_training_data(data, who: str = "Trainer", target_key: str = "labels") -> TrainingData:
    return data if isinstance(data, TrainingData) else TrainingData(data, who, target_key)


def _to_model_input(a):
    # Float arrays become Tensors (so that Linear & co. see Tensors); integer and bool
    # arrays (token ids, masks) stay NumPy arrays, which is what lookups and masks take.
    if isinstance(a, np.ndarray) and a.dtype.kind == "f":
        return Tensor(a)
    return a


def default_forward(model, inputs):
    """``model(*inputs)`` for tuple inputs, ``model(**inputs)`` for dict inputs."""
    if isinstance(inputs, dict):
        return model(**{k: _to_model_input(v) for k, v in inputs.items()})
    return model(*[_to_model_input(v) for v in inputs])


class Trainer:
    """Train ``model`` with ``optimizer`` on a loss.

    Args:
        model: an :class:`tinyllm.nn.Module`.
        optimizer: a :mod:`tinyllm.optim` optimizer over (some of) the model's parameters.
        loss: a name (``"cross_entropy"``, ``"binary_cross_entropy"``, ``"bce_with_logits"``,
            ``"mse"``, Keras' names ...; see :mod:`tinyllm.train.losses`) or a callable
            ``fn(outputs, targets) -> scalar Tensor``.
        metrics: metric names computed on training and validation batches
            (``"accuracy"``, ``"precision"``, ``"recall"``, ``"f1"``, ``"mae"``, ``"mse"``).
        callbacks: :class:`tinyllm.train.callbacks.Callback` objects.
        scheduler: a learning-rate scheduler (anything with ``step()``, ``state_dict()``,
            ``load_state_dict()``), stepped every optimizer step
            (``scheduler_interval="step"``) or every epoch (``"epoch"``); with
            ``scheduler_monitor="val_loss"`` it is called as ``step(logs[monitor])`` at
            each epoch end (reduce-on-plateau schedulers).
        grad_clip: clip the joint gradient norm to this value (``None``: no clipping).
        grad_accum_steps: micro-batches per optimizer step.
        seed: seeds the global generator at the start of ``fit`` and the shuffling order;
            ``None`` draws a shuffling seed from the current generator and does not
            re-seed (Keras' behaviour).
        verbose: 0 silent, 1 a tqdm bar per epoch (loss and metrics live), 2 one line per
            epoch.
        checkpoint_dir: where ``interrupted`` (Ctrl-C) and ``last`` (every
            ``save_every`` steps) checkpoints go (default ``./checkpoints``).
        forward_fn: ``fn(model, inputs) -> outputs`` (default: ``model(*inputs)``).
        predict_fn: outputs (ndarray) → class labels, for metrics with a callable loss.
        handle_sigint: install the Ctrl-C handler during ``fit`` (main thread only).
    """

    def __init__(self, model, optimizer, loss="cross_entropy", *, metrics=("accuracy",),
                 callbacks=(), scheduler=None, scheduler_interval: str = "step",
                 scheduler_monitor: str | None = None, grad_clip: float | None = None,
                 grad_accum_steps: int = 1, seed: int | None = 0, verbose: int = 1,
                 checkpoint_dir=None, save_every: int | None = None, forward_fn=None,
                 predict_fn=None, target_key: str = "labels", handle_sigint: bool = True):
        if optimizer is None or not hasattr(optimizer, "param_groups"):
            raise TypeError("Trainer: optimizer must be a tinyllm.optim optimizer, got "
                            f"{type(optimizer).__name__}")
        if scheduler_interval not in ("step", "epoch"):
            raise ValueError(f"Trainer: scheduler_interval must be 'step' or 'epoch', got "
                             f"{scheduler_interval!r}")
        if isinstance(grad_accum_steps, bool) or not isinstance(grad_accum_steps, int) \
                or grad_accum_steps < 1:
            raise ValueError(f"Trainer: grad_accum_steps must be an int >= 1, got "
                             f"{grad_accum_steps!r}")
        if grad_clip is not None and not grad_clip > 0:
            raise ValueError(f"Trainer: grad_clip must be > 0 or None, got {grad_clip!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)
                                 or seed < 0):
            raise ValueError(f"Trainer: seed must be a non-negative int or None, got {seed!r}")
        if save_every is not None and (not isinstance(save_every, int) or save_every < 1):
            raise ValueError(f"Trainer: save_every must be a positive int or None, got "
                             f"{save_every!r}")
        if verbose not in (0, 1, 2):
            raise ValueError(f"Trainer: verbose must be 0, 1 or 2, got {verbose!r}")
        self.model, self.optimizer = model, optimizer
        self.loss_spec = get_loss(loss, predict_fn)
        self.metric_names = [] if metrics is None else (
            [metrics] if isinstance(metrics, str) else list(metrics))
        self.meters = make_meters(self.metric_names)
        self.val_meters = make_meters(self.metric_names)
        if self.meters and self.loss_spec.predict is None and any(
                m.name in ("accuracy", "precision", "recall", "f1") for m in self.meters):
            raise ValueError(f"Trainer: classification metrics need a classification loss; "
                             f"{self.loss_spec.name!r} gives no labels")
        self.callbacks = CallbackList(callbacks, self)
        self.scheduler, self.scheduler_interval = scheduler, scheduler_interval
        self.scheduler_monitor = scheduler_monitor
        self.grad_clip, self.grad_accum_steps = grad_clip, grad_accum_steps
        self.seed, self.verbose = seed, verbose
        self.checkpoint_dir = os.fspath(checkpoint_dir) if checkpoint_dir else "checkpoints"
        self.save_every = save_every
        self.forward_fn = forward_fn or default_forward
        self.target_key = target_key
        self.handle_sigint = handle_sigint
        self.history = History()
        self.epoch = self.batch = self.step = 0
        self.stop_training = False
        self.interrupted = False
        self.last_checkpoint = None
        self._sigint = False
        self._epoch_started = False
        self._loss_sum, self._loss_count = 0.0, 0
        self._shuffle_seed = seed
        self._config: dict = {}
        self._pending_saves: list[str] = []

    # ----- public API -------------------------------------------------------------------
    def fit(self, train_data, val_data=None, *, epochs: int = 1, batch_size: int = 32,
            shuffle: bool = True, resume_from=None, max_steps: int | None = None,
            val_batch_size: int | None = None) -> History:
        """Train for ``epochs`` epochs (counting those already done when resuming).

        ``resume_from``: a run checkpoint (prefix or either file) to continue from; the
        model, optimizer, scheduler and callbacks must be built as for the saved run.
        ``max_steps`` stops after that many optimizer steps in total.
        Returns the :class:`History` (also ``trainer.history``).
        """
        _check_positive_int(epochs, "epochs")
        _check_positive_int(batch_size, "batch_size")
        data = as_training_data(train_data, "Trainer.fit", self.target_key)
        val = None if val_data is None else as_training_data(val_data, "Trainer.fit "
                                                             "(validation)", self.target_key)
        trainable = [p for g in self.optimizer.param_groups for p in g["params"]
                     if p.requires_grad]
        if not trainable:
            raise ValueError("Trainer.fit: the optimizer holds no trainable parameter (all "
                             "frozen?); unfreeze some or build the optimizer after freezing")
        n_batches = math.ceil(len(data) / batch_size)
        self._config = {"batch_size": int(batch_size), "n_train": len(data),
                        "shuffle": bool(shuffle), "grad_accum_steps": self.grad_accum_steps}
        if resume_from is not None:
            self.load_checkpoint(resume_from)
        else:
            if self.seed is not None:
                manual_seed(self.seed)
                self._shuffle_seed = self.seed
            else:
                self._shuffle_seed = int(get_rng().integers(0, 2**31 - 1))
            self.history = History()
            self.epoch = self.batch = self.step = 0
            self._epoch_started = False
        self.history.params = {"epochs": int(epochs), "steps": n_batches, **self._config}
        self.stop_training = self.interrupted = self._sigint = False
        previous_handler = self._install_sigint()
        try:
            self.callbacks.on_train_begin({})
            while self.epoch < epochs and not self.stop_training:
                self._run_epoch(data, val, epochs, batch_size, n_batches, shuffle, max_steps,
                                val_batch_size or batch_size)
                if self._sigint:
                    self.interrupted = True
                    path = os.path.join(self.checkpoint_dir, "interrupted")
                    self.save_checkpoint(path)
                    if self.verbose:
                        print(f"\ninterrupted: checkpoint written to {path} — resume with "
                              f"fit(..., resume_from={path!r})", file=sys.stderr)
                    break
                if max_steps is not None and self.step >= max_steps:
                    break
            self.callbacks.on_train_end({})
        finally:
            self._restore_sigint(previous_handler)
            self.model.train()
        return self.history

    def evaluate(self, data, batch_size: int = 256) -> dict:
        """Mean loss and metrics over ``data`` (model in eval mode, no gradients)."""
        _check_positive_int(batch_size, "batch_size")
        data = as_training_data(data, "Trainer.evaluate", self.target_key)
        for m in self.val_meters:
            m.reset()
        was_training = self.model.training
        self.model.eval()
        total, count = 0.0, 0
        try:
            with no_grad():
                for s in range(0, len(data), batch_size):
                    idx = np.arange(s, min(s + batch_size, len(data)))
                    inputs, targets = data.batch(idx)
                    out = self.forward_fn(self.model, inputs)
                    loss = float(self.loss_spec.fn(out, targets).item())
                    total += loss * len(idx)
                    count += len(idx)
                    self._update_meters(self.val_meters, out, targets)
        finally:
            self.model.train(was_training)
        logs = {"loss": total / count}
        logs.update({m.name: m.result() for m in self.val_meters})
        return logs

    def predict(self, inputs, batch_size: int = 256) -> np.ndarray:
        """Model outputs for ``inputs`` (an array, a tuple of arrays or a dict), batched."""
        _check_positive_int(batch_size, "batch_size")
        if isinstance(inputs, dict):
            arrays = {k: as_batch_array(v, f"predict: inputs[{k!r}]") for k, v in inputs.items()}
            n = len(next(iter(arrays.values())))
            take = lambda idx: {k: a[idx] for k, a in arrays.items()}  # noqa: E731
        else:
            seq = inputs if isinstance(inputs, tuple) else (inputs,)
            arrays = [as_batch_array(v, "predict: inputs") for v in seq]
            n = len(arrays[0])
            take = lambda idx: tuple(a[idx] for a in arrays)  # noqa: E731
        was_training = self.model.training
        self.model.eval()
        outs = []
        try:
            with no_grad():
                for s in range(0, n, batch_size):
                    out = self.forward_fn(self.model, take(np.arange(s, min(s + batch_size, n))))
                    outs.append(out.data if isinstance(out, Tensor) else np.asarray(out))
        finally:
            self.model.train(was_training)
        return np.concatenate(outs, axis=0)

    def predict_labels(self, inputs, batch_size: int = 256) -> np.ndarray:
        """Class labels by the loss' rule (argmax, or p > 0.5 for a sigmoid output)."""
        if self.loss_spec.predict is None:
            raise ValueError(f"predict_labels: loss {self.loss_spec.name!r} gives no labels")
        return self.loss_spec.predict(self.predict(inputs, batch_size))

    # ----- checkpoints ------------------------------------------------------------------
    def state_dict(self) -> dict:
        """The run state saved next to the model weights (see :mod:`.checkpoint`)."""
        opt = optimizer_state_to_json(self.optimizer.state_dict())
        sched = None
        if self.scheduler is not None and hasattr(self.scheduler, "state_dict"):
            sched = self.scheduler.state_dict()
        return {
            "position": {"epoch": self.epoch, "batch": self.batch, "step": self.step,
                         "epoch_started": self._epoch_started},
            "shuffle_seed": self._shuffle_seed,
            "config": dict(self._config),
            "optimizer": opt,
            "scheduler": sched,
            "rng": get_rng_state(),
            "history": self.history.state_dict(),
            "running": {"loss_sum": self._loss_sum, "loss_count": self._loss_count,
                        "meters": {m.name: m.state_dict() for m in self.meters}},
            "callbacks": self.callbacks.state_dict(),
            "model_config": _json_config(self.model),
        }

    def save_checkpoint(self, path) -> tuple[str, str]:
        """Write a resumable checkpoint (two files, each written atomically)."""
        paths = save_run_checkpoint(path, self.model.state_dict(), self.state_dict())
        self.last_checkpoint = os.fspath(path)
        return paths

    def request_checkpoint(self, path) -> None:
        """Save a checkpoint once the current epoch's callbacks have all run (so the file
        holds the state after every callback's bookkeeping). Used by ModelCheckpoint."""
        self._pending_saves.append(os.fspath(path))

    def load_checkpoint(self, path) -> dict:
        """Restore model, optimizer, scheduler, RNG, position, history and callbacks."""
        tensors, state = load_run_checkpoint(path)
        saved_cfg = state.get("config") or {}
        for key in ("batch_size", "n_train", "grad_accum_steps"):
            if key in saved_cfg and key in self._config and saved_cfg[key] != self._config[key]:
                raise ValueError(f"Trainer.load_checkpoint: the checkpoint was made with "
                                 f"{key}={saved_cfg[key]}, this run has {self._config[key]}; "
                                 "resume with the same data and batch settings")
        self.model.load_state_dict(tensors)
        self.optimizer.load_state_dict(optimizer_state_from_json(state["optimizer"]))
        if state.get("scheduler") is not None:
            if self.scheduler is None:
                raise ValueError("Trainer.load_checkpoint: the checkpoint has scheduler state "
                                 "but this Trainer has no scheduler")
            self.scheduler.load_state_dict(state["scheduler"])
        set_rng_state(state["rng"])
        pos = state["position"]
        self.epoch, self.batch, self.step = int(pos["epoch"]), int(pos["batch"]), int(pos["step"])
        self._epoch_started = bool(pos.get("epoch_started", self.batch > 0))
        self._shuffle_seed = state.get("shuffle_seed")
        self.history = History()
        self.history.load_state_dict(state["history"])
        running = state.get("running") or {}
        self._loss_sum = float(running.get("loss_sum", 0.0))
        self._loss_count = int(running.get("loss_count", 0))
        saved_meters = running.get("meters", {})
        for m in self.meters:
            if m.name in saved_meters:
                m.load_state_dict(saved_meters[m.name])
        self.callbacks.load_state_dict(state.get("callbacks") or {})
        return state

    # ----- the loop ---------------------------------------------------------------------
    def _order(self, epoch: int, n: int, shuffle: bool) -> np.ndarray:
        if not shuffle:
            return np.arange(n)
        seed = 0 if self._shuffle_seed is None else int(self._shuffle_seed)
        return np.random.default_rng([seed, epoch]).permutation(n)

    def _run_epoch(self, data, val, epochs, batch_size, n_batches, shuffle, max_steps,
                   val_batch_size):
        epoch = self.epoch
        if not self._epoch_started:
            self._loss_sum, self._loss_count = 0.0, 0
            for m in self.meters:
                m.reset()
            self.callbacks.on_epoch_begin(epoch, {})
            self._epoch_started = True
        order = self._order(epoch, len(data), shuffle)
        bar = self._make_bar(epoch, epochs, n_batches)
        try:
            while self.batch < n_batches:
                if self._sigint or (max_steps is not None and self.step >= max_steps):
                    return
                self._train_step(data, order, batch_size, n_batches)
                if bar is not None:
                    bar.update(self.batch - bar.n)
                    bar.set_postfix(self._running_logs(), refresh=False)
                if self.save_every and self.step % self.save_every == 0:
                    self.save_checkpoint(os.path.join(self.checkpoint_dir, "last"))
        finally:
            if bar is not None:
                bar.close()
        # Stop here (position stays at the end of the epoch) if Ctrl-C came during the
        # last step: the resumed run then does this epoch's validation and logging.
        if self._sigint:
            return
        self._end_epoch(epoch, val, val_batch_size)

    def _train_step(self, data, order, batch_size, n_batches):
        first = self.batch
        last = min(first + self.grad_accum_steps, n_batches)
        k = last - first
        self.optimizer.zero_grad()
        step_loss = 0.0
        for b in range(first, last):
            idx = order[b * batch_size:(b + 1) * batch_size]
            inputs, targets = data.batch(idx)
            out = self.forward_fn(self.model, inputs)
            loss = self.loss_spec.fn(out, targets)
            value = float(loss.item())
            if not math.isfinite(value):
                raise FloatingPointError(f"Trainer: the loss is {value} at step {self.step} "
                                         f"(epoch {self.epoch + 1}, batch {b}); lower the "
                                         "learning rate or check the data")
            (loss * (1.0 / k)).backward() if k > 1 else loss.backward()
            step_loss += value / k
            self._loss_sum += value * len(idx)
            self._loss_count += len(idx)
            self._update_meters(self.meters, out, targets)
        logs = {"loss": step_loss}
        if self.grad_clip is not None:
            from ..nn.utils import clip_grad_norm_
            params = [p for g in self.optimizer.param_groups for p in g["params"]
                      if p.requires_grad]
            logs["grad_norm"] = clip_grad_norm_(params, self.grad_clip)
        self.optimizer.step()
        self.optimizer.zero_grad()
        if self.scheduler is not None and self.scheduler_interval == "step" \
                and self.scheduler_monitor is None:
            self.scheduler.step()
        self.step += 1
        self.batch = last
        self.history.step_losses.append(step_loss)
        logs["lr"] = float(self.optimizer.param_groups[0]["lr"])
        self.callbacks.on_train_batch_end(self.step, logs)

    def _update_meters(self, meters, out, targets):
        if not meters:
            return
        out_np = out.data if isinstance(out, Tensor) else np.asarray(out)
        tgt = targets.data if isinstance(targets, Tensor) else np.asarray(targets)
        spec = self.loss_spec
        y_pred = spec.predict(out_np) if spec.predict is not None else None
        y_true = spec.target_labels(tgt) if spec.predict is not None else None
        for m in meters:
            m.update(y_true, y_pred, out_np, tgt)

    def _running_logs(self) -> dict:
        logs = {"loss": self._loss_sum / max(self._loss_count, 1)}
        logs.update({m.name: m.result() for m in self.meters})
        return {k: f"{v:.4f}" for k, v in logs.items()}

    def _end_epoch(self, epoch, val, val_batch_size):
        logs = {"loss": self._loss_sum / max(self._loss_count, 1)}
        logs.update({m.name: m.result() for m in self.meters})
        if val is not None:
            vlogs = self.evaluate(val, val_batch_size)
            logs.update({f"val_{k}": v for k, v in vlogs.items()})
        logs["lr"] = float(self.optimizer.param_groups[0]["lr"])
        self.history.log_epoch(epoch, logs)
        if self.scheduler is not None:
            if self.scheduler_monitor is not None:
                if self.scheduler_monitor not in logs:
                    raise ValueError(f"Trainer: scheduler_monitor {self.scheduler_monitor!r} "
                                     f"is not in the epoch logs {sorted(logs)}")
                self.scheduler.step(logs[self.scheduler_monitor])
            elif self.scheduler_interval == "epoch":
                self.scheduler.step()
        # The position moves to the next epoch *before* the callbacks run, so a checkpoint
        # written by one of them resumes at the next epoch, not at this one's end.
        self.epoch, self.batch, self._epoch_started = epoch + 1, 0, False
        self._loss_sum, self._loss_count = 0.0, 0
        for m in self.meters:
            m.reset()
        self._pending_saves = []
        self.callbacks.on_epoch_end(epoch, logs)
        if getattr(self.model, "stop_training", False):  # Keras callbacks set it there
            self.stop_training = True
        for path in self._pending_saves:
            self.save_checkpoint(path)
        self._pending_saves = []
        if self.verbose == 2:
            print(f"epoch {epoch + 1}: " + " - ".join(
                f"{k}: {v:.4f}" for k, v in logs.items()), file=sys.stderr)

    def _make_bar(self, epoch, epochs, n_batches):
        if self.verbose != 1:
            return None
        from tqdm.auto import tqdm
        return tqdm(total=n_batches, initial=self.batch, desc=f"epoch {epoch + 1}/{epochs}",
                    unit="batch", leave=True, dynamic_ncols=True, file=sys.stderr)

    # ----- Ctrl-C -------------------------------------------------------------------------
    def _install_sigint(self):
        if not self.handle_sigint or threading.current_thread() is not threading.main_thread():
            return None
        previous = signal.getsignal(signal.SIGINT)

        def on_sigint(signum, frame):
            if self._sigint:  # second Ctrl-C: give up at once
                signal.signal(signal.SIGINT, signal.default_int_handler)
                raise KeyboardInterrupt
            self._sigint = True
            if self.verbose:
                print("\nCtrl-C: finishing this step, then writing a checkpoint "
                      "(press Ctrl-C again to abort)", file=sys.stderr)

        signal.signal(signal.SIGINT, on_sigint)
        return previous

    @staticmethod
    def _restore_sigint(previous) -> None:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _check_positive_int(v, name: str) -> None:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
        raise ValueError(f"Trainer.fit: {name} must be a positive int, got {v!r}")


def _json_config(model):
    """The model's ``config`` (dataclass or dict) if it has one, as plain JSON data."""
    cfg = getattr(model, "config", None)
    if cfg is None:
        return None
    if hasattr(cfg, "__dataclass_fields__"):
        import dataclasses
        cfg = dataclasses.asdict(cfg)
    if isinstance(cfg, dict):
        return {k: v for k, v in cfg.items()
                if isinstance(v, (str, int, float, bool, type(None), list))}
    return None
