import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from access.core.errors import OutputError
from access.core.files import atomic_path, staged_folder, write_text_atomic


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


# --------------------------------------------------------------------------- staged sets


def _snapshot(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _previous_set(folder):
    with staged_folder(folder) as stage:
        for name in ("a.csv", "b.json", "c.html"):
            (stage / name).write_text(f"old {name}")
        (stage / "sub").mkdir()
        (stage / "sub" / "d.csv").write_text("old d")
    (folder / "mine.txt").write_text("a file the user keeps here")
    return _snapshot(folder)


def _new_set(stage):
    for name in ("a.csv", "b.json", "c.html", "new.csv"):
        (stage / name).write_text(f"new {name}")
    (stage / "sub").mkdir()
    (stage / "sub" / "d.csv").write_text("new d")
    (stage / "sub2").mkdir()
    (stage / "sub2" / "e.csv").write_text("new e")


def test_a_staged_set_replaces_the_previous_one_and_leaves_other_files(tmp_path):
    before = _previous_set(tmp_path)
    with staged_folder(tmp_path) as stage:
        _new_set(stage)
    after = _snapshot(tmp_path)
    assert after["mine.txt"] == before["mine.txt"]
    assert {k: v for k, v in after.items() if k != "mine.txt"} == {
        "a.csv": b"new a.csv", "b.json": b"new b.json", "c.html": b"new c.html", "new.csv": b"new new.csv",
        "sub/d.csv": b"new d", "sub2/e.csv": b"new e"}
    assert not list(tmp_path.glob(".access-staging-*"))


@pytest.mark.parametrize("fails_at", ["c.html", "sub/d.csv", "new.csv", "sub2/e.csv"])
def test_a_rename_that_fails_part_way_puts_the_previous_set_back(tmp_path, monkeypatch, fails_at):
    """The disk says no at one rename (after others were made): every move is undone, in order."""
    before = _previous_set(tmp_path)
    real = os.replace

    def refusing(source, target):
        if str(target).endswith(fails_at) and ".access-staging-" not in str(target):
            raise PermissionError(1, "Operation not permitted")
        return real(source, target)

    monkeypatch.setattr(os, "replace", refusing)
    with pytest.raises(OutputError, match=re.escape(fails_at)) as caught:
        with staged_folder(tmp_path) as stage:
            _new_set(stage)
    assert "put back" in str(caught.value)
    monkeypatch.undo()
    assert _snapshot(tmp_path) == before
    assert not list(tmp_path.glob(".access-staging-*")) and not (tmp_path / "sub2").exists()


def _immutable(path) -> bool:
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
    return done.returncode == 0


def test_an_immutable_file_leaves_the_previous_set_whole(tmp_path):
    """A real fault, no patching: ``chattr +i`` makes one previous file impossible to replace."""
    before = _previous_set(tmp_path)
    if not _immutable(tmp_path / "c.html"):
        pytest.skip("chattr +i is not allowed here (needs root on ext4 or similar)")
    try:
        with pytest.raises(OutputError, match="c.html"):
            with staged_folder(tmp_path) as stage:
                _new_set(stage)
        assert _snapshot(tmp_path) == before
    finally:
        subprocess.run(["chattr", "-i", str(tmp_path / "c.html")], check=True)


def test_a_folder_where_a_file_should_go_is_refused_before_anything_moves(tmp_path):
    before = _previous_set(tmp_path)
    (tmp_path / "new.csv").mkdir()
    with pytest.raises(OutputError, match="new.csv.*a folder"):
        with staged_folder(tmp_path) as stage:
            _new_set(stage)
    assert _snapshot(tmp_path) == before
    (tmp_path / "new.csv").rmdir()
    (tmp_path / "sub2").write_text("a file where the set wants a folder")
    before = _snapshot(tmp_path)
    with pytest.raises(OutputError, match="sub2.*is a file"):
        with staged_folder(tmp_path) as stage:
            _new_set(stage)
    assert _snapshot(tmp_path) == before


_CHILD = """
import os, signal, sys, time
from pathlib import Path
from access.core.files import staged_folder
folder, when = Path(sys.argv[1]), sys.argv[2]
moves = [0]
real = os.replace
def replace(source, target):
    real(source, target)
    moves[0] += 1
    if when == "moving" and moves[0] == 3:
        os.kill(os.getpid(), signal.SIGKILL)
os.replace = replace
with staged_folder(folder) as stage:
    for name in ("a.csv", "b.json", "c.html", "new.csv"):
        (stage / name).write_text("new " + name)
    if when == "writing":
        print("staged", flush=True)
        time.sleep(60)
"""


@pytest.mark.parametrize(("when", "signal_name"), [("writing", "SIGKILL"), ("writing", "SIGTERM"),
                                                    ("moving", "SIGKILL")])
def test_a_killed_runs_staging_folder_is_cleaned_up_by_the_next_run(tmp_path, when, signal_name):
    before = _previous_set(tmp_path)
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(tmp_path), when], stdout=subprocess.PIPE, text=True)
    if when == "writing":
        assert child.stdout.readline().strip() == "staged"
        child.send_signal(getattr(signal, signal_name))
    child.wait(timeout=60)
    assert child.returncode == -getattr(signal, signal_name)
    assert list(tmp_path.glob(".access-staging-*")), "the killed run left its staging folder"
    if when == "moving":
        assert _snapshot(tmp_path) != before, "killed between renames: a mix, for now"
    with staged_folder(tmp_path / "sub"):
        pass  # another set, elsewhere, does not touch this folder's staging
    assert list(tmp_path.glob(".access-staging-*"))
    with staged_folder(tmp_path):
        pass  # the next run into this folder
    assert not list(tmp_path.glob(".access-staging-*"))
    assert _snapshot(tmp_path) == before, "the previous set is whole again"


def test_when_even_the_undo_fails_the_previous_files_are_kept_and_named(tmp_path, monkeypatch):
    """The folder turns read-only half-way: nothing can be put back, so nothing is thrown away either."""
    before = _previous_set(tmp_path)
    real, calls = os.replace, [0]

    def failing_after_two(source, target):
        if ".access-staging-" not in str(target):
            calls[0] += 1
            if calls[0] > 2:
                raise OSError(30, "Read-only file system")
        return real(source, target)

    monkeypatch.setattr(os, "replace", failing_after_two)
    with pytest.raises(OutputError, match="could not be put back") as caught:
        with staged_folder(tmp_path) as stage:
            _new_set(stage)
    monkeypatch.undo()
    kept = re.search(r"kept in '([^']+)'", str(caught.value)).group(1)
    assert {name: (Path(kept) / name).read_bytes() for name in ("a.csv", "b.json")} == {
        name: before[name] for name in ("a.csv", "b.json")}
    with staged_folder(tmp_path):
        pass  # the next run puts them back
    assert _snapshot(tmp_path) == before
