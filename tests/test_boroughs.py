"""Per-borough figures and straight-line distances (access/boroughs.py), London-wide, recomputed independently."""

import numpy as np
import pytest


def test_london_by_borough_equals_an_independent_recomputation(london_2017_walk):
    result = london_2017_walk
    table = result.by_borough().xs("walk", level="mode")
    origins = result.origins
    assert len(table) == 33 and table["residents"].sum() == pytest.approx(8_173_941)
    assert list(table["rank"]) == list(range(1, 34))
    assert table["mean_change_min"].is_monotonic_decreasing
    for borough in ("Barnet", "Havering", "City of London", "Westminster"):
        mine = origins[(origins["borough"] == borough) & (origins["population"] > 0)]
        weights = mine["population"].to_numpy()
        before, after = mine["walk_mid_2017_min"].to_numpy(), mine["walk_after_2017_min"].to_numpy()
        row = table.loc[borough]
        assert row["residents"] == pytest.approx(weights.sum())
        assert row["mean_min_before"] == pytest.approx(np.average(before, weights=weights))
        assert row["mean_min_after"] == pytest.approx(np.average(after, weights=weights))
        assert row["within_30_after"] == pytest.approx(weights[after <= 30].sum() / weights.sum())
        assert row["within_45_before"] == pytest.approx(weights[before <= 45].sum() / weights.sum())
        assert row["residents_worse"] == pytest.approx(weights[after > before + 1e-9].sum())
        order = np.argsort(after)
        median = after[order][np.searchsorted(np.cumsum(weights[order]), weights.sum() / 2 - 1e-6)]
        assert row["median_min_after"] == pytest.approx(median)
    # Havering kept its only counter (Romford) and no neighbour's counter was ever nearer
    assert table.loc["Havering", "mean_change_min"] == pytest.approx(0)
    # London as a whole lost access; the summary agrees with the borough table
    summary = result.summary
    assert summary.loc[("after_2017", "walk"), "mean_min"] > summary.loc[("mid_2017", "walk"), "mean_min"]
    weighted = (table["mean_min_after"] * table["residents"]).sum() / table["residents"].sum()
    assert weighted == pytest.approx(summary.loc[("after_2017", "walk"), "mean_min"])


def test_london_distances_come_from_coordinates(london_2017, london_2017_walk):
    places = london_2017.places
    distances = london_2017_walk.distances
    assert distances["counters"].to_dict() == {"mid_2017": 73, "after_2017": 37}
    origin_xy = np.column_stack([places.residents.geometry.x, places.residents.geometry.y])
    weights = places.residents["population"].to_numpy()
    for period in ("mid_2017", "after_2017"):
        open_ = places.counters[places.counters[period] != "off"]
        nearest = np.full(len(origin_xy), np.inf)
        for point in open_.geometry:  # brute force, one counter at a time
            nearest = np.minimum(nearest, np.hypot(origin_xy[:, 0] - point.x, origin_xy[:, 1] - point.y))
        mean_m = np.average(nearest, weights=weights)
        assert distances.loc[period, "mean_km"] == pytest.approx(mean_m / 1000)
        assert distances.loc[period, "mean_miles"] == pytest.approx(mean_m / 1609.344)
    assert distances.loc["after_2017", "mean_km"] > distances.loc["mid_2017", "mean_km"]
