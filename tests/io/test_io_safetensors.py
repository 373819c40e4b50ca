"""safetensors round trips and byte-exact layout (reference bytes built by hand here)."""

import json
import struct

import numpy as np
import pytest

from tinyllm.io import (
    SafetensorsError,
    bfloat16_bits_to_float32,
    float32_to_bfloat16_bits,
    load_safetensors,
    load_safetensors_metadata,
    read_safetensors_header,
    save_safetensors,
    serialize_safetensors,
)

ALL_DTYPES = [
    np.bool_, np.uint8, np.int8, np.int16, np.uint16, np.float16, np.int32, np.uint32,
    np.float32, np.float64, np.int64, np.uint64,
]
ODD_SHAPES = [(), (0,), (3, 0, 2), (1,), (2, 3), (1, 1, 1, 5), (7,)]


def _sample(dtype, shape, seed):
    rng = np.random.default_rng(seed)
    if dtype is np.bool_:
        return rng.integers(0, 2, size=shape).astype(bool)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
    return (rng.standard_normal(size=shape) * 100).astype(dtype)


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=lambda d: np.dtype(d).name)
def test_round_trip_every_dtype_and_odd_shape(tmp_path, dtype):
    tensors = {f"t{i}": _sample(dtype, s, i) for i, s in enumerate(ODD_SHAPES)}
    path = tmp_path / "x.safetensors"
    save_safetensors(tensors, path)
    back = load_safetensors(path)
    assert set(back) == set(tensors)
    for name, arr in tensors.items():
        assert back[name].dtype == arr.dtype
        assert back[name].shape == arr.shape
        np.testing.assert_array_equal(back[name], arr)
        assert back[name].flags.writeable  # a fresh array, not a view of a read-only buffer


def test_mixed_dtypes_in_one_file_and_extreme_values(tmp_path):
    tensors = {
        "f64": np.array([np.inf, -np.inf, 5e-324, -0.0]),
        "f16": np.array([65504, -6e-8, np.inf], dtype=np.float16),
        "i64": np.array([np.iinfo(np.int64).min, np.iinfo(np.int64).max]),
        "u64": np.array([np.iinfo(np.uint64).max], dtype=np.uint64),
        "nan": np.array([np.nan], dtype=np.float32),
        "scalar": np.float32(2.5),  # numpy scalars are accepted, stored 0-d
    }
    save_safetensors(tensors, tmp_path / "m.safetensors")
    back = load_safetensors(tmp_path / "m.safetensors")
    for name, arr in tensors.items():
        np.testing.assert_array_equal(back[name], arr)
        assert back[name].dtype == np.asarray(arr).dtype
    assert back["scalar"].shape == ()
    assert np.signbit(back["f64"][3])  # -0.0 keeps its sign: bytes are copied, not recomputed


def test_non_contiguous_and_big_endian_inputs_are_stored_correctly(tmp_path):
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    tensors = {
        "t": base.T,  # Fortran order view
        "s": base[::2, 1::3],  # strided view
        "be": np.arange(5, dtype=">i4"),  # big-endian: must be written little-endian
    }
    save_safetensors(tensors, tmp_path / "v.safetensors")
    back = load_safetensors(tmp_path / "v.safetensors")
    np.testing.assert_array_equal(back["t"], base.T)
    np.testing.assert_array_equal(back["s"], base[::2, 1::3])
    np.testing.assert_array_equal(back["be"], np.arange(5))
    raw = (tmp_path / "v.safetensors").read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + n])
    b, e = header["be"]["data_offsets"]
    assert raw[8 + n + b : 8 + n + e] == struct.pack("<5i", 0, 1, 2, 3, 4)


def _hand_file(header_json: str, data: bytes) -> bytes:
    header = header_json.encode("utf-8")
    header += b" " * (-len(header) % 8)
    return struct.pack("<Q", len(header)) + header + data


def test_byte_exact_single_tensor_matches_reference_layout():
    # The reference implementation's own test vector: "attn.0", F32, shape [1, 2, 3],
    # values 0..5. The compact header is exactly 64 bytes, so no padding.
    data = struct.pack("<6f", 0, 1, 2, 3, 4, 5)
    expected = (
        b"\x40\x00\x00\x00\x00\x00\x00\x00"
        b'{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}' + data
    )
    got = serialize_safetensors({"attn.0": np.arange(6, dtype=np.float32).reshape(1, 2, 3)})
    assert got == expected


def test_byte_exact_padding_with_spaces():
    # "attn0" with shape [1,1,2,3]: 65-byte header, padded with 7 spaces to 72.
    header = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}'
    assert len(header) == 65
    expected = struct.pack("<Q", 72) + header.encode() + b" " * 7 + struct.pack("<6f", *range(6))
    got = serialize_safetensors({"attn0": np.arange(6, dtype=np.float32).reshape(1, 1, 2, 3)})
    assert got == expected


def test_byte_exact_empty_file_with_and_without_metadata():
    assert serialize_safetensors({}) == b"\x08" + b"\x00" * 7 + b"{}" + b" " * 6
    meta = b'{"__metadata__":{"framework":"pt"}}'  # 35 bytes -> 5 spaces of padding
    assert serialize_safetensors({}, metadata={"framework": "pt"}) == (
        b"\x28" + b"\x00" * 7 + meta + b" " * 5
    )


def test_byte_exact_ordering_widest_dtype_first_then_name():
    # Writers order tensors by descending dtype rank (I64 > F32 > F16 > U8), then by name;
    # metadata first, its keys sorted.
    tensors = {
        "c": np.array([7, 8, 9], dtype=np.uint8),
        "b": np.array([1.5], dtype=np.float32),
        "a": np.array([2.0, -1.0], dtype=np.float32),
        "z": np.array([-3], dtype=np.int64),
        "h": np.array([1.0], dtype=np.float16),
    }
    header = (
        '{"__metadata__":{"a":"1","format":"pt"},'
        '"z":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},'
        '"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},'
        '"b":{"dtype":"F32","shape":[1],"data_offsets":[16,20]},'
        '"h":{"dtype":"F16","shape":[1],"data_offsets":[20,22]},'
        '"c":{"dtype":"U8","shape":[3],"data_offsets":[22,25]}}'
    )
    data = (
        struct.pack("<q", -3) + struct.pack("<2f", 2.0, -1.0) + struct.pack("<f", 1.5)
        + struct.pack("<e", 1.0) + bytes([7, 8, 9])
    )
    expected = _hand_file(header, data)
    assert serialize_safetensors(tensors, metadata={"format": "pt", "a": "1"}) == expected


def test_load_hand_built_file_in_any_header_order(tmp_path):
    # Other writers may list entries in any order and put __metadata__ last; offsets rule.
    header = (
        '{"w":{"dtype":"I16","shape":[2],"data_offsets":[8,12]},'
        '"v":{"data_offsets":[0,8],"shape":[2,1],"dtype":"I32"},'
        '"__metadata__":{"note":"hand made \\u00e9"}}'
    )
    path = tmp_path / "h.safetensors"
    path.write_bytes(_hand_file(header, struct.pack("<2i2h", -1, 40000, 7, -8)))
    back = load_safetensors(path)
    assert list(back) == ["v", "w"]  # file order
    np.testing.assert_array_equal(back["v"], np.array([[-1], [40000]], dtype=np.int32))
    np.testing.assert_array_equal(back["w"], np.array([7, -8], dtype=np.int16))
    assert load_safetensors_metadata(path) == {"note": "hand made é"}
    info = read_safetensors_header(path)
    assert info["w"].dtype == "I16" and info["w"].shape == (2,)
    assert info["w"].data_offsets == (8, 12)


def test_unicode_tensor_names_are_raw_utf8(tmp_path):
    got = serialize_safetensors({"权重": np.zeros(1, dtype=np.uint8)})
    assert '"权重"'.encode() in got  # not \\u escapes, as serde_json writes it
    path = tmp_path / "u.safetensors"
    path.write_bytes(got)
    assert list(load_safetensors(path)) == ["权重"]


def test_bf16_loads_as_float32(tmp_path):
    # bf16 bits: 0x3F80 = 1.0, 0xC020 = -2.5, 0x4049 = 3.140625, 0x7F80 = inf, 0x0001 = 2^-133
    bits = struct.pack("<5H", 0x3F80, 0xC020, 0x4049, 0x7F80, 0x0001)
    path = tmp_path / "b.safetensors"
    path.write_bytes(_hand_file('{"x":{"dtype":"BF16","shape":[5],"data_offsets":[0,10]}}', bits))
    x = load_safetensors(path)["x"]
    assert x.dtype == np.float32
    np.testing.assert_array_equal(x, np.array([1.0, -2.5, 3.140625, np.inf, 2.0**-133], np.float32))


def test_bf16_rounding_to_nearest_even_and_save(tmp_path):
    x = np.array(
        [1.0, 1.00390625, 1.01171875, 1.0 + 2**-8 + 2**-20, np.nan, -0.0, 3.0e38], np.float32
    )
    bits = float32_to_bfloat16_bits(x)
    # 1+2^-8 is halfway between 1.0 (0x3F80) and 1+2^-7 (0x3F81): ties to even -> 0x3F80.
    # 1.01171875 = 1+3*2^-8 is halfway between 0x3F81 and 0x3F82: ties to even -> 0x3F82.
    # Just above halfway rounds up -> 0x3F81. 3e38 rounds up to 0x7F62.
    assert bits[0] == 0x3F80 and bits[1] == 0x3F80 and bits[2] == 0x3F82 and bits[3] == 0x3F81
    assert np.isnan(bfloat16_bits_to_float32(bits[4]))
    assert bits[5] == 0x8000 and bits[6] == 0x7F62
    save_safetensors({"w": x}, tmp_path / "w.safetensors", dtypes={"w": "BF16"})
    assert read_safetensors_header(tmp_path / "w.safetensors")["w"].dtype == "BF16"
    back = load_safetensors(tmp_path / "w.safetensors")["w"]
    np.testing.assert_array_equal(back, bfloat16_bits_to_float32(bits))


def test_bf16_matches_torch_when_available():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal(10_000).astype(np.float32) * 1e3
    ref = torch.from_numpy(x).to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)
    np.testing.assert_array_equal(float32_to_bfloat16_bits(x), ref)


@pytest.mark.parametrize(
    "tensors, kwargs, match",
    [
        ({"a": [1, 2]}, {}, "must be a numpy.ndarray"),
        ({"a": np.zeros(2, dtype=np.complex64)}, {}, "cannot store"),
        ({"a": np.array(["x"])}, {}, "cannot store"),
        ({1: np.zeros(2)}, {}, "names must be str"),
        ({"__metadata__": np.zeros(2)}, {}, "reserved"),
        ({"a": np.zeros(2)}, {"metadata": {"k": 1}}, "str -> str"),
        ({"a": np.zeros(2)}, {"dtypes": {"a": "F8_E4M3"}}, "only supported override"),
        ({"a": np.zeros(2, np.int32)}, {"dtypes": {"a": "BF16"}}, "only float arrays"),
        ({"a": np.zeros(2)}, {"dtypes": {"b": "BF16"}}, "unknown tensors"),
    ],
)
def test_save_refuses_bad_input(tmp_path, tensors, kwargs, match):
    with pytest.raises(SafetensorsError, match=match):
        save_safetensors(tensors, tmp_path / "bad.safetensors", **kwargs)
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a temp file


hyp = pytest.importorskip("hypothesis")
st = pytest.importorskip("hypothesis.strategies")


@hyp.settings(max_examples=60, deadline=None)
@hyp.given(
    st.dictionaries(
        st.text(min_size=1, max_size=8).filter(lambda s: s != "__metadata__"),
        st.tuples(st.sampled_from(ALL_DTYPES), st.lists(st.integers(0, 3), max_size=3),
                  st.integers(0, 2**31)),
        max_size=5,
    ),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
)
def test_round_trip_property(tmp_path_factory, spec, metadata):
    tensors = {name: _sample(d, tuple(shape), seed) for name, (d, shape, seed) in spec.items()}
    path = tmp_path_factory.mktemp("p") / "x.safetensors"
    save_safetensors(tensors, path, metadata=metadata)
    back = load_safetensors(path)
    assert set(back) == set(tensors)
    for name, arr in tensors.items():
        assert back[name].dtype == arr.dtype and back[name].shape == arr.shape
        np.testing.assert_array_equal(back[name], arr)
    assert load_safetensors_metadata(path) == metadata
    header_len = struct.unpack("<Q", path.read_bytes()[:8])[0]
    assert header_len % 8 == 0  # data starts 8-byte aligned
