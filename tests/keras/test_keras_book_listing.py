"""The book's chapter 5 listing (a Keras LSTM text classifier), run with ``tensorflow``
replaced by ``tinyllm`` in its import lines and nothing else changed."""

import contextlib
import io
import re
from pathlib import Path

import numpy as np

import tinyllm as tl

# The listing's code, verbatim except for the import lines (tensorflow -> tinyllm).
LISTING = """\
import tinyllm as tf
from tinyllm.keras.preprocessing.text import Tokenizer
from tinyllm.keras.preprocessing.sequence import pad_sequences
from tinyllm.keras.models import Sequential
from tinyllm.keras.layers import Embedding, LSTM, Dense
from tinyllm.keras.optimizers import Adam
import numpy as np

# 数据准备
train_data = ['This is a sample text.', 'Another example text here.', 'More text to train on.']
train_labels = [0, 1, 0]

# 分词和序列化
tokenizer = Tokenizer()
tokenizer.fit_on_texts(train_data)
sequences = tokenizer.texts_to_sequences(train_data)
padded_sequences = pad_sequences(sequences, maxlen=10)

# 模型构建
model = Sequential()
model.add(Embedding(input_dim=len(tokenizer.word_index) + 1, output_dim=10, input_length=10))
model.add(LSTM(units=50, return_sequences=False))
model.add(Dense(units=1, activation='sigmoid'))

# 编译模型
model.compile(optimizer=Adam(learning_rate=0.001), loss='binary_crossentropy', metrics=['accuracy'])

# 训练模型
model.fit(padded_sequences, train_labels, epochs=10, batch_size=1)

# 评估模型
test_data = ['This is a test text.', 'Another test example.']
test_sequences = tokenizer.texts_to_sequences(test_data)
padded_test_sequences = pad_sequences(test_sequences, maxlen=10)
predictions = model.predict(padded_test_sequences)

# 输出预测结果
print(predictions)
"""

BOOK = Path(__file__).resolve().parents[3] / "shared" / "book" / \
    "llm-principles-finetuning-inference.md"


def test_listing_is_the_books_code_with_only_imports_changed():
    if not BOOK.exists():
        import pytest
        pytest.skip(f"the book is not at {BOOK}")
    text = BOOK.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    book = next(b for b in blocks if "model.fit(padded_sequences" in b)
    ours = LISTING.replace("tinyllm", "tensorflow")
    assert ours == book


def test_the_listing_runs_and_the_model_fits_its_three_examples():
    tl.manual_seed(0)
    ns: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        exec(compile(LISTING, "book_chapter5_listing.py", "exec"), ns)
    model, preds = ns["model"], ns["predictions"]
    assert preds.shape == (2, 1) and preds.dtype == np.float32
    assert np.all((preds > 0) & (preds < 1))
    assert str(np.round(preds[0, 0], 4))[:4] in out.getvalue()   # print(predictions) ran
    # 13 = 12 distinct words + the padding index 0; parameter counts as in Keras
    assert model.count_params() == 13 * 10 + 4 * 50 * (10 + 50 + 1) + (50 + 1)
    hist = model.history.history
    assert len(hist["loss"]) == 10 and hist["loss"][-1] < hist["loss"][0]
    # The listing's 10 epochs at lr 1e-3 only start the descent; more of the same fit()
    # makes the model separate its three training sentences.
    x, y = ns["padded_sequences"], np.asarray(ns["train_labels"])
    model.fit(x, ns["train_labels"], epochs=40, batch_size=1, verbose=0)
    loss, acc = model.evaluate(x, ns["train_labels"], verbose=0)
    assert acc == 1.0 and loss < 0.25
    np.testing.assert_array_equal((model.predict(x, verbose=0)[:, 0] > 0.5).astype(int), y)
