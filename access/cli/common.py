"""What every command shares: the Typer app, the two consoles, errors as one line, progress, warnings.

Text is printed literally: both consoles have Rich's markup off, so a name,
an hours string or a path with brackets in it is shown as it is.  Colour
comes from :class:`rich.text.Text` styles, never from markup in strings.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.text import Text

from access.core.errors import AccessError, AccessWarning
from access.core.version import __version__
from access.outputs.notes import ESTIMATE, ESTIMATE_ADVICE

__all__ = ["app", "console", "errors", "reported", "progress", "Steps", "print_warnings", "fail", "split", "model_text",
           "INTERRUPTED", "NETWORK_MODEL"]

NETWORK_MODEL = "street network"

app = typer.Typer(
    help=(
        "access: how far residents are from a police front counter, on foot, by bike and by car, "
        "before and after closures. Studies live in data/studies/*.toml; source data is read from "
        "the mirror in ACCESS_DATA_MIRROR (default ../shared/data beside the repository)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(markup=False, highlight=False, emoji=False)
errors = Console(stderr=True, markup=False, highlight=False, emoji=False)

INTERRUPTED = "interrupted; outputs already in place were left as they were"


def _version(value: bool) -> None:
    if value:
        console.print(f"access {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                         help="Print the version and exit.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each step in detail.")] = False,
) -> None:
    """Measure the accessibility of police front counters: figures, tables and maps."""
    logging.basicConfig(level=logging.INFO if verbose else logging.ERROR,
                        format="%(levelname)s %(name)s: %(message)s")
    warnings.showwarning = _show_warning


_default_showwarning = warnings.showwarning


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    """Print access's own warnings as one line on stderr; others as Python does."""
    if issubclass(category, AccessWarning):
        errors.print(Text.assemble(("warning:", "bold yellow"), f" {message}"), soft_wrap=True)
    else:
        _default_showwarning(message, category, filename, lineno, file, line)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` as one line on stderr; return the exit to raise."""
    errors.print(Text.assemble(("error:", "bold red"), f" {message}"), soft_wrap=True)
    return typer.Exit(code)


@contextmanager
def reported() -> Iterator[None]:
    """Turn access's own errors into one line and exit code 2, and Ctrl-C into one line and exit code 130."""
    try:
        yield
    except AccessError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        raise fail(INTERRUPTED, 130) from None


class Steps:
    """What :func:`progress` yields: call it with each step's description; :meth:`chunk` runs a second bar."""

    def __init__(self, bar: Progress, label: str, total: int | None) -> None:
        self._bar, self._label, self._total = bar, label, total
        self._task = bar.add_task(label, total=total)
        self._chunks: TaskID | None = None
        self._first = True

    def __call__(self, description: str) -> None:
        """Start a step: the bar advances at each step after the first."""
        if self._total is not None and not self._first:
            self._bar.advance(self._task)
        self._first = False
        self._bar.update(self._task, description=f"{self._label}: {description}")

    def chunk(self, done: int, total: int) -> None:
        """Show that ``done`` of ``total`` chunks of the current step are finished (a bar of its own)."""
        description = f"  routing the counters: chunk {done}/{total}"
        if self._chunks is None:
            self._chunks = self._bar.add_task(description, total=total)
        self._bar.update(self._chunks, description=description, completed=done, total=total, visible=done < total)

    def finish(self) -> None:
        """Fill the main bar."""
        if self._total is not None:
            self._bar.update(self._task, completed=self._total)


@contextmanager
def progress(label: str, total: int | None = None) -> Iterator[Steps]:
    """Return a progress line on stderr (only on a terminal); yields :class:`Steps`, called as ``step(description)``.

    With ``total``, a bar advances at each step after the first.  ``step.chunk(done, total)``
    shows a second bar for a long step done in chunks (routing many counters).
    """
    columns = [SpinnerColumn(), TextColumn("{task.description}")]
    if total is not None:
        columns += [BarColumn(), TextColumn("{task.completed}/{task.total}")]
    with Progress(*columns, TimeElapsedColumn(), console=errors, transient=True,
                  disable=not errors.is_terminal) as bar:
        steps = Steps(bar, label, total)
        yield steps
        steps.finish()


def split(values: Optional[list[str]]) -> list[str]:
    """Values given by repeating an option or separating with commas, as one list.

    >>> split(["ilford,barkingside", " romford "])
    ['ilford', 'barkingside', 'romford']
    """
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def model_text(model: str, short: bool = True) -> Text:
    """Return a model's name for a table cell: plain for the street network, loud red for the estimate."""
    if model == NETWORK_MODEL:
        return Text("network" if short else model)
    return Text("estimate" if short else model, style="bold red")


def merged_warnings(found: list[str], modes: list[str]) -> list[str]:
    """Warnings that differ only in their mode merged into one that names every mode.

    >>> merged_warnings(["walk: no walk network.", "drive: no drive network.", "odd one"], ["walk", "drive"])
    ['walk, drive: no network.', 'odd one']
    """
    merged: dict[str, list[tuple[str, str]]] = {}
    for warning in found:
        mode, _, rest = warning.partition(": ")
        key = rest.replace(f" {mode} ", " ") if mode in modes and rest else warning
        merged.setdefault(key, []).append((mode, warning))
    return [f"{', '.join(m for m, _ in group)}: {key}" if len(group) > 1 else group[0][1]
            for key, group in merged.items()]


def print_warnings(found: list[str], models: dict[str, str]) -> None:
    """One panel per warning (merged across modes), then a loud panel if any mode is the estimate.

    ``models`` maps each mode run to the model that made its times.
    """
    for warning in merged_warnings(list(dict.fromkeys(found)), list(models)):
        console.print(Panel(warning, title="warning", border_style="red", expand=False))
    if any(model != NETWORK_MODEL for model in models.values()):
        console.print(Panel(f"Some or all times above are a {ESTIMATE}, not street-network routes. "
                            f"{ESTIMATE_ADVICE}", border_style="bold red", expand=False))
