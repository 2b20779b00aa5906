"""What every command shares: the Typer app, the two consoles, errors as one line, progress, warnings.

Text is printed literally: both consoles have Rich's markup off, so a name,
an hours string or a path with brackets in it is shown as it is.  Colour
comes from :class:`rich.text.Text` styles, never from markup in strings.
"""

from __future__ import annotations

import io
import logging
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console, ConsoleDimensions
from rich.file_proxy import FileProxy
from rich.panel import Panel
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.text import Text
from typer.core import TyperCommand

from access.cli import interrupts
from access.cli.tables import Format, Output, plain, printable, shows_unicode
from access.core.arguments import is_plain_name
from access.core.defaults import IMPORTED_MODEL, NETWORK_MODEL, STRAIGHT_LINE_MODEL, TRANSIT_MODEL_PREFIX
from access.core.errors import AccessError, AccessWarning, ArgumentError, ScenarioError
from access.core.version import __version__

if TYPE_CHECKING:
    from access.analysis.study import Study

__all__ = ["app", "command", "Command", "console", "errors", "reported", "progress", "Steps", "warning_panels",
           "fail", "split", "model_text", "output", "FormatOption", "open_study", "plain_name", "shown",
           "output_folder", "output_path", "main_entry", "usage_message", "INTERRUPTED"]

app = typer.Typer(
    help=(
        "access: how far residents are from a police front counter, on foot, by bike, by car and by "
        "public transport (from your GTFS timetables), "
        "before and after closures. Studies live in data/studies/*.toml; source data is read from "
        "the data folder that 'access data fetch' fills (ACCESS_DATA_DIR), else from the mirror in "
        "ACCESS_DATA_MIRROR (default ../shared/data beside the repository)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class Command(TyperCommand):
    """A command whose ``--help`` names its arguments as the user types them, with no Python type names.

    Typer shows ``STUDY <str>``; here an argument is listed by its metavar alone, and the usage
    line reads ``access run [OPTIONS] [STUDY]`` (``[…]`` for an optional argument, ``NAME...``
    for one that repeats).
    """

    def collect_usage_pieces(self, ctx: typer.Context) -> list[str]:
        """Return the usage line's pieces: ``[OPTIONS]``, then each argument."""
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = (param.metavar or param.name or "").upper() + ("..." if param.nargs != 1 else "")
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx: typer.Context, formatter: typer.core._click.HelpFormatter) -> None:
        """Write the Arguments and Options sections."""
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append(((param.metavar or param.name or "").upper(), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


def command(name: str, *, short_help: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register a command on :data:`app` as :class:`Command`, with a one-line help for ``access --help``."""
    return app.command(name, cls=Command, short_help=short_help)


class _Stream(io.TextIOBase):
    """The process's ``sys.stdout`` or ``sys.stderr`` as it is now; plain characters where it cannot show others.

    The stream is looked up at each write, so a test or a library that swaps
    ``sys.stderr`` for its own is written to.  A stream that Rich's live display
    put in its place (a ``FileProxy``, which prints through a console) is looked
    through to the stream underneath: writing into it would print through this
    console again, and again, for ever.

    ``≤`` becomes ``<=``, ``→`` becomes ``->``, and so on; anything else the
    encoding lacks becomes ``?``.  Rich sees the stream's encoding and draws
    its tables with ASCII lines there.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def stream(self) -> io.TextIOBase:
        stream = getattr(sys, self.name)
        while isinstance(stream, FileProxy):
            stream = stream.rich_proxied_file
        return stream

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
    """A console that prints text literally (no markup), plainly where it must, and never hides the cursor.

    Rich hides the cursor while a progress bar is drawn and shows it again at the
    end; a run killed in between (``kill -9``, a closed window) would leave the
    user's terminal without a cursor.  The bar is drawn with the cursor shown.
    """

    def print(self, *objects: object, **kwargs: object) -> None:  # type: ignore[override]
        super().print(*(_plain(printable(o), self) for o in objects), **kwargs)

    def show_cursor(self, show: bool = True) -> bool:
        """Do nothing: the cursor is never hidden (see the class docstring)."""
        return False

    @property
    def size(self) -> ConsoleDimensions:
        """The terminal's size as it is now: ``COLUMNS`` if set, else the terminal's own, read at each print.

        Rich reads ``COLUMNS`` once, when a console is made; these consoles are made when the command line is
        imported, so a width set later (a test's, or a program's that imports access) would be ignored.
        """
        self._width = self._height = None
        return super().size

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        super(_Console, type(self)).size.fset(self, new_size)


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
    except MemoryError:  # an allocation the budget did not foresee
        raise fail("ran out of memory; use fewer modes, counters or origins (or a larger --spacing), or a machine "
                   "with more memory") from None
    except KeyboardInterrupt:
        raise fail(INTERRUPTED, 130) from None


class Steps:
    """What :func:`progress` yields: call it with each step's description; :meth:`chunk` runs a second bar.

    On a terminal that can redraw a line, the steps drive a Rich progress bar
    (``bar``); on a dumb one (``TERM=dumb``), each step is a line of its own
    (``bar`` is ``None`` and ``lines`` is true); elsewhere (output piped) nothing is shown.
    """

    def __init__(self, bar: Progress | None, label: str, total: int | None, *, lines: bool = False) -> None:
        self._bar, self._label, self._total, self._lines = bar, label, total, lines
        self._task = bar.add_task(label, total=total) if bar is not None else None
        self._chunks: TaskID | None = None
        self._started = 0  # steps started so far
        self._chunk_tenths = -1

    def __call__(self, description: str) -> None:
        """Start a step: the bar advances at each step after the first."""
        interrupts.check()
        self._started += 1
        self._chunk_tenths = -1
        if self._bar is not None and self._task is not None:
            if self._total is not None and self._started > 1:
                self._bar.advance(self._task)
            self._bar.update(self._task, description=f"{self._label}: {description}", refresh=True)
        elif self._lines:
            counter = f" [{self._started}/{self._total}]" if self._total is not None else ""
            errors.print(f"{self._label}: {description}{counter}", soft_wrap=True)

    def chunk(self, done: int, total: int) -> None:
        """Show that ``done`` of ``total`` chunks of the current step are finished (a bar of its own)."""
        interrupts.check()
        description = f"  routing the counters: chunk {done}/{total}"
        if self._bar is not None:
            if self._chunks is None:
                self._chunks = self._bar.add_task(description, total=total)
            self._bar.update(self._chunks, description=description, completed=done, total=total,
                             visible=done < total)
        elif self._lines and total and (tenths := 10 * done // total) > self._chunk_tenths:
            self._chunk_tenths = tenths  # a line at each tenth, not one per chunk
            errors.print(f"{self._label}:{description}", soft_wrap=True)

    def finish(self) -> None:
        """Fill the main bar."""
        if self._bar is not None and self._task is not None and self._total is not None:
            self._bar.update(self._task, completed=self._total)


@contextmanager
def progress(label: str, total: int | None = None) -> Iterator[Steps]:
    """Return a progress display on stderr (only on a terminal); yields :class:`Steps`, called as ``step(description)``.

    With ``total``, a bar advances at each step after the first.  ``step.chunk(done, total)``
    shows a second bar for a long step done in chunks (routing many counters).

    The bar never redirects ``sys.stdout`` or ``sys.stderr`` (everything access prints goes
    through its own consoles, which the bar knows), and never hides the cursor.  A terminal
    that cannot redraw a line (``TERM=dumb``) gets one line per step instead; a terminal
    that cannot show every character gets an ASCII spinner and bar.
    """
    errors.is_interactive = errors.is_terminal and not errors.is_dumb_terminal  # the stream as it is now
    if not errors.is_terminal:
        yield Steps(None, label, total)
        return
    if errors.is_dumb_terminal:
        yield Steps(None, label, total, lines=True)
        return
    columns = [SpinnerColumn("dots" if shows_unicode(errors) else "line"), TextColumn("{task.description}")]
    if total is not None:
        columns += [BarColumn(), TextColumn("{task.completed}/{task.total}")]
    with Progress(*columns, TimeElapsedColumn(), console=errors, transient=True, redirect_stdout=False,
                  redirect_stderr=False) as bar:
        steps = Steps(bar, label, total)
        yield steps
        steps.finish()


_VALIDATION_WORDING = (
    (re.compile(r"^Value error, "), ""),
    (re.compile(r"^Input should be a valid number\b.*"), "not a number"),
    (re.compile(r"^Input should be a valid integer\b.*"), "not a whole number"),
    (re.compile(r"^Input should be a valid boolean\b.*"), "not yes or no"),
    (re.compile(r"^Input should be "), "should be "),
)
"""Messages of the validation library behind Typer, in plain words."""


def _given(hint: str, argv: list[str]) -> str | None:
    """Return the value typed after the option ``hint`` on the command line, if any."""
    for index, word in enumerate(argv):
        if word == hint and index + 1 < len(argv):
            return argv[index + 1]
        if word.startswith(f"{hint}="):
            return word.partition("=")[2]
    return None


def usage_message(exc: typer.TyperException, argv: list[str]) -> str:
    """One line for a usage error: what was wrong, in plain words, and the ``--help`` of the command it concerns.

    >>> from access.cli import app  # every command registered
    >>> try:
    ...     app(["hours", "--within", "abc"], standalone_mode=False)
    ... except typer.BadParameter as exc:
    ...     print(usage_message(exc, ["hours", "--within", "abc"]))
    invalid value for --within: 'abc' is not a number; see 'access hours --help'
    """
    context, command_ = getattr(exc, "ctx", None), getattr(exc, "cmd", None)
    words = [w for w in argv if not w.startswith("-")]
    subcommand = context.info_name if context is not None and context.parent is not None else None
    if subcommand is None and command_ is not None and not isinstance(command_, typer.core.TyperGroup):
        subcommand = command_.name
    if subcommand is None and words and words[0] in {c.name for c in app.registered_commands}:
        subcommand = words[0]
    where = f"access {subcommand}" if subcommand else "access"
    message = str(getattr(exc, "message", "") or exc.format_message()).strip().rstrip(".")
    param = getattr(exc, "param", None)
    if param is not None and isinstance(exc, typer.BadParameter) and type(exc).__name__ != "MissingParameter":
        for pattern, words_ in _VALIDATION_WORDING:
            message = pattern.sub(words_, message)
        hint = max(getattr(param, "opts", None) or [param.name or ""], key=len)
        given = _given(hint, argv)
        if given is not None and not message.startswith(repr(given)):
            message = f"{given!r} is {message}" if message.startswith("not ") else f"{given!r}: {message}"
        message = f"invalid value for {hint.upper() if param.param_type_name == 'argument' else hint}: {message}"
    return f"{message}; see '{where} --help'" if message else ""


def _quiet_stdout() -> None:
    """Point standard output at /dev/null, so that Python's own last flush cannot fail with a traceback."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


def main_entry() -> int:
    """Run the command line; return its exit code. Usage errors and Ctrl-C are one line each."""
    try:
        code = app(standalone_mode=False) or 0
    except (KeyboardInterrupt, typer.Abort):
        fail(INTERRUPTED, 130)
        return 130
    except typer.Exit as exc:
        code = exc.exit_code
    except BrokenPipeError:  # the reader went away (`access studies | head -1`): nothing more to say
        _quiet_stdout()
        return 0
    except AccessError as exc:  # raised outside a command's `reported()`: printing its results failed
        _quiet_stdout()
        fail(str(exc))
        return 2
    except typer.TyperException as exc:  # a usage error: an unknown option, a missing argument, a bad value
        code = getattr(exc, "exit_code", 2)
        message = usage_message(exc, sys.argv[1:])
        if message:  # (no message: the help was shown, for a command given nothing)
            fail(message, code)
        return code
    if code == 130 and interrupts.pending() and not _said["interrupted"]:
        fail(INTERRUPTED, 130)  # Typer turns a Ctrl-C while it parses into a bare exit code
    return code


def open_study(study: str) -> Study:
    """Open the study a command names; name on stderr any file it reads from outside its folder and data/."""
    from access.analysis.study import Study
    from access.inputs.config import load_config

    chosen = Study(load_config(study))
    for what, path in chosen.config.outside_files:
        errors.print(Text.assemble(("note:", "bold"), f" read the {what} from {path} (outside the study's folder "
                                                   f"and the project's data/)"), soft_wrap=True)
    return chosen


def shown(path: Path | str) -> str:
    """Return ``path`` as a person reads it: relative to the current folder if inside, else from ``~``.

    >>> shown(Path.cwd() / "maps" / "x" / "report.html") == str(Path("maps", "x", "report.html"))
    True
    """
    resolved = Path(path).expanduser().resolve()
    for base, prefix in ((Path.cwd().resolve(), ""), (Path.home().resolve(), "~")):
        try:
            relative = resolved.relative_to(base)
        except ValueError:
            continue
        return str(Path(prefix) / relative) if prefix else str(relative)
    return str(resolved)


def output_path(out: str) -> Path:
    """Return ``--out`` as a path; a blank one is refused (it would write into the current folder unasked).

    Raises
    ------
    ArgumentError
        ``out`` is blank.
    """
    from access.outputs.writers import output_path as checked

    try:
        return checked(out)
    except ArgumentError as exc:
        raise ArgumentError(f"--out {out!r}: {exc}") from None


def output_folder(study: Study, out: str | None, *parts: str) -> Path:
    """Return ``--out``, or else ``maps/NAME`` beside the study (``study_files.default_output_folder``)."""
    if out is not None:
        return output_path(out)
    from access.inputs.study_files import default_output_folder

    return default_output_folder(study.config.source).joinpath(*parts)


def plain_name(value: str, option: str, names: str = "the output folder") -> str:
    """Check a name given on the command line (``--name``): a plain name (``access.core.arguments.PLAIN_NAME``)."""
    if not is_plain_name(value):
        raise ScenarioError(f"{option} {value!r} is not a plain name; use letters, digits, '-' and '_' (it names "
                            f"{names})")
    return value


def split(values: Optional[list[str]], option: str | None = None, wanted: str = "") -> list[str]:
    """Values given by repeating an option or separating with commas, as one list.

    With ``option``, an option given only blank values (``--close ''``) is refused: it names nothing,
    and taking it as "none" (or "all") would run something the user did not ask for.

    >>> split(["ilford,barkingside", " romford "])
    ['ilford', 'barkingside', 'romford']
    >>> split([" , "], "--close", "counter ids")
    Traceback (most recent call last):
    access.core.errors.ArgumentError: --close ' , ' names nothing; give counter ids, or leave the option out
    """
    parts = [part.strip() for value in values or [] for part in value.split(",") if part.strip()]
    if option is not None and values and not parts:
        raise ArgumentError(f"{option} {values[0]!r} names nothing; give {wanted or 'a value'}, or leave the "
                            f"option out")
    return parts


def model_text(model: str, short: bool = True) -> Text:
    """Return a model's name for a table cell: plain for a network, timetables or imported times; red: estimate."""
    if model == NETWORK_MODEL:
        return Text("network" if short else model)
    if model == IMPORTED_MODEL:
        return Text("imported" if short else model)
    if model.startswith(TRANSIT_MODEL_PREFIX):
        return Text("timetable" if short else model)
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
    from access.outputs.notes import ESTIMATE, ESTIMATE_ADVICE

    texts = merged_warnings(list(dict.fromkeys(found)), list(models))
    panels = [Panel(_plain(printable(text), console), title="warning", border_style="red", expand=False)
              for text in texts]
    if any(model == STRAIGHT_LINE_MODEL for model in models.values()):
        loud = f"Some or all times above are a {ESTIMATE}, not street-network routes. {ESTIMATE_ADVICE}"
        texts.append(loud)
        panels.append(Panel(_plain(loud, console), border_style="bold red", expand=False))
    return texts, panels
