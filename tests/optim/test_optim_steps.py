"""One step of each optimizer against the update written out by hand; parameter groups;
bit-for-bit resume; penalties; bad input."""

import json
import math

import numpy as np
import pytest

import tinyllm as tl
from tinyllm import nn, optim

W0 = np.array([1.0, -2.0, 0.5])
G1 = np.array([0.5, 0.1, -1.0])
G2 = np.array([-0.2, 0.4, 0.3])


def _run(make, grads, w0=W0):
    p = nn.Parameter(w0.copy())
    opt = make([p])
    out = []
    for g in grads:
        p.grad = g.copy()
        opt.step()
        out.append(p.data.copy())
    return out


def test_sgd_plain_and_weight_decay():
    (w,) = _run(lambda ps: optim.SGD(ps, lr=0.1), [G1])
    np.testing.assert_array_equal(w, W0 - 0.1 * G1)
    (w,) = _run(lambda ps: optim.SGD(ps, lr=0.1, weight_decay=0.01), [G1])
    np.testing.assert_allclose(w, W0 - 0.1 * (G1 + 0.01 * W0), atol=1e-15)


def test_sgd_momentum_dampening_nesterov_two_steps():
    lr, mu, tau = 0.1, 0.9, 0.2
    w1, w2 = _run(lambda ps: optim.SGD(ps, lr=lr, momentum=mu, dampening=tau), [G1, G2])
    b1 = G1                                    # the first buffer is the gradient itself
    np.testing.assert_allclose(w1, W0 - lr * b1, atol=1e-15)
    b2 = mu * b1 + (1 - tau) * G2
    np.testing.assert_allclose(w2, w1 - lr * b2, atol=1e-15)
    w1, w2 = _run(lambda ps: optim.SGD(ps, lr=lr, momentum=mu, nesterov=True), [G1, G2])
    np.testing.assert_allclose(w1, W0 - lr * (G1 + mu * G1), atol=1e-15)
    b2 = mu * G1 + G2
    np.testing.assert_allclose(w2, w1 - lr * (G2 + mu * b2), atol=1e-15)


def _adam_by_hand(grads, lr, b1, b2, eps, wd=0.0, decoupled=False):
    w, m, v = W0.copy(), 0.0, 0.0
    out = []
    for t, g in enumerate(grads, start=1):
        if decoupled:
            w = w - lr * wd * w
        elif wd:
            g = g + wd * w
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        mhat, vhat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        w = w - lr * mhat / (np.sqrt(vhat) + eps)
        out.append(w)
    return out


@pytest.mark.parametrize("cls, wd", [(optim.Adam, 0.0), (optim.Adam, 0.1), (optim.AdamW, 0.1)])
def test_adam_and_adamw_two_steps(cls, wd):
    got = _run(lambda ps: cls(ps, lr=0.01, betas=(0.8, 0.95), eps=1e-6, weight_decay=wd),
               [G1, G2])
    want = _adam_by_hand([G1, G2], 0.01, 0.8, 0.95, 1e-6, wd, decoupled=cls is optim.AdamW)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, atol=1e-14)
    # the first Adam step moves every weight by about lr, whatever the gradient's size
    if wd == 0:
        np.testing.assert_allclose(np.abs(got[0] - W0), 0.01, rtol=1e-4)


def test_rmsprop_variants_two_steps():
    lr, a, eps = 0.01, 0.9, 1e-8
    w1, w2 = _run(lambda ps: optim.RMSprop(ps, lr=lr, alpha=a, eps=eps), [G1, G2])
    v1 = (1 - a) * G1 ** 2
    np.testing.assert_allclose(w1, W0 - lr * G1 / (np.sqrt(v1) + eps), atol=1e-15)
    v2 = a * v1 + (1 - a) * G2 ** 2
    np.testing.assert_allclose(w2, w1 - lr * G2 / (np.sqrt(v2) + eps), atol=1e-15)

    mu, wd = 0.5, 0.1
    w1, w2 = _run(lambda ps: optim.RMSprop(ps, lr=lr, alpha=a, eps=eps, momentum=mu,
                                           centered=True, weight_decay=wd), [G1, G2])
    g1 = G1 + wd * W0
    v1, ga1 = (1 - a) * g1 ** 2, (1 - a) * g1
    buf1 = g1 / (np.sqrt(v1 - ga1 ** 2) + eps)
    np.testing.assert_allclose(w1, W0 - lr * buf1, atol=1e-15)
    g2 = G2 + wd * w1
    v2, ga2 = a * v1 + (1 - a) * g2 ** 2, a * ga1 + (1 - a) * g2
    buf2 = mu * buf1 + g2 / (np.sqrt(v2 - ga2 ** 2) + eps)
    np.testing.assert_allclose(w2, w1 - lr * buf2, atol=1e-15)


def test_param_groups_options_and_lr_changes_between_steps():
    a, b = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(2))
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5, "momentum": 0.9}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[0]["momentum"] == 0.0 and opt.param_groups[1]["momentum"] == 0.9
    a.grad, b.grad = np.ones(2), np.ones(2)
    opt.step()
    np.testing.assert_allclose(a.data, 0.9)
    np.testing.assert_allclose(b.data, 0.5)
    opt.param_groups[0]["lr"] = 1.0
    opt.step()
    np.testing.assert_allclose(a.data, -0.1)
    c = nn.Parameter(np.zeros(1))
    opt.add_param_group({"params": [c], "lr": 2.0})
    c.grad = np.ones(1)
    opt.step()
    assert c.data[0] == -2.0 and opt.param_groups[2]["momentum"] == 0.0
    opt.zero_grad()
    assert a.grad is None and c.grad is None


def _model_and_batch(seed):
    tl.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2))
    rng = np.random.default_rng(seed)
    xs = rng.standard_normal((12, 4, 3)).astype(np.float32)
    return model, xs


def _train(model, opt, xs, sched=None):
    for x in xs:
        opt.zero_grad()
        (model(x) ** 2).mean().backward()
        opt.step()
        if sched is not None:
            sched.step()


@pytest.mark.parametrize("make", [
    lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
    lambda ps: optim.Adam(ps, lr=1e-2, weight_decay=1e-3),
    lambda ps: optim.AdamW(ps, lr=1e-2),
    lambda ps: optim.RMSprop(ps, lr=1e-3, momentum=0.5, centered=True),
])
def test_resumed_optimizer_continues_bit_for_bit(make):
    model, xs = _model_and_batch(0)
    opt = make(model.parameters())
    sched = optim.LinearWarmupCosine(opt, warmup_steps=3, total_steps=10, min_lr=1e-4)
    _train(model, opt, xs[:5], sched)
    saved_model, saved_opt = model.state_dict(), opt.state_dict()
    saved_sched = json.loads(json.dumps(sched.state_dict()))  # plain, JSON-able numbers
    _train(model, opt, xs[5:], sched)

    resumed, _ = _model_and_batch(1)                 # different initial weights
    resumed.load_state_dict(saved_model)
    opt2 = make(resumed.parameters())
    opt2.load_state_dict(saved_opt)
    sched2 = optim.LinearWarmupCosine(opt2, warmup_steps=3, total_steps=10, min_lr=1e-4)
    sched2.load_state_dict(saved_sched)
    _train(resumed, opt2, xs[5:], sched2)
    for (n, a), b in zip(model.named_parameters(), resumed.parameters()):
        np.testing.assert_array_equal(a.data, b.data, err_msg=n)
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]


def test_optimizer_state_dict_is_a_copy_and_checked_on_load():
    p = nn.Parameter(np.ones(3))
    opt = optim.Adam([p])
    p.grad = np.ones(3)
    opt.step()
    sd = opt.state_dict()
    assert sd["state"][0]["step"] == 1 and sd["param_groups"][0]["params"] == [0]
    sd["state"][0]["exp_avg"][0] = 5.0
    assert opt.state[id(p)]["exp_avg"][0] != 5.0
    other = optim.Adam([nn.Parameter(np.ones(4))])
    with pytest.raises(ValueError, match=r"state 'exp_avg' of parameter 0 has shape \(3,\), "
                                         r"expected \(4,\)"):
        other.load_state_dict(opt.state_dict())
    with pytest.raises(ValueError, match="expected 2 parameter groups"):
        optim.Adam([{"params": [p]}, {"params": [nn.Parameter(np.ones(1))]}]).load_state_dict(
            opt.state_dict())


def test_optimizer_bad_input():
    p = nn.Parameter(np.ones(2))
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([])
    with pytest.raises(ValueError, match=r"unknown option\(s\) \['betas'\]"):
        optim.SGD([{"params": [p], "betas": (0.9, 0.9)}])
    with pytest.raises(ValueError, match="more than one group"):
        optim.SGD([{"params": [p]}, {"params": [p]}])
    with pytest.raises(TypeError, match="params must be tensors"):
        optim.SGD([np.ones(2)])
    with pytest.raises(ValueError, match="Nesterov momentum needs momentum > 0"):
        optim.SGD([p], nesterov=True)
    with pytest.raises(ValueError, match="betas must be in"):
        optim.Adam([p], betas=(1.0, 0.9))
    with pytest.raises(ValueError, match="RMSprop: alpha must be in"):
        optim.RMSprop([p], alpha=1.5)
    opt = optim.RMSprop([p])
    p.grad = np.array([np.nan, 1.0])
    with pytest.raises(FloatingPointError, match="RMSprop.step: a gradient of shape"):
        opt.step()


def test_l1_and_l2_penalties_by_hand():
    a = nn.Parameter(np.array([1.0, -2.0]))
    b = nn.Parameter(np.array([[0.5]]))
    l1 = optim.l1_penalty([a, b], coeff=0.1)
    assert l1.item() == pytest.approx(0.1 * 3.5)
    l2 = optim.l2_penalty([a, b], coeff=0.1)
    assert l2.item() == pytest.approx(0.1 * 5.25)
    (l1 + l2).backward()
    np.testing.assert_allclose(a.grad, 0.1 * np.sign([1.0, -2.0]) + 0.2 * np.array([1.0, -2.0]))
    np.testing.assert_allclose(b.grad, [[0.1 + 0.1]])
    with pytest.raises(TypeError, match="l2_penalty: params must be tensors"):
        optim.l2_penalty([np.ones(2)])


def test_sgd_weight_decay_equals_half_l2_penalty_in_the_loss():
    lam = 0.3
    p1, p2 = nn.Parameter(W0.copy()), nn.Parameter(W0.copy())
    x = np.array([0.2, -1.0, 0.7])
    (p1 * x).sum().backward()
    optim.SGD([p1], lr=0.1, weight_decay=lam).step()
    ((p2 * x).sum() + optim.l2_penalty([p2], lam / 2)).backward()
    optim.SGD([p2], lr=0.1).step()
    np.testing.assert_allclose(p1.data, p2.data, atol=1e-15)
    assert math.isfinite(p1.data.sum())
