"""Random-number-generator state as plain JSON, so a resumed run draws the same numbers.

``np.random.Generator(...).bit_generator.state`` is a dict of strings and Python ints —
already JSON-friendly — except that some bit generators (MT19937, Philox, SFC64) keep
NumPy arrays in it. Those arrays are written as ``{"__array__": [...], "dtype": "uint32"}``
and turned back into arrays on restore. The legacy ``np.random.RandomState`` (and hence
the global ``np.random.seed`` state) is supported the same way.
"""

from __future__ import annotations

import numpy as np

__all__ = ["RNGStateError", "rng_state_to_json", "rng_from_json", "set_rng_state"]

_BIT_GENERATORS = {
    "PCG64": np.random.PCG64,
    "PCG64DXSM": np.random.PCG64DXSM,
    "MT19937": np.random.MT19937,
    "Philox": np.random.Philox,
    "SFC64": np.random.SFC64,
}
_ARRAY_DTYPES = {"uint8", "uint32", "uint64", "int64"}


class RNGStateError(ValueError):
    """A saved RNG state could not be understood."""


def _encode(value):
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return {"__array__": value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _decode(value):
    if isinstance(value, dict):
        if "__array__" in value:
            dtype = value.get("dtype")
            if dtype not in _ARRAY_DTYPES or not isinstance(value["__array__"], list):
                raise RNGStateError(f"rng state: bad array entry {value!r}")
            return np.array(value["__array__"], dtype=dtype)
        return {k: _decode(v) for k, v in value.items()}
    return value


def rng_state_to_json(rng) -> dict:
    """Return a JSON-serialisable snapshot of ``rng``.

    ``rng`` is a ``np.random.Generator``, a bit generator (``np.random.PCG64(...)``) or a
    legacy ``np.random.RandomState``. The result has ``kind`` ("Generator",
    "BitGenerator" or "RandomState") and ``state`` (the bit generator's state dict).
    """
    if isinstance(rng, np.random.Generator):
        kind, state = "Generator", rng.bit_generator.state
    elif isinstance(rng, np.random.BitGenerator):
        kind, state = "BitGenerator", rng.state
    elif isinstance(rng, np.random.RandomState):
        kind, state = "RandomState", rng.get_state(legacy=False)
    else:
        raise TypeError(
            "rng_state_to_json: expected np.random.Generator, a BitGenerator or "
            f"np.random.RandomState, got {type(rng).__name__}"
        )
    return {"kind": kind, "state": _encode(state)}


def _bit_generator_from(snapshot):
    if not isinstance(snapshot, dict) or not isinstance(snapshot.get("state"), dict):
        raise RNGStateError("rng state: expected {'kind': ..., 'state': {...}}")
    state = _decode(snapshot["state"])
    name = state.get("bit_generator")
    if name not in _BIT_GENERATORS:
        raise RNGStateError(
            f"rng state: unknown bit_generator {name!r} (known: {sorted(_BIT_GENERATORS)})"
        )
    return _BIT_GENERATORS[name], state


def set_rng_state(rng, snapshot: dict) -> None:
    """Restore ``snapshot`` (from :func:`rng_state_to_json`) into an existing ``rng``."""
    cls, state = _bit_generator_from(snapshot)
    try:
        if isinstance(rng, np.random.Generator):
            rng.bit_generator.state = state
        elif isinstance(rng, np.random.BitGenerator):
            rng.state = state
        elif isinstance(rng, np.random.RandomState):
            rng.set_state(state)
        else:
            raise TypeError(f"set_rng_state: cannot restore into {type(rng).__name__}")
    except (ValueError, KeyError) as e:  # numpy's own complaints about a malformed state
        raise RNGStateError(f"set_rng_state: state does not fit {cls.__name__}: {e}") from e


def rng_from_json(snapshot: dict):
    """Build a new generator of the saved kind and restore ``snapshot`` into it."""
    cls, _ = _bit_generator_from(snapshot)
    kind = snapshot.get("kind")
    if kind == "Generator":
        rng = np.random.Generator(cls())
    elif kind == "BitGenerator":
        rng = cls()
    elif kind == "RandomState":
        rng = np.random.RandomState(cls())
    else:
        raise RNGStateError(f"rng state: unknown kind {kind!r}")
    set_rng_state(rng, snapshot)
    return rng
