"""A new study's starting files: its TOML and a counters table from the mirror.

:func:`new_study` is what ``access new-study`` calls.  For a study of London
boroughs, it takes a study name and the boroughs, picks every Met front counter of the ``london-met``
source (:mod:`access.inputs.counter_sources`) within reach of them, and writes
two files: ``NAME.toml`` and a counters CSV (by default ``NAME-counters.csv``
beside it).  The CSV has one row per counter: ``id``, ``name``, ``borough``,
``address``, ``postcode``, ``lon``, ``lat``, the hours in each period
(``mid_2017``, ``after_2017``, ``c2024``) and the ``source`` of those facts.
The TOML says what each setting means.  Both are checked by loading the
study as every command will (boundary, counters, residents); if that fails,
neither file is left behind.

For a study of any local authority of England and Wales (``local_authority``),
the counters are the user's own table (``table``: ``id``, ``name``, a place, one
column of hours per period); the TOML names it where it is (nothing is copied),
and its periods are the table's columns of hours, in order (the first two are
compared).  The authority's data must have been fetched first
(``access data fetch --local-authority NAME``); its residents are the 2011 Census's.

This module is the one place that writes the study file format.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

import geopandas as gpd
import pandas as pd

from access.core import settings
from access.core.arguments import choose
from access.core.errors import ArgumentError, OutputError, StudyError
from access.core.files import atomic_path, write_text_atomic
from access.inputs.config import LONDON_BOROUGHS, StudyConfig, load_config, study_name
from access.inputs.counter_sources import LONDON_PERIODS, counter_source
from access.inputs.places import WGS84, Places, borough_outline, read_counter_table

__all__ = ["new_study", "TEMPLATE_COLUMNS", "TEMPLATE_PERIODS"]

TEMPLATE_PERIODS = LONDON_PERIODS
"""The periods of a new study's counters table: ``mid_2017`` (before), ``after_2017`` (after), ``c2024``."""

TEMPLATE_COLUMNS = ("id", "name", "borough", "address", "postcode", "lon", "lat", *TEMPLATE_PERIODS, "source")
"""The columns of a new study's counters table."""

_LABELS = {"mid_2017": "Mid-2017", "after_2017": "After the 2017 strategy", "c2024": "c.2024"}


def _toml_string(text: str) -> str:
    """Return a TOML basic string (JSON's escapes are valid TOML for the text a study holds)."""
    return json.dumps(text, ensure_ascii=False)


def _counters_near(boroughs: Sequence[str], reach_m: float, where: str) -> pd.DataFrame:
    """Return the ``london-met`` counters within ``reach_m`` of the boroughs, nearest (inside) first."""
    outline = borough_outline(boroughs, crs="EPSG:27700", where=where).geometry.iloc[0]
    table = counter_source("london-met")
    points = gpd.GeoSeries(gpd.points_from_xy(table["lon"], table["lat"]), crs=WGS84).to_crs("EPSG:27700")
    table = table.assign(_distance=points.distance(outline).to_numpy())
    near = table[table["_distance"] <= reach_m].sort_values(["_distance", "id"], kind="stable")
    return near[list(TEMPLATE_COLUMNS)].reset_index(drop=True)


OPTIONAL_SETTINGS = """# What if: add [scenarios.NAME] tables; docs/how-to/what-if.md.

# Public transport from GTFS timetables (docs/reference/study-file-transit.md): uncomment and
# name your feeds; a [transit] table adds the mode 'transit' to [modes] use.
# [transit]
# feeds = ["feeds/buses.zip"]           # GTFS .zip files or folders, relative to this file
# date = 2024-03-12                     # a service date inside the feeds' calendars
# window = ["08:00", "09:00"]           # residents leave home at every minute of this window

# What a trip costs besides moving (docs/explanation/drive-and-walk.md); London's by default.
# [drive]
# park_min = 3.0                        # finding a space and walking to the door, minutes
# [walk]
# older = true                          # also show every group walking at an older pace (3 km/h)
"""
"""The optional tables a new study file lists, commented out (a test uncomments them and loads the study)."""


def _study_text(name: str, boroughs: Sequence[str], table: str, reach_m: float, title: str) -> str:
    listed = ", ".join(_toml_string(b) for b in boroughs)
    labels = "\n".join(f"{p} = {_toml_string(_LABELS[p])}" for p in TEMPLATE_PERIODS)
    return f"""# A study made by `access new-study`. Edit it, then: access run {name}.toml
# Every setting: docs/reference/study-file.md. Paths are relative to this file.
name = {_toml_string(name)}
title = {_toml_string(title)}
description = \"\"\"
Residents of {" + ".join(boroughs)} (2011 Census, weighted by live postcodes) to the nearest \\
Met police front counter, mid-2017 against after the 2017 Public Access and Engagement \\
Strategy. Counters and their hours: the Met's front counters of mid-2017 and c.2024, compiled from \\
the Evening Standard's 2017 list, local papers and MOPAC pages (each row of the counters table names \\
its source).\"\"\"
crs = "EPSG:27700"                      # British National Grid: distances in metres

[area]
boroughs = [{listed}]
buffer_m = 3000                         # the street network reaches this far beyond boroughs and counters
counter_max_m = {max(reach_m, 10_000.0):<23g} # a counter farther than this from the boroughs is an error

[residents]
max_snap_m = 500                        # a resident farther than this from any street is flagged

[counters]
# One row per counter: id, name, address, a place (lon and lat, or just a postcode) and its
# hours in each period (opening_hours syntax such as "24/7" or "Mo-Fr 08:00-20:00", or
# off / closed / open / unknown). Add, remove or correct rows; keep the ids unique.
table = {_toml_string(table)}

[periods]
before = "mid_2017"
after = "after_2017"
extra = ["c2024"]

[periods.labels]
{labels}

[modes]
use = ["walk", "cycle", "drive"]

{OPTIONAL_SETTINGS}"""


_NOT_PERIODS = frozenset({"id", "name", "borough", "address", "postcode", "lon", "lat", "latitude", "longitude",
                          "lng", "long", "x", "y", "source", "sources", "notes", "coord_note", "confidence"})


def _own_table_periods(table: Path) -> list[str]:
    """Return the columns of hours of a user's counters table: every column that is not an id, a name or a place."""
    columns = [str(c).strip() for c in read_counter_table(table).columns]
    periods = [c for c in columns if c.lower() not in _NOT_PERIODS]
    if len(periods) < 2:
        raise StudyError(f"counters table {table} has {len(periods)} column(s) of hours ({', '.join(periods) or 'none'}"
                         f"); a study compares two periods: give one column of hours per period, e.g. 'before' and "
                         f"'after' (\"24/7\", \"Mo-Fr 08:00-20:00\", off)")
    return periods


def _local_study_text(name: str, authority: str, table: str, periods: Sequence[str], title: str) -> str:
    extra = ", ".join(_toml_string(p) for p in periods[2:])
    return f"""# A study made by `access new-study`. Edit it, then: access run {name}.toml
# Every setting: docs/reference/study-file.md. Paths are relative to this file.
name = {_toml_string(name)}
title = {_toml_string(title)}
description = \"\"\"
Residents of {authority} (2011 Census usual residents per 2011 LSOA, Nomis KS101EW, weighted by \\
live postcodes of OS Code-Point Open) to the nearest counter of {Path(table).name}.\"\"\"
crs = "EPSG:27700"                      # British National Grid: distances in metres (England and Wales)

[area]
local_authority = {_toml_string(authority)}   # its data: access data fetch --local-authority {_toml_string(authority)}
buffer_m = 3000                         # the street network reaches this far beyond the area and counters
counter_max_m = 10000                   # a counter farther than this from the area is an error

[residents]
max_snap_m = 500                        # a resident farther than this from any street is flagged

[counters]
# Your table: one row per counter: id, name, a place (lon and lat, or a postcode of the authority)
# and its hours in each period (opening_hours syntax, or off / closed / open / unknown).
table = {_toml_string(table)}

[periods]
before = {_toml_string(periods[0])}
after = {_toml_string(periods[1])}
extra = [{extra}]

[modes]
use = ["walk", "cycle", "drive"]

{OPTIONAL_SETTINGS}"""


def _table_path(counters: Path, toml: Path) -> str:
    """How the TOML names its counters: relative where a study may reach (its folder, data/), else absolute."""
    folder = toml.parent.resolve()
    data = settings.project_data_dir().resolve()
    target = counters.resolve()
    for root in (folder, data):
        if target.is_relative_to(root) and (root == folder or folder.is_relative_to(data)):
            return Path(os.path.relpath(target, folder)).as_posix()
    return str(target)


def new_study(name: str, *, boroughs: Sequence[str] = (), folder: str | Path = ".",
              counters: str | Path | None = None, reach_m: float = 3000.0,
              title: str | None = None, local_authority: str | None = None,
              table: str | Path | None = None) -> StudyConfig:
    """Write a new study's TOML and counters table, check them, and return the study's settings.

    Parameters
    ----------
    name
        The study's name (letters, digits, ``-``, ``_``); the TOML is ``folder/NAME.toml``.
    boroughs
        London boroughs whose residents the study counts, e.g. ``["Havering"]``.
    folder
        Where to write the TOML (made if missing).
    counters
        Where to write the counters table; default ``folder/NAME-counters.csv``.
    reach_m
        Counters within this distance of the boroughs are listed (their
        residents may use a counter across the border).
    title
        The study's title; default "Police front counters in BOROUGHS, 2017".
    local_authority
        Instead of ``boroughs``: a local authority of England and Wales (its name or ONS code),
        whose data ``access data fetch --local-authority`` fetched.  Needs ``table``.
    table
        Your own counters table (CSV), named by the TOML instead of writing one from the Met's
        counters; its columns of hours are the study's periods.

    Returns
    -------
    StudyConfig
        The new study, loaded as ``access run`` will load it.

    Raises
    ------
    StudyError
        A name or borough is not valid, or a file is already there (nothing is overwritten).
    MirrorFileMissing
        The local authority's data has not been fetched (the message says how).

    Examples
    --------
    >>> import tempfile
    >>> study = new_study("havering", boroughs=["Havering"], folder=tempfile.mkdtemp())
    >>> study.boroughs, study.before, study.after
    (('Havering',), 'mid_2017', 'after_2017')
    """
    names = [boroughs] if isinstance(boroughs, str) else list(boroughs)
    if local_authority is not None:
        if names:
            raise ArgumentError("give boroughs (London) or local_authority (England and Wales), not both")
        if not isinstance(local_authority, str) or not local_authority.strip():
            raise ArgumentError(f"local_authority must name a local authority, e.g. 'Manchester', not "
                                f"{local_authority!r}")
        if table is None:
            raise ArgumentError(f"a study of {local_authority} needs your own counters table (table=...: a CSV of id, "
                                f"name, a place and one column of hours per period); the project's counters are "
                                f"London's")
    elif not names or not all(isinstance(b, str) and b.strip() for b in names):
        raise ArgumentError(f"boroughs must name at least one London borough, e.g. ['Havering'], not {boroughs!r}")
    names = list(dict.fromkeys(choose(b, LONDON_BOROUGHS, "borough", error=StudyError) for b in names))
    if not isinstance(reach_m, (int, float)) or not 0 <= reach_m <= 100_000:
        raise ArgumentError(f"reach_m must be a distance in metres from 0 to 100000, not {reach_m!r}")
    name = study_name(name, where="new study")
    toml = Path(folder).expanduser() / f"{name}.toml"
    if table is not None:
        own = Path(table).expanduser()
        if not own.is_file():
            raise StudyError(f"counters table {str(own)!r} is not a file; give your CSV of counters (id, name, a "
                             f"place, one column of hours per period)")
        return _with_own_table(name, toml, own, names, local_authority, title)
    table = Path(counters).expanduser() if counters is not None else toml.with_name(f"{name}-counters.csv")
    if table.suffix.lower() != ".csv":
        raise StudyError(f"the counters table {str(table)!r} must be a .csv file")
    for path in (toml, table):
        if path.exists():
            raise StudyError(f"{path} already exists; choose another name or folder, or remove it (nothing was "
                             f"written)")
        blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
        if blocking is not None:
            raise OutputError(f"cannot write {str(path)!r}: {str(blocking)!r} is a file, not a folder; choose "
                              f"another folder (nothing was written)")
    rows = _counters_near(names, float(reach_m), where="new study")
    if rows.empty:
        raise StudyError(f"no Met front counter lies within {reach_m:g} m of {' + '.join(names)}; raise reach_m")
    text = _study_text(name, names, _table_path(table, toml), float(reach_m),
                       title or f"Police front counters in {' + '.join(names)}, 2017")
    return _write_and_check(toml, text, rows=rows, table=table)


def _with_own_table(name: str, toml: Path, own: Path, boroughs: Sequence[str], authority: str | None,
                    title: str | None) -> StudyConfig:
    """Write a study whose TOML names the user's own counters table."""
    if toml.exists():
        raise StudyError(f"{toml} already exists; choose another name or folder, or remove it (nothing was written)")
    periods = _own_table_periods(own)
    if authority is not None:
        from access.inputs.datasets import local_authority_file

        label = local_authority_file(authority, "boundary.geojson")[2]  # fetched? (else: how to fetch it)
        text = _local_study_text(name, label, _table_path(own, toml), periods,
                                 title or f"Access to the counters of {own.name} in {label}")
    else:
        text = _study_text(name, boroughs, _table_path(own, toml), 3000.0,
                           title or f"Access to the counters of {own.name} in {' + '.join(boroughs)}")
        text = _own_periods(text, periods)
    return _write_and_check(toml, text)


def _own_periods(text: str, periods: Sequence[str]) -> str:
    """Return a London study's text with the user's periods in place of the Met's."""
    start, end = text.index("[periods]"), text.index("[modes]")
    extra = ", ".join(_toml_string(p) for p in periods[2:])
    return (text[:start] + f"[periods]\nbefore = {_toml_string(periods[0])}\nafter = {_toml_string(periods[1])}\n"
            f"extra = [{extra}]\n\n" + text[end:])


def _write_and_check(toml: Path, text: str, *, rows: pd.DataFrame | None = None,
                     table: Path | None = None) -> StudyConfig:
    """Write the counters table (when given) and the TOML, load the study; on any failure remove both."""
    made: list[Path] = []
    try:
        folders = [toml.parent] if table is None else [table.parent, toml.parent]
        for path in folders:
            missing = [p for p in (path, *path.parents) if not p.exists()]
            try:
                path.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise OutputError(f"cannot create the folder {str(path)!r} ({exc.strerror or exc}); choose "
                                  f"another with --out (nothing was written)") from exc
            made += reversed(missing)  # outermost first: undone in reverse, innermost first
        if rows is not None and table is not None:
            with atomic_path(table) as part:
                rows.to_csv(part, index=False, float_format="%.6f", lineterminator="\n")
            made.append(table)
        write_text_atomic(toml, text)
        made.append(toml)
        config = load_config(toml)
        Places.from_config(config)
    except BaseException:
        for path in reversed(made):
            with suppress(OSError):
                path.rmdir() if path.is_dir() else path.unlink()
        raise
    return config
