"""``tinyllm.keras.preprocessing.sequence`` — Keras' ``pad_sequences`` (from
:mod:`tinyllm.text`)."""

from ...text.padding import pad_sequences

__all__ = ["pad_sequences"]
