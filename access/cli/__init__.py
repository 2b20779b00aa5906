"""The ``access`` command line (Typer): parse, call the library, print.

The commands live in :mod:`access.cli.study` (``run``, ``studies``,
``calibrate``, ``screenshot``) and :mod:`access.cli.whatif` (``scenario``,
``compare``, ``hours``, ``sweep``, ``site``) and :mod:`access.cli.data` (``data status``,
``data fetch``, ``data verify``); importing them registers them on
:data:`access.cli.common.app`.  Nothing here computes a figure or writes a
file format.

This module stays light (the standard library only), so that :func:`entry`
can answer a Ctrl-C that arrives while the heavy libraries load with one line.
"""

from __future__ import annotations

import sys
from importlib import import_module
from typing import Any

from access.cli import interrupts

__all__ = ["app", "entry"]

INTERRUPTED_AT_START = "interrupted while starting; nothing was read or written"


def _commands() -> Any:
    """Load the commands (pandas, geopandas, folium, …) and return the app they are registered on."""
    import_module("access.cli.study")
    import_module("access.cli.whatif")
    import_module("access.cli.data")
    return import_module("access.cli.common")


def __getattr__(name: str) -> Any:
    if name == "app":
        return _commands().app
    raise AttributeError(f"module 'access.cli' has no attribute {name!r}")


def entry() -> None:
    """Console-script entry point: ``access``.

    Every way out is one line on stderr and an exit code: 2 for bad input (a
    usage error included), 130 for Ctrl-C, wherever it lands.
    """
    interrupts.install()
    try:
        common = _commands()
        interrupts.check()
    except KeyboardInterrupt:
        sys.stderr.write(f"error: {INTERRUPTED_AT_START}\n")
        raise SystemExit(130) from None
    raise SystemExit(common.main_entry())
