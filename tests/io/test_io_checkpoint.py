"""Checkpoints (safetensors + JSON) and JSON-able RNG state."""

import json

import numpy as np
import pytest

from tinyllm.io import (
    CheckpointError,
    CheckpointNotFoundError,
    RNGStateError,
    checkpoint_paths,
    load_checkpoint,
    load_safetensors,
    rng_from_json,
    rng_state_to_json,
    save_checkpoint,
    set_rng_state,
)


def _state(rng):
    return {
        "step": 1200,
        "config": {"d_model": 64, "dropout": 0.1, "name": "tiny", "tied": True, "extra": None},
        "optimizer": {
            "lr": np.float32(3e-4),  # numpy scalar -> Python float
            "betas": (0.9, 0.999),  # tuple -> list
            "t": np.int64(1200),
            "exp_avg": {"fc.weight": np.full((2, 3), 0.5, np.float32), "fc.bias": np.zeros(3)},
            "exp_avg_sq": [np.arange(3.0), np.array(2.5)],
        },
        "scheduler": {"last_epoch": 1199, "base_lrs": [0.001]},
        "rng": rng_state_to_json(rng),
        "history": {"loss": [2.5, 2.25, float("nan")]},
    }


def test_round_trip(tmp_path):
    rng = np.random.default_rng(123)
    rng.standard_normal(10)
    tensors = {"fc.weight": np.arange(6, dtype=np.float32).reshape(3, 2), "fc.bias": np.ones(3)}
    st_path, json_path = save_checkpoint(tmp_path / "run" / "step_1200", tensors, _state(rng))
    assert st_path == str(tmp_path / "run" / "step_1200.safetensors")
    assert json_path == str(tmp_path / "run" / "step_1200.json")

    back_tensors, state = load_checkpoint(tmp_path / "run" / "step_1200")
    assert sorted(back_tensors) == ["fc.bias", "fc.weight"]  # state arrays are not here
    np.testing.assert_array_equal(back_tensors["fc.weight"], tensors["fc.weight"])
    assert state["step"] == 1200
    assert state["config"] == {"d_model": 64, "dropout": 0.1, "name": "tiny", "tied": True,
                               "extra": None}
    assert state["optimizer"]["lr"] == float(np.float32(3e-4))
    assert state["optimizer"]["betas"] == [0.9, 0.999]
    assert state["optimizer"]["t"] == 1200 and type(state["optimizer"]["t"]) is int
    ea = state["optimizer"]["exp_avg"]
    np.testing.assert_array_equal(ea["fc.weight"], np.full((2, 3), 0.5, np.float32))
    assert ea["fc.weight"].dtype == np.float32
    np.testing.assert_array_equal(state["optimizer"]["exp_avg_sq"][0], np.arange(3.0))
    assert state["optimizer"]["exp_avg_sq"][1].shape == ()
    assert state["history"]["loss"][:2] == [2.5, 2.25] and np.isnan(state["history"]["loss"][2])
    # The restored RNG continues exactly where the saved one was.
    expected = rng.standard_normal(5)
    np.testing.assert_array_equal(rng_from_json(state["rng"]).standard_normal(5), expected)


def test_file_layout(tmp_path):
    save_checkpoint(tmp_path / "c", {"w": np.zeros(1)},
                    {"optimizer": {"m": {"w": np.ones(1)}}}, metadata={"format": "pt"})
    raw = load_safetensors(tmp_path / "c.safetensors")
    assert sorted(raw) == ["state.optimizer.m.w", "w"]
    doc = json.loads((tmp_path / "c.json").read_text())
    assert doc["format"] == "tinyllm-checkpoint" and doc["version"] == 1
    assert doc["tensors_file"] == "c.safetensors"
    assert len(doc["tensors_sha256"]) == 64
    assert doc["state"] == {"optimizer": {"m": {"w": {"__ndarray__": "state.optimizer.m.w"}}}}


def test_path_forms(tmp_path):
    d = tmp_path / "dir"
    d.mkdir()
    assert checkpoint_paths(d) == (str(d / "checkpoint.safetensors"), str(d / "checkpoint.json"))
    assert checkpoint_paths("a/b.json") == ("a/b.safetensors", "a/b.json")
    assert checkpoint_paths("a/b.safetensors") == ("a/b.safetensors", "a/b.json")
    save_checkpoint(d, {"w": np.ones(2)}, {"step": 3})
    tensors, state = load_checkpoint(d / "checkpoint.json")
    assert state == {"step": 3}
    np.testing.assert_array_equal(tensors["w"], np.ones(2))


def test_missing_files(tmp_path):
    with pytest.raises(CheckpointNotFoundError, match="missing checkpoint file .*nope.json"):
        load_checkpoint(tmp_path / "nope")
    save_checkpoint(tmp_path / "c", {"w": np.ones(2)}, {})
    (tmp_path / "c.safetensors").unlink()
    with pytest.raises(FileNotFoundError, match="c.safetensors"):
        load_checkpoint(tmp_path / "c")


@pytest.mark.parametrize(
    "content, match",
    [
        (b'{"format": "tinyllm-checkpoint", ', "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[1, 2]", "must hold a JSON object, got list"),
        (b'{"format": "other", "version": 1, "state": {}}', "not a tinyllm-checkpoint"),
        (b'{"format": "tinyllm-checkpoint", "version": 2, "state": {}}', "version 1"),
        (b'{"format": "tinyllm-checkpoint", "version": 1, "state": []}', "'state' must be"),
    ],
)
def test_corrupt_json(tmp_path, content, match):
    save_checkpoint(tmp_path / "c", {"w": np.ones(2)}, {"step": 1})
    (tmp_path / "c.json").write_bytes(content)
    with pytest.raises(CheckpointError, match=match):
        load_checkpoint(tmp_path / "c")


def test_mismatched_pair_is_detected(tmp_path):
    # Simulates a crash between the two writes: new tensors, old JSON.
    save_checkpoint(tmp_path / "c", {"w": np.ones(2)}, {"step": 1})
    old_json = (tmp_path / "c.json").read_bytes()
    save_checkpoint(tmp_path / "c", {"w": np.zeros(2)}, {"step": 2})
    (tmp_path / "c.json").write_bytes(old_json)
    with pytest.raises(CheckpointError, match="SHA-256 differs"):
        load_checkpoint(tmp_path / "c")
    tensors, state = load_checkpoint(tmp_path / "c", verify=False)
    assert state == {"step": 1}
    np.testing.assert_array_equal(tensors["w"], np.zeros(2))


def test_dangling_array_reference(tmp_path):
    save_checkpoint(tmp_path / "c", {"w": np.ones(2)}, {"m": np.ones(1)})
    doc = json.loads((tmp_path / "c.json").read_text())
    doc["state"]["m"] = {"__ndarray__": "state.other"}
    (tmp_path / "c.json").write_text(json.dumps(doc))
    with pytest.raises(CheckpointError, match="'state.other', which is not in"):
        load_checkpoint(tmp_path / "c")


@pytest.mark.parametrize(
    "tensors, state, match",
    [
        ({}, {1: "a"}, "non-string key 1"),
        ({}, {"opt": {"__ndarray__": "x"}}, "reserved key"),
        ({}, {"f": object()}, "state\\['f'\\] is a object"),
        ({}, {"a.b": np.ones(1), "a": {"b": np.ones(1)}}, "two arrays in state map to key"),
        ({"state.m": np.ones(1)}, {"m": np.ones(1)}, "clash with state arrays"),
        ({}, [1], "state must be a dict"),
        ([np.ones(1)], {}, "tensors must be a dict"),
    ],
)
def test_save_refuses_bad_state(tmp_path, tensors, state, match):
    with pytest.raises(CheckpointError, match=match):
        save_checkpoint(tmp_path / "c", tensors, state)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64"])
def test_rng_state_round_trips_through_json(name):
    rng = np.random.Generator(getattr(np.random, name)(7))
    rng.random(3)
    snap = json.loads(json.dumps(rng_state_to_json(rng)))  # really plain JSON
    expected = rng.integers(0, 1_000_000, size=8)
    np.testing.assert_array_equal(rng_from_json(snap).integers(0, 1_000_000, size=8), expected)
    other = np.random.Generator(getattr(np.random, name)(99))
    set_rng_state(other, snap)
    np.testing.assert_array_equal(other.integers(0, 1_000_000, size=8), expected)


def test_legacy_random_state_and_bit_generator():
    rs = np.random.RandomState(5)
    rs.standard_normal()  # leaves a cached Gaussian: it must survive too
    snap = json.loads(json.dumps(rng_state_to_json(rs)))
    expected = rs.standard_normal(4)
    np.testing.assert_array_equal(rng_from_json(snap).standard_normal(4), expected)
    bg = np.random.PCG64(1)
    snap = rng_state_to_json(bg)
    expected = bg.random_raw(3)
    np.testing.assert_array_equal(rng_from_json(snap).random_raw(3), expected)


def test_rng_errors():
    with pytest.raises(TypeError, match="expected np.random.Generator"):
        rng_state_to_json(42)
    with pytest.raises(RNGStateError, match="unknown bit_generator 'Evil'"):
        rng_from_json({"kind": "Generator", "state": {"bit_generator": "Evil"}})
    with pytest.raises(RNGStateError, match="unknown kind"):
        rng_from_json({"kind": "X", "state": {"bit_generator": "PCG64",
                                              "state": {"state": 1, "inc": 1},
                                              "has_uint32": 0, "uinteger": 0}})
    with pytest.raises(RNGStateError, match="expected"):
        rng_from_json([1, 2])
    with pytest.raises(RNGStateError, match="does not fit PCG64"):
        rng_from_json({"kind": "Generator", "state": {"bit_generator": "PCG64", "state": {}}})
