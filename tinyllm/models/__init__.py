"""Whole networks built from :mod:`tinyllm.nn` layers."""

from .gpt import GPT, MLP, Block, CausalSelfAttention, GPTConfig
from .kv_cache import KVCache

__all__ = ["GPT", "GPTConfig", "Block", "CausalSelfAttention", "MLP", "KVCache"]
