"""nn.Module machinery: registration, traversal, state dicts, modes, freezing, repr."""

import numpy as np
import pytest

import tinyllm as tl
from tinyllm import nn, optim
from tinyllm.nn.utils import functional_call


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(3, 4), nn.ReLU())
        self.scale = nn.Parameter(np.ones(2, np.float32))
        self.heads = nn.ModuleList([nn.Linear(4, 2), nn.Linear(4, 2, bias=False)])
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        h = self.drop(self.encoder(x))
        return (self.heads[0](h) + self.heads[1](h)) * self.scale


def test_registration_names_and_counts():
    net = Net()
    assert [(n, p.shape) for n, p in net.named_parameters()] == [
        ("scale", (2,)), ("encoder.0.weight", (4, 3)), ("encoder.0.bias", (4,)),
        ("heads.0.weight", (2, 4)), ("heads.0.bias", (2,)), ("heads.1.weight", (2, 4))]
    assert net.num_parameters() == 2 + 12 + 4 + 8 + 2 + 8
    assert list(net.state_dict()) == [n for n, _ in net.named_parameters()]
    net.extra = nn.Linear(1, 1)
    assert "extra.weight" in dict(net.named_parameters())
    del net.extra
    assert "extra.weight" not in dict(net.named_parameters())
    net.scale = None                                    # re-assigning drops the registration
    assert "scale" not in dict(net.named_parameters())


def test_shared_parameter_counted_once():
    a = nn.Linear(2, 2)
    seq = nn.Sequential(a, a)
    assert len(list(seq.parameters())) == 2 and seq.num_parameters() == 6


def test_modes_zero_grad_and_freezing():
    tl.manual_seed(0)
    net = Net()
    net.eval()
    assert not net.training and not net.drop.training and not net.heads[0].training
    net.train()
    assert net.drop.training
    net.eval()
    out = net(np.ones((5, 3), np.float32))
    out.sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.encoder.requires_grad_(False)
    assert net.num_parameters(trainable_only=True) == 36 - 16
    opt = optim.SGD(net.parameters(), lr=0.1)
    before = net.encoder[0].weight.data.copy()
    net(np.ones((5, 3), np.float32)).sum().backward()
    assert net.encoder[0].weight.grad is None and net.heads[0].weight.grad is not None
    opt.step()
    np.testing.assert_array_equal(net.encoder[0].weight.data, before)


def test_state_dict_round_trip_is_a_copy():
    tl.manual_seed(1)
    a, b = Net(), Net()
    sd = a.state_dict()
    sd["scale"][0] = 99.0
    assert a.scale.data[0] == 1.0
    b.load_state_dict(a.state_dict())
    x = np.random.default_rng(0).standard_normal((3, 3)).astype(np.float32)
    a.eval(), b.eval()
    np.testing.assert_array_equal(a(x).data, b(x).data)
    b.double()
    b.load_state_dict(a.state_dict())                   # keeps the module's dtype
    assert b.heads[0].weight.dtype == np.float64


def test_load_state_dict_errors_name_keys_layers_and_shapes():
    net = Net()
    sd = net.state_dict()
    bad = dict(sd, **{"heads.0.weight": np.zeros((3, 4))})
    with pytest.raises(nn.StateDictError) as e:
        net.load_state_dict(bad)
    assert str(e.value) == ("load_state_dict into Net: mis-shaped: heads.0.weight (weight of "
                            "Linear(in_features=4, out_features=2, bias=True)): expected shape "
                            "(2, 4), got (3, 4)")
    missing = {k: v for k, v in sd.items() if k != "scale"}
    with pytest.raises(nn.StateDictError, match="missing keys: scale$"):
        net.load_state_dict(missing)
    with pytest.raises(nn.StateDictError, match="unexpected keys: head.weight$"):
        net.load_state_dict(dict(sd, **{"head.weight": np.zeros(1)}))
    before = net.scale.data.copy()
    with pytest.raises(nn.StateDictError):               # nothing is half-loaded on error
        net.load_state_dict(dict(bad, scale=np.full(2, 7.0)))
    np.testing.assert_array_equal(net.scale.data, before)
    res = net.load_state_dict(dict(missing, extra=np.zeros(1)), strict=False)
    assert res == {"missing_keys": ["scale"], "unexpected_keys": ["extra"]}
    assert isinstance(nn.StateDictError("x"), ValueError)


def test_repr_tree_and_summary():
    m = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    assert repr(m) == ("Sequential(\n  (0): Linear(in_features=3, out_features=4, bias=True)\n"
                       "  (1): ReLU()\n  (2): Linear(in_features=4, out_features=2, bias=True)\n)")
    assert m.summary().endswith("parameters: 26 (26 trainable)")
    d = nn.ModuleDict({"a": nn.Embedding(5, 2, padding_idx=0)})
    assert repr(d) == "ModuleDict(\n  (a): Embedding(5, 2, padding_idx=0)\n)"
    assert "a" in d and len(d) == 1 and list(d.keys()) == ["a"]


def test_functional_call_swaps_and_restores():
    lin = nn.Linear(2, 1).double()
    w = tl.tensor(np.array([[2.0, 3.0]]))
    b = tl.tensor(np.array([1.0]))
    out = functional_call(lin, {"weight": w, "bias": b}, (np.array([[1.0, 1.0]]),))
    assert out.data.tolist() == [[6.0]]
    assert lin.weight is lin._parameters["weight"] and isinstance(lin.weight, nn.Parameter)
    with pytest.raises(ValueError, match="Linear has no parameter 'weights'"):
        functional_call(lin, {"weights": w}, (np.ones((1, 2)),))


def test_parameter_and_module_misuse():
    with pytest.raises(TypeError, match="floating point"):
        nn.Parameter(np.array([1, 2]))

    class Forgot(nn.Module):
        def __init__(self):
            self.w = 1

    with pytest.raises(RuntimeError, match="super\\(\\).__init__\\(\\)"):
        Forgot()
