"""Learning-rate schedules: values by hand, groups, resume, bad input."""

import math

import numpy as np
import pytest

from tinyllm import nn, optim


def _opt(lr=0.1, groups=1):
    ps = [nn.Parameter(np.ones(1)) for _ in range(groups)]
    return optim.SGD([{"params": [p], "lr": lr * (i + 1)} for i, p in enumerate(ps)], lr=lr)


def _lrs(sched, n):
    out = []
    for _ in range(n):
        out.append(sched.get_last_lr()[0])
        sched.step()
    return out


def test_step_and_exponential():
    assert _lrs(optim.StepLR(_opt(), step_size=2, gamma=0.5), 6) == pytest.approx(
        [0.1, 0.1, 0.05, 0.05, 0.025, 0.025], abs=1e-15)
    assert _lrs(optim.ExponentialLR(_opt(), gamma=0.9), 4) == pytest.approx(
        [0.1, 0.09, 0.081, 0.0729], abs=1e-15)


def test_cosine_annealing():
    got = _lrs(optim.CosineAnnealingLR(_opt(), T_max=4, eta_min=0.02), 9)
    want = [0.02 + 0.08 * 0.5 * (1 + math.cos(math.pi * t / 4)) for t in range(9)]
    assert got == pytest.approx(want, abs=1e-15)
    assert got[4] == pytest.approx(0.02) and got[8] == pytest.approx(0.1)


def test_linear_warmup_cosine():
    opt = _opt(lr=1.0, groups=2)
    s = optim.LinearWarmupCosine(opt, warmup_steps=4, total_steps=8, min_lr=0.1)
    got = _lrs(s, 11)
    assert got[:4] == pytest.approx([0.25, 0.5, 0.75, 1.0])
    assert got[4] == pytest.approx(0.1 + 0.9 * 0.5 * (1 + math.cos(0)))
    assert got[6] == pytest.approx(0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi / 2)))
    assert got[8:] == pytest.approx([0.1, 0.1, 0.1])
    # each group scales from its own base rate; min_lr is a floor shared by all
    assert opt.param_groups[1]["initial_lr"] == 2.0
    s2 = optim.LinearWarmupCosine(_opt(lr=1.0, groups=2), 4, 8, 0.1)
    assert s2.get_last_lr() == [0.25, 0.5]


def test_schedule_writes_the_optimizer_lr_used_by_step():
    opt = _opt(lr=0.1)
    p = opt.param_groups[0]["params"][0]
    sched = optim.StepLR(opt, step_size=1, gamma=0.5)
    for expected_step in (0.1, 0.05, 0.025):
        before = p.data.copy()
        p.grad = np.ones(1)
        opt.step()
        assert before[0] - p.data[0] == pytest.approx(expected_step)
        sched.step()


def test_reduce_on_plateau():
    opt = _opt(lr=1.0)
    s = optim.ReduceLROnPlateau(opt, patience=1, factor=0.5, cooldown=1, min_lr=0.2)
    lrs = []
    for metric in [5, 4, 4, 4, 4, 4, 4, 4, 4, 3]:
        s.step(metric)
        lrs.append(s.get_last_lr()[0])
    # 2 bad steps > patience 1 → halve; one cooldown step; then count again; floor 0.2
    assert lrs == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25]
    for _ in range(10):
        s.step(3)
    assert s.get_last_lr() == [0.2]
    m = optim.ReduceLROnPlateau(_opt(lr=1.0), mode="max", patience=0, threshold=0.1,
                                threshold_mode="abs")
    m.step(1.0)
    m.step(1.05)           # not better than 1.0 + 0.1: reduce at once (patience 0)
    assert m.get_last_lr() == [0.1]
    with pytest.raises(ValueError, match="metric is nan"):
        m.step(float("nan"))


@pytest.mark.parametrize("make", [
    lambda o: optim.StepLR(o, 3, 0.5),
    lambda o: optim.CosineAnnealingLR(o, 7),
    lambda o: optim.LinearWarmupCosine(o, 2, 9, 1e-3),
    lambda o: optim.ReduceLROnPlateau(o, patience=1, factor=0.5),
])
def test_resume_from_state_dict(make):
    opt, opt2 = _opt(), _opt()
    a = make(opt)
    metrics = [3, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1]

    def step(s, i):
        s.step(metrics[i]) if isinstance(s, optim.ReduceLROnPlateau) else s.step()

    for i in range(5):
        step(a, i)
    b = make(opt2)
    b.load_state_dict(a.state_dict())
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    for i in range(5, 12):
        step(a, i)
        step(b, i)
        assert b.get_last_lr() == a.get_last_lr()
    with pytest.raises(ValueError, match="unknown keys"):
        b.load_state_dict({"nonsense": 1})


def test_scheduler_bad_input():
    with pytest.raises(ValueError, match="StepLR: step_size must be > 0"):
        optim.StepLR(_opt(), 0)
    with pytest.raises(ValueError, match=r"warmup_steps \(5\) must be less than total_steps"):
        optim.LinearWarmupCosine(_opt(), 5, 5)
    with pytest.raises(TypeError, match="expected an Optimizer"):
        optim.ExponentialLR([1], 0.5)
    with pytest.raises(ValueError, match="needs 'initial_lr'"):
        optim.StepLR(_opt(), 2, last_epoch=4)
    with pytest.raises(ValueError, match="mode must be 'min' or 'max'"):
        optim.ReduceLROnPlateau(_opt(), mode="lowest")
