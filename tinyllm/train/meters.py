"""Streaming metrics: updated batch by batch, read at any time (for the progress bar)
and at the end of an epoch (for the history).

Classification metrics keep a confusion matrix ``C[t, p]`` (count of examples of true
class t predicted as p) and read everything off it:

    accuracy  = Σ_c C[c, c] / Σ C
    precision_c = C[c, c] / Σ_t C[t, c]      recall_c = C[c, c] / Σ_p C[c, p]
    F1_c = 2·P_c·R_c / (P_c + R_c)

With two classes the class-1 score is reported (``average="binary"``), otherwise the
unweighted mean over the classes seen (``"macro"``). A 0/0 counts as 0, as in
:mod:`tinyllm.metrics`. Regression metrics (``mae``, ``mse``) keep running sums.
The state is a few numbers, so it goes into a checkpoint and a resumed epoch reports
exactly what an uninterrupted one would.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Meter", "ClassificationMeter", "RegressionMeter", "make_meters", "METRIC_NAMES"]

_CLASSIFICATION = {"accuracy", "precision", "recall", "f1"}
_REGRESSION = {"mae", "mse"}
_ALIASES = {"acc": "accuracy", "f1_score": "f1", "binary_accuracy": "accuracy",
            "sparse_categorical_accuracy": "accuracy", "categorical_accuracy": "accuracy",
            "mean_absolute_error": "mae", "mean_squared_error": "mse"}
METRIC_NAMES = sorted(_CLASSIFICATION | _REGRESSION | set(_ALIASES))


class Meter:
    """A named running metric: ``update(y_true_labels, y_pred_labels, outputs, targets)``,
    ``result() -> float``, ``reset()``, ``state_dict()/load_state_dict()``."""

    name: str

    def reset(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def update(self, y_true, y_pred, outputs, targets) -> None:  # pragma: no cover
        raise NotImplementedError

    def result(self) -> float:  # pragma: no cover
        raise NotImplementedError


class ClassificationMeter(Meter):
    """accuracy / precision / recall / f1 from a growing confusion matrix."""

    def __init__(self, name: str):
        self.name = name
        self.reset()

    def reset(self) -> None:
        self.cm = np.zeros((2, 2), dtype=np.int64)

    def update(self, y_true, y_pred, outputs=None, targets=None) -> None:
        t = np.asarray(y_true, dtype=np.int64).reshape(-1)
        p = np.asarray(y_pred, dtype=np.int64).reshape(-1)
        if t.shape != p.shape:
            raise ValueError(f"{self.name}: {t.size} true labels but {p.size} predictions")
        if t.size == 0:
            return
        if min(t.min(), p.min()) < 0:
            raise ValueError(f"{self.name}: class labels must be >= 0")
        k = max(int(t.max()), int(p.max())) + 1
        if k > len(self.cm):  # a new class appeared: grow the matrix, keep the counts
            grown = np.zeros((k, k), dtype=np.int64)
            grown[: len(self.cm), : len(self.cm)] = self.cm
            self.cm = grown
        k = len(self.cm)
        self.cm += np.bincount(t * k + p, minlength=k * k).reshape(k, k)

    def result(self) -> float:
        cm = self.cm
        total = cm.sum()
        if total == 0:
            return 0.0
        if self.name == "accuracy":
            return float(np.trace(cm) / total)
        tp = np.diag(cm).astype(np.float64)
        pred = cm.sum(axis=0).astype(np.float64)
        true = cm.sum(axis=1).astype(np.float64)
        prec = np.divide(tp, pred, out=np.zeros_like(tp), where=pred > 0)
        rec = np.divide(tp, true, out=np.zeros_like(tp), where=true > 0)
        if self.name == "precision":
            per = prec
        elif self.name == "recall":
            per = rec
        else:
            s = prec + rec
            per = np.divide(2 * prec * rec, s, out=np.zeros_like(s), where=s > 0)
        if len(cm) == 2:
            return float(per[1])
        seen = (true + pred) > 0
        return float(per[seen].mean())

    def state_dict(self) -> dict:
        return {"cm": self.cm.copy()}

    def load_state_dict(self, state: dict) -> None:
        self.cm = np.asarray(state["cm"], dtype=np.int64).copy()


class RegressionMeter(Meter):
    """mae = Σ|ŷ − y| / n,  mse = Σ(ŷ − y)² / n over every output element."""

    def __init__(self, name: str):
        self.name = name
        self.reset()

    def reset(self) -> None:
        self.total, self.count = 0.0, 0

    def update(self, y_true, y_pred, outputs, targets) -> None:
        out = np.asarray(outputs, dtype=np.float64)
        tgt = np.asarray(targets, dtype=np.float64).reshape(out.shape)
        d = out - tgt
        self.total += float(np.abs(d).sum() if self.name == "mae" else (d * d).sum())
        self.count += d.size

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0

    def state_dict(self) -> dict:
        return {"total": self.total, "count": self.count}

    def load_state_dict(self, state: dict) -> None:
        self.total, self.count = float(state["total"]), int(state["count"])


def make_meters(names) -> list[Meter]:
    """Meters for metric names (``"accuracy"``, ``"f1"``, ``"mae"``, Keras aliases ...)."""
    if names is None:
        return []
    if isinstance(names, str):
        names = [names]
    meters = []
    for n in names:
        if not isinstance(n, str):
            raise TypeError(f"metrics: expected metric names, got {n!r}")
        key = _ALIASES.get(n.lower(), n.lower())
        if key in _CLASSIFICATION:
            meters.append(ClassificationMeter(key))
        elif key in _REGRESSION:
            meters.append(RegressionMeter(key))
        else:
            raise ValueError(f"metrics: unknown metric {n!r}; choose from {METRIC_NAMES}")
    return meters
