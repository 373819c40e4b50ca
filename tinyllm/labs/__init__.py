"""Exercises and worked examples that the tutorials and the demo run."""

from .worked_example import (
                             BOOK_W1,
                             book_inputs,
                             forward_example,
                             sgd_step_by_hand,
                             train_worked_example,
)

__all__ = ["BOOK_W1", "book_inputs", "forward_example", "sgd_step_by_hand",
           "train_worked_example"]
