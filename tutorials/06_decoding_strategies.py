# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---
# ruff: noqa: E402, E501  (a notebook: imports where they are used, wide tables)

# %% [markdown]
# # Chapter 6 — Inference strategies: how a language model produces text
#
# *Covers what the book's sections 2.11, 3.2 and 9.3 name but do not describe — the
# inference (decoding) strategies of a generative model — and §6.5, text generation.*
#
# > **Erratum (book §§2.11, 3.2, 9.3).** The book defines an *inference strategy* as the
# > methods used to evaluate a model's performance, and lists accuracy, recall and F1.
# > Those are **evaluation metrics**: they score outputs against references after the fact
# > (chapter 3). An **inference strategy** is how a trained model *turns its predictions
# > into output*: for a language model, which next token to pick from the distribution it
# > predicts — greedy, temperature sampling, top-k, top-p, min-p, beam search, repetition
# > penalties — and how to do that fast: a KV cache, batching. The same trained weights give
# > very different text under different strategies. This chapter is about those; the one
# > metric we use (perplexity) is labelled as such.
#
# We pretrain a small GPT on tinyllm's generated children's stories for a few minutes
# (seconds in fast mode), then decode it every way.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

import tinyllm as tl
from tinyllm.labs.tutorial import tutorial_setup
from tinyllm import functional as F
from tinyllm import nn, optim
from tinyllm.data import LMBlockDataset, story_corpus
from tinyllm.infer import generate, perplexity, sampling_probs
from tinyllm.models import GPT, GPTConfig
from tinyllm.text import CharTokenizer

FAST, FIG = tutorial_setup(globals().get("__file__"))
tl.manual_seed(0)
print("fast mode" if FAST else "full mode")

# %% [markdown]
# ## 1. A small GPT, pretrained briefly
#
# A GPT is a stack of Transformer blocks with **causal** self-attention: position t sees
# positions ≤ t only. It is trained to predict every next token of its input:
#
# $$ L = -\frac{1}{T}\sum_{t=1}^{T} \log p_\theta(x_{t+1} \mid x_{\le t}). $$
#
# We use a character tokenizer (vocabulary ≈ 50) so that a tiny model learns spelling,
# names and punctuation quickly, and hold out the last 10 % of the text for validation.

# %%
text = story_corpus(n_chars=150_000 if FAST else 400_000, seed=0)
tok = CharTokenizer().fit([text])
ids = np.asarray(tok.encode(text), dtype=np.int64)
n_train = int(0.9 * len(ids))
train_ids, val_ids = ids[:n_train], ids[n_train:]
print(f"{len(ids):,} characters, vocabulary {tok.vocab_size}")
print(text[:300])

# %%
BLOCK = 64
cfg = (GPTConfig(vocab_size=tok.vocab_size, block_size=BLOCK, n_layer=2, n_head=4, n_embd=64)
       if FAST else
       GPTConfig(vocab_size=tok.vocab_size, block_size=BLOCK, n_layer=4, n_head=4, n_embd=128))
model = GPT(cfg)
print(f"GPT: {cfg.n_layer} layers, {cfg.n_head} heads, width {cfg.n_embd}, "
      f"{model.num_params():,} parameters (without position table)")

STEPS = 300 if FAST else 1500
opt = model.configure_optimizer(weight_decay=0.1, learning_rate=3e-3)
sched = optim.LinearWarmupCosine(opt, warmup_steps=STEPS // 10, total_steps=STEPS, min_lr=3e-4)
train_ds = LMBlockDataset(train_ids, BLOCK, seed=0)
val_ds = LMBlockDataset(val_ids, BLOCK, seed=1)


def val_loss(n_batches=4):
    model.eval()
    with tl.no_grad():
        losses = [model(*val_ds.sample(32))[1].item() for _ in range(n_batches)]
    model.train()
    return float(np.mean(losses))


log = {"step": [], "train": [], "val_step": [], "val": []}
t0 = time.perf_counter()
model.train()
for step in range(STEPS + 1):
    if step % (STEPS // 5) == 0:
        log["val_step"].append(step)
        log["val"].append(val_loss())
        print(f"step {step:5d}  validation loss {log['val'][-1]:.3f}  "
              f"({time.perf_counter() - t0:.0f} s)")
    if step == STEPS:
        break
    x, y = train_ds.sample(16)
    _, loss = model(x, y)
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()
    log["step"].append(step)
    log["train"].append(loss.item())
model.eval()
print(f"trained {STEPS} steps in {time.perf_counter() - t0:.0f} s")

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(log["step"], log["train"], alpha=0.5, label="training batch")
ax.plot(log["val_step"], log["val"], "o-", label="validation")
ax.axhline(np.log(tok.vocab_size), color="gray", ls="--", label="uniform guess (ln V)")
ax.set_xlabel("step")
ax.set_ylabel("cross-entropy (nats per character)")
ax.legend()
ax.grid(alpha=0.3)
fig.tight_layout()
fig.savefig(FIG / "06_pretraining.png", dpi=100)
plt.close(fig)

# %% [markdown]
# ## 2. The next-token distribution, and four ways to reshape it
#
# At each step the model outputs logits z over the vocabulary, and p = softmax(z). Every
# strategy below is a rule for picking the next token from p (Hugging Face's order:
# repetition penalty → temperature → top-k → top-p → min-p):
#
# | strategy | rule |
# |---|---|
# | greedy | argmax p — deterministic |
# | temperature τ | sample from softmax(z/τ): τ < 1 sharpens, τ > 1 flattens |
# | top-k | keep the k most likely tokens, renormalise, sample |
# | top-p (nucleus) | keep the smallest set of most likely tokens whose mass ≥ p |
# | min-p | keep tokens with p_i ≥ min_p · max_j p_j (a cut that follows the model's confidence) |
# | repetition penalty θ | divide the logits of tokens already present by θ (multiply if negative) |
# | beam search | keep the B best partial sequences by total log-probability |

# %%
prompt = "Once upon a time, a little"
prompt_ids = np.array(tok.encode(prompt), dtype=np.int64)
with tl.no_grad():
    logits = model(prompt_ids[None])[0, -1].data
variants = {"softmax (τ = 1)": {}, "temperature τ = 0.5": {"temperature": 0.5},
            "temperature τ = 1.5": {"temperature": 1.5}, "top-k, k = 5": {"top_k": 5},
            "top-p, p = 0.9": {"top_p": 0.9}, "min-p, 0.1": {"min_p": 0.1}}
top = np.argsort(-logits)[:15]
labels = [repr(tok.itos[i])[1:-1] for i in top]
fig, axes = plt.subplots(2, 3, figsize=(12, 5.5), sharey=True)
for ax, (name, kw) in zip(axes.flat, variants.items()):
    p = sampling_probs(logits[None], **kw)[0]
    ax.bar(range(len(top)), p[top])
    ax.set_xticks(range(len(top)), labels=labels, fontsize=8)
    ax.set_title(f"{name}: {np.count_nonzero(p)} tokens allowed", fontsize=9)
    print(f"{name:22s} P(top token) = {p[top[0]]:.3f}, tokens with p > 0: {np.count_nonzero(p)}")
fig.suptitle(f"next character after {prompt!r}")
fig.tight_layout()
fig.savefig(FIG / "06_distributions.png", dpi=100)
plt.close(fig)

# %% [markdown]
# ## 3. The strategies, side by side
#
# `tinyllm.infer.generate(model, ids, max_new_tokens, ...)` (also `model.generate`) runs
# the decoding loop. Sampling draws from tinyllm's generator, so `tl.manual_seed` makes a
# run repeatable. To compare strategies with numbers rather than impressions we measure
# two things on each output:
#
# * **diversity**: the fraction of distinct character 4-grams (repetitive text scores low);
# * **likelihood**: the model's own average log-probability per generated token (how
#   "typical" the text is for the model; greedy and beam search maximise it).

# %%
N_NEW = 120 if FAST else 200


def continuation_logprob(prompt_ids, new_ids):
    """Mean log p(new token | everything before), under the model (last BLOCK tokens)."""
    full = np.concatenate([prompt_ids, new_ids])
    total = 0.0
    with tl.no_grad():
        for t in range(len(prompt_ids), len(full)):
            ctx = full[max(0, t - BLOCK):t]
            lp = F.log_softmax(model(ctx[None], last_only=True)[0, -1], axis=-1).data
            total += lp[full[t]]
    return total / max(len(new_ids), 1)


def distinct4(s):
    grams = [s[i:i + 4] for i in range(len(s) - 3)]
    return len(set(grams)) / max(len(grams), 1)


strategies = {
    "greedy": dict(do_sample=False),
    "sample τ=0.7": dict(do_sample=True, temperature=0.7),
    "sample τ=1.0": dict(do_sample=True, temperature=1.0),
    "sample τ=1.5": dict(do_sample=True, temperature=1.5),
    "top-k 10": dict(do_sample=True, top_k=10),
    "top-p 0.9": dict(do_sample=True, top_p=0.9),
    "min-p 0.1": dict(do_sample=True, min_p=0.1),
    "greedy + rep. penalty 1.3": dict(do_sample=False, repetition_penalty=1.3),
    "beam search, 4 beams": dict(num_beams=4),
}
rows = []
for name, kw in strategies.items():
    tl.manual_seed(0)
    out = generate(model, prompt_ids, N_NEW, **kw)
    new = out[len(prompt_ids):]
    s = tok.decode(new.tolist())
    rows.append((name, distinct4(s), continuation_logprob(prompt_ids, new)))
    print(f"--- {name}\n{prompt}{s}\n")
print(f"{'strategy':28s} {'distinct 4-grams':>17s} {'mean log p':>11s}")
for name, d, lp in rows:
    print(f"{name:28s} {d:17.3f} {lp:11.3f}")

# %% [markdown]
# What to look for (the numbers vary with the model and the seed):
#
# * **Greedy** and **beam search** score the highest likelihood. On a weakly trained model
#   (fast mode) the most likely continuation soon loops ("to to to to…") and its
#   diversity collapses; on the better-trained full-mode model greedy text reads well
#   but is the model's most generic story.
# * **High temperature** is diverse but drifts into misspellings ("caat", invented
#   words): the tail of the distribution is mostly noise.
# * **Top-k, top-p and min-p** cut that tail and keep most of the diversity at a much
#   smaller cost in likelihood.
# * A **repetition penalty** breaks greedy loops by making already-used tokens less
#   likely — bluntly, for characters, since every letter repeats in normal text.
#
# Beam search looks for a *more likely sequence* than greedy. Check on a short
# continuation that its total log-probability is at least greedy's (on a well-trained
# model the two often agree; where greedy's first choice leads into a poor region, beam
# search finds a better path):

# %%
n_short = 20
greedy_new = generate(model, prompt_ids, n_short)[len(prompt_ids):]
beam_new = generate(model, prompt_ids, n_short, num_beams=4)[len(prompt_ids):]
lp_g = continuation_logprob(prompt_ids, greedy_new) * n_short
lp_b = continuation_logprob(prompt_ids, beam_new) * len(beam_new)
print(f"greedy: {tok.decode(greedy_new.tolist())!r:28s} total log p = {lp_g:.3f}")
print(f"beam 4: {tok.decode(beam_new.tolist())!r:28s} total log p = {lp_b:.3f}")

# %% [markdown]
# ## 4. Batching and the KV cache: producing output fast
#
# Generating token t+1 needs attention over all t previous tokens. Without a cache, each
# step re-runs the whole model on the whole prefix: O(t) work for step t, O(n²) for n
# tokens. With a **KV cache**, each layer stores the keys and values it computed for
# earlier positions; a step only computes the newest token's query, key and value and
# attends over the stored ones. The output is *identical* — only the cost changes.
#
# Speed does not depend on what the weights are, so we time a freshly initialised,
# somewhat larger GPT with a long context (512 positions), greedy, with and without the
# cache.

# %%
speed_cfg = GPTConfig(vocab_size=tok.vocab_size, block_size=512, n_layer=4, n_head=4,
                      n_embd=128)
speed_model = GPT(speed_cfg)
speed_model.eval()
lengths = [32, 64, 128] if FAST else [32, 64, 128, 256, 448]
speed = {True: [], False: []}
for n in lengths:
    outs = {}
    for use_cache in (True, False):
        t0 = time.perf_counter()
        outs[use_cache] = generate(speed_model, prompt_ids, n, use_cache=use_cache)
        speed[use_cache].append(n / (time.perf_counter() - t0))
    assert np.array_equal(outs[True], outs[False])
    print(f"{n:4d} new tokens: {speed[True][-1]:7.0f} tokens/s with cache, "
          f"{speed[False][-1]:7.0f} without ({speed[True][-1] / speed[False][-1]:.1f}×), "
          "identical output")

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(lengths, speed[True], "o-", label="with KV cache")
ax.plot(lengths, speed[False], "s-", label="without cache (recompute prefix)")
ax.set_xlabel("tokens generated")
ax.set_ylabel("tokens per second")
ax.set_title(f"greedy decoding, GPT {speed_cfg.n_layer}×{speed_cfg.n_embd}")
ax.legend()
ax.grid(alpha=0.3)
fig.tight_layout()
fig.savefig(FIG / "06_kv_cache.png", dpi=100)
plt.close(fig)

# %% [markdown]
# **Batching** is the other speed lever: several prompts decoded together share every
# matrix product. Prompts of different lengths are left-padded, with an attention mask
# hiding the padding, so each row gets exactly what it would get alone:

# %%
prompts = ["Tom saw a", "The little bird", "One day, Mia found a shiny"]
batch = [np.array(tok.encode(p), dtype=np.int64) for p in prompts]
together = generate(model, batch, 30)
for b, out in zip(batch, together):
    alone = generate(model, b, 30)
    print(f"{tok.decode(list(out))!r}  (same as alone: {list(out) == list(alone)})")

# %% [markdown]
# ## 5. Perplexity — an evaluation metric, for contrast
#
# Perplexity evaluates a language model on held-out text: the exponential of the mean
# next-token negative log-likelihood,
#
# $$ \mathrm{PPL} = \exp\Big(-\frac1N \sum_{i} \log p(x_i \mid x_{<i})\Big). $$
#
# A model that is as unsure as a uniform choice among k tokens has perplexity k. It
# depends only on the model and the text — *no* decoding strategy is involved, which is
# exactly why it is a metric and not an inference strategy.

# %%
held_out = val_ids[:4000 if FAST else 20000]
ppl = perplexity(model, held_out)
counts = np.bincount(train_ids, minlength=tok.vocab_size) + 1
unigram_ppl = float(np.exp(-np.mean(np.log(counts[held_out] / counts.sum()))))
print(f"validation perplexity of the GPT   : {ppl:.2f} per character")
print(f"unigram (character frequencies)    : {unigram_ppl:.2f}")
print(f"uniform over {tok.vocab_size} characters       : {tok.vocab_size:.2f}")

# %% [markdown]
# > **Erratum (book §6.5).** The book describes *text generation* as producing text in
# > another language from text in one language — that is **machine translation** (§6.1,
# > chapter 8). Text generation is producing text, as this chapter does: continuing a
# > prompt, telling a story, writing a summary or an answer. Translation is one kind of
# > *conditional* generation, in which the output must render a given source sentence.
#
# **Exercises**
#
# 1. Sample ten continuations at τ = 0.7, 1.0 and 1.5 with different seeds and average
#    the two measures of section 3. Plot diversity against likelihood: where do top-p and
#    min-p fall?
# 2. Beam search with 1, 2, 4 and 8 beams: does the total log-probability keep rising?
#    Does the text get better?
# 3. Time the KV cache on `model` itself (block size 64) for 200 new tokens. Why is the
#    gain smaller once the output outgrows the context? (Read `tinyllm/infer/generate.py`.)
# 4. Train a BPE tokenizer (chapter 2) with 512 tokens, retrain the GPT on BPE ids and
#    compare perplexities *per character* (convert: PPL_char = exp(NLL_token · tokens /
#    characters)).
