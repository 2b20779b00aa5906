"""What a command prints: tables that never cut a number, as a table, CSV or JSON.

A command describes what it prints as :class:`Printed` blocks: each has rows of
raw values (for ``--format csv`` and ``--format json``) and columns that say how
a value reads in the terminal.  :class:`Output` collects the blocks, the notes
and the warnings, and prints them in the format asked for:

* ``table`` (the default): each block as a Rich table when the terminal is wide
  enough for every number whole, else without its optional columns (a caption
  says which), else **stacked**, one small block of ``column  value`` lines per
  row.  Numbers are never wrapped, folded or cut; only text (names, labels)
  wraps, at spaces.
* ``csv``: **one** table on stdout, which ``pandas.read_csv`` reads: the command's
  main table (its first; blocks of that name, one per mode say, are one table),
  written by the one CSV rule (:func:`access.outputs.formats.csv_text`: floats rounded, formulas guarded).
  A command's other tables are named on stderr with the file of its output set
  that holds each (:attr:`Printed.file`); a command with no table prints the files
  it wrote, one per row (column ``file``).
* ``json``: one JSON document on stdout: ``{"command", "tables": {name: [rows]},
  "notes", "warnings", "wrote", "open"}`` (``open``: the page to open, or ``null``).

With ``csv`` and ``json``, stdout holds the data and nothing else: notes and
warnings go to stderr, one line each (``warning: …``), and the JSON document
carries them too.

Examples
--------
>>> import io
>>> from rich.console import Console
>>> block = Printed("demo", "residents", [Column("place", "place", kind="text", key=True),
...                                       Column("population", "residents", kind="count")],
...                 [{"place": "Ilford", "population": 104372.4}, {"place": "Wanstead", "population": 140334.0}])
>>> def show(width):
...     console = Console(width=width, file=io.StringIO(), color_system=None)
...     console.print(render(block, width))
...     for line in console.file.getvalue().splitlines():
...         print(line.rstrip())
>>> show(40)
residents
┏━━━━━━━━━━┳━━━━━━━━━━━┓
┃ place    ┃ residents ┃
┡━━━━━━━━━━╇━━━━━━━━━━━┩
│ Ilford   │   104,372 │
│ Wanstead │   140,334 │
└──────────┴───────────┘
>>> show(20)
residents
Ilford
  residents 104,372
Wanstead
  residents 140,334
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

__all__ = ["Format", "Column", "Printed", "Output", "render", "fits", "plain", "printable", "shows_unicode",
           "PLAIN_CHARACTERS"]

PLAIN_CHARACTERS = str.maketrans({
    "≤": "<=", "≥": ">=", "→": "->", "←": "<-", "±": "+/-", "−": "-", "–": "-", "—": "-", "×": "x", "÷": "/",
    "†": "+", "…": "...", "⚠": "!", "’": "'", "‘": "'", "“": '"', "”": '"', "•": "*", "·": "*", "£": "GBP ",
    "é": "e", "è": "e", "ü": "u", "ö": "o", "à": "a", "ç": "c",
})
"""What a terminal that cannot show a character gets instead (``≤`` → ``<=``); anything else becomes ``?``."""


def shows_unicode(console: Any) -> bool:
    """Whether ``console`` writes to a stream that can show any character (UTF-8 and the like)."""
    return str(getattr(console, "encoding", "utf-8") or "utf-8").lower().replace("-", "").startswith("utf")


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Characters a terminal acts on instead of showing: escape sequences, carriage returns, bidirectional overrides."""


def printable(value: Any) -> Any:
    r"""``value`` (a string or a :class:`~rich.text.Text`) with every control character shown as an escape.

    A name read from a data file (or an Overpass answer) may hold ``ESC [ 2 J`` or a
    carriage return; printed raw, it would rewrite what the terminal shows.  Here it is
    shown as ``\x1b[2J``.  Line feeds and tabs stay.

    >>> printable("Ilford\x1b[2J\rgone\x00")
    'Ilford\\x1b[2J\\rgone\\x00'
    """
    if isinstance(value, str):
        return _CONTROL.sub(_escaped, value) if _CONTROL.search(value) else value
    if isinstance(value, Text) and _CONTROL.search(value.plain):
        return Text(_CONTROL.sub(_escaped, value.plain), style=value.style)
    return value


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return {0x0D: "\\r"}.get(code) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def plain(value: Any) -> Any:
    """``value`` (a string, a :class:`~rich.text.Text` or a :class:`Printed`) in plain characters.

    Done before a table is laid out, so its columns stay aligned (``≤`` takes two places as ``<=``).

    >>> plain("≤30 → ±0.0")
    '<=30 -> +/-0.0'
    """
    if isinstance(value, str):
        return value.translate(PLAIN_CHARACTERS)
    if isinstance(value, Text):
        return Text(value.plain.translate(PLAIN_CHARACTERS), style=value.style)
    if isinstance(value, Printed):
        columns = [Column(c.name, plain(c.header), kind=c.kind, key=c.key, fold=c.fold, optional=c.optional,
                          wrap=c.wrap or c.wraps, group=c.group, cell=lambda row, c=c: plain(c.text(row)))
                   for c in value.columns]
        return Printed(value.name, plain(value.title), columns, value.rows,
                       caption=plain(value.caption) if value.caption else None, data=value.data, file=value.file)
    return value


class Format(StrEnum):
    """How a command prints its results."""

    table = "table"
    csv = "csv"
    json = "json"


KINDS = ("minutes", "minutes2", "change", "percent", "points", "count", "int", "text")
"""How a column's values read: every kind but ``text`` is a number."""


def _formatted(kind: str, value: Any) -> str:
    """``value`` as a cell of ``kind`` reads (number formats: :mod:`access.outputs.formats`, loaded when printed)."""
    if kind == "text":
        return "" if value is None else str(value)
    from access.outputs.formats import count, minutes, percent, points

    if kind == "minutes":
        return minutes(value)
    if kind == "minutes2":
        return minutes(value, decimals=2)
    if kind == "change":
        return minutes(value, signed=True)
    if kind == "percent":
        return percent(value)
    if kind == "points":
        return points(value)
    return count(value)  # count, int


@dataclass
class Column:
    """One column of a printed table.

    Attributes
    ----------
    name
        The row key it shows (``rows[i][name]``), unless ``cell`` is given.
    header
        Its heading in the terminal.
    kind
        How a value reads: ``minutes``, ``minutes2`` (two decimals), ``change``
        (signed minutes), ``percent``, ``points``, ``count``, ``int`` or
        ``text``.  Every kind but ``text`` is a number: never wrapped or cut.
    cell
        Instead of ``name`` and ``kind``: a function of the row giving the cell
        (``str`` or :class:`rich.text.Text`), e.g. ``"33.5 → 45.2 (+11.6)"``.
    key
        The column names the row (scenario, mode): stacked, it heads the row.
    fold
        When every row has the same value (a single mode, one model), the
        column moves into the title instead.
    optional
        Dropped, last first, when the terminal is too narrow for every column.
    group
        Rows that share its value form a group: the value shows once, with a
        rule between groups (a period, over its modes).
    wrap
        A ``cell`` whose text may wrap at spaces (a list of names); numbers in
        it stay whole.
    """

    name: str
    header: str
    kind: str = "text"
    cell: Callable[[dict[str, Any]], str | Text] | None = None
    key: bool = False
    fold: bool = False
    optional: bool = False
    wrap: bool = False
    group: bool = False

    def text(self, row: dict[str, Any]) -> Text:
        """Return the cell of ``row`` as it reads in the terminal."""
        value = self.cell(row) if self.cell else _formatted(self.kind, row.get(self.name))
        return printable(value if isinstance(value, Text) else Text(str(value)))

    @property
    def wraps(self) -> bool:
        """Whether the cell may wrap at spaces (text, never a number)."""
        return self.wrap or (self.cell is None and self.kind == "text")


@dataclass
class Printed:
    """A table a command prints: its machine name, title, columns and rows of raw values.

    ``rows`` hold the raw figures under machine names; ``--format csv/json``
    print them as they are (every key of every row), the terminal as
    ``columns`` say.  ``data``, when given, are the rows for csv/json instead
    (one row per figure where the terminal shows a wide table).  ``file`` names
    the file of the command's output set that holds the same table, for
    ``--format csv`` to point at when it prints another table.
    """

    name: str
    title: str | Text
    columns: list[Column]
    rows: list[dict[str, Any]]
    caption: str | None = None
    data: list[dict[str, Any]] | None = None
    file: str | None = None

    @property
    def records(self) -> list[dict[str, Any]]:
        """The rows for ``--format csv`` and ``--format json``."""
        return self.rows if self.data is None else self.data


_EDGE = 4  # a Rich table's outer borders, with one space of padding each side


def _words(text: Text) -> int:
    return max((cell_len(word) for word in text.plain.split()), default=0)


def _shown(block: Printed) -> tuple[list[Column], list[Text]]:
    """Return the columns to show and the title lines of the folded ones (constant values)."""
    columns, folded = [], []
    for column in block.columns:
        values = {column.text(row).plain for row in block.rows}
        if column.fold and len(values) == 1 and block.rows:
            cell = column.text(block.rows[0])
            folded.append(Text.assemble(f"{column.header}: ", cell))
        else:
            columns.append(column)
    return columns, folded


def _widths(columns: Sequence[Column], rows: Sequence[dict[str, Any]], width: int) -> list[int] | None:
    """Column widths that fit ``width`` with every number whole and text wrapped only at spaces; else ``None``."""
    natural, cells_width, least = [], [], []
    for column in columns:
        cells = [column.text(row) for row in rows]
        header = Text(column.header)
        longest = max((c.cell_len for c in cells), default=0)
        if column.wraps:
            least.append(max(_words(header), max((_words(c) for c in cells), default=0), 1))
        else:
            least.append(max(_words(header), longest, 1))
        natural.append(max(cell_len(column.header), longest, least[-1]))
        cells_width.append(max(longest, least[-1]))
    room = width - _EDGE - 3 * (len(columns) - 1)
    if sum(least) > room:
        return None
    widths = list(natural)
    # shrink what may shrink, widest first: first headers wider than their cells (a header wraps), then text
    for floor in (cells_width, least):
        while sum(widths) > room and any(w > f for w, f in zip(widths, floor, strict=True)):
            index = max((i for i in range(len(widths)) if widths[i] > floor[i]), key=lambda i: widths[i])
            widths[index] -= 1
    return widths if sum(widths) <= room else None


def fits(block: Printed, width: int) -> bool:
    """Whether ``block`` fits ``width`` as a table with every column (its folded ones in the title).

    >>> block = Printed("t", "t", [Column("n", "number", kind="count")], [{"n": 104372}])
    >>> fits(block, 40), fits(block, 8)
    (True, False)
    """
    columns, _ = _shown(block)
    return _widths(columns, block.rows, width) is not None


def _title(block: Printed, folded: list[Text]) -> Text:
    title = block.title.copy() if isinstance(block.title, Text) else Text(str(block.title))
    if folded:
        title.append("\n")
        title.append_text(Text(" · ").join(folded))
    return title


def _table(block: Printed, columns: list[Column], widths: list[int], folded: list[Text]) -> Table:
    table = Table(title=_title(block, folded), title_justify="left", caption=block.caption, caption_justify="left",
                  box=box.HEAVY_HEAD)
    for column, width in zip(columns, widths, strict=True):
        # every column is at least as wide as its widest number and its longest word: only text and headers
        # wrap, at spaces
        table.add_column(column.header, width=width, justify="left" if column.wraps or column.key else "right",
                         overflow="fold")
    previous: list[str] | None = None
    for row in block.rows:
        cells = [column.text(row) for column in columns]
        groups = [cell.plain for column, cell in zip(columns, cells, strict=True) if column.group]
        if groups and previous is not None and groups == previous:
            cells = [Text("") if column.group else cell for column, cell in zip(columns, cells, strict=True)]
        elif groups and previous is not None:
            table.add_section()
        previous = groups
        table.add_row(*cells)
    return table


def _stacked(block: Printed, columns: list[Column], folded: list[Text], width: int) -> RenderableType:
    """One small block per row: the key columns as its heading, then ``header  value`` lines.

    The value column is as wide as the widest number, so no number is cut; the headers take what is
    left, wrapping at spaces.
    """
    keys = [c for c in columns if c.key]
    rest = [c for c in columns if not c.key]
    numbers = max((c.text(row).cell_len for c in rest if not c.wraps for row in block.rows), default=0)
    texts = max((c.text(row).cell_len for c in rest if c.wraps for row in block.rows), default=0)
    header_width = max(1, min(max((cell_len(c.header) for c in rest), default=1), width - 3 - numbers))
    value_width = max(numbers, min(max(numbers, texts), width - 3 - header_width), 1)
    parts: list[RenderableType] = [_title(block, folded)]
    for row in block.rows:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=1)
        grid.add_column(width=header_width, style="dim", overflow="fold")
        grid.add_column(width=value_width, overflow="fold")
        for column in rest:
            grid.add_row("", column.header, column.text(row))
        if keys:
            heading = Text(" · ").join([c.text(row) for c in keys])
            heading.stylize("bold")
            parts.append(heading)
        parts.append(grid)
    if block.caption:
        parts.append(Text(block.caption, style="dim"))
    return Group(*parts)


def render(block: Printed, width: int) -> RenderableType:
    """Return ``block`` as it prints in a terminal ``width`` columns wide: a table if it fits, else stacked."""
    columns, folded = _shown(block)
    dropped: list[str] = []
    while True:
        widths = _widths(columns, block.rows, width)
        if widths is not None:
            if dropped:  # say so: a figure left out is not a figure cut
                note = f"{', '.join(reversed(dropped))}: not shown at this width (--format csv has every column)"
                block = Printed(block.name, block.title, block.columns, block.rows,
                                caption="\n".join(filter(None, [block.caption, note])), data=block.data,
                                file=block.file)
            return _table(block, columns, widths, folded)
        optional = [i for i, c in enumerate(columns) if c.optional]
        if not optional:
            break
        dropped.append(columns[optional[-1]].header)
        columns = columns[:optional[-1]] + columns[optional[-1] + 1:]
    columns, folded = _shown(block)
    return _stacked(block, columns, folded, width)  # one line per figure: room for the optional ones too


def _csv(records: list[dict[str, Any]], name: str) -> str:
    import pandas as pd

    from access.outputs.formats import csv_text

    frame = pd.DataFrame([{"table": name, **{k: _plain(v) for k, v in row.items()}} for row in records])
    return csv_text(frame)


def _plain(value: Any) -> Any:
    from access.core.files import json_value

    if isinstance(value, Text):
        return value.plain
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return json_value(value)


@dataclass
class Output:
    """Everything a command prints, printed at the end in one format (see the module's docstring).

    ``console`` (stdout) and ``errors`` (stderr) are Rich consoles with markup off.
    """

    command: str
    format: Format
    console: Any
    errors: Any
    items: list[RenderableType | Printed] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)
    wrote: list[str] = field(default_factory=list)
    panels: list[RenderableType] = field(default_factory=list)
    opens: str | None = None
    whole: list[Text] = field(default_factory=list)

    def note(self, text: str | Text) -> None:
        """Add a line of text (what a scenario changes, how hours are read)."""
        self.items.append(text if isinstance(text, Text) else Text(text))
        self.notes.append(text.plain if isinstance(text, Text) else text)

    def table(self, block: Printed) -> None:
        """Add a table of figures."""
        self.items.append(block)

    def warnings(self, found: Sequence[str], panels: Sequence[RenderableType]) -> None:
        """Add the run's warnings (text, for csv/json) and how the terminal shows them (panels)."""
        self.found += list(found)
        self.panels += list(panels)
        self.items += list(panels)

    def files(self, line: str, names: Sequence[str]) -> None:
        """Add the closing line: which files were written, and where (printed whole: never broken in a path)."""
        text = Text(line)
        self.items.append(text)
        self.whole.append(text)
        self.wrote += list(names)

    def page(self, path: str | None) -> None:
        """Add the very last line: the page to open in a browser (nothing when the command wrote none)."""
        if path:
            self.opens = path
            text = Text.assemble(("open ", "bold"), path)
            self.items.append(text)
            self.whole.append(text)

    def emit(self) -> None:
        """Print everything, in :attr:`format`.

        Raises
        ------
        OutputError
            Standard output cannot be written (a full disk, a closed pipe): the files were written already.
        """
        try:
            self._emit()
        except OSError as exc:
            from access.core.errors import OutputError

            if isinstance(exc, BrokenPipeError):
                raise
            written = f"; the {len(self.wrote)} files listed were written" if self.wrote else ""
            raise OutputError(f"cannot print the results to standard output ({exc.strerror or exc}){written}") \
                from exc

    def _emit(self) -> None:
        if self.format is Format.table:
            width = self.console.width
            simple = not shows_unicode(self.console)
            for item in self.items:
                if simple:
                    item = plain(item)
                if isinstance(item, Printed):
                    self.console.print(render(item, width))
                else:  # the files and the page to open are whole lines: a path copies in one piece
                    self.console.print(item, soft_wrap=any(item is whole for whole in self.whole))
            return
        tables = [item for item in self.items if isinstance(item, Printed)]
        merged: dict[str, list[dict[str, Any]]] = {}
        for block in tables:  # blocks of one name (one per mode) are one table
            merged.setdefault(block.name, []).extend({k: _plain(v) for k, v in row.items()} for row in block.records)
        if self.format is Format.csv:
            if merged:
                name = next(iter(merged))
                text = _csv(merged[name], name)
            else:  # nothing but files: the files are the table
                text = _csv([{"file": path} for path in self.wrote], "files")
            self.console.file.write(printable(text))
            self.console.file.flush()
            for item in self.items:
                if isinstance(item, Text):
                    self.errors.print(item, soft_wrap=True)
            others = {block.name: block.file for block in tables if block.name != next(iter(merged), None)}
            if others:
                listed = ", ".join(f"{name} ({file})" if file else name for name, file in others.items())
                self.errors.print(f"note: printed the {next(iter(merged))!r} table; the others are in the files "
                                  f"written: {listed} (--format json prints every table)", soft_wrap=True)
            self._warnings_to_stderr()
            return
        document = {"command": self.command, "tables": merged, "notes": self.notes, "warnings": self.found,
                    "wrote": self.wrote, "open": self.opens}
        self.console.file.write(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n")
        self.console.file.flush()
        self._warnings_to_stderr()

    def _warnings_to_stderr(self) -> None:
        for text in self.found:
            self.errors.print(Text.assemble(("warning:", "bold yellow"), f" {text}"), soft_wrap=True)
