"""Layers and models' building blocks, with PyTorch's names and parameter shapes."""

from . import init, utils
from .attention import MultiheadAttention
from .containers import ModuleDict, ModuleList, Sequential
from .layers import (
                     GELU,
                     Dropout,
                     Embedding,
                     Identity,
                     LayerNorm,
                     Linear,
                     Neuron,
                     ReLU,
                     Sigmoid,
                     Softmax,
                     Tanh,
)
from .lora import LoRALinear
from .module import Module, Parameter, StateDictError
from .rnn import GRU, LSTM
from .transformer import TransformerBlock

__all__ = [
    "Module", "Parameter", "StateDictError", "Linear", "Neuron", "Embedding", "LayerNorm",
    "Dropout", "ReLU", "Sigmoid", "Tanh", "GELU", "Softmax", "Identity", "Sequential",
    "ModuleList", "ModuleDict", "LSTM", "GRU", "MultiheadAttention", "TransformerBlock",
    "LoRALinear", "init", "utils",
]
