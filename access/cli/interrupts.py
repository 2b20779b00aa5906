"""Ctrl-C, noticed once and never lost (the standard library only).

Python raises :class:`KeyboardInterrupt` wherever the main thread happens to
be, and some libraries swallow it (Typer turns it into a silent exit code; a
library's ``except BaseException`` can drop it).  :func:`install` records every
Ctrl-C as it raises, so the command line can still answer one that was
swallowed: :func:`check` raises it again at the next safe point, and
:func:`pending` tells the entry point it happened.
"""

from __future__ import annotations

import signal
from types import FrameType

__all__ = ["check", "install", "pending"]

_state = {"pending": False}


def _on_interrupt(signum: int, frame: FrameType | None) -> None:
    _state["pending"] = True
    raise KeyboardInterrupt


def install() -> None:
    """Record each Ctrl-C, then raise :class:`KeyboardInterrupt` as Python does."""
    signal.signal(signal.SIGINT, _on_interrupt)


def pending() -> bool:
    """Whether Ctrl-C was pressed since :func:`install`."""
    return _state["pending"]


def check() -> None:
    """Raise :class:`KeyboardInterrupt` if a Ctrl-C was pressed (and perhaps swallowed) earlier."""
    if _state["pending"]:
        raise KeyboardInterrupt
