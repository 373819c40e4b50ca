"""The README's Python examples run as written (so the front page stays true)."""

import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_python_blocks_run(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 3
    namespace: dict = {}
    for code in blocks:  # later blocks build on earlier ones, as a reader would run them
        exec(compile(code, str(README), "exec"), namespace)
    assert "yes" in capsys.readouterr().out          # the gradcheck table passed
    np.testing.assert_allclose(namespace["z"].data, [[0.8, 1.0, 1.2]], rtol=1e-6)
    assert namespace["loss"].item() > 0
