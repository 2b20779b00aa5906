"""Time of day: which counters are open at a moment, and over a whole week.

The hours of each counter (:mod:`access.inputs.hours`) become either one availability
vector (at a :class:`Moment`, such as ``Sat 23:30``) or a counters × 10,080
minute mask for the week.  Both are applied to a counter × origin matrix of
minutes that is already computed; nothing here routes.

How the three words are read (the same everywhere, and written into every
output as :data:`HOURS_RULE`):

``off``
    closed at every moment;
``open``
    a counter whose hours are not known: open at every moment, flagged as assumed;
``unknown``
    not known whether there was a counter: also open at every moment (the
    generous reading, so that a loss of access is never overstated), flagged.

The weekly measure is exact to the minute: for each origin, the share of the
week's 10,080 minutes (168 hours) in which some counter within ``X`` minutes of
travel is open.  The week has only a few distinct patterns of open counters, so
each pattern is evaluated once and weighted by the minutes it lasts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from access.core.errors import HoursError
from access.inputs.hours import DAYS, MINUTES_PER_DAY, MINUTES_PER_WEEK, Hours, parse_hours
from access.analysis.figures import nearest_open, summarise

__all__ = ["Moment", "parse_moment", "HOURS_RULE", "DEFAULT_MOMENTS", "open_at", "week_mask",
           "weekly_share", "period_table"]

HOURS_RULE = ("'off' = closed at every moment; 'open' (a counter, hours not known) = open at every moment, "
              "flagged as assumed; 'unknown' (not known whether there was a counter) = open at every moment, "
              "flagged as assumed (the generous reading); timetabled hours are applied to the minute")

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
        """``"Sat 23:30"``."""
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
    match = _MOMENT_RE.match(text or "")
    if not match:
        raise HoursError(f"moment {text!r} not understood; write a day and a 24-hour time, e.g. 'Sat 23:30'")
    day_name, hour, minute = match.group(1).lower(), int(match.group(2)), int(match.group(3))
    if day_name not in _DAY_NAMES:
        raise HoursError(f"moment {text!r}: {match.group(1)!r} is not a day; use Mon … Sun (or Mo … Su)")
    if hour > 23 or minute > 59:
        raise HoursError(f"moment {text!r}: {hour:02d}:{minute:02d} is not a time of day (00:00 to 23:59)")
    return Moment(_DAY_NAMES[day_name], hour * 60 + minute)


def _parsed(hours: Sequence[Hours | str]) -> list[Hours]:
    return [h if isinstance(h, Hours) else parse_hours(h) for h in hours]


def open_at(hours: Sequence[Hours | str], moment: Moment | None) -> np.ndarray:
    """Which counters are available: at ``moment``, or (``None``) at all in the period.

    ``open`` and ``unknown`` count as open at every moment (see :data:`HOURS_RULE`).
    """
    parsed = _parsed(hours)
    if moment is None:
        return np.array([h.available for h in parsed], dtype=bool)
    return np.array([h.is_open_at(moment.day, moment.minute) for h in parsed], dtype=bool)


def week_mask(hours: Sequence[Hours | str]) -> np.ndarray:
    """Counters × 10,080 minutes of the week (Monday 00:00 first): True where open."""
    parsed = _parsed(hours)
    mask = np.zeros((len(parsed), MINUTES_PER_WEEK), dtype=bool)
    for row, h in enumerate(parsed):
        if h.status == "off":
            continue
        mask[row] = True if h.week is None else h.week
    return mask


def weekly_share(minutes: np.ndarray, hours: Sequence[Hours | str], within_min: float) -> np.ndarray:
    """Each origin's share (0–1) of the week's minutes with an open counter within ``within_min``.

    Parameters
    ----------
    minutes
        Counters × origins travel minutes.
    hours
        Each counter's hours (one per row of ``minutes``).
    within_min
        The travel-time limit, minutes.

    Returns
    -------
    numpy.ndarray
        One share per origin, exact to the minute.
    """
    mask = week_mask(hours)
    reach = minutes <= within_min  # counters × origins
    patterns, counts = np.unique(mask, axis=1, return_counts=True)  # counters × distinct patterns
    # An origin is served under a pattern when some open counter is within reach.
    served = (patterns.T.astype(np.int32) @ reach.astype(np.int32)) > 0  # patterns × origins
    return (counts[:, None] * served).sum(axis=0) / MINUTES_PER_WEEK


def period_table(minutes_by_mode: dict[str, np.ndarray], hours_by_period: dict[str, Sequence[Hours | str]],
                 population: np.ndarray, moments: dict[str, Moment], within_min: float = 30.0) -> pd.DataFrame:
    """Periods side by side at several moments, and over the week.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``mode``, ``period``); for each moment label ``L``:
        ``L mean_min``, ``L within_<X>`` (share of residents), ``L open`` (counters
        open), ``L assumed`` (of those, how many only by assumption: ``open`` or
        ``unknown``) and ``L unreachable`` (residents with no open counter); then
        ``week_within_<X>`` (population-weighted share of the week's hours with
        an open counter within X minutes) and ``assumed`` (counters whose hours
        are assumed).
    """
    population = np.asarray(population, float)
    rows = []
    for mode, minutes in minutes_by_mode.items():
        for period, hours in hours_by_period.items():
            parsed = _parsed(hours)
            row: dict[str, object] = {"mode": mode, "period": period}
            for label, moment in moments.items():
                available = open_at(parsed, moment)
                time, _ = nearest_open(minutes, available)
                figures = summarise(time, population)
                row[f"{label} mean_min"] = figures["mean_min"]
                row[f"{label} within_{within_min:g}"] = float(population[time <= within_min].sum()
                                                             / population.sum())
                row[f"{label} open"] = int(available.sum())
                row[f"{label} assumed"] = int(sum(h.assumed for h, a in zip(parsed, available) if a))
                row[f"{label} unreachable"] = figures["unreachable"]
            share = weekly_share(minutes, parsed, within_min)
            row[f"week_within_{within_min:g}"] = float(np.average(share, weights=population))
            row["assumed"] = int(sum(h.assumed for h in parsed))
            rows.append(row)
    return pd.DataFrame(rows).set_index(["mode", "period"])
