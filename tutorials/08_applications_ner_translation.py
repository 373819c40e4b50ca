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
# # Chapter 8 — Applications: named-entity recognition and translation
#
# *Follows the book's chapter 6 (application scenarios): §6.3 named-entity recognition
# and §6.1 machine translation (§6.2 text classification is chapters 4–5; §6.5 text
# generation is chapter 6).*
#
# Classification gives one label per text. Two other task shapes cover most of NLP:
#
# * **token classification** — one label per *token*: named-entity recognition (NER),
#   part-of-speech tagging;
# * **sequence-to-sequence** — a text in, a different text out: translation,
#   summarisation.
#
# We build a small model of each shape from tinyllm's layers, train it briefly on real
# data (WNUT-17 tweets for NER, English–French sentence pairs for translation) and score
# it with the metric its field reports (entity-level F1, BLEU).
#
# *Honesty note:* these are small models trained for minutes (seconds in fast mode) on a
# CPU. WNUT-17 is a hard benchmark (tweets, rare and novel entities; strong pretrained
# models reach an entity F1 of about 0.5–0.6), and a translation model needs hours of
# training on far more data. Expect weak numbers — in fast mode, near zero. The point is
# the machinery and how it is measured.

# %%
import re
import time
from collections import Counter

import matplotlib.pyplot as plt
import numpy as np

import tinyllm as tl
from tinyllm.labs.tutorial import tutorial_setup
from tinyllm import functional as F
from tinyllm import metrics, nn, optim
from tinyllm.data import DataNotFoundError, load_conll, load_translation_pairs, train_val_test_split
from tinyllm.text import Tokenizer, pad_sequences, text_to_word_sequence

FAST, FIG = tutorial_setup(globals().get("__file__"))
tl.manual_seed(0)
print("fast mode" if FAST else "full mode")

# %% [markdown]
# ## Part 1 — Named-entity recognition (book §6.3)
#
# ### The data and the BIO scheme
#
# NER marks spans of text that name a person, a place, an organisation… Each token gets
# a tag: `B-type` begins an entity, `I-type` continues it, `O` is outside any entity. So
# "Empire State Building" is `B-location I-location I-location`. WNUT-17 has six types
# (person, location, group, corporation, product, creative-work).

# %%
try:
    tr_sents, tr_tags = load_conll("train")
    dev_sents, dev_tags = load_conll("dev")
    te_sents, te_tags = load_conll("test")
    ner_name = "WNUT-17"
except DataNotFoundError:
    # A tiny generated BIO data set so that the chapter runs anywhere.
    print("WNUT-17 not found: generating a toy BIO data set instead")
    g = np.random.default_rng(0)
    people, places = ["Anna", "Tom", "Ravi", "Mia Lopez", "Jack Brown"], ["Paris", "New York",
                                                                         "the Alps", "Lagos"]

    def toy(n):
        sents, tags = [], []
        for _ in range(n):
            p, pl = people[g.integers(len(people))].split(), places[g.integers(len(places))].split()
            s = p + ["flew", "to"] + pl + ["today", "."]
            t = (["B-person"] + ["I-person"] * (len(p) - 1) + ["O", "O"] + ["B-location"]
                 + ["I-location"] * (len(pl) - 1) + ["O", "O"])
            sents.append(s)
            tags.append(t)
        return sents, tags

    tr_sents, tr_tags = toy(600)
    dev_sents, dev_tags = toy(150)
    te_sents, te_tags = toy(150)
    ner_name = "toy BIO data"
if FAST:
    dev_sents, dev_tags = dev_sents[:300], dev_tags[:300]
    te_sents, te_tags = te_sents[:400], te_tags[:400]
print(f"{ner_name}: {len(tr_sents)} training, {len(dev_sents)} dev, {len(te_sents)} test sentences")
print(list(zip(tr_sents[0], tr_tags[0]))[12:20])
tag_counts = Counter(t for ts in tr_tags for t in ts)
print("tag counts:", dict(tag_counts.most_common()))

# %% [markdown]
# 96 % of the tokens are `O`: a tagger that always says `O` has 96 % token accuracy and
# finds no entity at all. That is why NER is scored at the **entity** level — an entity
# counts as found only if its type, start and end are all right — with precision, recall
# and F1 over entities (`tinyllm.metrics.entity_precision_recall_f1`, the conlleval
# rules).

# %%
always_o = [["O"] * len(s) for s in te_tags]
print(f"always-O: token accuracy {metrics.token_accuracy(te_tags, always_o):.3f}, "
      f"entity F1 {metrics.entity_f1_score(te_tags, always_o):.3f}")
print("entities of the first training sentence:", metrics.bio_entities(tr_tags[0]))

# %% [markdown]
# ### A BiLSTM tagger
#
# Each token becomes the concatenation of a **word embedding** (lower-cased word) and a
# small **shape embedding** (capitalised? all caps? digits? @user? #hashtag?) — shape is
# a strong clue for names, and it generalises to words never seen in training. A
# **bidirectional** LSTM reads the sentence left-to-right and right-to-left, so each
# token's vector sees its whole context; a linear layer gives one score per tag:
#
# $$ e_t = [E_w[w_t];\,E_s[s_t]],\quad
#    h_t = [\overrightarrow{\mathrm{LSTM}}(e_{1..t});\,\overleftarrow{\mathrm{LSTM}}(e_{t..T})],\quad
#    \text{logits}_t = W h_t + b. $$
#
# The loss is the cross-entropy over every token. One subtlety: padding. The backward
# direction starts reading at the *end* of the padded row, so padding would leak into
# every real token's state. We avoid it exactly by batching sentences **of the same
# length** together (no padding at all).

# %%
def shape_of(word):
    if word.startswith("@"):
        return "@user"
    if word.startswith("#"):
        return "#tag"
    if re.fullmatch(r"https?://\S+|www\.\S+", word):
        return "url"
    if any(c.isdigit() for c in word):
        return "digit"
    if not any(c.isalpha() for c in word):
        return "punct"
    if word.isupper() and len(word) > 1:
        return "UPPER"
    if word[0].isupper():
        return "Title"
    return "lower"


SHAPES = ["<pad>", "@user", "#tag", "url", "digit", "punct", "UPPER", "Title", "lower"]
word_counts = Counter(w.lower() for s in tr_sents for w in s)
WORDS = ["<pad>", "<unk>"] + sorted(w for w, c in word_counts.items() if c >= 2)
w_index = {w: i for i, w in enumerate(WORDS)}
TAGS = sorted({t for ts in tr_tags for t in ts}, key=lambda t: (t != "O", t))
t_index = {t: i for i, t in enumerate(TAGS)}


def featurise(sent):
    return (np.array([w_index.get(w.lower(), 1) for w in sent]),
            np.array([SHAPES.index(shape_of(w)) for w in sent]))


class BiLSTMTagger(nn.Module):
    def __init__(self, n_words, n_shapes, n_tags, word_dim=50, shape_dim=8, hidden=64):
        super().__init__()
        self.words = nn.Embedding(n_words, word_dim, padding_idx=0)
        self.shapes = nn.Embedding(n_shapes, shape_dim)
        self.lstm = nn.LSTM(word_dim + shape_dim, hidden, batch_first=True,
                            bidirectional=True)
        self.dropout = nn.Dropout(0.3)
        self.out = nn.Linear(2 * hidden, n_tags)

    def forward(self, word_ids, shape_ids):
        e = F.concatenate([self.words(word_ids), self.shapes(shape_ids)], axis=-1)
        h, _ = self.lstm(self.dropout(e))                     # [B, T, 2·hidden]
        return self.out(self.dropout(h))                      # [B, T, n_tags]


def length_buckets(sents, batch_size, rng=None):
    """Batches of sentence indices, all sentences of a batch having the same length."""
    by_len = {}
    for i, s in enumerate(sents):
        by_len.setdefault(len(s), []).append(i)
    out = []
    for idx in by_len.values():
        idx = list(rng.permutation(idx)) if rng is not None else idx
        out += [idx[k:k + batch_size] for k in range(0, len(idx), batch_size)]
    if rng is not None:
        out = [out[i] for i in rng.permutation(len(out))]
    return out


def batch_arrays(idx, sents, tags=None):
    w, s = zip(*(featurise(sents[i]) for i in idx))
    y = None if tags is None else np.array([[t_index.get(t, 0) for t in tags[i]] for i in idx])
    return np.stack(w), np.stack(s), y


tagger = BiLSTMTagger(len(WORDS), len(SHAPES), len(TAGS))
print(f"vocabulary {len(WORDS)} words, {len(TAGS)} tags, "
      f"{tagger.num_parameters():,} parameters")

# %% [markdown]
# Training: Adam, cross-entropy over all tokens. Because 96 % of the tokens are `O`, we
# give the entity tags more weight in the loss by **down-weighting** `O` tokens: the loss
# is Σ_t w_t·CE_t / Σ_t w_t with w = 0.3 for `O` and 1 otherwise (a common fix for
# imbalanced tagging; try w = 1 in the exercises). After each epoch we score the **dev**
# set and keep the weights of the best epoch (early stopping by hand); the test set is
# used once, at the end.

# %%
def predict_tags(sents):
    tagger.eval()
    out = [None] * len(sents)
    with tl.no_grad():
        for idx in length_buckets(sents, 64):
            w, s, _ = batch_arrays(idx, sents)
            pred = tagger(w, s).data.argmax(axis=-1)
            for row, i in zip(pred, idx):
                out[i] = [TAGS[k] for k in row]
    return out


EPOCHS_NER = 4 if FAST else 10
opt = optim.Adam(tagger.parameters(), lr=3e-3)
order_rng = np.random.default_rng(0)
ner_losses, dev_f1 = [], []
best = (-1.0, None)                       # (dev F1, weights) of the best epoch so far
t0 = time.perf_counter()
for epoch in range(EPOCHS_NER):
    tagger.train()
    total, count = 0.0, 0
    for idx in length_buckets(tr_sents, 32, order_rng):
        w, s, y = batch_arrays(idx, tr_sents, tr_tags)
        logits = tagger(w, s)
        ce = F.cross_entropy(logits.reshape(-1, len(TAGS)), y.reshape(-1), reduction="none")
        weights = np.where(y.reshape(-1) == t_index["O"], 0.3, 1.0).astype(np.float32)
        loss = (ce * weights).sum() / float(weights.sum())
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
        count += len(idx)
    ner_losses.append(total / count)
    dev_f1.append(metrics.entity_f1_score(dev_tags, predict_tags(dev_sents)))
    if dev_f1[-1] > best[0]:
        best = (dev_f1[-1], {k: v.copy() for k, v in tagger.state_dict().items()})
    print(f"epoch {epoch + 1}: weighted loss {ner_losses[-1]:.4f}, dev entity F1 "
          f"{dev_f1[-1]:.3f} ({time.perf_counter() - t0:.1f} s)")
tagger.load_state_dict(best[1])
print(f"keeping the weights of epoch {int(np.argmax(dev_f1)) + 1} (best dev F1 {best[0]:.3f})")

te_pred = predict_tags(te_sents)
p, r, f1 = metrics.entity_precision_recall_f1(te_tags, te_pred)
print(f"test: token accuracy {metrics.token_accuracy(te_tags, te_pred):.3f}; "
      f"entity precision {p:.3f}, recall {r:.3f}, F1 {f1:.3f}")
per_type = metrics.entity_precision_recall_f1(te_tags, te_pred, average=None)
for k, (pp, rr, ff, n) in per_type.items():
    print(f"  {k:14s} P {pp:.2f}  R {rr:.2f}  F1 {ff:.2f}  ({n} true entities)")
example = next(i for i, ts in enumerate(te_tags) if any(t != "O" for t in ts))
print("example:", [(w, t, pr) for w, t, pr in zip(te_sents[example], te_tags[example],
                                                   te_pred[example]) if t != "O" or pr != "O"])

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
axes[0].plot(range(1, len(ner_losses) + 1), ner_losses, "o-", label="training loss")
axes[0].plot(range(1, len(dev_f1) + 1), dev_f1, "s-", label="dev entity F1")
axes[0].set_xlabel("epoch")
axes[0].legend()
axes[0].set_title(f"BiLSTM tagger on {ner_name}")
types = list(per_type)
axes[1].bar(types, [per_type[k][2] for k in types])
axes[1].set_ylabel("entity F1 (test)")
axes[1].set_title(f"micro F1 = {f1:.3f}")
axes[1].tick_params(axis="x", rotation=30)
for ax in axes:
    ax.grid(alpha=0.3)
fig.tight_layout()
fig.savefig(FIG / "08_ner.png", dpi=100)
plt.close(fig)

# %% [markdown]
# ## Part 2 — Translation as an encoder–decoder (book §6.1)
#
# A translation model reads a sentence in one language and **generates** a sentence in
# another. The classic neural design (Sutskever et al., 2014) has two parts:
#
# * an **encoder** LSTM reads the source words; its final state (h, c) summarises the
#   sentence;
# * a **decoder** LSTM starts from that state and produces the target one word at a time,
#   each step fed the previous word: P(y_t | y_<t, x).
#
# Training uses **teacher forcing**: the decoder is fed the *true* previous word, and the
# loss is the cross-entropy of predicting each next word. At inference there is no true
# word; **greedy decoding** feeds back the model's own most likely word until it emits the
# end token. (Chapter 6 covers better decoding strategies: sampling, beam search.)
#
# > **Erratum (book §6.5).** The book describes *text generation* as turning text in one
# > language into text in another. That is **translation** (§6.1) — one kind of
# > *conditional* generation. Text generation in general means producing text: continuing
# > a prompt, writing a story, a summary, an answer, a reply in a dialogue (chapter 6
# > generates stories with a GPT). Both are decoders predicting the next token; only
# > translation conditions on a source sentence in another language.
#
# ### Data
#
# The English–French pairs (Tatoeba, via manythings.org) are sorted shortest first; we
# use short sentences only.

# %%
N_PAIRS = 5000 if FAST else 20000
try:
    pairs = load_translation_pairs(max_pairs=N_PAIRS)
except DataNotFoundError:
    print("translation pairs not found: using a tiny built-in list")
    pairs = [("i am happy .", "je suis heureux ."), ("he is tall .", "il est grand ."),
             ("we are late .", "nous sommes en retard ."), ("she is here .", "elle est ici .")] * 100


def clean(s):
    # Tatoeba's French uses (narrow) no-break spaces before ! ? ; : — make them plain.
    return s.replace("\u202f", " ").replace("\xa0", " ").lower()


src = [clean(e) for e, _ in pairs]
tgt = [clean(f) for _, f in pairs]
s_tr, s_va, s_te, t_tr, t_va, t_te = train_val_test_split(src, tgt, val_size=0.05,
                                                          test_size=0.1, seed=0)
NUM_WORDS = 2000 if FAST else 4000
src_tok = Tokenizer(num_words=NUM_WORDS, oov_token="<unk>")
tgt_tok = Tokenizer(num_words=NUM_WORDS, oov_token="<unk>")
src_tok.fit_on_texts(s_tr)
tgt_tok.fit_on_texts(t_tr)
V_SRC = min(NUM_WORDS, len(src_tok.word_index) + 1)
V_TGT = min(NUM_WORDS, len(tgt_tok.word_index) + 1)
BOS, EOS = V_TGT, V_TGT + 1                     # two extra target ids
print(f"{len(s_tr)} training pairs; vocabularies: English {V_SRC}, French {V_TGT} (+2)")
print("example:", s_tr[0], "->", t_tr[0])


def encode_src(texts):
    # pre-padding: the encoder's last state comes right after the real words
    return pad_sequences(src_tok.texts_to_sequences(texts), maxlen=12)


def encode_tgt(texts):
    """Decoder inputs [BOS] y and targets y [EOS]; padding −100 is ignored by the loss."""
    seqs = [s[:12] for s in tgt_tok.texts_to_sequences(texts)]
    dec_in = pad_sequences([[BOS] + s for s in seqs], maxlen=13, padding="post")
    dec_out = pad_sequences([s + [EOS] for s in seqs], maxlen=13, padding="post", value=-100)
    return dec_in.astype(np.int64), dec_out.astype(np.int64)


# %%
class Seq2Seq(nn.Module):
    def __init__(self, v_src, v_tgt, dim=64, hidden=128):
        super().__init__()
        self.src_emb = nn.Embedding(v_src, dim, padding_idx=0)
        self.tgt_emb = nn.Embedding(v_tgt + 2, dim, padding_idx=0)
        self.encoder = nn.LSTM(dim, hidden, batch_first=True)
        self.decoder = nn.LSTM(dim, hidden, batch_first=True)
        self.out = nn.Linear(hidden, v_tgt + 2)

    def encode(self, src_ids):
        _, state = self.encoder(self.src_emb(src_ids))
        return state                                          # (h, c), each [1, B, hidden]

    def forward(self, src_ids, dec_in):
        h, _ = self.decoder(self.tgt_emb(dec_in), self.encode(src_ids))
        return self.out(h)                                    # [B, T, V_tgt + 2]

    def greedy(self, src_ids, max_len=14):
        """Feed back the most likely word until every row has emitted EOS."""
        with tl.no_grad():
            state = self.encode(src_ids)
            tok = np.full((len(src_ids), 1), BOS)
            out = []
            for _ in range(max_len):
                h, state = self.decoder(self.tgt_emb(tok), state)
                tok = self.out(h).data.argmax(axis=-1)        # [B, 1]
                out.append(tok[:, 0])
                if all((np.stack(out, 1) == EOS).any(axis=1)):
                    break
        return np.stack(out, axis=1)


tl.manual_seed(0)
s2s = Seq2Seq(V_SRC, V_TGT, dim=32 if FAST else 64, hidden=64 if FAST else 128)
print(f"seq2seq model: {s2s.num_parameters():,} parameters")
X_src = encode_src(s_tr)
D_in, D_out = encode_tgt(t_tr)
opt = optim.Adam(s2s.parameters(), lr=3e-3)
EPOCHS_MT = 5 if FAST else 10
mt_losses = []
t0 = time.perf_counter()
for epoch in range(EPOCHS_MT):
    s2s.train()
    perm = np.random.default_rng(epoch).permutation(len(X_src))
    total = 0.0
    for k in range(0, len(perm), 64):
        b = perm[k:k + 64]
        logits = s2s(X_src[b], D_in[b])
        loss = F.cross_entropy(logits.reshape(-1, V_TGT + 2), D_out[b].reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(s2s.parameters(), 1.0)
        opt.step()
        total += loss.item() * len(b)
    mt_losses.append(total / len(perm))
    print(f"epoch {epoch + 1}: loss {mt_losses[-1]:.3f} "
          f"(per-word perplexity {np.exp(mt_losses[-1]):.1f}; {time.perf_counter() - t0:.0f} s)")

# %% [markdown]
# ### Greedy decoding and BLEU
#
# **BLEU** (Papineni et al., 2002) compares the model's translations with reference
# translations: the geometric mean of the clipped n-gram precisions (n = 1…4), pooled
# over the corpus, times a brevity penalty for translations shorter than the references.
# It is 0 … 1 (often quoted ×100). With one reference per sentence and short sentences,
# it is a rough measure — we also report BLEU-2 (unigrams and bigrams only).

# %%
def to_words(ids):
    words = []
    for i in ids:
        if i == EOS:
            break
        if 0 < i < V_TGT:
            words.append(tgt_tok.index_word.get(int(i), "<unk>"))
    return words


hyps = [to_words(h) for k in range(0, len(s_te), 256)
        for h in s2s.greedy(encode_src(s_te[k:k + 256]))]
# references: the real words (not vocabulary ids), so an <unk> output never counts as a match
refs = [[text_to_word_sequence(t)] for t in t_te]
bleu4 = metrics.corpus_bleu(refs, hyps)
bleu2 = metrics.corpus_bleu(refs, hyps, max_n=2)
print(f"test BLEU-4 {100 * bleu4:.1f}, BLEU-2 {100 * bleu2:.1f} ({len(hyps)} sentences)")
for k in range(6):
    print(f"  {s_te[k]!r:32s} -> {' '.join(hyps[k])!r:36s} (ref: {t_te[k]!r})")

# %%
fig, ax = plt.subplots(figsize=(5.5, 3.4))
ax.plot(range(1, len(mt_losses) + 1), mt_losses, "o-")
ax.set_xlabel("epoch")
ax.set_ylabel("cross-entropy per target word")
ax.set_title(f"LSTM encoder–decoder, test BLEU-4 {100 * bleu4:.1f}")
ax.grid(alpha=0.3)
fig.tight_layout()
fig.savefig(FIG / "08_translation.png", dpi=100)
plt.close(fig)
if FAST:
    print("(fast mode: a few thousand pairs and epochs — expect mostly wrong translations)")

# %% [markdown]
# **Exercises**
#
# 1. NER: set the `O` weight to 1.0 and retrain. How do entity precision and recall move?
#    Then drop the shape embedding. Which change hurts F1 more?
# 2. NER: replace the word embedding by a frozen MiniLM encoder from chapter 5 (one vector
#    per WordPiece; tag each word by its first piece). This is how strong NER systems are
#    built.
# 3. Translation: feed the source sentence *reversed* to the encoder (Sutskever et al.'s
#    trick). Does BLEU improve? Why might it help an LSTM?
# 4. Translation: build the encoder and decoder from `nn.TransformerBlock` (the decoder
#    with `cross_attention=True`, attending to the encoder's outputs) instead of LSTMs.
#    What else does a Transformer need that an LSTM does not? (Hint: positions.)
