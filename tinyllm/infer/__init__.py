"""Decoding: greedy, sampling (temperature, top-k, top-p, min-p, repetition penalty), beam
search, stop tokens/strings, batched prompts, a KV cache, streaming, and perplexity."""

from ..models.kv_cache import KVCache
from .generate import Decoder, beam_search, generate, prepare_prompts, stream
from .perplexity import perplexity
from .sampling import (
                       apply_repetition_penalty,
                       min_p_filter,
                       process_logits,
                       sample,
                       sampling_probs,
                       top_k_filter,
                       top_p_filter,
)
from .streaming import stream_text

__all__ = ["generate", "stream", "stream_text", "beam_search", "Decoder", "KVCache",
           "prepare_prompts", "perplexity", "sampling_probs", "process_logits", "sample",
           "top_k_filter", "top_p_filter", "min_p_filter", "apply_repetition_penalty"]
