"""Training: the fit loop, callbacks, run checkpoints, fine-tuning helpers,
hyperparameter search and plots.

    from tinyllm.train import Trainer, EarlyStopping, ModelCheckpoint
    trainer = Trainer(model, optim.Adam(model.parameters(), lr=1e-3), loss="cross_entropy",
                      metrics=["accuracy"], callbacks=[EarlyStopping(patience=2)])
    history = trainer.fit((x_train, y_train), (x_val, y_val), epochs=10, batch_size=32)

``plots`` (matplotlib) is imported on first use.
"""

import importlib

from .callbacks import (
    Callback,
    CallbackList,
    CSVLogger,
    EarlyStopping,
    JSONLogger,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
)
from .checkpoint import load_model_weights, load_run_checkpoint, save_run_checkpoint
from .finetune import (
    WithHead,
    add_head,
    apply_lora,
    count_parameters,
    freeze,
    get_submodule,
    lora_state_dict,
    merge_lora,
    param_groups,
    replace_head,
    set_submodule,
    unfreeze,
)
from .history import History
from .losses import LossSpec, get_loss
from .meters import make_meters
from .search import SearchResults, choice, grid_search, loguniform, randint, random_search, uniform
from .trainer import Trainer, TrainingData

_LAZY = {"plots", "demo_sentiment"}


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    if name == "run_sentiment_demo":
        from .demo_sentiment import run_sentiment_demo
        return run_sentiment_demo
    raise AttributeError(f"module 'tinyllm.train' has no attribute {name!r}")


__all__ = [
    "Trainer", "TrainingData", "History", "LossSpec", "get_loss", "make_meters",
    "Callback", "CallbackList", "EarlyStopping", "ModelCheckpoint", "LearningRateScheduler",
    "ReduceLROnPlateau", "CSVLogger", "JSONLogger", "LambdaCallback",
    "save_run_checkpoint", "load_run_checkpoint", "load_model_weights",
    "replace_head", "add_head", "WithHead", "freeze", "unfreeze", "param_groups",
    "count_parameters",
    "get_submodule", "set_submodule", "apply_lora", "merge_lora", "lora_state_dict",
    "grid_search", "random_search", "SearchResults", "choice", "uniform", "loguniform",
    "randint", "run_sentiment_demo",
]
