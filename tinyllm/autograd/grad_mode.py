"""Switch graph recording on and off (``no_grad``), like ``torch.no_grad``."""

from __future__ import annotations

import contextlib

_enabled = True


def is_grad_enabled() -> bool:
    return _enabled


def set_grad_enabled(mode: bool) -> None:
    global _enabled
    _enabled = bool(mode)


class no_grad(contextlib.ContextDecorator):
    """Context manager / decorator: ops inside record no graph (inference, updates)."""

    def __enter__(self):
        self._prev = is_grad_enabled()
        set_grad_enabled(False)
        return self

    def __exit__(self, *exc):
        set_grad_enabled(self._prev)
        return False


class enable_grad(contextlib.ContextDecorator):
    """Re-enable recording inside a ``no_grad`` block."""

    def __enter__(self):
        self._prev = is_grad_enabled()
        set_grad_enabled(True)
        return self

    def __exit__(self, *exc):
        set_grad_enabled(self._prev)
        return False


__all__ = ["no_grad", "enable_grad", "is_grad_enabled", "set_grad_enabled"]
