"""LSTMClassifier: padding never leaks into the result; the state read is the one at
each row's last real token; it learns an order-dependent task."""

import numpy as np
import pytest

import tinyllm as tl
from tinyllm import optim
from tinyllm.models.lstm_classifier import LSTMClassifier
from tinyllm.train import Trainer


def test_align_and_reverse_within_by_hand():
    ids = np.array([[0, 0, 5, 6], [7, 8, 9, 0], [0, 0, 0, 0]])
    aligned, lengths = LSTMClassifier.align(ids, padding_idx=0)
    np.testing.assert_array_equal(aligned, [[5, 6, 0], [7, 8, 9], [0, 0, 0]])
    np.testing.assert_array_equal(lengths, [2, 3, 1])
    np.testing.assert_array_equal(LSTMClassifier.reverse_within(aligned, lengths),
                                  [[6, 5, 0], [9, 8, 7], [0, 0, 0]])


@pytest.mark.parametrize("pooling,bi", [("last", False), ("last", True), ("mean", False),
                                        ("max", True)])
def test_padding_side_and_batch_company_do_not_change_the_logits(pooling, bi):
    tl.manual_seed(0)
    m = LSTMClassifier(20, 6, 5, num_classes=3, bidirectional=bi, pooling=pooling).eval()
    seqs = [[3, 4, 5], [7, 1, 2, 9, 9, 4], [11]]
    pre = np.zeros((3, 8), dtype=np.int64)
    post = np.zeros((3, 6), dtype=np.int64)
    for i, s in enumerate(seqs):
        pre[i, 8 - len(s):] = s
        post[i, :len(s)] = s
    with tl.no_grad():
        a, b = m(pre).data, m(post).data
        alone = np.concatenate([m(np.array([s])).data for s in seqs])
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(a, alone, rtol=1e-5, atol=1e-6)


def test_last_pooling_reads_the_lstm_state_at_the_last_real_token():
    tl.manual_seed(1)
    m = LSTMClassifier(10, 4, 3, num_classes=2).eval()
    seq = np.array([[2, 5, 7, 0, 0]])
    with tl.no_grad():
        emb = m.embedding(np.array([[2, 5, 7]]))
        out, (h_n, _) = m.lstm(emb)
        expected = m.head(h_n[0]).data
        np.testing.assert_allclose(m(seq).data, expected, rtol=1e-6, atol=1e-7)


def test_learns_which_token_comes_first():
    # label 1 iff token 3 appears before token 4: a bag of words cannot tell
    rng = np.random.default_rng(0)
    x = rng.integers(5, 12, size=(256, 6))
    pos = np.array([rng.choice(6, 2, replace=False) for _ in range(256)])
    x[np.arange(256), pos[:, 0]] = 3
    x[np.arange(256), pos[:, 1]] = 4
    y = (pos[:, 0] < pos[:, 1]).astype(np.int64)
    tl.manual_seed(2)
    m = LSTMClassifier(12, 8, 16, num_classes=2)
    tr = Trainer(m, optim.Adam(m.parameters(), lr=0.02), verbose=0)
    tr.fit((x[:200], y[:200]), epochs=12, batch_size=20)
    assert tr.evaluate((x[200:], y[200:]))["accuracy"] >= 0.9


def test_bad_input():
    m = LSTMClassifier(10, 4, 3)
    with pytest.raises(ValueError, match=r"token ids must be in \[0, 10\)"):
        m(np.array([[1, 10]]))
    with pytest.raises(ValueError, match="integer token ids"):
        m(np.ones((2, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="pooling"):
        LSTMClassifier(10, pooling="attention")
