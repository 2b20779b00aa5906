"""Headless Chromium for tests that need a real browser to run a page's JavaScript.

:func:`chromium` finds the browser; without one a test is skipped, except on CI
(``CI=true``), where a missing browser is a failure.  :func:`render` returns the
DOM after the page's scripts ran, :func:`screenshot` writes a PNG.  Pages are
opened from ``file://`` URLs with a throw-away profile, background networking
off, and a virtual time budget so that the call returns once scripts settle.

:func:`open_page` drives Chromium through the DevTools protocol over a pipe
(``--remote-debugging-pipe``, the standard library only): the page is opened
in a window of exactly the size asked for (``--dump-dom`` windows are at least
500 pixels wide), and JavaScript run in it returns its values to the test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from access.outputs.screenshot import CHROMIUM_FLAGS

__all__ = ["chromium", "render", "screenshot", "open_page", "Page", "TIMEOUT_S", "LAPTOP", "PHONE"]

TIMEOUT_S = 60
"""Longest wait for one Chromium run, in seconds."""

LAPTOP = (1280, 800)
"""A laptop's window, in CSS pixels."""

PHONE = (390, 844)
"""A phone's screen, in CSS pixels (open it with ``mobile=True``)."""

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


class Page:
    """A page open in headless Chromium, driven over the DevTools protocol (see :func:`open_page`)."""

    def __init__(self, process: subprocess.Popen, write_fd: int, read_fd: int) -> None:
        self._process, self._write, self._read = process, write_fd, read_fd
        self._buffer, self._id, self._events, self.session = b"", 0, [], None

    def _receive(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            chunk = os.read(self._read, 1 << 16)
            if not chunk:
                raise AssertionError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: dict[str, Any] | None = None, *, browser: bool = False) -> dict[str, Any]:
        """Send one DevTools command (to the page's session unless ``browser``) and return its result."""
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if self.session and not browser:
            message["sessionId"] = self.session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive()
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise AssertionError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._events.append(reply)

    def wait_for_event(self, method: str, timeout_s: float = TIMEOUT_S) -> dict[str, Any]:
        """Wait for a DevTools event (e.g. ``Page.loadEventFired``) and return it."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for index, event in enumerate(self._events):
                if event.get("method") == method:
                    return self._events.pop(index)
            self._events.append(self._receive())
        raise AssertionError(f"no {method} within {timeout_s} s")

    def evaluate(self, expression: str) -> Any:
        """Run JavaScript in the page (a promise is awaited) and return its value, JSON-decoded."""
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise AssertionError(f"the page's JavaScript failed: {result['exceptionDetails']}")
        return result["result"].get("value")


@contextmanager
def open_page(html_path: Path, width: int, height: int, *, mobile: bool = False) -> Iterator[Page]:
    """Open ``html_path`` in headless Chromium in a ``width`` × ``height`` window; yield the :class:`Page`.

    The window size is set before the page loads (``Emulation.setDeviceMetricsOverride``), so the page's
    scripts see it from the start, as on a phone or a laptop.  With ``mobile`` the page is laid out as a
    phone lays it out: its viewport meta tag applies, and content wider than the screen widens the layout
    (so ``document.documentElement.scrollWidth`` shows it).  Returns once the load event has fired.
    """
    exe = chromium()
    to_chromium, from_chromium = os.pipe(), os.pipe()

    def pipes() -> None:  # in the child: Chromium reads commands on fd 3 and writes replies on fd 4
        read, write = os.dup(to_chromium[0]), os.dup(from_chromium[1])
        os.dup2(read, 3)
        os.dup2(write, 4)

    flags = [f for f in CHROMIUM_FLAGS if not f.startswith("--virtual-time-budget")]
    with tempfile.TemporaryDirectory(prefix="access-chromium-") as profile:
        process = subprocess.Popen([exe, *flags, f"--user-data-dir={profile}", "--remote-debugging-pipe",
                                    "about:blank"], preexec_fn=pipes, close_fds=False,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chromium[0])
        os.close(from_chromium[1])
        page = Page(process, to_chromium[1], from_chromium[0])
        try:
            target = page.send("Target.createTarget", {"url": "about:blank"}, browser=True)["targetId"]
            page.session = page.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                                     browser=True)["sessionId"]
            page.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height,
                                                             "deviceScaleFactor": 1, "mobile": mobile})
            page.send("Page.enable")
            page.send("Page.navigate", {"url": Path(html_path).resolve().as_uri()})
            page.wait_for_event("Page.loadEventFired")
            yield page
        finally:
            try:
                page.send("Browser.close", browser=True)
            except (AssertionError, OSError):
                pass
            try:
                process.wait(timeout=TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            os.close(to_chromium[1])
            os.close(from_chromium[0])
