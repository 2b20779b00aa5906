"""What if: scenarios built from a period by closing, opening and re-timing counters.

A :class:`Scenario` starts from one of the study's periods (its counters and
hours), closes counters by id, opens hypothetical counters (a name with a
latitude/longitude or a postcode) and overrides hours; it may be read at one
moment of the week (``Sat 23:30``).  Scenarios come from ``[scenarios.<name>]``
tables in the study TOML or from the command line.

Evaluation never re-routes the study's counters.  A :class:`Board` holds the
counter × origin minutes of the study's counters, computed once per mode, plus
one extra row per opened counter (one shortest-path run, or one straight-line
row, per new site).  A scenario is then a boolean availability vector over the
board's rows, and each origin's time is the minimum over the available rows.

    board = build_board(study, [scenario], modes=["walk"], offline=True)
    comparison = compare(board, [period_scenario("2018_2025"), scenario])
    comparison.summary, comparison.differences, comparison.write("out/")
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from access.core.version import __version__
from access.inputs.config import ScenarioSpec
from access.core.errors import OutputError, ScenarioError
from access.core.files import CSV_FLOAT_FORMAT, json_value, staged_folder, write_json_atomic, write_text_atomic
from access.inputs.hours import parse_hours
from access.analysis.figures import group_table, nearest_open, summarise
from access.inputs.sources import mirror_file
from access.analysis.study import ATTRIBUTION, Study
from access.analysis.timeofday import HOURS_RULE, Moment, parse_moment
from access.routing.travel import TravelTimes

__all__ = ["OpenedCounter", "Scenario", "Board", "Comparison", "parse_opened", "lookup_postcode",
           "period_scenario", "scenario_from_spec", "study_scenarios", "build_board", "compare"]

_POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
_LATLON_RE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class OpenedCounter:
    """A hypothetical counter.

    Attributes
    ----------
    id
        Its id (from its name: ``"Gants Hill"`` → ``"gants-hill"``).
    name
        Its name.
    lon, lat
        Where it is (WGS84).
    hours
        Its hours (default ``24/7``).
    located_by
        ``"lat/lon"`` or ``"postcode IG2 6UA"``.
    """

    id: str
    name: str
    lon: float
    lat: float
    hours: str = "24/7"
    located_by: str = "lat/lon"


@dataclass(frozen=True)
class Scenario:
    """A "what if": a period's counters with closures, openings and hours changed.

    Attributes
    ----------
    name
        How the scenario is called.
    base
        The period it starts from.
    close
        Ids of counters closed (hours ``off``).
    open
        Hypothetical counters opened.
    hours
        ``(counter id, hours)`` overrides, applied after ``close``.
    at
        When set, counters count only if open at this moment of the week.
    description
        Free text.
    """

    name: str
    base: str
    close: tuple[str, ...] = ()
    open: tuple[OpenedCounter, ...] = ()
    hours: tuple[tuple[str, str], ...] = ()
    at: Moment | None = None
    description: str = ""

    @property
    def label(self) -> str:
        """The name, with the moment when there is one (``"from_2026 @ Sat 23:30"``)."""
        return f"{self.name} @ {self.at.label}" if self.at else self.name

    def explain(self) -> str:
        """One line saying what the scenario changes."""
        parts = [f"from {self.base}"]
        if self.close:
            parts.append(f"close {', '.join(self.close)}")
        for c in self.open:
            parts.append(f"open {c.name} ({c.lat:.5f}, {c.lon:.5f}; {c.located_by}; {c.hours})")
        for cid, text in self.hours:
            parts.append(f"{cid} hours {text}")
        if self.at:
            parts.append(f"at {self.at.label}")
        return "; ".join(parts)


def period_scenario(period: str, at: Moment | None = None) -> Scenario:
    """The scenario that is simply a period as recorded (optionally at a moment)."""
    return Scenario(name=period, base=period, at=at)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


@lru_cache(maxsize=1)
def _postcodes() -> pd.DataFrame:
    table = pd.read_csv(mirror_file("postcodes"), usecols=["postcode", "lon", "lat"])
    table["key"] = table["postcode"].str.replace(" ", "", regex=False).str.upper()
    return table.set_index("key")


def lookup_postcode(postcode: str) -> tuple[float, float]:
    """``(lon, lat)`` of a live London postcode, from the mirror's Code-Point Open table.

    Raises
    ------
    ScenarioError
        The postcode is not in the table.
    """
    key = postcode.replace(" ", "").upper()
    table = _postcodes()
    if key not in table.index:
        raise ScenarioError(f"postcode {postcode!r} is not a live London postcode in Code-Point Open 2025; "
                            f"check it, or give the site as NAME=LAT,LON")
    row = table.loc[key]
    return float(row["lon"]), float(row["lat"])


def _opened(name: str, *, lat: float | None = None, lon: float | None = None, postcode: str | None = None,
            hours: str = "24/7", counter_id: str | None = None) -> OpenedCounter:
    name = name.strip()
    if not name:
        raise ScenarioError("an opened counter needs a name, as in 'Gants Hill=51.5765,0.0661'")
    parse_hours(hours)
    if postcode is not None:
        lon, lat = lookup_postcode(postcode)
        located_by = f"postcode {postcode.upper()}"
    else:
        located_by = "lat/lon"
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ScenarioError(f"opened counter {name!r}: lat {lat!r}, lon {lon!r} is not a location; "
                                f"give latitude (−90…90) then longitude (−180…180)")
    return OpenedCounter(id=counter_id or _slug(name), name=name, lon=float(lon), lat=float(lat), hours=hours,
                         located_by=located_by)


def parse_opened(text: str) -> OpenedCounter:
    """Parse ``"Gants Hill=51.5765,0.0661"`` or ``"Gants Hill=IG2 6UA"``; ``@HOURS`` may follow.

    Examples
    --------
    >>> parse_opened("Gants Hill=51.5765,0.0661").id
    'gants-hill'
    >>> parse_opened("Gants Hill=51.5765,0.0661@Mo-Fr 09:00-17:00").hours
    'Mo-Fr 09:00-17:00'
    """
    name, sep, where = text.partition("=")
    if not sep:
        raise ScenarioError(f"opened counter {text!r} not understood; write NAME=LAT,LON or NAME=POSTCODE, "
                            f"e.g. 'Gants Hill=51.5765,0.0661'")
    where, _, hours = where.partition("@")
    hours = hours.strip() or "24/7"
    match = _LATLON_RE.match(where)
    if match:
        return _opened(name, lat=float(match.group(1)), lon=float(match.group(2)), hours=hours)
    if _POSTCODE_RE.match(where.strip().upper()):
        return _opened(name, postcode=where.strip(), hours=hours)
    raise ScenarioError(f"opened counter {text!r}: {where.strip()!r} is neither LAT,LON nor a postcode; "
                        f"write e.g. 'Gants Hill=51.5765,0.0661' or 'Gants Hill=IG2 6UA'")


def scenario_from_spec(spec: ScenarioSpec) -> Scenario:
    """A scenario from a ``[scenarios.<name>]`` table of the study TOML."""
    opened = tuple(_opened(o.name, lat=o.lat, lon=o.lon, postcode=o.postcode, hours=o.hours, counter_id=o.id)
                   for o in spec.open)
    return Scenario(name=spec.name, base=spec.base, close=spec.close, open=opened, hours=spec.hours,
                    at=parse_moment(spec.at) if spec.at else None, description=spec.description)


def study_scenarios(study: Study) -> dict[str, Scenario]:
    """The study's own scenarios, by name."""
    return {spec.name: scenario_from_spec(spec) for spec in study.config.scenarios}


StepCallback = Callable[[str], None]


class Board:
    """Counter × origin minutes for the study's counters and every opened counter, per mode.

    Rows are the study's counters in table order, then the opened counters.
    Build it with :func:`build_board`.

    Attributes
    ----------
    study
        The study.
    times
        The study counters' :class:`~access.routing.travel.TravelTimes`, per mode.
    opened
        The hypothetical counters, in row order after the study's.
    minutes
        Per mode, the full (study + opened) counters × origins matrix.
    warnings
        Warnings from routing (e.g. the straight-line fallback).
    """

    def __init__(self, study: Study, times: dict[str, TravelTimes], opened: Sequence[OpenedCounter],
                 opened_minutes: dict[str, np.ndarray], warnings: Sequence[str] = ()) -> None:
        self.study = study
        self.times = times
        self.opened = list(opened)
        self.minutes = {mode: np.vstack([t.minutes, opened_minutes[mode]]) if self.opened else t.minutes
                        for mode, t in times.items()}
        self.warnings = list(warnings)

    @property
    def modes(self) -> list[str]:
        """The modes on the board."""
        return list(self.times)

    @cached_property
    def counters(self) -> gpd.GeoDataFrame:
        """Every counter on the board: ``id``, ``name``, ``address``, ``hypothetical``, hours per period."""
        config = self.study.config
        own = self.study.places.counters
        frame = pd.DataFrame(own[["id", "name", "address", *config.periods]])
        frame["hypothetical"] = False
        extra = pd.DataFrame({"id": [c.id for c in self.opened], "name": [c.name for c in self.opened],
                              "address": [f"hypothetical counter ({c.located_by})" for c in self.opened],
                              "hypothetical": True, **{p: "off" for p in config.periods}})
        points = list(own.geometry) + list(gpd.points_from_xy([c.lon for c in self.opened],
                                                               [c.lat for c in self.opened], crs="EPSG:4326")
                                           .to_crs(config.crs))
        return gpd.GeoDataFrame(pd.concat([frame, extra], ignore_index=True), geometry=points, crs=config.crs)

    @property
    def ids(self) -> list[str]:
        """Counter ids in row order."""
        return self.counters["id"].tolist()

    def hours(self, scenario: Scenario) -> list[str]:
        """The scenario's hours for every counter on the board (``off`` for those it does not open).

        Raises
        ------
        ScenarioError
            The scenario's base period, a closed counter, an hours override or
            an opened counter is unknown to this board.
        """
        config = self.study.config
        if scenario.base not in config.periods:
            raise ScenarioError(f"scenario {scenario.name!r}: unknown period {scenario.base!r}; "
                                f"choose from {', '.join(config.periods)}")
        ids = self.ids
        own = len(self.study.places.counters)
        text = {cid: (self.counters[scenario.base].iloc[row] if row < own else "off")
                for row, cid in enumerate(ids)}
        for counter in scenario.open:
            if counter.id not in text or counter not in self.opened:
                raise ScenarioError(f"scenario {scenario.name!r}: opened counter {counter.id!r} is not on the "
                                    f"board; build the board with this scenario")
            text[counter.id] = counter.hours
        for cid in scenario.close:
            if cid not in text:
                raise ScenarioError(f"scenario {scenario.name!r}: unknown counter id {cid!r}; "
                                    f"known ids: {', '.join(ids)}")
            text[cid] = "off"
        for cid, hours in scenario.hours:
            if cid not in text:
                raise ScenarioError(f"scenario {scenario.name!r}: hours for unknown counter id {cid!r}; "
                                    f"known ids: {', '.join(ids)}")
            parse_hours(hours)
            text[cid] = hours
        return [text[cid] for cid in ids]

    def available(self, scenario: Scenario) -> np.ndarray:
        """Boolean per board row: available in the scenario (at its moment, when it has one)."""
        from access.analysis.timeofday import open_at

        return open_at(self.hours(scenario), scenario.at)

    def nearest(self, scenario: Scenario, mode: str) -> tuple[np.ndarray, np.ndarray]:
        """Each origin's minutes to its nearest available counter and that counter's row.

        Origins excluded from the mode's figures (more than 1 km from its
        network) get ``NaN`` minutes and row ``-1``, as in :attr:`StudyResult.origins`.
        """
        time, row = nearest_open(self.minutes[mode], self.available(scenario))
        excluded = self.times[mode].excluded
        return np.where(excluded, np.nan, time), np.where(excluded, -1, row)

    def weights(self, mode: str) -> np.ndarray:
        """Residents per origin, zero for origins excluded from the mode's figures."""
        population = self.study.places.residents["population"].to_numpy(float)
        return np.where(self.times[mode].excluded, 0.0, population)


def build_board(study: Study, scenarios: Sequence[Scenario], *, modes: Sequence[str] | None = None,
                offline: bool = False, osm_file: Path | str | None = None, use_cache: bool = True,
                on_step: StepCallback | None = None) -> Board:
    """Route the study's counters once per mode, plus one row per counter the scenarios open.

    Parameters
    ----------
    study
        The study.
    scenarios
        The scenarios to be evaluated (their opened counters get rows).
    modes
        Modes (default: the study's).
    offline, osm_file, use_cache
        As for :meth:`access.analysis.study.Study.run`.
    on_step
        Called with a short description before each step (for progress bars).
    """
    step = on_step or (lambda _d: None)
    modes = list(modes) if modes else list(study.config.modes)
    step("loading counters, boundaries and residents")
    own_ids = set(study.places.counters["id"])
    opened: dict[str, OpenedCounter] = {}
    for scenario in scenarios:
        for counter in scenario.open:
            if counter.id in own_ids:
                raise ScenarioError(f"scenario {scenario.name!r}: opened counter id {counter.id!r} is already a "
                                    f"counter of the study; give the new counter another name")
            if counter.id in opened and opened[counter.id] != counter:
                raise ScenarioError(f"two different opened counters are called {counter.id!r}; rename one")
            opened[counter.id] = counter
    known = [*study.places.counters["id"], *opened]
    for scenario in scenarios:  # every id and period checked before any routing
        if scenario.base not in study.config.periods:
            raise ScenarioError(f"scenario {scenario.name!r}: unknown period {scenario.base!r}; "
                                f"choose from {', '.join(study.config.periods)}")
        for cid in (*scenario.close, *(c for c, _ in scenario.hours)):
            if cid not in known:
                raise ScenarioError(f"scenario {scenario.name!r}: unknown counter id {cid!r}; "
                                    f"known ids: {', '.join(known)}")
        for _, text in scenario.hours:
            parse_hours(text)
    crs = study.config.crs
    xy = None
    if opened:
        points = gpd.GeoSeries(gpd.points_from_xy([c.lon for c in opened.values()],
                                                  [c.lat for c in opened.values()]), crs="EPSG:4326").to_crs(crs)
        xy = np.column_stack([points.x, points.y])
        distance = points.distance(study.places.boundary.geometry.iloc[0]).to_numpy()
        far = [f"{c.id} ({d:,.0f} m)" for c, d in zip(opened.values(), distance) if d > study.config.counter_max_m]
        if far:
            raise ScenarioError(f"opened counter(s) {', '.join(far)} lie more than {study.config.counter_max_m:g} m "
                                f"from {' + '.join(study.config.boroughs)}; check that lat and lon are not swapped")
    times: dict[str, TravelTimes] = {}
    extra: dict[str, np.ndarray] = {}
    warnings: list[str] = []
    for mode in modes:
        step(f"{mode}: travel times to the study's counters")
        times[mode], warning = study.travel_times(mode, offline=offline, osm_file=osm_file, use_cache=use_cache)
        if warning:
            warnings.append(warning)
        if xy is not None:
            step(f"{mode}: travel times to {len(opened)} opened counter(s)")
            new, _ = study.travel_times(mode, offline=offline, osm_file=osm_file, use_cache=use_cache, counter_xy=xy,
                                        counter_names=list(opened))
            if new.model != times[mode].model:
                raise ScenarioError(f"{mode}: the opened counters were timed with the {new.model} but the study's "
                                    f"counters with the {times[mode].model}; run again")
            extra[mode] = new.minutes
    return Board(study, times, list(opened.values()), extra, warnings)


@dataclass
class Comparison:
    """Several scenarios evaluated on one board; the first is the reference.

    Attributes
    ----------
    board
        The counters and their minutes.
    scenarios
        The scenarios, reference first.
    """

    board: Board
    scenarios: list[Scenario]
    name: str = field(default="comparison")

    def __post_init__(self) -> None:
        labels = [s.label for s in self.scenarios]
        if len(set(labels)) != len(labels):
            raise ScenarioError(f"a scenario is named twice in {labels}; give each a different name")
        for scenario in self.scenarios:
            self.board.hours(scenario)  # every id and period checked before any work

    @property
    def reference(self) -> Scenario:
        """The first scenario, against which the others are measured."""
        return self.scenarios[0]

    @property
    def modes(self) -> list[str]:
        """The modes evaluated."""
        return self.board.modes

    @cached_property
    def origins(self) -> gpd.GeoDataFrame:
        """One row per origin: ``<mode>|<scenario>|min`` and ``<mode>|<scenario>|counter`` per scenario,
        and ``<mode>|<scenario>|change_min`` against the reference."""
        residents = self.board.study.places.residents
        ids = np.array(self.board.ids, dtype=object)
        columns: dict[str, np.ndarray] = {}
        for mode in self.modes:
            for scenario in self.scenarios:
                time, row = self.board.nearest(scenario, mode)
                columns[f"{mode}|{scenario.label}|min"] = time
                columns[f"{mode}|{scenario.label}|counter"] = np.where(row >= 0, ids[np.maximum(row, 0)], None)
            base = columns[f"{mode}|{self.reference.label}|min"]
            for scenario in self.scenarios[1:]:
                columns[f"{mode}|{scenario.label}|change_min"] = columns[f"{mode}|{scenario.label}|min"] - base
        frame = pd.concat([residents.drop(columns="geometry"), pd.DataFrame(columns, index=residents.index)], axis=1)
        return gpd.GeoDataFrame(frame, geometry=residents.geometry, crs=residents.crs)

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Population-weighted figures per (scenario, mode), with counters open and assumed."""
        origins = self.origins
        population = origins["population"].to_numpy(float)
        rows = []
        for scenario in self.scenarios:
            hours = [parse_hours(h) for h in self.board.hours(scenario)]
            available = self.board.available(scenario)
            for mode in self.modes:
                figures = summarise(origins[f"{mode}|{scenario.label}|min"].to_numpy(), population)
                rows.append({"scenario": scenario.label, "mode": mode, "model": self.board.times[mode].model,
                             "counters_open": int(available.sum()),
                             "assumed_hours": int(sum(h.assumed for h, a in zip(hours, available) if a)),
                             **figures})
        return pd.DataFrame(rows).set_index(["scenario", "mode"])

    @cached_property
    def differences(self) -> pd.DataFrame:
        """Each scenario against the reference, per mode: changes in the figures and who gains or loses."""
        origins, summary = self.origins, self.summary
        population = origins["population"].to_numpy(float)
        rows = []
        for scenario in self.scenarios[1:]:
            for mode in self.modes:
                change = origins[f"{mode}|{scenario.label}|change_min"].to_numpy(float)
                after = summary.loc[(scenario.label, mode)]
                before = summary.loc[(self.reference.label, mode)]
                finite = np.isfinite(change)
                row = {"scenario": scenario.label, "mode": mode, "reference": self.reference.label}
                for figure in ("mean_min", "median_min", "p90_min", "within_30", "unreachable"):
                    row[f"{figure}_change"] = after[figure] - before[figure]
                row["population_worse"] = float(population[finite & (change > 1e-9)].sum()
                                                + population[~finite & np.isinf(change) & (change > 0)].sum())
                row["population_better"] = float(population[finite & (change < -1e-9)].sum())
                row["max_worse_min"] = float(change[finite].max()) if finite.any() else float("nan")
                row["max_better_min"] = float(-change[finite].min()) if finite.any() else float("nan")
                rows.append(row)
        return pd.DataFrame(rows).set_index(["scenario", "mode"]) if rows else pd.DataFrame()

    @cached_property
    def counters(self) -> pd.DataFrame:
        """Each board counter's hours in each scenario, and whether it is available there."""
        frame = pd.DataFrame(self.board.counters[["id", "name", "hypothetical"]])
        for scenario in self.scenarios:
            frame[f"{scenario.label} hours"] = self.board.hours(scenario)
            frame[f"{scenario.label} available"] = self.board.available(scenario)
        return frame.set_index("id")

    def summary_json(self) -> dict[str, Any]:
        """Everything in one JSON-ready dict (scenarios, rule for hours, models, figures, differences)."""
        config = self.board.study.config
        return {
            "study": config.name,
            "generated_by": f"access {__version__}",
            "reference": self.reference.label,
            "scenarios": [{"name": s.name, "label": s.label, "base": s.base, "explain": s.explain(),
                           "description": s.description} for s in self.scenarios],
            "hours_rule": HOURS_RULE,
            "models": {mode: {"model": t.model, "detail": t.detail} for mode, t in self.board.times.items()},
            "results": [{"scenario": s, "mode": m, **{k: json_value(v) for k, v in row.items()}}
                        for (s, m), row in self.summary.iterrows()],
            "differences": [{"scenario": s, "mode": m, **{k: json_value(v) for k, v in row.items()}}
                            for (s, m), row in self.differences.iterrows()],
            "warnings": self.board.warnings,
            "attribution": ATTRIBUTION,
        }

    def _map_areas(self, mode: str, scenario: Scenario) -> gpd.GeoDataFrame:
        origins = self.origins
        before = origins[f"{mode}|{self.reference.label}|min"]
        after = origins[f"{mode}|{scenario.label}|min"]
        frame = pd.DataFrame({"lsoa11": origins["lsoa11"], "population": origins["population"],
                              "before_min": before, "after_min": after, "change_min": after - before})
        table = group_table(frame, "lsoa11", ["before_min", "after_min", "change_min"])
        lsoas = self.board.study.places.lsoas
        return lsoas[["lsoa11", "geometry"]].merge(table, left_on="lsoa11", right_index=True)

    def _map_counters(self) -> gpd.GeoDataFrame:
        counters = self.board.counters[["id", "name", "address", "geometry"]].copy()
        for scenario in self.scenarios:
            available = self.board.available(scenario)
            # A counter closed at the scenario's moment is drawn as closed.
            counters[scenario.label] = [h if a else "off" for h, a in zip(self.board.hours(scenario), available)]
        return counters

    def write_maps(self, folder: Path) -> list[Path]:
        """One map per mode and scenario (against the reference), and ``index.html``."""
        from access.outputs.maps import write_index, write_mode_map
        from access.core.modes import MODES

        config, places = self.board.study.config, self.board.study.places
        counters = self._map_counters()
        labels = [s.label for s in self.scenarios]
        written, pages = [], {}
        estimated = [m for m, t in self.board.times.items() if t.is_estimate]
        for scenario in self.scenarios[1:]:
            for mode in self.modes:
                times = self.board.times[mode]
                name = f"{mode}.html" if len(self.scenarios) == 2 else f"{mode}-{_slug(scenario.label)}.html"
                note = (f"STRAIGHT-LINE ESTIMATE, not a street-network result: times are {times.detail}."
                        if times.is_estimate else f"Street-network model: {times.detail}.")
                note += f" Hours: {HOURS_RULE}."
                written.append(write_mode_map(
                    folder / name, title=f"{config.title}: {scenario.label} against {self.reference.label}",
                    mode_label=MODES[mode].label, model_note=note, is_estimate=times.is_estimate,
                    boundary=places.boundary, areas=self._map_areas(mode, scenario), counters=counters,
                    periods=labels, before=self.reference.label, after=scenario.label, attribution=ATTRIBUTION))
                diff = self.differences.loc[(scenario.label, mode)]
                pages[(f"{scenario.label} against {self.reference.label}, {MODES[mode].label} "
                       f"({times.model}): mean {diff['mean_min_change']:+.1f} min")] = name
        note = (f"STRAIGHT-LINE ESTIMATE for {', '.join(estimated)}." if estimated
                else "Street-network model (OpenStreetMap) for every mode.") + f" Hours: {HOURS_RULE}."
        written.append(write_index(folder / "index.html", title=f"{config.title}: what if", pages=pages,
                                   model_note=note, is_estimate=bool(estimated), attribution=ATTRIBUTION))
        return written

    def write(self, folder: Path | str, *, maps: bool = True) -> dict[str, Path]:
        """Write ``summary.json``, ``summary.csv``, ``differences.csv``, ``counters.csv``,
        ``origins.csv`` and, with ``maps``, the maps: all or none (see :func:`access.core.files.staged_folder`)."""
        folder = Path(folder)
        written: list[Path] = []
        with staged_folder(folder) as stage:
            try:
                written.append(write_json_atomic(stage / "summary.json", self.summary_json()))
                tables = {"summary.csv": self.summary, "differences.csv": self.differences,
                          "counters.csv": self.counters}
                plain = pd.DataFrame(self.origins.drop(columns="geometry"))
                for name, table in tables.items():
                    written.append(write_text_atomic(stage / name, table.to_csv(float_format=CSV_FLOAT_FORMAT)))
                written.append(write_text_atomic(stage / "origins.csv",
                                                 plain.to_csv(index=False, float_format=CSV_FLOAT_FORMAT)))
                if maps:
                    written += self.write_maps(stage)
            except PermissionError as exc:
                raise OutputError(f"cannot write to {str(folder)!r} ({exc.strerror}); "
                                  f"choose another with --out") from exc
        return {path.name: folder / path.name for path in written}


def compare(board: Board, scenarios: Sequence[Scenario], name: str = "comparison") -> Comparison:
    """Evaluate ``scenarios`` on ``board``; the first is the reference."""
    if len(scenarios) < 1:
        raise ScenarioError("compare needs at least one scenario or period")
    return Comparison(board, list(scenarios), name)

