"""Basic layers by hand (Linear, Neuron, Embedding, LayerNorm, Dropout, activations), init,
clip_grad_norm_, gradchecks and bad input."""

import math

import numpy as np
import pytest

import tinyllm as tl
from tinyllm import nn
from tinyllm.nn import init
from tinyllm.nn.utils import clip_grad_norm_, gradcheck_module

RNG = np.random.default_rng(0)


def test_linear_by_hand_and_bad_input():
    lin = nn.Linear(2, 3).double()
    lin.weight.data[...] = [[1, 2], [0, -1], [3, 0.5]]
    lin.bias.data[...] = [0.5, 0, -1]
    out = lin(np.array([[1.0, 2.0]]))
    assert out.data.tolist() == [[5.5, -2.0, 3.0]]
    with pytest.raises(ValueError) as e:
        lin(np.zeros((4, 3)))
    assert str(e.value) == ("Linear(2, 3): input's last dimension must be in_features=2, got "
                            "input shape (4, 3)")
    bound = 1 / math.sqrt(64)
    w = nn.Linear(64, 32).weight.data
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound


def test_neuron_is_the_books_weighted_sum():
    n = nn.Neuron(3, activation="sigmoid").double()
    n.w.data[...] = [0.5, -1.0, 2.0]
    n.b.data[...] = 0.25
    x = np.array([1.0, 2.0, 0.5])
    z = 0.5 * 1 - 1 * 2 + 2 * 0.5 + 0.25
    assert n(x).item() == pytest.approx(1 / (1 + math.exp(-z)), abs=1e-15)
    n.activation = None
    assert n(x).item() == pytest.approx(z, abs=1e-15)
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        nn.Neuron(2, activation="swish")
    with pytest.raises(ValueError, match=r"last dimension 3, got shape \(2,\)"):
        n(np.ones(2))


def test_embedding_padding_row_is_zero_and_gets_no_gradient():
    tl.manual_seed(0)
    emb = nn.Embedding(5, 3, padding_idx=0)
    assert not emb.weight.data[0].any()
    ids = np.array([[0, 2, 2], [4, 0, 1]])
    out = emb(ids)
    np.testing.assert_array_equal(out.data, emb.weight.data[ids])
    out.sum().backward()
    assert emb.weight.grad[:, 0].tolist() == [0, 1, 2, 0, 1]
    with pytest.raises(ValueError, match="id 5 is out of range for a table of 5 rows"):
        emb(np.array([5]))
    with pytest.raises(ValueError, match="padding_idx 7 outside"):
        nn.Embedding(5, 3, padding_idx=7)


def test_layer_norm_by_hand():
    ln = nn.LayerNorm(4).double()
    ln.weight.data[...] = [1, 2, 1, 1]
    ln.bias.data[...] = [0, 0, 1, 0]
    x = np.array([1.0, 2.0, 3.0, 6.0])
    mu, var = 3.0, (4 + 1 + 0 + 9) / 4
    xhat = (x - mu) / math.sqrt(var + 1e-5)
    np.testing.assert_allclose(ln(x).data, xhat * [1, 2, 1, 1] + [0, 0, 1, 0], atol=1e-14)
    assert [n for n, _ in nn.LayerNorm(4, elementwise_affine=False).named_parameters()] == []


def test_dropout_and_activation_modules():
    tl.manual_seed(3)
    d = nn.Dropout(0.25)
    x = np.ones((200, 100))
    y = d(x).data
    assert set(np.unique(y)) == {0.0, 1 / 0.75}
    assert abs((y == 0).mean() - 0.25) < 0.01
    d.eval()
    np.testing.assert_array_equal(d(x).data, x)
    z = np.array([-2.0, 0.5])
    assert nn.ReLU()(z).data.tolist() == [0.0, 0.5]
    np.testing.assert_allclose(nn.Sigmoid()(z).data, 1 / (1 + np.exp(-z)), atol=1e-15)
    np.testing.assert_allclose(nn.Tanh()(z).data, np.tanh(z), atol=1e-15)
    np.testing.assert_allclose(nn.GELU()(z).data,
                               [0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in z], atol=1e-7)
    np.testing.assert_allclose(nn.Softmax()(z).data, np.exp(z) / np.exp(z).sum(), atol=1e-15)
    assert nn.Identity()(z) is z
    with pytest.raises(ValueError, match=r"Dropout: p must be in \[0, 1\)"):
        nn.Dropout(1.0)


@pytest.mark.parametrize("make, inputs", [
    (lambda: nn.Linear(3, 2), lambda: [RNG.standard_normal((2, 4, 3))]),
    (lambda: nn.Neuron(3, activation="tanh"), lambda: [RNG.standard_normal((4, 3))]),
    (lambda: nn.Embedding(5, 3), lambda: [np.array([[0, 1, 4], [4, 4, 2]])]),
    (lambda: nn.LayerNorm(4), lambda: [RNG.standard_normal((2, 3, 4))]),
    (lambda: nn.Sequential(nn.Linear(3, 4), nn.GELU(), nn.Linear(4, 2), nn.Softmax()),
     lambda: [RNG.standard_normal((5, 3))]),
])
def test_layer_gradchecks(make, inputs):
    tl.manual_seed(4)
    m = make().double()
    if isinstance(m, nn.LayerNorm):  # away from the γ = 1, β = 0 special case
        m.weight.data[...] = RNG.standard_normal(4)
        m.bias.data[...] = RNG.standard_normal(4)
    with tl.use_backend("numpy"):
        rep = gradcheck_module(m, *inputs())
    assert rep.passed, rep.table()


def test_gradcheck_module_needs_float64():
    with pytest.raises(TypeError, match=r"not float64; call module.double\(\)"):
        gradcheck_module(nn.Linear(2, 2), np.ones((1, 2)))


def test_init_functions():
    tl.manual_seed(5)
    p = nn.Parameter(np.empty((400, 300)))
    init.zeros_(p)
    assert not p.data.any()
    init.constant_(p, 0.5)
    assert np.all(p.data == 0.5)
    init.normal_(p, 1.0, 2.0)
    assert abs(p.data.mean() - 1.0) < 0.02 and abs(p.data.std() - 2.0) < 0.02
    init.uniform_(p, -0.1, 0.3)
    assert p.data.min() >= -0.1 and p.data.max() < 0.3
    init.xavier_uniform_(p)
    a = math.sqrt(6 / 700)
    assert np.abs(p.data).max() <= a and abs(p.data.std() - a / math.sqrt(3)) < 0.002
    init.xavier_normal_(p)
    assert abs(p.data.std() - math.sqrt(2 / 700)) < 0.001
    init.kaiming_normal_(p)
    assert abs(p.data.std() - math.sqrt(2 / 300)) < 0.001
    init.kaiming_uniform_(p)
    assert np.abs(p.data).max() <= math.sqrt(2) * math.sqrt(3 / 300)
    q = nn.Parameter(np.empty((5, 8)))
    init.orthogonal_(q, gain=2.0)
    np.testing.assert_allclose(q.data @ q.data.T, 4 * np.eye(5), atol=1e-12)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.xavier_uniform_(nn.Parameter(np.empty(4)))


def test_clip_grad_norm_by_hand():
    a, b = nn.Parameter(np.zeros(1)), nn.Parameter(np.zeros(1))
    a.grad, b.grad = np.array([3.0]), np.array([4.0])
    assert clip_grad_norm_([a, b], 1.0) == pytest.approx(5.0)
    np.testing.assert_allclose([a.grad[0], b.grad[0]], [0.6, 0.8], rtol=1e-6)
    assert clip_grad_norm_([a, b], 10.0) == pytest.approx(1.0, rel=1e-6)  # no change
    np.testing.assert_allclose([a.grad[0], b.grad[0]], [0.6, 0.8], rtol=1e-6)
    a.grad = np.array([np.nan])
    with pytest.raises(FloatingPointError, match="NaN or inf"):
        clip_grad_norm_([a, b], 1.0)
