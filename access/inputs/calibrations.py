"""Calibrations of the straight-line estimate: detour factors and speeds by trip length, per mode.

When no street network can be had, a trip's time is estimated from its
straight-line distance.  A *calibration* says how, for one mode, as measured on
a real OpenStreetMap network by ``access calibrate`` (:mod:`access.routing.detour`)
and stored in ``data/detour_factors.toml``.  Trips fall in distance bands by
their straight-line length (:data:`BANDS_KM`: under 1 km, 1–3 km, 3–10 km, 10–30 km
and beyond); each band has a detour factor (the mean network ÷ straight-line
distance of the trips measured in it, with its spread), a speed and, driving,
what its trips pass: the share of their length on each road class, and the
signals and give-way junctions per km.  A band's rate (minutes per
straight-line km, as the trip-cost model of :mod:`access.core.tripcosts`
prices it: :meth:`Band.priced_minutes_per_km`) holds at its trips' mean
length; between two bands it is interpolated linearly, and below the first
and beyond the last measured band it is constant.  A trip's time is the
model's overhead (a drive's starting and parking) plus its straight line ×
the rate at its length (:meth:`Calibration.minutes`): a
continuous estimate that grows with distance everywhere, so the nearest
counter in a straight line is the nearest in estimated time too (a
calibration whose rates fall too fast for that is refused on load).  A band
the network was too small to measure takes the rates of the band before it,
and says so (``measured = false``).

Example
-------
>>> cycle = load_calibrations()[DEFAULT_CALIBRATION]["cycle"]
>>> [band.label for band in cycle.bands]
['under 1 km', '1–3 km', '3–10 km', '10–30 km']
>>> round(float(cycle.minutes(np.array([500.0]))[0]), 3) == round(0.5 * 60 / 15 * cycle.bands[0].factor, 3)
True
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from access.core import settings
from access.core.arguments import is_plain_name
from access.core.errors import DataError, StudyError
from access.core.files import write_text_atomic
from access.core.modes import MODES
from access.core.tripcosts import DEFAULT_DRIVE, DEFAULT_WALK, ROAD_CLASSES, DriveCosts, WalkCosts

__all__ = ["Band", "Calibration", "BANDS_KM", "CALIBRATION_FILE", "DEFAULT_CALIBRATION", "load_calibrations",
           "calibration_names", "get_calibration", "write_calibrations", "calibration_path"]

BANDS_KM: tuple[tuple[float, float], ...] = ((0.0, 1.0), (1.0, 3.0), (3.0, 10.0), (10.0, 30.0))
"""The distance bands, in straight-line km; the last one's rates also apply beyond it."""

CALIBRATION_FILE = "detour_factors.toml"
"""Where calibrations are stored, under the project's ``data/``."""

DEFAULT_CALIBRATION = "london"
"""The calibration a study uses unless it names another (``[network] calibration``)."""


@dataclass(frozen=True)
class Band:
    """One distance band of a calibration.

    Attributes
    ----------
    from_km, to_km
        The band's straight-line distances.
    factor
        The detour factor: the mean network ÷ straight-line distance of the trips in the band.
    speed_kmh
        The speed: the trips' network distance ÷ their routed time (the mode's own for walking and cycling).
    n_pairs
        Trips measured whose straight-line length falls in the band.
    median, p10, p90
        The spread of those trips' network ÷ straight-line distance (NaN when not measured).
    measured
        False when the network was too small for trips this long: the band takes the rates of the one before.
    shares
        Share of the routed trips' length on each road class (:data:`access.core.tripcosts.ROAD_CLASSES`),
        driving; empty when not measured.
    limits_kmh
        The speed limit of each road class along those trips (their length ÷ their time at the limits).
    signals_per_km, junctions_per_km
        Traffic signals, and other junctions, passed per km of the routed trips.
    measured_on
        Where this band was measured, when not on the calibration's own network.
    mean_km
        The mean straight-line length of the trips measured in it (0 when not recorded): where its rate holds.
    """

    from_km: float
    to_km: float
    factor: float
    speed_kmh: float
    n_pairs: int
    median: float
    p10: float
    p90: float
    measured: bool
    shares: tuple[float, ...] = ()
    limits_kmh: tuple[float, ...] = ()
    signals_per_km: float = 0.0
    junctions_per_km: float = 0.0
    measured_on: str = ""
    mean_km: float = 0.0

    @property
    def knot_km(self) -> float:
        """Where the band's rate holds: its trips' mean length, or its middle when that was not recorded."""
        return self.mean_km if self.mean_km > 0 else (self.from_km + self.to_km) / 2

    @property
    def minutes_per_km(self) -> float:
        """Minutes per straight-line km of a trip in this band at its measured speed (no trip-cost model)."""
        return self.factor / self.speed_kmh * 60.0

    def priced_minutes_per_km(self, mode: str, drive: DriveCosts, walk: WalkCosts) -> float:
        """Minutes per straight-line km of a trip in this band, as the trip-cost model prices it.

        Driving: the band's road classes at their typical speeds (never above their limits), and its
        signals and junctions at their delays; walking: its signals at the wait of a crossing.
        """
        if mode == "drive" and self.shares:
            speeds = np.minimum(drive.class_speeds(), np.asarray(self.limits_kmh, dtype=float))
            moving = float(np.sum(np.asarray(self.shares) * 60.0 / speeds))
            delays = (self.signals_per_km * drive.signal_s + self.junctions_per_km * drive.junction_s) / 60.0
            return self.factor * (moving + delays)
        if mode == "walk":
            return self.minutes_per_km + self.factor * self.signals_per_km * walk.signal_s / 60.0
        return self.minutes_per_km

    @property
    def label(self) -> str:
        """The band as words: ``under 1 km``, ``1–3 km``."""
        return f"under {self.to_km:g} km" if self.from_km == 0 else f"{self.from_km:g}–{self.to_km:g} km"


@dataclass(frozen=True)
class Calibration:
    """One mode's straight-line estimate, as measured on one network.

    Attributes
    ----------
    name
        The calibration's name (``city-of-london``): what a study chooses.
    mode
        The mode.
    measured_on
        The network it was measured on, in words.
    bands
        The distance bands, shortest first.
    n_pairs
        Trips measured in all.
    p10, p90
        How well the estimate fits them: percentiles of routed time ÷ estimated time over every trip.
    """

    name: str
    mode: str
    measured_on: str
    bands: tuple[Band, ...]
    n_pairs: int
    p10: float
    p90: float
    drive: DriveCosts = DEFAULT_DRIVE
    walk: WalkCosts = DEFAULT_WALK

    def priced(self, *, drive: DriveCosts, walk: WalkCosts) -> Calibration:
        """Return this calibration priced by a study's trip-cost model (its ``[drive]`` and ``[walk]`` tables)."""
        return replace(self, drive=drive, walk=walk)

    @property
    def overhead_min(self) -> float:
        """Minutes every trip pays besides moving: a drive's starting and parking, else nothing."""
        return self.drive.overhead_min if self.mode == "drive" else 0.0

    def knots(self) -> tuple[np.ndarray, np.ndarray]:
        """Return where the rate is pinned: each measured band's trips' mean length (km) and its minutes per km.

        >>> walk = load_calibrations()[DEFAULT_CALIBRATION]["walk"]
        >>> [round(float(k), 2) for k in walk.knots()[0]]  # the mean length of the trips in each measured band
        [0.66, 1.25]
        """
        measured = [band for band in self.bands if band.measured] or list(self.bands[:1])
        return (np.array([band.knot_km for band in measured]),
                np.array([band.priced_minutes_per_km(self.mode, self.drive, self.walk) for band in measured]))

    def minutes(self, straight_m: np.ndarray) -> np.ndarray:
        """Estimated minutes for straight-line distances (metres): the overhead, plus × the rate at each length.

        >>> drive = load_calibrations()[DEFAULT_CALIBRATION]["drive"]
        >>> times = drive.minutes(np.array([0.0, 900.0, 1000.0, 1100.0, 1200.0]))
        >>> bool(np.all(np.diff(times) > 0))  # longer is always slower: no ties between distances
        True
        >>> float(times[0]) == drive.drive.overhead_min  # a drive of no length still starts and parks
        True
        """
        km = np.asarray(straight_m, dtype=float) / 1000.0
        middles, rates = self.knots()
        return self.overhead_min + km * np.interp(km, middles, rates)

    def metres_within(self, minutes: float) -> float:
        """Return the longest straight-line distance (metres) estimated within ``minutes``: the radius of an area.

        >>> walk = load_calibrations()[DEFAULT_CALIBRATION]["walk"]
        >>> bool(abs(walk.minutes(np.array([walk.metres_within(30.0)]))[0] - 30.0) < 1e-9)
        True
        """
        minutes = minutes - self.overhead_min
        if minutes <= 0:
            return 0.0
        middles, rates = self.knots()
        edges = np.concatenate([[0.0], middles, [np.inf]])
        for low, high in zip(edges[:-1], edges[1:], strict=True):
            if np.isfinite(high) and minutes > high * float(np.interp(high, middles, rates)):
                continue
            # within [low, high] the rate is a + b·km (constant below the first middle and beyond the last),
            # so the time is a·km + b·km²
            rate_low = float(np.interp(low, middles, rates))
            b = (float(np.interp(high, middles, rates)) - rate_low) / (high - low) if np.isfinite(high) else 0.0
            a = rate_low - b * low
            return 2.0 * minutes / (a + math.sqrt(a * a + 4.0 * b * minutes)) * 1000.0
        raise AssertionError("unreachable: the last segment is unbounded")  # pragma: no cover

    def check_increasing(self) -> None:
        """Raise :class:`DataError` unless the estimate grows with distance everywhere (see the module docstring)."""
        middles, rates = self.knots()
        for k1, k2, r1, r2 in zip(middles[:-1], middles[1:], rates[:-1], rates[1:], strict=True):
            slope = (r2 - r1) / (k2 - k1)
            # the time km·(a + b·km) grows while a + 2·b·km > 0: check both ends of the segment
            if min(r1 + slope * k1, r2 + slope * k2) <= 0:
                raise DataError(f"calibration {self.name!r}, {self.mode}: its rate falls so fast between "
                                f"{k1:g} and {k2:g} km that a longer trip would be estimated quicker; measure it "
                                f"again with more trips ('access calibrate --sources N')")


def calibration_path() -> Path:
    """Return the path of the calibrations file (``data/detour_factors.toml``)."""
    return settings.project_data_dir() / CALIBRATION_FILE


def _by_class(values: dict, key: str) -> tuple[float, ...]:
    table = values.get(key)
    if not table:
        return ()
    return tuple(float(table.get(name, 0.0)) for name in ROAD_CLASSES)


def _band(values: dict) -> Band:
    nan = math.nan
    band = Band(from_km=float(values["from_km"]), to_km=float(values["to_km"]), factor=float(values["factor"]),
                speed_kmh=float(values["speed_kmh"]), n_pairs=int(values.get("n_pairs", 0)),
                median=float(values.get("median", nan)), p10=float(values.get("p10", nan)),
                p90=float(values.get("p90", nan)), measured=bool(values.get("measured", True)),
                shares=_by_class(values, "shares"), limits_kmh=_by_class(values, "limits_kmh"),
                signals_per_km=float(values.get("signals_per_km", 0.0)),
                junctions_per_km=float(values.get("junctions_per_km", 0.0)),
                measured_on=str(values.get("measured_on", "")), mean_km=float(values.get("mean_km", 0.0)))
    if not (math.isfinite(band.factor) and band.factor >= 1):
        raise ValueError(f"band {band.label}: factor = {band.factor:g} is not a detour factor (a finite number of at "
                         f"least 1: no street trip is shorter than the straight line)")
    if not (math.isfinite(band.speed_kmh) and band.speed_kmh > 0):
        raise ValueError(f"band {band.label}: speed_kmh = {band.speed_kmh:g} is not a speed (a finite number above 0)")
    shares = band.shares or (0.0,) * len(ROAD_CLASSES)
    numbers = {"signals_per_km": band.signals_per_km, "junctions_per_km": band.junctions_per_km,
               **{f"shares.{k}": v for k, v in zip(ROAD_CLASSES, shares, strict=True)}, "mean_km": band.mean_km}
    for key, value in numbers.items():
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"band {band.label}: {key} = {value:g} is not a finite number of at least 0")
    for key, value in zip(ROAD_CLASSES, band.limits_kmh or (1.0,) * len(ROAD_CLASSES), strict=True):
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"band {band.label}: limits_kmh.{key} = {value:g} is not a speed (a finite number "
                             f"above 0)")
    return band


def _bands(values: list[dict]) -> tuple[Band, ...]:
    """Return the bands of one mode, each checked, in order from 0 km with no gap and no overlap."""
    bands = tuple(_band(band) for band in values)
    if not bands:
        raise ValueError("it has no bands")
    edge = 0.0
    for band in bands:
        if not (band.from_km == edge and band.to_km > band.from_km):
            raise ValueError(f"band {band.label} does not start where the band before ends ({edge:g} km), or ends "
                             f"before it starts: bands run in order from 0 km, each starting where the last ends")
        edge = band.to_km
    return bands


def load_calibrations(path: Path | None = None) -> dict[str, dict[str, Calibration]]:
    """Return every stored calibration: name → mode → :class:`Calibration`.

    Raises
    ------
    DataError
        The file is missing, malformed, or a calibration lacks a mode or a field;
        run ``access calibrate``.
    """
    path = path or calibration_path()
    try:
        with path.open("rb") as fh:
            table = tomllib.load(fh)
        found: dict[str, dict[str, Calibration]] = {}
        for name, entry in table.items():
            found[name] = {}
            for mode in MODES:
                values = entry[mode]
                try:
                    bands = _bands(values["bands"])
                except ValueError as exc:
                    raise DataError(f"{path}: calibration {name!r}, {mode}: {exc}; fix the value, or measure the "
                                    f"calibration again with 'access calibrate'") from None
                found[name][mode] = Calibration(
                    name=name, mode=mode, measured_on=str(values.get("measured_on", entry["measured_on"])),
                    bands=bands, n_pairs=int(values["n_pairs"]),
                    p10=float(values["p10"]), p90=float(values["p90"]))
                try:
                    found[name][mode].check_increasing()
                except DataError as exc:
                    raise DataError(f"{path}: {exc}") from None
        return found
    except DataError:
        raise
    except FileNotFoundError as exc:
        raise DataError(f"{path} is missing: the straight-line estimate needs its calibrations; restore the "
                        f"repository's data/{CALIBRATION_FILE} (if ACCESS_PROJECT_DATA is set, it must name a folder "
                        f"holding the project's data like the repository's data/), or run 'access calibrate'") from exc
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise DataError(f"cannot read the straight-line calibrations from {path} ({type(exc).__name__}: {exc}); "
                        f"run 'access calibrate' to measure them again") from exc


def calibration_names(path: Path | None = None) -> list[str]:
    """Return the names of the stored calibrations."""
    return list(load_calibrations(path))


def get_calibration(name: str, mode: str, path: Path | None = None) -> Calibration:
    """Return one stored calibration of one mode.

    Raises
    ------
    StudyError
        No calibration of that name: the message lists those there are.
    """
    calibrations = load_calibrations(path)
    if name not in calibrations:
        raise StudyError(f"unknown calibration {name!r}; choose from {', '.join(calibrations)} "
                         f"(or measure one with 'access calibrate --osm-file FILE --name {name}')")
    return calibrations[name][mode]


def _number(value: float) -> str:
    return "nan" if math.isnan(value) else f"{value:.4f}"


def write_calibrations(calibrations: list[Calibration], path: Path | None = None) -> Path:
    """Write calibrations (every mode of each name) to ``data/detour_factors.toml`` (or ``path``), replacing it.

    Raises
    ------
    StudyError
        A calibration's name is not a plain name: it becomes a TOML table a study names.
    """
    path = path or calibration_path()
    for name in dict.fromkeys(c.name for c in calibrations):
        if not is_plain_name(name):
            raise StudyError(f"calibration name {name!r} is not a plain name; use letters, digits, '-' and '_' "
                             f"(a study names it in [network] calibration)")
    lines = ["# Calibrations of the straight-line estimate, measured by `access calibrate` on real OSM networks.",
             "# Per mode and band of straight-line trip length: the detour factor (mean network / straight-line",
             "# distance of the trips measured in the band; median, p10 and p90 give its spread), the speed",
             "# (their network distance / routed time) and the number of trips.  measured = false: too few",
             "# trips that long; the band takes the rates of the band before it.  p10 and p90 of a mode: routed",
             "# time / estimated time over every trip, how well the estimate fits.", ""]
    names = list(dict.fromkeys(c.name for c in calibrations))
    for name in names:
        of_name = {c.mode: c for c in calibrations if c.name == name}
        measured_on = json.dumps(next(iter(of_name.values())).measured_on, ensure_ascii=False)  # a TOML string
        lines += [f"[{name}]", f"measured_on = {measured_on}", ""]
        for mode in MODES:
            calibration = of_name[mode]
            lines += [f"[{name}.{mode}]"]
            if calibration.measured_on != next(iter(of_name.values())).measured_on:  # this mode measured elsewhere
                lines.append(f"measured_on = {json.dumps(calibration.measured_on, ensure_ascii=False)}")
            lines += [f"n_pairs = {calibration.n_pairs}", f"p10 = {_number(calibration.p10)}",
                      f"p90 = {_number(calibration.p90)}", "bands = ["]
            for band in calibration.bands:
                extra = ""
                if band.shares:
                    shares = ", ".join(f"{c} = {v:.4f}" for c, v in zip(ROAD_CLASSES, band.shares, strict=True))
                    limits = ", ".join(f"{c} = {v:.2f}" for c, v in zip(ROAD_CLASSES, band.limits_kmh, strict=True))
                    extra += f", shares = {{ {shares} }}, limits_kmh = {{ {limits} }}"
                if band.shares or band.signals_per_km:
                    extra += (f", signals_per_km = {band.signals_per_km:.4f}, "
                              f"junctions_per_km = {band.junctions_per_km:.4f}")
                if band.mean_km:
                    extra += f", mean_km = {band.mean_km:.4f}"
                if band.measured_on:
                    extra += f", measured_on = {json.dumps(band.measured_on, ensure_ascii=False)}"
                lines.append(f"  {{ from_km = {band.from_km:g}, to_km = {band.to_km:g}, factor = {band.factor:.4f}, "
                             f"speed_kmh = {band.speed_kmh:.4f}, n_pairs = {band.n_pairs}, "
                             f"median = {_number(band.median)}, p10 = {_number(band.p10)}, "
                             f"p90 = {_number(band.p90)}, measured = {str(band.measured).lower()}{extra} }},")
            lines += ["]", ""]
    return write_text_atomic(path, "\n".join(lines))
