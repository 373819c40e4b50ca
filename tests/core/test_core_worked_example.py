"""The book's §4.4 example with the numbers that really follow from its inputs."""

import numpy as np

import tinyllm as tl
from tinyllm.labs.worked_example import (
    BOOK_W1,
    BOOK_X,
    OUTPUT_W2,
    book_inputs,
    forward_example,
    sgd_step_by_hand,
    train_worked_example,
)


def test_forward_values_follow_from_the_inputs():
    out = forward_example()
    # x = [1, 0, 1] → x·W1 = [0.1 + 0.7, 0.2 + 0.8, 0.3 + 0.9] (the book prints [.3, .4, .5])
    np.testing.assert_allclose(out["z"].data[0], [0.8, 1.0, 1.2], rtol=1e-12)
    np.testing.assert_allclose(out["z"].data, [[0.8, 1.0, 1.2], [0.5, 0.7, 0.9],
                                               [1.1, 1.3, 1.5]], rtol=1e-12)
    np.testing.assert_allclose(out["a"].data, out["z"].data)  # all positive: ReLU is identity
    logits = out["a"].data @ OUTPUT_W2
    np.testing.assert_allclose(logits[0], [0.8 * 0.5 - 0.3 * 1.0 + 0.2 * 1.2,
                                           -0.8 * 0.5 + 0.3 * 1.0 - 0.1 * 1.2], rtol=1e-12)
    y = out["y"]
    np.testing.assert_array_equal(y, [1, 0, 0])
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(out["loss"].item(), -np.mean(np.log(p[np.arange(3), y])),
                               rtol=1e-12)


def test_w1_gradient_autograd_equals_hand_chain_rule_and_gradcheck():
    out = forward_example()
    out["loss"].backward()
    d_w1_hand, _ = sgd_step_by_hand()
    np.testing.assert_allclose(out["W1"].grad, d_w1_hand, rtol=1e-12, atol=1e-15)

    y = out["y"]

    def loss_of_w1(w1):
        x = tl.tensor(BOOK_X)
        return tl.functional.cross_entropy((x @ w1).relu() @ tl.tensor(OUTPUT_W2), y)

    report = tl.gradcheck(loss_of_w1, [tl.tensor(BOOK_W1, requires_grad=True)])
    assert report.passed and report.inputs[0].max_abs_err < 1e-9


def test_one_sgd_update_by_hand():
    lr = 0.1
    d_w1, w1_new = sgd_step_by_hand(lr)
    out = forward_example()
    out["loss"].backward()
    tl.optim.SGD([out["W1"]], lr=lr).step()
    np.testing.assert_allclose(out["W1"].data, w1_new, rtol=1e-12)
    np.testing.assert_allclose(w1_new, BOOK_W1 - lr * d_w1)
    assert not np.allclose(w1_new, BOOK_W1)


def test_training_drives_the_loss_down():
    tl.manual_seed(0)
    hist = train_worked_example(steps=300, log=None)
    assert hist[-1][1] < 0.5 * hist[0][1]
    assert hist[-1][2] >= 0.95
    x, y = book_inputs(100)
    assert x.shape == (100, 3) and set(np.unique(y)) == {0, 1}
