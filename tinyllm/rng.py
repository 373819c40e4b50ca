"""One random-number generator for everything tinyllm draws.

Dropout masks, weight initialisation, data shuffling and sampled decoding all take their
randomness from :func:`get_rng`, so ``tl.manual_seed(s)`` makes a whole run repeatable.
The state is a plain dict of ints (NumPy's PCG64 state), so it fits in a JSON checkpoint.
"""

from __future__ import annotations

import numpy as np

_rng = np.random.default_rng(0)


def manual_seed(seed: int) -> np.random.Generator:
    """Re-seed the global generator (and return it)."""
    global _rng
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"manual_seed: seed must be a non-negative int, got {seed!r}")
    _rng = np.random.default_rng(int(seed))
    return _rng


def get_rng() -> np.random.Generator:
    """The generator every random draw in tinyllm uses."""
    return _rng


def get_rng_state() -> dict:
    """JSON-serialisable snapshot of the global generator."""
    return _rng.bit_generator.state


def set_rng_state(state: dict) -> None:
    """Restore a snapshot taken by :func:`get_rng_state`."""
    if not isinstance(state, dict) or state.get("bit_generator") != "PCG64":
        raise ValueError("set_rng_state: expected a PCG64 state dict from get_rng_state()")
    bg = np.random.PCG64()
    bg.state = state
    global _rng
    _rng = np.random.Generator(bg)
