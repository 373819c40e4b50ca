"""``Sequential``: Keras' model API (``compile``, ``fit``, ``evaluate``, ``predict``,
``summary``) on tinyllm's engine.

``fit`` is :class:`tinyllm.train.Trainer` underneath — the same loop, callbacks, metrics
and checkpoints as the PyTorch-style API — so a Keras-style model is an ordinary
:class:`tinyllm.nn.Module` (``state_dict()``, ``parameters()``) whose weights carry
Keras-like names (``lstm.cell.weight_ih_l0``, ``dense.weight``).

Like Keras, ``fit`` does not re-seed anything: call ``tinyllm.manual_seed(s)`` before
building the model for a repeatable run.
"""

from __future__ import annotations

import re

import numpy as np

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..io import load_safetensors, save_safetensors
from ..nn.module import Module
from ..train.callbacks import CallbackList
from ..train.losses import LossSpec, get_loss
from ..train.trainer import Trainer, as_batch_array
from . import optimizers as _optimizers
from .layers import Layer

__all__ = ["Sequential", "Model"]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower().replace("l_s_t_m", "lstm") \
        .replace("g_r_u", "gru")


def _as_array(x, who: str, what: str) -> np.ndarray:
    return as_batch_array(x, f"{who}: {what}")


def _verbose(v) -> int:
    if v == "auto":
        return 1
    if v not in (0, 1, 2):
        raise ValueError(f"verbose must be 'auto', 0, 1 or 2, got {v!r}")
    return int(v)


class Sequential(Module):
    """A stack of layers applied in order: ``Sequential([Embedding(...), LSTM(50),
    Dense(1, activation="sigmoid")])`` or ``model.add(layer)`` one by one."""

    def __init__(self, layers=None, name: str = "sequential"):
        super().__init__()
        self.name = name
        self._order: list[str] = []
        self.stop_training = False
        self._compiled = None
        self._trainer = None
        self.optimizer = None
        self.history = None
        for layer in layers or []:
            self.add(layer)

    # ----- building ---------------------------------------------------------------------
    def add(self, layer) -> None:
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add: expected a tinyllm.keras layer, got "
                            f"{type(layer).__name__}")
        if self._trainer is not None:
            raise RuntimeError("Sequential.add: cannot add layers after fit(); build a new "
                               "model")
        base = layer.layer_name or _snake(type(layer).__name__)
        name, k = base, 0
        while name in self._modules:
            k += 1
            name = f"{base}_{k}"
        self.add_module(name, layer)
        self._order.append(name)

    @property
    def layers(self) -> list:
        return [self._modules[n] for n in self._order]

    def build(self, input_shape) -> None:
        """Build every layer for inputs of ``input_shape`` (batch dimension may be None)."""
        shape = tuple(input_shape)
        for layer in self.layers:
            if not layer.built:
                layer.build(shape)
            shape = tuple(layer.compute_output_shape(shape))

    @property
    def built(self) -> bool:
        return bool(self._order) and all(layer.built for layer in self.layers)

    def forward(self, x):
        if not self._order:
            raise ValueError("Sequential: the model has no layers; add some first")
        for layer in self.layers:
            x = layer(x)
        return x

    def regularization_losses(self) -> list:
        return [r for layer in self.layers for r in layer.regularization_losses()]

    # ----- compile / fit ----------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, **kwargs) -> None:
        """Choose the optimizer (a name or an ``optimizers`` object), the loss (Keras'
        names: ``binary_crossentropy``, ``sparse_categorical_crossentropy``,
        ``categorical_crossentropy``, ``mse``) and metric names."""
        if kwargs:
            raise TypeError(f"Sequential.compile: unsupported argument(s) {sorted(kwargs)}")
        if loss is None:
            raise ValueError("Sequential.compile: give a loss, e.g. loss='binary_crossentropy'")
        self.optimizer = _optimizers.get(optimizer)
        spec = get_loss(loss)
        model = self

        def total_loss(outputs, targets):
            # data loss + the layers' weight penalties (kernel_regularizer=l2(...)).
            value = spec.fn(outputs, targets)
            for penalty in model.regularization_losses():
                value = value + penalty
            return value

        self._compiled = LossSpec(spec.name, total_loss, spec.predict, spec.target_labels)
        self._metrics = [] if metrics is None else list(metrics)
        self._trainer = None

    def _ensure_trainer(self, x: np.ndarray) -> Trainer:
        if self._compiled is None:
            raise RuntimeError("Sequential: call compile(optimizer, loss, metrics) before "
                               "fit / evaluate")
        if not self.built:
            self.build((None,) + tuple(x.shape[1:]))
        if self._trainer is None:
            params = [p for p in self.parameters() if p.requires_grad]
            inner = self.optimizer.build(params)
            self._trainer = Trainer(self, inner, self._compiled, metrics=self._metrics,
                                    seed=None, verbose=1)
        return self._trainer

    def fit(self, x=None, y=None, batch_size: int | None = None, epochs: int = 1,
            verbose="auto", callbacks=None, validation_split: float = 0.0,
            validation_data=None, shuffle: bool = True, initial_epoch: int = 0,
            **kwargs):
        """Train; returns a :class:`~tinyllm.train.History` (``.history`` is Keras' dict
        ``{"loss": [...], "accuracy": [...], "val_loss": [...], ...}``).

        ``validation_split`` holds out the *last* fraction of ``x``/``y`` (before
        shuffling, as Keras does); ``validation_data=(x_val, y_val)`` overrides it.
        """
        if kwargs:
            raise TypeError(f"Sequential.fit: unsupported argument(s) {sorted(kwargs)}")
        if x is None or y is None:
            raise ValueError("Sequential.fit: x and y are required")
        x = _as_array(x, "Sequential.fit", "x")
        y = _as_array(y, "Sequential.fit", "y")
        if len(x) != len(y):
            raise ValueError(f"Sequential.fit: x has {len(x)} samples but y has {len(y)}")
        if not 0.0 <= validation_split < 1.0:
            raise ValueError(f"Sequential.fit: validation_split must be in [0, 1), got "
                             f"{validation_split}")
        val = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) < 2:
                raise ValueError("Sequential.fit: validation_data must be (x_val, y_val)")
            val = (_as_array(validation_data[0], "Sequential.fit", "x_val"),
                   _as_array(validation_data[1], "Sequential.fit", "y_val"))
        elif validation_split > 0:
            cut = int(len(x) * (1.0 - validation_split))
            if cut == 0 or cut == len(x):
                raise ValueError(f"Sequential.fit: validation_split={validation_split} leaves "
                                 f"an empty split of {len(x)} samples")
            x, y, val = x[:cut], y[:cut], (x[cut:], y[cut:])
        trainer = self._ensure_trainer(x)
        trainer.verbose = _verbose(verbose)
        trainer.callbacks = CallbackList(callbacks or [], trainer)
        self.stop_training = False
        if not 0 <= initial_epoch < epochs:
            raise ValueError(f"Sequential.fit: initial_epoch={initial_epoch} must be in "
                             f"[0, epochs={epochs})")
        # Keras counts epochs absolutely: train epochs initial_epoch … epochs − 1.
        history = trainer.fit((x, y), val, epochs=epochs - initial_epoch,
                              batch_size=batch_size or 32, shuffle=shuffle)
        if initial_epoch:
            history.epoch = [e + initial_epoch for e in history.epoch]
        history.model = self
        self.history = history
        return history

    def evaluate(self, x=None, y=None, batch_size: int | None = None, verbose="auto",
                 return_dict: bool = False, **kwargs):
        """Loss (plus metrics) on ``x``, ``y``: a number, a list ``[loss, metric...]``
        when metrics were compiled, or a dict with ``return_dict=True``."""
        if kwargs:
            raise TypeError(f"Sequential.evaluate: unsupported argument(s) {sorted(kwargs)}")
        x = _as_array(x, "Sequential.evaluate", "x")
        y = _as_array(y, "Sequential.evaluate", "y")
        trainer = self._ensure_trainer(x)
        logs = trainer.evaluate((x, y), batch_size=batch_size or 32)
        if _verbose(verbose):
            print(" - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
        if return_dict:
            return logs
        values = [logs["loss"]] + [logs[m.name] for m in trainer.val_meters]
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size: int | None = None, verbose="auto", **kwargs) -> np.ndarray:
        """Model outputs for ``x`` (inference mode: dropout off), batched."""
        if kwargs:
            raise TypeError(f"Sequential.predict: unsupported argument(s) {sorted(kwargs)}")
        x = _as_array(x, "Sequential.predict", "x")
        _verbose(verbose)
        if not self.built:
            self.build((None,) + tuple(x.shape[1:]))
        bs = batch_size or 32
        was = self.training
        self.eval()
        outs = []
        try:
            with no_grad():
                for s in range(0, len(x), bs):
                    chunk = x[s:s + bs]
                    out = self(Tensor(chunk) if chunk.dtype.kind == "f" else chunk)
                    outs.append(out.data)
        finally:
            self.train(was)
        return np.concatenate(outs, axis=0)

    # ----- inspection and weights ---------------------------------------------------------
    def count_params(self) -> int:
        return self.num_parameters()

    def summary(self, print_fn=print) -> None:
        """Print Keras' table: layer (type), output shape, parameter count, totals."""
        shape = None
        first = self.layers[0] if self._order else None
        if first is not None and getattr(first, "input_length", None):
            shape = (None, first.input_length)
        rows = []
        for name in self._order:
            layer = self._modules[name]
            out = "?"
            if shape is not None and layer.built:
                shape = tuple(layer.compute_output_shape(shape))
                out = "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"
            elif shape is not None and not layer.built:
                # build it now so the table is complete (Keras builds on input_length too)
                layer.build(shape)
                shape = tuple(layer.compute_output_shape(shape))
                out = "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"
            n = layer.num_parameters() if layer.built else 0
            rows.append((f"{name} ({type(layer).__name__})", out,
                         f"{n:,}" if layer.built else "0 (unbuilt)"))
        width = 65
        lines = [f'Model: "{self.name}"', "_" * width,
                 f"{'Layer (type)':<29}{'Output Shape':<26}{'Param #':>10}", "=" * width]
        for a, b, c in rows:
            lines.append(f"{a:<29}{b:<26}{c:>10}")
        total = self.num_parameters()
        trainable = self.num_parameters(trainable_only=True)
        lines += ["=" * width, f"Total params: {total:,}", f"Trainable params: {trainable:,}",
                  f"Non-trainable params: {total - trainable:,}", "_" * width]
        print_fn("\n".join(lines))

    def save_weights(self, filepath) -> None:
        """Weights as a safetensors file (written atomically)."""
        save_safetensors(dict(self.state_dict()), filepath)

    def load_weights(self, filepath) -> None:
        state = load_safetensors(filepath)
        if not self.built:
            raise RuntimeError("Sequential.load_weights: build the model first (call it on a "
                               "batch, or model.build(input_shape))")
        self.load_state_dict(state)

    def get_weights(self) -> list:
        return [v for v in self.state_dict().values()]


Model = Sequential
