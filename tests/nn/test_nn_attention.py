"""nn.MultiheadAttention and nn.TransformerBlock: by-hand values, masks, gradchecks, errors."""

import math

import numpy as np
import pytest

import tinyllm as tl
from tinyllm import nn
from tinyllm.nn.utils import gradcheck_module

RNG = np.random.default_rng(0)


@pytest.fixture
def numpy_backend():
    # gradchecks run thousands of tiny forwards: the NumPy reference kernels are the fast
    # choice there (kernel parity between the backends is tested in tests/kernels)
    with tl.use_backend("numpy"):
        yield


def _mha(E=4, H=2, **kw):
    tl.manual_seed(0)
    return nn.MultiheadAttention(E, H, **kw).double()


def test_single_head_identity_projections_by_hand():
    m = _mha(2, 1)
    m.in_proj_weight.data[...] = np.vstack([np.eye(2)] * 3)
    m.out_proj.weight.data[...] = np.eye(2)
    x = np.array([[[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]]])
    out, w = m(x, x, x, need_weights=True)
    s = x[0] @ x[0].T / math.sqrt(2)
    p = np.exp(s) / np.exp(s).sum(1, keepdims=True)
    np.testing.assert_allclose(w.data[0], p, atol=1e-15)
    np.testing.assert_allclose(out.data[0], p @ x[0], atol=1e-15)
    # causal: row i averages only keys 0..i
    out_c, w_c = m(x, x, x, need_weights=True, is_causal=True)
    assert w_c.data[0, 0].tolist() == [1.0, 0.0, 0.0]
    e = np.exp(s[1, :2])
    np.testing.assert_allclose(w_c.data[0, 1, :2], e / e.sum(), atol=1e-15)


def test_parameters_named_and_initialised_like_pytorch():
    m = nn.MultiheadAttention(8, 2)
    assert [(n, p.shape) for n, p in m.named_parameters()] == [
        ("in_proj_weight", (24, 8)), ("in_proj_bias", (24,)), ("out_proj.weight", (8, 8)),
        ("out_proj.bias", (8,))]
    assert np.abs(m.in_proj_weight.data).max() <= math.sqrt(6 / 32)  # Glorot bound
    assert not m.in_proj_bias.data.any() and not m.out_proj.bias.data.any()
    assert [n for n, _ in nn.MultiheadAttention(8, 2, bias=False).named_parameters()] == [
        "in_proj_weight", "out_proj.weight"]


def test_fused_and_explicit_paths_agree_and_weights_are_probabilities():
    m = _mha()
    q, kv = RNG.standard_normal((2, 3, 4)), RNG.standard_normal((2, 5, 4))
    kpm = np.array([[False] * 5, [False, False, False, True, True]])
    am = np.zeros((3, 5), bool)
    am[0, 1] = True
    fused, none = m(q, kv, kv, key_padding_mask=kpm, attn_mask=am)
    explicit, w = m(q, kv, kv, key_padding_mask=kpm, attn_mask=am, need_weights=True)
    assert none is None
    np.testing.assert_allclose(fused.data, explicit.data, atol=1e-14)
    assert w.shape == (2, 3, 5)
    np.testing.assert_allclose(w.data.sum(-1), 1.0, atol=1e-14)
    assert np.all(w.data[1, :, 3:] == 0) and np.all(w.data[:, 0, 1] == 0)
    _, w_heads = m(q, kv, kv, need_weights=True, average_attn_weights=False)
    assert w_heads.shape == (2, 2, 3, 5)


def test_padded_keys_and_future_positions_do_not_leak():
    m = _mha()
    q, kv = RNG.standard_normal((1, 3, 4)), RNG.standard_normal((1, 5, 4))
    kpm = np.array([[False, False, False, True, True]])
    kv2 = kv.copy()
    kv2[0, 3:] += 10.0
    a = m(q, kv, kv, key_padding_mask=kpm)[0].data
    b = m(q, kv2, kv2, key_padding_mask=kpm)[0].data
    np.testing.assert_allclose(a, b, atol=1e-13)
    x = RNG.standard_normal((1, 4, 4))
    x2 = x.copy()
    x2[0, 3] -= 5.0
    ya, yb = m(x, x, x, is_causal=True)[0].data, m(x2, x2, x2, is_causal=True)[0].data
    np.testing.assert_allclose(ya[0, :3], yb[0, :3], atol=1e-13)
    assert np.abs(ya[0, 3] - yb[0, 3]).max() > 1e-3


def test_fully_masked_row_gives_zeros_not_nan():
    m = _mha()
    x = RNG.standard_normal((1, 2, 4))
    am = np.array([[True, True], [False, True]])  # query 0 may attend nothing
    for nw in (False, True):
        out, _ = m(x, x, x, attn_mask=am, need_weights=nw)
        assert np.all(np.isfinite(out.data))
        np.testing.assert_allclose(out.data[0, 0], m.out_proj.bias.data, atol=1e-15)


def test_float_additive_mask_and_batch_first_false():
    m = _mha()
    x = RNG.standard_normal((2, 3, 4))
    blocked = np.triu(np.ones((3, 3), bool), 1)
    additive = np.where(blocked, -np.inf, 0.0)
    a = m(x, x, x, attn_mask=blocked)[0].data
    np.testing.assert_allclose(m(x, x, x, attn_mask=additive)[0].data, a, atol=1e-15)
    np.testing.assert_allclose(m(x, x, x, is_causal=True)[0].data, a, atol=1e-14)
    m.batch_first = False
    xt = x.transpose(1, 0, 2).copy()
    np.testing.assert_allclose(m(xt, xt, xt, attn_mask=blocked)[0].data.transpose(1, 0, 2), a,
                               atol=1e-15)


def test_attention_dropout_only_while_training():
    m = _mha(dropout=0.5)
    x = RNG.standard_normal((2, 3, 4))
    m.eval()
    a = m(x, x, x)[0].data
    m.train()
    tl.manual_seed(1)
    b = m(x, x, x)[0].data
    tl.manual_seed(1)
    np.testing.assert_array_equal(m(x, x, x)[0].data, b)
    assert np.abs(a - b).max() > 1e-3


class _SelfAttention(nn.Module):
    """m(x, x, x): the self-attention path (one fused Q/K/V projection)."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, x, **kw):
        return self.m(x, x, x, **kw)


def test_mha_gradcheck_self_attention_with_masks(numpy_backend):
    wrapped = _SelfAttention(_mha())
    x = RNG.standard_normal((2, 3, 4))
    kpm = np.array([[False, False, True], [False, False, False]])
    am = np.array([[False, True, False], [False, False, False], [True, False, False]])
    for nw in (False, True):
        rep = gradcheck_module(wrapped, x, kwargs=dict(key_padding_mask=kpm, attn_mask=am,
                                                       need_weights=nw),
                               output=lambda r: r[0] if r[1] is None else r[0] * 2 + r[1].sum())
        assert rep.passed, rep.table()
        assert len(rep.inputs) == 1 + 4


def test_mha_gradcheck_cross_attention_distinct_kv_causal(numpy_backend):
    m = _mha()
    q, k, v = (RNG.standard_normal((2, 3, 4)), RNG.standard_normal((2, 4, 4)),
               RNG.standard_normal((2, 4, 4)))
    rep = gradcheck_module(m, q, k, v, kwargs=dict(is_causal=True))
    assert rep.passed, rep.table()
    assert len(rep.inputs) == 3 + 4


@pytest.mark.parametrize("decoder", [False, True])
def test_transformer_block_gradcheck(decoder, numpy_backend):
    tl.manual_seed(2)
    blk = nn.TransformerBlock(4, 2, dim_feedforward=6, cross_attention=decoder).double()
    x = RNG.standard_normal((2, 3, 4))
    if decoder:
        mem = RNG.standard_normal((2, 4, 4))
        mkpm = np.array([[False, False, False, True], [False] * 4])
        rep = gradcheck_module(blk, x, mem, kwargs=dict(memory_key_padding_mask=mkpm))
    else:
        kpm = np.array([[False, False, True], [False] * 3])
        rep = gradcheck_module(blk, x, kwargs=dict(key_padding_mask=kpm, is_causal=True))
    assert rep.passed, rep.table()


def test_transformer_block_is_pre_ln_residual_by_hand():
    tl.manual_seed(3)
    blk = nn.TransformerBlock(4, 2).double()
    assert blk.dim_feedforward == 16
    x = RNG.standard_normal((1, 3, 4))
    h = x + blk.self_attn(blk.norm1(x), blk.norm1(x), blk.norm1(x))[0].data
    z = blk.norm2(h).data @ blk.linear1.weight.data.T + blk.linear1.bias.data
    gelu = 0.5 * z * (1 + np.vectorize(math.erf)(z / math.sqrt(2)))
    expect = h + gelu @ blk.linear2.weight.data.T + blk.linear2.bias.data
    np.testing.assert_allclose(blk(x).data, expect, atol=1e-13)
    names = [n for n, _ in nn.TransformerBlock(4, 2, cross_attention=True).named_parameters()]
    assert names[:4] == ["self_attn.in_proj_weight", "self_attn.in_proj_bias",
                         "self_attn.out_proj.weight", "self_attn.out_proj.bias"]
    assert "multihead_attn.in_proj_weight" in names and names[-2:] == ["norm3.weight",
                                                                       "norm3.bias"]


def test_decoder_block_is_causal_by_default():
    tl.manual_seed(4)
    blk = nn.TransformerBlock(4, 2, cross_attention=True).double()
    x, mem = RNG.standard_normal((1, 3, 4)), RNG.standard_normal((1, 2, 4))
    x2 = x.copy()
    x2[0, 2] += 3.0
    np.testing.assert_allclose(blk(x, mem).data[0, :2], blk(x2, mem).data[0, :2], atol=1e-13)
    assert np.abs(blk(x, mem, is_causal=False).data - blk(x, mem).data).max() > 1e-6


def test_attention_bad_input_errors():
    m = nn.MultiheadAttention(8, 2)
    x = np.zeros((4, 5, 8), np.float32)
    with pytest.raises(ValueError) as e:
        m(x, x, x, attn_mask=np.zeros((5, 4), bool))
    assert str(e.value) == ("MultiheadAttention(embed_dim=8, num_heads=2): attn_mask must have "
                            "shape (5, 5) or (8, 5, 5), got (5, 4)")
    with pytest.raises(ValueError, match=r"key_padding_mask must have shape \(4, 5\), got \(5,"):
        m(x, x, x, key_padding_mask=np.zeros((5, 4), bool))
    with pytest.raises(ValueError, match="may only hold 0 .* and -inf"):
        m(x, x, x, attn_mask=np.full((5, 5), -1.0))
    with pytest.raises(TypeError, match="attn_mask must be bool"):
        m(x, x, x, attn_mask=np.zeros((5, 5), int))
    with pytest.raises(ValueError, match=r"query must have shape \(batch, seq, embed_dim\) with "
                                         r"embed_dim=8, got \(4, 5, 6\)"):
        m(np.zeros((4, 5, 6), np.float32), x, x)
    with pytest.raises(ValueError, match="key and value must have the same shape"):
        m(x, x, np.zeros((4, 6, 8), np.float32))
    with pytest.raises(ValueError, match="multiple of num_heads"):
        nn.MultiheadAttention(6, 4)
    blk = nn.TransformerBlock(8, 2, cross_attention=True)
    with pytest.raises(ValueError, match="needs memory"):
        blk(x)
    with pytest.raises(ValueError, match="cross_attention=True"):
        nn.TransformerBlock(8, 2)(x, x)
    with pytest.raises(ValueError, match=r"x must have shape \(batch, seq, 8\), got \(5, 8\)"):
        blk(np.zeros((5, 8), np.float32), x)
