"""Saving and loading: safetensors files, training checkpoints, RNG state. NumPy only."""

from .atomic import atomic_write
from .checkpoint import (
    CheckpointError,
    CheckpointNotFoundError,
    checkpoint_paths,
    load_checkpoint,
    save_checkpoint,
)
from .rng import RNGStateError, rng_from_json, rng_state_to_json, set_rng_state
from .safetensors import (
    MAX_HEADER_SIZE,
    SafetensorsError,
    SafetensorsFileNotFoundError,
    TensorInfo,
    bfloat16_bits_to_float32,
    float32_to_bfloat16_bits,
    load_safetensors,
    load_safetensors_metadata,
    read_safetensors_header,
    save_safetensors,
    serialize_safetensors,
)

__all__ = [
    "atomic_write",
    "CheckpointError",
    "CheckpointNotFoundError",
    "checkpoint_paths",
    "load_checkpoint",
    "save_checkpoint",
    "RNGStateError",
    "rng_from_json",
    "rng_state_to_json",
    "set_rng_state",
    "MAX_HEADER_SIZE",
    "SafetensorsError",
    "SafetensorsFileNotFoundError",
    "TensorInfo",
    "bfloat16_bits_to_float32",
    "float32_to_bfloat16_bits",
    "load_safetensors",
    "load_safetensors_metadata",
    "read_safetensors_header",
    "save_safetensors",
    "serialize_safetensors",
]
