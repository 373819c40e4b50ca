"""``tinyllm.keras.preprocessing.text`` — Keras' word Tokenizer (from :mod:`tinyllm.text`)."""

from ...text.keras_tokenizer import Tokenizer, text_to_word_sequence, tokenizer_from_json

__all__ = ["Tokenizer", "text_to_word_sequence", "tokenizer_from_json"]
