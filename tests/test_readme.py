"""The README stays a true front page: short, its Python example runs, its Quick start works as typed.

The manual's pages (``docs/``) are checked by ``tests/test_docs.py``.
"""

import os
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def test_the_readme_is_a_front_page_with_a_python_example():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 300, "the README is the front page; the manual is docs/"
    assert len(BLOCKS) >= 1
    for heading in ("## What the Redbridge study says", "## Quick start", "## The manual"):
        assert heading in text
    assert "![" in text and "(docs/report.png)" in text, "one picture"


def test_every_link_of_the_readme_leads_somewhere():
    text = README.read_text(encoding="utf-8")
    links = re.findall(r"\]\(((?:docs/)[^)#]+)", text)
    assert len(links) > 15
    for link in links:
        assert (README.parent / link).exists(), link


def test_the_download_size_the_quick_start_names_is_the_registrys(tmp_path, monkeypatch):
    """'about N MB': what 'access data fetch --study redbridge-2017' downloads into an empty data folder."""
    from access.inputs.config import load_config
    from access.inputs.sources import download_mb, downloads_of, sources

    monkeypatch.setenv("ACCESS_DATA_DIR", str(tmp_path / "empty"))
    keys = [key for key in load_config("redbridge-2017").data_keys if sources()[key].fetchable]
    size = download_mb(downloads_of(keys))
    said = re.search(r"about (\d+) MB, once", README.read_text(encoding="utf-8"))
    assert said, "the Quick start says how much its first run downloads"
    assert abs(int(said.group(1)) - size) <= 0.1 * size, (said.group(0), size)


@pytest.mark.parametrize("number", range(len(BLOCKS)))
def test_each_python_example_runs(number, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples write "out/" beside them
    monkeypatch.setenv("ACCESS_OVERPASS_URL", os.environ.get("ACCESS_OVERPASS_URL", "http://127.0.0.1:9/api"))
    exec(compile(BLOCKS[number], f"README.md python block {number + 1}", "exec"), {})  # noqa: S102


def test_the_quick_start_study_command_runs_to_the_end_in_a_terminal(tmp_path):
    """`python3 dev.py study`, typed in a terminal, finishes and names the page to open (outputs into tmp)."""
    from terminal import run_in_terminal

    quick_start = README.read_text(encoding="utf-8").split("## Quick start", 1)[1].split("\n## ", 1)[0]
    command = re.search(r"^(python3 dev\.py study)\b", quick_start, re.M).group(1).split()
    root = README.parent
    session = run_in_terminal([*command, "--out", str(tmp_path / "redbridge")], cwd=root, timeout_s=900)
    assert session.code == 0, session
    assert (tmp_path / "redbridge" / "report.html").is_file()
    assert "redbridge-2017:" in session.text and session.cursor_shown
    assert session.text.rstrip().splitlines()[-1].startswith("open ") and "report.html" in session.text
