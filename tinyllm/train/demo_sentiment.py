"""The book's chapter 5 sentiment classifier, end to end, on the built-in corpus.

Embedding → LSTM(50) → Dense(1, sigmoid), binary cross-entropy, Adam — the listing's
model — trained with the Keras-style API on tinyllm's generated review sentences (whose
labels hinge on negation and "but"-clauses, so word order matters). The sentences are
split into train / validation / held-out test (stratified, seeded); the test split is
only used once, at the end.

``run_sentiment_demo()`` prints the held-out accuracy, precision, recall and F1 and a
classification report, writes ``sentiment_history.png`` (loss and accuracy curves) and
``sentiment_confusion.png`` to ``out_dir``, and returns the numbers.
"""

from __future__ import annotations

import os
import time

import numpy as np

__all__ = ["run_sentiment_demo", "build_book_model", "prepare_sentiment_data",
           "improve_with_random_search"]


def prepare_sentiment_data(n: int = 3000, seed: int = 0, val_size: float = 0.1,
                           test_size: float = 0.2):
    """Corpus → (tokenizer, (x_tr, y_tr), (x_val, y_val), (x_te, y_te), maxlen, texts_te).

    The tokenizer is fitted on the training texts only; sequences are pre-padded (the
    real words come last, right before the LSTM's final state is read).
    """
    from ..data import sentiment_corpus, train_val_test_split
    from ..text import Tokenizer, pad_sequences

    texts, labels = sentiment_corpus(n, seed=seed)
    labels = np.asarray(labels, dtype=np.int64)
    (tr_t, tr_y), (va_t, va_y), (te_t, te_y) = _split(texts, labels, val_size, test_size, seed,
                                                      train_val_test_split)
    tok = Tokenizer(oov_token="<unk>")
    tok.fit_on_texts(tr_t)
    maxlen = max(len(s) for s in tok.texts_to_sequences(tr_t))

    def encode(ts):
        return pad_sequences(tok.texts_to_sequences(ts), maxlen=maxlen)

    return (tok, (encode(tr_t), tr_y), (encode(va_t), va_y), (encode(te_t), te_y), maxlen,
            list(te_t))


def _split(texts, labels, val_size, test_size, seed, splitter):
    t_tr, t_va, t_te, y_tr, y_va, y_te = splitter(list(texts), labels, val_size=val_size,
                                                  test_size=test_size, seed=seed,
                                                  stratify=labels)
    return (t_tr, y_tr), (t_va, y_va), (t_te, y_te)


def build_book_model(vocab_size: int, maxlen: int, embed_dim: int = 32, units: int = 50,
                     learning_rate: float = 5e-3, dropout: float = 0.0, l2: float = 0.0):
    """The listing's Sequential model (``dropout``/``l2`` > 0 give the improved variant
    of its section 5.4: a Dropout before the head, L2 on the kernels)."""
    from ..keras.layers import LSTM, Dense, Dropout, Embedding
    from ..keras.models import Sequential
    from ..keras.optimizers import Adam
    from ..keras.regularizers import l2 as L2

    reg = L2(l2) if l2 > 0 else None
    model = Sequential()
    model.add(Embedding(input_dim=vocab_size, output_dim=embed_dim, input_length=maxlen))
    model.add(LSTM(units=units, return_sequences=False, kernel_regularizer=reg))
    if dropout > 0:
        model.add(Dropout(dropout))
    model.add(Dense(units=1, activation="sigmoid", kernel_regularizer=reg))
    model.compile(optimizer=Adam(learning_rate=learning_rate), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def run_sentiment_demo(out_dir: str = "tinyllm-demo", n: int = 3000, epochs: int = 4,
                       seed: int = 0, batch_size: int = 32, learning_rate: float = 1e-2,
                       verbose: int = 1) -> dict:
    """Train the book's model on the built-in sentiment corpus; report held-out scores.

    Returns ``{"accuracy", "precision", "recall", "f1", "confusion_matrix", "history",
    "seconds", "n_train", "n_val", "n_test", "figures"}``.
    """
    from .. import metrics as M
    from ..rng import manual_seed
    from .callbacks import EarlyStopping
    from .plots import plot_confusion_matrix, plot_history

    t0 = time.perf_counter()
    tok, (x_tr, y_tr), (x_va, y_va), (x_te, y_te), maxlen, _ = prepare_sentiment_data(n, seed)
    manual_seed(seed)
    model = build_book_model(len(tok.word_index) + 1, maxlen, learning_rate=learning_rate)
    if verbose:
        print(f"built-in sentiment corpus: {len(x_tr)} train / {len(x_va)} validation / "
              f"{len(x_te)} held-out sentences, vocabulary {len(tok.word_index)}, "
              f"maxlen {maxlen}")
        model.summary()
    history = model.fit(x_tr, y_tr, batch_size=batch_size, epochs=epochs,
                        validation_data=(x_va, y_va), verbose=1 if verbose else 0,
                        callbacks=[EarlyStopping(monitor="val_loss", patience=2,
                                                 restore_best_weights=True)])
    prob = model.predict(x_te, verbose=0).reshape(-1)
    pred = (prob > 0.5).astype(np.int64)
    result = {
        "accuracy": M.accuracy(y_te, pred),
        "precision": M.precision(y_te, pred),
        "recall": M.recall(y_te, pred),
        "f1": M.f1_score(y_te, pred),
        "confusion_matrix": M.confusion_matrix(y_te, pred, labels=[0, 1]).tolist(),
        "history": {k: list(v) for k, v in history.history.items()},
        "n_train": len(x_tr), "n_val": len(x_va), "n_test": len(x_te),
    }
    os.makedirs(out_dir, exist_ok=True)
    result["figures"] = [
        plot_history(history, os.path.join(out_dir, "sentiment_history.png"),
                     metrics=["loss", "accuracy"],
                     title="Embedding → LSTM(50) → Dense(sigmoid)"),
        plot_confusion_matrix(np.asarray(result["confusion_matrix"]),
                              os.path.join(out_dir, "sentiment_confusion.png"),
                              labels=["negative", "positive"],
                              title="held-out confusion matrix"),
    ]
    result["seconds"] = time.perf_counter() - t0
    if verbose:
        print(f"held-out: accuracy {result['accuracy']:.4f}  precision "
              f"{result['precision']:.4f}  recall {result['recall']:.4f}  F1 "
              f"{result['f1']:.4f}")
        print(M.classification_report(y_te, pred, target_names=["negative", "positive"],
                                      digits=4))
        print(f"figures: {', '.join(result['figures'])}  ({result['seconds']:.1f} s)")
    return result


def improve_with_random_search(n: int = 3000, n_trials: int = 6, epochs: int = 5,
                               seed: int = 0, batch_size: int = 32, out_dir: str | None = None,
                               verbose: int = 0) -> dict:
    """The book's section 5.4 advice, carried out: add dropout and L2, tune them (and the
    learning rate and width) by random search on the validation split, then compare the
    tuned model with the listing's baseline on the held-out split.

    Returns ``{"baseline": {...}, "improved": {...}, "best_params": {...},
    "search": SearchResults, "table": str}``; with ``out_dir`` also writes
    ``search_results.png``.
    """
    from .. import metrics as M
    from ..rng import manual_seed
    from .search import choice, loguniform, random_search

    tok, (x_tr, y_tr), (x_va, y_va), (x_te, y_te), maxlen, _ = prepare_sentiment_data(n, seed)
    vocab = len(tok.word_index) + 1

    def train(params, trial_seed):
        manual_seed(trial_seed)
        model = build_book_model(vocab, maxlen, units=params.get("units", 50),
                                 learning_rate=params.get("learning_rate", 5e-3),
                                 dropout=params.get("dropout", 0.0), l2=params.get("l2", 0.0))
        history = model.fit(x_tr, y_tr, batch_size=batch_size, epochs=epochs,
                            validation_data=(x_va, y_va), verbose=verbose)
        return model, history

    def held_out(model) -> dict:
        prob = model.predict(x_te, verbose=0).reshape(-1)
        pred = (prob > 0.5).astype(np.int64)
        eps = 1e-7
        p = np.clip(prob.astype(np.float64), eps, 1 - eps)
        bce = float(-np.mean(y_te * np.log(p) + (1 - y_te) * np.log(1 - p)))
        return {"accuracy": M.accuracy(y_te, pred), "f1": M.f1_score(y_te, pred),
                "log_loss": bce}

    base_model, _ = train({}, seed)
    baseline = held_out(base_model)
    space = {"dropout": choice([0.0, 0.2, 0.4]), "l2": loguniform(1e-5, 1e-2),
             "learning_rate": loguniform(2e-3, 2e-2), "units": choice([32, 50, 64])}
    search = random_search(lambda p: train(p, seed)[1], space, n_trials=n_trials,
                           metric="val_accuracy", seed=seed)
    best = search.best_params
    improved_model, _ = train(best, seed)
    improved = held_out(improved_model)
    out = {"baseline": baseline, "improved": improved, "best_params": best,
           "search": search, "table": search.table()}
    if out_dir is not None:
        from .plots import plot_search_results
        os.makedirs(out_dir, exist_ok=True)
        out["figure"] = plot_search_results(search, os.path.join(out_dir,
                                                                 "search_results.png"))
    return out
