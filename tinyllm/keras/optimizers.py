"""Keras-style optimizer objects (``tinyllm.keras.optimizers``).

A Keras optimizer is created before the model's weights exist (layers are built on the
first batch), so these objects hold the hyperparameters and build the real
:mod:`tinyllm.optim` optimizer when ``fit`` first runs. Keras' argument names and
defaults: ``Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)``,
``SGD(learning_rate=0.01, momentum=0.0, nesterov=False)``.
"""

from __future__ import annotations

from .. import optim

__all__ = ["Optimizer", "Adam", "AdamW", "SGD", "RMSprop", "get"]


class Optimizer:
    def __init__(self, learning_rate: float):
        if not learning_rate > 0:
            raise ValueError(f"{type(self).__name__}: learning_rate must be > 0, got "
                             f"{learning_rate!r}")
        self._learning_rate = float(learning_rate)
        self.inner = None  # the tinyllm.optim optimizer, once built

    @property
    def learning_rate(self) -> float:
        if self.inner is not None:
            return float(self.inner.param_groups[0]["lr"])
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._learning_rate = float(value)
        if self.inner is not None:
            for g in self.inner.param_groups:
                g["lr"] = float(value)

    lr = learning_rate

    def build(self, params):  # pragma: no cover - abstract
        raise NotImplementedError


class Adam(Optimizer):
    def __init__(self, learning_rate: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, **kwargs):
        super().__init__(learning_rate)
        if kwargs:
            raise TypeError(f"Adam: unsupported argument(s) {sorted(kwargs)}")
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build(self, params):
        self.inner = optim.Adam(params, lr=self._learning_rate, betas=(self.beta_1, self.beta_2),
                                eps=self.epsilon)
        return self.inner


class AdamW(Adam):
    def __init__(self, learning_rate: float = 0.001, weight_decay: float = 0.004,
                 beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7):
        super().__init__(learning_rate, beta_1, beta_2, epsilon)
        self.weight_decay = weight_decay

    def build(self, params):
        self.inner = optim.AdamW(params, lr=self._learning_rate,
                                 betas=(self.beta_1, self.beta_2), eps=self.epsilon,
                                 weight_decay=self.weight_decay)
        return self.inner


class SGD(Optimizer):
    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0,
                 nesterov: bool = False, **kwargs):
        super().__init__(learning_rate)
        if kwargs:
            raise TypeError(f"SGD: unsupported argument(s) {sorted(kwargs)}")
        self.momentum, self.nesterov = momentum, nesterov

    def build(self, params):
        self.inner = optim.SGD(params, lr=self._learning_rate, momentum=self.momentum,
                               nesterov=self.nesterov)
        return self.inner


class RMSprop(Optimizer):
    def __init__(self, learning_rate: float = 0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False):
        super().__init__(learning_rate)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def build(self, params):
        self.inner = optim.RMSprop(params, lr=self._learning_rate, alpha=self.rho,
                                   eps=self.epsilon, momentum=self.momentum,
                                   centered=self.centered)
        return self.inner


def get(spec) -> Optimizer:
    """An optimizer object from a name ("adam", "adamw", "sgd") or an instance."""
    if isinstance(spec, Optimizer):
        return spec
    if isinstance(spec, str):
        table = {"adam": Adam, "adamw": AdamW, "sgd": SGD, "rmsprop": RMSprop}
        if spec.lower() not in table:
            raise ValueError(f"optimizers.get: unknown optimizer {spec!r}; choose from "
                             f"{sorted(table)}")
        return table[spec.lower()]()
    raise TypeError(f"optimizers.get: expected a name or an optimizer, got "
                    f"{type(spec).__name__}")
