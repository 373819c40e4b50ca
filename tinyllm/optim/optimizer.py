"""``Optimizer``: parameter groups, per-parameter state, and exact save/resume."""

from __future__ import annotations

import copy

import numpy as np

from ..autograd.tensor import Tensor


class Optimizer:
    """Base class. ``params`` is an iterable of Parameters, or PyTorch-style a list of
    dicts ``{"params": [...], "lr": ...}`` whose options override ``defaults``.

    ``opt.param_groups[i]["lr"]`` may be changed between steps (schedulers do that).
    """

    def __init__(self, params, defaults: dict):
        self.defaults = dict(defaults)
        params = [params] if isinstance(params, Tensor) else list(params)
        if not params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        self.param_groups: list[dict] = []
        self.state: dict[int, dict] = {}  # id(param) -> {"step": int, arrays...}
        for g in groups:
            self.add_param_group(g)

    def add_param_group(self, group: dict) -> None:
        """Add ``{"params": [...], option: value, ...}`` (e.g. layers unfrozen later in
        fine-tuning); options not given take the optimizer's defaults."""
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(f"{type(self).__name__}: a parameter group must be a dict with a "
                            f"'params' entry, got {type(group).__name__}")
        g = dict(group)
        ps = list(g["params"]) if not isinstance(g["params"], Tensor) else [g["params"]]
        seen = {id(p) for other in self.param_groups for p in other["params"]}
        for p in ps:
            if not isinstance(p, Tensor):
                raise TypeError(f"{type(self).__name__}: params must be tensors, got "
                                f"{type(p).__name__}")
            if id(p) in seen:
                raise ValueError(f"{type(self).__name__}: a parameter appears in more "
                                 "than one group")
            seen.add(id(p))
        unknown = set(g) - set(self.defaults) - {"params", "initial_lr"}
        if unknown:
            raise ValueError(f"{type(self).__name__}: unknown option(s) {sorted(unknown)}")
        g["params"] = ps
        for k, v in self.defaults.items():
            g.setdefault(k, v)
        self.param_groups.append(g)

    def zero_grad(self) -> None:
        for g in self.param_groups:
            for p in g["params"]:
                p.grad = None

    def step(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _params_with_grad(self):
        for g in self.param_groups:
            for p in g["params"]:
                if p.grad is not None and p.requires_grad:
                    if not np.all(np.isfinite(p.grad)):
                        raise FloatingPointError(
                            f"{type(self).__name__}.step: a gradient of shape {p.shape} "
                            "contains NaN or inf (check the loss and the learning rate)")
                    yield g, p

    # ----- save / resume ----------------------------------------------------------------
    def state_dict(self) -> dict:
        """{"state": {index: {name: array or number}}, "param_groups": [options...]}.

        Parameters are referred to by their position across groups, as in PyTorch.
        """
        index = {}
        groups = []
        for g in self.param_groups:
            ids = []
            for p in g["params"]:
                index[id(p)] = len(index)
                ids.append(index[id(p)])
            groups.append({**{k: v for k, v in g.items() if k != "params"}, "params": ids})
        state = {index[pid]: copy.deepcopy(s) for pid, s in self.state.items() if pid in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, sd: dict) -> None:
        groups = sd.get("param_groups")
        if not isinstance(groups, list) or len(groups) != len(self.param_groups):
            raise ValueError(f"{type(self).__name__}.load_state_dict: expected "
                             f"{len(self.param_groups)} parameter groups")
        params = [p for g in self.param_groups for p in g["params"]]
        for g, saved in zip(self.param_groups, groups):
            if len(saved["params"]) != len(g["params"]):
                raise ValueError(f"{type(self).__name__}.load_state_dict: a group has "
                                 f"{len(saved['params'])} parameters, expected "
                                 f"{len(g['params'])}")
            for k, v in saved.items():
                if k != "params":
                    g[k] = v
        self.state = {}
        for i, s in sd.get("state", {}).items():
            i = int(i)
            if not 0 <= i < len(params):
                raise ValueError(f"{type(self).__name__}.load_state_dict: state for parameter "
                                 f"{i}, but there are {len(params)}")
            p = params[i]
            s = copy.deepcopy(s)
            for k, v in s.items():
                if isinstance(v, np.ndarray) and v.shape != p.shape:
                    raise ValueError(f"{type(self).__name__}.load_state_dict: state {k!r} of "
                                     f"parameter {i} has shape {v.shape}, expected {p.shape}")
            self.state[id(p)] = s
