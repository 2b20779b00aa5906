"""Comparisons (access/whatif/comparison.py): several scenarios against the first."""

import numpy as np
import pytest

from access.analysis.figures import change_figures
from access.whatif.comparison import compare
from access.whatif.scenario import period_scenario, study_scenarios


def test_hours_override_and_compare_table(redbridge, redbridge_board):
    kept = study_scenarios(redbridge)["barkingside-not-ilford"]
    hours = dict(zip(redbridge_board.ids, redbridge_board.hours(kept), strict=True))
    assert hours["barkingside"] == "Mo-Fr 07:00-23:00" and hours["ilford"] == "off"
    comparison = compare(redbridge_board, [period_scenario("2018_2025"), kept, period_scenario("2013_2017")])
    diff = comparison.differences
    assert set(diff.index.get_level_values("scenario")) == {"barkingside-not-ilford", "2013_2017"}
    # 2013-2017 had both Barkingside and Ilford: nobody is worse off than in 2018-2025
    assert diff.loc[("2013_2017", "walk"), "population_worse"] == 0
    assert diff.loc[("barkingside-not-ilford", "walk"), "population_worse"] > 0


def test_differences_follow_the_one_rule(redbridge_board):
    comparison = compare(redbridge_board, [period_scenario("2018_2025"), period_scenario("2013_2017")])
    origins = comparison.origins
    for mode in comparison.modes:
        expected = change_figures(origins[f"{mode}|2018_2025|min"], origins[f"{mode}|2013_2017|min"],
                                  origins["population"]).iloc[0]
        row = comparison.differences.loc[("2013_2017", mode)]
        assert row["mean_min_change"] == pytest.approx(expected["mean_change_min"])
        assert row["population_better"] == pytest.approx(expected["better"])
        assert comparison.summary.loc[("2013_2017", mode), "mean_min"] == pytest.approx(expected["mean_min_after"])
    lsoas = comparison.by_lsoa("walk", comparison.scenarios[1])
    weights = lsoas["population"].to_numpy()
    mean_after = np.average(lsoas["after_min"], weights=weights)
    assert mean_after == pytest.approx(comparison.summary.loc[("2013_2017", "walk"), "mean_min"])
