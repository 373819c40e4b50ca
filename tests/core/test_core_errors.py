"""Wrong input gets an error that names the op and the shapes or dtypes."""

import numpy as np
import pytest

import tinyllm as tl
from tinyllm import functional as F


def test_matmul_shape_mismatch_names_both_shapes():
    a = tl.tensor(np.ones((2, 3)))
    b = tl.tensor(np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"matmul: cannot multiply \(2, 3\) @ \(4, 5\)"):
        a @ b


def test_cross_entropy_targets_out_of_range():
    with pytest.raises(ValueError, match="target 5 is out of range for 3 classes"):
        F.cross_entropy(tl.tensor(np.zeros((2, 3))), np.array([0, 5]))
    with pytest.raises(ValueError, match="target -2 is out of range"):
        F.cross_entropy(tl.tensor(np.zeros((2, 3))), np.array([0, -2]))


def test_cross_entropy_float_targets():
    with pytest.raises(TypeError, match="targets must be integer class indices, got dtype "
                                        "float64"):
        F.cross_entropy(tl.tensor(np.zeros((2, 3))), np.array([0.0, 1.0]))


def test_cross_entropy_target_shape():
    with pytest.raises(ValueError, match=r"need targets of shape \(2,\), got \(3,\)"):
        F.cross_entropy(tl.tensor(np.zeros((2, 3))), np.array([0, 1, 2]))


def test_reshape_transpose_index_errors():
    x = tl.tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"reshape: cannot reshape .* \(2, 3\) .* into \(4, 2\)"):
        x.reshape(4, 2)
    with pytest.raises(ValueError, match="swapaxes"):
        tl.tensor(np.ones((2, 3, 4))).transpose(0, 1)
    with pytest.raises(IndexError, match=r"getitem: .* shape \(2, 3\)"):
        x[5]


def test_loss_shape_and_value_errors():
    with pytest.raises(ValueError, match="mse_loss: input"):
        F.mse_loss(tl.tensor(np.ones(3)), np.ones(4))
    with pytest.raises(ValueError, match="probabilities"):
        F.binary_cross_entropy(tl.tensor(np.array([1.5])), np.array([1.0]))
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.cross_entropy(tl.tensor(np.zeros((1, 2))), np.array([0]), reduction="avg")


def test_embedding_and_layer_norm_errors():
    w = tl.tensor(np.ones((4, 2)), requires_grad=True)
    with pytest.raises(ValueError, match="id 7 is out of range for a table of 4 rows"):
        F.embedding(np.array([1, 7]), w)
    with pytest.raises(TypeError, match="ids must be integers"):
        F.embedding(np.array([1.0]), w)
    with pytest.raises(ValueError, match=r"layer_norm: normalized_shape \(5,\)"):
        F.layer_norm(tl.tensor(np.ones((2, 4))), 5)


def test_attention_mask_errors():
    q = tl.tensor(np.ones((1, 2, 3, 4)))
    with pytest.raises(ValueError, match=r"mask of shape \(5,\) does not broadcast"):
        F.scaled_dot_product_attention(q, q, q, mask=np.ones(5, dtype=bool))
    with pytest.raises(TypeError, match="mask must be bool"):
        F.scaled_dot_product_attention(q, q, q, mask=np.ones((3, 3)))


def test_nan_loss_is_caught_by_the_optimizer():
    w = tl.tensor(np.array([1.0]), requires_grad=True)
    loss = (w * np.nan).sum()
    loss.backward()
    opt = tl.optim.SGD([w], lr=0.1)
    with pytest.raises(FloatingPointError, match="NaN or inf"):
        opt.step()
