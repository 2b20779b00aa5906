"""Several scenarios on one board, against the first: figures, differences, per-LSOA changes.

Every figure comes from :func:`access.analysis.figures.group_figures` (through
:func:`~access.analysis.figures.summarise` and
:func:`~access.analysis.figures.change_figures`), the rule of every table.
Writing the comparison's files is :func:`access.outputs.writers.write`'s job.

Example
-------
>>> from access import load_study
>>> from access.whatif.board import build_board
>>> from access.whatif.scenario import Scenario, parse_opened, period_scenario
>>> study = load_study("redbridge-2017")
>>> gants = Scenario("gants", "2018_2025", close=("ilford",), open=(parse_opened("Gants Hill=51.5765,0.0661"),))
>>> result = compare(build_board(study, [gants], modes=["walk"], offline=True), [period_scenario("2018_2025"), gants])
>>> result
Comparison('redbridge-2017': gants against 2018_2025; walk)
>>> round(float(result.differences.loc[("gants", "walk"), "mean_min_change"]), 1)
-5.1
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd

from access.analysis.figures import change_figures, group_figures
from access.core.errors import ScenarioError
from access.inputs.hours import parse_hours
from access.whatif.board import Board
from access.whatif.scenario import Scenario

__all__ = ["Comparison", "compare"]


@dataclass(repr=False)
class Comparison:
    """Several scenarios evaluated on one board; the first is the reference.

    Attributes
    ----------
    board
        The counters and their minutes.
    scenarios
        The scenarios, reference first.
    name
        What the comparison is called (its output folder's name).

    Examples
    --------
    >>> from access import load_study
    >>> from access.whatif.board import build_board
    >>> from access.whatif.scenario import period_scenario
    >>> board = build_board(load_study("redbridge-2017"), [], modes=["walk"], offline=True)
    >>> result = compare(board, [period_scenario("2018_2025"), period_scenario("2013_2017")])
    >>> round(float(result.differences.loc[("2013_2017", "walk"), "mean_min_change"]), 1)
    -11.6
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

    def __repr__(self) -> str:
        others = ", ".join(s.label for s in self.scenarios[1:]) or "(nothing)"
        return (f"Comparison({self.board.study.name!r}: {others} against {self.reference.label}; "
                f"{', '.join(self.modes)})")

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
        """One row per origin, with its minutes and nearest counter in each scenario.

        Columns ``<mode>|<scenario>|min`` and ``<mode>|<scenario>|counter`` per
        scenario, and ``<mode>|<scenario>|change_min`` against the reference.
        """
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

    def _minutes(self, mode: str, scenario: Scenario) -> np.ndarray:
        return self.origins[f"{mode}|{scenario.label}|min"].to_numpy(float)

    @property
    def _population(self) -> np.ndarray:
        return self.origins["population"].to_numpy(float)

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Population-weighted figures per (scenario, mode), with counters open and assumed."""
        rows = []
        for scenario in self.scenarios:
            hours = [parse_hours(h) for h in self.board.hours(scenario)]
            available = self.board.available(scenario)
            for mode in self.modes:
                figures = group_figures(self._minutes(mode, scenario), self._population).iloc[0]
                rows.append({"scenario": scenario.label, "mode": mode, "model": self.board.times[mode].model,
                             "counters_open": int(available.sum()),
                             "assumed_hours": int(sum(h.assumed for h, a in zip(hours, available, strict=True) if a)),
                             **figures.to_dict()})
        return pd.DataFrame(rows).set_index(["scenario", "mode"])

    @cached_property
    def differences(self) -> pd.DataFrame:
        """Each scenario against the reference, per mode: changes in the figures and who gains or loses.

        Columns: ``reference``, ``mean_min_change``, ``median_min_change``,
        ``p90_min_change``, ``within_30_change``, ``unreachable_change``,
        ``population_worse``, ``population_better`` (residents whose time rose
        or fell), ``max_worse_min`` and ``max_better_min`` (the largest rise
        and fall, minutes).
        """
        rows = []
        for scenario in self.scenarios[1:]:
            for mode in self.modes:
                table = change_figures(self._minutes(mode, self.reference), self._minutes(mode, scenario),
                                       self._population).iloc[0]
                row = {"scenario": scenario.label, "mode": mode, "reference": self.reference.label}
                for figure in ("mean_min", "median_min", "p90_min", "within_30", "unreachable"):
                    row[f"{figure}_change"] = table[f"{figure}_after"] - table[f"{figure}_before"]
                row["population_worse"] = float(table["worse"])
                row["population_better"] = float(table["better"])
                row["max_worse_min"] = float(table["max_worse_min"])
                row["max_better_min"] = float(table["max_better_min"])
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

    def by_lsoa(self, mode: str, scenario: Scenario) -> pd.DataFrame:
        """Per LSOA: residents counted, mean minutes in the reference and in ``scenario``, and the change."""
        table = change_figures(self._minutes(mode, self.reference), self._minutes(mode, scenario), self._population,
                               self.origins["lsoa11"], thresholds=(), quantiles=False)
        return pd.DataFrame({"population": table["population_before"] + table["unreachable_before"],
                             "before_min": table["mean_min_before"], "after_min": table["mean_min_after"],
                             "change_min": table["mean_change_min"]}).rename_axis("lsoa11")


def compare(board: Board, scenarios: Sequence[Scenario], name: str = "comparison") -> Comparison:
    """Evaluate ``scenarios`` on ``board``; the first is the reference.

    Raises
    ------
    ScenarioError
        No scenario is given, two share a name, or one names an unknown counter or period.

    Examples
    --------
    >>> from access import load_study
    >>> from access.whatif.board import build_board
    >>> from access.whatif.scenario import period_scenario
    >>> board = build_board(load_study("redbridge-2017"), [], modes=["walk"], offline=True)
    >>> found = compare(board, [period_scenario("2013_2017"), period_scenario("2018_2025")])
    >>> found.summary["mean_min"].round(1).tolist()
    [33.7, 45.4]
    """
    if len(scenarios) < 1:
        raise ScenarioError("compare needs at least one scenario or period")
    return Comparison(board, list(scenarios), name)
