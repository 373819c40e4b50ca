"""Figures of a training run, saved as PNG with matplotlib's Agg renderer (headless).

* :func:`plot_history` — loss and metric curves per epoch, training vs validation (what
  the book opens TensorBoard for);
* :func:`plot_confusion_matrix` — counts (or row-normalised rates) per true/predicted class;
* :func:`plot_search_results` — each hyperparameter against the search score.

Every function returns the path written.
"""

from __future__ import annotations

import os

import numpy as np

__all__ = ["plot_history", "plot_confusion_matrix", "plot_search_results"]


class _Figures:
    """Figures drawn on matplotlib's Agg canvas directly (``matplotlib.figure.Figure`` +
    ``FigureCanvasAgg``): no pyplot, no global backend switch, no display needed."""

    @staticmethod
    def subplots(nrows=1, ncols=1, figsize=None, squeeze=True):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        fig = Figure(figsize=figsize)
        FigureCanvasAgg(fig)
        axes = fig.subplots(nrows, ncols, squeeze=squeeze)
        return fig, axes

    @staticmethod
    def close(fig):
        fig.clear()


def _pyplot():
    return _Figures


def _prepare(path) -> str:
    path = os.fspath(path)
    if not path.lower().endswith(".png"):
        raise ValueError(f"plots: expected a .png path, got {path!r}")
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)
    return path


def _history_dict(history) -> dict:
    h = getattr(history, "history", history)
    if not isinstance(h, dict) or not h:
        raise ValueError("plot_history: expected a History or a non-empty dict of lists")
    return h


def plot_history(history, path, metrics=None, title: str | None = None) -> str:
    """One panel per quantity (``loss`` first), training and ``val_`` curves together."""
    path = _prepare(path)
    h = _history_dict(history)
    if metrics is None:
        metrics = [k for k in h if not k.startswith("val_") and k not in ("lr",)]
        metrics.sort(key=lambda k: (k != "loss", k))
    elif isinstance(metrics, str):
        metrics = [metrics]
    missing = [m for m in metrics if m not in h and f"val_{m}" not in h]
    if missing:
        raise ValueError(f"plot_history: {missing} not in the history {sorted(h)}")
    from matplotlib.ticker import MaxNLocator
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.6), squeeze=False)
    for ax, m in zip(axes[0], metrics):
        for key, style, label in ((m, "-o", "train"), (f"val_{m}", "-s", "validation")):
            if key in h:
                ys = [np.nan if v is None else v for v in h[key]]
                ax.plot(range(1, len(ys) + 1), ys, style, markersize=3, label=label)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(m)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_confusion_matrix(cm, path, labels=None, normalize: bool = False,
                          title: str = "confusion matrix") -> str:
    """``cm[t, p]`` = examples of true class t predicted as p; ``normalize`` divides each
    row by its total (the per-class recall is then on the diagonal)."""
    path = _prepare(path)
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] == 0:
        raise ValueError(f"plot_confusion_matrix: expected a square matrix, got shape "
                         f"{cm.shape}")
    k = cm.shape[0]
    labels = [str(i) for i in range(k)] if labels is None else [str(x) for x in labels]
    if len(labels) != k:
        raise ValueError(f"plot_confusion_matrix: {len(labels)} labels for {k} classes")
    shown = cm.astype(np.float64)
    if normalize:
        rows = shown.sum(axis=1, keepdims=True)
        shown = np.divide(shown, rows, out=np.zeros_like(shown), where=rows > 0)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(1.2 * k + 2.5, 1.2 * k + 2))
    im = ax.imshow(shown, cmap="Blues")
    fig.colorbar(im, ax=ax)
    ax.set_xticks(range(k), labels=labels)
    ax.set_yticks(range(k), labels=labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    hi = shown.max() if shown.size else 0
    for t in range(k):
        for p in range(k):
            text = f"{shown[t, p]:.2f}" if normalize else f"{int(cm[t, p])}"
            ax.text(p, t, text, ha="center", va="center",
                    color="white" if shown[t, p] > hi / 2 else "black")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_search_results(results, path, metric: str | None = None) -> str:
    """One scatter panel per hyperparameter: its value against the score (numeric
    parameters spanning more than two decades get a log axis; others are categories)."""
    path = _prepare(path)
    rows = getattr(results, "rows", results)
    names = getattr(results, "param_names", None)
    metric = metric or getattr(results, "metric", None)
    if not rows or not names or metric is None:
        raise ValueError("plot_search_results: expected SearchResults with at least one trial")
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(names), figsize=(4 * len(names), 3.4), squeeze=False)
    scores = [r[metric] for r in rows]
    best = int(np.argmax(scores) if getattr(results, "mode", "max") == "max"
               else np.argmin(scores))
    for ax, name in zip(axes[0], names):
        values = [r[name] for r in rows]
        numeric = all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
                      for v in values)
        if numeric:
            xs = [float(v) for v in values]
            ax.scatter(xs, scores, s=22)
            ax.scatter([xs[best]], [scores[best]], s=80, facecolors="none",
                       edgecolors="red", label="best")
            pos = [x for x in xs if x > 0]
            if len(pos) == len(xs) and min(pos) > 0 and max(pos) / min(pos) > 100:
                ax.set_xscale("log")
        else:
            cats = list(dict.fromkeys(str(v) for v in values))
            xs = [cats.index(str(v)) for v in values]
            ax.scatter(xs, scores, s=22)
            ax.scatter([xs[best]], [scores[best]], s=80, facecolors="none",
                       edgecolors="red", label="best")
            ax.set_xticks(range(len(cats)), labels=cats)
        ax.set_xlabel(name)
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


