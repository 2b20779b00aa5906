import os

import pytest

from access.core.errors import OutputError
from access.core.files import atomic_path, write_text_atomic


def test_failed_write_keeps_the_previous_file(tmp_path):
    target = tmp_path / "summary.json"
    target.write_text("previous")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("interrupted")
    assert target.read_text() == "previous"
    assert os.listdir(tmp_path) == ["summary.json"]


def test_interrupt_keeps_the_previous_file(tmp_path):
    target = write_text_atomic(tmp_path / "a.html", "old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_path(target) as tmp:
            tmp.write_text("new, half written")
            raise KeyboardInterrupt
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["a.html"]


def test_success_replaces_and_creates_folders(tmp_path):
    target = write_text_atomic(tmp_path / "new" / "page.html", "<p>é</p>")
    assert target.read_text(encoding="utf-8") == "<p>é</p>"
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)


def test_folder_in_the_way_is_an_output_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="file"):
        write_text_atomic(tmp_path / "file" / "page.html", "x")
