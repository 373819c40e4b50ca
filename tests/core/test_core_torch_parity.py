"""Values and gradients of every op against PyTorch, in float64 (skipped without torch)."""

import numpy as np
import pytest

import tinyllm as tl
from tinyllm import functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

rng = np.random.default_rng(42)


def r(*shape, positive=False):
    x = rng.standard_normal(shape)
    return np.abs(x) + 0.5 if positive else x


# name: (tinyllm fn, torch fn, input arrays, constant kwargs)
CASES = {
    "add": (lambda a, b: a + b, lambda a, b: a + b, [r(3, 4), r(4)]),
    "sub": (lambda a, b: a - b, lambda a, b: a - b, [r(2, 1, 4), r(3, 4)]),
    "mul": (lambda a, b: a * b, lambda a, b: a * b, [r(3, 4), r(3, 1)]),
    "div": (lambda a, b: a / b, lambda a, b: a / b, [r(3, 4), r(4, positive=True)]),
    "neg": (lambda a: -a, lambda a: -a, [r(5)]),
    "pow": (lambda a, b: a ** b, lambda a, b: a ** b, [r(3, positive=True), r(3)]),
    "matmul": (lambda a, b: a @ b, lambda a, b: a @ b, [r(2, 3, 4), r(4, 5)]),
    "matmul_vec": (lambda a, b: a @ b, lambda a, b: a @ b, [r(4), r(4, 2)]),
    "sum": (lambda a: a.sum(axis=1), lambda a: a.sum(dim=1), [r(3, 4)]),
    "mean": (lambda a: a.mean(axis=(0, 2), keepdims=True),
             lambda a: a.mean(dim=(0, 2), keepdim=True), [r(2, 3, 4)]),
    "max": (lambda a: a.max(axis=-1), lambda a: a.amax(dim=-1), [r(3, 4)]),
    "reshape": (lambda a: a.reshape(6, 2), lambda a: a.reshape(6, 2), [r(3, 4)]),
    "transpose": (lambda a: a.transpose(1, 2, 0), lambda a: a.permute(1, 2, 0), [r(2, 3, 4)]),
    "getitem": (lambda a: a[np.array([0, 2, 0]), 1:3], lambda a: a[[0, 2, 0], 1:3], [r(3, 4)]),
    "concatenate": (lambda a, b: tl.concatenate([a, b], axis=1),
                    lambda a, b: torch.cat([a, b], dim=1), [r(2, 3), r(2, 1)]),
    "stack": (lambda a, b: tl.stack([a, b], axis=0), lambda a, b: torch.stack([a, b], 0),
              [r(2, 3), r(2, 3)]),
    "exp": (lambda a: a.exp(), torch.exp, [r(3, 4)]),
    "log": (lambda a: a.log(), torch.log, [r(3, 4, positive=True)]),
    "sqrt": (lambda a: a.sqrt(), torch.sqrt, [r(3, 4, positive=True)]),
    "sigmoid": (F.sigmoid, torch.sigmoid, [r(3, 4) * 5]),
    "relu": (F.relu, torch.relu, [r(3, 4)]),
    "tanh": (F.tanh, torch.tanh, [r(3, 4)]),
    "gelu": (F.gelu, TF.gelu, [r(3, 4) * 2]),
    "gelu_tanh": (lambda a: F.gelu(a, approximate="tanh"),
                  lambda a: TF.gelu(a, approximate="tanh"), [r(3, 4) * 2]),
    "softmax": (lambda a: F.softmax(a, axis=0), lambda a: torch.softmax(a, 0), [r(3, 4)]),
    "log_softmax": (F.log_softmax, lambda a: torch.log_softmax(a, -1), [r(3, 4)]),
    "cross_entropy": (
        lambda z: F.cross_entropy(z, np.array([1, 0, -100, 3]), label_smoothing=0.1),
        lambda z: TF.cross_entropy(z, torch.tensor([1, 0, -100, 3]), label_smoothing=0.1),
        [r(4, 5)]),
    "cross_entropy_nd": (
        lambda z: F.cross_entropy(z, np.array([[1, 0], [2, 2]]), reduction="sum"),
        lambda z: TF.cross_entropy(z, torch.tensor([[1, 0], [2, 2]]), reduction="sum"),
        [r(2, 3, 2)]),
    "bce": (lambda p, y: F.binary_cross_entropy(p, y), TF.binary_cross_entropy,
            [1 / (1 + np.exp(-r(6))), rng.uniform(0, 1, 6)]),
    "bce_logits": (F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits,
                   [r(6) * 4, rng.uniform(0, 1, 6)]),
    "mse": (F.mse_loss, TF.mse_loss, [r(3, 2), r(3, 2)]),
    "layer_norm": (lambda x, w, b: F.layer_norm(x, (4,), w, b),
                   lambda x, w, b: TF.layer_norm(x, (4,), w, b), [r(2, 3, 4), r(4), r(4)]),
    "embedding": (lambda w: F.embedding(np.array([[0, 2], [2, 1]]), w),
                  lambda w: TF.embedding(torch.tensor([[0, 2], [2, 1]]), w), [r(3, 4)]),
    "where": (lambda a, b: tl.where(np.array([True, False, True]), a, b),
              lambda a, b: torch.where(torch.tensor([True, False, True]), a, b), [r(3), r(3)]),
    "masked_fill": (lambda a: a.masked_fill(np.array([[True, False]]), -2.0),
                    lambda a: a.masked_fill(torch.tensor([[True, False]]), -2.0), [r(3, 2)]),
    "sdpa_causal": (
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
        lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, is_causal=True),
        [r(1, 2, 4, 3), r(1, 2, 4, 3), r(1, 2, 4, 3)]),
    "sdpa_mask": (
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, mask=np.array([True, False,
                                                                               True])),
        lambda q, k, v: TF.scaled_dot_product_attention(
            q, k, v, attn_mask=torch.tensor([True, False, True])),
        [r(2, 2, 3), r(2, 3, 3), r(2, 3, 5)]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_value_and_gradient_match_torch(name):
    ours_fn, torch_fn, arrays = CASES[name]
    ours = [tl.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = ours_fn(*ours)
    ref = torch_fn(*theirs)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = np.random.default_rng(7).standard_normal(out.shape)
    out.backward(g)
    ref.backward(torch.tensor(g))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_lstm_op_matches_torch():
    T, B, I, H = 6, 2, 3, 4
    arrays = [r(T, B, I), r(B, H), r(B, H), r(4 * H, I), r(4 * H, H), r(4 * H), r(4 * H)]
    ours = [tl.tensor(a, requires_grad=True) for a in arrays]
    hs, hT, cT = F.lstm(*ours)
    cell = torch.nn.LSTM(I, H).double()
    with torch.no_grad():
        for p, a in zip((cell.weight_ih_l0, cell.weight_hh_l0, cell.bias_ih_l0, cell.bias_hh_l0),
                        arrays[3:]):
            p.copy_(torch.tensor(a))
    x = torch.tensor(arrays[0], requires_grad=True)
    h0 = torch.tensor(arrays[1][None], requires_grad=True)
    c0 = torch.tensor(arrays[2][None], requires_grad=True)
    out, (hn, cn) = cell(x, (h0, c0))
    np.testing.assert_allclose(hs.data, out.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(cT.data, cn[0].detach().numpy(), rtol=1e-10)
    (hs.sum() + (hT * cT).sum()).backward()
    (out.sum() + (hn * cn).sum()).backward()
    np.testing.assert_allclose(ours[0].grad, x.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours[3].grad, cell.weight_ih_l0.grad.numpy(), rtol=1e-9)
    np.testing.assert_allclose(ours[4].grad, cell.weight_hh_l0.grad.numpy(), rtol=1e-9)
    np.testing.assert_allclose(ours[1].grad, h0.grad[0].numpy(), rtol=1e-9, atol=1e-12)
