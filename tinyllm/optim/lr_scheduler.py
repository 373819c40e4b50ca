"""Learning-rate schedules: they write ``optimizer.param_groups[i]["lr"]`` each step.

Usage (as in PyTorch)::

    sched = StepLR(opt, step_size=10, gamma=0.5)
    for epoch in range(n):
        train_one_epoch(...)      # opt.step() inside
        sched.step()              # then move the schedule on

Every schedule remembers each group's starting rate as ``initial_lr`` (the base rate
η₀), keeps its counter in ``last_epoch`` and computes the rate in closed form from them,
so ``state_dict()`` / ``load_state_dict()`` resume it exactly. Creating a schedule sets
the rate for step 0 immediately.
"""

from __future__ import annotations

import math

from .optimizer import Optimizer


class _SchedulerState:
    """What every schedule shares: the last rates, and a JSON-able state dict."""

    def get_last_lr(self) -> list:
        """The rate of each parameter group set by the last ``step()``."""
        return list(self._last_lr)

    def state_dict(self) -> dict:
        """Every attribute but the optimizer (plain numbers and lists: JSON-able)."""
        return {k: (list(v) if isinstance(v, list) else v)
                for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state: dict) -> None:
        unknown = set(state) - set(self.__dict__)
        if unknown:
            raise ValueError(f"{type(self).__name__}.load_state_dict: unknown keys "
                             f"{sorted(unknown)}")
        for k, v in state.items():
            setattr(self, k, list(v) if isinstance(v, list) else v)
        # bring the optimizer to the resumed rates
        for g, lr in zip(self.optimizer.param_groups, self._last_lr):
            g["lr"] = lr


class LRScheduler(_SchedulerState):
    """Base class: subclasses implement ``lr_at(base_lr, step)``."""

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: expected an Optimizer, got "
                            f"{type(optimizer).__name__}")
        self.optimizer = optimizer
        if last_epoch == -1:
            for g in optimizer.param_groups:
                g.setdefault("initial_lr", g["lr"])
        else:
            for i, g in enumerate(optimizer.param_groups):
                if "initial_lr" not in g:
                    raise ValueError(f"{type(self).__name__}: last_epoch={last_epoch} needs "
                                     f"'initial_lr' in param group {i} (resume from a "
                                     f"state dict instead)")
        self.base_lrs = [g["initial_lr"] for g in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._last_lr: list[float] = []
        self.step()

    def lr_at(self, base_lr: float, step: int) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def step(self) -> None:
        """Advance one step (epoch or iteration, as you choose) and set the new rates."""
        self.last_epoch += 1
        self._last_lr = []
        for g, base in zip(self.optimizer.param_groups, self.base_lrs):
            g["lr"] = float(self.lr_at(base, self.last_epoch))
            self._last_lr.append(g["lr"])

    def load_state_dict(self, state: dict) -> None:
        super().load_state_dict(state)
        for g, base in zip(self.optimizer.param_groups, self.base_lrs):
            g["initial_lr"] = base


def _positive(cls: str, name: str, value, allow_zero: bool = False):
    if not isinstance(value, (int, float)) or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{cls}: {name} must be {'>= 0' if allow_zero else '> 0'}, "
                         f"got {value!r}")


class StepLR(LRScheduler):
    """η = η₀·γ^⌊t / step_size⌋: multiply by γ every ``step_size`` steps."""

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        _positive("StepLR", "step_size", step_size)
        _positive("StepLR", "gamma", gamma)
        self.step_size, self.gamma = int(step_size), float(gamma)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, step):
        return base_lr * self.gamma ** (step // self.step_size)


class ExponentialLR(LRScheduler):
    """η = η₀·γᵗ."""

    def __init__(self, optimizer, gamma: float, last_epoch: int = -1):
        _positive("ExponentialLR", "gamma", gamma)
        self.gamma = float(gamma)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, step):
        return base_lr * self.gamma ** step


class CosineAnnealingLR(LRScheduler):
    """η = η_min + (η₀ − η_min)·½(1 + cos(π·t/T_max)); after T_max it rises again (a cosine
    with period 2·T_max, as PyTorch's)."""

    def __init__(self, optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):
        _positive("CosineAnnealingLR", "T_max", T_max)
        _positive("CosineAnnealingLR", "eta_min", eta_min, allow_zero=True)
        self.T_max, self.eta_min = int(T_max), float(eta_min)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, step):
        return self.eta_min + (base_lr - self.eta_min) * 0.5 * (
            1 + math.cos(math.pi * step / self.T_max))


class LinearWarmupCosine(LRScheduler):
    """Linear warm-up then cosine decay — the usual schedule for training transformers.

        t < W:       η = η₀·(t + 1)/W                       (from η₀/W up to η₀)
        W ≤ t ≤ S:   η = η_min + (η₀ − η_min)·½(1 + cos(π·(t − W)/(S − W)))
        t > S:       η = η_min

    with W = ``warmup_steps``, S = ``total_steps``, η_min = ``min_lr``. Call ``step()``
    after every optimizer step.
    """

    def __init__(self, optimizer, warmup_steps: int, total_steps: int, min_lr: float = 0.0,
                 last_epoch: int = -1):
        _positive("LinearWarmupCosine", "warmup_steps", warmup_steps, allow_zero=True)
        _positive("LinearWarmupCosine", "total_steps", total_steps)
        _positive("LinearWarmupCosine", "min_lr", min_lr, allow_zero=True)
        if warmup_steps >= total_steps:
            raise ValueError(f"LinearWarmupCosine: warmup_steps ({warmup_steps}) must be less "
                             f"than total_steps ({total_steps})")
        self.warmup_steps, self.total_steps = int(warmup_steps), int(total_steps)
        self.min_lr = float(min_lr)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, step):
        w, s = self.warmup_steps, self.total_steps
        if step < w:
            return base_lr * (step + 1) / w
        if step > s:
            return self.min_lr
        progress = (step - w) / (s - w)
        return self.min_lr + (base_lr - self.min_lr) * 0.5 * (1 + math.cos(math.pi * progress))


class ReduceLROnPlateau(_SchedulerState):
    """Divide the rate when a watched metric stops improving (Keras's and PyTorch's rule).

    ``step(metric)`` after each evaluation. The metric improves when (mode ``"min"``,
    ``threshold_mode="rel"``) metric < best·(1 − threshold); ``"abs"``: metric < best −
    threshold; mode ``"max"`` mirrors both. After more than ``patience`` steps without
    improvement every group's rate becomes max(η·factor, min_lr) (changes smaller than
    ``eps`` are skipped), then ``cooldown`` steps pass before counting again.
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr=0.0, eps: float = 1e-8):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"ReduceLROnPlateau: expected an Optimizer, got "
                            f"{type(optimizer).__name__}")
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got "
                             f"{threshold_mode!r}")
        if not 0 < factor < 1:
            raise ValueError(f"ReduceLROnPlateau: factor must be in (0, 1), got {factor}")
        n = len(optimizer.param_groups)
        min_lrs = list(min_lr) if isinstance(min_lr, (list, tuple)) else [min_lr] * n
        if len(min_lrs) != n:
            raise ValueError(f"ReduceLROnPlateau: got {len(min_lrs)} min_lr values for {n} "
                             "parameter groups")
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, float(factor), int(patience)
        self.threshold, self.threshold_mode = float(threshold), threshold_mode
        self.cooldown, self.min_lrs, self.eps = int(cooldown), [float(v) for v in min_lrs], eps
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0
        self._last_lr = [g["lr"] for g in optimizer.param_groups]

    def _is_better(self, a: float) -> bool:
        rel = self.threshold_mode == "rel"
        if self.mode == "min":
            return a < (self.best * (1 - self.threshold) if rel else self.best - self.threshold)
        return a > (self.best * (1 + self.threshold) if rel else self.best + self.threshold)

    def step(self, metric) -> None:
        metric = float(getattr(metric, "item", lambda: metric)())
        if not math.isfinite(metric):
            raise ValueError(f"ReduceLROnPlateau.step: metric is {metric}")
        self.last_epoch += 1
        if self._is_better(metric):
            self.best = metric
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad steps during cooldown do not count
        if self.num_bad_epochs > self.patience:
            for g, lo in zip(self.optimizer.param_groups, self.min_lrs):
                new = max(g["lr"] * self.factor, lo)
                if g["lr"] - new > self.eps:
                    g["lr"] = new
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [g["lr"] for g in self.optimizer.param_groups]

