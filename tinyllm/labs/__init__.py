"""Exercises and worked examples that the tutorials and the demo run."""

from .tutorial import tutorial_setup
from .worked_example import (
    BOOK_W1,
    book_inputs,
    forward_example,
    sgd_step_by_hand,
    train_worked_example,
)

__all__ = ["tutorial_setup", "BOOK_W1", "book_inputs", "forward_example", "sgd_step_by_hand",
           "train_worked_example"]
