"""The command line's reference page, made from the commands' own ``--help``.

:func:`cli_reference` returns ``docs/reference/cli.md``: every command's help, as ``access COMMAND
--help`` prints it at 80 columns, under a heading per command.  The page is written by running this
module (``python -m access.cli.reference docs/reference/cli.md``, which ``python3 dev.py docs`` does),
and a test fails when the committed page is no longer what the commands print.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["cli_reference", "WIDTH"]

WIDTH = 80
"""The columns the help is laid out in (Click's default, whatever the terminal)."""

_HEAD = """# Command line

Every command of `access`, with its help as `access COMMAND --help` prints it. The
[tutorial](../tutorial/redbridge.md) and the how-to guides show them at work.

<!-- Made from the commands themselves: python -m access.cli.reference docs/reference/cli.md
     (python3 dev.py docs). A test fails when this page and the commands differ. -->
"""


def _help(command, names: list[str], parent=None) -> list[tuple[list[str], str]]:  # noqa: ANN001 - click objects
    # (Typer carries its own copy of Click: the command's own context class, not click.Context)
    context = command.context_class(command, info_name=names[-1], parent=parent, terminal_width=WIDTH,
                                    max_content_width=WIDTH)
    pages = [(names, command.get_help(context))]
    if hasattr(command, "list_commands"):
        for name in command.list_commands(context):
            pages += _help(command.get_command(context, name), [*names, name], context)
    return pages


def cli_reference() -> str:
    """Return the command line's reference page (Markdown): every command's ``--help``.

    Examples
    --------
    >>> page = cli_reference()
    >>> page.startswith("# Command line"), "## access run" in page, "## access data fetch" in page
    (True, True, True)
    """
    import typer

    from access.cli import app

    command = typer.main.get_command(app)
    parts = [_HEAD]
    for names, text in _help(command, ["access"]):
        title = " ".join(names)
        parts.append(f"\n## {title}\n\n```text\n{text.rstrip()}\n```\n")
    return "".join(parts)


if __name__ == "__main__":  # python -m access.cli.reference [PATH]: print the page, or write it to PATH
    page = cli_reference()
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(page, encoding="utf-8")
    else:
        sys.stdout.write(page)
