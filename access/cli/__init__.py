"""The ``access`` command line (Typer): parse, call the library, print.

The commands live in :mod:`access.cli.study` (``run``, ``studies``,
``calibrate``, ``screenshot``) and :mod:`access.cli.whatif` (``scenario``,
``compare``, ``hours``, ``sweep``, ``site``); importing them registers them on
:data:`access.cli.common.app`.  Nothing here computes a figure or writes a
file format.
"""

from __future__ import annotations

from access.cli import study, whatif  # noqa: F401  (registers the commands)
from access.cli.common import app

__all__ = ["app", "entry"]


def entry() -> None:
    """Console-script entry point: ``access``."""
    app()
