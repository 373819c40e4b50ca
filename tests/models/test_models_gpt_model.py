"""GPT model: an independent NumPy forward, HF GPT-2 loading, init, optimizer groups,
fused vs step-by-step attention, checkpoints, bad input."""

import json
import math

import numpy as np
import pytest

import tinyllm as tl
from tinyllm.io import save_safetensors
from tinyllm.models import GPT, GPTConfig
from tinyllm.models.fused_attention import fused_causal_attention
from tinyllm.models.gpt_train import get_lr

CFG = dict(vocab_size=11, block_size=16, n_layer=2, n_head=2, n_embd=8)


def _model(seed=0, **kw):
    tl.manual_seed(seed)
    m = GPT(GPTConfig(**{**CFG, **kw}))
    m.eval()
    return m


# ----- an independent forward pass, written from the GPT-2 equations in float64 ---------------
def _ln(x, w, b, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def _gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def numpy_gpt2_logits(hf: dict, n_layer: int, n_head: int, idx: np.ndarray) -> np.ndarray:
    """Logits from a Hugging Face GPT-2 state dict (Conv1D layout: x @ W + b)."""
    g = {k: np.asarray(v, dtype=np.float64) for k, v in hf.items()}
    t = idx.shape[1]
    x = g["wte.weight"][idx] + g["wpe.weight"][np.arange(t)]
    c = x.shape[-1]
    d = c // n_head
    causal = np.tril(np.ones((t, t), bool))
    for i in range(n_layer):
        p = f"h.{i}."
        h = _ln(x, g[p + "ln_1.weight"], g[p + "ln_1.bias"])
        qkv = h @ g[p + "attn.c_attn.weight"] + g[p + "attn.c_attn.bias"]
        q, k, v = np.split(qkv, 3, axis=-1)
        heads = []
        for hh in range(n_head):
            sl = slice(hh * d, (hh + 1) * d)
            s = q[..., sl] @ np.swapaxes(k[..., sl], -1, -2) / math.sqrt(d)
            s = np.where(causal, s, -np.inf)
            pr = np.exp(s - s.max(-1, keepdims=True))
            pr /= pr.sum(-1, keepdims=True)
            heads.append(pr @ v[..., sl])
        y = np.concatenate(heads, axis=-1)
        x = x + y @ g[p + "attn.c_proj.weight"] + g[p + "attn.c_proj.bias"]
        h = _ln(x, g[p + "ln_2.weight"], g[p + "ln_2.bias"])
        h = _gelu_tanh(h @ g[p + "mlp.c_fc.weight"] + g[p + "mlp.c_fc.bias"])
        x = x + h @ g[p + "mlp.c_proj.weight"] + g[p + "mlp.c_proj.bias"]
    x = _ln(x, g["ln_f.weight"], g["ln_f.bias"])
    return x @ g["wte.weight"].T


def _synthetic_hf_gpt2(tmp_path, prefix="", seed=0):
    """A small random GPT-2 in HF's file format: config.json + model.safetensors."""
    r = np.random.default_rng(seed)
    v, npos, c, n_layer, n_head = 13, 12, 8, 2, 2
    n = lambda *s: (r.standard_normal(s) * 0.3).astype(np.float32)  # noqa: E731
    sd = {"wte.weight": n(v, c), "wpe.weight": n(npos, c), "ln_f.weight": 1 + n(c),
          "ln_f.bias": n(c)}
    for i in range(n_layer):
        p = f"h.{i}."
        sd.update({p + "ln_1.weight": 1 + n(c), p + "ln_1.bias": n(c),
                   p + "attn.c_attn.weight": n(c, 3 * c), p + "attn.c_attn.bias": n(3 * c),
                   p + "attn.c_proj.weight": n(c, c), p + "attn.c_proj.bias": n(c),
                   p + "ln_2.weight": 1 + n(c), p + "ln_2.bias": n(c),
                   p + "mlp.c_fc.weight": n(c, 4 * c), p + "mlp.c_fc.bias": n(4 * c),
                   p + "mlp.c_proj.weight": n(4 * c, c), p + "mlp.c_proj.bias": n(c),
                   # the causal-mask buffer old GPT-2 files carry; must be ignored
                   p + "attn.bias": np.tril(np.ones((1, 1, npos, npos), np.float32))})
    files = {prefix + k: a for k, a in sd.items()}
    if prefix:
        files["lm_head.weight"] = sd["wte.weight"]
    save_safetensors(files, tmp_path / "model.safetensors")
    (tmp_path / "config.json").write_text(json.dumps({
        "model_type": "gpt2", "vocab_size": v, "n_positions": npos, "n_ctx": npos,
        "n_embd": c, "n_layer": n_layer, "n_head": n_head, "layer_norm_epsilon": 1e-5,
        "activation_function": "gelu_new"}))
    return sd, n_layer, n_head


@pytest.mark.parametrize("prefix", ["", "transformer."])
def test_from_pretrained_matches_independent_numpy_forward(tmp_path, prefix):
    sd, n_layer, n_head = _synthetic_hf_gpt2(tmp_path, prefix)
    model = GPT.from_pretrained(tmp_path)
    assert model.config.block_size == 12 and model.config.vocab_size == 13
    # Conv1D [in, out] became Linear [out, in]
    np.testing.assert_array_equal(model.transformer.h[1].mlp.c_fc.weight.data,
                                  sd["h.1.mlp.c_fc.weight"].T)
    idx = np.array([[1, 5, 2, 12, 0, 7, 3], [4, 4, 9, 1, 2, 11, 6]])
    expected = numpy_gpt2_logits(sd, n_layer, n_head, idx)
    got = model(idx).data
    np.testing.assert_allclose(got, expected, atol=2e-5, rtol=1e-4)


def test_from_pretrained_matches_torch_reference(tmp_path):
    torch = pytest.importorskip("torch")
    sd, n_layer, n_head = _synthetic_hf_gpt2(tmp_path, seed=3)
    model = GPT.from_pretrained(tmp_path)
    idx = np.array([[3, 1, 4, 1, 5, 9, 2, 6]])
    g = {k: torch.tensor(v, dtype=torch.float64) for k, v in sd.items()}
    t = idx.shape[1]
    x = g["wte.weight"][torch.tensor(idx)] + g["wpe.weight"][:t]
    c = x.shape[-1]
    for i in range(n_layer):
        p = f"h.{i}."
        h = torch.nn.functional.layer_norm(x, (c,), g[p + "ln_1.weight"], g[p + "ln_1.bias"])
        q, k, v = (h @ g[p + "attn.c_attn.weight"] + g[p + "attn.c_attn.bias"]).split(c, -1)
        q, k, v = (z.view(1, t, n_head, c // n_head).transpose(1, 2) for z in (q, k, v))
        y = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
        y = y.transpose(1, 2).reshape(1, t, c)
        x = x + y @ g[p + "attn.c_proj.weight"] + g[p + "attn.c_proj.bias"]
        h = torch.nn.functional.layer_norm(x, (c,), g[p + "ln_2.weight"], g[p + "ln_2.bias"])
        h = torch.nn.functional.gelu(h @ g[p + "mlp.c_fc.weight"] + g[p + "mlp.c_fc.bias"],
                                     approximate="tanh")
        x = x + h @ g[p + "mlp.c_proj.weight"] + g[p + "mlp.c_proj.bias"]
    x = torch.nn.functional.layer_norm(x, (c,), g["ln_f.weight"], g["ln_f.bias"])
    expected = (x @ g["wte.weight"].T).numpy()
    np.testing.assert_allclose(model(idx).data, expected, atol=2e-5, rtol=1e-4)


def test_from_pretrained_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="config.json"):
        GPT.from_pretrained(tmp_path)
    _synthetic_hf_gpt2(tmp_path)
    cfg = json.loads((tmp_path / "config.json").read_text())
    del cfg["n_head"]
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ValueError, match="n_head"):
        GPT.from_pretrained(tmp_path)


def test_loss_is_cross_entropy_of_logits():
    m = _model()
    idx = np.array([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]])
    tgt = np.array([[2, 3, 4, 5, 6], [7, 8, 9, 10, -1]])   # -1 = ignored position
    logits, loss = m(idx, tgt)
    z = logits.data.astype(np.float64).reshape(-1, CFG["vocab_size"])
    lp = z - z.max(1, keepdims=True)
    lp -= np.log(np.exp(lp).sum(1, keepdims=True))
    t = tgt.reshape(-1)
    keep = t != -1
    assert loss.item() == pytest.approx(-lp[keep, t[keep]].mean(), rel=1e-5)


def test_init_tied_head_and_residual_scaling():
    m = _model(n_layer=4, n_embd=64, n_head=4, vocab_size=200)
    assert m.lm_head.weight is m.transformer.wte.weight
    names = [n for n, _ in m.named_parameters()]
    assert "lm_head.weight" not in names           # counted once
    proj = np.concatenate([b.attn.c_proj.weight.data.ravel() for b in m.transformer.h]
                          + [b.mlp.c_proj.weight.data.ravel() for b in m.transformer.h])
    assert proj.std() == pytest.approx(0.02 / math.sqrt(2 * 4), rel=0.05)
    fc = np.concatenate([b.mlp.c_fc.weight.data.ravel() for b in m.transformer.h])
    assert fc.std() == pytest.approx(0.02, rel=0.05)
    assert np.all(m.transformer.h[0].attn.c_attn.bias.data == 0)
    assert np.all(m.transformer.h[0].ln_1.weight.data == 1)


def test_optimizer_decays_only_2d_weights():
    m = _model()
    opt = m.configure_optimizer(weight_decay=0.1, learning_rate=3e-4, betas=(0.9, 0.99))
    decay, no_decay = opt.param_groups
    assert decay["weight_decay"] == 0.1 and no_decay["weight_decay"] == 0.0
    assert all(p.ndim == 2 for p in decay["params"])
    assert all(p.ndim == 1 for p in no_decay["params"])
    # 2 embeddings + 4 Linear weights per layer
    assert len(decay["params"]) == 2 + 4 * CFG["n_layer"]
    assert len(decay["params"]) + len(no_decay["params"]) == len(list(m.parameters()))
    assert opt.param_groups[0]["betas"] == (0.9, 0.99)


def test_lr_schedule_values():
    kw = dict(learning_rate=1e-3, min_lr=1e-4, warmup_iters=100, lr_decay_iters=2000)
    assert get_lr(0, **kw) == pytest.approx(1e-3 / 101)
    assert get_lr(99, **kw) == pytest.approx(1e-3 * 100 / 101)
    assert get_lr(100, **kw) == pytest.approx(1e-3)
    assert get_lr(1050, **kw) == pytest.approx(1e-4 + 0.5 * 9e-4)
    assert get_lr(2000, **kw) == pytest.approx(1e-4)
    assert get_lr(5000, **kw) == 1e-4


def test_fused_attention_equals_step_by_step_path():
    m = _model()
    attn = m.transformer.h[0].attn
    r = np.random.default_rng(1)
    b, t, c = 3, 5, CFG["n_embd"]
    qkv_np = r.standard_normal((b * t, 3 * c)).astype(np.float64)
    keep = np.ones((b, t), bool)
    keep[0, :2] = False                                   # a left-padded row
    outs, grads = [], []
    for path in ("fused", "steps"):
        qkv = tl.tensor(qkv_np, requires_grad=True)
        if path == "fused":
            y = fused_causal_attention(qkv, CFG["n_head"], key_mask=keep, seq_len=t)
        else:
            y = attn._attend_step_by_step(qkv, t, keep)
        # Padding queries (rows 0, 1) see no key: their outputs are meaningless in both
        # versions, so they get no weight in the loss.
        w = np.random.default_rng(2).standard_normal(y.shape) * keep.reshape(-1, 1)
        (y * w).sum().backward()
        outs.append(y.data[keep.reshape(-1)])
        grads.append(qkv.grad)
    np.testing.assert_allclose(outs[0], outs[1], atol=1e-10)
    np.testing.assert_allclose(grads[0], grads[1], atol=1e-9)


def test_fused_attention_passes_gradcheck():
    from tinyllm.ops.cases import CASES

    for build in CASES["FusedCausalAttention"]:
        fn, inputs = build()
        report = tl.gradcheck(fn, inputs)
        assert report.passed, report.table()


def test_dropout_training_path_runs_and_eval_is_deterministic():
    m = _model(dropout=0.2)
    idx = np.array([[1, 2, 3, 4, 5, 6]])
    m.train()
    tl.manual_seed(5)
    _, l1 = m(idx, idx)
    l1.backward()
    assert all(p.grad is not None for p in m.parameters())
    m.eval()
    np.testing.assert_array_equal(m(idx).data, m(idx).data)


def test_checkpoint_round_trip(tmp_path):
    m = _model(seed=4)
    m.save(tmp_path / "ck", {"iter": 7})
    m2, state = GPT.load(tmp_path / "ck")
    assert state["iter"] == 7 and m2.config == m.config
    assert m2.lm_head.weight is m2.transformer.wte.weight
    idx = np.array([[1, 2, 3], [3, 2, 1]])
    m2.eval()
    np.testing.assert_array_equal(m(idx).data, m2(idx).data)


def test_bad_inputs():
    m = _model()
    with pytest.raises(ValueError, match="block_size=16"):
        m(np.zeros((1, 17), dtype=np.int64))
    with pytest.raises(ValueError, match="empty"):
        m(np.zeros((1, 0), dtype=np.int64))
    with pytest.raises(ValueError, match="targets"):
        m(np.zeros((2, 3), dtype=np.int64), np.zeros((2, 4), dtype=np.int64))
    with pytest.raises(ValueError, match="token ids"):
        m(np.zeros((2, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="out of range"):
        m(np.array([[1, 99]]))
    with pytest.raises(ValueError, match="divisible"):
        GPTConfig(n_embd=10, n_head=3)
    with pytest.raises(ValueError, match="dropout"):
        GPTConfig(dropout=1.0)
    with pytest.raises(TypeError, match="GPTConfig"):
        GPT({"n_layer": 2})


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_linear_gelu_matches_unfused_ops_on_both_backends(backend):
    from tinyllm import functional as F
    from tinyllm.models.fused_mlp import linear_gelu
    from tinyllm.ops.cases import CASES

    r = np.random.default_rng(0)
    xs = r.standard_normal((6, 5))
    ws = r.standard_normal((7, 5))
    bs = r.standard_normal(7)
    g = r.standard_normal((6, 7))
    with tl.use_backend(backend):
        results = []
        for fused in (True, False):
            x, w, b = (tl.tensor(a, requires_grad=True) for a in (xs, ws, bs))
            y = linear_gelu(x, w, b) if fused else F.gelu(F.linear(x, w, b), approximate="tanh")
            (y * g).sum().backward()
            results.append([y.data, x.grad, w.grad, b.grad])
        for a, c in zip(*results):
            np.testing.assert_allclose(a, c, atol=1e-12)
        for build in CASES["LinearGELU"]:
            fn, inputs = build()
            assert tl.gradcheck(fn, inputs).passed
