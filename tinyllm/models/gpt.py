"""A GPT (GPT-2 architecture) in one file: config, attention, MLP, block, model.

    token ids (B, T) ─ wte + wpe ─ dropout ─ [Block] × n_layer ─ ln_f ─ lm_head → logits
    Block:  x = x + attn(ln_1(x));   x = x + mlp(ln_2(x))            (pre-LayerNorm)

Parameter names follow nanoGPT and Hugging Face's GPT-2 (``transformer.h.0.attn.c_attn``
…), so :meth:`GPT.from_pretrained` maps a GPT-2 checkpoint by name (transposing the
Conv1D weights, which HF stores as [in, out]).

Three choices made for speed on a CPU, neither changes the mathematics:

- The residual stream is kept flat, (B·T, C) instead of (B, T, C): every Linear is then
  one large matrix product (NumPy runs a 3-D @ 2-D product as B separate small ones).
- c_fc + GELU is one node (:mod:`~tinyllm.models.fused_mlp`), and
  attention is one graph node from the fused (B·T, 3C) qkv projection
  (:class:`~tinyllm.models.fused_attention.FusedCausalAttention`) instead of eight
  split/reshape/transpose nodes. With attention dropout > 0 the readable step-by-step
  version runs instead (it is also what the fused op computes).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, fields

import numpy as np

from .. import functional as F
from .. import kernels
from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..kernels import attention_forward
from ..nn import Dropout, Embedding, LayerNorm, Linear, Module, ModuleDict, ModuleList
from ..rng import get_rng
from .fused_attention import fused_causal_attention, key_padding_mask, merge_heads, split_heads
from .fused_mlp import gelu_tanh_parts, linear_gelu
from .kv_cache import KVCache


@dataclass
class GPTConfig:
    """Sizes of a GPT. GPT-2 small is (50257, 1024, 12, 12, 768)."""

    vocab_size: int = 65
    block_size: int = 64       # longest context (number of position embeddings)
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    dropout: float = 0.0
    bias: bool = True          # biases in Linear and LayerNorm layers (GPT-2: True)

    def __post_init__(self):
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"GPTConfig: {name} must be a positive int, got {v!r}")
        if self.n_embd % self.n_head:
            raise ValueError(f"GPTConfig: n_embd={self.n_embd} must be divisible by "
                             f"n_head={self.n_head}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"GPTConfig: dropout must be in [0, 1), got {self.dropout}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> GPTConfig:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


class CausalSelfAttention(Module):
    """Multi-head self-attention where token i sees tokens 0..i only.

    For each head h: Y_h = softmax(Q_h K_hᵀ/√D + M) V_h with M = −∞ above the diagonal;
    heads are concatenated and mixed by c_proj.
    """

    def __init__(self, config: GPTConfig):
        super().__init__()
        c = config.n_embd
        self.c_attn = Linear(c, 3 * c, bias=config.bias)   # q, k, v for all heads at once
        self.c_proj = Linear(c, c, bias=config.bias)
        self.attn_dropout = Dropout(config.dropout)
        self.resid_dropout = Dropout(config.dropout)
        self.n_head, self.n_embd, self.dropout = config.n_head, c, config.dropout

    def forward(self, x, seq_len, key_mask=None):
        qkv = self.c_attn(x)                                # (B·T, 3C)
        if self.training and self.dropout > 0:
            y = self._attend_step_by_step(qkv, seq_len, key_mask)
        else:
            y = fused_causal_attention(qkv, self.n_head, key_mask=key_mask, seq_len=seq_len)
        return self.resid_dropout(self.c_proj(y))

    def _attend_step_by_step(self, qkv, seq_len, key_mask):
        """The same attention written with tensor ops (used when attention dropout is on)."""
        c, h = self.n_embd, self.n_head
        b = qkv.shape[0] // seq_len
        qkv = qkv.reshape(b, seq_len, 3, h, c // h).transpose(2, 0, 3, 1, 4)  # (3, B, H, T, D)
        q, k, v = qkv[0], qkv[1], qkv[2]
        att = (q @ k.swapaxes(-1, -2)) * (1.0 / math.sqrt(c // h))            # (B, H, T, T)
        keep = np.tril(np.ones((seq_len, seq_len), dtype=bool))
        if key_mask is not None:
            keep = keep & key_padding_mask(key_mask)
        att = F.masked_fill(att, ~np.broadcast_to(keep, att.shape), -1e9).softmax(-1)
        y = self.attn_dropout(att) @ v                                        # (B, H, T, D)
        return y.transpose(0, 2, 1, 3).reshape(b * seq_len, c)

    def attend_cached(self, qkv: np.ndarray, seq_len: int, cache: KVCache, layer: int):
        """Incremental decoding on arrays: append the new tokens' k, v to the cache, then
        let their queries attend over everything cached (causal offset = cache length)."""
        b = qkv.shape[0] // seq_len
        q, k, v = split_heads(qkv.reshape(b, seq_len, -1), self.n_head)
        k_all, v_all = cache.write(layer, k, v)
        mask = cache.key_mask[:, :cache.length + seq_len]
        mask = None if mask.all() else key_padding_mask(mask)
        y, _ = attention_forward(q, np.ascontiguousarray(k_all), np.ascontiguousarray(v_all),
                                 mask, True, 1.0 / math.sqrt(q.shape[-1]))
        return merge_heads(y).reshape(b * seq_len, -1)


class MLP(Module):
    """Position-wise feed-forward: c_proj(GELU(c_fc(x))), hidden width 4C."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.c_fc = Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.c_proj = Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = Dropout(config.dropout)

    def forward(self, x):
        # linear_gelu(x, W, b) = F.gelu(self.c_fc(x), approximate="tanh") as one fused node
        return self.dropout(self.c_proj(linear_gelu(x, self.c_fc.weight, self.c_fc.bias)))


class Block(Module):
    """Pre-LN transformer block: x + attn(ln_1(x)), then + mlp(ln_2(x))."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.ln_1 = LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config)

    def forward(self, x, seq_len, key_mask=None):
        x = x + self.attn(self.ln_1(x), seq_len, key_mask)
        return x + self.mlp(self.ln_2(x))

    def forward_cached(self, x: np.ndarray, seq_len: int, cache: KVCache, layer: int):
        """The same block on plain arrays, for KV-cache decoding: no graph is recorded,
        which keeps the per-token cost of generating small (the same kernels run)."""
        a, m = self.attn, self.mlp
        qkv = _linear(_layer_norm(x, self.ln_1), a.c_attn)
        x = x + _linear(a.attend_cached(qkv, seq_len, cache, layer), a.c_proj)
        h = _layer_norm(x, self.ln_2)
        hidden, _ = gelu_tanh_parts(kernels.matmul(h, m.c_fc.weight.data.T), _data(m.c_fc.bias))
        return x + _linear(hidden, m.c_proj)


def _data(p):
    return None if p is None else p.data


def _linear(x: np.ndarray, lin: Linear) -> np.ndarray:
    y = kernels.matmul(x, lin.weight.data.T)
    if lin.bias is not None:
        y += lin.bias.data
    return y


def _layer_norm(x: np.ndarray, ln: LayerNorm) -> np.ndarray:
    return kernels.layer_norm_forward(x, _data(ln.weight), _data(ln.bias), ln.eps)[0]


class GPT(Module):
    """GPT language model. ``model(idx)`` → logits (B, T, vocab);
    ``model(idx, targets)`` → (logits, mean cross-entropy loss)."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        if not isinstance(config, GPTConfig):
            raise TypeError(f"GPT: config must be a GPTConfig, got {type(config).__name__}")
        self.config = config
        self.transformer = ModuleDict(dict(
            wte=Embedding(config.vocab_size, config.n_embd),
            wpe=Embedding(config.block_size, config.n_embd),
            drop=Dropout(config.dropout),
            h=ModuleList([Block(config) for _ in range(config.n_layer)]),
            ln_f=LayerNorm(config.n_embd, bias=config.bias),
        ))
        self.lm_head = Linear(config.n_embd, config.vocab_size, bias=False)
        # Weight tying (Press & Wolf 2017): the output layer scores token v by the dot
        # product with v's input embedding — one matrix, fewer parameters, better perplexity.
        self.lm_head.weight = self.transformer.wte.weight
        self._init_weights()

    def _init_weights(self):
        """GPT-2 init: N(0, 0.02) weights, zero biases; the projections that write into the
        residual stream get std 0.02/√(2·n_layer), so the stream's variance does not grow
        with depth (each block adds two such terms)."""
        rng = get_rng()
        normal = lambda shape, std: (rng.standard_normal(shape) * std).astype(np.float32)  # noqa: E731
        for m in self.modules():
            if isinstance(m, (Linear, Embedding)):
                m.weight.data = normal(m.weight.shape, 0.02)
            if isinstance(m, Linear) and m.bias is not None:
                m.bias.data = np.zeros(m.bias.shape, dtype=np.float32)
        resid_std = 0.02 / math.sqrt(2 * self.config.n_layer)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                p.data = normal(p.shape, resid_std)

    # ----- forward ------------------------------------------------------------------
    def forward(self, idx, targets=None, *, cache: KVCache | None = None, attention_mask=None,
                position_ids=None, last_only: bool = False):
        """Logits for every position (or only the last one with ``last_only``).

        ``attention_mask`` (B, T) bool/0-1 marks real tokens (False = padding) for batches
        of different lengths; ``position_ids`` (B, T) overrides positions 0..T−1 (left
        padding shifts them); ``cache`` is a :class:`KVCache` for incremental decoding.
        """
        idx = np.asarray(idx.data if isinstance(idx, Tensor) else idx)
        if idx.ndim == 1:
            idx = idx[None, :]
        if idx.ndim != 2 or (idx.size and idx.dtype.kind not in "iu"):
            raise ValueError(f"GPT.forward: idx must be a (B, T) array of token ids, got shape "
                             f"{idx.shape} dtype {idx.dtype}")
        b, t = idx.shape
        if t == 0:
            raise ValueError("GPT.forward: empty input (T = 0): give at least one token")
        bad = idx[(idx < 0) | (idx >= self.config.vocab_size)]
        if bad.size:
            raise ValueError(f"GPT.forward: token id {int(bad[0])} is out of range for "
                             f"vocab_size={self.config.vocab_size}")
        start = cache.length if cache is not None else 0
        if start + t > self.config.block_size:
            raise ValueError(f"GPT.forward: sequence length {start + t} exceeds block_size="
                             f"{self.config.block_size} (crop the context to the last "
                             f"{self.config.block_size} tokens)")
        key_mask = None
        if attention_mask is not None:
            key_mask = np.asarray(attention_mask).astype(bool)
            if key_mask.shape != (b, t):
                raise ValueError(f"GPT.forward: attention_mask must have shape {(b, t)}, got "
                                 f"{key_mask.shape}")
            if key_mask.all():
                key_mask = None
        if cache is not None:
            if cache.batch_size != b:
                raise ValueError(f"GPT.forward: cache holds {cache.batch_size} rows, idx has {b}")
            cache.set_mask(np.ones((b, t), bool) if key_mask is None else key_mask)
        if position_ids is None:
            position_ids = np.broadcast_to(np.arange(start, start + t), (b, t))
        tr = self.transformer
        position_ids = np.asarray(position_ids).reshape(-1)
        if cache is not None:            # inference: the array path, no graph
            x = tr.wte.weight.data[idx.reshape(-1)] + tr.wpe.weight.data[position_ids]
            for i, block in enumerate(tr.h):
                x = block.forward_cached(x, t, cache, i)
            cache.advance(t)
            if last_only:
                x = x.reshape(b, t, -1)[:, -1]
            x = kernels.matmul(_layer_norm(x, tr.ln_f), self.lm_head.weight.data.T)
            return Tensor(x.reshape(b, 1 if last_only else t, -1))
        x = tr.wte(idx.reshape(-1)) + tr.wpe(position_ids)      # (B·T, C)
        x = tr.drop(x)
        for block in tr.h:
            x = block(x, t, key_mask)
        if last_only:
            x = x.reshape(b, t, -1)[:, -1]                    # (B, C)
            x = self.lm_head(tr.ln_f(x))
            return x.reshape(b, 1, -1)
        logits = self.lm_head(tr.ln_f(x))                      # (B·T, vocab)
        if targets is None:
            return logits.reshape(b, t, -1)
        targets = np.asarray(targets.data if isinstance(targets, Tensor) else targets)
        if targets.shape != (b, t):
            raise ValueError(f"GPT.forward: targets must have shape {(b, t)} like idx, got "
                             f"{targets.shape}")
        # ignore_index=-1 lets a caller mask out positions (nanoGPT's convention).
        loss = F.cross_entropy(logits, targets.reshape(-1), ignore_index=-1)
        return logits.reshape(b, t, -1), loss

    # ----- training helpers ---------------------------------------------------------
    def configure_optimizer(self, weight_decay: float = 0.1, learning_rate: float = 1e-3,
                            betas=(0.9, 0.95), eps: float = 1e-8):
        """AdamW with weight decay on 2-D weights (matmuls, embeddings) only: decaying
        biases and LayerNorm gains would only pull them towards 0 for no benefit."""
        from ..optim import AdamW

        decay = [p for p in self.parameters() if p.ndim >= 2]
        no_decay = [p for p in self.parameters() if p.ndim < 2]
        return AdamW([{"params": decay, "weight_decay": weight_decay},
                      {"params": no_decay, "weight_decay": 0.0}],
                     lr=learning_rate, betas=betas, eps=eps)

    def num_params(self, non_embedding: bool = True) -> int:
        """Parameter count; the position table is excluded by default (as in GPT-2 papers).
        The token table counts once: it is also the output layer."""
        n = self.num_parameters()
        return n - self.transformer.wpe.weight.size if non_embedding else n

    def crop_block_size(self, block_size: int) -> None:
        """Use a shorter context than the one the model was built with."""
        if not 0 < block_size <= self.config.block_size:
            raise ValueError(f"crop_block_size: {block_size} not in [1, "
                             f"{self.config.block_size}]")
        self.config.block_size = block_size
        w = self.transformer.wpe.weight
        w.data = np.ascontiguousarray(w.data[:block_size])

    def generate(self, idx, max_new_tokens: int, do_sample: bool = False,
                 temperature: float = 1.0, top_k=None, top_p=None, num_beams: int = 1,
                 use_cache: bool = True, **kwargs):
        """Prompt + ``max_new_tokens`` new ids; see :func:`tinyllm.infer.generate`."""
        from ..infer import generate  # infer sits above models; import at call time

        return generate(self, idx, max_new_tokens, do_sample=do_sample,
                        temperature=temperature, top_k=top_k, top_p=top_p,
                        num_beams=num_beams, use_cache=use_cache, **kwargs)

    # ----- loading Hugging Face GPT-2 -----------------------------------------------
    @classmethod
    def from_pretrained(cls, directory, dropout: float = 0.0) -> GPT:
        """Load a local Hugging Face GPT-2 directory (``config.json`` +
        ``model.safetensors``). HF's Conv1D stores weights [in, out]: transposed here."""
        from ..io import load_safetensors

        directory = os.fspath(directory)
        cfg_path = os.path.join(directory, "config.json")
        st_path = os.path.join(directory, "model.safetensors")
        for p in (cfg_path, st_path):
            if not os.path.isfile(p):
                raise FileNotFoundError(f"GPT.from_pretrained: {p!r} not found (need a "
                                        "Hugging Face GPT-2 directory with config.json and "
                                        "model.safetensors)")
        with open(cfg_path, encoding="utf-8") as fh:
            hf = json.load(fh)
        try:
            config = GPTConfig(vocab_size=hf["vocab_size"],
                               block_size=hf.get("n_positions", hf.get("n_ctx")),
                               n_layer=hf["n_layer"], n_head=hf["n_head"], n_embd=hf["n_embd"],
                               dropout=dropout, bias=True)
        except KeyError as e:
            raise ValueError(f"GPT.from_pretrained: {cfg_path!r} lacks GPT-2 key {e}") from None
        raw = load_safetensors(st_path)
        # GPT2LMHeadModel files prefix "transformer."; GPT2Model files do not.
        hf_sd = {k[len("transformer."):] if k.startswith("transformer.") else k: v
                 for k, v in raw.items()}
        model = cls(config)
        conv1d = ("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight",
                  "mlp.c_proj.weight")
        sd = {}
        for name in model.state_dict():
            if name == "lm_head.weight":
                continue  # tied to wte
            key = name[len("transformer."):]
            if key not in hf_sd:
                raise ValueError(f"GPT.from_pretrained: {st_path!r} has no tensor {key!r}")
            w = np.asarray(hf_sd[key], dtype=np.float32)
            if key.endswith(conv1d):
                w = w.T
            sd[name] = np.ascontiguousarray(w)
        sd["lm_head.weight"] = sd["transformer.wte.weight"]
        model.load_state_dict(sd)
        model.eval()
        return model

    # ----- tinyllm checkpoints -----------------------------------------------------
    def save(self, path, extra_state: dict | None = None):
        """Save weights + config as a tinyllm checkpoint (safetensors + JSON)."""
        from ..io import save_checkpoint

        tensors = {k: v for k, v in self.state_dict().items() if k != "lm_head.weight"}
        state = {"model": "GPT", "config": self.config.to_dict(), **(extra_state or {})}
        return save_checkpoint(path, tensors, state)

    @classmethod
    def load(cls, path) -> tuple[GPT, dict]:
        """Rebuild a GPT from :meth:`save`'s checkpoint; returns (model, state)."""
        from ..io import load_checkpoint

        tensors, state = load_checkpoint(path)
        if state.get("model") != "GPT" or "config" not in state:
            raise ValueError(f"GPT.load: {os.fspath(path)!r} is not a GPT checkpoint")
        with no_grad():
            model = cls(GPTConfig.from_dict(state["config"]))
        tensors = dict(tensors)
        tensors["lm_head.weight"] = tensors["transformer.wte.weight"]
        model.load_state_dict(tensors)
        return model, state
