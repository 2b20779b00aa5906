import numpy as np
import pandas as pd
import pytest

from access.measure import group_table, nearest_open, summarise, switch_table, weighted_quantile


def test_nearest_open_ignores_closed_counters():
    minutes = np.array([[5.0, 30.0, 8.0], [10.0, 2.0, 8.0]])
    time, row = nearest_open(minutes, np.array([True, True]))
    assert time.tolist() == [5.0, 2.0, 8.0] and row.tolist() == [0, 1, 0]
    time, row = nearest_open(minutes, np.array([False, True]))
    assert time.tolist() == [10.0, 2.0, 8.0] and row.tolist() == [1, 1, 1]
    time, row = nearest_open(minutes, np.array([False, False]))
    assert np.isinf(time).all() and (row == -1).all()


def test_weighted_quantile_counts_people_not_points():
    values = np.array([10.0, 20.0, 30.0])
    assert weighted_quantile(values, np.array([1, 1, 1]), 0.5) == 20.0
    assert weighted_quantile(values, np.array([5, 1, 1]), 0.5) == 10.0
    assert weighted_quantile(values, np.array([0, 1, 10]), 0.5) == 30.0
    assert weighted_quantile(values, np.array([1, 1, 1]), 0.9) == 30.0
    assert np.isnan(weighted_quantile(values, np.zeros(3), 0.5))


def test_summary_figures_by_hand():
    time = np.array([5.0, 15.0, 25.0, 50.0, np.inf])
    people = np.array([10.0, 20.0, 30.0, 40.0, 100.0])
    figures = summarise(time, people)
    assert figures["population"] == 100 and figures["unreachable"] == 100
    assert figures["mean_min"] == pytest.approx((50 + 300 + 750 + 2000) / 100)
    assert figures["median_min"] == 25.0 and figures["p90_min"] == 50.0
    assert figures["within_10"] == pytest.approx(10 / 200)
    assert figures["within_30"] == pytest.approx(60 / 200)
    assert figures["within_60"] == pytest.approx(100 / 200)


def test_group_table_and_switches():
    frame = pd.DataFrame({"ward": ["a", "a", "b"], "population": [1.0, 3.0, 0.0], "t": [10.0, 20.0, 5.0]})
    table = group_table(frame, "ward", ["t"])
    assert table.loc["a", "t"] == pytest.approx(17.5) and table.loc["a", "population"] == 4
    assert np.isnan(table.loc["b", "t"])
    switches = switch_table(pd.Series(["x", "x", "y"]), pd.Series(["z", "x", "z"]),
                            pd.Series([4.0, 0.0, 2.0]), pd.Series([1.0, 5.0, 3.0]))
    assert len(switches) == 2
    first = switches.iloc[0]
    assert (first["from_counter"], first["to_counter"], first["population"]) == ("y", "z", 3.0)
    assert switches.iloc[1]["mean_change_min"] == 4.0
