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
# # Chapter 7 — Tools: training curves, confusion matrices, profiling, backends
#
# *Follows the book's chapter 7 (tools and resources): §7.2.2 recommends a visualiser for
# training runs (TensorBoard) and profilers; §7.3 lists papers.*
#
# You cannot improve what you do not look at. This chapter shows four tools that come
# with tinyllm:
#
# 1. **training curves** — loss and accuracy per epoch, training vs validation
#    (`tinyllm.train.plots.plot_history`), the role TensorBoard plays for TensorFlow;
# 2. a **confusion matrix** — *which* mistakes a classifier makes
#    (`tinyllm.metrics.confusion_matrix`, `plots.plot_confusion_matrix`);
# 3. the **op profiler** — where the time of one training step goes, op by op, forward
#    and backward (`tinyllm.profiler.profile`);
# 4. the **kernel backends** — the same op in plain NumPy and as a Numba-compiled kernel
#    (`tl.use_backend`).

# %%
import tempfile
import time

import matplotlib.pyplot as plt
import numpy as np

import tinyllm as tl
from tinyllm.labs.tutorial import tutorial_setup
from tinyllm import functional as F
from tinyllm import metrics, optim
from tinyllm.data import sentiment_corpus, train_val_test_split
from tinyllm.models.lstm_classifier import LSTMClassifier
from tinyllm.profiler import profile
from tinyllm.text import Tokenizer, pad_sequences
from tinyllm.train import Trainer, plots

FAST, FIG = tutorial_setup(globals().get("__file__"))
tl.manual_seed(0)
print("fast mode" if FAST else "full mode", "| backend:", tl.get_backend())

# %% [markdown]
# ## 1. Training curves
#
# We train the PyTorch-style `LSTMClassifier` (embedding → LSTM → last real state →
# linear) on the built-in sentiment corpus with `tinyllm.train.Trainer`. `fit` returns a
# `History` whose `.history` dict holds one value per epoch for every quantity.

# %%
texts, labels = sentiment_corpus(800 if FAST else 3000, seed=2)
labels = np.asarray(labels)
x_tr, x_va, x_te, y_tr, y_va, y_te = train_val_test_split(
    texts, labels, val_size=0.15, test_size=0.15, seed=0, stratify=labels)
tok = Tokenizer(oov_token="<unk>")
tok.fit_on_texts(x_tr)


def encode(t):
    return pad_sequences(tok.texts_to_sequences(t), maxlen=24, padding="post")


X_tr, X_va, X_te = encode(x_tr), encode(x_va), encode(x_te)
model = LSTMClassifier(len(tok.word_index) + 1, embed_dim=32, hidden_size=48)
trainer = Trainer(model, optim.Adam(model.parameters(), lr=1e-2), loss="cross_entropy",
                  metrics=["accuracy"], verbose=2, seed=0,
                  checkpoint_dir=tempfile.mkdtemp(prefix="tinyllm-ch7-"))
history = trainer.fit((X_tr, y_tr), (X_va, y_va), epochs=3 if FAST else 8, batch_size=32)
plots.plot_history(history, FIG / "07_history.png", title="LSTMClassifier on the sentiment corpus")
print({k: [round(v, 3) for v in vals] for k, vals in history.history.items() if k != "lr"})

# %% [markdown]
# How to read the curves: training loss should fall steadily. If validation loss turns
# back up while training loss keeps falling, the model has started to memorise
# (overfit): stop there (`tinyllm.train.EarlyStopping` does it automatically) or
# regularise. If both stay high, the model is too small or the learning rate wrong.
#
# ## 2. The confusion matrix
#
# Accuracy is one number; the confusion matrix shows where the errors are. Rows are the
# true class, columns the predicted one. Normalising each row puts the per-class
# **recall** on the diagonal.

# %%
pred = trainer.predict_labels(X_te)
cm = metrics.confusion_matrix(y_te, pred)
print("confusion matrix (rows: true neg/pos, columns: predicted neg/pos):\n", cm)
print(metrics.classification_report(y_te, pred, target_names=["negative", "positive"],
                                    digits=3))
plots.plot_confusion_matrix(cm, FIG / "07_confusion_matrix.png",
                            labels=["negative", "positive"], title="test set")
plots.plot_confusion_matrix(cm, FIG / "07_confusion_matrix_normalized.png",
                            labels=["negative", "positive"], normalize=True,
                            title="test set, rows normalised (recall on the diagonal)")

# %% [markdown]
# Which sentences does it get wrong? Looking at the errors is the cheapest debugging
# tool there is:

# %%
wrong = np.flatnonzero(pred != y_te)
for i in wrong[:6]:
    print(f"true {y_te[i]} predicted {pred[i]}: {x_te[i]}")
print(f"{len(wrong)} errors out of {len(y_te)}")

# %% [markdown]
# ## 3. Profiling one training step
#
# `tinyllm.profiler.profile()` is a context manager. While it is open, every op reports
# the wall time of its forward and its backward; `table()` sums them per op, and whatever
# time is left (Python glue, the optimizer step) appears as "other". A bar chart shows the
# same.

# %%
opt = optim.Adam(model.parameters(), lr=1e-3)
xb, yb = X_tr[:32], y_tr[:32]
for _ in range(2):                     # warm-up: first calls may compile kernels
    opt.zero_grad()
    F.cross_entropy(model(xb), yb).backward()
    opt.step()
n_steps = 3 if FAST else 10
with profile() as prof:
    for _ in range(n_steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
print(f"{n_steps} training steps of a batch of 32 × 24 tokens:")
print(prof.table(limit=10))
prof.plot(FIG / "07_profile.png")

# %% [markdown]
# On this model the fused `LSTM` op (the whole sequence forward, and its backpropagation
# through time, each one compiled kernel) dominates the op time; everything else is
# small. Profiling a GPT step instead shows `Linear` (the matrix products) and the fused
# attention on top — that is why those are the kernels worth optimising.
#
# ## 4. Two backends: NumPy reference vs Numba kernels
#
# Every hot kernel in `tinyllm.kernels` exists twice: a readable NumPy reference and a
# Numba-compiled twin with the same signature; parity tests hold them equal. The
# `tl.use_backend(name)` context manager switches between them. We time a few ops
# (forward + backward) with each. (Numba compiles on first use and caches the result on
# disk, so we time after a warm-up call; timings on a busy machine are noisy.)

# %%
rng = np.random.default_rng(0)
B, T, H = (16, 24, 64) if FAST else (32, 64, 128)
lstm_x = rng.standard_normal((T, B, H)).astype(np.float32)
lstm_w = [rng.standard_normal(s).astype(np.float32) * 0.1
          for s in [(4 * H, H), (4 * H, H), (4 * H,), (4 * H,)]]
act = rng.standard_normal((256, 1024) if FAST else (512, 2048)).astype(np.float32)
ln_w, ln_b = np.ones(act.shape[1], np.float32), np.zeros(act.shape[1], np.float32)


def lstm_step():
    x = tl.tensor(lstm_x, requires_grad=True)
    ws = [tl.tensor(w, requires_grad=True) for w in lstm_w]
    zeros = tl.tensor(np.zeros((B, H), np.float32))
    hs, _, _ = F.lstm(x, zeros, zeros, *ws)
    hs.sum().backward()


def gelu_step():
    x = tl.tensor(act, requires_grad=True)
    F.gelu(x).sum().backward()


def layer_norm_step():
    x = tl.tensor(act, requires_grad=True)
    F.layer_norm(x, (act.shape[1],), tl.tensor(ln_w, requires_grad=True),
                 tl.tensor(ln_b, requires_grad=True)).sum().backward()


def softmax_ce_step():
    x = tl.tensor(act, requires_grad=True)
    F.cross_entropy(x, rng.integers(0, act.shape[1], act.shape[0])).backward()


def best_time(fn, repeats):
    fn()                                            # warm-up (compile / caches)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


ops = {f"LSTM T={T} B={B} H={H}": lstm_step, f"GELU {act.shape}": gelu_step,
       f"LayerNorm {act.shape}": layer_norm_step, f"cross-entropy {act.shape}": softmax_ce_step}
repeats = 3 if FAST else 10
timings = {}
for name, fn in ops.items():
    for backend in ("numpy", "numba"):
        with tl.use_backend(backend):
            timings[(name, backend)] = best_time(fn, repeats)
print(f"{'op (forward + backward)':32s} {'numpy ms':>9s} {'numba ms':>9s} {'speed-up':>9s}")
for name in ops:
    a, b = timings[(name, "numpy")], timings[(name, "numba")]
    print(f"{name:32s} {1e3 * a:9.2f} {1e3 * b:9.2f} {a / b:8.1f}×")

fig, ax = plt.subplots(figsize=(7, 3.5))
xs = np.arange(len(ops))
ax.bar(xs - 0.2, [1e3 * timings[(n, "numpy")] for n in ops], 0.4, label="numpy reference")
ax.bar(xs + 0.2, [1e3 * timings[(n, "numba")] for n in ops], 0.4, label="numba kernel")
ax.set_xticks(xs, labels=[n.split(" ")[0] for n in ops])
ax.set_ylabel("ms (best of runs)")
ax.set_title("forward + backward, two backends")
ax.legend()
fig.tight_layout()
fig.savefig(FIG / "07_backends.png", dpi=100)
plt.close(fig)

# %% [markdown]
# Read the speed-ups with care — they depend on the op, the sizes and the machine:
#
# * **GELU** gains most: the reference evaluates erf and several element-wise passes with
#   temporaries, the kernel does one fused pass over memory.
# * **LSTM** and **LayerNorm** gain moderately: the reference LSTM loops over time steps in
#   Python with several NumPy calls per step; the kernel runs the loop compiled.
# * **cross-entropy** is a handful of large NumPy calls, so the gain is smaller; the kernel
#   wins by reading each row twice instead of 5–7 times.
# * A compiled loop is only fast when LLVM can *vectorise* it (8 float32 lanes per AVX
#   instruction). Three things silently stopped that in tinyllm's kernels, each found by
#   profiling, each worth 3–10× on its loop: (1) `math.exp` is a scalar libm call, so the
#   kernels use `tinyllm.kernels.jit.vexp` — exp written as arithmetic (range reduction +
#   polynomial + exponent bits); (2) a division under Numba's default Python error model
#   tests for zero and may raise, so the kernels compile with `error_model="numpy"`;
#   (3) `math.sqrt(x)` returns a float64 even for float32 `x`, and the mixed-precision
#   loop of the Adam update did not vectorise until it became `np.sqrt(x)`.
# * Many kernels run in parallel threads. On a machine that is busy with other work,
#   thread start-up and waiting can make a parallel kernel *slower* than NumPy on small
#   arrays — run the cell again on an idle machine, or with `NUMBA_NUM_THREADS=1`, and
#   compare. Measure, do not assume; `benchmarks/` holds the careful measurements.
#
# ## 5. A reference to fix (book §7.3.1)
#
# > **Erratum (book §7.3.1).** The paper *Understanding deep learning requires rethinking
# > generalization* is by **Chiyuan Zhang, Samy Bengio, Moritz Hardt, Benjamin Recht and
# > Oriol Vinyals**, published at **ICLR 2017** (arXiv:1611.03530) — not "Ramesh et al.,
# > 2020". Its finding fits this chapter: the same networks that generalise well on real
# > labels can also fit completely *random* labels, so training curves alone do not prove
# > that a model has learned something general — always watch a held-out set.
#
# **Exercises**
#
# 1. Replicate Zhang et al.'s experiment in miniature: shuffle `y_tr` randomly, train
#    longer (20 epochs) and plot the history. Training accuracy climbs; what does
#    validation accuracy do?
# 2. Profile one step of `LSTMClassifier(..., bidirectional=True)`. How does the share of
#    the LSTM op change?
# 3. Set the environment variable `TINYLLM_BACKEND=numpy` and re-run this chapter. Which
#    section slows down most?
# 4. Add `tinyllm.train.EarlyStopping(patience=2)` to the trainer's callbacks and train
#    for 30 epochs. At which epoch does it stop, and which weights does it keep?
