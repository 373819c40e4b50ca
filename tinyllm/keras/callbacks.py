"""``tinyllm.keras.callbacks`` — the callbacks of :mod:`tinyllm.train.callbacks`, which
already use Keras' names, hooks and arguments."""

from ..train.callbacks import (
                               Callback,
                               CSVLogger,
                               EarlyStopping,
                               LambdaCallback,
                               LearningRateScheduler,
                               ModelCheckpoint,
                               ReduceLROnPlateau,
)
from ..train.history import History

__all__ = ["Callback", "EarlyStopping", "ModelCheckpoint", "LearningRateScheduler",
           "ReduceLROnPlateau", "CSVLogger", "LambdaCallback", "History"]
