"""Run checkpoints: round trip, truncation at every byte, hostile headers, atomic writes."""

import hashlib
import json
import os
import shutil
import struct
import tempfile
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import tinyllm as tl
from tinyllm import nn, optim
from tinyllm.io import CheckpointError, SafetensorsError
from tinyllm.train import Trainer, load_model_weights, load_run_checkpoint
from tinyllm.train.checkpoint import optimizer_state_from_json, optimizer_state_to_json


@pytest.fixture
def ckpt(tmp_path):
    # The byte-by-byte tests rewrite the files thousands of times: use a RAM disk when
    # there is one (a disk-backed /tmp can take milliseconds per write).
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        tmp_path = Path(tempfile.mkdtemp(dir=shm, prefix="tinyllm-test-"))
    yield from _make_ckpt(tmp_path)
    if str(tmp_path).startswith(str(shm)):
        shutil.rmtree(tmp_path, ignore_errors=True)


def _make_ckpt(tmp_path):
    tl.manual_seed(0)
    m = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    tr = Trainer(m, optim.Adam(m.parameters(), lr=0.01), verbose=0)
    x = np.random.default_rng(0).normal(size=(12, 3)).astype(np.float32)
    tr.fit((x, (x[:, 0] > 0).astype(np.int64)), epochs=1, batch_size=4)
    tr.save_checkpoint(tmp_path / "run")
    yield tmp_path / "run", m


def test_round_trip_restores_weights_and_optimizer(ckpt):
    path, m = ckpt
    tensors, state = load_run_checkpoint(path)
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(tensors[k], v)
    assert state["position"]["step"] == 3
    adam = state["optimizer"]["state"]["0"]
    assert adam["step"] == 3 and adam["exp_avg"].shape == (4, 3)
    m2 = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    load_model_weights(m2, path)
    for (k, a), b in zip(m.state_dict().items(), m2.state_dict().values()):
        np.testing.assert_array_equal(a, b, err_msg=k)


def test_optimizer_state_json_round_trip():
    p = nn.Parameter(np.ones(3, dtype=np.float32))
    opt = optim.Adam([p], lr=0.1, betas=(0.8, 0.9))
    p.grad = np.array([1.0, -2.0, 0.5], dtype=np.float32)
    opt.step()
    sd = optimizer_state_to_json(opt.state_dict())
    assert list(sd["state"]) == ["0"] and sd["param_groups"][0]["betas"] == [0.8, 0.9]
    back = optimizer_state_from_json(json.loads(json.dumps(
        {**sd, "state": {"0": {"step": 1}}})))
    assert back["state"] == {0: {"step": 1}} and back["param_groups"][0]["betas"] == (0.8, 0.9)


def _files(path):
    return path.with_suffix(".safetensors"), path.with_suffix(".json")


def test_truncated_json_at_every_byte_is_refused(ckpt):
    path, _ = ckpt
    _, target = _files(path)
    original = target.read_bytes()
    try:
        for cut in range(len(original)):
            target.write_bytes(original[:cut])
            with pytest.raises(ValueError) as info:   # CheckpointError / SafetensorsError
                load_run_checkpoint(path)
            assert isinstance(info.value, (CheckpointError, SafetensorsError))
            assert str(info.value)                     # a message, not a bare error
    finally:
        target.write_bytes(original)
    load_run_checkpoint(path)


def _rewrite_tensors(path, data: bytes):
    """Replace the tensors file and re-sign it in the JSON, so that the SHA check passes
    and the safetensors reader itself must refuse the file."""
    st, js = _files(path)
    st.write_bytes(data)
    doc = json.loads(js.read_text())
    doc["tensors_sha256"] = hashlib.sha256(data).hexdigest()
    js.write_text(json.dumps(doc))


def _header(st):
    raw = st.read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    return json.loads(raw[8:8 + n]), raw[8 + n:]


def _pack(header: dict, body: bytes) -> bytes:
    h = json.dumps(header).encode()
    h += b" " * (-(8 + len(h)) % 8)
    return struct.pack("<Q", len(h)) + h + body


def _hostile_files(st):
    header, body = _header(st)
    name = next(k for k in header if k != "__metadata__")
    huge_len = struct.pack("<Q", 2**62) + st.read_bytes()[8:]
    past_end = json.loads(json.dumps(header))
    b, e = past_end[name]["data_offsets"]
    past_end[name]["data_offsets"] = [b + 10**12, e + 10**12]
    huge_shape = json.loads(json.dumps(header))
    huge_shape[name]["shape"] = [2**20, 2**20]
    bad_dtype = json.loads(json.dumps(header))
    bad_dtype[name]["dtype"] = "Q99"
    return {
        "huge header length": huge_len,
        "offsets past the end": _pack(past_end, body),
        "shape far larger than the data": _pack(huge_shape, body),
        "unknown dtype": _pack(bad_dtype, body),
    }


def test_truncated_tensors_file_is_refused_at_every_byte(ckpt):
    path, _ = ckpt
    st, js = _files(path)
    original, doc = st.read_bytes(), js.read_text()
    st.write_bytes(original[:-3])
    with pytest.raises(CheckpointError, match="SHA-256"):   # caught by the recorded hash
        load_run_checkpoint(path)
    # Re-signing each truncated file makes the safetensors reader itself face every cut.
    tracemalloc.start()
    try:
        for cut in range(len(original)):
            _rewrite_tensors(path, original[:cut])
            with pytest.raises(SafetensorsError):
                load_run_checkpoint(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        st.write_bytes(original)
        js.write_text(doc)
    assert peak < 2_000_000
    load_run_checkpoint(path)


@pytest.mark.parametrize("case", ["huge header length", "offsets past the end",
                                  "shape far larger than the data", "unknown dtype"])
def test_hostile_header_is_refused_without_a_large_allocation(ckpt, case):
    path, _ = ckpt
    st, _ = _files(path)
    _rewrite_tensors(path, _hostile_files(st)[case])
    tracemalloc.start()
    try:
        with pytest.raises(SafetensorsError) as info:
            load_run_checkpoint(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000, f"{case}: peak allocation {peak} bytes"
    assert str(info.value)


def test_not_a_training_checkpoint_is_refused(tmp_path):
    from tinyllm.io import save_checkpoint
    save_checkpoint(tmp_path / "plain", {"w": np.ones(2, dtype=np.float32)}, {"step": 1})
    with pytest.raises(CheckpointError, match="not a training checkpoint"):
        load_run_checkpoint(tmp_path / "plain")
    with pytest.raises(CheckpointError, match="missing"):
        load_run_checkpoint(tmp_path / "nothing_here")


def test_a_crash_mid_write_leaves_the_previous_checkpoint(ckpt, monkeypatch):
    path, m = ckpt
    st, js = _files(path)
    before = (st.read_bytes(), js.read_bytes())
    import tinyllm.io.safetensors as stmod

    def crash(fh, chunk):
        fh.write(bytes(chunk)[:5])
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(stmod, "_write_chunk", crash)
    m[0].weight.data += 1.0
    tr = Trainer(m, optim.Adam(m.parameters(), lr=0.01), verbose=0)
    with pytest.raises(OSError, match="disk full"):
        tr.save_checkpoint(path)
    assert (st.read_bytes(), js.read_bytes()) == before
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    load_run_checkpoint(path)
