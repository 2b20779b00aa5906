"""Counter source adapters: counter tables built from the mirror's own files.

A study names its counters either by a project table (``[counters] table``,
``data/counters/*.csv``) or by an adapter here (``[counters] source``).  An
adapter reads the mirror's files as they are, applies written-down rules, and
returns a table in the same format as ``data/counters/*.csv``: ``id``,
``name``, ``address``, ``lon``, ``lat`` and one column of hours per period
(OpenStreetMap ``opening_hours``, or ``off`` / ``open`` / ``unknown``).

``london-met``: every Met front counter of 2017 and c.2024
-----------------------------------------------------------
Built from four mirror files (``data/sources.toml`` keys
``london_counters_2017``, ``london_counters_2017_details``,
``london_counters_opened_after_2017``, ``met_counters_c2024``).  One row per
counter location, three periods:

``mid_2017``
    The 73 counters of mid-2017, before the Public Access and Engagement
    Strategy.  Hours come from the free-text ``status_2013_2017`` by
    :func:`hours_from_status`.  The three counters opened under the strategy
    are ``off``; so is a c.2024 counter at a new address.
``after_2017``
    The strategy's result: ``fate_2017`` ``kept-24/7`` → ``24/7``,
    ``kept-reduced`` → ``open`` (reduced hours, not recorded), ``closed`` →
    ``off``; the three counters of ``london_front_counters_opened_after_2017``
    → ``open`` (their status is free text such as "daytime").  A kept counter
    whose ``status_after_2017`` names the postcode of one of those three has
    moved there and is ``off`` at its old address (Paddington Green → Church
    Street NW8 8ET, PCD 155), so a move is not counted twice: 73 − 38 − 1 + 3 =
    37 counters.
``c2024``
    The c.2024 list (35 counters, no hours): a listed counter is ``open``,
    every other ``off``.  A listed counter is matched to a 2017 row by its
    postcode; one that matches none (Hammersmith, W6 7NX, where the Shepherd's
    Bush counter moved in 2020) becomes a row of its own.

The table also keeps the source text (``status_2013_2017``, ``fate_2017``,
``status_after_2017``), how the mid-2017 hours were read (``hours_rule``), where
a kept counter moved (``moved_to``), the
coordinate note and the confidence, so that every value can be traced.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd
from pyproj import Transformer

from access.core.errors import DataError, HoursError, StudyError
from access.inputs.hours import parse_hours
from access.inputs.sources import mirror_file

__all__ = ["ADAPTERS", "ADAPTER_FILES", "counter_source", "hours_from_status", "london_met_counters",
           "FATE_HOURS", "LONDON_PERIODS", "COORD_TOLERANCE_M"]

LONDON_PERIODS = ("mid_2017", "after_2017", "c2024")
"""The periods of the ``london-met`` table."""

FATE_HOURS = {"kept-24/7": "24/7", "kept-reduced": "open", "closed": "off"}
"""``fate_2017`` → hours in ``after_2017``."""

COORD_TOLERANCE_M = 50.0
"""A counter's lon/lat and its recorded easting/northing may differ by this much."""

_TRAILING_NOTE = re.compile(r"\s*\([^()]*\)\s*$")

RULE_AS_RECORDED = "hours as recorded"
RULE_OPEN = "open, hours not known"
RULE_FREE_TEXT = "free text, not opening_hours syntax: counted as open"


def hours_from_status(text: str) -> tuple[str, str]:
    """Hours (``opening_hours`` syntax or ``open``) from a free-text 2013–17 status.

    The rules, in order:

    1. A trailing note in brackets is dropped: ``"24/7 (probable; …)"`` →
       ``"24/7"``, ``"Mo-Fr 09:00-17:00 (from 2013)"`` → ``"Mo-Fr 09:00-17:00"``.
    2. What remains, if it is a real timetable in ``opening_hours`` syntax
       (``24/7``, ``Mo-Fr 12:00-20:00``), is the hours.
    3. ``open`` stays ``open`` (a counter, hours not known).
    4. Anything else (``daytime``, ``part-time``, ``40 h/week``,
       ``volunteer-run, limited hours``, ``standard counter``) names a counter
       whose hours cannot be written as a timetable: ``open``.

    A status can never become ``off``: every one of the 73 was a counter.

    Parameters
    ----------
    text
        The status as written in the mirror.

    Returns
    -------
    hours, rule
        The hours, and which rule gave them.

    Examples
    --------
    >>> hours_from_status("24/7 (probable; 24-hour counter in 2020 and 2025)")
    ('24/7', 'hours as recorded')
    >>> hours_from_status("daytime")
    ('open', 'free text, not opening_hours syntax: counted as open')
    """
    core = _TRAILING_NOTE.sub("", str(text)).strip()
    try:
        hours = parse_hours(core)
    except HoursError:
        return "open", RULE_FREE_TEXT
    if hours.status == "scheduled":
        return core, RULE_AS_RECORDED
    if hours.status == "open":
        return "open", RULE_OPEN
    return "open", RULE_FREE_TEXT  # "off" or "unknown" as a 2017 status still names a counter


def _read(key: str) -> pd.DataFrame:
    return pd.read_csv(mirror_file(key), dtype=str, keep_default_na=False)


def _slug(name: str) -> str:
    name = re.sub(r"\s+Police Station$", "", name.strip())
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _check_coordinates(table: pd.DataFrame, easting: str, northing: str, what: str) -> None:
    to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    x, y = to_bng.transform(table["lon"].astype(float).to_numpy(), table["lat"].astype(float).to_numpy())
    gap = np.hypot(x - table[easting].astype(float).to_numpy(), y - table[northing].astype(float).to_numpy())
    bad = table["id"][gap > COORD_TOLERANCE_M].tolist()
    if bad:
        raise DataError(f"{what}: lon/lat and easting/northing of {', '.join(bad)} are more than "
                        f"{COORD_TOLERANCE_M:g} m apart; check the mirror file")


def london_met_counters() -> pd.DataFrame:
    """Return the ``london-met`` counter table (see the module docstring for the rules).

    Raises
    ------
    DataError
        A mirror file has an unexpected count, fate, id or coordinate.
    """
    counters = _read("london_counters_2017")
    details = _read("london_counters_2017_details")
    opened = _read("london_counters_opened_after_2017")
    listed = _read("met_counters_c2024")

    if len(counters) != 73 or counters["id"].duplicated().any():
        raise DataError(f"london_front_counters_2017.csv has {len(counters)} rows; 73 distinct counters expected")
    unknown = sorted(set(counters["fate_2017"]) - set(FATE_HOURS))
    if unknown:
        raise DataError(f"london_front_counters_2017.csv: fate_2017 value(s) {unknown} are not one of "
                        f"{', '.join(FATE_HOURS)}; add a rule to access.inputs.counter_sources.FATE_HOURS")
    if set(details["id"]) != set(counters["id"]):
        raise DataError("london_front_counters_2017_details.csv does not list the same 73 ids as "
                        "london_front_counters_2017.csv")
    counters = counters.merge(details, on="id", how="left", validate="one_to_one")
    _check_coordinates(counters, "easting", "northing", "london_front_counters_2017_details.csv")

    read = [hours_from_status(text) for text in counters["status_2013_2017"]]
    counters["mid_2017"] = [hours for hours, _rule in read]
    counters["hours_rule"] = [rule for _hours, rule in read]
    counters["after_2017"] = counters["fate_2017"].map(FATE_HOURS)

    counters["moved_to"] = ""
    for target, postcode in zip(opened["id"], opened["postcode"], strict=True):
        moved = (counters["fate_2017"] != "closed") & counters["status_after_2017"].str.contains(
            postcode, regex=False)
        counters.loc[moved, "after_2017"] = "off"
        counters.loc[moved, "moved_to"] = target

    opened = opened.rename(columns={"status": "status_after_2017"})
    opened["mid_2017"], opened["after_2017"] = "off", "open"
    opened["hours_rule"], opened["fate_2017"] = "opened under the strategy", "opened"
    opened["coord_note"] = "postcode centroid"
    table = pd.concat([counters, opened], ignore_index=True)
    if table["id"].duplicated().any() or table["postcode"].duplicated().any():
        raise DataError("the 2017 and opened-after counter files share an id or a postcode")

    listed["id"] = [_slug(name) for name in listed["name"]]
    _check_coordinates(listed, "bng_e", "bng_n", "met_front_counters_c2024.csv")
    matched = listed["postcode"].isin(table["postcode"])
    table["c2024"] = np.where(table["postcode"].isin(listed["postcode"]), "open", "off")
    new = listed[~matched]
    if new["id"].isin(table["id"]).any():
        raise DataError(f"met_front_counters_c2024.csv: id(s) {new['id'].tolist()} clash with 2017 ids")
    added = pd.DataFrame({
        "id": new["id"], "name": new["name"], "address": new["postcode"], "postcode": new["postcode"],
        "lon": new["lon"], "lat": new["lat"], "status_2013_2017": "", "fate_2017": "",
        "status_after_2017": "", "hours_rule": "c.2024 list only", "coord_note": "postcode centroid",
        "source": new["list_source"], "mid_2017": "off", "after_2017": "off", "c2024": "open",
    })
    table = pd.concat([table, added], ignore_index=True)
    columns = ["id", "name", "borough", "address", "postcode", "lon", "lat", *LONDON_PERIODS,
               "status_2013_2017", "hours_rule", "fate_2017", "moved_to", "status_after_2017", "coord_note",
               "confidence", "source"]
    return table[columns].fillna("").reset_index(drop=True)


ADAPTERS: dict[str, Callable[[], pd.DataFrame]] = {"london-met": london_met_counters}

ADAPTER_FILES: dict[str, tuple[str, ...]] = {
    "london-met": ("london_counters_2017", "london_counters_2017_details", "london_counters_opened_after_2017",
                   "met_counters_c2024"),
}
"""The data tables (``data/sources.toml`` keys) each counter source reads."""
"""Counter source adapters by the name a study gives in ``[counters] source``."""


def counter_source(name: str) -> pd.DataFrame:
    """Return the counter table made by adapter ``name``.

    Raises
    ------
    StudyError
        No adapter has that name.
    """
    if name not in ADAPTERS:
        raise StudyError(f"unknown counter source {name!r}; choose from {', '.join(ADAPTERS)}")
    return ADAPTERS[name]()
