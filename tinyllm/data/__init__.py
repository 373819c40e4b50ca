"""Data sets and batching: splits, ``DataLoader`` (numpy batches with padding and
attention masks), language-model blocks, loaders for the real data sets, and a built-in
generated corpus. Depends on numpy and the standard library only."""

from .corpus import sentiment_corpus, story_corpus
from .lm_dataset import LMBlockDataset
from .loader import ArrayDataset, DataLoader, collate, pad_batch
from .loaders import load_conll, load_sst2, load_tinyshakespeare, load_translation_pairs
from .paths import DataNotFoundError, cache_dir, find_shared_data_dir, resolve
from .split import split_indices, train_val_test_split

__all__ = [
    "train_val_test_split", "split_indices", "DataLoader", "ArrayDataset", "collate",
    "pad_batch", "LMBlockDataset", "load_tinyshakespeare", "load_sst2",
    "load_translation_pairs", "load_conll", "DataNotFoundError", "resolve", "cache_dir",
    "find_shared_data_dir", "sentiment_corpus", "story_corpus",
]
