"""Counter opening hours: OpenStreetMap ``opening_hours`` plus ``off``, ``open``, ``unknown``.

A counter's hours in one period are one of:

``off`` (or ``closed``)
    No public counter in that period.  The counter is closed at every moment.
``open``
    A counter existed but its hours are not known.  It is treated as available
    (and, for time-of-day questions, as open at every moment); outputs flag it.
``unknown``
    Not even known whether a counter was open.  It is treated like ``open``
    (available), the generous reading, so that a loss of access is never
    overstated by a guess; outputs flag it.
an ``opening_hours`` string
    The common subset of the OSM syntax: ``24/7``; rules separated by ``;``,
    each ``<days> <times>`` (``Mo-Fr 07:00-23:00``, ``Sa,Su 09:00-19:00``),
    ``<times>`` alone for every day, or ``<days> off``.  Later rules replace
    earlier ones for the days they name, as in OSM.  Times past midnight
    (``22:00-02:00``) run into the next day.

**What "available" means** is written once, here, and every command reads it
from :func:`available`: in a period, a counter is available when its hours give it
at least one open minute in the week (so ``off``, ``Mo-Su off`` or an empty rule
list are closed); at a moment of the week (:class:`Moment`), when it is open at
that minute.  ``open`` and ``unknown`` count as open at every moment, the generous
reading, and are flagged as assumed (:data:`HOURS_RULE`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from access.core.errors import HoursError

__all__ = ["Hours", "parse_hours", "available", "Moment", "parse_moment", "DEFAULT_MOMENTS", "HOURS_RULE", "DAYS",
           "MINUTES_PER_DAY", "MINUTES_PER_WEEK"]

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY

Status = Literal["off", "open", "unknown", "scheduled"]

_DAY_SPEC = r"(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?"
_DAYS_RE = re.compile(rf"^{_DAY_SPEC}(?:,{_DAY_SPEC})*$")
_TIME_RE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")

SUPPORTED = (
    "'off', 'open', 'unknown', '24/7', or rules like 'Mo-Fr 07:00-23:00; Sa,Su 09:00-19:00'"
)


@dataclass(frozen=True)
class Hours:
    """A counter's hours in one period.

    Attributes
    ----------
    text
        The hours as written.
    status
        ``"off"``, ``"open"``, ``"unknown"`` or ``"scheduled"`` (a real timetable).
    week
        For ``"scheduled"``: a boolean array of the 10,080 minutes of the week,
        Monday 00:00 first, True where the counter is open.
    """

    text: str
    status: Status
    week: np.ndarray | None = None

    @property
    def available(self) -> bool:
        """True when the counter is open at some minute of the week (``open`` and ``unknown`` count as open).

        >>> parse_hours("Mo-Su off").available, parse_hours("unknown").available
        (False, True)
        """
        return self.weekly_minutes() > 0

    @property
    def assumed(self) -> bool:
        """True when availability is an assumption (``open`` or ``unknown``)."""
        return self.status in ("open", "unknown")

    def is_open_at(self, day: int, minute: int) -> bool:
        """Whether the counter is open on ``day`` (0 = Monday) at ``minute`` past midnight."""
        if self.status == "off":
            return False
        if self.week is None:
            return True
        return bool(self.week[(day % 7) * MINUTES_PER_DAY + minute % MINUTES_PER_DAY])

    def weekly_minutes(self) -> int:
        """Minutes open per week (10,080 for ``24/7``, ``open`` and ``unknown``)."""
        if self.status == "off":
            return 0
        return MINUTES_PER_WEEK if self.week is None else int(self.week.sum())

    def __str__(self) -> str:
        return self.text


def _expand_days(spec: str, text: str) -> list[int]:
    if not _DAYS_RE.match(spec):
        raise HoursError(f"opening hours {text!r}: day list {spec!r} not understood; use {SUPPORTED}")
    days: list[int] = []
    for part in spec.split(","):
        if "-" in part:
            first, last = (DAYS.index(d) for d in part.split("-"))
            span = (last - first) % 7
            days.extend((first + k) % 7 for k in range(span + 1))
        else:
            days.append(DAYS.index(part))
    return days


def _time_ranges(spec: str, text: str) -> list[tuple[int, int]]:
    ranges = []
    for part in spec.split(","):
        match = _TIME_RE.match(part)
        if not match:
            raise HoursError(f"opening hours {text!r}: time range {part!r} not understood; use {SUPPORTED}")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2 != 0):
            raise HoursError(f"opening hours {text!r}: {part!r} is not a valid time range")
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end == start:
            raise HoursError(f"opening hours {text!r}: {part!r} is empty; write '00:00-24:00' for all day")
        ranges.append((start, end if end > start else end + MINUTES_PER_DAY))
    return ranges


def parse_hours(text: str) -> Hours:
    """Parse one period's hours.

    Parameters
    ----------
    text
        ``off``, ``open``, ``unknown``, ``24/7`` or an ``opening_hours`` string.

    Returns
    -------
    Hours

    Raises
    ------
    HoursError
        The text is empty or uses syntax outside the supported subset.

    Examples
    --------
    >>> parse_hours("Mo-Fr 07:00-23:00").is_open_at(5, 12 * 60)
    False
    >>> parse_hours("Mo-Fr 07:00-23:00").weekly_minutes() // 60
    80
    """
    if not isinstance(text, str) or not text.strip():
        raise HoursError(f"opening hours {text!r} are empty; use {SUPPORTED}")
    cleaned = " ".join(text.split())
    if cleaned.lower() in ("off", "closed"):  # 'closed' is the word many tables use for 'off'
        return Hours(cleaned, "off")
    if cleaned in ("open", "unknown"):
        return Hours(cleaned, cleaned)  # type: ignore[arg-type]
    if cleaned == "24/7":
        return Hours(cleaned, "scheduled", np.ones(MINUTES_PER_WEEK, dtype=bool))

    # Each day's open minutes, as [start, end) offsets from that day's midnight.
    per_day: dict[int, list[tuple[int, int]]] = {}
    for rule in (r.strip() for r in cleaned.split(";")):
        if not rule:
            continue
        head, _, tail = rule.partition(" ")
        if _TIME_RE.match(head.split(",")[0]):
            days, times = list(range(7)), rule
        else:
            days, times = _expand_days(head, text), tail.strip()
            if not times:
                raise HoursError(f"opening hours {text!r}: rule {rule!r} has days but no times")
        ranges = [] if times == "off" else _time_ranges(times, text)
        for day in days:
            per_day[day] = ranges
    week = np.zeros(MINUTES_PER_WEEK, dtype=bool)
    for day, ranges in per_day.items():
        for start, end in ranges:
            first = day * MINUTES_PER_DAY + start
            last = day * MINUTES_PER_DAY + end
            idx = np.arange(first, last) % MINUTES_PER_WEEK
            week[idx] = True
    if not week.any():  # "Mo-Su off", ";": a timetable with no open minute is a closed counter
        return Hours(cleaned, "off")
    return Hours(cleaned, "scheduled", week)


HOURS_RULE = ("a counter is available when its hours give it at least one open minute in the week ('off', "
              "'Mo-Su off' and the like are closed); 'open' (a counter, hours not known) and 'unknown' (not known "
              "whether there was a counter) are open at every moment, flagged as assumed (the generous reading); "
              "timetabled hours are applied to the minute when a moment of the week is asked for")
"""How hours are read, in words: every output that depends on it carries this sentence."""

_SHORT_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_NAMES = {
    **{d.lower(): i for i, d in enumerate(DAYS)},
    **{d.lower(): i for i, d in enumerate(_SHORT_DAYS)},
    **{d.lower(): i for i, d in enumerate(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                           "Saturday", "Sunday"))},
}
_MOMENT_RE = re.compile(r"^\s*([A-Za-z]+)\s+(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class Moment:
    """A moment of the week.

    Attributes
    ----------
    day
        0 = Monday … 6 = Sunday.
    minute
        Minutes past midnight, 0–1439.
    """

    day: int
    minute: int

    @property
    def label(self) -> str:
        """The moment as ``"Sat 23:30"``."""
        return f"{_SHORT_DAYS[self.day]} {self.minute // 60:02d}:{self.minute % 60:02d}"

    @property
    def week_minute(self) -> int:
        """Minutes since Monday 00:00."""
        return self.day * MINUTES_PER_DAY + self.minute

    def __str__(self) -> str:
        return self.label


DEFAULT_MOMENTS: dict[str, Moment] = {
    "daytime": Moment(1, 12 * 60),
    "evening": Moment(1, 20 * 60),
    "night (Sat)": Moment(5, 23 * 60 + 30),
    "night (Tue)": Moment(1, 3 * 60),
}
"""The moments shown side by side: Tue 12:00, Tue 20:00, Sat 23:30 and Tue 03:00."""


def parse_moment(text: str) -> Moment:
    """Parse ``"Sat 23:30"`` (day as ``Sa``, ``Sat`` or ``Saturday``; 24-hour time).

    Raises
    ------
    HoursError
        The text is not a day and a time; the message names it.

    Examples
    --------
    >>> parse_moment("Sat 23:30").label
    'Sat 23:30'
    >>> parse_moment("tuesday 7:05").week_minute
    1865
    """
    match = _MOMENT_RE.match(text) if isinstance(text, str) else None
    if not match:
        raise HoursError(f"moment {text!r} not understood; write a day and a 24-hour time, e.g. 'Sat 23:30'")
    day_name, hour, minute = match.group(1).lower(), int(match.group(2)), int(match.group(3))
    if day_name not in _DAY_NAMES:
        raise HoursError(f"moment {text!r}: {match.group(1)!r} is not a day; use Mon … Sun (or Mo … Su)")
    if hour > 23 or minute > 59:
        raise HoursError(f"moment {text!r}: {hour:02d}:{minute:02d} is not a time of day (00:00 to 23:59)")
    return Moment(_DAY_NAMES[day_name], hour * 60 + minute)


def available(hours: Sequence[Hours | str], at: Moment | None = None) -> np.ndarray:
    """Which counters are available: in the period (``at=None``), or open at the moment ``at``.

    This is the one rule of availability; every figure, table, map and page reads it from here.

    Parameters
    ----------
    hours
        Each counter's hours, parsed or as text.
    at
        A moment of the week, or ``None`` for "at all in the period".

    Returns
    -------
    numpy.ndarray
        One boolean per counter.

    Examples
    --------
    >>> available(["24/7", "off", "Mo-Fr 07:00-23:00", "Mo-Su off"]).tolist()
    [True, False, True, False]
    >>> available(["24/7", "Mo-Fr 07:00-23:00", "unknown"], parse_moment("Sat 23:30")).tolist()
    [True, False, True]
    """
    parsed = [h if isinstance(h, Hours) else parse_hours(h) for h in hours]
    if at is None:
        return np.array([h.available for h in parsed], dtype=bool)
    return np.array([h.is_open_at(at.day, at.minute) for h in parsed], dtype=bool)
