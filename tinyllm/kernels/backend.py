"""Backend registry: which implementation of the kernels runs, NumPy or Numba.

Every kernel in :mod:`tinyllm.kernels` exists twice with the same signature: a NumPy
*reference* (``tinyllm/kernels/reference/``, the formula written with whole-array NumPy
operations) and a Numba *twin* (``tinyllm/kernels/jit/``, the same formula as fused,
JIT-compiled loops). The dispatching functions in ``tinyllm.kernels`` ask
:func:`get_backend` on every call, so :func:`set_backend` takes effect for the next op.

- ``TINYLLM_BACKEND=numpy|numba`` (environment variable) picks the starting backend when
  tinyllm is imported; the default is ``"numba"``.
- ``set_backend(name)`` switches for the rest of the program, ``use_backend(name)`` for a
  ``with`` block.
- Numba is imported lazily (the first time the numba backend is actually needed), and the
  jitted functions compile on their first call, so ``import tinyllm`` stays fast. If numba
  cannot be imported, tinyllm warns once and runs everything on the NumPy references.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator

BACKENDS = ("numpy", "numba")
ENV_VAR = "TINYLLM_BACKEND"


def _parse(name: object, where: str) -> str:
    if not isinstance(name, str) or name.strip().lower() not in BACKENDS:
        raise ValueError(f"{where}: backend must be one of {BACKENDS}, got {name!r}")
    return name.strip().lower()


_requested: str = _parse(os.environ.get(ENV_VAR, "numba"), f"environment variable {ENV_VAR}")
_numba_ok: bool | None = None  # None = not probed yet; probing imports numba (≈0.3 s)
_numba_error: str = ""


def numba_available() -> bool:
    """True when ``tinyllm.kernels.jit`` (and so numba) imports. Probed once, lazily."""
    global _numba_ok, _numba_error
    if _numba_ok is None:
        try:
            from . import jit  # noqa: F401  (importing compiles nothing: jitting is lazy)

            _numba_ok = True
        except ImportError as exc:  # numba missing or incompatible with this NumPy
            _numba_ok = False
            _numba_error = str(exc)
            warnings.warn(
                f"tinyllm: numba could not be imported ({exc}); using the NumPy reference "
                "kernels (slower, same results).",
                RuntimeWarning,
                stacklevel=3,
            )
    return _numba_ok


def get_backend() -> str:
    """The backend the next kernel call will use: ``"numba"`` or ``"numpy"``.

    ``"numba"`` is only returned when numba really imports; otherwise the fallback
    ``"numpy"`` is reported (the one-time warning explains why).
    """
    if _requested == "numba" and not numba_available():
        return "numpy"
    return _requested


def set_backend(name: str) -> None:
    """Use backend ``name`` (``"numpy"`` or ``"numba"``) from the next kernel call on."""
    global _requested
    _requested = _parse(name, "set_backend")


@contextlib.contextmanager
def use_backend(name: str) -> Iterator[str]:
    """``with use_backend("numpy"): ...`` runs the block on ``name``, then restores.

    Yields the backend actually in effect (``"numpy"`` if numba was asked for but is
    unavailable).
    """
    global _requested
    previous = _requested
    _requested = _parse(name, "use_backend")
    try:
        yield get_backend()
    finally:
        _requested = previous
