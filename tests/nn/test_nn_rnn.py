"""nn.LSTM and nn.GRU: hand-computed steps, directions, states, gradchecks, bad input."""

import math

import numpy as np
import pytest

import tinyllm as tl
from tinyllm import functional as F
from tinyllm import nn
from tinyllm.nn.utils import functional_call


def _sig(a):
    return 1.0 / (1.0 + math.exp(-a))


def _set(module, **arrays):
    for name, value in arrays.items():
        getattr(module, name).data[...] = value


def test_lstm_one_step_by_hand():
    m = nn.LSTM(1, 1).double()
    # rows in gate order i, f, g, o
    _set(m, weight_ih_l0=[[0.5], [-0.3], [0.8], [0.2]], weight_hh_l0=[[0.1], [0.4], [-0.6], [0.7]],
         bias_ih_l0=[0.1, 0.2, 0.0, -0.1], bias_hh_l0=[0.0, 0.1, 0.3, 0.05])
    x, h0, c0 = 2.0, 0.5, -1.0
    out, (h_n, c_n) = m(np.array([[[x]]]), (np.array([[[h0]]]), np.array([[[c0]]])))
    i = _sig(0.5 * x + 0.1 * h0 + 0.1)
    f = _sig(-0.3 * x + 0.4 * h0 + 0.3)
    g = math.tanh(0.8 * x - 0.6 * h0 + 0.3)
    o = _sig(0.2 * x + 0.7 * h0 - 0.05)
    c = f * c0 + i * g
    h = o * math.tanh(c)
    assert out.data[0, 0, 0] == pytest.approx(h, abs=1e-14)
    assert h_n.data[0, 0, 0] == pytest.approx(h, abs=1e-14)
    assert c_n.data[0, 0, 0] == pytest.approx(c, abs=1e-14)


def test_gru_two_steps_by_hand():
    m = nn.GRU(1, 1).double()
    # rows in gate order r, z, n
    _set(m, weight_ih_l0=[[0.5], [-0.4], [0.9]], weight_hh_l0=[[0.3], [0.2], [-0.7]],
         bias_ih_l0=[0.1, 0.0, -0.2], bias_hh_l0=[0.05, 0.1, 0.3])
    h = 0.25
    expect = []
    for x in (1.5, -0.5):
        r = _sig(0.5 * x + 0.1 + 0.3 * h + 0.05)
        z = _sig(-0.4 * x + 0.0 + 0.2 * h + 0.1)
        n = math.tanh(0.9 * x - 0.2 + r * (-0.7 * h + 0.3))  # r gates the hidden part + b_hn
        h = (1 - z) * n + z * h
        expect.append(h)
    out, h_n = m(np.array([[[1.5]], [[-0.5]]]), np.array([[[0.25]]]))
    np.testing.assert_allclose(out.data[:, 0, 0], expect, atol=1e-14)
    assert h_n.data[0, 0, 0] == pytest.approx(expect[-1], abs=1e-14)


def test_parameter_names_shapes_and_init_like_pytorch():
    tl.manual_seed(0)
    m = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    names = [(n, p.shape) for n, p in m.named_parameters()]
    expected = []
    for layer, n_in in ((0, 3), (1, 8)):
        for sfx in ("", "_reverse"):
            expected += [(f"weight_ih_l{layer}{sfx}", (16, n_in)),
                         (f"weight_hh_l{layer}{sfx}", (16, 4)),
                         (f"bias_ih_l{layer}{sfx}", (16,)), (f"bias_hh_l{layer}{sfx}", (16,))]
    assert names == expected
    bound = 1 / math.sqrt(4)
    allw = np.concatenate([p.data.ravel() for p in m.parameters()])
    assert np.abs(allw).max() <= bound and np.abs(allw).max() > 0.9 * bound
    assert m.num_parameters() == sum(int(np.prod(s)) for _, s in expected)
    g = nn.GRU(3, 4, bias=False)
    assert [(n, p.shape) for n, p in g.named_parameters()] == [("weight_ih_l0", (12, 3)),
                                                              ("weight_hh_l0", (12, 4))]


@pytest.mark.parametrize("cls", [nn.LSTM, nn.GRU])
def test_bidirectional_is_forward_plus_reversed_run(cls):
    tl.manual_seed(1)
    bi = cls(3, 4, bidirectional=True, batch_first=True).double()
    fw = cls(3, 4, batch_first=True).double()
    bw = cls(3, 4, batch_first=True).double()
    sd = bi.state_dict()
    fw.load_state_dict({k: v for k, v in sd.items() if not k.endswith("_reverse")})
    bw.load_state_dict({k[: -len("_reverse")]: v for k, v in sd.items() if k.endswith("_reverse")})
    x = np.random.default_rng(0).standard_normal((2, 6, 3))
    out, _ = bi(x)
    out_f, _ = fw(x)
    out_b, _ = bw(x[:, ::-1].copy())
    np.testing.assert_allclose(out.data[..., :4], out_f.data, atol=1e-14)
    np.testing.assert_allclose(out.data[..., 4:], out_b.data[:, ::-1], atol=1e-14)


def test_final_states_order_and_batch_first():
    tl.manual_seed(2)
    m = nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True).double()
    x = np.random.default_rng(1).standard_normal((2, 5, 3))
    out, (h_n, c_n) = m(x)
    assert out.shape == (2, 5, 8) and h_n.shape == c_n.shape == (4, 2, 4)
    # top layer: forward direction ends at the last step, the reverse one at the first
    np.testing.assert_allclose(h_n.data[2], out.data[:, -1, :4], atol=1e-15)
    np.testing.assert_allclose(h_n.data[3], out.data[:, 0, 4:], atol=1e-15)
    # time-major gives the same numbers transposed
    m.batch_first = False
    out_t, (h_t, _) = m(x.transpose(1, 0, 2).copy())
    np.testing.assert_allclose(out_t.data.transpose(1, 0, 2), out.data, atol=1e-15)
    np.testing.assert_allclose(h_t.data, h_n.data, atol=1e-15)


@pytest.mark.parametrize("cls", [nn.LSTM, nn.GRU])
def test_initial_state_continues_a_sequence(cls):
    tl.manual_seed(3)
    m = cls(2, 3, num_layers=2, batch_first=True).double()
    x = np.random.default_rng(2).standard_normal((2, 7, 2))
    full, _ = m(x)
    first, state = m(x[:, :4])
    second, _ = m(x[:, 4:], state)
    np.testing.assert_allclose(np.concatenate([first.data, second.data], 1), full.data,
                               atol=1e-14)


def test_bias_false_equals_zero_bias():
    tl.manual_seed(4)
    a = nn.LSTM(2, 3, bias=False).double()
    b = nn.LSTM(2, 3).double()
    sd = a.state_dict()
    sd.update(bias_ih_l0=np.zeros(12), bias_hh_l0=np.zeros(12))
    b.load_state_dict(sd)
    x = np.random.default_rng(3).standard_normal((4, 2, 2))
    np.testing.assert_array_equal(a(x)[0].data, b(x)[0].data)


def test_dropout_between_layers_only_while_training():
    tl.manual_seed(5)
    m = nn.LSTM(2, 3, num_layers=2, dropout=0.5).double()
    ref = nn.LSTM(2, 3, num_layers=2).double()
    ref.load_state_dict(m.state_dict())
    x = np.random.default_rng(4).standard_normal((5, 2, 2))
    m.eval()
    np.testing.assert_array_equal(m(x)[0].data, ref(x)[0].data)
    m.train()
    tl.manual_seed(9)
    a = m(x)[0].data
    tl.manual_seed(9)
    b = m(x)[0].data
    np.testing.assert_array_equal(a, b)               # drawn from tinyllm's seeded generator
    assert np.abs(a - ref(x)[0].data).max() > 1e-3    # and it does change the output
    single = nn.LSTM(2, 3, dropout=0.5).double()      # one layer: nothing between layers
    single.load_state_dict({k: v for k, v in m.state_dict().items() if k.endswith("l0")})
    single_ref = nn.LSTM(2, 3).double()
    single_ref.load_state_dict(single.state_dict())
    np.testing.assert_array_equal(single(x)[0].data, single_ref(x)[0].data)


def _flat(*ts):
    return F.concatenate([t.reshape(-1) for t in ts])


def test_lstm_gradcheck_two_layers_bidirectional_with_state():
    tl.manual_seed(6)
    m = nn.LSTM(2, 2, num_layers=2, bidirectional=True, batch_first=True).double()
    names, params = zip(*m.named_parameters())
    rng = np.random.default_rng(5)
    x, h0, c0 = rng.standard_normal((2, 5, 2)), rng.standard_normal((4, 2, 2)), \
        rng.standard_normal((4, 2, 2))

    def fn(x, h0, c0, *ps):
        out, (h_n, c_n) = functional_call(m, dict(zip(names, ps)), (x, (h0, c0)))
        return _flat(out, h_n, c_n)

    with tl.use_backend("numpy"):
        rep = tl.gradcheck(fn, [x, h0, c0, *params])
    assert rep.passed, rep.table()
    assert len(rep.inputs) == 3 + 16


def test_gru_gradcheck_two_layers_bidirectional_with_state():
    tl.manual_seed(7)
    m = nn.GRU(2, 3, num_layers=2, bidirectional=True).double()
    names, params = zip(*m.named_parameters())
    rng = np.random.default_rng(6)
    x, h0 = rng.standard_normal((5, 2, 2)), rng.standard_normal((4, 2, 3))

    def fn(x, h0, *ps):
        out, h_n = functional_call(m, dict(zip(names, ps)), (x, h0))
        return _flat(out, h_n)

    with tl.use_backend("numpy"):
        rep = tl.gradcheck(fn, [x, h0, *params])
    assert rep.passed, rep.table()


def test_gru_function_has_a_registered_gradcheck_case():
    from tinyllm.ops.cases import run_all
    [(name, rep)] = run_all(["GRU"])
    assert name == "GRU" and rep.passed, rep.table()


def test_rnn_float32_default_and_backward_reaches_every_weight():
    tl.manual_seed(8)
    m = nn.GRU(3, 4, num_layers=2, batch_first=True)
    x = tl.tensor(np.random.default_rng(7).standard_normal((2, 5, 3)).astype(np.float32))
    out, h = m(x)
    assert out.dtype == np.float32 and h.dtype == np.float32
    (out.sum() + h.sum()).backward()
    assert all(p.grad is not None and p.grad.dtype == np.float32 and np.abs(p.grad).sum() > 0
               for p in m.parameters())


@pytest.mark.parametrize("cls", [nn.LSTM, nn.GRU])
def test_two_dimensional_input_is_rejected(cls):
    m = cls(8, 16, batch_first=True)
    with pytest.raises(ValueError) as e:
        m(np.zeros((5, 8), np.float32))
    assert str(e.value) == (f"{cls.__name__}(input_size=8, hidden_size=16): input must be 3-D "
                            "(batch, seq, feature) with batch_first=True, got shape (5, 8)")
    m = cls(8, 16)
    with pytest.raises(ValueError, match=r"3-D \(seq, batch, feature\) with batch_first=False"):
        m(np.zeros((5, 8), np.float32))


def test_other_bad_rnn_arguments():
    m = nn.LSTM(8, 16, num_layers=2)
    with pytest.raises(ValueError, match=r"last dimension must be input_size=8.*\(5, 2, 7\)"):
        m(np.zeros((5, 2, 7), np.float32))
    h = np.zeros((1, 2, 16), np.float32)
    with pytest.raises(ValueError, match=r"h_0 must have shape .* = \(2, 2, 16\), got \(1, 2"):
        m(np.zeros((5, 2, 8), np.float32), (h, h))
    with pytest.raises(TypeError, match="hx must be a tuple"):
        m(np.zeros((5, 2, 8), np.float32), np.zeros((2, 2, 16), np.float32))
    with pytest.raises(TypeError, match=r"input dtype float64 differs .*float32.*\.double\(\)"):
        m(np.zeros((5, 2, 8)))
    with pytest.raises(ValueError, match="hidden_size must be a positive integer"):
        nn.GRU(3, 0)
    with pytest.raises(ValueError, match="dropout must be in"):
        nn.GRU(3, 4, dropout=1.0)


def test_repr():
    assert repr(nn.LSTM(8, 16, num_layers=2, batch_first=True, bidirectional=True)) == \
        "LSTM(8, 16, num_layers=2, batch_first=True, bidirectional=True)"
    assert repr(nn.GRU(3, 4, dropout=0.2)) == "GRU(3, 4, dropout=0.2)"
