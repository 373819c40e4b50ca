import numpy as np
import pytest

import tinyllm as tl
from tinyllm import functional as F
from tinyllm.profiler import profile


def test_profile_counts_every_forward_and_backward(tmp_path):
    w = tl.tensor(np.random.default_rng(0).standard_normal((4, 3)), requires_grad=True)
    x = tl.tensor(np.ones((5, 4)))
    with profile() as prof:
        for _ in range(3):
            loss = F.cross_entropy((x @ w).relu(), np.array([0, 1, 2, 0, 1]))
            loss.backward()
    stats = prof.stats
    assert stats["MatMul"]["calls"] == 3 and stats["MatMul"]["backward_calls"] == 3
    assert stats["ReLU"]["calls"] == 3 and stats["CrossEntropy"]["backward_calls"] == 3
    rows = prof.rows()
    assert {r["op"] for r in rows} == {"MatMul", "ReLU", "CrossEntropy"}
    assert 0 < prof.op_time <= prof.wall
    assert sum(r["share"] for r in rows) == pytest.approx(prof.op_time / prof.wall, rel=1e-6)
    text = prof.table()
    assert "MatMul" in text and "wall time" in text
    png = prof.plot(tmp_path / "p.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # nothing is recorded once the block has ended
    (x @ w).sum()
    assert stats["MatMul"]["calls"] == 3


def test_nested_profiles_are_refused():
    with profile():
        with pytest.raises(RuntimeError, match="already recording"):
            with profile():
                pass
