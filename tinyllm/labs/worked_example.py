"""The book's worked example (§4.4), with the numbers that really follow from its inputs.

A binary classifier on 3-feature inputs: hidden layer z = x·W1 + b, a = ReLU(z), then an
output layer (the book omits it: a cross-entropy over three hidden units of a *binary*
task is not defined) producing two logits, softmax, cross-entropy.

Erratum (§4.4.1): the book prints z = [[.3,.4,.5],[.6,.7,.8],[.9,1.0,1.1]], which does
not follow from its x and W1. For x = [1, 0, 1] the product is
x·W1 = [0.1 + 0.7, 0.2 + 0.8, 0.3 + 0.9] = [0.8, 1.0, 1.2]. :func:`forward_example`
computes the real values and the tests pin them.
"""

from __future__ import annotations

import numpy as np

from ..autograd.tensor import Tensor
from ..functional import cross_entropy
from ..rng import get_rng

BOOK_W1 = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]])
BOOK_W1.setflags(write=False)  # the book's constants: training works on copies
#: The output layer the book leaves out: 3 hidden units -> 2 class logits.
OUTPUT_W2 = np.array([[0.5, -0.5], [-0.3, 0.3], [0.2, -0.1]])
OUTPUT_W2.setflags(write=False)
#: The three rows the book shows.
BOOK_X = np.array([[1.0, 0.0, 1.0], [1.0, 1.0, 0.0], [0.0, 1.0, 1.0]])
BOOK_X.setflags(write=False)


def book_inputs(n: int = 100, seed: int = 0):
    """The book's data set: ``n`` samples of 3 binary features, the first three rows being
    the book's. The book gives no labels; here y = 1 when features 0 and 2 are both on."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2, size=(n, 3)).astype(np.float64)
    x[:3] = BOOK_X
    y = (x[:, 0] == 1) & (x[:, 2] == 1)
    return x, y.astype(np.int64)


def forward_example(x=BOOK_X, y=None, w1=BOOK_W1, w2=OUTPUT_W2, dtype=np.float64):
    """One forward pass; returns every intermediate as a dict of arrays, plus tensors."""
    y = book_inputs(len(x))[1][: len(x)] if y is None else np.asarray(y)
    W1 = Tensor(np.array(w1, dtype=dtype), requires_grad=True)
    b1 = Tensor(np.zeros(W1.shape[1], dtype=dtype), requires_grad=True)
    W2 = Tensor(np.array(w2, dtype=dtype), requires_grad=True)
    xt = Tensor(np.asarray(x, dtype=dtype))
    z = xt @ W1 + b1          # z = Σᵢ xᵢ·W1ᵢⱼ + bⱼ for each hidden unit j
    a = z.relu()              # a = max(0, z)
    logits = a @ W2           # output layer
    loss = cross_entropy(logits, y)
    return {"x": xt, "y": y, "W1": W1, "b1": b1, "W2": W2, "z": z, "a": a,
            "logits": logits, "probs": logits.softmax(axis=-1), "loss": loss}


def sgd_step_by_hand(lr: float = 0.1, x=BOOK_X, y=None):
    """The chain rule written out by hand (no autograd) and one SGD step on W1.

    With p = softmax(logits) and N rows:  ∂L/∂logits = (p − onehot(y))/N,
    ∂L/∂a = ∂L/∂logits · W2ᵀ,  ∂L/∂z = ∂L/∂a ⊙ [z > 0],  ∂L/∂W1 = xᵀ · ∂L/∂z.
    Returns (dW1, W1 − lr·dW1).
    """
    y = book_inputs(len(x))[1][: len(x)] if y is None else np.asarray(y)
    x = np.asarray(x, dtype=np.float64)
    z = x @ BOOK_W1
    a = np.maximum(z, 0)
    logits = a @ OUTPUT_W2
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    onehot = np.eye(2)[y]
    d_logits = (p - onehot) / len(x)
    d_a = d_logits @ OUTPUT_W2.T
    d_z = d_a * (z > 0)
    d_w1 = x.T @ d_z
    return d_w1, BOOK_W1 - lr * d_w1


def train_worked_example(steps: int = 300, lr: float = 0.5, hidden: int = 3, seed: int = 0,
                         log_every: int = 50, dtype=np.float32, log=print):
    """Train the §4.4 network (3 → hidden ReLU → 2) on the book's 100 samples with SGD.

    W1 starts at the book's matrix (for hidden = 3); the rest is small random. Returns the
    list of (step, loss, accuracy).
    """
    x, y = book_inputs(100, seed)
    rng = get_rng()
    w1 = BOOK_W1 if hidden == 3 else rng.normal(0, 0.5, (3, hidden))
    W1 = Tensor(np.array(w1, dtype=dtype), requires_grad=True)
    b1 = Tensor(np.zeros(hidden, dtype=dtype), requires_grad=True)
    W2 = Tensor(rng.normal(0, 0.5, (hidden, 2)).astype(dtype), requires_grad=True)
    b2 = Tensor(np.zeros(2, dtype=dtype), requires_grad=True)
    params = [W1, b1, W2, b2]
    xt = Tensor(x.astype(dtype))
    history = []
    for step in range(steps + 1):
        logits = (xt @ W1 + b1).relu() @ W2 + b2
        loss = cross_entropy(logits, y)
        acc = float(np.mean(logits.data.argmax(axis=1) == y))
        history.append((step, float(loss.item()), acc))
        if log is not None and step % log_every == 0:
            log(f"  step {step:4d}   loss {loss.item():.4f}   accuracy {acc:.2f}")
        if step == steps:
            break
        for p in params:
            p.grad = None
        loss.backward()
        for p in params:  # plain SGD: w ← w − α·∂L/∂w
            p.data -= lr * p.grad
    return history
