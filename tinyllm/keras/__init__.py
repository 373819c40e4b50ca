"""A Keras-style face on tinyllm's engine, with ``tensorflow.keras``'s module paths.

The book's chapter 5 listing runs with ``tensorflow`` replaced by ``tinyllm`` in its
import lines::

    from tinyllm.keras.preprocessing.text import Tokenizer
    from tinyllm.keras.preprocessing.sequence import pad_sequences
    from tinyllm.keras.models import Sequential
    from tinyllm.keras.layers import Embedding, LSTM, Dense
    from tinyllm.keras.optimizers import Adam

Underneath: layers are :class:`tinyllm.nn.Module` objects, ``fit`` is
:class:`tinyllm.train.Trainer`, the tokenizer and padding are :mod:`tinyllm.text`.
"""

from . import callbacks, layers, losses, models, optimizers, preprocessing, regularizers
from .models import Model, Sequential

__all__ = ["layers", "models", "optimizers", "callbacks", "losses", "preprocessing",
           "regularizers", "Sequential", "Model"]
