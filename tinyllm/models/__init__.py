"""Whole networks built from :mod:`tinyllm.nn` layers."""

from .bert import BertConfig, BertForSequenceClassification, BertModel, l2_normalize, mean_pool
from .gpt import GPT, MLP, Block, CausalSelfAttention, GPTConfig
from .kv_cache import KVCache
from .lstm_classifier import LSTMClassifier, LSTMClassifierConfig

__all__ = ["GPT", "GPTConfig", "Block", "CausalSelfAttention", "MLP", "KVCache",
           "BertConfig", "BertModel", "BertForSequenceClassification", "mean_pool",
           "l2_normalize", "LSTMClassifier", "LSTMClassifierConfig"]
