"""``python -m access`` runs the command line."""

from access.cli import entry

if __name__ == "__main__":
    entry()
