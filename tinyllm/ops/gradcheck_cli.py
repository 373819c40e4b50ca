"""``tinyllm gradcheck``: every registered op's backward against finite differences."""

from __future__ import annotations

import argparse

from ..autograd.function import REGISTRY


def load_all_ops() -> None:
    """Import every package that defines Functions, so the registry is complete."""
    import importlib

    for name in ("tinyllm.ops", "tinyllm.nn", "tinyllm.models"):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as e:  # a package not written yet
            if e.name != name:
                raise


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="tinyllm gradcheck", description=__doc__)
    parser.add_argument("ops", nargs="*", help="only these Function names (default: all)")
    args = parser.parse_args(argv)
    load_all_ops()
    from .cases import CASES

    names = args.ops or sorted(n for n, f in REGISTRY.items() if f.differentiable)
    missing = [n for n in names if n not in CASES]
    print(f"{'op':<30} {'case':>4} {'input':>5} {'shape':<18} {'max abs err':>12} "
          f"{'max rel err':>12}  ok")
    failed = 0
    for name in names:
        if name in missing:
            continue
        for k, builder in enumerate(CASES[name]):
            fn, inputs = builder()
            from ..autograd.gradcheck import gradcheck

            rep = gradcheck(fn, inputs, name=name)
            for r in rep.inputs:
                print(f"{name:<30} {k:>4} {r.index:>5} {str(r.shape):<18} {r.max_abs_err:12.2e} "
                      f"{r.max_rel_err:12.2e}  {'yes' if r.passed else 'NO'}")
            failed += not rep.passed
    for n in missing:
        print(f"{n:<30} no gradcheck case registered")
    total = sum(len(CASES[n]) for n in names if n in CASES)
    print(f"\n{total - failed}/{total} cases passed (float64 central differences)"
          + (f"; {len(missing)} ops without a case" if missing else ""))
    return 1 if failed or missing else 0
