"""Hyperparameter search (grid / random) and the PNG plots."""

import math

import numpy as np
import pytest

from tinyllm.train import History, choice, grid_search, loguniform, randint, random_search
from tinyllm.train.plots import plot_confusion_matrix, plot_history, plot_search_results


def _objective(p):
    # a known surface: best at lr = 1e-2, units = 64
    return {"val_accuracy": 1.0 - abs(math.log10(p["lr"]) + 2) * 0.1 - abs(p["units"] - 64) / 640,
            "val_loss": 0.5}


def test_grid_search_tries_the_cartesian_product_in_order():
    calls = []
    res = grid_search(lambda p: calls.append(dict(p)) or _objective(p),
                      {"lr": [1e-3, 1e-2, 1e-1], "units": [32, 64]})
    assert calls == [{"lr": lr, "units": u} for lr in (1e-3, 1e-2, 1e-1) for u in (32, 64)]
    assert res.best_params == {"lr": 1e-2, "units": 64}
    assert res.best["val_accuracy"] == pytest.approx(1.0)
    table = res.table().splitlines()
    assert table[0].split() == ["trial", "lr", "units", "val_accuracy", "val_loss", "seconds"]
    assert table[2].split()[:4] == ["3", "0.01", "64", "1"]   # best trial first


def test_random_search_is_seeded_and_respects_the_space():
    space = {"lr": loguniform(1e-4, 1e-1), "units": randint(16, 128),
             "dropout": choice([0.0, 0.2, 0.5]), "fixed": 7}
    a = random_search(_objective, space, n_trials=25, seed=3)
    b = random_search(_objective, space, n_trials=25, seed=3)
    assert [r["lr"] for r in a.rows] == [r["lr"] for r in b.rows]
    assert all(1e-4 <= r["lr"] < 1e-1 and 16 <= r["units"] <= 128 for r in a.rows)
    assert {r["dropout"] for r in a.rows} <= {0.0, 0.2, 0.5} and {r["fixed"] for r in a.rows} == {7}
    # log-uniform: about a third of the draws in each of the three decades
    decades = np.floor(np.log10([r["lr"] for r in random_search(
        lambda p: 0.0, {"lr": loguniform(1e-4, 1e-1)}, n_trials=600, seed=0).rows]))
    counts = [int((decades == d).sum()) for d in (-4, -3, -2)]
    assert all(150 < c < 250 for c in counts), counts


def test_search_reads_the_best_epoch_of_a_history_and_min_mode(tmp_path):
    h = History()
    for e, v in enumerate([0.7, 0.9, 0.8]):
        h.log_epoch(e, {"val_accuracy": v, "val_loss": 1 - v})
    res = grid_search(lambda p: h, {"x": [1]})
    assert res.rows[0]["val_accuracy"] == 0.9 and res.rows[0]["best_epoch"] == 2
    res = grid_search(lambda p: p["x"] ** 2, {"x": [-2, 1, 3]}, metric="score", mode="min")
    assert res.best_params == {"x": 1}
    res.to_csv(tmp_path / "r.csv")
    assert (tmp_path / "r.csv").read_text().splitlines()[0] == "trial,x,score,seconds"
    with pytest.raises(ValueError, match="mode"):
        grid_search(lambda p: 1.0, {"x": [1]}, mode="best")
    with pytest.raises(TypeError, match="number, a dict or a History"):
        grid_search(lambda p: "good", {"x": [1]})


def _png_shape(path):
    import matplotlib.image as mpimg
    with open(path, "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    return mpimg.imread(path).shape


def test_plots_write_pngs(tmp_path):
    h = History()
    for e in range(4):
        h.log_epoch(e, {"loss": 1.0 / (e + 1), "accuracy": 0.5 + 0.1 * e,
                        "val_loss": 1.2 / (e + 1), "val_accuracy": 0.45 + 0.1 * e, "lr": 0.1})
    p = plot_history(h, tmp_path / "h.png")
    assert _png_shape(p)[1] == 900            # two panels of 4.5 in at 100 dpi
    assert _png_shape(plot_confusion_matrix([[5, 1], [2, 7]], tmp_path / "cm.png",
                                            labels=["neg", "pos"], normalize=True))[2] in (3, 4)
    res = grid_search(_objective, {"lr": [1e-4, 1e-3, 1e-2], "units": [32, 64]})
    assert _png_shape(plot_search_results(res, tmp_path / "s.png"))[1] == 800
    with pytest.raises(ValueError, match="square"):
        plot_confusion_matrix([[1, 2, 3]], tmp_path / "bad.png")
    with pytest.raises(ValueError, match=".png"):
        plot_history(h, tmp_path / "h.jpg")
    with pytest.raises(ValueError, match="not in the history"):
        plot_history(h, tmp_path / "x.png", metrics=["f1"])
