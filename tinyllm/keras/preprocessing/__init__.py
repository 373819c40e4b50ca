"""``tinyllm.keras.preprocessing``: ``text`` (Tokenizer) and ``sequence`` (pad_sequences)."""

from . import sequence, text

__all__ = ["text", "sequence"]
