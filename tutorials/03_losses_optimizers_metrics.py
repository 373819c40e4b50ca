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
# # Chapter 3 — Losses, optimizers, learning-rate schedules, metrics
#
# *Follows the book's sections 2.7–2.9 and 2.12 (loss, optimizer, update, evaluation),
# 3.2 (metrics) and 4.3 (loss formulas).*
#
# Training needs three things: a **loss** that says how wrong the model is, an
# **optimizer** that moves the weights to lower it, and (usually) a **schedule** for the
# optimizer's step size. Once the model is trained, **metrics** say how good it is. This
# chapter puts numbers on all four.

# %%

import matplotlib.pyplot as plt
import numpy as np

import tinyllm as tl
from tinyllm.labs.tutorial import tutorial_setup
from tinyllm import functional as F
from tinyllm import metrics, nn, optim

FAST, FIG = tutorial_setup(globals().get("__file__"))
np.set_printoptions(precision=4, suppress=True)
tl.manual_seed(0)
print("fast mode" if FAST else "full mode")

# %% [markdown]
# ## 1. Cross-entropy (book §4.3.1)
#
# For a classifier that outputs probabilities p₁ … p_C (a softmax of its logits ℓ) and a
# one-hot target y:
#
# $$ L = -\sum_{i=1}^{C} y_i \log p_i = -\log p_{\text{target}},\qquad
#    p_i = \frac{e^{\ell_i}}{\sum_j e^{\ell_j}}. $$
#
# Only the probability of the right class counts; the loss is 0 when it is 1 and grows
# without bound as it goes to 0. Over a batch we average. Its gradient with respect to the
# logits is beautifully simple: **∂L/∂ℓ = p − y**.

# %%
logits = tl.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]], requires_grad=True)
targets = np.array([0, 1])
p = np.exp(logits.data) / np.exp(logits.data).sum(axis=1, keepdims=True)
by_hand = -np.log(p[np.arange(2), targets]).mean()
loss = F.cross_entropy(logits, targets)
loss.backward()
print("probabilities:\n", p)
print(f"cross-entropy by hand {by_hand:.6f}  F.cross_entropy {loss.item():.6f}")
print("gradient (p − y)/N by hand:\n", (p - np.eye(3)[targets]) / 2)
print("autograd:\n", logits.grad)

# %% [markdown]
# For two classes with one sigmoid output q = σ(ℓ) the same idea is the **binary
# cross-entropy** L = −[y log q + (1 − y) log(1 − q)] (`F.binary_cross_entropy` on
# probabilities, or `F.binary_cross_entropy_with_logits` on ℓ — numerically safer).
#
# ## 2. Mean squared error (book §4.3.2)
#
# For regression the book writes L = ½ Σᵢ (yᵢ − ŷᵢ)². The ½ only makes the derivative
# clean (∂L/∂ŷᵢ = ŷᵢ − yᵢ); libraries usually report the *mean* instead. `F.mse_loss`
# offers both: `reduction="half_sum"` is the book's form.

# %%
y_true = tl.tensor([1.0, 2.0, 3.0, 4.0])
y_hat = tl.tensor([1.5, 1.5, 3.0, 5.0], requires_grad=True)
half_sum = F.mse_loss(y_hat, y_true, reduction="half_sum")
mean = F.mse_loss(y_hat, y_true)
half_sum.backward()
print(f"½Σ(y−ŷ)² = {half_sum.item():.4f}  (by hand {0.5 * (0.25 + 0.25 + 0 + 1):.4f})")
print(f"mean     = {mean.item():.4f}  (by hand {(0.25 + 0.25 + 0 + 1) / 4:.4f})")
print("∂(½Σ)/∂ŷ = ŷ − y =", y_hat.grad)

# %% [markdown]
# Why not MSE for classification? Plot both losses against the probability given to the
# right class: cross-entropy punishes a confident mistake much harder, and its gradient
# does not vanish when a sigmoid output saturates.

# %%
q = np.linspace(0.01, 0.99, 99)
fig, ax = plt.subplots(figsize=(5.5, 3.5))
ax.plot(q, -np.log(q), label="cross-entropy  −log q")
ax.plot(q, 0.5 * (1 - q) ** 2, label="squared error  ½(1 − q)²")
ax.set_xlabel("probability q of the correct class")
ax.set_ylabel("loss")
ax.legend()
ax.grid(alpha=0.3)
fig.tight_layout()
fig.savefig(FIG / "03_losses.png", dpi=100)
plt.close(fig)

# %% [markdown]
# ## 3. Optimizers: SGD, momentum, Adam (book §2.8–2.9)
#
# All optimizers use the gradient g = ∂L/∂w, but step differently:
#
# * **SGD**: w ← w − α g.
# * **SGD with momentum** μ: b ← μ b + g, w ← w − α b — a running direction that
#   smooths noise and speeds up along consistent slopes.
# * **Adam**: running means of g and g² (m, v), bias-corrected, and
#   w ← w − α m̂ / (√v̂ + ε) — a per-weight step size, so steep and flat directions move at
#   similar speed.
#
# We train the same small network, from the same initial weights, on a two-class problem
# in the plane (two interleaved half-moons), with each optimizer.

# %%
rng = np.random.default_rng(0)
n = 200 if FAST else 400
t = rng.uniform(0, np.pi, n)
label = rng.integers(0, 2, n)
X = np.stack([np.cos(t) + label * 1.0, np.sin(t) * (1 - 2 * label) + label * 0.4], axis=1)
X = (X + rng.normal(0, 0.12, X.shape)).astype(np.float32)


def make_net():
    return nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 2))


tl.manual_seed(1)
init_state = {k: v.copy() for k, v in make_net().state_dict().items()}
steps = 150 if FAST else 600
runs = {
    "SGD lr=0.1": lambda ps: optim.SGD(ps, lr=0.1),
    "SGD+momentum 0.9 lr=0.1": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
    "Adam lr=0.01": lambda ps: optim.Adam(ps, lr=0.01),
}
curves = {}
for name, make_opt in runs.items():
    net = make_net()
    net.load_state_dict(init_state)
    opt = make_opt(net.parameters())
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(net(X), label)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    with tl.no_grad():
        acc = metrics.accuracy(label, net(X).data.argmax(axis=1))
    curves[name] = losses
    print(f"{name:26s} loss after {steps} steps: {losses[-1]:.4f}   accuracy {acc:.3f}")

fig, ax = plt.subplots(figsize=(6, 3.6))
for name, losses in curves.items():
    ax.plot(losses, label=name)
ax.set_yscale("log")
ax.set_xlabel("step (full batch)")
ax.set_ylabel("cross-entropy")
ax.set_title("same network, same start, three optimizers")
ax.legend()
ax.grid(alpha=0.3)
fig.tight_layout()
fig.savefig(FIG / "03_optimizers.png", dpi=100)
plt.close(fig)

# %% [markdown]
# ## 4. Learning-rate schedules
#
# A constant step size is a compromise: large steps make fast early progress but bounce
# around the minimum; small steps settle but are slow. Schedules change α during training.
# Each scheduler in `tinyllm.optim` (as in PyTorch) rewrites `optimizer.param_groups[i]["lr"]`
# when you call `sched.step()`:
#
# | schedule | α at step t |
# |---|---|
# | `StepLR(step_size, γ)` | α₀ · γ^⌊t / step_size⌋ |
# | `ExponentialLR(γ)` | α₀ · γᵗ |
# | `CosineAnnealingLR(T_max)` | α_min + (α₀ − α_min) · ½(1 + cos(π t / T_max)) |
# | `LinearWarmupCosine(W, S)` | linear ramp for W steps, then cosine down to α_min at S — the usual Transformer schedule |

# %%
total = 200
schedules = {
    "StepLR(50, 0.5)": lambda o: optim.StepLR(o, step_size=50, gamma=0.5),
    "ExponentialLR(0.98)": lambda o: optim.ExponentialLR(o, gamma=0.98),
    "CosineAnnealingLR(200)": lambda o: optim.CosineAnnealingLR(o, T_max=total),
    "LinearWarmupCosine(20, 200)": lambda o: optim.LinearWarmupCosine(
        o, warmup_steps=20, total_steps=total, min_lr=1e-4),
}
fig, ax = plt.subplots(figsize=(6, 3.6))
for name, make in schedules.items():
    opt = optim.SGD([nn.Parameter(np.zeros(1, dtype=np.float32))], lr=1e-2)
    sched = make(opt)
    lrs = []
    for _ in range(total):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    ax.plot(lrs, label=name)
    print(f"{name:28s} lr at steps 0, 10, 100, 199: "
          f"{lrs[0]:.2e} {lrs[10]:.2e} {lrs[100]:.2e} {lrs[199]:.2e}")
ax.set_xlabel("step")
ax.set_ylabel("learning rate")
ax.legend(fontsize=8)
ax.grid(alpha=0.3)
fig.tight_layout()
fig.savefig(FIG / "03_lr_schedules.png", dpi=100)
plt.close(fig)

# %% [markdown]
# ## 5. Evaluation metrics, computed correctly (book §§2.12, 3.2)
#
# For a binary task, count the four kinds of outcome in a **confusion matrix**:
#
# |  | predicted 1 | predicted 0 |
# |---|---|---|
# | **true 1** | TP (true positive) | FN (false negative) |
# | **true 0** | FP (false positive) | TN (true negative) |
#
# $$ \text{accuracy} = \frac{TP+TN}{n},\quad
#    \text{precision} = \frac{TP}{TP+FP},\quad
#    \text{recall} = \frac{TP}{TP+FN},\quad
#    F_1 = \frac{2\,PR}{P+R}. $$
#
# Precision asks "of the items I flagged, how many were right?"; recall asks "of the real
# positives, how many did I find?". They matter exactly when classes are imbalanced —
# spam, rare diseases, named entities — where accuracy flatters a lazy model.
#
# Take a concrete case: 100 messages, 10 of them spam. A filter flags 5, of which 3 are
# spam.

# %%
y_true = np.array([1] * 10 + [0] * 90)
y_pred = np.array([1] * 3 + [0] * 7 + [1] * 2 + [0] * 88)
cm = metrics.confusion_matrix(y_true, y_pred, labels=[1, 0])
print("confusion matrix (rows true 1/0, columns predicted 1/0):\n", cm)
acc = metrics.accuracy(y_true, y_pred)
P = metrics.precision(y_true, y_pred)
R = metrics.recall(y_true, y_pred)
f1 = metrics.f1_score(y_true, y_pred)
print(f"accuracy  = (3 + 88)/100 = {acc:.2f}")
print(f"precision = 3/(3 + 2)    = {P:.2f}")
print(f"recall    = 3/(3 + 7)    = {R:.2f}")
print(f"F1        = 2PR/(P + R)  = {f1:.3f}")

# %% [markdown]
# > **Erratum (book §3.2).** The book's `precision` and `recall` functions both count the
# > predictions that equal their labels — *of every class* — and divide by the number of
# > predictions (precision) or of labels (recall). Predictions and labels have the same
# > length, so **both compute the accuracy**, never TP/(TP+FP) or TP/(TP+FN). The
# > accompanying text also calls F1 the harmonic mean of *accuracy* and recall; it is the
# > harmonic mean of **precision** and recall. Here is that formula, in our own words, on
# > the same confusion matrix — and on a filter that flags nothing at all:

# %%
def matches_over_all(preds, labels):
    """What the book's precision and recall both compute: correct predictions / n."""
    preds, labels = np.asarray(preds), np.asarray(labels)
    return np.count_nonzero(preds == labels) / len(preds)


lazy = np.zeros(100, dtype=int)                         # never flags anything
print(f"{'':24s}{'book formula':>14s}{'precision':>11s}{'recall':>8s}{'accuracy':>10s}")
for name, pred in [("filter above", y_pred), ("flag nothing", lazy)]:
    print(f"{name:24s}{matches_over_all(pred, y_true):14.2f}"
          f"{metrics.precision(y_true, pred):11.2f}{metrics.recall(y_true, pred):8.2f}"
          f"{metrics.accuracy(y_true, pred):10.2f}")

# %% [markdown]
# With the book's formula the do-nothing filter scores a "recall" of 0.90 while it finds
# none of the ten spam messages; its real recall is 0. (`tinyllm.metrics` returns 0 for
# the undefined precision 0/0 of a model that predicts no positive, as scikit-learn does.)
#
# For more than two classes, each class gets its own precision and recall, and
# `average="macro"` (plain mean over classes), `"weighted"` (by support) or `"micro"`
# (pooled counts — equal to accuracy for single-label data) combine them:

# %%
yt = np.array([0, 0, 0, 0, 1, 1, 1, 2, 2, 2])
yp = np.array([0, 0, 1, 0, 1, 2, 1, 2, 2, 0])
print(metrics.classification_report(yt, yp, target_names=["neg", "neu", "pos"], digits=3))

# %% [markdown]
# > **Erratum (book §§2.11, 3.2, 9.3).** The book defines an *inference strategy* (推理策略)
# > as the methods for evaluating a model — accuracy, recall, F1 — and lists those metrics
# > under that heading. These are two different things:
# >
# > * **metrics** (this section) *evaluate* a model's predictions against reference
# >   answers, after the fact;
# > * an **inference strategy** is how a trained model *produces* its output in the first
# >   place: greedy decoding, temperature / top-k / top-p sampling, beam search, a KV cache,
# >   batching. Changing it changes the output (and hence the metrics).
# >
# > tinyllm keeps them apart: `tinyllm.metrics` for the first, `tinyllm.infer` for the
# > second. Chapter 6 is about inference strategies.
#
# **Exercises**
#
# 1. Compute `F.cross_entropy` with `label_smoothing=0.1` on the logits of section 1 and
#    derive the value by hand (the target becomes 0.9 on the right class and 0.1/C spread
#    over all classes).
# 2. Re-run section 3 with `optim.SGD(lr=1.0)` and with `optim.Adam(lr=0.1)`. Which one
#    diverges, and why does Adam's step size barely depend on the scale of the loss?
# 3. Find a confusion matrix where precision is high and recall low, and one with the
#    opposite. Which error would you rather make in a spam filter? In a cancer screen?
# 4. Show that micro-averaged precision equals accuracy for single-label multi-class data.
