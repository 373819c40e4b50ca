"""The ``tinyllm`` command: dispatch, help, gradcheck table, the demo's first part."""

import subprocess
import sys

from tinyllm.cli import COMMANDS, main


def test_help_lists_every_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert name in out


def test_unknown_command_is_an_error(capsys):
    assert main(["trian"]) == 2
    assert "unknown command 'trian'" in capsys.readouterr().err


def test_every_command_target_imports():
    import importlib

    for target, _ in COMMANDS.values():
        module, func = target.split(":")
        assert callable(getattr(importlib.import_module(module), func)), target


def test_gradcheck_command_prints_a_table(capsys):
    assert main(["gradcheck", "Sigmoid", "CrossEntropy"]) == 0
    out = capsys.readouterr().out
    assert "Sigmoid" in out and "CrossEntropy" in out
    assert "3/3 cases passed" in out


def test_demo_math_part(tmp_path, capsys):
    assert main(["demo", "--parts", "math", "--fast", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "[0.8 1.  1.2]" in out            # the real z for x = [1, 0, 1]
    assert "cases passed" in out
    assert (tmp_path / "worked_example_loss.png").stat().st_size > 1000


def test_console_script_runs():
    r = subprocess.run([sys.executable, "-m", "tinyllm.cli", "--help"], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0 and "demo" in r.stdout


def test_demo_sentiment_and_gpt_parts_fast(tmp_path, capsys):
    """The whole main job's wiring, in fast mode (the full run is `tinyllm demo`)."""
    assert main(["demo", "--parts", "sentiment,gpt", "--fast", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "beam search" in out and "KV cache" in out and "identical tokens: True" in out
    pngs = {p.name for p in tmp_path.rglob("*.png")}
    assert {"sentiment_history.png", "sentiment_confusion.png", "loss.png"} <= pngs
