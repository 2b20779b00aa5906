"""Headless Chromium for tests that need a real browser to run a page's JavaScript.

:func:`chromium` finds the browser; without one a test is skipped, except on CI
(``CI=true``), where a missing browser is a failure.  :func:`render` returns the
DOM after the page's scripts ran, :func:`screenshot` writes a PNG.  Pages are
opened from ``file://`` URLs with a throw-away profile, background networking
off, and a virtual time budget so that the call returns once scripts settle.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from access.outputs.screenshot import CHROMIUM_FLAGS

__all__ = ["chromium", "render", "screenshot", "TIMEOUT_S"]

TIMEOUT_S = 60
"""Longest wait for one Chromium run, in seconds."""

def chromium() -> str:
    """Return the path of the Chromium executable; skip (or fail on CI) when there is none."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but Chromium is not installed: run `apt-get install -y chromium` (.ci/run does this)")
    pytest.skip("Chromium not installed; apt-get install -y chromium to run browser tests")
    raise AssertionError("unreachable")  # pragma: no cover - pytest.skip raises


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    exe = chromium()
    with tempfile.TemporaryDirectory(prefix="access-chromium-") as profile:
        command = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as exc:
            pytest.fail(f"Chromium did not finish within {TIMEOUT_S} s: {' '.join(command)}\n{exc.stderr or ''}")
    if done.returncode != 0:
        pytest.fail(f"Chromium exited with {done.returncode}: {' '.join(command)}\n{done.stderr[-3000:]}")
    return done


def render(html_path: Path) -> str:
    """Return the DOM of ``html_path`` (serialised HTML) after its scripts have run."""
    url = Path(html_path).resolve().as_uri()
    return _run(["--dump-dom", url]).stdout


def screenshot(html_path: Path, png_path: Path, width: int = 1280, height: int = 900) -> Path:
    """Write a ``width`` x ``height`` PNG screenshot of ``html_path`` to ``png_path``."""
    url = Path(html_path).resolve().as_uri()
    png_path = Path(png_path).resolve()
    done = _run([f"--screenshot={png_path}", f"--window-size={width},{height}", url])
    if not png_path.is_file():
        pytest.fail(f"Chromium wrote no screenshot to {png_path}\n{done.stderr[-3000:]}")
    return png_path


def render_with_console(html_path: Path) -> tuple[str, list[str]]:
    """Return the DOM of ``html_path`` after its scripts ran, and the page's console messages (logs and errors).

    Each console line is the message as Chromium logs it, e.g. ``"hello", source: file:///… (12)``;
    an uncaught exception reads ``"Uncaught ReferenceError: …"``.
    """
    url = Path(html_path).resolve().as_uri()
    done = _run(["--enable-logging=stderr", "--v=0", "--dump-dom", url])
    console = [line.split(":CONSOLE", 1)[1].split("] ", 1)[-1] for line in done.stderr.splitlines()
               if ":CONSOLE" in line]
    return done.stdout, console
