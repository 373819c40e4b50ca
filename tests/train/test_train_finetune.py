"""Fine-tuning helpers and LoRA: hand-computed outputs, counts, merges, freezing."""

import numpy as np
import pytest

import tinyllm as tl
from tinyllm import nn, optim
from tinyllm.nn.lora import LoRALinear
from tinyllm.train import (
    Trainer,
    add_head,
    apply_lora,
    count_parameters,
    freeze,
    lora_state_dict,
    merge_lora,
    param_groups,
    replace_head,
    unfreeze,
)


def _body(seed=0):
    tl.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 6), nn.Tanh(),
                         nn.Linear(6, 3))


def test_lora_forward_is_the_formula():
    base = nn.Linear(3, 2)
    base.weight.data[...] = [[1.0, 0.0, -1.0], [0.5, 2.0, 0.0]]
    base.bias.data[...] = [0.1, -0.2]
    lora = LoRALinear(base, rank=1, alpha=4.0)
    lora.lora_A.data[...] = [[1.0, 1.0, 1.0]]          # A [1, 3]
    lora.lora_B.data[...] = [[0.5], [-1.0]]            # B [2, 1]
    x = np.array([[1.0, 2.0, 3.0]], dtype=np.float32)
    # x Wᵀ + b = [1 − 3 + 0.1, 0.5 + 4 − 0.2] = [−1.9, 4.3]
    # (α/r)·x Aᵀ Bᵀ = 4 · 6 · [0.5, −1] = [12, −24]
    np.testing.assert_allclose(lora(tl.tensor(x)).data, [[10.1, -19.7]], rtol=1e-6)
    np.testing.assert_allclose(lora.delta_weight(), 4.0 * np.outer([0.5, -1.0], [1, 1, 1]))


def test_lora_starts_as_the_base_layer_and_counts_parameters():
    tl.manual_seed(1)
    base = nn.Linear(16, 8)
    x = tl.tensor(np.random.default_rng(0).normal(size=(5, 16)).astype(np.float32))
    expected = base(x).data
    lora = LoRALinear(base, rank=4, alpha=8.0, dropout=0.1)
    np.testing.assert_array_equal(lora.eval()(x).data, expected)  # B = 0 at the start
    assert lora.num_lora_parameters() == 4 * (16 + 8)
    assert lora.num_parameters(trainable_only=True) == 96
    assert lora.num_parameters() == 16 * 8 + 8 + 96


def test_lora_gradients_reach_only_a_and_b_and_merge_matches():
    tl.manual_seed(2)
    lora = LoRALinear(nn.Linear(5, 4), rank=2, alpha=2.0)
    lora.lora_B.data[...] = np.random.default_rng(1).normal(size=(4, 2))
    x = tl.tensor(np.random.default_rng(2).normal(size=(3, 5)).astype(np.float32))
    lora(x).sum().backward()
    assert lora.base.weight.grad is None and lora.base.bias.grad is None
    assert lora.lora_A.grad.shape == (2, 5) and lora.lora_B.grad.shape == (4, 2)
    unmerged = lora(x).data
    w_before = lora.base.weight.data.copy()
    lin = lora.to_linear()
    np.testing.assert_allclose(lin(x).data, unmerged, rtol=1e-5, atol=1e-6)
    lora.merge()
    np.testing.assert_allclose(lora(x).data, unmerged, rtol=1e-5, atol=1e-6)
    lora.unmerge()
    np.testing.assert_allclose(lora.base.weight.data, w_before, atol=1e-6)
    with pytest.raises(ValueError, match="rank"):
        LoRALinear(nn.Linear(5, 4), rank=5)
    with pytest.raises(TypeError, match="nn.Linear"):
        LoRALinear(nn.Tanh())


def test_replace_head_keeps_the_layer_order():
    m = _body()
    old_names = list(m.state_dict())
    head = replace_head(m, num_classes=5)
    assert m[4] is head and (head.in_features, head.out_features) == (6, 5)
    assert list(m.state_dict()) == old_names
    assert m(tl.tensor(np.ones((2, 4), dtype=np.float32))).shape == (2, 5)
    with pytest.raises(ValueError, match="num_classes"):
        replace_head(m, 0)


def test_freeze_unfreeze_and_counts():
    m = _body()
    total = 4 * 6 + 6 + 6 * 6 + 6 + 6 * 3 + 3
    assert count_parameters(m) == {"trainable": total, "frozen": 0, "total": total,
                                   "trainable_fraction": 1.0}
    assert freeze(m) == total
    assert unfreeze(m, ["4.*"]) == 6 * 3 + 3
    assert count_parameters(m)["trainable"] == 21
    assert [n for n, p in m.named_parameters() if p.requires_grad] == ["4.weight", "4.bias"]
    with pytest.raises(ValueError, match="no parameter matches"):
        freeze(m, "encoder.*")


def test_param_groups_give_per_group_learning_rates():
    m = _body()
    freeze(m, "0.*")
    groups = param_groups(m, {"4.*": 1e-2, "2.weight": {"lr": 1e-3, "weight_decay": 0.1}},
                          default_lr=1e-4)
    assert [len(g["params"]) for g in groups] == [2, 1, 1]   # frozen layer 0 left out
    assert [g["lr"] for g in groups] == [1e-2, 1e-3, 1e-4]
    opt = optim.AdamW(groups)
    assert [g["weight_decay"] for g in opt.param_groups] == [0.01, 0.1, 0.01]
    # one SGD step: each parameter moves by its own group's lr × its gradient
    for p in m.parameters():
        p.grad = np.ones_like(p.data)
    before = {n: p.data.copy() for n, p in m.named_parameters()}
    optim.SGD(param_groups(m, {"4.*": 0.5}, default_lr=0.1)).step()
    after = dict(m.named_parameters())
    np.testing.assert_allclose(after["4.bias"].data, before["4.bias"] - 0.5, rtol=1e-6)
    np.testing.assert_allclose(after["2.bias"].data, before["2.bias"] - 0.1, rtol=1e-6)
    np.testing.assert_array_equal(after["0.bias"].data, before["0.bias"])
    with pytest.raises(ValueError, match="matches no trainable"):
        param_groups(m, {"0.*": 1e-3})


def test_apply_lora_trains_and_merges_back():
    m = _body(3)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 1).astype(np.int64)
    names = apply_lora(m, targets=["0", "2"], rank=2, alpha=4.0, trainable=["4.*"])
    assert names == ["0", "2"]
    trainable = sorted(n for n, p in m.named_parameters() if p.requires_grad)
    assert trainable == ["0.lora_A", "0.lora_B", "2.lora_A", "2.lora_B", "4.bias", "4.weight"]
    assert count_parameters(m)["trainable"] == 2 * (4 + 6) + 2 * (6 + 6) + 21
    frozen = m[0].base.weight.data.copy()
    tr = Trainer(m, optim.Adam([p for p in m.parameters() if p.requires_grad], lr=0.05),
                 verbose=0)
    h = tr.fit((x, y), epochs=15, batch_size=16)
    assert h.history["loss"][-1] < 0.6 * h.history["loss"][0]
    np.testing.assert_array_equal(m[0].base.weight.data, frozen)
    assert sorted(lora_state_dict(m)) == ["0.lora_A", "0.lora_B", "2.lora_A", "2.lora_B"]
    m.eval()
    out = m(tl.tensor(x)).data
    assert merge_lora(m) == 2
    assert list(m.state_dict()) == [f"{i}.{k}" for i in (0, 2, 4) for k in ("weight", "bias")]
    np.testing.assert_allclose(m(tl.tensor(x)).data, out, rtol=1e-4, atol=1e-5)


def test_add_head_on_a_body_with_a_selector():
    tl.manual_seed(4)
    body = _body()
    model = add_head(body, in_features=3, num_classes=2, select=lambda out: out * 2.0)
    x = tl.tensor(np.ones((5, 4), dtype=np.float32))
    expected = model.head(body(x) * 2.0).data
    np.testing.assert_allclose(model(x).data, expected, rtol=1e-6)
    assert [n for n in model.state_dict() if n.startswith("head.")] == ["head.weight",
                                                                        "head.bias"]
