"""A study's public-transport mode: the ``[transit]`` table, validated once.

A study routes the ``transit`` mode (walking plus public transport from GTFS
timetables, :mod:`access.routing.transit`) when it has a ``[transit]`` table::

    [transit]
    feeds = ["feeds/buses.zip"]           # GTFS .zip files or folders, relative to the study file,
                                          # or data/sources.toml keys
    date = "2024-03-12"                   # the service date (inside the feeds' calendars)
    window = ["08:00", "09:00"]           # leave home at every minute from 08:00 up to 08:59
    percentile = 50                       # the figures use this percentile of the window (50: the median)
    walk_speed_kmh = 4.8                  # optional, the defaults shown
    max_walk_m = 800                      # the longest walk to or from a stop
    max_transfer_m = 800                  # the longest walk between stops (default: max_walk_m)
    max_minutes = 120                     # longer trips count as unreachable
    board_slack_s = 60                    # at the stop this long before the vehicle leaves
    attribution = "© Transport for London" # the feeds' attribution, shown wherever their times are

Python gives the same keys as a mapping (``Study.from_frames(..., transit={...})``).
:func:`check_parameters` is the one rule for the router's parameters: the
study file, ``from_frames`` and :func:`access.routing.transit.transit_times`
all go through it, so each value is checked once, by one rule, and a bad one
is refused in one line that names its key.

Example
-------
>>> spec = transit_spec({"feeds": ["buses.zip"], "date": "2014-06-02"}, where="example",
...                     resolve=lambda value: value)
>>> spec.describe()
'GTFS: buses.zip, Mon 2014-06-02, 08:00–09:00, median'
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from access.core.defaults import TRANSIT_MODEL_PREFIX
from access.core.errors import AccessError, ArgumentError, StudyError
from access.core.modes import WALK_KMH

__all__ = ["TransitSpec", "transit_spec", "check_parameters", "check_window", "percentile_label", "describe_transit",
           "transit_model", "TRANSIT_MODEL_PREFIX", "TRANSIT_MODE",
           "TRANSIT_LABEL", "DEFAULT_WINDOW", "DEFAULT_PERCENTILE", "DEFAULT_MAX_WALK_M", "DEFAULT_MAX_MINUTES",
           "DEFAULT_BOARD_SLACK_S", "LIMITS"]

TRANSIT_MODE = "transit"
"""The public-transport mode's name."""
TRANSIT_LABEL = "by public transport"
"""How the mode reads after "travel"."""
DEFAULT_WINDOW = ("08:00", "09:00")
"""Residents leave at every minute of the morning peak's first hour, unless told otherwise."""
DEFAULT_PERCENTILE = 50
"""The figures use the median over the window, as r5py reports by default."""
DEFAULT_MAX_WALK_M = 800.0
"""Longest walk to, from or between stops (10 minutes at 4.8 km/h)."""
DEFAULT_MAX_MINUTES = 120
"""Longest trip looked for (r5py's default ``max_time``); longer is unreachable."""
DEFAULT_BOARD_SLACK_S = 60
"""Seconds a rider waits at the stop at least before boarding (R5's minimum boarding wait)."""

LIMITS: dict[str, tuple[float, float]] = {
    "walk_speed_kmh": (0.5, 20.0),
    "max_walk_m": (0.0, 5000.0),
    "max_transfer_m": (0.0, 5000.0),
    "max_minutes": (1.0, 1440.0),
    "board_slack_s": (1.0, 3600.0),
}
"""Each number's smallest and largest value: a walk of more than 5 km to a stop, or a trip of more than a day,
is taken for a mistake (and would make the walks between stops grow without bound)."""

_KEYS = ("feeds", "date", "window", "percentile", "walk_speed_kmh", "max_walk_m", "max_transfer_m", "max_minutes",
         "board_slack_s", "attribution")
_CLOCK = re.compile(r"^\s*(\d{1,2}):([0-5]\d)\s*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def percentile_label(percentile: int) -> str:
    """How a percentile over the window reads: ``"median"`` for 50, else ``"90th percentile"``.

    >>> percentile_label(50), percentile_label(90), percentile_label(1), percentile_label(22)
    ('median', '90th percentile', '1st percentile', '22nd percentile')
    """
    if percentile == 50:
        return "median"
    suffix = "th" if 10 <= percentile % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(percentile % 10, "th")
    return f"{percentile}{suffix} percentile"


def describe_transit(feed_names: Sequence[str], date: dt.date, window: tuple[str, str], percentile: int) -> str:
    """Say the feeds, service date, window and percentile in a line: the one wording of every transit model label.

    >>> describe_transit(["cairns_gtfs.zip"], dt.date(2014, 6, 2), ("08:00", "09:00"), 50)
    'GTFS: cairns_gtfs.zip, Mon 2014-06-02, 08:00–09:00, median'
    """
    return (f"GTFS: {' + '.join(feed_names)}, {date:%a} {date.isoformat()}, {window[0]}–{window[1]}, "
            f"{percentile_label(percentile)}")


def transit_model(feed_names: Sequence[str], date: dt.date, window: tuple[str, str], percentile: int) -> str:
    """Return the model label of public-transport times: it names the feeds, the date, the window and the percentile.

    >>> transit_model(["cairns_gtfs.zip"], dt.date(2014, 6, 2), ("08:00", "09:00"), 50)
    'public transport (GTFS: cairns_gtfs.zip, Mon 2014-06-02, 08:00–09:00, median)'
    """
    return f"{TRANSIT_MODEL_PREFIX}{describe_transit(feed_names, date, window, percentile)[len('GTFS'):]})"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check_parameters(*, percentiles: Sequence[Any], walk_speed_kmh: Any, max_walk_m: Any, max_transfer_m: Any,
                     max_minutes: Any, board_slack_s: Any, error: type[AccessError] = ArgumentError,
                     where: str = "", percentile_key: str = "percentiles") -> tuple[int, ...]:
    """Check the router's parameters, the one rule for each; return the percentiles, sorted, without repeats.

    ``where`` starts each message (a study file and its table, say); ``error`` is the error raised;
    ``percentile_key`` is what the percentiles are called where they were given.

    >>> check_parameters(percentiles=[90, 50], walk_speed_kmh=4.8, max_walk_m=800, max_transfer_m=None,
    ...                  max_minutes=120, board_slack_s=60)
    (50, 90)
    >>> check_parameters(percentiles=[50], walk_speed_kmh=4.8, max_walk_m=-1, max_transfer_m=None, max_minutes=120,
    ...                  board_slack_s=60)
    Traceback (most recent call last):
    ...
    access.core.errors.ArgumentError: max_walk_m must be a number of metres from 0 to 5000, not -1

    Raises
    ------
    error (ArgumentError unless another is given)
        A value is of the wrong kind or out of range; the message names its key.
    """
    def refuse(message: str) -> None:
        raise error(f"{where}{message}")

    kind = "a whole number" if percentile_key == "percentile" else "whole numbers"
    if isinstance(percentiles, str | bytes) or not isinstance(percentiles, Sequence) or not percentiles:
        refuse(f"{percentile_key} must be {kind} from 1 to 100 (50 is the median), not {percentiles!r}")
    for p in percentiles:
        if not (_is_number(p) and float(p).is_integer() and 1 <= p <= 100):
            refuse(f"{percentile_key} must be {kind} from 1 to 100 (50 is the median), not {p!r}")
    units = {"walk_speed_kmh": "km/h", "max_walk_m": "metres", "max_transfer_m": "metres", "max_minutes": "minutes",
             "board_slack_s": "seconds"}
    values = {"walk_speed_kmh": walk_speed_kmh, "max_walk_m": max_walk_m, "max_transfer_m": max_transfer_m,
              "max_minutes": max_minutes, "board_slack_s": board_slack_s}
    for key, value in values.items():
        if key == "max_transfer_m" and value is None:
            continue
        low, high = LIMITS[key]
        whole = key == "board_slack_s"
        if not (_is_number(value) and low <= value <= high and (not whole or float(value).is_integer())):
            kind = "a whole number of seconds" if whole else f"a number of {units[key]}"
            why = " (a rider needs a moment to board; 1 s makes ties between vehicles unambiguous)" if whole else ""
            refuse(f"{key} must be {kind} from {low:g} to {high:g}, not {value!r}{why}")
    return tuple(sorted({int(p) for p in percentiles}))


def _clock_text(value: Any, key: str, refuse: Callable[[str], None]) -> str:
    """``HH:MM`` text of a window's end (hours 0–47), as written, or refused."""
    if not isinstance(value, str) or not _CLOCK.match(value) or int(_CLOCK.match(value).group(1)) > 47:
        refuse(f"{key} must be two times of day such as [\"08:00\", \"09:00\"] (HH:MM; hours may pass 24 for the "
               f"night after the service date, up to 47:59), not {value!r}")
    hours, minutes = _CLOCK.match(value).groups()
    return f"{int(hours):02d}:{minutes}"


def check_window(window: Any, *, error: type[AccessError] = ArgumentError, where: str = "",
                 key: str = "window") -> tuple[str, str]:
    """Check a departure window: two ``HH:MM`` times, the end at least a minute and at most a day after the start.

    >>> check_window(["8:00", "09:30"])
    ('08:00', '09:30')

    Raises
    ------
    error (ArgumentError unless another is given)
        It is not two times, or they are in the wrong order, or more than a day apart.
    """
    def refuse(message: str) -> None:
        raise error(f"{where}{message}")

    if isinstance(window, str | bytes) or not isinstance(window, Sequence) or len(window) != 2:
        refuse(f"{key} must be two times of day such as [\"08:00\", \"09:00\"], not {window!r}")
    start, end = (_clock_text(value, key, refuse) for value in window)
    seconds = [int(t[:2]) * 3600 + int(t[3:]) * 60 for t in (start, end)]
    if not 60 <= seconds[1] - seconds[0] <= 86_400:
        refuse(f"{key} {list(window)!r} must end at least a minute and at most a day after it starts (residents "
               f"leave at every minute from the start up to the end)")
    return start, end


def _date(value: Any, refuse: Callable[[str], None]) -> dt.date:
    if isinstance(value, dt.datetime):
        refuse(f"date must be a date such as \"2024-03-12\", not a moment ({value!r})")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    refuse(f"date must be a service date such as \"2024-03-12\" (YYYY-MM-DD), not {value!r}")
    raise AssertionError("unreachable")  # pragma: no cover - refuse raises


@dataclass(frozen=True)
class TransitSpec:
    """The ``transit`` mode of a study: which timetables, which date and window, and the router's parameters.

    Attributes
    ----------
    feeds
        The GTFS feeds: resolved paths (``.zip`` files or folders) or ``data/sources.toml`` keys.
    date
        The service date.
    window
        First and end departure times (``HH:MM``): residents leave at every minute from the first up to
        (not including) the end.
    percentile
        The percentile of each trip's times over the window that the figures use (50: the median).
    walk_speed_kmh, max_walk_m, max_transfer_m, max_minutes, board_slack_s
        As :func:`access.routing.transit.transit_times` takes them (``max_transfer_m`` ``None``: ``max_walk_m``).
    attribution
        The feeds' attribution (their publishers' licence terms), shown wherever their times are; may be empty.
    """

    feeds: tuple[str, ...]
    date: dt.date
    window: tuple[str, str] = DEFAULT_WINDOW
    percentile: int = DEFAULT_PERCENTILE
    walk_speed_kmh: float = WALK_KMH
    max_walk_m: float = DEFAULT_MAX_WALK_M
    max_transfer_m: float | None = None
    max_minutes: float = DEFAULT_MAX_MINUTES
    board_slack_s: int = DEFAULT_BOARD_SLACK_S
    attribution: str = ""

    @property
    def feed_names(self) -> tuple[str, ...]:
        """Each feed's name: its file or folder name, or its source key."""
        return tuple(Path(feed).name for feed in self.feeds)

    def describe(self) -> str:
        """Say the feeds, the date, the window and the percentile in a line: what the mode's model label says.

        >>> TransitSpec(("a/buses.zip", "rail"), dt.date(2024, 3, 12), ("07:30", "09:00"), 90).describe()
        'GTFS: buses.zip + rail, Tue 2024-03-12, 07:30–09:00, 90th percentile'
        """
        return describe_transit(self.feed_names, self.date, self.window, self.percentile)

    def options(self) -> dict[str, Any]:
        """Return the router's keyword arguments (:func:`access.routing.transit.transit_times`), but for the feeds."""
        return {"date": self.date, "window": self.window, "percentiles": (self.percentile,),
                "walk_speed_kmh": self.walk_speed_kmh, "max_walk_m": self.max_walk_m,
                "max_transfer_m": self.max_transfer_m, "max_minutes": self.max_minutes,
                "board_slack_s": self.board_slack_s}


def transit_spec(table: Mapping[str, Any] | TransitSpec, *, where: str, resolve: Callable[[str], str],
                 error: type[AccessError] = StudyError) -> TransitSpec:
    """Check a ``[transit]`` table (or the same keys from Python) and return its :class:`TransitSpec`.

    Parameters
    ----------
    table
        The keys of the module docstring; ``feeds`` and ``date`` are required.  A :class:`TransitSpec`
        is checked again as if it were written out.
    where
        Where the table is, for messages (``"study.toml: [transit]"``).
    resolve
        Turns one ``feeds`` entry into a path or a source key, or raises ``error`` naming it.
    error
        The error to raise (:class:`~access.core.errors.StudyError`).

    Raises
    ------
    error (StudyError unless another is given)
        A key is unknown or missing, or a value is of the wrong kind or out of range: one line naming it.
    """
    if isinstance(table, TransitSpec):
        table = {key: getattr(table, key) for key in _KEYS}
        table["date"] = table["date"].isoformat()
    if not isinstance(table, Mapping):
        raise error(f"{where} must be a table of keys (feeds, date, window, …), not {table!r}")
    prefix = f"{where} "

    def refuse(message: str) -> None:
        raise error(f"{prefix}{message}")

    for key, value in table.items():
        if key not in _KEYS:
            refuse(f"has an unknown key {key!r}; allowed keys are {', '.join(_KEYS)}")
        if isinstance(value, str) and _CONTROL.search(value):
            refuse(f"key {key!r} has a control character in {value!r}; remove it")
    for key in ("feeds", "date"):
        if key not in table:
            refuse(f"is missing the required key {key!r} ("
                   + ("the GTFS .zip files, e.g. feeds = [\"buses.zip\"]" if key == "feeds"
                      else "the service date, e.g. date = \"2024-03-12\"") + ")")
    feeds = table["feeds"]
    if isinstance(feeds, str | Path):
        feeds = [feeds]
    if (not isinstance(feeds, Sequence) or not feeds
            or not all(isinstance(f, str | Path) and str(f).strip() for f in feeds)):
        refuse(f"feeds must list GTFS feeds (paths of .zip files or folders, or data/sources.toml keys), not "
               f"{table['feeds']!r}")
    resolved = tuple(resolve(str(feed)) for feed in feeds)
    if len(set(resolved)) != len(resolved):
        refuse(f"feeds names a feed twice: {list(map(str, feeds))!r}")
    date = _date(table["date"], refuse)
    window = check_window(table.get("window", DEFAULT_WINDOW), error=error, where=prefix)
    percentile = table.get("percentile", DEFAULT_PERCENTILE)
    if isinstance(percentile, Sequence) and not isinstance(percentile, str):
        refuse(f"percentile is one whole number from 1 to 100 (50 is the median), not {percentile!r}; the figures "
               f"use one (route another study, or call access.routing.transit.transit_times, for several)")
    numbers = {key: table.get(key, default) for key, default in (
        ("walk_speed_kmh", WALK_KMH), ("max_walk_m", DEFAULT_MAX_WALK_M), ("max_transfer_m", None),
        ("max_minutes", DEFAULT_MAX_MINUTES), ("board_slack_s", DEFAULT_BOARD_SLACK_S))}
    check_parameters(percentiles=[percentile], error=error, where=prefix, percentile_key="percentile", **numbers)
    attribution = table.get("attribution", "")
    if not isinstance(attribution, str):
        refuse(f"attribution must be text (the feeds' licence attribution), not {attribution!r}")
    return TransitSpec(
        feeds=resolved, date=date, window=window, percentile=int(percentile),
        walk_speed_kmh=float(numbers["walk_speed_kmh"]), max_walk_m=float(numbers["max_walk_m"]),
        max_transfer_m=None if numbers["max_transfer_m"] is None else float(numbers["max_transfer_m"]),
        max_minutes=float(numbers["max_minutes"]), board_slack_s=int(numbers["board_slack_s"]),
        attribution=" ".join(attribution.split()))
