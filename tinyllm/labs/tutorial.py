"""What every tutorial chapter sets up first."""

from __future__ import annotations

import os
from pathlib import Path


def tutorial_setup(file: str | None = None) -> tuple[bool, Path]:
    """Return ``(FAST, FIG)``: whether ``TINYLLM_FAST=1`` asks for the small, quick run
    (same code path, less data and fewer steps), and the ``figures/`` folder next to the
    chapter — or under the current directory when run as a notebook (no ``__file__``)."""
    fast = os.environ.get("TINYLLM_FAST") == "1"
    here = Path(file).resolve().parent if file else Path.cwd()
    fig = here / "figures"
    fig.mkdir(exist_ok=True)
    return fast, fig
