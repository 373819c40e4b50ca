"""Splits, DataLoader/collate and LM blocks: exact indices, shapes and padding."""

import numpy as np
import pytest

from tinyllm.data import (
    ArrayDataset,
    DataLoader,
    LMBlockDataset,
    collate,
    train_val_test_split,
)


def test_split_sizes_disjoint_and_seeded():
    x = list(range(100))
    y = np.arange(100) * 10
    xtr, xva, xte, ytr, yva, yte = train_val_test_split(x, y, val_size=0.1, test_size=0.2,
                                                        seed=1)
    assert (len(xtr), len(xva), len(xte)) == (70, 10, 20)
    assert isinstance(xtr, list) and isinstance(ytr, np.ndarray)
    assert sorted(xtr + xva + xte) == x
    np.testing.assert_array_equal(np.asarray(xva) * 10, yva)  # arrays stay aligned
    again = train_val_test_split(x, val_size=0.1, test_size=0.2, seed=1)
    assert again[1] == xva and again[2] == xte
    other = train_val_test_split(x, val_size=0.1, test_size=0.2, seed=2)
    assert other[2] != xte
    tr, va, te = train_val_test_split(x, val_size=5, test_size=0, shuffle=False)
    assert va == [0, 1, 2, 3, 4] and te == [] and tr == x[5:]


def test_stratified_split_keeps_proportions():
    labels = np.array([0] * 60 + [1] * 40)
    tr, va, te = train_val_test_split(labels, val_size=0.1, test_size=0.2, seed=0,
                                      stratify=labels)
    assert [int((p == 1).sum()) for p in (tr, va, te)] == [28, 4, 8]
    assert [int((p == 0).sum()) for p in (tr, va, te)] == [42, 6, 12]


def test_split_bad_input():
    with pytest.raises(ValueError, match="length"):
        train_val_test_split([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="empty"):
        train_val_test_split([])
    with pytest.raises(ValueError, match="no training"):
        train_val_test_split(list(range(10)), val_size=0.5, test_size=0.5)
    with pytest.raises(ValueError, match="val_size"):
        train_val_test_split(list(range(10)), val_size=1.5)
    with pytest.raises(TypeError, match="argument 0"):
        train_val_test_split(None)


def test_collate_pads_and_masks():
    out = collate([[5, 6, 7], [8], [9, 10]])
    np.testing.assert_array_equal(out["input_ids"], [[5, 6, 7], [8, 0, 0], [9, 10, 0]])
    np.testing.assert_array_equal(out["attention_mask"], [[1, 1, 1], [1, 0, 0], [1, 1, 0]])
    left = collate([[5, 6, 7], [8]], pad_value=-1, padding_side="left")
    np.testing.assert_array_equal(left["input_ids"], [[5, 6, 7], [-1, -1, 8]])
    np.testing.assert_array_equal(left["attention_mask"], [[1, 1, 1], [0, 0, 1]])
    d = collate([{"input_ids": [1, 2], "label": 1}, {"input_ids": [3], "label": 0}])
    np.testing.assert_array_equal(d["input_ids"], [[1, 2], [3, 0]])
    np.testing.assert_array_equal(d["attention_mask"], [[1, 1], [1, 0]])
    np.testing.assert_array_equal(d["label"], [1, 0])
    t = collate([(np.array([1, 2]), 0.5), (np.array([3, 4]), 1.5)])
    np.testing.assert_array_equal(t[0], [[1, 2], [3, 4]])
    np.testing.assert_array_equal(t[1], [0.5, 1.5])


def test_collate_bad_input():
    with pytest.raises(ValueError, match="empty batch"):
        collate([])
    with pytest.raises(ValueError, match="key 'b'"):
        collate([{"a": 1, "b": 2}, {"a": 1}])
    with pytest.raises(TypeError, match="cannot batch"):
        collate([None, None])


def test_dataloader_batches_shuffle_and_drop_last():
    data = [[i] * (i % 3 + 1) for i in range(10)]
    dl = DataLoader(data, batch_size=4)
    batches = list(dl)
    assert len(dl) == 3 and [b["input_ids"].shape[0] for b in batches] == [4, 4, 2]
    np.testing.assert_array_equal(batches[0]["input_ids"],
                                  [[0, 0, 0], [1, 1, 0], [2, 2, 2], [3, 0, 0]])
    assert len(DataLoader(data, batch_size=4, drop_last=True)) == 2
    assert len(list(DataLoader(data, batch_size=4, drop_last=True))) == 2

    ds = ArrayDataset(np.arange(10), np.arange(10) * 2)
    a = [x.tolist() for x, _ in DataLoader(ds, batch_size=5, shuffle=True, seed=3)]
    b = [x.tolist() for x, _ in DataLoader(ds, batch_size=5, shuffle=True, seed=3)]
    assert a == b and sorted(a[0] + a[1]) == list(range(10)) and a[0] != [0, 1, 2, 3, 4]
    dl = DataLoader(ds, batch_size=10, shuffle=True, seed=3)
    e1, e2 = next(iter(dl))[0].tolist(), next(iter(dl))[0].tolist()
    assert e1 != e2  # a new order each epoch
    x, y = next(iter(DataLoader(ds, batch_size=4)))
    np.testing.assert_array_equal(y, 2 * x)


def test_dataloader_bad_input():
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader([1, 2], batch_size=0)
    with pytest.raises(TypeError, match="dataset"):
        DataLoader(None)
    with pytest.raises(ValueError, match="array 1"):
        ArrayDataset(np.arange(3), np.arange(4))


def test_lm_blocks():
    ds = LMBlockDataset(np.arange(23), block_size=5, seed=0)
    assert len(ds) == 4  # (23 - 1) // 5
    x, y = ds[1]
    np.testing.assert_array_equal(x, [5, 6, 7, 8, 9])
    np.testing.assert_array_equal(y, [6, 7, 8, 9, 10])
    xb, yb = ds.sample(64)
    assert xb.shape == yb.shape == (64, 5) and xb.dtype == np.int64
    np.testing.assert_array_equal(yb, xb + 1)
    np.testing.assert_array_equal(np.diff(xb, axis=1), 1)
    assert xb.min() >= 0 and yb.max() <= 22 and len(np.unique(xb[:, 0])) > 5
    x2, _ = LMBlockDataset(np.arange(23), block_size=5, seed=0).sample(64)
    np.testing.assert_array_equal(x2, xb)  # seeded
    (bx, by), = list(DataLoader(ds, batch_size=4))[:1]
    np.testing.assert_array_equal(bx[:, 0], [0, 5, 10, 15])
    np.testing.assert_array_equal(by, bx + 1)


def test_lm_blocks_bad_input():
    with pytest.raises(ValueError, match="too few"):
        LMBlockDataset([1, 2, 3], block_size=3)
    with pytest.raises(TypeError, match="encode the text first"):
        LMBlockDataset("some text", block_size=2)
    with pytest.raises(ValueError, match="block_size"):
        LMBlockDataset(np.arange(10), block_size=0)
    with pytest.raises(TypeError, match="integer"):
        LMBlockDataset(np.linspace(0, 1, 10), block_size=2)
    with pytest.raises(IndexError, match="out of range"):
        LMBlockDataset(np.arange(10), block_size=3)[3]
