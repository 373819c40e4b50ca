"""Atomic writes: a crash mid-save leaves the old file intact and no temporary file."""

import os

import numpy as np
import pytest

import tinyllm.io.safetensors as st
from tinyllm.io import atomic_write, load_safetensors, save_checkpoint, save_safetensors


def test_crash_mid_write_keeps_old_file(tmp_path, monkeypatch):
    path = tmp_path / "model.safetensors"
    old = {"w": np.arange(4, dtype=np.float32)}
    save_safetensors(old, path)
    old_bytes = path.read_bytes()

    calls = []

    def crashing_write(fh, chunk):
        calls.append(len(chunk))
        if len(calls) == 2:  # header written, now half of the first tensor, then "crash"
            fh.write(bytes(memoryview(chunk).cast("B")[: len(chunk) // 2]))
            raise OSError("disk full (simulated)")
        fh.write(chunk)

    monkeypatch.setattr(st, "_write_chunk", crashing_write)
    new = {"w": np.full(1000, 7.0, dtype=np.float32), "b": np.ones(3)}
    with pytest.raises(OSError, match="simulated"):
        save_safetensors(new, path)
    assert len(calls) == 2
    assert path.read_bytes() == old_bytes
    assert sorted(os.listdir(tmp_path)) == ["model.safetensors"]  # temp file removed
    np.testing.assert_array_equal(load_safetensors(path)["w"], old["w"])


def test_crash_in_fsync_keeps_old_file(tmp_path, monkeypatch):
    path = tmp_path / "x.bin"
    path.write_bytes(b"old")

    def failing_fsync(fd):
        raise OSError("fsync failed (simulated)")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="simulated"):
        with atomic_write(path) as fh:
            fh.write(b"new contents")
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["x.bin"]


def test_successful_write_replaces_and_leaves_no_temp(tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(b"old")
    with atomic_write(path) as fh:
        fh.write(b"new")
        # Until the block ends, readers still see the old file.
        assert path.read_bytes() == b"old"
    assert path.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["x.bin"]


def test_checkpoint_json_crash_keeps_old_pair_detectable(tmp_path, monkeypatch):
    import tinyllm.io.checkpoint as ck

    save_checkpoint(tmp_path / "ck", {"w": np.zeros(2)}, {"step": 1})
    old_json = (tmp_path / "ck.json").read_bytes()

    real = ck.atomic_write

    def crash_on_json(path):
        if str(path).endswith(".json"):
            raise OSError("crash before json (simulated)")
        return real(path)

    monkeypatch.setattr(ck, "atomic_write", crash_on_json)
    with pytest.raises(OSError, match="simulated"):
        save_checkpoint(tmp_path / "ck", {"w": np.ones(2)}, {"step": 2})
    assert (tmp_path / "ck.json").read_bytes() == old_json
    assert sorted(os.listdir(tmp_path)) == ["ck.json", "ck.safetensors"]
