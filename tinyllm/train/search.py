"""Hyperparameter search: try settings, train, keep the scores, print a table.

``objective(params) -> score`` trains one model with the settings ``params`` (a dict)
and returns its score as a number, a dict of numbers (``metric`` picks one), or a
:class:`~tinyllm.train.History` (the best epoch of ``metric`` counts, e.g. the highest
``val_accuracy``). It works with the Keras-style API and with :class:`Trainer` alike.

* :func:`grid_search` tries every combination of the listed values (the Cartesian
  product: ``{"lr": [1e-3, 1e-2], "units": [32, 64]}`` → 4 trials).
* :func:`random_search` draws ``n_trials`` settings from distributions —
  :func:`choice`, :func:`uniform`, :func:`loguniform` (log-uniform: every decade equally
  likely, the right prior for learning rates and L2 strengths), :func:`randint` — with its
  own seeded generator. With a budget of n trials, random search explores n distinct
  values of *each* parameter where a grid explores n^(1/d) (Bergstra & Bengio, 2012).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import os
import time
from dataclasses import dataclass

import numpy as np

from ..io import atomic_write

__all__ = ["choice", "uniform", "loguniform", "randint", "grid_search", "random_search",
           "SearchResults"]


@dataclass(frozen=True)
class _Dist:
    kind: str
    args: tuple

    def sample(self, rng: np.random.Generator):
        if self.kind == "choice":
            values = self.args[0]
            return values[int(rng.integers(len(values)))]
        if self.kind == "uniform":
            lo, hi = self.args
            return float(rng.uniform(lo, hi))
        if self.kind == "loguniform":
            lo, hi = self.args
            return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))
        lo, hi = self.args  # randint, inclusive on both ends
        return int(rng.integers(lo, hi + 1))


def choice(values) -> _Dist:
    """One of ``values``, each equally likely."""
    values = list(values)
    if not values:
        raise ValueError("choice: values must not be empty")
    return _Dist("choice", (values,))


def uniform(low: float, high: float) -> _Dist:
    """A float uniform in [low, high)."""
    if not low < high:
        raise ValueError(f"uniform: need low < high, got ({low}, {high})")
    return _Dist("uniform", (float(low), float(high)))


def loguniform(low: float, high: float) -> _Dist:
    """A float whose logarithm is uniform in [log low, log high)."""
    if not 0 < low < high:
        raise ValueError(f"loguniform: need 0 < low < high, got ({low}, {high})")
    return _Dist("loguniform", (float(low), float(high)))


def randint(low: int, high: int) -> _Dist:
    """An int uniform in {low, ..., high} (both ends included)."""
    if not (isinstance(low, int) and isinstance(high, int) and low <= high):
        raise ValueError(f"randint: need ints low <= high, got ({low!r}, {high!r})")
    return _Dist("randint", (low, high))


class SearchResults:
    """The trials of a search: ``rows`` (dicts of params + score + seconds), ``best``,
    ``table()``, ``to_csv(path)``, ``to_json(path)``."""

    def __init__(self, param_names, metric: str, mode: str):
        self.param_names = list(param_names)
        self.metric, self.mode = metric, mode
        self.rows: list[dict] = []

    def add(self, params: dict, score: float, seconds: float, extra: dict | None = None):
        self.rows.append({"trial": len(self.rows), **params, self.metric: float(score),
                          "seconds": float(seconds), **(extra or {})})

    def sorted_rows(self) -> list[dict]:
        sign = -1.0 if self.mode == "max" else 1.0
        return sorted(self.rows, key=lambda r: (sign * r[self.metric], r["trial"]))

    @property
    def best(self) -> dict:
        if not self.rows:
            raise ValueError("SearchResults.best: no trials were run")
        return self.sorted_rows()[0]

    @property
    def best_params(self) -> dict:
        return {k: self.best[k] for k in self.param_names}

    def columns(self) -> list[str]:
        extra = [k for r in self.rows for k in r
                 if k not in self.param_names and k not in ("trial", self.metric, "seconds")]
        return ["trial"] + self.param_names + [self.metric] + list(dict.fromkeys(extra)) + \
            ["seconds"]

    def table(self, sort: bool = True) -> str:
        """A plain-text table, best trial first (when ``sort``)."""
        cols = self.columns()
        rows = self.sorted_rows() if sort else self.rows
        cells = [[_fmt(r.get(c, "")) for c in cols] for r in rows]
        widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(cols)]
        line = "  ".join(c.rjust(w) for c, w in zip(cols, widths))
        out = [line, "  ".join("-" * w for w in widths)]
        out += ["  ".join(v.rjust(w) for v, w in zip(row, widths)) for row in cells]
        return "\n".join(out)

    def __str__(self) -> str:
        return self.table()

    def to_csv(self, path) -> None:
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=self.columns(), lineterminator="\n")
        w.writeheader()
        w.writerows(self.rows)
        with atomic_write(os.fspath(path)) as fh:
            fh.write(buf.getvalue().encode("utf-8"))

    def to_json(self, path) -> None:
        doc = {"metric": self.metric, "mode": self.mode, "params": self.param_names,
               "rows": self.rows}
        with atomic_write(os.fspath(path)) as fh:
            fh.write(json.dumps(doc, indent=1, default=_jsonable).encode("utf-8"))


def _jsonable(v):
    if isinstance(v, np.generic):
        return v.item()
    return str(v)


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _score(result, metric: str, mode: str) -> tuple[float, dict]:
    """Reduce an objective's return value to (score, extra columns)."""
    if hasattr(result, "history") and isinstance(result.history, dict):
        hist = result.history
        if metric not in hist:
            raise ValueError(f"search: the History has no {metric!r}; it has {sorted(hist)}")
        values = [v for v in hist[metric] if v is not None]
        if not values:
            raise ValueError(f"search: {metric!r} has no values in the History")
        best = max(values) if mode == "max" else min(values)
        return float(best), {"best_epoch": int(values.index(best)) + 1}
    if isinstance(result, dict):
        if metric not in result:
            raise ValueError(f"search: the objective returned {sorted(result)}, not {metric!r}")
        extra = {k: float(v) for k, v in result.items()
                 if k != metric and isinstance(v, (int, float, np.number))}
        return float(result[metric]), extra
    if isinstance(result, (int, float, np.number)):
        return float(result), {}
    raise TypeError(f"search: the objective must return a number, a dict or a History, got "
                    f"{type(result).__name__}")


def _check_mode(mode: str, who: str) -> None:
    if mode not in ("max", "min"):
        raise ValueError(f"{who}: mode must be 'max' or 'min', got {mode!r}")


def _run(objective, settings, names, metric, mode, verbose, who) -> SearchResults:
    if not callable(objective):
        raise TypeError(f"{who}: objective must be callable params -> score")
    results = SearchResults(names, metric, mode)
    for i, params in enumerate(settings):
        t0 = time.perf_counter()
        score, extra = _score(objective(dict(params)), metric, mode)
        results.add(params, score, time.perf_counter() - t0, extra)
        if verbose:
            print(f"[{who} {i + 1}] {params} -> {metric} = {score:.4f}")
    return results


def grid_search(objective, grid: dict, metric: str = "val_accuracy", mode: str = "max",
                verbose: bool = False) -> SearchResults:
    """Try every combination of ``grid`` (name -> list of values) in order."""
    _check_mode(mode, "grid_search")
    if not isinstance(grid, dict) or not grid:
        raise ValueError("grid_search: grid must be a non-empty dict name -> list of values")
    for k, v in grid.items():
        if isinstance(v, (str, bytes)) or not hasattr(v, "__iter__") or len(list(v)) == 0:
            raise ValueError(f"grid_search: grid[{k!r}] must be a non-empty list of values")
    names = list(grid)
    settings = [dict(zip(names, combo)) for combo in itertools.product(*(list(grid[k])
                                                                         for k in names))]
    return _run(objective, settings, names, metric, mode, verbose, "grid_search")


def random_search(objective, space: dict, n_trials: int = 10, metric: str = "val_accuracy",
                  mode: str = "max", seed: int = 0, verbose: bool = False) -> SearchResults:
    """Try ``n_trials`` settings drawn from ``space`` (name -> distribution, list (uniform
    choice) or fixed value), with ``np.random.default_rng(seed)``."""
    _check_mode(mode, "random_search")
    if not isinstance(space, dict) or not space:
        raise ValueError("random_search: space must be a non-empty dict")
    if isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 1:
        raise ValueError(f"random_search: n_trials must be a positive int, got {n_trials!r}")
    rng = np.random.default_rng(seed)
    dists = {k: (v if isinstance(v, _Dist) else choice(v) if isinstance(v, (list, tuple))
                 else _Dist("choice", ([v],))) for k, v in space.items()}
    settings = [{k: d.sample(rng) for k, d in dists.items()} for _ in range(n_trials)]
    return _run(objective, settings, list(space), metric, mode, verbose, "random_search")
