"""What a trip costs besides moving at a street's speed: the numbers of the drive and walk models, in one place.

A drive is not only its streets at their speed limits.  The model here, used
by the street network (:mod:`access.routing.costs`) and by the straight-line
estimate (:mod:`access.inputs.calibrations`) alike, prices a car trip as

    overhead  +  (moving time  +  junction delays) ÷ traffic(moment)

* **overhead** (:attr:`DriveCosts.overhead_min`): walking to the car and
  pulling out (``start_min``), then finding a space near the counter, parking
  and walking to the door (``park_min``), paid once per trip;
* **moving time**: each street's length at the *typical* speed of its road
  class in free-flowing traffic (:attr:`DriveCosts.speeds_kmh`), never above
  the street's own speed limit;
* **junction delays**: ``signal_s`` at each signalised junction or crossing
  passed, ``junction_s`` at each other junction (a node where three or more
  streets meet) where the trip gives way, coming from a lesser road;
* **traffic(moment)**: the share of the free-flowing speed that traffic keeps
  at that hour (:meth:`DriveCosts.traffic`, a weekday and a weekend profile
  of 24 hours); 1 when no moment is given, so a figure without a moment is a
  drive in free-flowing (off-peak) traffic.

A walk (:class:`WalkCosts`) is its length at :data:`access.core.modes.WALK_KMH` plus ``signal_s``
at each signalised junction or crossing passed; ``older_kmh`` is the slower
pace of the equity option for older residents.

Every default cites its source in ``docs/explanation/drive-and-walk.md``, which
says which numbers were checked against the publication and which were not.
A study file may change any of them (``[drive]`` and ``[walk]`` tables, read
by :func:`drive_costs` and :func:`walk_costs`: every value checked, one clear
error naming the key).

Examples
--------
>>> costs = DriveCosts()
>>> costs.overhead_min
4.0
>>> costs.traffic(None), costs.traffic((0, 3 * 60)), costs.traffic((1, 17 * 60 + 30))
(1.0, 1.0, 0.6)
>>> costs.at(np.array([4.0, 14.0]), (1, 17 * 60 + 30)).round(2).tolist()  # overhead, then 10 minutes at 60%
[4.0, 20.67]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from access.core.errors import StudyError
from access.core.modes import WALK_KMH

__all__ = ["ROAD_CLASSES", "road_class", "DriveCosts", "WalkCosts", "DEFAULT_DRIVE", "DEFAULT_WALK",
           "WEEKDAY_TRAFFIC", "WEEKEND_TRAFFIC", "drive_costs", "walk_costs"]

ROAD_CLASSES: tuple[str, ...] = ("motorway", "trunk", "primary", "secondary", "tertiary", "minor")
"""Road classes of the drive model, fastest first; ``minor`` is every other drivable street."""

_CLASS_OF_HIGHWAY = {f"{cls}{link}": cls for cls in ROAD_CLASSES[:-1] for link in ("", "_link")}


def road_class(highway: str) -> int:
    """Return the row in :data:`ROAD_CLASSES` of an OSM ``highway`` value (slip roads join their road's class).

    >>> [ROAD_CLASSES[road_class(h)] for h in ("trunk_link", "primary", "residential", "busway")]
    ['trunk', 'primary', 'minor', 'minor']
    """
    return ROAD_CLASSES.index(_CLASS_OF_HIGHWAY.get(str(highway), "minor"))


# Traffic by hour, as a share of the free-flowing speed (hour 0 = 00:00–00:59).  The shape of London's
# published speed-by-hour profiles (see docs/explanation/drive-and-walk.md): free-flowing overnight, slowest
# in the weekday peaks (about 60% of the night-time speed), about three quarters between them.
WEEKDAY_TRAFFIC: tuple[float, ...] = (
    1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.7, 0.6, 0.65, 0.72, 0.72,
    0.72, 0.72, 0.72, 0.68, 0.64, 0.6, 0.64, 0.75, 0.85, 0.9, 0.95, 1.0)
"""Monday to Friday: share of the free-flowing speed kept at each hour."""
WEEKEND_TRAFFIC: tuple[float, ...] = (
    1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.92, 0.85, 0.8, 0.76,
    0.75, 0.75, 0.75, 0.75, 0.76, 0.78, 0.82, 0.86, 0.9, 0.95, 1.0, 1.0)
"""Saturday and Sunday: share of the free-flowing speed kept at each hour."""


def _frozen(mapping: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class DriveCosts:
    """The drive model's numbers (see the module's description; sources in ``docs/explanation/drive-and-walk.md``).

    Attributes
    ----------
    start_min
        Minutes to walk to the car, get in and pull out.
    park_min
        Minutes to find a space near the counter, park and walk to the door.
    signal_s
        Seconds lost at each signalised junction or crossing passed, in free-flowing traffic.
    junction_s
        Seconds lost giving way at a junction without signals, coming from a lesser road.
    speeds_kmh
        Typical moving speed of each road class (:data:`ROAD_CLASSES`) in free-flowing traffic, km/h;
        a street is never taken faster than its own limit.
    weekday, weekend
        Share of the free-flowing speed kept at each hour (24 values each).
    """

    start_min: float = 1.0
    park_min: float = 3.0
    signal_s: float = 10.0
    junction_s: float = 5.0
    speeds_kmh: Mapping[str, float] = field(default_factory=lambda: _frozen({
        "motorway": 105.0, "trunk": 72.0, "primary": 48.0, "secondary": 48.0, "tertiary": 45.0, "minor": 32.0}))
    weekday: tuple[float, ...] = WEEKDAY_TRAFFIC
    weekend: tuple[float, ...] = WEEKEND_TRAFFIC

    @property
    def overhead_min(self) -> float:
        """Minutes every drive pays besides moving: starting and parking."""
        return self.start_min + self.park_min

    def class_speeds(self) -> np.ndarray:
        """Return the speeds of :data:`ROAD_CLASSES`, in that order (km/h)."""
        return np.array([self.speeds_kmh[name] for name in ROAD_CLASSES], dtype=float)

    def traffic(self, moment: Any) -> float:
        """Share of the free-flowing speed kept at ``moment``: 1 for ``None``.

        ``moment`` is a :class:`access.inputs.hours.Moment` or a pair (day 0 = Monday, minutes past midnight).
        """
        if moment is None:
            return 1.0
        day, minute = (moment.day, moment.minute) if hasattr(moment, "day") else moment
        profile = self.weekend if day >= 5 else self.weekday
        return float(profile[int(minute) // 60 % 24])

    def at(self, minutes: np.ndarray, moment: Any) -> np.ndarray:
        """Drive minutes (overhead included, as free-flowing) re-timed to the traffic at ``moment``.

        The overhead stays; moving and junction time stretch by 1 ÷ :meth:`traffic`.
        NaN and ``inf`` stay as they are.
        """
        minutes = np.asarray(minutes, dtype=float)
        factor = self.traffic(moment)
        if factor == 1.0:
            return minutes
        overhead = self.overhead_min
        return overhead + np.maximum(minutes - overhead, 0.0) / factor


@dataclass(frozen=True)
class WalkCosts:
    """The walk model's numbers (sources in ``docs/explanation/drive-and-walk.md``).

    Attributes
    ----------
    signal_s
        Seconds waited, on average, at each signalised junction or crossing passed.
    older_kmh
        The slower pace of older residents, for the equity option (``[walk] older = true``).
    older
        Show walking figures at ``older_kmh`` beside the groups (the equity option).
    """

    signal_s: float = 10.0
    older_kmh: float = 3.0
    older: bool = False

    @property
    def older_ratio(self) -> float:
        """How much longer a walk takes at the older pace (:data:`access.core.modes.WALK_KMH` ÷ older pace)."""
        return WALK_KMH / self.older_kmh


DEFAULT_DRIVE = DriveCosts()
"""The drive model's defaults."""
DEFAULT_WALK = WalkCosts()
"""The walk model's defaults."""

_DRIVE_RANGES = {"start_min": (0.0, 30.0), "park_min": (0.0, 30.0), "signal_s": (0.0, 180.0),
                 "junction_s": (0.0, 60.0)}
_SPEED_RANGE = (3.0, 130.0)
_WALK_RANGES = {"signal_s": (0.0, 120.0), "older_kmh": (1.0, WALK_KMH)}


def _value(value: Any, key: str, low: float, high: float, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or not low <= value <= high:
        raise StudyError(f"{where}: {key} = {value!r} must be a number from {low:g} to {high:g}")
    return float(value)


def _profile(value: Any, key: str, where: str) -> tuple[float, ...]:
    if not isinstance(value, list | tuple) or len(value) != 24:
        raise StudyError(f"{where}: {key} must be a list of 24 numbers, one per hour from 00:00, each from "
                         f"0.1 to 1.5 (the share of the free-flowing speed kept)")
    return tuple(_value(v, f"{key}[{hour}]", 0.1, 1.5, where) for hour, v in enumerate(value))


def drive_costs(table: Mapping[str, Any] | None, *, where: str = "[drive]") -> DriveCosts:
    """Return the drive model with a study file's ``[drive]`` table applied over the defaults.

    Keys: ``start_min``, ``park_min``, ``signal_s``, ``junction_s``, ``weekday`` and
    ``weekend`` (24 shares each), and ``[drive.speeds_kmh]`` with any of :data:`ROAD_CLASSES`.

    Raises
    ------
    StudyError
        An unknown key, or a value that is not a finite number in its range (the message names the key).

    Examples
    --------
    >>> drive_costs({"park_min": 4, "speeds_kmh": {"primary": 30}}).overhead_min
    5.0
    >>> drive_costs({"park_min": float("nan")})
    Traceback (most recent call last):
    ...
    access.core.errors.StudyError: [drive]: park_min = nan must be a number from 0 to 30
    """
    if not table:
        return DEFAULT_DRIVE
    if not isinstance(table, Mapping):
        raise StudyError(f"{where} must be a table of the drive model's numbers")
    known = {f.name for f in fields(DriveCosts)}
    changes: dict[str, Any] = {}
    for key, value in table.items():
        if key in _DRIVE_RANGES:
            changes[key] = _value(value, key, *_DRIVE_RANGES[key], where)
        elif key in ("weekday", "weekend"):
            changes[key] = _profile(value, key, where)
        elif key == "speeds_kmh":
            if not isinstance(value, Mapping):
                raise StudyError(f"{where}: speeds_kmh must be a table of road class = km/h "
                                 f"({', '.join(ROAD_CLASSES)})")
            unknown = sorted(set(value) - set(ROAD_CLASSES))
            if unknown:
                raise StudyError(f"{where}: speeds_kmh has unknown road class {unknown[0]!r}; "
                                 f"choose from {', '.join(ROAD_CLASSES)}")
            speeds = dict(DEFAULT_DRIVE.speeds_kmh)
            speeds.update({name: _value(v, f"speeds_kmh.{name}", *_SPEED_RANGE, where) for name, v in value.items()})
            changes[key] = _frozen(speeds)
        else:
            raise StudyError(f"{where}: unknown key {key!r}; choose from {', '.join(sorted(known))}")
    return replace(DEFAULT_DRIVE, **changes)


def walk_costs(table: Mapping[str, Any] | None, *, where: str = "[walk]") -> WalkCosts:
    """Return the walk model with a study file's ``[walk]`` table applied over the defaults.

    Keys: ``signal_s``, ``older_kmh`` (numbers) and ``older`` (true or false).

    Raises
    ------
    StudyError
        An unknown key, or a value out of its range (the message names the key).

    Examples
    --------
    >>> round(walk_costs({"older": True}).older_ratio, 3)
    1.6
    >>> walk_costs({"older_kmh": 9})
    Traceback (most recent call last):
    ...
    access.core.errors.StudyError: [walk]: older_kmh = 9 must be a number from 1 to 4.8
    """
    if not table:
        return DEFAULT_WALK
    if not isinstance(table, Mapping):
        raise StudyError(f"{where} must be a table of the walk model's numbers")
    changes: dict[str, Any] = {}
    for key, value in table.items():
        if key in _WALK_RANGES:
            changes[key] = _value(value, key, *_WALK_RANGES[key], where)
        elif key == "older":
            if not isinstance(value, bool):
                raise StudyError(f"{where}: older = {value!r} must be true or false")
            changes[key] = value
        else:
            raise StudyError(f"{where}: unknown key {key!r}; choose from older, older_kmh, signal_s")
    return replace(DEFAULT_WALK, **changes)
