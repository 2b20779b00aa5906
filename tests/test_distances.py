"""Straight-line distances to the nearest counter (access/analysis/distances.py), London-wide, by brute force."""

import numpy as np
import pytest


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
