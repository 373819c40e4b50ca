"""Autoregressive decoding for a GPT: greedy, sampling, beam search, streaming.

The loop is the same for every strategy::

    logits = model(last tokens)[:, -1]          # with a KV cache: only the new token
    next   = choose(logits)                     # argmax / sample / beam bookkeeping
    append next, stop rows that emitted a stop token or completed a stop string

Prompts of different lengths in one batch are *left*-padded, so every row's newest token
is in the last column; an attention mask hides the padding and position ids count real
tokens only, so a padded row computes exactly what it would alone.

The context is at most ``block_size`` tokens. A prompt longer than that is an error.
When prompt + generated tokens outgrow it, the model sees the last ``block_size``
tokens (nanoGPT's cropping); with the cache this means re-encoding that window at each
further step, so cached and uncached decoding stay identical.
"""

from __future__ import annotations

import numpy as np

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..models.kv_cache import KVCache
from ..rng import get_rng
from . import sampling as S


# ----- inputs -----------------------------------------------------------------------------
def prepare_prompts(idx, pad_token_id: int = 0):
    """Prompt(s) → (ids (B, T) left-padded int64, mask (B, T) bool, ragged?).

    ``idx`` is a 1-D sequence (one prompt), a 2-D array (equal lengths) or a list of
    lists (different lengths).
    """
    if isinstance(idx, Tensor):
        idx = idx.data
    ragged = isinstance(idx, (list, tuple)) and len(idx) > 0 and \
        all(isinstance(r, (list, tuple, np.ndarray)) for r in idx)
    if ragged:
        rows = [np.asarray(r, dtype=np.int64).reshape(-1) for r in idx]
        if any(len(r) == 0 for r in rows):
            raise ValueError("generate: empty prompt in the batch; every prompt needs at least "
                             "one token (e.g. a BOS/newline token)")
        t = max(len(r) for r in rows)
        ids = np.full((len(rows), t), pad_token_id, dtype=np.int64)
        mask = np.zeros((len(rows), t), dtype=bool)
        for i, r in enumerate(rows):
            ids[i, t - len(r):] = r
            mask[i, t - len(r):] = True
        return ids, mask, True
    arr = np.asarray(idx)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or (arr.size and arr.dtype.kind not in "iu"):
        raise ValueError(f"generate: idx must be token ids, (T,) or (B, T) integers or a list "
                         f"of lists, got shape {arr.shape} dtype {arr.dtype}")
    if arr.shape[1] == 0 or arr.shape[0] == 0:
        raise ValueError("generate: empty prompt; give at least one token (e.g. a BOS or "
                         "newline token)")
    return arr.astype(np.int64), np.ones(arr.shape, dtype=bool), False


class Decoder:
    """Next-token logits for a growing batch of sequences, with or without a KV cache."""

    def __init__(self, model, ids: np.ndarray, mask: np.ndarray, use_cache: bool = True,
                 max_len: int | None = None):
        self.model, self.use_cache = model, use_cache
        self.block = model.config.block_size
        if ids.shape[1] > self.block:
            raise ValueError(f"generate: the prompt has {ids.shape[1]} tokens but the model's "
                             f"block_size is {self.block}; crop it to the last {self.block}")
        self.ids, self.mask = ids, mask
        self.cache = KVCache.for_model(model, ids.shape[0], self.block) if use_cache else None
        self._fed = 0  # columns of ids already in the cache

    def _window(self):
        ids, mask = self.ids[:, -self.block:], self.mask[:, -self.block:]
        pos = np.maximum(np.cumsum(mask, axis=1) - 1, 0)
        return ids, mask, pos

    def logits(self) -> np.ndarray:
        """(B, V) float logits for the token after the current last column."""
        with no_grad():
            if self.cache is None:
                ids, mask, pos = self._window()
                out = self.model(ids, attention_mask=mask, position_ids=pos, last_only=True)
            else:
                new = self.ids.shape[1] - self._fed
                if self.cache.length + new > self.block:     # outgrew the context: re-encode
                    self.cache.reset()
                    ids, mask, pos = self._window()
                    self._fed = self.ids.shape[1] - ids.shape[1]
                else:
                    ids = self.ids[:, self._fed:]
                    mask = self.mask[:, self._fed:]
                    pos = (np.cumsum(self.mask, axis=1) - 1)[:, self._fed:]
                    pos = np.maximum(pos, 0)
                out = self.model(ids, attention_mask=mask, position_ids=pos, cache=self.cache,
                                 last_only=True)
                self._fed = self.ids.shape[1]
        return out.data[:, -1]

    def append(self, tokens: np.ndarray) -> None:
        self.ids = np.concatenate([self.ids, tokens[:, None].astype(np.int64)], axis=1)
        self.mask = np.concatenate([self.mask, np.ones((len(tokens), 1), bool)], axis=1)

    def reorder(self, index: np.ndarray) -> None:
        self.ids, self.mask = self.ids[index], self.mask[index]
        if self.cache is not None:
            self.cache.reorder(index)


# ----- greedy and sampling ------------------------------------------------------------------
def _stop_ids(eos_token_id, stop_token_ids) -> set:
    out = set()
    for s in (eos_token_id, stop_token_ids):
        if s is None:
            continue
        out.update([int(s)] if np.isscalar(s) else [int(t) for t in s])
    return out


def stream(model, idx, max_new_tokens: int, do_sample: bool = False, temperature: float = 1.0,
           top_k=None, top_p=None, min_p=None, repetition_penalty: float = 1.0,
           use_cache: bool = True, eos_token_id=None, stop_token_ids=None,
           stop_strings=None, tokenizer=None, pad_token_id: int = 0, rng=None,
           attention_mask=None):
    """Yield the new tokens one step at a time: an int64 array (B,) per step, with
    ``pad_token_id`` for rows that have already stopped. Greedy or sampling only.

    ``temperature`` 0 means greedy (argmax, by name — nothing is divided by 0).
    ``attention_mask`` (B, T) bool: ``idx`` is already left-padded (False = padding).
    """
    S.check_sampling_args(temperature, top_k, top_p, min_p, repetition_penalty)
    if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, (int, np.integer)) \
            or max_new_tokens < 0:
        raise ValueError(f"generate: max_new_tokens must be an int >= 0, got {max_new_tokens!r}")
    if stop_strings and tokenizer is None:
        raise ValueError("generate: stop_strings need tokenizer= to decode the new tokens")
    stop_strings = [stop_strings] if isinstance(stop_strings, str) else list(stop_strings or [])
    if attention_mask is None:
        ids, mask, _ = prepare_prompts(idx, pad_token_id)
    else:
        ids, mask = np.asarray(idx, dtype=np.int64), np.asarray(attention_mask, dtype=bool)
    dec = Decoder(model, ids, mask, use_cache)
    rng = get_rng() if rng is None else rng
    stops = _stop_ids(eos_token_id, stop_token_ids)
    greedy = not do_sample or temperature == 0
    b, v = ids.shape[0], model.config.vocab_size
    done = np.zeros(b, dtype=bool)
    seen = None
    if repetition_penalty != 1.0:
        seen = np.zeros((b, v), dtype=bool)
        for r in range(b):
            seen[r, ids[r][mask[r]]] = True
    new_tokens: list[list[int]] = [[] for _ in range(b)]
    for _ in range(max_new_tokens):
        logits = dec.logits()
        if seen is not None:
            logits = S.apply_repetition_penalty(logits, seen, repetition_penalty)
        if greedy:
            nxt = np.argmax(logits, axis=-1).astype(np.int64)
        else:
            nxt = S.sample(S.sampling_probs(logits, temperature, top_k, top_p, min_p), rng)
        # A finished row keeps being fed its last token (any valid id would do: its
        # outputs are ignored); the caller sees pad_token_id for it.
        dec.append(np.where(done, dec.ids[:, -1], nxt))
        nxt = np.where(done, pad_token_id, nxt)
        if seen is not None:
            seen[np.arange(b), dec.ids[:, -1]] = True
        yield nxt
        for r in range(b):
            if done[r]:
                continue
            new_tokens[r].append(int(nxt[r]))
            if int(nxt[r]) in stops:
                done[r] = True
            elif stop_strings:
                tail = tokenizer.decode(new_tokens[r])
                if any(s in tail for s in stop_strings):
                    done[r] = True
        if done.all():
            return


def generate(model, idx, max_new_tokens: int, do_sample: bool = False,
             temperature: float = 1.0, top_k=None, top_p=None, min_p=None,
             repetition_penalty: float = 1.0, num_beams: int = 1, length_penalty: float = 1.0,
             early_stopping: bool = False, use_cache: bool = True, eos_token_id=None,
             stop_token_ids=None, stop_strings=None, tokenizer=None, pad_token_id: int = 0,
             rng=None):
    """Prompt + up to ``max_new_tokens`` new ids.

    - greedy: ``do_sample=False`` (or ``temperature=0``);
    - sampling: ``do_sample=True`` with ``temperature``, ``top_k``, ``top_p`` (nucleus),
      ``min_p``; ``repetition_penalty`` works with every strategy;
    - beam search: ``num_beams > 1`` with ``length_penalty`` (score = Σ log p / n^α) and
      ``early_stopping`` (stop once ``num_beams`` hypotheses are finished);
    - stops: ``eos_token_id``/``stop_token_ids`` (the stop token is kept in the output),
      ``stop_strings`` (with ``tokenizer``).

    ``idx``: (T,) → (T + n,); (B, T) array → (B, T + n) array, finished rows padded with
    ``pad_token_id``; a list of prompts of different lengths → a list of lists (each
    prompt + its own new tokens, no padding).
    """
    ids, mask, ragged = prepare_prompts(idx, pad_token_id)
    one_d = not ragged and np.asarray(idx.data if isinstance(idx, Tensor) else idx).ndim == 1
    if isinstance(num_beams, bool) or not isinstance(num_beams, (int, np.integer)) \
            or num_beams < 1:
        raise ValueError(f"generate: num_beams must be an int >= 1, got {num_beams!r}")
    if num_beams > 1:
        if do_sample:
            raise ValueError("generate: beam search here is deterministic; use do_sample=False "
                             "with num_beams > 1")
        S.check_sampling_args(temperature, top_k, top_p, min_p, repetition_penalty)
        new = beam_search(model, ids, mask, max_new_tokens, num_beams, length_penalty,
                          early_stopping, use_cache, _stop_ids(eos_token_id, stop_token_ids),
                          repetition_penalty)
    else:
        steps = list(stream(model, ids, max_new_tokens, do_sample, temperature, top_k, top_p,
                            min_p, repetition_penalty, use_cache, eos_token_id, stop_token_ids,
                            stop_strings, tokenizer, pad_token_id, rng, attention_mask=mask))
        new = _trim(steps, ids.shape[0], _stop_ids(eos_token_id, stop_token_ids),
                    stop_strings, tokenizer)
    return _assemble(ids, mask, new, ragged, one_d, pad_token_id)


def _trim(steps, b, stops, stop_strings, tokenizer) -> list[list[int]]:
    """Per row, the new tokens up to and including the one that stopped it."""
    stop_strings = [stop_strings] if isinstance(stop_strings, str) else list(stop_strings or [])
    out = [[] for _ in range(b)]
    done = [False] * b
    for step in steps:
        for r in range(b):
            if done[r]:
                continue
            out[r].append(int(step[r]))
            if int(step[r]) in stops or (stop_strings and any(
                    s in tokenizer.decode(out[r]) for s in stop_strings)):
                done[r] = True
    return out


def _assemble(ids, mask, new, ragged, one_d, pad_token_id):
    rows = [list(ids[r][mask[r]]) + new[r] for r in range(len(new))]
    if ragged:
        return [[int(t) for t in row] for row in rows]
    n = max((len(x) for x in new), default=0)
    out = np.full((len(new), ids.shape[1] + n), pad_token_id, dtype=np.int64)
    for r, row in enumerate(rows):
        out[r, :len(row)] = row
    return out[0] if one_d else out


# ----- beam search ------------------------------------------------------------------------
def beam_search(model, ids, mask, max_new_tokens, num_beams, length_penalty=1.0,
                early_stopping=False, use_cache=True, stops=frozenset(),
                repetition_penalty=1.0) -> list[list[int]]:
    """Keep the ``num_beams`` best partial sequences by total log-probability.

    Each step scores every (beam, token) extension by score + log p(token | beam), keeps
    the 2·K best (so K survive even if some end in a stop token), and moves extensions
    that end in a stop token to the finished list with score / n^length_penalty (n =
    generated tokens; α > 0 favours longer outputs). Returns the best new tokens per row.
    """
    b, k = ids.shape[0], num_beams
    dec = Decoder(model, ids, mask, use_cache)
    first = dec.logits()                                     # prompt encoded once per row
    rep = np.repeat(np.arange(b), k)
    dec.reorder(rep)
    logits = first[rep]
    scores = np.full((b, k), -np.inf)
    scores[:, 0] = 0.0                                       # all beams start identical
    tokens = np.zeros((b * k, 0), dtype=np.int64)
    finished: list[list[tuple[float, list[int]]]] = [[] for _ in range(b)]
    closed = np.zeros(b, dtype=bool)
    v = logits.shape[-1]
    for step in range(max_new_tokens):
        if repetition_penalty != 1.0:
            seen = np.zeros((b * k, v), dtype=bool)
            for r in range(b * k):
                seen[r, dec.ids[r][dec.mask[r]]] = True
            logits = S.apply_repetition_penalty(logits, seen, repetition_penalty)
        cand = (scores.reshape(-1, 1) + S.log_softmax(logits)).reshape(b, k * v)
        order = np.argsort(-cand, axis=1, kind="stable")[:, :2 * k]
        new_scores = np.full((b, k), -np.inf)
        parent = np.zeros((b, k), dtype=np.int64)
        new_tok = np.zeros((b, k), dtype=np.int64)
        n_gen = step + 1
        for r in range(b):
            if closed[r]:
                parent[r] = r * k
                continue
            j = 0
            for c in order[r]:
                sc = cand[r, c]
                if not np.isfinite(sc):
                    break
                beam, tok = divmod(int(c), v)
                if tok in stops:
                    seq = list(tokens[r * k + beam]) + [tok]
                    finished[r].append((sc / n_gen ** length_penalty, seq))
                    continue
                new_scores[r, j], parent[r, j], new_tok[r, j] = sc, r * k + beam, tok
                j += 1
                if j == k:
                    break
            fin = finished[r]
            if len(fin) >= k:
                if early_stopping:
                    closed[r] = True
                else:
                    worst = sorted(s for s, _ in fin)[-k]
                    best_running = new_scores[r, 0] / n_gen ** length_penalty
                    if best_running <= worst:
                        closed[r] = True
        flat_parent = parent.reshape(-1)
        tokens = np.concatenate([tokens[flat_parent], new_tok.reshape(-1, 1)], axis=1)
        scores = new_scores
        if closed.all() or step == max_new_tokens - 1:
            break
        dec.reorder(flat_parent)
        dec.append(new_tok.reshape(-1))
        logits = dec.logits()
    out = []
    for r in range(b):
        hyps = list(finished[r])
        if not closed[r]:
            n = tokens.shape[1]
            hyps += [(scores[r, j] / max(n, 1) ** length_penalty, list(tokens[r * k + j]))
                     for j in range(k) if np.isfinite(scores[r, j])]
        best = max(hyps, key=lambda h: h[0]) if hyps else (0.0, [])
        out.append([int(t) for t in best[1]])
    return out
