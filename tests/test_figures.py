import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from access.analysis.figures import (
    change_figures,
    group_figures,
    nearest_open,
    summarise,
    switch_table,
    weighted_quantile,
)


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


def test_group_figures_and_switches():
    table = group_figures(np.array([10.0, 20.0, 5.0]), np.array([1.0, 3.0, 0.0]), np.array(["a", "a", "b"]))
    assert table.loc["a", "mean_min"] == pytest.approx(17.5) and table.loc["a", "population"] == 4
    assert np.isnan(table.loc["b", "mean_min"]), "a group of nobody has no mean"
    switches = switch_table(pd.Series(["x", "x", "y"]), pd.Series(["z", "x", "z"]),
                            pd.Series([4.0, 0.0, 2.0]), pd.Series([1.0, 5.0, 3.0]))
    assert len(switches) == 2
    first = switches.iloc[0]
    assert (first["from_counter"], first["to_counter"], first["population"]) == ("y", "z", 3.0)
    assert switches.iloc[1]["mean_change_min"] == 4.0


def test_origins_without_a_group_belong_to_none():
    table = group_figures(np.array([10.0, 20.0]), np.ones(2), pd.Series(["a", None]))
    assert table.index.tolist() == ["a"] and table.loc["a", "population"] == 1


def test_change_figures_count_who_is_worse_and_better_off():
    before = np.array([10.0, 10.0, 10.0, np.inf, 5.0, np.nan])
    after = np.array([12.0, 8.0, np.inf, 7.0, 5.0, np.nan])
    table = change_figures(before, after, np.array([1.0, 2.0, 4.0, 8.0, 16.0, 32.0]), thresholds=[30])
    row = table.loc["all"]
    assert row["worse"] == 1 + 4, "a rise, and losing every counter, are worse"
    assert row["better"] == 2 + 8, "a fall, and gaining a counter, are better"
    assert row["max_worse_min"] == 2 and row["max_better_min"] == 2, "only finite changes are measured"
    assert row["excluded_before"] == row["excluded_after"] == 32
    assert row["mean_change_min"] == pytest.approx(row["mean_min_after"] - row["mean_min_before"])


# --------------------------------------------------------------------------- properties

minutes_values = st.one_of(st.floats(0, 600, allow_nan=False), st.just(np.inf))


@st.composite
def matrices(draw):
    """Return a counters × origins matrix of minutes (some unreachable), an availability mask and populations."""
    counters, origins = draw(st.integers(1, 6)), draw(st.integers(1, 12))
    minutes = draw(arrays(float, (counters, origins), elements=minutes_values))
    available = draw(arrays(bool, counters))
    population = draw(arrays(float, origins, elements=st.floats(0, 5000, allow_nan=False)))
    return minutes, available, population


@settings(max_examples=100, deadline=None)
@given(matrices(), st.data())
def test_closing_never_shortens_and_opening_never_lengthens(case, data):
    minutes, available, _ = case
    which = data.draw(st.integers(0, len(available) - 1))
    time, _ = nearest_open(minutes, available)
    closed, opened = available.copy(), available.copy()
    closed[which], opened[which] = False, True
    assert np.all(nearest_open(minutes, closed)[0] >= time)
    assert np.all(nearest_open(minutes, opened)[0] <= time)
    # the nearest open counter is open, and its time is the row minimum over open counters
    _, row = nearest_open(minutes, available)
    assert all(available[r] for r in row if r >= 0)


@settings(max_examples=100, deadline=None)
@given(matrices(), st.randoms(use_true_random=False))
def test_order_of_counters_and_origins_does_not_change_the_figures(case, random):
    minutes, available, population = case
    counters = random.sample(range(minutes.shape[0]), minutes.shape[0])
    origins = random.sample(range(minutes.shape[1]), minutes.shape[1])
    time, _ = nearest_open(minutes, available)
    shuffled, _ = nearest_open(minutes[counters][:, origins], available[counters])
    np.testing.assert_array_equal(shuffled, time[origins])
    figures = summarise(time, population)
    again = summarise(shuffled, population[origins])
    assert figures.keys() == again.keys()
    for key, value in figures.items():
        assert again[key] == pytest.approx(value, rel=1e-9, abs=1e-6, nan_ok=True), key


def test_not_measured_origins_are_excluded_and_counted():
    time = np.array([5.0, np.nan, 25.0, np.inf])
    people = np.array([10.0, 1000.0, 30.0, 60.0])
    figures = summarise(time, people)
    assert figures["excluded"] == 1000 and figures["unreachable"] == 60 and figures["population"] == 40
    assert figures["mean_min"] == pytest.approx((50 + 750) / 40)
    assert figures["within_30"] == pytest.approx(40 / 100), "shares are of the measured residents"
    table = group_figures(np.array([10.0, np.nan, np.nan]), np.array([1.0, 3.0, 2.0]), np.array(["a", "a", "b"]))
    assert table.loc["a", "mean_min"] == 10.0 and np.isnan(table.loc["b", "mean_min"])
    assert table["population"].tolist() == [1.0, 0.0], "excluded residents are not counted"
    assert table["excluded"].tolist() == [3.0, 2.0]


groups_of = st.sampled_from(["a", "b", "c"])


@st.composite
def grouped(draw):
    """Draw times (some unreachable, some excluded), weights (some zero) and a group per origin."""
    n = draw(st.integers(1, 40))
    value = st.one_of(st.sampled_from([1.0, 2.0, 3.0, 5.0, 8.0, 30.0, 31.0]), st.floats(0, 90),
                      st.just(np.inf), st.just(np.nan))
    time = np.array(draw(st.lists(value, min_size=n, max_size=n)))
    weights = np.array(draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, 7.25]), min_size=n, max_size=n)))
    groups = np.array(draw(st.lists(groups_of, min_size=n, max_size=n)), dtype=object)
    return time, weights, groups


@settings(max_examples=300, deadline=None)
@given(grouped())
def test_group_figures_equal_the_rule_worked_out_origin_by_origin(case):
    time, weights, groups = case
    table = group_figures(time, weights, groups, thresholds=[30])
    for group in sorted(set(groups)):
        t, w = time[groups == group], weights[groups == group]
        finite, excluded = np.isfinite(t), np.isnan(t)
        measured = w[~excluded].sum()
        row = table.loc[group]
        assert row["population"] == pytest.approx(w[finite].sum())
        assert row["excluded"] == pytest.approx(w[excluded].sum())
        assert row["unreachable"] == pytest.approx(w[~finite & ~excluded].sum())
        if w[finite].sum() > 0:
            assert row["mean_min"] == pytest.approx((t[finite] * w[finite]).sum() / w[finite].sum())
        else:
            assert np.isnan(row["mean_min"])
        assert row["median_min"] == pytest.approx(weighted_quantile(t[finite], w[finite], 0.5), nan_ok=True)
        assert row["p90_min"] == pytest.approx(weighted_quantile(t[finite], w[finite], 0.9), nan_ok=True)
        within = w[finite & (t <= 30)].sum() / measured if measured > 0 else np.nan
        assert row["within_30"] == pytest.approx(within, nan_ok=True)
    everyone = group_figures(time, weights, thresholds=[30]).loc["all"]
    assert everyone.to_dict() == pytest.approx(summarise(time, weights, thresholds=[30]), nan_ok=True)


def test_the_rule_is_the_same_in_every_command(city):
    """Excluded origins (the City extract leaves 550 walkers more than 1 km away) count the same everywhere.

    ``access run`` (the summary), ``scenario``/``compare`` (a comparison), ``hours`` (the week), ``sweep`` and
    ``site`` (the existing counters' mean) all give the study's own figure for the same counters.
    """
    from access.inputs.hours import parse_moment
    from access.whatif.board import build_board
    from access.whatif.comparison import compare
    from access.whatif.scenario import period_scenario
    from access.whatif.siting import search_sites
    from access.whatif.sweep import sweep
    from access.whatif.week import week_table

    run = city.run(modes=["walk"]).summary.loc[("both_open", "walk")]
    assert run["excluded"] > 500 and run["unreachable"] == 0
    board = build_board(city, [], modes=["walk"])
    scenario = compare(board, [period_scenario("both_open")]).summary.loc[("both_open", "walk")]
    for key in ("population", "unreachable", "excluded", "mean_min", "median_min", "p90_min", "within_30"):
        assert scenario[key] == run[key], key
    week = week_table(board, periods=["both_open"], moments={"noon": parse_moment("Tue 12:00")})
    row = week.table.loc[("walk", "both_open")]
    assert row["noon mean_min"] == run["mean_min"] and row["noon within_30"] == run["within_30"]
    assert row["noon unreachable"] == 0, "excluded origins are not unreachable"
    swept = sweep(board, among=["snow-hill"], base="both_open", real="both_open").table
    mine = swept[swept["subset"] == "snow-hill"].iloc[0]
    assert mine["mean_min"] == pytest.approx(run["mean_min"], rel=1e-12)
    assert mine["within_30"] == pytest.approx(run["within_30"], rel=1e-12) and mine["unreachable"] == 0
    sites = search_sites(city, modes=["walk"], ps=[1], period="both_open", with_best=False, max_candidates=50)
    assert sites.modes["walk"].existing_mean_min == pytest.approx(run["mean_min"], rel=1e-12)


def test_at_least_counts_residents_t_minutes_or_more_unreachable_included_excluded_never():
    """MOPAC's criterion as a figure of the one function: exactly T counts, inf counts, NaN never does."""
    time = np.array([59.99, 60.0, 75.0, np.inf, np.nan, 44.0, 45.0])
    weights = np.array([1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0])
    groups = np.array(["a", "a", "a", "b", "b", "b", "b"])
    table = group_figures(time, weights, groups, thresholds=(60,), at_least=(60, 45))
    assert table["at_least_60"].to_dict() == {"a": 6.0, "b": 8.0}
    assert table["at_least_45"].to_dict() == {"a": 7.0, "b": 72.0}
    measured = table["population"] + table["unreachable"]
    # "60 or more" and "within 60" overlap only at exactly 60 minutes
    np.testing.assert_allclose(table["at_least_60"] + table["within_60"] * measured, measured + [2.0, 0.0])
    changed = change_figures(time, np.where(np.isfinite(time), time + 1, time), weights, groups, thresholds=(),
                             quantiles=False, at_least=(60,))
    assert changed["at_least_60_change"].to_dict() == {"a": 1.0, "b": 0.0}
