"""``python -m access`` runs the command line."""

from access.cli.app import entry

if __name__ == "__main__":
    entry()
