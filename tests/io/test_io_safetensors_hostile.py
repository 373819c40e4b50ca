"""Hostile and damaged safetensors files: every one refused with SafetensorsError."""

import struct
import tracemalloc

import numpy as np
import pytest

from tinyllm.io import (
    SafetensorsError,
    SafetensorsFileNotFoundError,
    load_safetensors,
    load_safetensors_metadata,
    save_safetensors,
)


def _file(header: str | bytes, data: bytes = b"", pad: bool = True, n: int | None = None):
    raw = header.encode("utf-8") if isinstance(header, str) else header
    if pad:
        raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw) if n is None else n) + raw + data


def _load_refused(tmp_path, content: bytes, match: str):
    path = tmp_path / "h.safetensors"
    path.write_bytes(content)
    tracemalloc.start()
    try:
        with pytest.raises(SafetensorsError, match=match):
            load_safetensors(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Refusal must not first allocate what the header claims (here: up to 2**63 bytes).
    assert peak < 1_000_000, f"peak allocation {peak} bytes while refusing"


def test_truncation_at_every_byte_is_refused(tmp_path):
    tensors = {
        "w": np.arange(6, dtype=np.float32).reshape(2, 3),
        "b": np.array([1, -2], dtype=np.int16),
        "flag": np.array(True),
        "empty": np.zeros((0, 4), dtype=np.float64),
    }
    full = tmp_path / "full.safetensors"
    save_safetensors(tensors, full, metadata={"format": "pt"})
    content = full.read_bytes()
    assert len(content) > 200
    cut = tmp_path / "cut.safetensors"
    for size in range(len(content)):
        cut.write_bytes(content[:size])
        with pytest.raises(SafetensorsError):
            load_safetensors(cut)
    cut.write_bytes(content)  # the whole file still loads
    np.testing.assert_array_equal(load_safetensors(cut)["w"], tensors["w"])


def test_extra_trailing_byte_is_refused(tmp_path):
    good = _file('{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}', b"\x01\x02")
    _load_refused(tmp_path, good + b"\x00", "trailing bytes")


@pytest.mark.parametrize(
    "content, match",
    [
        (b"", "too short"),
        (b"\x01\x02\x03", "too short"),
        (struct.pack("<Q", 2**63) + b"{}      ", "exceeds the 100000000-byte limit"),
        (struct.pack("<Q", 2**64 - 1), "exceeds"),
        (struct.pack("<Q", 100_000_001) + b"{}", "exceeds"),
        (struct.pack("<Q", 64) + b"{}      ", "runs past the end"),
    ],
    ids=["empty", "3-bytes", "len-2**63", "len-max", "len-over-cap", "len-past-file"],
)
def test_bad_header_length(tmp_path, content, match):
    _load_refused(tmp_path, content, match)


F32_2 = struct.pack("<2f", 1.0, 2.0)


@pytest.mark.parametrize(
    "header, data, match",
    [
        ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,9]}}', F32_2, "past the end"),
        ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4611686018427387904]}}', F32_2,
         "past the end"),
        ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}', F32_2, "0 <= begin <= end"),
        ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}', F32_2, "0 <= begin <= end"),
        ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0.0,8.0]}}', F32_2, "two integers"),
        ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}}', F32_2, "two integers"),
        ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,8]}}', F32_2, "two integers"),
        ('{"a":{"dtype":"F32","shape":[2],"data_offsets":"0,8"}}', F32_2, "two integers"),
        ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[true,8]}}', F32_2, "two integers"),
        ('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
         '"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', F32_2, "overlap"),
        ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
         '"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', F32_2, "overlap"),
        ('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', F32_2, "gap of 4"),
        ('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
         '"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', F32_2, "duplicate key 'a'"),
        ('{"a":{"dtype":"F128","shape":[1],"data_offsets":[0,8]}}', F32_2, "unknown dtype 'F128'"),
        ('{"a":{"dtype":"f32","shape":[2],"data_offsets":[0,8]}}', F32_2, "unknown dtype 'f32'"),
        ('{"a":{"dtype":7,"shape":[2],"data_offsets":[0,8]}}', F32_2, "dtype must be a string"),
        ('{"a":{"dtype":"F8_E4M3","shape":[8],"data_offsets":[0,8]}}', F32_2,
         "F8_E4M3 has no NumPy equivalent"),
        ('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', F32_2,
         "span 8 bytes but shape \\[3\\] of F32 needs 12"),
        ('{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}', F32_2, "needs 16"),
        ('{"a":{"dtype":"U8","shape":[4294967296,4294967296],"data_offsets":[0,8]}}', F32_2,
         "needs 18446744073709551616"),
        ('{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}', F32_2, "non-negative"),
        ('{"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}', F32_2, "non-negative"),
        ('{"a":{"dtype":"F32","shape":2,"data_offsets":[0,8]}}', F32_2, "shape must be a list"),
        ('{"a":{"dtype":"F32","shape":[2]}}', F32_2, "missing \\['data_offsets'\\]"),
        ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}}', F32_2,
         "unexpected \\['x'\\]"),
        ('{"a":[0,8]}', F32_2, "entry must be an object"),
        ('[1, 2]', b"", "must be a JSON object, got list"),
        ('"{}"', b"", "must be a JSON object, got str"),
        ("null", b"", "must be a JSON object, got NoneType"),
        ('{"a": ', b"", "not valid JSON"),
        ('{"a":NaN}', b"", "not valid JSON"),
        ("{" * 100_000 + "}" * 100_000, b"", "nested too deeply|not valid JSON"),
        ('{"__metadata__":[1]}', b"", "__metadata__ must be an object"),
        ('{"__metadata__":{"k":1}}', b"", "__metadata__\\['k'\\] must be a string"),
        ('{"a":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}', b"\x01\x07",
         "bytes other than 0 and 1"),
    ],
)
def test_hostile_headers(tmp_path, header, data, match):
    content = _file(header, data)
    # Keep the buffer the size the entries describe, so the named problem is the one hit.
    _load_refused(tmp_path, content, match)


def test_invalid_utf8_header(tmp_path):
    _load_refused(tmp_path, _file(b'{"\xff\xfe":1}'), "not valid UTF-8")
    _load_refused(tmp_path, _file(b'{"\xc3":1}   '), "not valid UTF-8")


def test_metadata_reader_validates_too(tmp_path):
    path = tmp_path / "m.safetensors"
    path.write_bytes(_file('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', F32_2))
    with pytest.raises(SafetensorsError, match="needs 12"):
        load_safetensors_metadata(path)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(SafetensorsFileNotFoundError, match="no such file") as info:
        load_safetensors(tmp_path / "nope.safetensors")
    assert isinstance(info.value, FileNotFoundError) and isinstance(info.value, ValueError)
    with pytest.raises(SafetensorsError, match="is a directory"):
        load_safetensors(tmp_path)


def test_refusals_are_value_errors(tmp_path):
    path = tmp_path / "v.safetensors"
    path.write_bytes(b"\x00" * 3)
    with pytest.raises(ValueError):
        load_safetensors(path)
