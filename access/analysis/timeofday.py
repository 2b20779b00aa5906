"""Time of day: which counters are open at a moment, and over a whole week.

The hours of each counter (:mod:`access.inputs.hours`) become either one availability
vector (at a :class:`Moment`, such as ``Sat 23:30``) or a counters × 10,080
minute mask for the week.  Both are applied to a counter × origin matrix of
minutes that is already computed; nothing here routes.

How hours are read is the one rule of :func:`access.inputs.hours.available`
(written into every output as :data:`~access.inputs.hours.HOURS_RULE`).

The weekly measure is exact to the minute: for each origin, the share of the
week's 10,080 minutes (168 hours) in which some counter within ``X`` minutes of
travel is open.  The week has only a few distinct patterns of open counters, so
each pattern is evaluated once and weighted by the minutes it lasts.

Drive times follow the traffic of the moment (:meth:`access.core.tripcosts.DriveCosts.at`):
at a moment, the drive matrix is re-timed to its hour; over the week, each
hour's minutes are measured with that hour's drive times (the hours share a
handful of traffic levels, each evaluated once).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from access.analysis.figures import nearest_open, summarise
from access.core.tripcosts import DriveCosts
from access.inputs.hours import MINUTES_PER_WEEK, Hours, Moment, available, parse_hours

__all__ = ["week_mask", "weekly_share", "period_table"]


def _parsed(hours: Sequence[Hours | str]) -> list[Hours]:
    return [h if isinstance(h, Hours) else parse_hours(h) for h in hours]


def week_mask(hours: Sequence[Hours | str]) -> np.ndarray:
    """Counters × 10,080 minutes of the week (Monday 00:00 first): True where open.

    >>> week_mask(["24/7", "off", "Mo 00:00-01:00"]).sum(axis=1).tolist()
    [10080, 0, 60]
    """
    parsed = _parsed(hours)
    mask = np.zeros((len(parsed), MINUTES_PER_WEEK), dtype=bool)
    for row, h in enumerate(parsed):
        if h.status == "off":
            continue
        mask[row] = True if h.week is None else h.week
    return mask


def weekly_share(minutes: np.ndarray, hours: Sequence[Hours | str], within_min: float,
                 drive: DriveCosts | None = None) -> np.ndarray:
    """Each origin's share (0–1) of the week's minutes with an open counter within ``within_min``.

    Parameters
    ----------
    minutes
        Counters × origins travel minutes.
    hours
        Each counter's hours (one per row of ``minutes``).
    within_min
        The travel-time limit, minutes.
    drive
        For drive times: the drive model, so that each hour of the week is measured in its traffic.

    Returns
    -------
    numpy.ndarray
        One share per origin, exact to the minute.

    Examples
    --------
    >>> from access.core.tripcosts import DriveCosts
    >>> minutes = np.array([[20.0]])  # 4 minutes starting and parking, 16 driving in free-flowing traffic
    >>> float(weekly_share(minutes, ["24/7"], 25.0)[0])
    1.0
    >>> round(float(weekly_share(minutes, ["24/7"], 25.0, DriveCosts())[0]) * 168)  # hours within 25 min by car
    91
    """
    mask = week_mask(hours)
    if drive is None:
        levels = {1.0: np.ones(MINUTES_PER_WEEK, dtype=bool)}
    else:
        hour_level = np.array([drive.traffic((day, hour * 60)) for day in range(7) for hour in range(24)])
        minute_level = np.repeat(hour_level, 60)
        levels = {float(level): minute_level == level for level in np.unique(hour_level)}
    total = np.zeros(minutes.shape[1])
    for level, when in levels.items():
        at = minutes if drive is None else drive.overhead_min + np.maximum(minutes - drive.overhead_min, 0) / level
        reach = at <= within_min  # counters × origins
        patterns, counts = np.unique(mask[:, when], axis=1, return_counts=True)  # counters × distinct patterns
        # An origin is served under a pattern when some open counter is within reach.
        served = (patterns.T.astype(np.int32) @ reach.astype(np.int32)) > 0  # patterns × origins
        total += (counts[:, None] * served).sum(axis=0)
    return total / MINUTES_PER_WEEK


def period_table(minutes_by_mode: dict[str, np.ndarray], hours_by_period: dict[str, Sequence[Hours | str]],
                 population: np.ndarray, moments: dict[str, Moment], within_min: float = 30.0,
                 excluded: dict[str, np.ndarray] | None = None,
                 drive: dict[str, DriveCosts | None] | None = None) -> pd.DataFrame:
    """Periods side by side at several moments, and over the week.

    Parameters
    ----------
    minutes_by_mode
        Counters × origins minutes, per mode.
    hours_by_period
        Each counter's hours (one per row), per period.
    population
        Residents per origin.
    moments
        Label → moment of the week.
    within_min
        The travel-time limit of the shares.
    excluded
        Per mode, the origins left out of every figure (too far from the network).
    drive
        Per mode, the drive model whose traffic its times follow (``None``, or a mode left out: none);
        as :attr:`access.routing.travel.TravelTimes.drive` gives it.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``mode``, ``period``); for each moment label ``L``:
        ``L mean_min``, ``L within_<X>`` (share of residents), ``L open`` (counters
        open), ``L assumed`` (of those, how many only by assumption: ``open`` or
        ``unknown``) and ``L unreachable`` (residents with no open counter); then
        ``week_within_<X>`` (population-weighted share of the week's hours with
        an open counter within X minutes) and ``assumed`` (counters whose hours
        are assumed).  Every figure follows :func:`access.analysis.figures.group_figures`.
    """
    population = np.asarray(population, float)
    key = f"within_{within_min:g}"
    rows = []
    for mode, minutes in minutes_by_mode.items():
        left_out = None if excluded is None else excluded.get(mode)
        costs = None if drive is None else drive.get(mode)
        for period, hours in hours_by_period.items():
            parsed = _parsed(hours)
            row: dict[str, object] = {"mode": mode, "period": period}
            for label, moment in moments.items():
                is_open = available(parsed, moment)
                at = minutes if costs is None else costs.at(minutes, moment)
                time, _ = nearest_open(at, is_open, left_out)
                figures = summarise(time, population, thresholds=(within_min,))
                row[f"{label} mean_min"] = figures["mean_min"]
                row[f"{label} {key}"] = figures[key]
                row[f"{label} open"] = int(is_open.sum())
                row[f"{label} assumed"] = int(sum(h.assumed for h, a in zip(parsed, is_open, strict=True) if a))
                row[f"{label} unreachable"] = figures["unreachable"]
            share = weekly_share(minutes, parsed, within_min, costs)
            counted = population if left_out is None else np.where(left_out, 0.0, population)
            row[f"week_{key}"] = float(np.average(share, weights=counted))
            row["assumed"] = int(sum(h.assumed for h in parsed))
            rows.append(row)
    return pd.DataFrame(rows).set_index(["mode", "period"])
