"""Fine-tuning helpers: swap the output head, freeze / unfreeze parameter groups,
per-group learning rates, LoRA.

Names are PyTorch's dotted names (``encoder.layer.0.attention.self.query.weight``) and
patterns are shell-style (:mod:`fnmatch`): ``"encoder.*"``, ``"*.bias"``, ``"*query*"``.

A typical recipe (the book's "freeze the body, train a new head, then unfreeze with a
smaller learning rate")::

    head = replace_head(model, num_classes=2)            # new, randomly initialised
    freeze(model); unfreeze(model, ["classifier.*"])      # train the head first
    opt = optim.AdamW(param_groups(model, {"classifier.*": 1e-3}, default_lr=2e-5))
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from ..nn.layers import Dropout, Linear
from ..nn.lora import LoRALinear
from ..nn.module import Module

__all__ = ["get_submodule", "set_submodule", "replace_head", "add_head", "WithHead", "freeze",
           "unfreeze", "count_parameters", "param_groups", "apply_lora", "merge_lora",
           "lora_state_dict"]


def _patterns(patterns, who: str) -> list[str] | None:
    if patterns is None:
        return None
    if isinstance(patterns, str):
        return [patterns]
    out = list(patterns)
    if not all(isinstance(p, str) for p in out):
        raise TypeError(f"{who}: patterns must be strings, got {out!r}")
    return out


def _matches(name: str, patterns) -> bool:
    return patterns is None or any(fnmatchcase(name, p) for p in patterns)


def get_submodule(model: Module, name: str) -> Module:
    """The sub-module at dotted path ``name`` (``""`` is the model itself)."""
    if name == "":
        return model
    m = model
    for part in name.split("."):
        children = m._modules
        if part not in children or children[part] is None:
            raise ValueError(f"get_submodule: {type(m).__name__} has no sub-module {part!r} "
                             f"(looking for {name!r}; children: {list(children)})")
        m = children[part]
    return m


def set_submodule(model: Module, name: str, new: Module) -> None:
    """Replace the sub-module at ``name`` by ``new``, keeping its place in the order
    (so a Sequential still runs its layers in the same order)."""
    if not isinstance(new, Module):
        raise TypeError(f"set_submodule: expected a Module, got {type(new).__name__}")
    parent_name, _, leaf = name.rpartition(".")
    parent = get_submodule(model, parent_name)
    if leaf not in parent._modules:
        raise ValueError(f"set_submodule: {type(parent).__name__} has no sub-module {leaf!r}")
    parent._modules[leaf] = new          # same key, same position in the ordered dict
    object.__setattr__(parent, leaf, new)


def replace_head(model: Module, num_classes: int, name: str | None = None,
                 bias: bool = True) -> Linear:
    """Put a fresh ``Linear(in_features, num_classes)`` where the output head was.

    ``name`` is the head's dotted path; by default the *last* ``Linear`` in the model's
    module order. The new head is initialised like any Linear and is trainable.
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"replace_head: num_classes must be a positive int, got "
                         f"{num_classes!r}")
    if name is None:
        linears = [n for n, m in model.named_modules() if isinstance(m, Linear) and n]
        if not linears:
            raise ValueError(f"replace_head: {type(model).__name__} has no Linear layer; "
                             "pass name= to say which module is the head")
        name = linears[-1]
    old = get_submodule(model, name)
    in_features = getattr(old, "in_features", None)
    if in_features is None:
        raise ValueError(f"replace_head: module {name!r} ({type(old).__name__}) has no "
                         "in_features")
    dtype = old.weight.data.dtype if hasattr(old, "weight") else None
    head = Linear(in_features, num_classes, bias=bias, **({"dtype": dtype} if dtype else {}))
    set_submodule(model, name, head)
    return head


class WithHead(Module):
    """``head(dropout(select(body(*inputs))))``: a pretrained ``body`` with a new output
    layer on top. ``select`` picks the features from the body's output (e.g. the [CLS]
    vector: ``lambda out: out[0][:, 0]``); by default the output itself."""

    def __init__(self, body: Module, head: Module, select=None, dropout: float = 0.0):
        super().__init__()
        self.body, self.head = body, head
        self.select = select
        self.drop = Dropout(dropout)

    def forward(self, *args, **kwargs):
        out = self.body(*args, **kwargs)
        if self.select is not None:
            out = self.select(out)
        return self.head(self.drop(out))


def add_head(body: Module, in_features: int, num_classes: int, select=None,
             dropout: float = 0.0) -> WithHead:
    """Put a new ``Linear(in_features, num_classes)`` on top of ``body`` (parameters
    ``body.*`` and ``head.*``)."""
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"add_head: num_classes must be a positive int, got {num_classes!r}")
    return WithHead(body, Linear(in_features, num_classes), select=select, dropout=dropout)


def _set_requires_grad(model, patterns, flag: bool, who: str) -> int:
    pats = _patterns(patterns, who)
    n = 0
    hit = False
    for pname, p in model.named_parameters():
        if _matches(pname, pats):
            hit = True
            p.requires_grad = flag
            if not flag:
                p.grad = None
            n += p.size
    if pats is not None and not hit:
        raise ValueError(f"{who}: no parameter matches {pats}; names look like "
                         f"{[n for n, _ in model.named_parameters()][:5]}")
    return n


def freeze(model: Module, patterns=None) -> int:
    """Stop training the parameters whose names match ``patterns`` (all when None).
    Returns the number of weights frozen."""
    return _set_requires_grad(model, patterns, False, "freeze")


def unfreeze(model: Module, patterns=None) -> int:
    """Train again the parameters matching ``patterns`` (all when None)."""
    return _set_requires_grad(model, patterns, True, "unfreeze")


def count_parameters(model: Module) -> dict:
    """``{"trainable": ..., "frozen": ..., "total": ..., "trainable_fraction": ...}``."""
    total = sum(p.size for p in model.parameters())
    trainable = sum(p.size for p in model.parameters() if p.requires_grad)
    return {"trainable": trainable, "frozen": total - trainable, "total": total,
            "trainable_fraction": trainable / total if total else 0.0}


def param_groups(model: Module, rules, default_lr: float | None = None,
                 include_frozen: bool = False, **defaults) -> list[dict]:
    """Optimizer parameter groups with per-group options.

    ``rules`` maps a pattern to a learning rate or to a dict of options, first match
    wins: ``{"classifier.*": 1e-3, "encoder.layer.11.*": {"lr": 1e-4, "weight_decay": 0}}``.
    Parameters matching no rule form a last group with ``default_lr`` (or the optimizer's
    default when None). Frozen parameters are left out unless ``include_frozen`` (then
    unfreezing them later needs no new optimizer). ``defaults`` go into every group.
    """
    if not isinstance(rules, dict):
        raise TypeError(f"param_groups: rules must be a dict pattern -> lr or options, got "
                        f"{type(rules).__name__}")
    groups = []
    for pattern, opts in rules.items():
        if isinstance(opts, (int, float)):
            opts = {"lr": float(opts)}
        elif not isinstance(opts, dict):
            raise TypeError(f"param_groups: options for {pattern!r} must be a number (lr) or "
                            f"a dict, got {type(opts).__name__}")
        groups.append({"pattern": pattern, "params": [], **defaults, **opts})
    rest = {"pattern": None, "params": [], **defaults}
    if default_lr is not None:
        rest["lr"] = float(default_lr)
    for name, p in model.named_parameters():
        if not (p.requires_grad or include_frozen):
            continue
        for g in groups:
            if fnmatchcase(name, g["pattern"]):
                g["params"].append(p)
                break
        else:
            rest["params"].append(p)
    for g in groups:
        if not g["params"]:
            raise ValueError(f"param_groups: pattern {g['pattern']!r} matches no trainable "
                             "parameter")
    out = [g for g in groups + [rest] if g["params"]]
    if not out:
        raise ValueError("param_groups: the model has no trainable parameter")
    for g in out:
        del g["pattern"]
    return out


def apply_lora(model: Module, targets="*", rank: int = 8, alpha: float = 16.0,
               dropout: float = 0.0, trainable=None) -> list[str]:
    """Wrap every ``Linear`` whose dotted name matches ``targets`` in a
    :class:`~tinyllm.nn.LoRALinear` and freeze everything else except the parameters
    matching ``trainable`` (e.g. a new head: ``trainable=["classifier.*"]``).

    Returns the wrapped modules' names. Afterwards only the LoRA matrices (and
    ``trainable``) have ``requires_grad``: build the optimizer after this call.
    """
    pats = _patterns(targets, "apply_lora")
    keep = _patterns(trainable, "apply_lora")
    names = [n for n, m in model.named_modules()
             if n and isinstance(m, Linear) and _matches(n, pats)
             and not (keep is not None and any(fnmatchcase(n + ".weight", k) for k in keep))]
    if not names:
        raise ValueError(f"apply_lora: no Linear layer matches {pats}")
    freeze(model)
    for n in names:
        set_submodule(model, n, LoRALinear(get_submodule(model, n), rank=rank, alpha=alpha,
                                           dropout=dropout))
    if keep is not None:
        unfreeze(model, keep)
    return names


def merge_lora(model: Module) -> int:
    """Replace every LoRALinear by its merged plain Linear (W + (α/r)·B·A), so the state
    dict has the original names again; returns how many were merged."""
    names = [n for n, m in model.named_modules() if isinstance(m, LoRALinear)]
    for n in names:
        lora = get_submodule(model, n)
        lin = lora.to_linear()
        lin.requires_grad_(lora.base.weight.requires_grad)
        set_submodule(model, n, lin)
    return len(names)


def lora_state_dict(model: Module) -> dict:
    """Only the LoRA matrices (``...lora_A`` / ``...lora_B``): what a LoRA run produces."""
    return {k: v for k, v in model.state_dict().items()
            if k.endswith((".lora_A", ".lora_B")) or k in ("lora_A", "lora_B")}
