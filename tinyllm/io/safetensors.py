"""Read and write the safetensors format with NumPy only — no pickle, no third-party code.

File layout (all integers little-endian)::

    bytes [0, 8)          N, an unsigned 64-bit integer: the length of the header
    bytes [8, 8 + N)      the header: UTF-8 JSON object, right-padded with spaces so
                          that 8 + N is a multiple of 8 (tensor data stays aligned)
    bytes [8 + N, end)    the byte buffer: every tensor's raw C-order data, back to back

The header maps each tensor name to ``{"dtype": "F32", "shape": [2, 3],
"data_offsets": [begin, end]}`` (offsets relative to the start of the byte buffer), plus
an optional ``"__metadata__": {str: str}`` entry. A tensor occupies exactly
``prod(shape) * itemsize(dtype)`` bytes, tensors never overlap, and together they cover
the buffer with no gaps.

Writing follows the reference implementation's layout rules so the bytes are identical
to what ``safetensors.numpy.save_file`` / ``safetensors.torch.save_file`` produce: tensors
are ordered by descending dtype rank (the ``DTYPE_ORDER`` below, 8-byte types first),
then by name; the JSON is compact (no spaces), ``__metadata__`` comes first and each
entry's keys are ``dtype, shape, data_offsets``.

Reading trusts nothing: the header length is checked against a 100 MB cap and the file
size before anything is allocated, and every field is validated. Every refusal raises
:class:`SafetensorsError`, a ``ValueError`` subclass, whose message names the problem.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import struct
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .atomic import atomic_write

__all__ = [
    "SafetensorsError",
    "SafetensorsFileNotFoundError",
    "TensorInfo",
    "save_safetensors",
    "serialize_safetensors",
    "load_safetensors",
    "load_safetensors_metadata",
    "read_safetensors_header",
    "float32_to_bfloat16_bits",
    "bfloat16_bits_to_float32",
    "MAX_HEADER_SIZE",
]

MAX_HEADER_SIZE = 100_000_000  # the same cap as the reference implementation

# Rank of each dtype in the reference implementation's enum (its declaration order).
# Writers sort tensors by descending rank, then by name: the widest types come first.
DTYPE_ORDER = [
    "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16",
    "I32", "U32", "F32", "F64", "I64", "U64",
]
_RANK = {name: i for i, name in enumerate(DTYPE_ORDER)}

# safetensors dtype -> little-endian NumPy dtype. BF16 is stored as raw uint16 bits.
_NUMPY_OF = {
    "BOOL": np.dtype("?"),
    "U8": np.dtype("u1"),
    "I8": np.dtype("i1"),
    "I16": np.dtype("<i2"),
    "U16": np.dtype("<u2"),
    "F16": np.dtype("<f2"),
    "BF16": np.dtype("<u2"),
    "I32": np.dtype("<i4"),
    "U32": np.dtype("<u4"),
    "F32": np.dtype("<f4"),
    "F64": np.dtype("<f8"),
    "I64": np.dtype("<i8"),
    "U64": np.dtype("<u8"),
}
# Part of the format, but NumPy has no such type: recognised (so the message is precise)
# and refused.
_NO_NUMPY_EQUIVALENT = {"F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64"}

_CODE_OF_KIND = {  # (kind, itemsize) of a NumPy array -> safetensors dtype name
    ("b", 1): "BOOL", ("u", 1): "U8", ("i", 1): "I8", ("i", 2): "I16", ("u", 2): "U16",
    ("f", 2): "F16", ("i", 4): "I32", ("u", 4): "U32", ("f", 4): "F32", ("f", 8): "F64",
    ("i", 8): "I64", ("u", 8): "U64",
}


class SafetensorsError(ValueError):
    """A safetensors file (or a request to write one) was refused."""


class SafetensorsFileNotFoundError(SafetensorsError, FileNotFoundError):
    """The file does not exist (both a ``SafetensorsError`` and a ``FileNotFoundError``)."""


@dataclass(frozen=True)
class TensorInfo:
    """One validated header entry."""

    dtype: str
    shape: tuple[int, ...]
    data_offsets: tuple[int, int]


# --------------------------------------------------------------------------- bfloat16


def float32_to_bfloat16_bits(x: np.ndarray) -> np.ndarray:
    """float32 -> bfloat16 bit patterns (uint16), rounding to nearest, ties to even.

    bfloat16 keeps the top 16 bits of a float32 (sign, 8 exponent bits, 7 mantissa
    bits). Rounding adds ``0x7FFF + lsb`` (lsb = bit 16) before truncating; NaNs are
    kept quiet NaNs instead of being rounded into infinity.
    """
    bits = np.asarray(x, dtype=np.float32, order="C").view(np.uint32)
    lsb = (bits >> 16) & 1
    rounded = ((bits.astype(np.uint64) + 0x7FFF + lsb) >> 16).astype(np.uint16)
    nan = np.isnan(np.asarray(x, dtype=np.float32))
    return np.where(nan, ((bits >> 16) | 0x0040).astype(np.uint16), rounded)


def bfloat16_bits_to_float32(bits: np.ndarray) -> np.ndarray:
    """bfloat16 bit patterns (uint16) -> float32 (exact: append 16 zero bits)."""
    return (np.asarray(bits, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)


# --------------------------------------------------------------------------- writing


def _as_storable(name: str, value, dtype_override: str | None) -> tuple[str, np.ndarray]:
    """Return (safetensors dtype, contiguous little-endian array) for one tensor."""
    if not isinstance(value, (np.ndarray, np.generic)):
        raise SafetensorsError(
            f"save_safetensors: tensor {name!r} must be a numpy.ndarray, got {type(value).__name__}"
        )
    arr = np.asarray(value)
    if dtype_override is not None:
        if dtype_override != "BF16":
            raise SafetensorsError(
                f"save_safetensors: dtypes[{name!r}]={dtype_override!r}; the only supported "
                "override is 'BF16' (store a float array as bfloat16)"
            )
        if arr.dtype.kind != "f":
            raise SafetensorsError(
                f"save_safetensors: tensor {name!r} has dtype {arr.dtype}; only float arrays "
                "can be stored as BF16"
            )
        return "BF16", float32_to_bfloat16_bits(arr.astype(np.float32)).astype("<u2")
    code = _CODE_OF_KIND.get((arr.dtype.kind, arr.dtype.itemsize))
    if code is None:
        raise SafetensorsError(
            f"save_safetensors: tensor {name!r} has dtype {arr.dtype}, which safetensors cannot "
            f"store (supported: bool, int8-64, uint8-64, float16/32/64)"
        )
    # asarray(order="C"), not ascontiguousarray: the latter turns 0-d arrays into 1-d.
    return code, np.asarray(arr, dtype=_NUMPY_OF[code], order="C")


def _prepare(tensors, metadata, dtypes):
    if not isinstance(tensors, Mapping):
        raise SafetensorsError(
            "save_safetensors: tensors must be a dict name -> ndarray, "
            f"got {type(tensors).__name__}"
        )
    dtypes = dict(dtypes or {})
    unknown = set(dtypes) - set(tensors)
    if unknown:
        raise SafetensorsError(f"save_safetensors: dtypes names unknown tensors {sorted(unknown)}")
    entries = []
    for name, value in tensors.items():
        if not isinstance(name, str):
            raise SafetensorsError(f"save_safetensors: tensor names must be str, got {name!r}")
        if name == "__metadata__":
            raise SafetensorsError(
                "save_safetensors: '__metadata__' is reserved, not a tensor name"
            )
        code, arr = _as_storable(name, value, dtypes.get(name))
        entries.append((name, code, arr))
    entries.sort(key=lambda e: (-_RANK[e[1]], e[0]))

    header: dict = {}
    if metadata is not None:
        if not isinstance(metadata, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
        ):
            raise SafetensorsError("save_safetensors: metadata must be a dict of str -> str")
        header["__metadata__"] = {k: metadata[k] for k in sorted(metadata)}
    offset = 0
    for name, code, arr in entries:
        header[name] = {
            "dtype": code,
            "shape": list(arr.shape),
            "data_offsets": [offset, offset + arr.nbytes],
        }
        offset += arr.nbytes
    # Compact separators and raw UTF-8, as serde_json writes it.
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text, [arr for _, _, arr in entries]


def _write_chunk(fh, chunk) -> None:
    # One place that writes bytes, so tests can simulate a crash in the middle of a save.
    fh.write(chunk)


def _array_bytes(arr: np.ndarray):
    # A flat uint8 view: no copy, works for 0-d and zero-size arrays alike.
    return arr.reshape(-1).view(np.uint8)


def serialize_safetensors(
    tensors: Mapping[str, np.ndarray],
    metadata: Mapping[str, str] | None = None,
    dtypes: Mapping[str, str] | None = None,
) -> bytes:
    """Return the bytes of a safetensors file holding ``tensors`` (see module docstring)."""
    head, arrays = _prepare(tensors, metadata, dtypes)
    return head + b"".join(_array_bytes(a).tobytes() for a in arrays)


def save_safetensors(
    tensors: Mapping[str, np.ndarray],
    path: str | os.PathLike,
    metadata: Mapping[str, str] | None = None,
    dtypes: Mapping[str, str] | None = None,
) -> None:
    """Write ``tensors`` to ``path`` atomically (temp file + fsync + os.replace).

    ``metadata`` becomes the header's ``__metadata__`` (str -> str only).
    ``dtypes`` may map a tensor name to ``"BF16"`` to store a float array as bfloat16.
    """
    _save(tensors, path, metadata, dtypes)


def _save(tensors, path, metadata=None, dtypes=None) -> str:
    """save_safetensors, returning the SHA-256 hex digest of the bytes written."""
    head, arrays = _prepare(tensors, metadata, dtypes)
    digest = hashlib.sha256()
    with atomic_write(path) as fh:
        for chunk in [head] + [_array_bytes(a) for a in arrays]:
            digest.update(chunk)
            _write_chunk(fh, chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------- reading


def _fail(path, message: str):
    raise SafetensorsError(f"safetensors file {os.fspath(path)!r}: {message}")


def _refuse_constant(token: str):
    raise ValueError(f"non-standard JSON constant {token}")


def _no_duplicate_keys(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _is_int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _parse_header(path, raw: bytes, buffer_size: int):
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        _fail(path, f"header is not valid UTF-8 ({e.reason} at byte {8 + e.start})")
    try:
        header = json.loads(
            text, object_pairs_hook=_no_duplicate_keys, parse_constant=_refuse_constant
        )
    except RecursionError:
        _fail(path, "header JSON is nested too deeply")
    except ValueError as e:  # JSONDecodeError is a ValueError, as are our hooks' errors
        _fail(path, f"header is not valid JSON: {e}")
    if not isinstance(header, dict):
        _fail(path, f"header must be a JSON object, got {type(header).__name__}")

    metadata = header.pop("__metadata__", None)
    if metadata is not None:
        if not isinstance(metadata, dict):
            _fail(path, "__metadata__ must be an object of string -> string")
        for k, v in metadata.items():
            if not isinstance(v, str):
                _fail(path, f"__metadata__[{k!r}] must be a string, got {type(v).__name__}")

    infos: dict[str, TensorInfo] = {}
    for name, entry in header.items():
        where = f"tensor {name!r}"
        if not isinstance(entry, dict):
            _fail(path, f"{where}: entry must be an object, got {type(entry).__name__}")
        keys = set(entry)
        if keys != {"dtype", "shape", "data_offsets"}:
            missing = sorted({"dtype", "shape", "data_offsets"} - keys)
            extra = sorted(keys - {"dtype", "shape", "data_offsets"})
            _fail(path, f"{where}: entry keys wrong (missing {missing}, unexpected {extra})")
        dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
        if not isinstance(dtype, str):
            _fail(path, f"{where}: dtype must be a string, got {dtype!r}")
        if dtype in _NO_NUMPY_EQUIVALENT:
            _fail(path, f"{where}: dtype {dtype} has no NumPy equivalent; cannot load it")
        if dtype not in _NUMPY_OF:
            _fail(path, f"{where}: unknown dtype {dtype!r} (known: {sorted(_NUMPY_OF)})")
        if not isinstance(shape, list) or not all(_is_int(d) and d >= 0 for d in shape):
            _fail(path, f"{where}: shape must be a list of non-negative integers, got {shape!r}")
        if (
            not isinstance(offsets, list)
            or len(offsets) != 2
            or not all(_is_int(o) for o in offsets)
        ):
            _fail(path, f"{where}: data_offsets must be a list of two integers, got {offsets!r}")
        begin, end = offsets
        if begin < 0 or end < begin:
            _fail(path, f"{where}: data_offsets {offsets} must satisfy 0 <= begin <= end")
        if end > buffer_size:
            _fail(
                path,
                f"{where}: data_offsets end {end} is past the end of the byte buffer "
                f"({buffer_size} bytes; the file is truncated or the header lies)",
            )
        # Python ints: prod() cannot overflow, so a hostile shape is caught here, not wrapped.
        nbytes = math.prod(shape) * _NUMPY_OF[dtype].itemsize
        if end - begin != nbytes:
            _fail(
                path,
                f"{where}: data_offsets span {end - begin} bytes but shape {shape} of {dtype} "
                f"needs {nbytes}",
            )
        infos[name] = TensorInfo(dtype, tuple(shape), (begin, end))

    # Tensors must tile the buffer exactly: sorted by offset, each begins where the previous
    # one ended (no overlap, no hole), and the last ends at the end of the file.
    ordered = sorted(infos.items(), key=lambda kv: kv[1].data_offsets)
    position, previous = 0, None
    for name, info in ordered:
        begin, end = info.data_offsets
        if begin < position:
            _fail(path, f"tensor {name!r}: data_offsets {list(info.data_offsets)} overlap "
                        f"tensor {previous!r}")
        if begin > position:
            _fail(path, f"tensor {name!r}: gap of {begin - position} unused bytes before "
                        f"data_offsets {list(info.data_offsets)}")
        position, previous = end, name
    if position != buffer_size:
        _fail(path, f"byte buffer is {buffer_size} bytes but the tensors cover {position} "
                    "(trailing bytes not described by the header)")
    return dict(ordered), metadata


def _open(path, who: str):
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise SafetensorsFileNotFoundError(
            f"{who}: no such file {os.fspath(path)!r}"
        ) from None
    except IsADirectoryError:
        raise SafetensorsError(f"{who}: {os.fspath(path)!r} is a directory, not a file") from None


def _read_exact(fh, n: int, path, what: str) -> bytearray:
    buf = bytearray(n)
    got = fh.readinto(buf)
    if got != n:
        _fail(path, f"file ended while reading {what} ({got} of {n} bytes)")
    return buf


def _read_header(fh, path):
    file_size = os.fstat(fh.fileno()).st_size
    if file_size < 8:
        _fail(path, f"file is {file_size} bytes, too short for the 8-byte header length")
    (n,) = struct.unpack("<Q", _read_exact(fh, 8, path, "the header length"))
    # Both checks come before reading: a hostile length must not make us allocate it.
    if n > MAX_HEADER_SIZE:
        _fail(path, f"header length {n} exceeds the {MAX_HEADER_SIZE}-byte limit")
    if 8 + n > file_size:
        _fail(path, f"header length {n} runs past the end of the {file_size}-byte file")
    raw = _read_exact(fh, n, path, "the header")
    infos, metadata = _parse_header(path, bytes(raw), file_size - 8 - n)
    return infos, metadata, 8 + n


def read_safetensors_header(path: str | os.PathLike) -> dict[str, TensorInfo]:
    """Validate the file's header and return ``{name: TensorInfo}`` in file order."""
    with _open(path, "read_safetensors_header") as fh:
        return _read_header(fh, path)[0]


def load_safetensors_metadata(path: str | os.PathLike) -> dict[str, str]:
    """Validate the file's header and return its ``__metadata__`` dict ({} when absent)."""
    with _open(path, "load_safetensors_metadata") as fh:
        return dict(_read_header(fh, path)[1] or {})


def load_safetensors(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Load every tensor of a safetensors file as writable NumPy arrays, in file order.

    BF16 tensors are converted to float32 (exactly). Arrays are in native byte order.
    """
    out: dict[str, np.ndarray] = {}
    with _open(path, "load_safetensors") as fh:
        infos, _, data_start = _read_header(fh, path)
        for name, info in infos.items():
            begin, end = info.data_offsets
            fh.seek(data_start + begin)
            buf = _read_exact(fh, end - begin, path, f"tensor {name!r}")
            arr = np.frombuffer(buf, dtype=_NUMPY_OF[info.dtype]).reshape(info.shape)
            if info.dtype == "BOOL" and arr.size and arr.view(np.uint8).max() > 1:
                _fail(path, f"tensor {name!r}: BOOL data holds bytes other than 0 and 1")
            if info.dtype == "BF16":
                arr = bfloat16_bits_to_float32(arr)
            elif not arr.dtype.isnative:
                arr = arr.astype(arr.dtype.newbyteorder("="))
            out[name] = arr
    return out
