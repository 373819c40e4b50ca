"""Ctrl-C: SIGINT to a training subprocess stops it cleanly with a resumable checkpoint,
and resuming from it reproduces the uninterrupted run's losses exactly."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    import json, sys, time
    import numpy as np
    import tinyllm as tl
    from tinyllm import nn, optim
    from tinyllm.train import LambdaCallback, Trainer

    mode, ckdir, out = sys.argv[1], sys.argv[2], sys.argv[3]
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    tl.manual_seed(3)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Dropout(0.25), nn.Linear(8, 2))
    opt = optim.Adam(model.parameters(), lr=0.01)

    def progress(step, logs):
        print(f"step {step}", flush=True)   # the test waits for these lines
        if mode == "slow":
            time.sleep(0.2)                 # leave time for the signal to arrive mid-run

    trainer = Trainer(model, opt, seed=7, verbose=0, checkpoint_dir=ckdir,
                      callbacks=[LambdaCallback(on_train_batch_end=progress)])
    resume = ckdir + "/interrupted" if mode == "resume" else None
    h = trainer.fit((x, y), epochs=8, batch_size=16, resume_from=resume)
    json.dump({"losses": h.step_losses, "interrupted": trainer.interrupted}, open(out, "w"))
    print("done", flush=True)
""")


def _run(args, tmp_path):
    # The numpy backend: nothing to JIT-load in each fresh process (the subject here is
    # the signal path, not the kernels).
    env = dict(os.environ, PYTHONPATH=str(ROOT), TINYLLM_BACKEND="numpy")
    return subprocess.Popen([sys.executable, str(tmp_path / "train.py"), *args], cwd=tmp_path,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigint_writes_a_checkpoint_and_resume_matches(tmp_path):
    (tmp_path / "train.py").write_text(SCRIPT)
    ck = str(tmp_path / "ck")

    proc = _run(["slow", ck, str(tmp_path / "a.json")], tmp_path)
    steps = 0
    deadline = time.time() + 60
    while steps < 3 and time.time() < deadline:  # wait until it has really trained a bit
        line = proc.stdout.readline()
        if not line:
            break
        steps += line.startswith("step ")
    assert steps >= 3, proc.stderr.read()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err              # a clean exit, no traceback
    assert "Traceback" not in err
    interrupted = json.load(open(tmp_path / "a.json"))
    assert interrupted["interrupted"] is True
    n_done = len(interrupted["losses"])
    assert 3 <= n_done < 8 * 4

    from tinyllm.train import load_run_checkpoint
    _, state = load_run_checkpoint(Path(ck) / "interrupted")
    assert state["position"]["step"] == n_done

    resumed = _run(["resume", ck, str(tmp_path / "b.json")], tmp_path)
    full = _run(["fast", str(tmp_path / "ck2"), str(tmp_path / "c.json")], tmp_path)
    for p in (resumed, full):
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err

    b = json.load(open(tmp_path / "b.json"))["losses"]
    c = json.load(open(tmp_path / "c.json"))["losses"]
    assert len(c) == 8 * 4
    assert b == c                                   # the same losses, float for float
    assert interrupted["losses"] == c[:n_done]
