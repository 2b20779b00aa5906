"""The equity breakdowns, checked against an independent recomputation from the per-origin table."""

import numpy as np
import pandas as pd
import pytest

from access.analysis.equity import breakdown, income_quintile, origin_attributes, ptal_band
from access.core.errors import DataError
from access.inputs.sources import mirror_file

BANDS = {0: "0", 1: "1a", 2: "1b", 3: "2", 4: "3", 5: "4", 6: "5", 7: "6a", 8: "6b"}


@pytest.fixture(scope="module")
def census():
    return pd.read_csv(mirror_file("lsoa_census"))


@pytest.fixture(scope="module")
def recomputed(redbridge_result, census):
    """Per-origin rows with weights and groups, built here with plain pandas merges."""
    origins = pd.DataFrame(redbridge_result.origins.drop(columns="geometry"))
    frame = origins.merge(census, on="lsoa11", how="left")
    outside = frame["residents_2011"].isna()
    assert (frame.loc[outside, "population"] == 0).all(), "postcodes newer than the lookup weigh nothing"
    frame = frame[~outside]
    ratio = frame["population"] / frame["residents_2011"]
    frame["w_residents"] = frame["population"]
    frame["w_households"] = ratio * frame["households_2011"]
    frame["w_no_car"] = ratio * frame["households_no_car_2011"]
    frame["w_car"] = ratio * (frame["households_2011"] - frame["households_no_car_2011"])
    # London-wide quintiles: every London LSOA once; an income on an edge goes to the lower quintile.
    ranks = pd.qcut(census["median_household_income_2011"], 5, labels=False)
    tops = census.groupby(ranks)["median_household_income_2011"].max().sort_index().to_numpy()
    incomes = frame["median_household_income_2011"]
    frame["income_q"] = [1 + int(sum(income > top for top in tops[:4])) for income in incomes]
    frame["ptal_b"] = [BANDS[int(score + 0.5)] for score in frame["ptal_2014_avg_score"]]
    share = frame["households_no_car_2011"] / frame["households_2011"]
    frame["no_car_b"] = pd.cut(share, [-1, 0.2, 0.4, 0.6, 2], right=False, labels=["u20", "20-40", "40-60", "60+"])
    return frame


def _median(times, weights):
    keep = weights > 0
    pairs = sorted(zip(times[keep], weights[keep], strict=True))
    half, running = sum(w for _, w in pairs) / 2, 0.0
    for time, weight in pairs:
        running += weight
        if running >= half * (1 - 1e-12):
            return time
    raise AssertionError("no median")


def _expected(rows, weight, mode, before="2013_2017", after="2018_2025"):
    b, a, w = rows[f"{mode}_{before}_min"].to_numpy(), rows[f"{mode}_{after}_min"].to_numpy(), rows[weight].to_numpy()
    return {
        "count": w.sum(),
        "mean_before_min": (b * w).sum() / w.sum(),
        "mean_after_min": (a * w).sum() / w.sum(),
        "mean_change_min": ((a - b) * w).sum() / w.sum(),
        "median_before_min": _median(b, w),
        "median_after_min": _median(a, w),
        "over_30_before": w[b > 30].sum() / w.sum(),
        "over_30_after": w[a > 30].sum() / w.sum(),
    }


def _check(table, dimension, group, weight, mode, expected):
    row = table.loc[(dimension, group, weight, mode)]
    for key, value in expected.items():
        assert row[key] == pytest.approx(value, rel=1e-9, abs=1e-9), (dimension, group, weight, mode, key)


def test_households_reconcile_with_the_census(redbridge_result, census):
    groups = redbridge_result.origin_groups
    lsoas = census[census["lsoa11"].isin(redbridge_result.origins["lsoa11"])]
    assert groups["households"].sum() == pytest.approx(lsoas["households_2011"].sum())
    assert groups["households_no_car"].sum() == pytest.approx(lsoas["households_no_car_2011"].sum())
    assert groups["residents"].sum() == pytest.approx(278_970)


def test_car_breakdown_matches_recomputation(redbridge_result, recomputed):
    table = redbridge_result.breakdowns
    for mode in ("walk", "cycle", "drive"):
        _check(table, "car", "no car or van", "households", mode, _expected(recomputed, "w_no_car", mode))
        _check(table, "car", "car or van", "households", mode, _expected(recomputed, "w_car", mode))
        _check(table, "all", "everyone", "residents", mode, _expected(recomputed, "w_residents", mode))
    assert ("car", "no car or van", "residents", "walk") not in table.index, "cars are counted per household"
    # The everyone row agrees with the headline summary.
    assert table.loc[("all", "everyone", "residents", "walk"), "mean_after_min"] == pytest.approx(
        redbridge_result.summary.loc[("2018_2025", "walk"), "mean_min"])


@pytest.mark.parametrize("dimension,column,labels", [
    ("income", "income_q", {1: "Q1 (lowest)", 2: "Q2", 3: "Q3", 4: "Q4", 5: "Q5 (highest)"}),
    ("ptal", "ptal_b", None),
    ("no_car_share", "no_car_b", {"u20": "under 20%", "20-40": "20%–40%", "40-60": "40%–60%", "60+": "60% or more"}),
    ("ward", "ward_name", None),
])
def test_group_breakdowns_match_recomputation(redbridge_result, recomputed, dimension, column, labels):
    table = redbridge_result.breakdowns
    groups = recomputed.groupby(column, observed=True)
    assert len(groups) == len(table.xs((dimension, "residents", "walk"), level=["dimension", "weight", "mode"]))
    for key, rows in groups:
        group = labels[key] if labels else key
        for weight, column_name in (("residents", "w_residents"), ("households", "w_households")):
            for mode in ("walk", "drive"):
                _check(table, dimension, group, weight, mode, _expected(rows, column_name, mode))
        assert table.loc[(dimension, group, "residents", "walk"), "origins"] == int((rows["w_residents"] > 0).sum())


def test_groups_add_up_and_are_ordered(redbridge_result):
    table = redbridge_result.breakdowns.xs(("residents", "walk"), level=["weight", "mode"])
    for dimension in ("income", "ptal", "ward", "no_car_share"):
        assert table.loc[dimension, "count"].sum() == pytest.approx(278_970)
    assert list(table.loc["income"].index) == ["Q1 (lowest)", "Q2", "Q3", "Q4", "Q5 (highest)"]
    bands = list(table.loc["ptal"].index)
    assert bands == sorted(bands, key=["0", "1a", "1b", "2", "3", "4", "5", "6a", "6b"].index)
    assert "borough" not in table.index.get_level_values("dimension"), "one borough: no borough breakdown"


def test_ptal_band_edges_and_errors():
    assert ptal_band([0.0, 0.49, 0.5, 2.5, 7.49, 7.5]).tolist() == ["0", "0", "1a", "2", "6a", "6b"]
    with pytest.raises(DataError, match="9.1"):
        ptal_band([9.1])


def test_income_quintiles_are_london_wide(census):
    quintiles = income_quintile(census["median_household_income_2011"])
    counts = quintiles.value_counts()
    assert counts.min() >= 960 and counts.max() <= 975, "each London quintile holds about a fifth of 4,835 LSOAs"
    assert income_quintile(pd.Series([1.0, 1e9])).tolist() == ["Q1 (lowest)", "Q5 (highest)"]


def test_study_without_wards_has_no_ward_breakdown(city_walk_result):
    dimensions = set(city_walk_result.breakdowns.index.get_level_values("dimension"))
    assert "ward" not in dimensions and {"all", "car", "income", "ptal"} <= dimensions


def test_unreachable_residents_count_as_over_and_out_of_the_means():
    origins = pd.DataFrame({"lsoa11": ["A", "A", "B"], "population": [10.0, 10.0, 30.0], "ward_name": "w",
                            "walk_x_min": [10.0, 20.0, 40.0], "walk_y_min": [10.0, np.inf, 50.0]})
    lsoas = pd.DataFrame({"lsoa11": ["A", "B"], "lsoa11_name": ["X 001A", "X 001B"], "residents_2011": [20, 30],
                          "households_2011": [10, 10], "households_no_car_2011": [5, 0],
                          "ptal_2014_avg_score": [1.0, 3.0], "median_household_income_2011": [20_000, 90_000]})
    attributes = origin_attributes(origins, lsoas)
    assert attributes["households_no_car"].tolist() == [2.5, 2.5, 0.0]
    row = breakdown(origins, attributes, ["walk"], "x", "y").loc[("all", "everyone", "residents", "walk")]
    assert row["over_30_after"] == pytest.approx(40 / 50)
    assert row["mean_after_min"] == pytest.approx((10 * 10 + 30 * 50) / 40)
    with pytest.raises(DataError, match="households_2011"):
        origin_attributes(origins, lsoas.drop(columns="households_2011"))


def test_borough_breakdown_when_a_study_spans_boroughs():
    origins = pd.DataFrame({"lsoa11": ["A", "B"], "population": [10.0, 30.0], "ward_name": "unknown",
                            "walk_x_min": [10.0, 40.0], "walk_y_min": [12.0, 50.0]})
    lsoas = pd.DataFrame({"lsoa11": ["A", "B"], "lsoa11_name": ["Camden 001A", "Brent 001B"],
                          "residents_2011": [10, 30], "households_2011": [4, 10], "households_no_car_2011": [1, 5],
                          "ptal_2014_avg_score": [6.0, 2.0], "median_household_income_2011": [50_000, 30_000]})
    table = breakdown(origins, origin_attributes(origins, lsoas), ["walk"], "x", "y")
    dimensions = set(table.index.get_level_values("dimension"))
    assert "borough" in dimensions and "ward" not in dimensions, "ward names that are all 'unknown' are left out"
    assert table.loc[("borough", "Brent", "households", "walk"), "count"] == pytest.approx(10)
    assert table.loc[("borough", "Camden", "residents", "walk"), "mean_change_min"] == pytest.approx(2.0)


def test_the_older_pace_shows_each_groups_walking_again_slower(redbridge_result):
    """The equity option: mode walk-older is every walking time × 4.8 ÷ 3.0, group by group; off by default."""
    from access.analysis.equity import OLDER_WALK
    from access.core.tripcosts import walk_costs

    result = redbridge_result
    assert OLDER_WALK not in result.breakdowns.index.get_level_values("mode")  # not asked for
    ratio = walk_costs({"older": True}).older_ratio
    table = breakdown(result.origins, result.origin_groups, result.modes, result.config.before,
                      result.config.after, older_ratio=ratio)
    walk = table.xs("walk", level="mode")
    older = table.xs(OLDER_WALK, level="mode")
    assert list(older.index) == list(walk.index)  # every group, residents and households
    for column in ("mean_before_min", "mean_after_min", "median_before_min", "mean_change_min"):
        np.testing.assert_allclose(older[column], walk[column] * ratio, rtol=1e-9)
    assert (older["over_30_after"] >= walk["over_30_after"]).all()
    assert result.config.mode_label(OLDER_WALK) == "on foot at an older pace (3 km/h)"
