"""Trainer: hand-computed steps, accumulation, clipping, freezing, metrics, callbacks,
and exact resume."""

import csv
import json

import numpy as np
import pytest

import tinyllm as tl
from tinyllm import metrics as M
from tinyllm import nn, optim
from tinyllm.train import (
    CSVLogger,
    EarlyStopping,
    JSONLogger,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
    Trainer,
    load_run_checkpoint,
)
from tinyllm.train.meters import make_meters


def _toy(n=96, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    y = (x[:, 0] - 0.5 * x[:, 2] > 0).astype(np.int64)
    return x, y


def _mlp(seed=1, dropout=0.2):
    tl.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Dropout(dropout), nn.Linear(8, 2))


def test_one_sgd_step_matches_hand_computation():
    # y = w·x + b, MSE over the batch: L = mean((w x + b − t)²)
    # x = [1, 2], t = [1, 3], w = 0.5, b = 0 → residuals r = [−0.5, −2]
    # ∂L/∂w = mean(2 r x) = (2·−0.5·1 + 2·−2·2)/2 = −4.5 ; ∂L/∂b = mean(2 r) = −2.5
    lin = nn.Linear(1, 1)
    lin.weight.data[...] = 0.5
    lin.bias.data[...] = 0.0
    x = np.array([[1.0], [2.0]], dtype=np.float32)
    t = np.array([1.0, 3.0], dtype=np.float32)
    tr = Trainer(lin, optim.SGD(lin.parameters(), lr=0.1), "mse", metrics=None, verbose=0)
    h = tr.fit((x, t), epochs=1, batch_size=2, shuffle=False)
    assert lin.weight.data[0, 0] == pytest.approx(0.5 + 0.45, abs=1e-6)
    assert lin.bias.data[0] == pytest.approx(0.25, abs=1e-6)
    assert h.step_losses == [pytest.approx((0.25 + 4.0) / 2)]
    assert h.history["loss"] == [pytest.approx(2.125)]


def test_gradient_accumulation_equals_one_big_batch():
    x, y = _toy(16)
    a, b = _mlp(dropout=0.0), _mlp(dropout=0.0)
    ta = Trainer(a, optim.SGD(a.parameters(), lr=0.5), verbose=0, metrics=None)
    tb = Trainer(b, optim.SGD(b.parameters(), lr=0.5), verbose=0, metrics=None,
                 grad_accum_steps=4)
    ha = ta.fit((x, y), epochs=2, batch_size=16, shuffle=False)
    hb = tb.fit((x, y), epochs=2, batch_size=4, shuffle=False)
    assert len(hb.step_losses) == 2  # 4 micro-batches per step, one step per epoch
    for (na, pa), (_nb, pb) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_allclose(pa.data, pb.data, rtol=1e-5, atol=1e-6, err_msg=na)
    np.testing.assert_allclose(ha.step_losses, hb.step_losses, rtol=1e-5)


def test_gradient_clipping_bounds_the_sgd_update():
    x, y = _toy(32)
    m = _mlp(dropout=0.0)
    before = [p.data.copy() for p in m.parameters()]
    seen = []
    tr = Trainer(m, optim.SGD(m.parameters(), lr=1.0), verbose=0, metrics=None,
                 grad_clip=0.01,
                 callbacks=[LambdaCallback(on_train_batch_end=lambda s, logs: seen.append(logs))])
    tr.fit((x, y), epochs=1, batch_size=32)
    step = np.sqrt(sum(float(((p.data - b) ** 2).sum()) for p, b in zip(m.parameters(), before)))
    assert seen[0]["grad_norm"] > 0.01           # the raw norm was larger ...
    assert step == pytest.approx(0.01, rel=1e-3)  # ... so the update has norm lr·0.01


def test_frozen_parameters_do_not_move_and_all_frozen_is_refused():
    x, y = _toy(32)
    m = _mlp(dropout=0.0)
    m[0].requires_grad_(False)
    w0 = m[0].weight.data.copy()
    w3 = m[3].weight.data.copy()
    tr = Trainer(m, optim.Adam(m.parameters(), lr=0.01), verbose=0)
    tr.fit((x, y), epochs=1, batch_size=8)
    np.testing.assert_array_equal(m[0].weight.data, w0)
    assert not np.array_equal(m[3].weight.data, w3)
    m.requires_grad_(False)
    with pytest.raises(ValueError, match="no trainable parameter"):
        Trainer(m, optim.Adam(m.parameters(), lr=0.01), verbose=0).fit((x, y))


def test_streaming_meters_equal_tinyllm_metrics():
    rng = np.random.default_rng(3)
    meters = make_meters(["accuracy", "precision", "recall", "f1"])
    yt, yp = rng.integers(0, 2, 101), rng.integers(0, 2, 101)
    for s in range(0, 101, 17):  # in uneven chunks
        for m in meters:
            m.update(yt[s:s + 17], yp[s:s + 17], None, None)
    got = {m.name: m.result() for m in meters}
    assert got["accuracy"] == pytest.approx(M.accuracy(yt, yp))
    assert got["precision"] == pytest.approx(M.precision(yt, yp))
    assert got["recall"] == pytest.approx(M.recall(yt, yp))
    assert got["f1"] == pytest.approx(M.f1_score(yt, yp))
    yt3, yp3 = rng.integers(0, 3, 60), rng.integers(0, 3, 60)
    f1 = make_meters("f1")[0]
    f1.update(yt3, yp3)
    assert f1.result() == pytest.approx(M.f1_score(yt3, yp3, average="macro"))


def test_validation_logs_equal_evaluate_and_manual_metrics():
    x, y = _toy(80)
    m = _mlp()
    tr = Trainer(m, optim.Adam(m.parameters(), lr=0.02), metrics=["accuracy", "f1"], verbose=0)
    h = tr.fit((x[:60], y[:60]), (x[60:], y[60:]), epochs=3, batch_size=16)
    assert set(h.history) == {"loss", "accuracy", "f1", "val_loss", "val_accuracy", "val_f1",
                              "lr"}
    ev = tr.evaluate((x[60:], y[60:]), batch_size=7)
    assert ev["loss"] == pytest.approx(h.history["val_loss"][-1], rel=1e-5)
    pred = tr.predict(x[60:]).argmax(-1)
    assert ev["accuracy"] == pytest.approx(M.accuracy(y[60:], pred))
    assert h.history["val_f1"][-1] == pytest.approx(M.f1_score(y[60:], pred))
    with tl.no_grad():
        m.eval()
        logits = m(tl.tensor(x[60:])).data
    expected = float(np.mean(np.log(np.exp(logits).sum(1)) - logits[np.arange(20), y[60:]]))
    assert ev["loss"] == pytest.approx(expected, rel=1e-5)


def test_early_stopping_patience_and_restore_best_weights():
    m = _mlp()

    class FakeTrainer:
        model, stop_training = m, False

    es = EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    fake = FakeTrainer()
    es.set_trainer(fake)
    weights_at = {}
    for epoch, v in enumerate([1.0, 0.8, 0.85, 0.9, 0.7]):
        m[0].weight.data[...] = epoch  # a recognisable weight per epoch
        weights_at[epoch] = m[0].weight.data.copy()
        es.on_epoch_end(epoch, {"val_loss": v})
        if fake.stop_training:
            break
    assert epoch == 3 and es.stopped_epoch == 3 and es.best_epoch == 1
    np.testing.assert_array_equal(m[0].weight.data, weights_at[1])
    with pytest.raises(ValueError, match="val_accuracy"):
        EarlyStopping(monitor="val_accuracy").on_epoch_end(0, {"loss": 1.0})


def test_lr_callbacks():
    x, y = _toy(32)
    m = _mlp()
    opt = optim.SGD(m.parameters(), lr=0.1)
    tr = Trainer(m, opt, verbose=0, callbacks=[LearningRateScheduler(lambda e, lr: 0.1 * 0.5**e)])
    h = tr.fit((x, y), epochs=3, batch_size=16)
    assert h.history["lr"] == [0.1, 0.05, 0.025]

    class FakeTrainer:
        optimizer = optim.SGD(m.parameters(), lr=1.0)

    r = ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, min_delta=0.0)
    r.set_trainer(FakeTrainer())
    lrs = []
    for v in [1.0, 1.0, 1.0, 0.5, 0.6, 0.7]:
        r.on_epoch_end(0, {"val_loss": v})
        lrs.append(FakeTrainer.optimizer.param_groups[0]["lr"])
    assert lrs == [1.0, 1.0, 0.5, 0.5, 0.5, 0.25]


def test_step_scheduler_is_stepped_per_optimizer_step():
    x, y = _toy(32)
    m = _mlp()
    opt = optim.SGD(m.parameters(), lr=1.0)
    sched = optim.StepLR(opt, step_size=2, gamma=0.1)
    lrs = []
    tr = Trainer(m, opt, verbose=0, scheduler=sched, callbacks=[
        LambdaCallback(on_train_batch_end=lambda s, logs: lrs.append(logs["lr"]))])
    tr.fit((x, y), epochs=1, batch_size=8)  # 4 steps; lr after each step
    assert lrs == pytest.approx([1.0, 0.1, 0.1, 0.01])


def test_csv_json_loggers_and_best_checkpoint(tmp_path):
    x, y = _toy(64)
    m = _mlp()
    tr = Trainer(m, optim.Adam(m.parameters(), lr=0.05), verbose=0, callbacks=[
        CSVLogger(tmp_path / "log.csv"), JSONLogger(tmp_path / "log.json"),
        ModelCheckpoint(str(tmp_path / "best"), monitor="val_accuracy", save_best_only=True),
        ModelCheckpoint(str(tmp_path / "w{epoch}.safetensors"), save_weights_only=True)])
    h = tr.fit((x[:48], y[:48]), (x[48:], y[48:]), epochs=4, batch_size=16)
    rows = list(csv.DictReader(open(tmp_path / "log.csv")))
    assert [float(r["val_loss"]) for r in rows] == h.history["val_loss"]
    assert json.load(open(tmp_path / "log.json"))["step_losses"] == h.step_losses
    best_epoch, best = h.best("val_accuracy")
    tensors, state = load_run_checkpoint(tmp_path / "best")
    assert state["position"] == {"epoch": best_epoch + 1, "batch": 0, "step": 3 * (best_epoch + 1),
                                 "epoch_started": False}
    assert state["history"]["history"]["val_accuracy"][-1] == best
    from tinyllm.io import load_safetensors
    last = load_safetensors(tmp_path / "w4.safetensors")
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(last[k], v)


def _resume_setup(tmp_path, **kw):
    x, y = _toy(70)
    m = _mlp(seed=5, dropout=0.3)
    opt = optim.Adam(m.parameters(), lr=0.02)
    sched = optim.StepLR(opt, step_size=3, gamma=0.7)
    cbs = [EarlyStopping(monitor="val_loss", patience=10), CSVLogger(tmp_path / "h.csv")]
    tr = Trainer(m, opt, metrics=["accuracy", "f1"], scheduler=sched, grad_accum_steps=2,
                 grad_clip=1.0, seed=11, verbose=0, callbacks=cbs,
                 checkpoint_dir=tmp_path, **kw)
    return tr, (x[:56], y[:56]), (x[56:], y[56:])


@pytest.mark.parametrize("stop_at", [1, 4, 8, 9])
def test_resume_gives_exactly_the_same_losses(tmp_path, stop_at):
    # 56 examples, batch 6 → 10 micro-batches, 5 steps per epoch (accumulation 2)
    tr, train, val = _resume_setup(tmp_path)
    full = tr.fit(train, val, epochs=3, batch_size=6)
    full_weights = tr.model.state_dict()

    part, train, val = _resume_setup(tmp_path)
    part.fit(train, val, epochs=3, batch_size=6, max_steps=stop_at)
    part.save_checkpoint(tmp_path / "mid")
    assert len(part.history.step_losses) == stop_at

    resumed, train, val = _resume_setup(tmp_path)
    h = resumed.fit(train, val, epochs=3, batch_size=6, resume_from=tmp_path / "mid")
    assert h.step_losses == full.step_losses          # exactly, float for float
    assert h.history == full.history
    for k, v in resumed.model.state_dict().items():
        np.testing.assert_array_equal(v, full_weights[k])


def test_resume_refuses_a_different_batch_size(tmp_path):
    tr, train, val = _resume_setup(tmp_path)
    tr.fit(train, val, epochs=1, batch_size=6, max_steps=2)
    tr.save_checkpoint(tmp_path / "c")
    other, train, val = _resume_setup(tmp_path)
    with pytest.raises(ValueError, match="batch_size=6"):
        other.fit(train, val, epochs=2, batch_size=8, resume_from=tmp_path / "c")


def test_bad_arguments_are_named():
    m = _mlp()
    opt = optim.SGD(m.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="grad_accum_steps"):
        Trainer(m, opt, grad_accum_steps=0)
    with pytest.raises(ValueError, match="unknown loss"):
        Trainer(m, opt, loss="hinge")
    with pytest.raises(ValueError, match="unknown metric"):
        Trainer(m, opt, metrics=["auc"])
    with pytest.raises(ValueError, match="different lengths"):
        Trainer(m, opt, verbose=0).fit((np.zeros((3, 4)), np.zeros(2)))
    with pytest.raises(TypeError, match="tuple"):
        Trainer(m, opt, verbose=0).fit(np.zeros((3, 4)))
