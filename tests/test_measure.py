import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from access.measure import group_table, nearest_open, summarise, switch_table, weighted_quantile


def test_nearest_open_ignores_closed_counters():
    minutes = np.array([[5.0, 30.0, 8.0], [10.0, 2.0, 8.0]])
    time, row = nearest_open(minutes, np.array([True, True]))
    assert time.tolist() == [5.0, 2.0, 8.0] and row.tolist() == [0, 1, 0]
    time, row = nearest_open(minutes, np.array([False, True]))
    assert time.tolist() == [10.0, 2.0, 8.0] and row.tolist() == [1, 1, 1]
    time, row = nearest_open(minutes, np.array([False, False]))
    assert np.isinf(time).all() and (row == -1).all()


@given(st.integers(1, 6), st.integers(1, 12), st.integers(0, 2**16))
@settings(max_examples=200, deadline=None)
def test_nearest_open_is_the_first_minimum_over_open_rows(counters, origins, seed):
    rng = np.random.default_rng(seed)
    minutes = rng.integers(0, 4, (counters, origins)).astype(float)  # small integers: many ties
    minutes[rng.random((counters, origins)) < 0.2] = np.inf  # unreachable pairs
    available = rng.random(counters) < 0.6
    time, row = nearest_open(minutes, available)
    for j in range(origins):
        open_times = [(minutes[i, j], i) for i in range(counters) if available[i]]
        best = min(open_times, default=(np.inf, -1))
        assert time[j] == best[0]
        assert row[j] == (best[1] if np.isfinite(best[0]) else -1)


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
