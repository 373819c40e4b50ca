"""Where does the time go? Per-op forward and backward timing.

    with tl.profiler.profile() as prof:
        loss = model(x, y)[1]; loss.backward()
    print(prof.table())
    prof.plot("profile.png")

While a profile is recording, :meth:`Function.apply` and the backward engine report the
wall time of every op's forward and backward to it (through one hook, so nothing is
measured when no profile is active). Time spent outside ops (Python glue, optimizer
steps) is shown as "other".
"""

from __future__ import annotations

import time
from collections import defaultdict

from .autograd import function as _function


class Profile:
    """The records of one ``profile()`` block."""

    def __init__(self):
        self.stats = defaultdict(lambda: {"forward": 0.0, "backward": 0.0,
                                          "calls": 0, "backward_calls": 0})
        self.wall = 0.0

    def _record(self, name: str, phase: str, seconds: float) -> None:
        s = self.stats[name]
        s[phase] += seconds
        s["calls" if phase == "forward" else "backward_calls"] += 1

    @property
    def op_time(self) -> float:
        return sum(s["forward"] + s["backward"] for s in self.stats.values())

    def rows(self) -> list[dict]:
        """One dict per op, most expensive first."""
        total = max(self.wall, self.op_time, 1e-12)
        rows = [{"op": name, "calls": s["calls"], "forward_ms": 1e3 * s["forward"],
                 "backward_ms": 1e3 * s["backward"],
                 "total_ms": 1e3 * (s["forward"] + s["backward"]),
                 "share": (s["forward"] + s["backward"]) / total}
                for name, s in self.stats.items()]
        rows.sort(key=lambda r: -r["total_ms"])
        return rows

    def table(self, limit: int | None = None) -> str:
        rows = self.rows()[:limit]
        lines = [f"{'op':<28} {'calls':>7} {'forward ms':>11} {'backward ms':>12} "
                 f"{'total ms':>10} {'share':>7}"]
        for r in rows:
            lines.append(f"{r['op']:<28} {r['calls']:>7} {r['forward_ms']:>11.2f} "
                         f"{r['backward_ms']:>12.2f} {r['total_ms']:>10.2f} {r['share']:>7.1%}")
        other = max(self.wall - self.op_time, 0.0)
        lines.append(f"{'other (Python, optimizer…)':<28} {'':>7} {'':>11} {'':>12} "
                     f"{1e3 * other:>10.2f} {other / max(self.wall, 1e-12):>7.1%}")
        lines.append(f"{'wall time':<28} {'':>7} {'':>11} {'':>12} {1e3 * self.wall:>10.2f}")
        return "\n".join(lines)

    def plot(self, path, limit: int = 15):
        """A horizontal bar chart of forward/backward time per op, saved as PNG."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        rows = self.rows()[:limit][::-1]
        fig, ax = plt.subplots(figsize=(8, 0.35 * len(rows) + 1.5))
        names = [r["op"] for r in rows]
        fwd = [r["forward_ms"] for r in rows]
        bwd = [r["backward_ms"] for r in rows]
        ax.barh(names, fwd, label="forward")
        ax.barh(names, bwd, left=fwd, label="backward")
        ax.set_xlabel("milliseconds")
        ax.set_title("time per op")
        ax.legend()
        fig.tight_layout()
        fig.savefig(path, dpi=100)
        plt.close(fig)
        return path


class profile:
    """Context manager that records per-op time into a :class:`Profile`."""

    def __enter__(self) -> Profile:
        if _function.PROFILE_HOOK is not None:
            raise RuntimeError("profile: another profile is already recording")
        self.prof = Profile()
        _function.PROFILE_HOOK = self.prof._record
        self._t0 = time.perf_counter()
        return self.prof

    def __exit__(self, *exc):
        self.prof.wall = time.perf_counter() - self._t0
        _function.PROFILE_HOOK = None
        return False
