"""The ``access`` command line (Typer): parse, call the library, print.

The commands live in :mod:`access.cli.study` (``run``, ``studies``,
``calibrate``, ``screenshot``) and :mod:`access.cli.whatif` (``scenario``,
``compare``, ``hours``, ``sweep``, ``site``) and :mod:`access.cli.data` (``data status``,
``data fetch``, ``data verify``); importing them registers them on
:data:`access.cli.common.app`.  Nothing here computes a figure or writes a
file format.

This module stays light (the standard library only), so that :func:`entry`
can answer a Ctrl-C that arrives while the command line loads with one line.
Run as the ``access`` command (or ``python -m access``), it starts recording
Ctrl-C on its first line (:func:`access.cli.interrupts.defer`): a Ctrl-C typed
while Python imports the commands is answered once they are loaded, instead of
ending in a traceback from the import machinery.  Imported any other way (by a
test, or a program of one's own) it leaves Ctrl-C alone.
"""

from __future__ import annotations

import os
import sys
from importlib import import_module

from access.cli import interrupts

if os.path.basename(sys.argv[0] if sys.argv else "") in ("access", "access.exe", "__main__.py"):
    interrupts.defer()  # first: before anything slow is imported

__all__ = ["app", "entry"]

INTERRUPTED_AT_START = "interrupted while starting; nothing was read or written"


def _commands():  # noqa: ANN202 - the module access.cli.common (typing is not imported here)
    """Load the commands (pandas, geopandas, folium, …) and return the app they are registered on."""
    import_module("access.cli.study")
    import_module("access.cli.whatif")
    import_module("access.cli.data")
    return import_module("access.cli.common")


def __getattr__(name: str):  # noqa: ANN202 - Typer's app
    if name == "app":
        return _commands().app
    raise AttributeError(f"module 'access.cli' has no attribute {name!r}")


def entry() -> None:
    """Console-script entry point: ``access``.

    Every way out is one line on stderr and an exit code: 2 for bad input (a
    usage error included), 130 for Ctrl-C, wherever it lands.
    """
    try:
        common = _commands()
        interrupts.install()
        interrupts.check()
    except KeyboardInterrupt:
        sys.stderr.write(f"error: {INTERRUPTED_AT_START}\n")
        raise SystemExit(130) from None
    raise SystemExit(common.main_entry())
