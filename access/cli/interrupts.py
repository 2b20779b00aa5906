"""Ctrl-C, noticed once and never lost (the standard library only).

Python raises :class:`KeyboardInterrupt` wherever the main thread happens to
be, and some libraries swallow it (Typer turns it into a silent exit code; a
library's ``except BaseException`` can drop it).  :func:`install` records every
Ctrl-C as it raises, so the command line can still answer one that was
swallowed: :func:`check` raises it again at the next safe point, and
:func:`pending` tells the entry point it happened.

While the command line itself is being imported there is no safe point to raise
at: a :class:`KeyboardInterrupt` there ends in a traceback from the import
machinery.  :func:`defer` records a Ctrl-C without raising, until :func:`install`
takes over and the entry point answers it with one line.
"""

from __future__ import annotations

import _signal

TYPE_CHECKING = False  # `types` and `typing` are not imported: this module loads before anything else
if TYPE_CHECKING:
    from types import FrameType

__all__ = ["check", "defer", "install", "pending"]

_state = {"pending": False}


def _on_interrupt(signum: int, frame: FrameType | None) -> None:
    _state["pending"] = True
    raise KeyboardInterrupt


def _record(signum: int, frame: FrameType | None) -> None:
    _state["pending"] = True


def defer() -> None:
    """Record each Ctrl-C without raising it (while the command line loads).

    Set through the interpreter's ``_signal``, which :mod:`signal` wraps: it is already loaded when
    Python starts, where :mod:`signal` would first import :mod:`enum`, and every millisecond before
    this runs is one in which Ctrl-C ends in a traceback.
    """
    _signal.signal(_signal.SIGINT, _record)


def install() -> None:
    """Record each Ctrl-C, then raise :class:`KeyboardInterrupt` as Python does."""
    import signal

    signal.signal(signal.SIGINT, _on_interrupt)


def pending() -> bool:
    """Whether Ctrl-C was pressed since :func:`defer` or :func:`install`."""
    return _state["pending"]


def check() -> None:
    """Raise :class:`KeyboardInterrupt` if a Ctrl-C was pressed (and perhaps swallowed) earlier."""
    if _state["pending"]:
        raise KeyboardInterrupt
