r"""Run a command as a person does: in a pseudo-terminal, with stdin, stdout and stderr on it.

:func:`run_in_terminal` forks the command onto a new pseudo-terminal (the standard library's
:mod:`pty`): the command is the terminal's session leader and foreground process group, its
window has the size asked for, and everything it prints, to stdout and stderr alike, is read
from the terminal's other end, escape codes and all.  Ctrl-C is *typed*: the byte ``\x03`` is
written to the terminal, whose line discipline sends SIGINT to the foreground process group,
exactly as a keyboard does.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

CTRL_C = b"\x03"
HIDE_CURSOR = b"\x1b[?25l"
SHOW_CURSOR = b"\x1b[?25h"
ERASE_LINE = b"\x1b[2K"
_ESCAPE = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[()][A-Z0-9]")


def access_command() -> str:
    """Return the ``access`` console script installed beside this Python: what a person types."""
    return str(Path(sys.executable).parent / "access")


@dataclass
class Session:
    """What the terminal showed, how the command ended and how long it took."""

    argv: list[str]
    output: bytes
    code: int
    seconds: float
    interrupted_at: float | None = None

    @property
    def text(self) -> str:
        """The output as text, escape codes removed and carriage returns dropped."""
        return _ESCAPE.sub(b"", self.output).replace(b"\r", b"").decode("utf-8", errors="replace")

    @property
    def lines(self) -> list[str]:
        """Each line the terminal showed: split at line feeds and carriage returns, escape codes removed.

        A progress bar redrawn in place is many lines here (one per frame); what a command printed after it
        stands on lines of its own.
        """
        text = _ESCAPE.sub(b"", self.output).decode("utf-8", errors="replace")
        return [line.rstrip() for line in re.split(r"\r\n|\n|\r", text)]

    @property
    def seconds_after_interrupt(self) -> float | None:
        """How long the command took to end after Ctrl-C was typed."""
        return None if self.interrupted_at is None else self.seconds - self.interrupted_at

    @property
    def cursor_shown(self) -> bool:
        """Whether the terminal's cursor is visible at the end (never hidden, or shown again after)."""
        return self.output.rfind(HIDE_CURSOR) <= self.output.rfind(SHOW_CURSOR)

    def __str__(self) -> str:
        tail = self.text[-3000:]
        return f"$ {' '.join(self.argv)}\n(exit {self.code} after {self.seconds:.1f} s)\n{tail}"


def run_in_terminal(argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | str | None = None,
                    columns: int = 100, rows: int = 40, timeout_s: float = 300.0,
                    interrupt_on: bytes | None = None, interrupt_after_s: float = 0.0) -> Session:
    """Run ``argv`` on a new pseudo-terminal ``columns`` × ``rows``; return what it showed.

    The command gets this process's environment with ``TERM=xterm-256color`` and no
    ``COLUMNS``/``LINES`` (the terminal's own size counts), then ``env`` on top.

    ``interrupt_on``: once these bytes have appeared on the terminal (``b""``: at once), wait
    ``interrupt_after_s`` and type Ctrl-C.  The command is killed (and the test fails) if it
    has not ended ``timeout_s`` after it started.
    """
    environment = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "LINES")}
    environment["TERM"] = "xterm-256color"
    environment.update(env or {})
    started = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the terminal is its stdin, stdout and stderr
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
            if cwd is not None:
                os.chdir(cwd)
            os.execvpe(argv[0], list(argv), environment)
        finally:
            os._exit(127)
    output = bytearray()
    interrupted_at: float | None = None
    seen_at: float | None = None
    try:
        while True:
            now = time.monotonic() - started
            if now > timeout_s:
                os.killpg(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                shown = _ESCAPE.sub(b"", bytes(output)).decode("utf-8", "replace")[-3000:]
                raise AssertionError(f"{' '.join(argv)} did not end within {timeout_s:.0f} s in a terminal; "
                                     f"it showed:\n{shown}")
            if interrupt_on is not None and interrupted_at is None:
                if seen_at is None and interrupt_on in output:
                    seen_at = now
                if seen_at is not None and now - seen_at >= interrupt_after_s:
                    os.write(fd, CTRL_C)
                    interrupted_at = now
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: every process holding the terminal has closed it
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    return Session(list(argv), bytes(output), os.waitstatus_to_exitcode(status), time.monotonic() - started,
                   interrupted_at)
