"""The data commands: ``access data status``, ``access data fetch`` and ``access data verify``.

They print what :mod:`access.inputs.datasets` finds and does; the downloads themselves (pooch)
are imported only when a fetch runs, so ``access --help`` stays quick.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn
from rich.text import Text

from access.cli.common import Command, FormatOption, app, errors, fail, output, reported, split, warning_panels
from access.cli.tables import Column, Format, Printed
from access.core import settings

__all__ = ["data_app", "status_command", "fetch_command", "verify_command"]

data_app = typer.Typer(
    help=("The source data: where each table is (the data folder, the mirror, or missing), fetch it from the "
          "publishers, check it. Tables are read from the data folder (ACCESS_DATA_DIR, by default your user data "
          "folder) first, then from the mirror (ACCESS_DATA_MIRROR)."),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
app.add_typer(data_app, name="data", short_help="The source data: where it is, fetch it from the publishers, check it.")

_MARKS = {True: ("ok", "green"), False: ("DIFFERS", "bold red"), None: ("-", "")}


def _mark(ok: bool | None) -> Text:
    text, style = _MARKS[ok]
    return Text(text, style=style)


class _Bar:
    """One download's bar on the command line's progress display, as pooch drives a progress bar object."""

    def __init__(self, display: Progress, name: str) -> None:
        self._display = display
        self._task = display.add_task(name, total=None)

    @property
    def total(self) -> float | None:
        return self._display.tasks[self._task].total

    @total.setter
    def total(self, value: float) -> None:
        self._display.update(self._task, total=value or None)

    def update(self, n: float) -> None:
        self._display.advance(self._task, n)

    def reset(self) -> None:
        self._display.reset(self._task, total=self.total)

    def close(self) -> None:
        self._display.update(self._task, completed=self.total or 0)


def _brief(note: str) -> str:
    """Shorten a table's note for a terminal's table: 'mirror only', the why left to --format csv and a note."""
    from access.inputs.datasets import MIRROR_ONLY

    return MIRROR_ONLY.rstrip(": ") if note.startswith(MIRROR_ONLY) else note


def _licence(licence: str) -> str:
    """Shorten a licence for a terminal's table: the Open Government Licence as OGL (its full name in csv, json)."""
    return licence.replace("Open Government Licence", "OGL")


def _size(mb: float) -> str:
    return f"{mb:,.1f} MB" if mb >= 0.1 else f"{mb * 1000:,.0f} kB"


@data_app.command("status", cls=Command, short_help="Every dataset: where it is, whether it checks out, its licence.")
def status_command(fmt: FormatOption = Format.table) -> None:
    """Every dataset: where it is (data folder / mirror / missing), whether its sha256 is right, licence, URL, size."""
    from access.inputs.datasets import status

    with reported():
        found = status()
    printed = output("data status", fmt)
    rows = [{"name": c.name, "kind": c.kind, "where": c.where, "verified": c.ok, "size_mb": c.size_mb,
             "licence": c.licence, "url": c.url, "note": c.note, "path": c.path} for c in found]
    tables = [r for r in rows if r["kind"] == "table"]
    columns = [Column("name", "table", key=True), Column("where", "where"),
               Column("verified", "sha256", cell=lambda r: _mark(r["verified"])),
               Column("size_mb", "size", cell=lambda r: _size(r["size_mb"])),
               Column("note", "note", wrap=True, optional=True, cell=lambda r: _brief(r["note"])),
               Column("licence", "licence", wrap=True, optional=True, cell=lambda r: _licence(r["licence"])),
               Column("url", "from", wrap=True, optional=True)]
    printed.table(Printed("tables", f"the tables studies read (data folder: {settings.data_dir()}; mirror: "
                                    f"{settings.mirror_dir()})", columns, tables))
    fetched = [r for r in rows if r["kind"] == "download"]
    columns = [Column("name", "download", key=True), Column("where", "where"),
               Column("verified", "sha256", cell=lambda r: _mark(r["verified"])),
               Column("size_mb", "size, about", cell=lambda r: _size(r["size_mb"])),
               Column("licence", "licence", wrap=True, optional=True, cell=lambda r: _licence(r["licence"])),
               Column("url", "address", wrap=True, optional=True),
               Column("note", "note", wrap=True, optional=True)]
    printed.table(Printed("downloads", "the publishers' files the tables are derived from", columns, fetched))
    local = [r for r in rows if r["kind"] == "local"]
    if local:
        columns = [Column("name", "local authority", key=True), Column("where", "where"),
                   Column("verified", "sha256", cell=lambda r: _mark(r["verified"])),
                   Column("size_mb", "size", cell=lambda r: _size(r["size_mb"])),
                   Column("note", "note", wrap=True, optional=True)]
        printed.table(Printed("local_authorities", "local authorities fetched for studies", columns, local))
    missing = [r["name"] for r in tables if r["where"] == "missing" and r["note"].startswith("access data fetch")]
    if missing:
        printed.note(f"fetch the missing tables with: access data fetch {' '.join(missing)}")
    if any(_brief(r["note"]) != r["note"] for r in tables):
        printed.note("mirror only: compiled by the project, or an extract that cannot be downloaded again as it was; "
                     "--format csv says which")
    printed.note("licences, vintages and how each table is derived: docs/explanation/sources.md")
    folder = settings.data_dir()
    if folder.exists() and not folder.is_dir():
        said = (f"the data folder {folder} is a file, not a folder: 'access data fetch' cannot write there; set "
                f"ACCESS_DATA_DIR to a folder")
        printed.warnings(*warning_panels([said], {}))
    printed.emit()


@data_app.command("fetch", cls=Command, short_help="Download the publishers' files and derive the tables.")
def fetch_command(
    names: Annotated[Optional[list[str]], typer.Argument(
        metavar="NAME", show_default=False,
        help="Tables to fetch (see 'access data status'); by default every table the publishers' files make.")] = None,
    local_authority: Annotated[Optional[list[str]], typer.Option(
        "--local-authority", "-l", metavar="NAME",
        help="Also fetch the tables of a study of this local authority of England and Wales (its name, e.g. "
             "Manchester, or ONS code); repeat for several.")] = None,
    refresh: Annotated[bool, typer.Option(
        "--refresh", help="Download every file again, even one already in the data folder (a publisher's new "
                          "release), and pin its new sha256.")] = False,
    study: Annotated[Optional[str], typer.Option(
        "--study", metavar="STUDY",
        help="Instead of naming tables: the tables this study reads that are not here yet (in the data folder "
             "or the mirror); nothing is downloaded when every one is.")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Download the publishers' files, derive the tables, and write them into the data folder as one set.

    Nothing in the data folder changes unless every download and table succeeds.
    """
    from access.inputs.datasets import fetch

    with reported():
        tables = split(names, "NAME", "tables of 'access data status', e.g. postcodes")
        authorities = split(local_authority, "--local-authority",
                            "a local authority's name or ONS code, e.g. Manchester")
    if study is not None:
        with reported():
            tables = _missing_for(study)
        if not tables:
            errors.print(f"every table the study {study} reads is here; nothing to fetch", soft_wrap=True)
            return
        errors.print(f"the study {study} reads {len(tables)} tables not here yet ({', '.join(tables)}): "
                     f"{_plan(tables)}", soft_wrap=True)

    columns = [TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn()]
    # (never swap sys.stdout/sys.stderr: the consoles write through them, and would write into the display for ever)
    with reported(), Progress(*columns, console=errors, disable=not errors.is_terminal, redirect_stdout=False,
                              redirect_stderr=False) as display:
        written = fetch(tables, local_authorities=authorities, refresh=refresh,
                        progress=lambda name: _Bar(display, name))
    printed = output("data fetch", fmt)
    rows = [{"name": f.name, "path": f.path, "sha256": f.sha256, "matches_project": f.matches_project}
            for f in written]
    columns = [Column("name", "table", key=True), Column("path", "file", wrap=True),
               Column("sha256", "sha256", cell=lambda r: r["sha256"][:12] + "…"),
               Column("matches_project", "as the project's", optional=True,
                      cell=lambda r: {True: "yes", False: "no (newer release)", None: "-"}[r["matches_project"]])]
    printed.table(Printed("fetched", f"{len(rows)} tables written into {settings.data_dir()}", columns, rows))
    printed.files(f"wrote {len(rows)} tables into {settings.data_dir()}",
                  [str(settings.data_dir() / f.path) for f in written])
    printed.emit()


def _plan(names: list[str]) -> str:
    """Say how much fetching the tables ``names`` downloads, and into which folder."""
    from access.inputs.sources import download_mb, downloads_of

    size = download_mb(downloads_of(names))
    if size == 0:
        return f"deriving them from files already downloaded into {settings.data_dir()}"
    return f"downloading about {_size(size)} from their publishers into {settings.data_dir()}"


def _missing_for(study: str) -> list[str]:
    """Return the tables ``study`` reads that neither the data folder nor the mirror holds.

    Raises
    ------
    DataError
        One of them cannot be downloaded (it is kept in the mirror only): the message says where it comes from.
    """
    from access.core.errors import DataError
    from access.inputs.config import load_config
    from access.inputs.datasets import fetchable, status

    wanted = load_config(study).data_keys
    here = {check.name for check in status(check=False) if check.kind == "table" and check.where != "missing"}
    missing = [key for key in wanted if key not in here]
    unpublished = [key for key in missing if key not in fetchable()]
    if unpublished:
        raise DataError(f"the study {study} reads {', '.join(unpublished)}, which no publisher serves for download "
                        f"(the project compiled it): set ACCESS_DATA_MIRROR to a copy of the data mirror")
    return missing


@data_app.command("verify", cls=Command, short_help="Hash every table and download again against its sha256.")
def verify_command(fmt: FormatOption = Format.table) -> None:
    """Hash every table and download again; exit 2 if any differs from the sha256 recorded for it."""
    from access.inputs.datasets import status

    with reported():
        found = status()
    checked = [c for c in found if c.ok is not None]
    bad = [c for c in checked if c.ok is False]
    printed = output("data verify", fmt)
    rows = [{"name": c.name, "kind": c.kind, "where": c.where, "verified": c.ok, "path": c.path} for c in checked]
    columns = [Column("name", "file", key=True), Column("kind", "kind"), Column("where", "where"),
               Column("verified", "sha256", cell=lambda r: _mark(r["verified"]))]
    printed.table(Printed("verified", f"{len(checked) - len(bad)} of {len(checked)} files as recorded", columns,
                          rows))
    printed.emit()
    if bad:
        names = ", ".join(c.name for c in bad)
        raise fail(f"{len(bad)} file(s) differ from the sha256 recorded for them: {names}; fetch them again with "
                   f"'access data fetch' (tables) or 'access data fetch --refresh' (downloads)")
