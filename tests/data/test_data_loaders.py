"""Loaders for the real data sets (counts from shared/data/*/SOURCE.md) and the path
resolution order. Skipped with a reason when shared/data is absent."""

import pytest

from tinyllm.data import (
    DataNotFoundError,
    find_shared_data_dir,
    load_conll,
    load_sst2,
    load_tinyshakespeare,
    load_translation_pairs,
    paths,
)

SHARED = find_shared_data_dir()
needs_shared = pytest.mark.skipif(SHARED is None, reason="shared/data not found above the "
                                  "working directory or the package (see shared/data/README.md)")


def _have(rel: str) -> bool:
    return SHARED is not None and (SHARED / rel).is_file()


@needs_shared
@pytest.mark.skipif(not _have("tinyshakespeare/input.txt"), reason="no tinyshakespeare")
def test_tinyshakespeare():
    text = load_tinyshakespeare()
    assert len(text) == 1_115_394 and len(set(text)) == 65
    assert text.startswith("First Citizen:\nBefore we proceed any further")


@needs_shared
@pytest.mark.skipif(not _have("sst2/train.tsv"), reason="no sst2")
def test_sst2():
    texts, labels = load_sst2("train")
    assert len(texts) == 67_349 and int(labels.sum()) == 37_569
    assert texts[0] == "hide new secretions from the parental units" and labels[0] == 0
    dev_texts, dev_labels = load_sst2("dev")
    assert len(dev_texts) == 872 and int(dev_labels.sum()) == 444


@needs_shared
@pytest.mark.skipif(not _have("translation/eng-fra.txt"), reason="no translation pairs")
def test_translation_pairs():
    pairs = load_translation_pairs(max_pairs=2)
    assert pairs == [("Go.", "Va !"), ("Run!", "Cours\u202f!")]
    assert load_translation_pairs(max_pairs=1, reverse=True) == [("Va !", "Go.")]


@needs_shared
@pytest.mark.skipif(not _have("ner/train.conll"), reason="no WNUT-17")
def test_conll():
    for split, n_sent, n_tok in [("train", 3394, 62730), ("dev", 1009, 15733),
                                 ("test", 1287, 23394)]:
        sents, tags = load_conll(split)
        assert len(sents) == n_sent and sum(map(len, sents)) == n_tok
        assert all(len(s) == len(t) for s, t in zip(sents, tags))
    sents, tags = load_conll("train")
    assert {t[2:] for ts in tags for t in ts if t != "O"} == {
        "person", "location", "group", "corporation", "product", "creative-work"}


def test_explicit_path_env_var_and_data_dir(tmp_path, monkeypatch):
    f = tmp_path / "mine.txt"
    f.write_text("To be.")
    assert load_tinyshakespeare(path=f) == "To be."
    d = tmp_path / "dir"
    d.mkdir()
    (d / "input.txt").write_text("Or not.")
    assert load_tinyshakespeare(path=d) == "Or not."
    monkeypatch.setenv("TINYLLM_TINYSHAKESPEARE", str(f))
    assert load_tinyshakespeare() == "To be."
    monkeypatch.delenv("TINYLLM_TINYSHAKESPEARE")
    root = tmp_path / "root"
    (root / "sst2").mkdir(parents=True)
    (root / "sst2" / "dev.tsv").write_text("sentence\tlabel\ngood fun \t1\ndull \t0\n")
    monkeypatch.setenv("TINYLLM_DATA_DIR", str(root))
    texts, labels = load_sst2("dev")
    assert texts == ["good fun", "dull"] and labels.tolist() == [1, 0]


def test_missing_file_message(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "find_shared_data_dir", lambda: None)
    monkeypatch.setenv("TINYLLM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TINYLLM_DATA_DIR", raising=False)
    monkeypatch.delenv("TINYLLM_CONLL", raising=False)
    with pytest.raises(DataNotFoundError) as e:
        load_conll("dev")
    msg = str(e.value)
    assert "dev.conll" in msg and str(tmp_path / "cache" / "ner" / "dev.conll") in msg
    assert "TINYLLM_CONLL" in msg and "download=True" in msg
    assert isinstance(e.value, FileNotFoundError)
    with pytest.raises(DataNotFoundError, match="given path"):
        load_sst2(path=tmp_path / "nope.tsv")


def test_corrupt_files(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("text\tlabel\nx\t1\n")
    with pytest.raises(ValueError, match="header"):
        load_sst2(path=bad)
    bad.write_text("sentence\tlabel\nx\t7\n")
    with pytest.raises(ValueError, match="line 2"):
        load_sst2(path=bad)
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ValueError, match="not UTF-8"):
        load_tinyshakespeare(path=binary)
    conll = tmp_path / "c.conll"
    conll.write_text("a\tO\nlonely\n")
    with pytest.raises(ValueError, match="line 2"):
        load_conll(path=conll)
    with pytest.raises(ValueError, match="split"):
        load_conll("validation")
