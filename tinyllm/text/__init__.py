"""Text → ids: tokenizers (Keras word, character, byte-level BPE, BERT WordPiece),
padding, and the classic preprocessing steps of the book's section 2.2.

Depends on numpy and the standard library only.
"""

from .bpe import GPT2_PATTERN, BPETokenizer, bytes_to_unicode
from .char import CharTokenizer
from .keras_tokenizer import Tokenizer, text_to_word_sequence, tokenizer_from_json
from .padding import pad_sequences
from .preprocessing import (
    STOP_WORDS,
    clean_text,
    lemmatize,
    lemmatize_tokens,
    lowercase,
    preprocess,
    remove_punctuation,
    remove_stop_words,
    word_tokenize,
)
from .wordpiece import Encoding, WordPieceTokenizer, basic_tokenize, find_minilm_dir

__all__ = [
    "Tokenizer", "text_to_word_sequence", "tokenizer_from_json", "pad_sequences",
    "CharTokenizer", "BPETokenizer", "bytes_to_unicode", "GPT2_PATTERN",
    "WordPieceTokenizer", "Encoding", "basic_tokenize", "find_minilm_dir",
    "STOP_WORDS", "clean_text", "lowercase", "remove_punctuation", "word_tokenize",
    "remove_stop_words", "lemmatize", "lemmatize_tokens", "preprocess",
]
