"""A PyTorch state dict loads into the tinyllm layer: same outputs, same gradients."""

import numpy as np
import pytest

import tinyllm as tl
from tinyllm import nn

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)


def _load(ours, theirs):
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours


def _as_list(out):
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _as_list(o)]
    return [out]


def _compare(ours, theirs, inputs, call_ours=None, call_theirs=None, atol=1e-12,
             kwargs_ours=None, kwargs_theirs=None):
    """Run both on the same inputs, backprop the same random projection of every output,
    and compare outputs, input gradients and parameter gradients."""
    call_ours = call_ours or (lambda m, *a: m(*a, **(kwargs_ours or {})))
    call_theirs = call_theirs or (lambda m, *a: m(*a, **(kwargs_theirs or {})))
    t_in = [torch.tensor(x, requires_grad=x.dtype.kind == "f") for x in inputs]
    o_in = [tl.tensor(x, requires_grad=x.dtype.kind == "f") for x in inputs]
    t_out = [o for o in _as_list(call_theirs(theirs, *t_in)) if o is not None]
    o_out = [o for o in _as_list(call_ours(ours, *o_in)) if o is not None]
    assert len(t_out) == len(o_out)
    t_loss, o_loss = 0, 0
    for t, o in zip(t_out, o_out):
        np.testing.assert_allclose(o.data, t.detach().numpy(), atol=atol, rtol=0)
        r = RNG.standard_normal(t.shape).astype(o.dtype)
        t_loss = t_loss + (t * torch.tensor(r)).sum()
        o_loss = o_loss + (o * r).sum()
    t_loss.backward()
    o_loss.backward()
    for t, o in zip(t_in, o_in):
        if t.requires_grad:
            np.testing.assert_allclose(o.grad, t.grad.numpy(), atol=atol, rtol=0)
    ours_p = dict(ours.named_parameters())
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(ours_p[name].grad, p.grad.numpy(), atol=atol, rtol=0,
                                   err_msg=name)


def test_linear_embedding_layer_norm():
    t = torch.nn.Linear(5, 3).double()
    _compare(_load(nn.Linear(5, 3).double(), t), t, [RNG.standard_normal((2, 4, 5))])
    t = torch.nn.Embedding(7, 4, padding_idx=2).double()
    _compare(_load(nn.Embedding(7, 4, padding_idx=2).double(), t), t,
             [np.array([[0, 2, 6], [2, 6, 6]])])
    t = torch.nn.LayerNorm(6).double()
    with torch.no_grad():
        t.weight.normal_()
        t.bias.normal_()
    _compare(_load(nn.LayerNorm(6).double(), t), t, [RNG.standard_normal((3, 2, 6))])


@pytest.mark.parametrize("batch_first", [False, True])
def test_lstm_multilayer_bidirectional_with_initial_state(batch_first):
    t = torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True, batch_first=batch_first).double()
    m = _load(nn.LSTM(3, 5, num_layers=2, bidirectional=True, batch_first=batch_first).double(),
              t)
    x = RNG.standard_normal((2, 6, 3) if batch_first else (6, 2, 3))
    h0, c0 = RNG.standard_normal((4, 2, 5)), RNG.standard_normal((4, 2, 5))
    _compare(m, t, [x, h0, c0], call_ours=lambda mod, x, h, c: mod(x, (h, c)),
             call_theirs=lambda mod, x, h, c: mod(x, (h, c)))


def test_lstm_float32_default_backend():
    t = torch.nn.LSTM(4, 8, num_layers=2, batch_first=True)
    m = _load(nn.LSTM(4, 8, num_layers=2, batch_first=True), t)
    _compare(m, t, [RNG.standard_normal((3, 7, 4)).astype(np.float32)], atol=2e-5)


def test_gru_multilayer_bidirectional():
    t = torch.nn.GRU(3, 4, num_layers=2, bidirectional=True).double()
    m = _load(nn.GRU(3, 4, num_layers=2, bidirectional=True).double(), t)
    _compare(m, t, [RNG.standard_normal((6, 2, 3)), RNG.standard_normal((4, 2, 4))])


def test_multihead_attention_with_masks_and_weights():
    t = torch.nn.MultiheadAttention(8, 2, batch_first=True).double()
    m = _load(nn.MultiheadAttention(8, 2).double(), t)
    kpm = np.array([[False] * 5, [False, False, False, True, True]])
    am = np.zeros((3, 5), bool)
    am[1, 0] = True
    inputs = [RNG.standard_normal((2, 3, 8)), RNG.standard_normal((2, 5, 8)),
              RNG.standard_normal((2, 5, 8))]
    _compare(m, t, inputs, kwargs_ours=dict(key_padding_mask=kpm, attn_mask=am,
                                            need_weights=True),
             kwargs_theirs=dict(key_padding_mask=torch.tensor(kpm), attn_mask=torch.tensor(am),
                                need_weights=True))
    m.zero_grad()
    t.zero_grad()
    causal = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64)
    _compare(m, t, [RNG.standard_normal((2, 4, 8))],
             call_ours=lambda mod, x: mod(x, x, x, is_causal=True)[0],
             call_theirs=lambda mod, x: mod(x, x, x, attn_mask=causal, is_causal=True,
                                            need_weights=False)[0])


@pytest.mark.parametrize("decoder", [False, True])
def test_transformer_block_matches_pre_ln_torch_layer(decoder):
    cls = torch.nn.TransformerDecoderLayer if decoder else torch.nn.TransformerEncoderLayer
    t = cls(8, 2, 16, dropout=0.0, activation="gelu", batch_first=True, norm_first=True)
    t = t.double().train()  # train mode keeps torch off its fused inference fast path
    m = _load(nn.TransformerBlock(8, 2, 16, cross_attention=decoder).double(), t)
    x = RNG.standard_normal((2, 4, 8))
    if decoder:
        mem = RNG.standard_normal((2, 5, 8))
        mkpm = np.array([[False] * 5, [False, False, False, False, True]])
        causal = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64)
        _compare(m, t, [x, mem],
                 call_ours=lambda mod, a, b: mod(a, b, memory_key_padding_mask=mkpm),
                 call_theirs=lambda mod, a, b: mod(a, b, tgt_mask=causal, tgt_is_causal=True,
                                                   memory_key_padding_mask=torch.tensor(mkpm)))
    else:
        kpm = np.array([[False] * 4, [False, False, False, True]])
        _compare(m, t, [x], kwargs_ours=dict(key_padding_mask=kpm),
                 kwargs_theirs=dict(src_key_padding_mask=torch.tensor(kpm)))
