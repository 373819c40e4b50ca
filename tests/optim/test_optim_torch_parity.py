"""Optimizers and schedules take the same steps as torch.optim (fed the same gradients)."""

import numpy as np
import pytest

from tinyllm import nn, optim

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("ours, theirs", [
    (lambda ps: optim.SGD(ps, lr=0.1), lambda ps: torch.optim.SGD(ps, lr=0.1)),
    (lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01),
     lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    (lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
     lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    (lambda ps: optim.Adam(ps, lr=0.01, betas=(0.8, 0.95), weight_decay=0.1),
     lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.95), weight_decay=0.1)),
    (lambda ps: optim.AdamW(ps, lr=0.01, weight_decay=0.1),
     lambda ps: torch.optim.AdamW(ps, lr=0.01, weight_decay=0.1)),
    (lambda ps: optim.RMSprop(ps, lr=0.01, weight_decay=0.01),
     lambda ps: torch.optim.RMSprop(ps, lr=0.01, weight_decay=0.01)),
    (lambda ps: optim.RMSprop(ps, lr=0.01, alpha=0.9, momentum=0.8, centered=True),
     lambda ps: torch.optim.RMSprop(ps, lr=0.01, alpha=0.9, momentum=0.8, centered=True)),
])
def test_same_steps_as_torch(ours, theirs):
    rng = np.random.default_rng(0)
    w0 = [rng.standard_normal((3, 4)), rng.standard_normal(4)]
    mine = [nn.Parameter(w.copy()) for w in w0]
    ref = [torch.nn.Parameter(torch.tensor(w)) for w in w0]
    o, t = ours(mine), theirs(ref)
    for _ in range(6):
        for p, r in zip(mine, ref):
            g = rng.standard_normal(p.shape) + p.data  # depends on w, like a real gradient
            p.grad, r.grad = g, torch.tensor(g)
        o.step()
        t.step()
        for p, r in zip(mine, ref):
            np.testing.assert_allclose(p.data, r.detach().numpy(), rtol=0, atol=1e-13)


def test_float32_adam_parity():
    rng = np.random.default_rng(1)
    w0 = rng.standard_normal(50).astype(np.float32)
    p, r = nn.Parameter(w0.copy()), torch.nn.Parameter(torch.tensor(w0))
    o, t = optim.AdamW([p], lr=1e-2), torch.optim.AdamW([r], lr=1e-2)
    for _ in range(20):
        g = rng.standard_normal(50).astype(np.float32)
        p.grad, r.grad = g, torch.tensor(g)
        o.step()
        t.step()
    np.testing.assert_allclose(p.data, r.detach().numpy(), atol=2e-6)


@pytest.mark.parametrize("ours, theirs", [
    (lambda o: optim.StepLR(o, 3, 0.5), lambda o: torch.optim.lr_scheduler.StepLR(o, 3, 0.5)),
    (lambda o: optim.ExponentialLR(o, 0.9),
     lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.9)),
    (lambda o: optim.CosineAnnealingLR(o, 5, 0.01),
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 5, 0.01)),
])
def test_schedules_match_torch(ours, theirs):
    p, r = nn.Parameter(np.ones(1)), torch.nn.Parameter(torch.ones(1))
    o, t = optim.SGD([p], lr=0.1), torch.optim.SGD([r], lr=0.1)
    s, ts = ours(o), theirs(t)
    for _ in range(12):
        assert s.get_last_lr()[0] == pytest.approx(ts.get_last_lr()[0], abs=1e-14)
        t.step()  # torch wants an optimizer step before a scheduler step
        s.step()
        ts.step()


def test_reduce_on_plateau_matches_torch():
    p, r = nn.Parameter(np.ones(1)), torch.nn.Parameter(torch.ones(1))
    o, t = optim.SGD([p], lr=0.1), torch.optim.SGD([r], lr=0.1)
    s = optim.ReduceLROnPlateau(o, patience=2, cooldown=1, factor=0.5)
    ts = torch.optim.lr_scheduler.ReduceLROnPlateau(t, patience=2, cooldown=1, factor=0.5)
    for metric in [5, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 3, 2.99999, 2.9]:
        s.step(metric)
        ts.step(metric)
        assert s.get_last_lr() == pytest.approx(ts.get_last_lr(), abs=1e-15)
