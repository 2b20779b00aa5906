"""The README stays true: every Python example in it runs, as written, on the real data."""

import os
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def test_the_readme_has_python_examples():
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("number", range(len(BLOCKS)))
def test_each_python_example_runs(number, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples write "out/" beside them
    monkeypatch.setenv("ACCESS_OVERPASS_URL", os.environ.get("ACCESS_OVERPASS_URL", "http://127.0.0.1:9/api"))
    exec(compile(BLOCKS[number], f"README.md python block {number + 1}", "exec"), {})  # noqa: S102
