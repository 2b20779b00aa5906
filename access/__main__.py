"""``python -m access`` runs the command line."""

from access.cli import entry

entry()
