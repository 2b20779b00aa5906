"""What every command shares: the Typer app, the two consoles, errors as one line, progress, warnings.

Text is printed literally: both consoles have Rich's markup off, so a name,
an hours string or a path with brackets in it is shown as it is.  Colour
comes from :class:`rich.text.Text` styles, never from markup in strings.
"""

from __future__ import annotations

import io
import logging
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.text import Text

from access.analysis.study import Study
from access.cli import interrupts
from access.cli.tables import Format, Output, plain, shows_unicode
from access.core.arguments import is_plain_name
from access.core.errors import AccessError, AccessWarning, ScenarioError
from access.core.version import __version__
from access.inputs.config import load_config
from access.outputs.notes import ESTIMATE, ESTIMATE_ADVICE
from access.routing.travel import IMPORTED_MODEL, NETWORK_MODEL, STRAIGHT_LINE_MODEL

__all__ = ["app", "console", "errors", "reported", "progress", "Steps", "warning_panels", "fail", "split",
           "model_text", "output", "FormatOption", "open_study", "plain_name", "main_entry", "INTERRUPTED"]

app = typer.Typer(
    help=(
        "access: how far residents are from a police front counter, on foot, by bike and by car, "
        "before and after closures. Studies live in data/studies/*.toml; source data is read from "
        "the data folder that 'access data fetch' fills (ACCESS_DATA_DIR), else from the mirror in "
        "ACCESS_DATA_MIRROR (default ../shared/data beside the repository)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class _Stream(io.TextIOBase):
    """The current ``sys.stdout`` or ``sys.stderr``; on a terminal that cannot show a character, a plain one.

    ``≤`` becomes ``<=``, ``→`` becomes ``->``, and so on; anything else the
    encoding lacks becomes ``?``.  Rich sees the stream's encoding and draws
    its tables with ASCII lines there.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def stream(self) -> io.TextIOBase:
        return getattr(sys, self.name)

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", None) or "utf-8"

    def write(self, text: str) -> int:
        encoding = self.encoding
        if not encoding.lower().replace("-", "").startswith("utf"):
            text = plain(text).encode(encoding, errors="replace").decode(encoding)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return bool(getattr(self.stream, "isatty", lambda: False)())

    def fileno(self) -> int:
        return self.stream.fileno()


def _plain(value: object, console: Console) -> object:
    """``value`` in plain characters when ``console`` cannot show the others (:func:`~access.cli.tables.plain`)."""
    return value if shows_unicode(console) else plain(value)


class _Console(Console):
    """A console that prints text literally (no markup) and plainly on a terminal that needs it."""

    def print(self, *objects: object, **kwargs: object) -> None:  # type: ignore[override]
        super().print(*(_plain(o, self) for o in objects), **kwargs)


console = _Console(file=_Stream("stdout"), markup=False, highlight=False, emoji=False)
errors = _Console(file=_Stream("stderr"), markup=False, highlight=False, emoji=False)

FormatOption = Annotated[Format, typer.Option(
    "--format", case_sensitive=False,
    help="How to print the results: 'table' to read (stacked where the terminal is too narrow for a table), "
         "'csv' or 'json' for programs (warnings then go to stderr). The files written are the same.")]


def output(command: str, fmt: Format) -> Output:
    """Return the :class:`~access.cli.tables.Output` a command prints through, in ``fmt``."""
    return Output(command=command, format=fmt, console=console, errors=errors)

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


_said = {"interrupted": False}  # whether the one line for a Ctrl-C was printed


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` as one line on stderr; return the exit to raise."""
    _said["interrupted"] |= code == 130
    errors.print(Text.assemble(("error:", "bold red"), f" {message}"), soft_wrap=True)
    return typer.Exit(code)


@contextmanager
def reported() -> Iterator[None]:
    """Turn access's own errors into one line and exit code 2, and Ctrl-C into one line and exit code 130."""
    try:
        interrupts.check()
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
        interrupts.check()
        if self._total is not None and not self._first:
            self._bar.advance(self._task)
        self._first = False
        self._bar.update(self._task, description=f"{self._label}: {description}")

    def chunk(self, done: int, total: int) -> None:
        """Show that ``done`` of ``total`` chunks of the current step are finished (a bar of its own)."""
        interrupts.check()
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


def main_entry() -> int:
    """Run the command line; return its exit code. Usage errors and Ctrl-C are one line each."""
    try:
        code = app(standalone_mode=False) or 0
    except (KeyboardInterrupt, typer.Abort):
        fail(INTERRUPTED, 130)
        return 130
    except typer.Exit as exc:
        code = exc.exit_code
    except typer.TyperException as exc:  # a usage error: an unknown option, a missing argument, a bad value
        context = getattr(exc, "ctx", None)
        where = context.command_path if context is not None else "access"
        code = getattr(exc, "exit_code", 2)
        message = exc.format_message().strip().rstrip(".")
        if message:  # (no message: the help was shown, for a command given nothing)
            fail(f"{message}; see '{where} --help'", code)
        return code
    if code == 130 and interrupts.pending() and not _said["interrupted"]:
        fail(INTERRUPTED, 130)  # Typer turns a Ctrl-C while it parses into a bare exit code
    return code


def open_study(study: str) -> Study:
    """Open the study a command names; name on stderr any file it reads from outside its folder and data/."""
    chosen = Study(load_config(study))
    for what, path in chosen.config.outside_files:
        errors.print(Text.assemble(("note:", "bold"), f" read the {what} from {path} (outside the study's folder "
                                                   f"and the project's data/)"), soft_wrap=True)
    return chosen


def plain_name(value: str, option: str, names: str = "the output folder") -> str:
    """Check a name given on the command line (``--name``): a plain name (``access.core.arguments.PLAIN_NAME``)."""
    if not is_plain_name(value):
        raise ScenarioError(f"{option} {value!r} is not a plain name; use letters, digits, '-' and '_' (it names "
                            f"{names})")
    return value


def split(values: Optional[list[str]]) -> list[str]:
    """Values given by repeating an option or separating with commas, as one list.

    >>> split(["ilford,barkingside", " romford "])
    ['ilford', 'barkingside', 'romford']
    """
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def model_text(model: str, short: bool = True) -> Text:
    """Return a model's name for a table cell: plain for a network or imported times, loud red for the estimate."""
    if model == NETWORK_MODEL:
        return Text("network" if short else model)
    if model == IMPORTED_MODEL:
        return Text("imported" if short else model)
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


def warning_panels(found: list[str], models: dict[str, str]) -> tuple[list[str], list[Panel]]:
    """Return the run's warnings (merged across modes) as text, and as the terminal shows them.

    One panel per warning, then a loud panel if any mode is the estimate, with what to do about it.
    ``models`` maps each mode run to the model that made its times.
    """
    texts = merged_warnings(list(dict.fromkeys(found)), list(models))
    panels = [Panel(_plain(text, console), title="warning", border_style="red", expand=False) for text in texts]
    if any(model == STRAIGHT_LINE_MODEL for model in models.values()):
        loud = f"Some or all times above are a {ESTIMATE}, not street-network routes. {ESTIMATE_ADVICE}"
        texts.append(loud)
        panels.append(Panel(_plain(loud, console), border_style="bold red", expand=False))
    return texts, panels
