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
# # Chapter 1 — From a single neuron to backpropagation
#
# *Follows the book's chapters 2 (the pipeline) and 4.1–4.4 (neuron, activations, forward and
# backward pass, worked example). Run it as a script (`python
# tutorials/01_neuron_forward_backward.py`) or open it as a notebook with jupytext.
# `TINYLLM_FAST=1` makes it quicker; the code path is the same.*
#
# What you will do:
#
# 1. see the whole pipeline of a language model once, and where each stage lives in tinyllm;
# 2. compute one neuron by hand and with `nn.Neuron`;
# 3. plot sigmoid, ReLU, tanh and their derivatives — the derivatives taken by autograd;
# 4. run the chain rule by hand and compare it with `backward()`;
# 5. redo the book's worked example (§4.4) with the numbers that really follow from its
#    inputs, and train it;
# 6. catch a wrong derivative with `tl.gradcheck`.

# %%

import matplotlib.pyplot as plt
import numpy as np

import tinyllm as tl
from tinyllm.labs.tutorial import tutorial_setup
from tinyllm import functional as F
from tinyllm import nn

FAST, FIG = tutorial_setup(globals().get("__file__"))
np.set_printoptions(precision=4, suppress=True)
tl.manual_seed(0)
print("fast mode" if FAST else "full mode", "| figures go to", FIG)

# %% [markdown]
# ## 1. The pipeline, end to end
#
# Section 2 of the book draws a chain of twelve boxes. Read it as the life of a piece of text
# inside a language model:
#
# | stage | what happens | where in tinyllm |
# |---|---|---|
# | text | raw strings: sentences, documents | `tinyllm.data` (corpora, loaders) |
# | preprocessing | split text into tokens, map them to integer ids | `tinyllm.text` (chapter 2) |
# | embedding | look each id up in a learned table of vectors | `nn.Embedding` |
# | encoder / decoder | stacked layers (LSTM, Transformer) mix the vectors with context | `nn.LSTM`, `nn.TransformerBlock`, `models` |
# | output | a last linear layer gives one score (logit) per class or per vocabulary token | `nn.Linear` |
# | loss | one number saying how wrong the output is | `F.cross_entropy`, `F.mse_loss` (chapter 3) |
# | optimizer / update | gradients by backpropagation, then a step downhill | `Tensor.backward`, `tinyllm.optim` |
# | fine-tuning | continue training a pretrained model on a new task | `tinyllm.train.finetune` (chapter 5) |
# | inference | turn a trained model's outputs into answers: greedy, sampling, beam search | `tinyllm.infer` (chapter 6) |
# | evaluation | score those answers against references: accuracy, F1, BLEU, perplexity | `tinyllm.metrics` (chapter 3) |
#
# The last two rows are different things — the book mixes them up (see the erratum in
# chapter 3). Below is the same chain as a figure.

# %%
stages = ["text", "tokens\n(ids)", "embedding", "encoder /\ndecoder", "output\nlogits", "loss",
          "backward +\noptimizer", "fine-tune", "inference\n(decoding)", "evaluation\n(metrics)"]
fig, ax = plt.subplots(figsize=(12, 2.2))
for i, s in enumerate(stages):
    colour = "#cde" if i < 5 else ("#fdc" if i < 8 else "#dfd")
    ax.add_patch(plt.Rectangle((i * 1.2, 0), 1.0, 1.0, fc=colour, ec="k"))
    ax.text(i * 1.2 + 0.5, 0.5, s, ha="center", va="center", fontsize=8)
    if i:
        ax.annotate("", (i * 1.2, 0.5), (i * 1.2 - 0.2, 0.5), arrowprops=dict(arrowstyle="->"))
ax.set_xlim(-0.1, len(stages) * 1.2)
ax.set_ylim(-0.1, 1.1)
ax.axis("off")
ax.set_title("forward (blue) · learning (orange) · using the model (green)")
fig.tight_layout()
fig.savefig(FIG / "01_pipeline.png", dpi=100)
plt.close(fig)

# %% [markdown]
# ## 2. One neuron (book §4.1.1)
#
# A neuron takes n inputs x₁ … xₙ, multiplies each by its **weight** wᵢ, adds a **bias** b,
# and passes the sum through an activation f:
#
# $$ z = \sum_{i=1}^{n} w_i x_i + b, \qquad a = f(z). $$
#
# > **Erratum (book §4.1.1).** The book's gloss of this formula calls wᵢ "the input and the
# > weight". wᵢ is the weight only; xᵢ is the input. The weights (and b) are what training
# > changes; the inputs are data.
#
# `nn.Neuron` is exactly this unit. Its parameters are `w` (shape `[n]`) and `b` (a scalar).

# %%
neuron = nn.Neuron(3, activation="sigmoid")
with tl.no_grad():
    neuron.w.data[:] = [0.5, -1.0, 2.0]
    neuron.b.data[...] = 0.1
x = np.array([1.0, 2.0, 3.0], dtype=np.float32)

z_by_hand = 0.5 * 1.0 + (-1.0) * 2.0 + 2.0 * 3.0 + 0.1         # Σ wᵢxᵢ + b
a_by_hand = 1.0 / (1.0 + np.exp(-z_by_hand))
a_neuron = neuron(x).item()
print(f"z by hand = {z_by_hand:.4f}, sigmoid(z) by hand = {a_by_hand:.6f}")
print(f"nn.Neuron output              = {a_neuron:.6f}")
assert abs(a_by_hand - a_neuron) < 1e-6

# %% [markdown]
# ## 3. Activation functions and their derivatives (book §4.1.2)
#
# Without a non-linear f, a stack of neurons collapses into one linear map. The three
# classic choices and their derivatives:
#
# | f | f(z) | f′(z) |
# |---|---|---|
# | sigmoid | σ(z) = 1/(1+e^{−z}) | σ(z)(1−σ(z)) — at most 0.25 |
# | ReLU | max(0, z) | 1 if z > 0 else 0 |
# | tanh | (e^z − e^{−z})/(e^z + e^{−z}) | 1 − tanh²(z) |
#
# We get the derivatives **from autograd**: put z in a tensor with `requires_grad=True`,
# sum the activation (the sum's gradient w.r.t. each zᵢ is f′(zᵢ)), call `backward()`, and
# compare with the closed forms above.

# %%
zs = np.linspace(-5, 5, 401)
closed_form = {
    "sigmoid": lambda z: (1 / (1 + np.exp(-z))) * (1 - 1 / (1 + np.exp(-z))),
    "relu": lambda z: (z > 0).astype(float),
    "tanh": lambda z: 1 - np.tanh(z) ** 2,
}
fig, axes = plt.subplots(1, 3, figsize=(12, 3.3))
for ax, name in zip(axes, ["sigmoid", "relu", "tanh"]):
    z = tl.tensor(zs, requires_grad=True)          # float64 stays float64
    a = getattr(F, name)(z)
    a.sum().backward()
    err = np.abs(z.grad - closed_form[name](zs)).max()
    print(f"{name:8s} max |autograd − closed form| = {err:.2e}")
    ax.plot(zs, a.data, label=f"{name}(z)")
    ax.plot(zs, z.grad, "--", label=f"{name}′(z) (autograd)")
    ax.axhline(0, color="gray", lw=0.5)
    ax.set_title(name)
    ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(FIG / "01_activations.png", dpi=100)
plt.close(fig)

# %% [markdown]
# Note sigmoid's derivative: it never exceeds 0.25 and vanishes for |z| > 5. Multiply many
# of those together (a deep stack, or an RNN over many steps) and the gradient fades — one
# reason modern networks use ReLU/GELU between layers and keep sigmoid for gates and
# binary outputs.
#
# ## 4. Forward pass, backward pass, chain rule (book §4.2)
#
# Take one sigmoid neuron and a squared-error loss against a target t:
#
# $$ z = \mathbf w\cdot\mathbf x + b,\quad y = \sigma(z),\quad L = \tfrac12 (y - t)^2. $$
#
# The **forward pass** computes z, y, L in that order. The **backward pass** applies the
# chain rule in the opposite order:
#
# $$ \frac{\partial L}{\partial w_i} = \underbrace{(y - t)}_{\partial L/\partial y}\;
#    \underbrace{y(1-y)}_{\partial y/\partial z}\; \underbrace{x_i}_{\partial z/\partial w_i},
#    \qquad \frac{\partial L}{\partial b} = (y-t)\,y(1-y). $$
#
# Then gradient descent moves every parameter a small step against its gradient:
# w ← w − α ∂L/∂w.

# %%
w = tl.tensor([0.5, -1.0, 2.0], requires_grad=True)
b = tl.tensor(0.1, requires_grad=True)
xv = tl.tensor([1.0, 2.0, 3.0])
t = 0.0

y = (xv @ w + b).sigmoid()                 # forward
L = 0.5 * (y - t) ** 2
L.backward()                               # backward: fills w.grad and b.grad

yv = y.item()
dL_dw_hand = (yv - t) * yv * (1 - yv) * xv.data
dL_db_hand = (yv - t) * yv * (1 - yv)
print(f"y = {yv:.6f}, L = {L.item():.6f}")
print("dL/dw by hand:", dL_dw_hand, "  autograd:", w.grad)
print(f"dL/db by hand: {dL_db_hand:.6f}   autograd: {float(b.grad):.6f}")
assert np.allclose(dL_dw_hand, w.grad, atol=1e-6)

# %% [markdown]
# The neuron sits deep in sigmoid's flat region (z = 4.6, y ≈ 0.99), so although the
# prediction is badly wrong the gradient is small — the "saturation" problem in numbers.
# A few steps of gradient descent still bring y down:

# %%
alpha = 2.0
for step in range(6):
    for p in (w, b):
        p.grad = None
    y = (xv @ w + b).sigmoid()
    L = 0.5 * (y - t) ** 2
    L.backward()
    print(f"step {step}: y = {y.item():.4f}  L = {L.item():.5f}")
    with tl.no_grad():
        w.data -= alpha * w.grad
        b.data -= alpha * b.grad

# %% [markdown]
# ## 5. The book's worked example (§4.4), with the real numbers
#
# The book sets up a binary classification task on 3-feature inputs, a hidden layer with
# the weight matrix
#
# $$ W_1 = \begin{pmatrix} 0.1 & 0.2 & 0.3\\ 0.4 & 0.5 & 0.6\\ 0.7 & 0.8 & 0.9\end{pmatrix},\quad b = 0, $$
#
# and ReLU, then a cross-entropy loss. `tinyllm.labs.worked_example` holds those numbers;
# `forward_example()` runs the forward pass on the book's three rows
# x = (1,0,1), (1,1,0), (0,1,1) and returns every intermediate.
#
# > **Erratum (book §4.4.1).** The z matrix printed in the book does not follow from its x,
# > W₁ and b. With z = xW₁ + b, the first row is (1,0,1)·W₁ = (0.1+0.7, 0.2+0.8, 0.3+0.9)
# > = **(0.8, 1.0, 1.2)** — the book's values belong to no input shown. The cell below
# > prints the real z and the book's next to it.

# %%
from tinyllm.labs import BOOK_W1, forward_example, sgd_step_by_hand, train_worked_example

ex = forward_example()
z_real = ex["z"].data
z_book = np.array([[0.3, 0.4, 0.5], [0.6, 0.7, 0.8], [0.9, 1.0, 1.1]])
print("x =\n", ex["x"].data)
print("W1 =\n", BOOK_W1)
print("z = x·W1 + b (computed) =\n", z_real)
print("z as printed in the book =\n", z_book)
print("first row by hand:", np.array([0.1 + 0.7, 0.2 + 0.8, 0.3 + 0.9]))
print("a = ReLU(z) =\n", ex["a"].data)

# %% [markdown]
# > **Erratum (book §4.4.2).** The book then sums a cross-entropy −Σᵢ yᵢ log pᵢ over the
# > **three hidden units** of a **binary** task. There are only two classes, and hidden
# > activations are not probabilities; the network needs an **output layer** that maps the
# > three hidden values to two class scores, and a softmax that turns the scores into
# > probabilities. `worked_example` adds that layer (a fixed 3×2 matrix W₂), so the full
# > model is
# >
# > $$ z = xW_1 + b,\; a = \mathrm{ReLU}(z),\; \ell = aW_2,\; p = \mathrm{softmax}(\ell),\;
# >    L = -\tfrac1N \sum_n \log p_{n, y_n}. $$
# >
# > The book gives no labels either; here y = 1 when features 0 and 2 are both on.

# %%
print("labels y          :", ex["y"])
print("logits = a·W2     :\n", ex["logits"].data)
print("probabilities p   :\n", ex["probs"].data)
print(f"cross-entropy L   : {ex['loss'].item():.6f}")

# %% [markdown]
# Now the backward pass. By the chain rule, with one-hot targets Y:
#
# $$ \frac{\partial L}{\partial \ell} = \frac{p - Y}{N},\quad
#    \frac{\partial L}{\partial a} = \frac{\partial L}{\partial \ell} W_2^\top,\quad
#    \frac{\partial L}{\partial z} = \frac{\partial L}{\partial a}\odot[z>0],\quad
#    \frac{\partial L}{\partial W_1} = x^\top \frac{\partial L}{\partial z}. $$
#
# `sgd_step_by_hand()` writes exactly these four lines in NumPy — no autograd — and returns
# the gradient and W₁ after one SGD step (α = 0.1). Compare with `loss.backward()`:

# %%
dW1_hand, W1_after = sgd_step_by_hand(lr=0.1)
ex["loss"].backward()
print("dL/dW1 by hand:\n", dW1_hand)
print("dL/dW1 autograd:\n", ex["W1"].grad)
print("max difference:", np.abs(dW1_hand - ex["W1"].grad).max())
print("W1 after one step W1 − 0.1·dL/dW1:\n", W1_after)

# %% [markdown]
# Finally, train the corrected network on the book's 100 samples with plain SGD and watch
# the loss fall. (All 100 rows are random binary triples; the first three are the book's.)

# %%
steps = 120 if FAST else 400
hist = train_worked_example(steps=steps, lr=0.5, log_every=steps // 4)
s, losses, accs = zip(*hist)
fig, ax1 = plt.subplots(figsize=(6, 3.5))
ax1.plot(s, losses, label="loss")
ax1.set_xlabel("SGD step")
ax1.set_ylabel("cross-entropy")
ax2 = ax1.twinx()
ax2.plot(s, accs, color="C1", label="accuracy")
ax2.set_ylabel("accuracy")
ax1.set_title("§4.4 network, with its output layer, trained by SGD")
fig.tight_layout()
fig.savefig(FIG / "01_worked_example_training.png", dpi=100)
plt.close(fig)
print(f"final loss {losses[-1]:.4f}, accuracy {accs[-1]:.2f}")

# %% [markdown]
# ## 6. Exercise: catch a wrong derivative with `gradcheck`
#
# Every op in tinyllm is a `Function` with a hand-written `backward`. How do we know the
# derivative is right? Compare it with **central finite differences**:
#
# $$ \frac{\partial f}{\partial x_i} \approx \frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2\varepsilon}, $$
#
# whose error is O(ε²). `tl.gradcheck(fn, inputs)` does this in float64 for every input
# element and reports the largest error.
#
# Below, a new op — softplus, s(x) = log(1 + eˣ), whose derivative is σ(x) — is written
# twice: once correctly, and once with a typical slip (the derivative of log(1+u) with the
# inner derivative eˣ forgotten).

# %%
from tinyllm.autograd import Function


class SoftplusRight(Function):
    """s(x) = log(1 + eˣ);  s′(x) = eˣ/(1 + eˣ) = σ(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.logaddexp(0.0, x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved
        return g / (1.0 + np.exp(-x))


class SoftplusWrong(Function):
    """Same forward; backward forgets the chain rule's inner factor eˣ."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.logaddexp(0.0, x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved
        return g / (1.0 + np.exp(x))          # should be eˣ/(1 + eˣ)


xs = tl.tensor(np.linspace(-2, 2, 7), requires_grad=True)
good = tl.gradcheck(SoftplusRight.apply, [xs], name="softplus (right)")
bad = tl.gradcheck(SoftplusWrong.apply, [xs], name="softplus (wrong)")
print(good.table())
print(bad.table())
assert good.passed and not bad.passed

# %% [markdown]
# (Defining these classes registers them in tinyllm's op registry for this Python session
# only. In the library itself, every op must come with a gradcheck case in
# `tinyllm/ops/cases.py`, or the test suite fails.)
#
# **Exercises**
#
# 1. Change `SoftplusWrong.backward` until `gradcheck` passes. Then make ε in
#    `tl.gradcheck(..., eps=...)` as large as 1e-2 and as small as 1e-12: why does the
#    error grow at both ends?
# 2. Write a `Function` for the "leaky ReLU" f(z) = z if z > 0 else 0.01·z and gradcheck
#    it. What happens when one of the test points is exactly 0?
# 3. In section 5, replace W₂ by a single output column and a sigmoid with
#    `F.binary_cross_entropy`. Derive ∂L/∂W₁ by hand, then check it with autograd.
# 4. Make the hidden layer wider with `train_worked_example(hidden=16)` (W₁ then starts
#    random). Does the loss fall faster? Try a few seeds (`tl.manual_seed`) and lr values:
#    when does a ReLU unit "die" (z ≤ 0 for every sample, so it never gets a gradient)?
