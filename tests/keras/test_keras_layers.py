"""Keras-style layers and Sequential: Keras' parameter counts, initialisers and formulas,
fit / evaluate / predict semantics, regularisers, callbacks, errors."""

import numpy as np
import pytest

import tinyllm as tl
from tinyllm.keras import callbacks, layers, regularizers
from tinyllm.keras.models import Sequential
from tinyllm.keras.optimizers import SGD, Adam


def _sig(z):
    return 1 / (1 + np.exp(-z))


def _built(layer, shape):
    m = Sequential([layer])
    m.build(shape)
    return layer


def test_parameter_counts_match_keras():
    i, h = 7, 5
    assert _built(layers.LSTM(h), (None, 3, i)).num_parameters() == 4 * h * (i + h + 1)
    assert _built(layers.GRU(h), (None, 3, i)).num_parameters() == 3 * h * (i + h + 2)
    assert _built(layers.Dense(h), (None, i)).num_parameters() == i * h + h
    assert layers.Embedding(100, 8).num_parameters() == 800
    bi = _built(layers.Bidirectional(layers.LSTM(h)), (None, 3, i))
    assert bi.num_parameters() == 2 * 4 * h * (i + h + 1)


def test_keras_initialisers():
    tl.manual_seed(0)
    lstm = _built(layers.LSTM(6), (None, 4, 3), )
    b = lstm.cell.bias_ih_l0.data
    np.testing.assert_array_equal(b, np.r_[np.zeros(6), np.ones(6), np.zeros(12)])
    w_hh = lstm.cell.weight_hh_l0.data.astype(np.float64)           # [4H, H]
    np.testing.assert_allclose(w_hh.T @ w_hh, np.eye(6), atol=1e-5)  # orthonormal columns
    limit = np.sqrt(6 / (3 + 24))
    assert np.abs(lstm.cell.weight_ih_l0.data).max() <= limit
    emb = layers.Embedding(50, 4).embeddings.data
    assert np.abs(emb).max() <= 0.05


def test_lstm_follows_keras_formulas():
    tl.manual_seed(1)
    layer = _built(layers.LSTM(3, return_sequences=True), (None, 4, 2))
    layer.cell.bias_ih_l0.data[...] = np.random.default_rng(0).normal(size=12)
    x = np.random.default_rng(1).normal(size=(2, 4, 2)).astype(np.float32)
    kernel = layer.cell.weight_ih_l0.data.T           # Keras' [input, 4·units]
    rec = layer.cell.weight_hh_l0.data.T              # Keras' [units, 4·units]
    bias = layer.cell.bias_ih_l0.data
    h = c = np.zeros((2, 3))
    outs = []
    for t in range(4):
        z = x[:, t] @ kernel + h @ rec + bias
        i, f, g, o = _sig(z[:, :3]), _sig(z[:, 3:6]), np.tanh(z[:, 6:9]), _sig(z[:, 9:])
        c = f * c + i * g
        h = o * np.tanh(c)
        outs.append(h)
    np.testing.assert_allclose(layer(x).data, np.stack(outs, 1), rtol=1e-5, atol=1e-6)


def test_gru_follows_keras_reset_after_formulas():
    tl.manual_seed(2)
    layer = _built(layers.GRU(3), (None, 5, 2))
    rng = np.random.default_rng(0)
    layer.cell.bias_ih_l0.data[...] = rng.normal(size=9)
    layer.cell.bias_hh_l0.data[...] = rng.normal(size=9)
    x = rng.normal(size=(2, 5, 2)).astype(np.float32)
    wi, wh = layer.cell.weight_ih_l0.data, layer.cell.weight_hh_l0.data
    bi, bh = layer.cell.bias_ih_l0.data, layer.cell.bias_hh_l0.data
    h = np.zeros((2, 3))
    for t in range(5):
        gi, gh = x[:, t] @ wi.T + bi, h @ wh.T + bh          # gate order r, z, n
        r, z = _sig(gi[:, :3] + gh[:, :3]), _sig(gi[:, 3:6] + gh[:, 3:6])
        n = np.tanh(gi[:, 6:] + r * gh[:, 6:])
        h = (1 - z) * n + z * h
    np.testing.assert_allclose(layer(x).data, h, rtol=1e-5, atol=1e-6)


def test_bidirectional_concatenates_forward_last_and_backward_final():
    tl.manual_seed(3)
    bi = _built(layers.Bidirectional(layers.LSTM(4)), (None, 6, 3))
    x = np.random.default_rng(0).normal(size=(2, 6, 3)).astype(np.float32)
    seq = bi.layer.cell(tl.tensor(x))[0].data                     # [B, T, 2H]
    np.testing.assert_allclose(bi(x).data, np.concatenate([seq[:, -1, :4], seq[:, 0, 4:]], 1))


def _xy(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 20, size=(n, 6))
    y = (x[:, -1] > 10).astype(np.int64)
    return x, y


def _model(reg=None, dropout=0.0):
    m = Sequential()
    m.add(layers.Embedding(20, 4, input_length=6))
    m.add(layers.LSTM(5))
    if dropout:
        m.add(layers.Dropout(dropout))
    m.add(layers.Dense(1, activation="sigmoid", kernel_regularizer=reg))
    return m


def test_validation_split_is_the_last_fraction_and_history_is_keras_like():
    tl.manual_seed(4)
    x, y = _xy(40)
    m = _model()
    m.compile(optimizer=Adam(learning_rate=0.01), loss="binary_crossentropy",
              metrics=["accuracy"])
    h = m.fit(x, list(y), epochs=3, batch_size=8, validation_split=0.25, verbose=0)
    assert h.params["n_train"] == 30 and h.epoch == [0, 1, 2]
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(h.history)
    loss, acc = m.evaluate(x[30:], y[30:], verbose=0)
    assert loss == pytest.approx(h.history["val_loss"][-1], rel=1e-5)
    assert acc == pytest.approx(h.history["val_accuracy"][-1])
    p = m.predict(x[30:], verbose=0)[:, 0]
    manual = -np.mean(y[30:] * np.log(p) + (1 - y[30:]) * np.log(1 - p))
    assert loss == pytest.approx(manual, rel=1e-4)


def test_l2_regulariser_adds_lambda_sum_of_squares_to_the_loss():
    tl.manual_seed(5)
    x, y = _xy(16)
    m = _model(reg=regularizers.l2(0.3))
    m.compile(optimizer=SGD(learning_rate=0.1), loss="binary_crossentropy")
    m.build((None, 6))
    loss = m.evaluate(x, y, verbose=0)
    p = m.predict(x, verbose=0)[:, 0]
    bce = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    w = m.layers[-1].weight.data.astype(np.float64)
    assert loss == pytest.approx(bce + 0.3 * np.sum(w * w), rel=1e-5)


def test_dropout_is_off_in_predict_and_on_in_training():
    tl.manual_seed(6)
    x, _ = _xy(8)
    m = _model(dropout=0.5)
    m.build((None, 6))
    a, b = m.predict(x, verbose=0), m.predict(x, verbose=0)
    np.testing.assert_array_equal(a, b)
    m.train()
    assert not np.allclose(m(x).data, a)


def test_keras_style_callbacks_and_stop_training():
    tl.manual_seed(7)
    x, y = _xy(24)
    m = _model()
    m.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])

    class StopAfterTwo(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    h = m.fit(x, y, epochs=10, verbose=0, callbacks=[StopAfterTwo()])
    assert len(h.history["loss"]) == 2
    h = m.fit(x, y, epochs=10, verbose=0, validation_data=(x, y),
              callbacks=[callbacks.EarlyStopping(monitor="val_loss", min_delta=10.0)])
    assert len(h.history["loss"]) == 2   # no improvement by 10 after the first epoch


def test_summary_and_weights_round_trip(tmp_path, capsys):
    tl.manual_seed(8)
    m = _model()
    m.summary()
    text = capsys.readouterr().out
    assert "embedding (Embedding)        (None, 6, 4)" in text
    assert "lstm (LSTM)                  (None, 5)" in text
    assert f"Total params: {80 + 4 * 5 * (4 + 5 + 1) + 6:,}" in text
    m.save_weights(tmp_path / "w.safetensors")
    tl.manual_seed(9)
    other = _model()
    other.build((None, 6))
    other.load_weights(tmp_path / "w.safetensors")
    x, _ = _xy(4)
    np.testing.assert_array_equal(other.predict(x, verbose=0), m.predict(x, verbose=0))


def test_errors_are_clear():
    m = _model()
    with pytest.raises(RuntimeError, match="compile"):
        m.fit(*_xy(4), verbose=0)
    m.compile(optimizer="adam", loss="binary_crossentropy")
    with pytest.raises(TypeError, match="Sequential.fit: x: could not .*pad_sequences"):
        m.fit([[1, 2], [3]], [0, 1], verbose=0)
    with pytest.raises(ValueError, match="Sequential.fit: x must have a batch dimension"):
        m.fit(3, [0], verbose=0)
    with pytest.raises(ValueError, match="out of range for input_dim=20"):
        m.predict(np.array([[1, 25]]), verbose=0)
    with pytest.raises(ValueError, match="mask_zero"):
        layers.Embedding(10, 2, mask_zero=True)
    with pytest.raises(ValueError, match="unknown activation"):
        layers.Dense(2, activation="swishy")
    with pytest.raises(ValueError, match="x has 4 samples but y has 3"):
        m.fit(_xy(4)[0], [0, 1, 0], verbose=0)


def test_initial_epoch_counts_epochs_absolutely():
    tl.manual_seed(10)
    x, y = _xy(16)
    m = _model()
    m.compile(optimizer="adam", loss="binary_crossentropy")
    h = m.fit(x, y, epochs=5, initial_epoch=3, verbose=0)
    assert h.epoch == [3, 4] and len(h.history["loss"]) == 2
    with pytest.raises(ValueError, match="initial_epoch"):
        m.fit(x, y, epochs=2, initial_epoch=2, verbose=0)
