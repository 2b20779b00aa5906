"""``python -m access`` runs the command line."""

from access.cli import entry


def _forget_interrupted_eval() -> None:
    """Clear CPython's note that a string ``eval`` ended in Ctrl-C.

    A Ctrl-C that lands inside a library's string ``eval`` at import time
    (``collections.namedtuple`` uses one) leaves a flag behind even after
    :func:`entry` has answered it; under ``python -m`` the interpreter then
    kills itself with SIGINT instead of exiting with our code.  Each string
    ``eval`` resets that flag first, so one harmless ``eval`` clears it.
    """
    eval("None")  # noqa: S307 - a constant; see the docstring


if __name__ == "__main__":
    try:
        entry()
    finally:
        _forget_interrupted_eval()
