"""Optimizers, learning-rate schedules and weight penalties."""

from . import lr_scheduler
from .adam import Adam, AdamW
from .lr_scheduler import (
                           CosineAnnealingLR,
                           ExponentialLR,
                           LinearWarmupCosine,
                           LRScheduler,
                           ReduceLROnPlateau,
                           StepLR,
)
from .optimizer import Optimizer
from .regularization import l1_penalty, l2_penalty
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "lr_scheduler", "LRScheduler",
           "StepLR", "ExponentialLR", "CosineAnnealingLR", "LinearWarmupCosine",
           "ReduceLROnPlateau", "l1_penalty", "l2_penalty"]
