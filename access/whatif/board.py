"""The board: counter × origin minutes computed once per mode, on which every scenario is a choice of rows.

Evaluation never re-routes the study's counters.  A :class:`Board` holds the
counter × origin minutes of the study's counters, computed once per mode, plus
one extra row per opened counter (one shortest-path run, or one straight-line
row, per new site).  A scenario, a period, a moment of the week or a subset
of counters is then a boolean availability vector over the board's rows
(:meth:`Board.available`, by the one rule of
:func:`access.inputs.hours.available`), and each origin's time is the minimum
over the available rows (:func:`access.analysis.figures.nearest_open`).

Example
-------
>>> from access import load_study
>>> from access.whatif.scenario import Scenario, period_scenario
>>> board = build_board(load_study("redbridge-2017"), [], modes=["walk"], offline=True)
>>> board
Board('redbridge-2017': 10 counters (0 hypothetical) × 4,599 origins; walk (straight-line estimate))
>>> time, row = board.nearest(Scenario("no-ilford", "2018_2025", close=("ilford",)), "walk")
>>> bool((time >= board.nearest(period_scenario("2018_2025"), "walk")[0]).all())
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from access.analysis.figures import nearest_open
from access.analysis.study import Study, StudyResult, coverage_table
from access.core.arguments import names
from access.core.errors import ScenarioError
from access.inputs.config import StudyConfig
from access.inputs.hours import Moment, available, parse_hours
from access.routing.router import Router
from access.routing.travel import TravelTimes
from access.whatif.scenario import OpenedCounter, Scenario, counter_id

__all__ = ["Board", "build_board", "board_from_result"]

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
    router
        The router the rows came from (it routes the rows of new counters).

    Examples
    --------
    >>> from access import load_study
    >>> board = build_board(load_study("redbridge-2017"), [], modes=["walk"], offline=True)
    >>> board.ids[:3], board.minutes["walk"].shape
    (['ilford', 'barkingside', 'woodford'], (10, 4599))
    """

    def __init__(self, study: Study, times: dict[str, TravelTimes], router: Router,
                 opened: Sequence[OpenedCounter] = (), opened_minutes: dict[str, np.ndarray] | None = None) -> None:
        self.study = study
        self.times = times
        self.router = router
        self.opened = list(opened)
        self.minutes = {mode: np.vstack([t.minutes, opened_minutes[mode]]) if self.opened and opened_minutes
                        else t.minutes for mode, t in times.items()}

    def opening(self, scenarios: Sequence[Scenario], *, on_step: StepCallback | None = None) -> Board:
        """Return this board with a row for every counter the ``scenarios`` open that it lacks: only those are routed.

        Raises
        ------
        ScenarioError
            A scenario names an unknown counter or period, or opens a counter far outside the study.
        """
        step = on_step or (lambda _d: None)
        opened = _check_scenarios(self.study, self.opened, scenarios)
        if not opened:
            return self
        config = self.study.config
        points = gpd.GeoSeries(gpd.points_from_xy([c.lon for c in opened.values()],
                                                  [c.lat for c in opened.values()]), crs="EPSG:4326").to_crs(config.crs)
        distance = points.distance(self.study.places.boundary.geometry.iloc[0]).to_numpy()
        far = [f"{c.id} ({d:,.0f} m)" for c, d in zip(opened.values(), distance, strict=True)
               if d > config.counter_max_m]
        if far:
            raise ScenarioError(f"opened counter(s) {', '.join(far)} lie more than {config.counter_max_m:g} m "
                                f"from {' + '.join(config.boroughs)}; check that lat and lon are not swapped")
        xy = np.column_stack([points.x, points.y])
        extra = {}
        for mode in self.modes:
            step(f"{mode}: travel times to {len(opened)} opened counter(s)")
            rows = self.router.times(mode, xy, counter_names=list(opened)).minutes
            own = len(self.study.places.counters)
            extra[mode] = np.vstack([self.minutes[mode][own:], rows])
        return Board(self.study, self.times, self.router, [*self.opened, *opened.values()], extra)

    def __repr__(self) -> str:
        models = ", ".join(f"{mode} ({t.model})" for mode, t in self.times.items())
        n_origins = next(iter(self.minutes.values())).shape[1] if self.minutes else 0
        return (f"Board({self.study.name!r}: {len(self.ids)} counters ({len(self.opened)} hypothetical) × "
                f"{n_origins:,} origins; {models})")

    @property
    def modes(self) -> list[str]:
        """The modes on the board."""
        return list(self.times)

    @cached_property
    def coverage(self) -> pd.DataFrame:
        """Per mode, how well the study counters' times cover it (:func:`~access.analysis.study.coverage_table`)."""
        return coverage_table(self.study, self.times)

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
        """Return the scenario's hours for every counter on the board (``off`` for those it does not open).

        Raises
        ------
        ScenarioError
            The scenario's base period, a closed counter, an hours override or
            an opened counter is unknown to this board.
        """
        config = self.study.config
        where = f"scenario {scenario.name!r}: "
        base = _period(config, scenario)
        ids = self.ids
        counter_names = self.counters["name"].astype(str).tolist()
        own = len(self.study.places.counters)
        text = {cid: (self.counters[base].iloc[row] if row < own else "off")
                for row, cid in enumerate(ids)}
        for counter in scenario.open:
            if counter.id not in text or counter not in self.opened:
                raise ScenarioError(f"scenario {scenario.name!r}: opened counter {counter.id!r} is not on the "
                                    f"board; build the board with this scenario")
            text[counter.id] = counter.hours
        for cid in scenario.close:
            text[counter_id(cid, ids, counter_names, where=where)] = "off"
        for cid, hours in scenario.hours:
            parse_hours(hours)
            text[counter_id(cid, ids, counter_names, where=f"{where}hours for ")] = hours
        return [text[cid] for cid in ids]

    def available(self, scenario: Scenario) -> np.ndarray:
        """Boolean per board row: available in the scenario (at its moment, when it has one)."""
        return available(self.hours(scenario), scenario.at)

    def nearest(self, scenario: Scenario, mode: str) -> tuple[np.ndarray, np.ndarray]:
        """Each origin's minutes to its nearest available counter and that counter's row.

        Origins excluded from the mode's figures (more than 1 km from its
        network) get ``NaN`` minutes and row ``-1``, as in :attr:`StudyResult.origins`.
        A scenario at a moment drives in the traffic of that hour (:meth:`minutes_at`).
        """
        return nearest_open(self.minutes_at(mode, scenario.at), self.available(scenario), self.times[mode].excluded)

    def minutes_at(self, mode: str, moment: Moment | None) -> np.ndarray:
        """Return the mode's full matrix at ``moment``: drive times stretch with the traffic of the hour.

        No moment (and every mode but driving) gives :attr:`minutes` as they are
        (:meth:`access.routing.travel.TravelTimes.at`).
        """
        return self.times[mode].at(moment, self.minutes[mode])

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

    Raises
    ------
    ScenarioError
        A scenario names an unknown counter or period, or opens a counter far outside the study.

    Examples
    --------
    >>> from access import load_study
    >>> board = build_board(load_study("redbridge-2017"), [], modes=["walk"], offline=True)
    >>> board.modes, board.minutes["walk"].shape   # counters × origins, routed once
    (['walk'], (10, 4599))
    """
    step = on_step or (lambda _d: None)
    modes = [study.mode(mode) for mode in names(modes, "modes", at_least_one=True)] or list(study.config.modes)
    step("loading counters, boundaries and residents")
    _check_scenarios(study, [], scenarios)  # every id and period checked before any routing
    router = study.router(offline=offline, osm_file=osm_file, use_cache=use_cache)
    times: dict[str, TravelTimes] = {}
    for mode in modes:
        step(f"{mode}: travel times to the study's counters")
        times[mode] = study.travel_times(mode, offline=offline, osm_file=osm_file, use_cache=use_cache)
    return Board(study, times, router).opening(scenarios, on_step=step)


def board_from_result(result: StudyResult, scenarios: Sequence[Scenario] = (), *,
                      on_step: StepCallback | None = None) -> Board:
    """Return the board of a study run: its times, plus one row per counter the ``scenarios`` open.

    Nothing already routed is routed again; only the opened counters are, by
    the router the run used (the same networks), or, for times given without
    one, by the study's offline router.

    Raises
    ------
    ScenarioError
        A scenario names an unknown counter or period, or opens a counter far outside
        the study or in a mode whose times were imported.

    Examples
    --------
    >>> from access import load_study
    >>> from access.whatif.scenario import study_scenarios
    >>> result = load_study("redbridge-2017").run(modes=["walk"], offline=True)
    >>> board_from_result(result, list(study_scenarios(result.study).values())).ids[-1]
    'gants-hill'
    """
    router = result.router if result.router is not None else result.study.router(offline=True)
    return Board(result.study, dict(result.times), router).opening(scenarios, on_step=on_step)


def _check_scenarios(study: Study, opened_before: Sequence[OpenedCounter],
                     scenarios: Sequence[Scenario]) -> dict[str, OpenedCounter]:
    """Return the counters the scenarios open (new ones only), after checking every id, period and hours."""
    own_ids = set(study.places.counters["id"])
    known_opened = {c.id: c for c in opened_before}
    opened: dict[str, OpenedCounter] = {}
    for scenario in scenarios:
        for counter in scenario.open:
            if counter.id in own_ids:
                raise ScenarioError(f"scenario {scenario.name!r}: opened counter id {counter.id!r} is already a "
                                    f"counter of the study; give the new counter another name")
            for seen in (known_opened, opened):
                if counter.id in seen and seen[counter.id] != counter:
                    raise ScenarioError(f"two different opened counters are called {counter.id!r}; rename one")
            if counter.id not in known_opened:
                opened[counter.id] = counter
    known = [*study.places.counters["id"], *known_opened, *opened]
    counter_names = [*study.places.counters["name"].astype(str), *(c.name for c in known_opened.values()),
                     *(c.name for c in opened.values())]
    for scenario in scenarios:
        _period(study.config, scenario)
        for cid in (*scenario.close, *(c for c, _ in scenario.hours)):
            counter_id(cid, known, counter_names, where=f"scenario {scenario.name!r}: ")
        for _, text in scenario.hours:
            parse_hours(text)
    return opened


def _period(config: StudyConfig, scenario: Scenario) -> str:
    """Return the id of the scenario's base period (named by id or label), or refuse it naming the scenario."""
    try:
        return config.period_id(scenario.base, error=ScenarioError)
    except ScenarioError as exc:
        raise ScenarioError(f"scenario {scenario.name!r}: {exc}") from None
