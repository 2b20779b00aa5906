"""Real faults for tests: a file made immutable, a folder where a file should go.

:func:`check_failed_write_keeps_the_previous_set` runs a command twice into one
output folder: once to make a set of outputs, then again (with other arguments,
so that a mix would show) after a fault was put on one file of the set.  The
second run must fail with exit code 2 and one ``error:`` line naming that file,
and leave every previous file byte for byte as it was.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

__all__ = ["snapshot", "FAULTS", "check_failed_write_keeps_the_previous_set"]

FAULTS = ("immutable", "folder")
"""``immutable``: ``chattr +i`` on the file (needs root on ext4 or the like; skipped elsewhere);
``folder``: the file replaced by a folder of the same name."""


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (``None``) under ``folder``, by relative path."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(Path(folder).rglob("*"))}


def _immutable(path: Path, on: bool) -> bool:
    return subprocess.run(["chattr", "+i" if on else "-i", str(path)], capture_output=True).returncode == 0


def check_failed_write_keeps_the_previous_set(invoke: Callable[[list[str]], tuple[int, str]], first: list[str],
                                               second: list[str], out: Path, victim: str, fault: str) -> None:
    """Run ``first``, put ``fault`` on ``out/victim``, run ``second``: exit 2, one line naming it, nothing changed.

    ``invoke(args)`` runs the command line and returns (exit code, stderr).
    """
    code, err = invoke(first)
    assert code == 0, err
    target = out / victim
    assert target.is_file(), f"{victim} is not in the first set: {sorted(snapshot(out))}"
    if fault == "immutable":
        if not _immutable(target, True):
            pytest.skip("chattr +i is not allowed here (it needs root on ext4 or the like)")
    else:
        target.unlink()
        target.mkdir()
        (target / "keep.txt").write_text("a folder where a file of the set should go")
    before = snapshot(out)
    try:
        code, err = invoke(second)
    finally:
        if fault == "immutable":
            _immutable(target, False)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("error:") and victim in lines[0], err
    assert "Traceback" not in err
    assert snapshot(out) == before, "the previous set is byte for byte as it was"
    if fault == "folder":
        shutil.rmtree(target)
