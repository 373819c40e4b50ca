"""The sentiment demo: the book's Embedding → LSTM(50) → Dense(sigmoid) model reaches at
least 90 % held-out accuracy on the built-in corpus (seeded)."""

import numpy as np

from tinyllm.train.demo_sentiment import prepare_sentiment_data, run_sentiment_demo


def test_data_preparation_is_stratified_and_prepadded():
    tok, (x_tr, y_tr), (x_va, y_va), (x_te, y_te), maxlen, texts = prepare_sentiment_data(400)
    assert (len(x_tr), len(x_va), len(x_te)) == (280, 40, 80)
    assert y_te.sum() == 40 and y_va.sum() == 20          # both classes, half each
    assert x_tr.shape[1] == maxlen and np.all(x_tr[:, -1] > 0)   # pre-padded: words last
    assert len(texts) == 80


def test_demo_reaches_90_percent_held_out(tmp_path):
    r = run_sentiment_demo(str(tmp_path), n=3000, epochs=3, seed=0, verbose=0)
    assert r["accuracy"] >= 0.90
    (tn, fp), (fn, tp) = r["confusion_matrix"]
    assert tn + fp + fn + tp == r["n_test"] == 600
    assert r["accuracy"] == (tn + tp) / 600
    assert r["precision"] == tp / (tp + fp) and r["recall"] == tp / (tp + fn)
    assert abs(r["f1"] - 2 * tp / (2 * tp + fp + fn)) < 1e-12
    for path in r["figures"]:
        with open(path, "rb") as fh:
            assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
