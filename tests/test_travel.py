import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from networkx_times import independent_minutes
from scipy import sparse

from access.analysis.figures import nearest_open
from access.core.tripcosts import DriveCosts, WalkCosts
from access.inputs.calibrations import get_calibration
from access.routing.costs import costed_network
from access.routing.network import StreetNetwork, get_network
from access.routing.travel import (
    NETWORK_MODEL,
    STRAIGHT_LINE_MODEL,
    imported_times,
    nearest_times,
    network_times,
    straight_line_times,
)


def test_network_times_equal_networkx_shortest_paths(city, city_pbf, city_walk_network):
    counters = city.places.counters
    counter_xy = np.column_stack([counters.geometry.x, counters.geometry.y])
    residents = city.places.residents.sample(60, random_state=1)
    origin_xy = np.column_stack([residents.geometry.x, residents.geometry.y])
    times = network_times(city_walk_network, counter_xy, origin_xy, max_snap_m=500)
    assert times.model == NETWORK_MODEL and not times.is_estimate
    expected, _ = independent_minutes(city_pbf, counter_xy, origin_xy)
    np.testing.assert_allclose(times.minutes, expected, rtol=1e-9, atol=1e-6)
    # a route is never shorter than the straight line walked
    straight = np.hypot(counter_xy[:, :1] - origin_xy[:, 0], counter_xy[:, 1:] - origin_xy[:, 1]) / 80
    assert np.all(times.minutes >= straight - 1e-9)


def test_far_origins_are_flagged(city_walk_network):
    inside = [city_walk_network.x[0], city_walk_network.y[0]]
    far_away = [inside[0] + 20_000, inside[1]]
    times = network_times(city_walk_network, np.array([inside]), np.array([inside, far_away]), max_snap_m=500)
    assert times.far_from_network.tolist() == [False, True]
    assert times.origin_snap_m[1] > 15_000
    assert times.minutes[0, 0] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("mode", ["walk", "drive"])
def test_nearest_times_equal_the_matrix_minimum(mode, city_pbf, city_walk_network):
    network = (city_walk_network if mode == "walk"
               else get_network("drive", crs="EPSG:27700", osm_file=city_pbf, use_cache=False))
    rng = np.random.default_rng(7)
    west, east, south, north = network.x.min(), network.x.max(), network.y.min(), network.y.max()
    # counters off the nodes (unequal snap legs), two on the same node, origins all over the extract
    nodes = rng.choice(network.n_nodes, 6, replace=False)
    counter_xy = np.column_stack([network.x[nodes] + rng.uniform(-40, 40, 6), network.y[nodes]])
    counter_xy = np.vstack([counter_xy, counter_xy[2] + 5.0])
    origin_xy = np.column_stack([rng.uniform(west, east, 3000), rng.uniform(south, north, 3000)])
    times = network_times(network, counter_xy, origin_xy, max_snap_m=500)
    matrix = times.minutes
    expected_time, expected_row = nearest_open(matrix, np.ones(len(counter_xy), dtype=bool))
    time, row = nearest_times(network, counter_xy, origin_xy)
    np.testing.assert_allclose(time, expected_time, rtol=1e-9, atol=1e-6)
    # the counter named is one whose time is the minimum (ties may go either way)
    np.testing.assert_allclose(matrix[row, np.arange(len(row))], expected_time, rtol=1e-9, atol=1e-6)
    assert (row == expected_row).mean() > 0.99

    limited_time, limited_row = nearest_times(network, counter_xy, origin_xy, limit_min=3.0)
    beyond = time - times.origin_snap_m / 80 > 3.0 + 1e-6  # the origin's own snap leg is not searched
    assert beyond.any() and (~beyond).any()
    assert np.isinf(limited_time[beyond]).all() and (limited_row[beyond] == -1).all()
    np.testing.assert_allclose(limited_time[~beyond], time[~beyond], rtol=1e-9, atol=1e-6)
    assert (limited_row[~beyond] == row[~beyond]).all()


def test_straight_line_estimate_is_the_overhead_plus_distance_times_its_bands_rate():
    drive = get_calibration("city-of-london", "drive")
    (k1, k2), (first, second) = drive.knots()  # the trips' mean lengths in the two measured bands; their rates
    assert 0.3 < k1 < 1 < k2 < 3
    for rate, band in zip((first, second), drive.bands[:2], strict=True):  # the trip-cost model's price of a band
        moving = sum(share * 60 / min(speed, limit) for share, speed, limit in
                     zip(band.shares, drive.drive.class_speeds(), band.limits_kmh, strict=True))
        delays = (band.signals_per_km * drive.drive.signal_s + band.junctions_per_km * drive.drive.junction_s) / 60
        assert rate == pytest.approx(band.factor * (moving + delays))
    overhead = drive.drive.overhead_min
    counters = np.array([[0.0, 0.0], [3000.0, 4000.0], [0.0, 0.0]])
    middle = (k1 + k2) / 2 * 1000
    origins = np.array([[0.0, 250.0], [3000.0, 0.0], [0.0, middle]])
    times = straight_line_times("drive", counters, origins, drive)
    assert times.model == STRAIGHT_LINE_MODEL and times.is_estimate and times.calibration is drive
    assert times.minutes[0, 0] == pytest.approx(overhead + 0.25 * first)  # below the first knot: its rate
    assert times.minutes[1, 1] == pytest.approx(overhead + 4.0 * second)  # beyond the last measured knot: its rate
    assert times.minutes[1, 0] == pytest.approx(overhead + np.hypot(3, 3.75) * second)
    # halfway between the knots of the first two bands: halfway between their rates
    assert times.minutes[2, 2] == pytest.approx(overhead + middle / 1000 * (first + second) / 2)
    assert "city-of-london" in times.detail
    with pytest.raises(ValueError, match="calibration of 'drive' given for mode 'walk'"):
        straight_line_times("walk", counters, origins, drive)


def test_a_drive_of_500_m_costs_at_least_the_overhead_on_the_network_and_in_the_estimate(city_pbf):
    """Starting and parking are paid by every drive, however short (today's model drove 500 m in about a minute)."""
    drive_costs = DriveCosts()
    estimate = straight_line_times("drive", np.array([[0.0, 0.0]]), np.array([[0.0, 500.0]]),
                                   get_calibration("london", "drive"))
    assert estimate.minutes[0, 0] >= drive_costs.overhead_min + 500 / 1000 * 60 / 48  # and never faster than 48 km/h
    raw = get_network("drive", crs="EPSG:27700", osm_file=city_pbf, use_cache=False)
    priced = costed_network(raw, drive=drive_costs, walk=WalkCosts())
    a, b = np.column_stack([raw.x[:1], raw.y[:1]]), np.column_stack([raw.x[:1] + 300, raw.y[:1] + 400])
    routed = network_times(priced, a, b, max_snap_m=500, drive=drive_costs)
    assert routed.minutes[0, 0] >= drive_costs.overhead_min + network_times(raw, a, b, max_snap_m=500).minutes[0, 0]
    assert routed.drive is drive_costs and estimate.drive is not None


def test_a_drive_at_0300_and_at_1730_differ_and_walking_does_not(city_pbf):
    from access.inputs.hours import parse_moment

    night, rush = parse_moment("Tu 03:00"), parse_moment("Tu 17:30")
    estimate = straight_line_times("drive", np.array([[0.0, 0.0]]), np.array([[0.0, 5000.0]]),
                                   get_calibration("london", "drive"))
    assert estimate.at(night)[0, 0] == estimate.minutes[0, 0]  # no moment is free-flowing traffic, as at night
    overhead = estimate.drive.overhead_min
    assert estimate.at(rush)[0, 0] - overhead == pytest.approx((estimate.minutes[0, 0] - overhead) / 0.6)
    walk = straight_line_times("walk", np.array([[0.0, 0.0]]), np.array([[0.0, 5000.0]]),
                               get_calibration("london", "walk"))
    assert walk.at(rush)[0, 0] == walk.minutes[0, 0]


# --------------------------------------------------------------------------- properties on random small graphs

SPACING_M = 100.0  # nodes sit on a 100 m grid; points lie within 30 m of a node, so their nearest node is plain


@st.composite
def small_cases(draw):
    """Return a random directed street network, with counters and origins placed near random nodes."""
    n = draw(st.integers(2, 12))
    cells = draw(st.lists(st.integers(0, 99), min_size=n, max_size=n, unique=True))
    x = np.array([c % 10 * SPACING_M for c in cells])
    y = np.array([c // 10 * SPACING_M for c in cells])
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1),
                                    st.floats(1.0, 900.0, allow_nan=False)), min_size=1, max_size=3 * n))
    fastest: dict[tuple[int, int], float] = {}
    for u, v, seconds in edges:
        if u != v:
            fastest[(u, v)] = min(seconds, fastest.get((u, v), np.inf))
    offsets = st.tuples(st.floats(-20, 20), st.floats(-20, 20))

    def points(k):
        nodes = draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k))
        shifts = draw(st.lists(offsets, min_size=k, max_size=k))
        return np.array([[x[i] + dx, y[i] + dy] for i, (dx, dy) in zip(nodes, shifts, strict=True)])

    return n, x, y, fastest, points(draw(st.integers(1, 4))), points(draw(st.integers(1, 8)))


def _network(n, x, y, fastest) -> StreetNetwork:
    u = np.array([a for a, _ in fastest], dtype=np.int64)
    v = np.array([b for _, b in fastest], dtype=np.int64)
    seconds = np.array(list(fastest.values()))
    time_s = sparse.csr_matrix((seconds, (u, v)), shape=(n, n))
    return StreetNetwork(mode="walk", source="random graph", crs="EPSG:27700", x=x, y=y,
                         osmid=np.arange(n, dtype=np.int64), time_s=time_s, length_m=time_s * 1.0)


def _networkx_minutes(n, x, y, fastest, counter_xy, origin_xy) -> np.ndarray:
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    graph.add_weighted_edges_from((u, v, s) for (u, v), s in fastest.items())

    def nearest(px, py):
        d = np.hypot(x - px, y - py)
        return int(d.argmin()), float(d.min())

    minutes = np.full((len(counter_xy), len(origin_xy)), np.inf)
    for i, (cx, cy) in enumerate(counter_xy):
        counter_node, counter_gap = nearest(cx, cy)
        for j, (px, py) in enumerate(origin_xy):
            origin_node, origin_gap = nearest(px, py)
            try:
                seconds = nx.shortest_path_length(graph, origin_node, counter_node, weight="weight")
            except nx.NetworkXNoPath:
                continue
            minutes[i, j] = seconds / 60 + (origin_gap + counter_gap) / 80
    return minutes


@settings(max_examples=60, deadline=None)
@given(small_cases())
def test_nearest_counter_times_equal_networkx_on_random_graphs(case):
    n, x, y, fastest, counter_xy, origin_xy = case
    times = network_times(_network(n, x, y, fastest), counter_xy, origin_xy, max_snap_m=500)
    expected = _networkx_minutes(n, x, y, fastest, counter_xy, origin_xy)
    np.testing.assert_allclose(times.minutes, expected, rtol=1e-9, atol=1e-9)
    nearest, _ = nearest_open(times.minutes, np.ones(len(counter_xy), dtype=bool))
    np.testing.assert_allclose(nearest, expected.min(axis=0), rtol=1e-9, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(small_cases(), st.randoms(use_true_random=False))
def test_order_of_counters_and_origins_does_not_change_the_times(case, random):
    n, x, y, fastest, counter_xy, origin_xy = case
    network = _network(n, x, y, fastest)
    counters = random.sample(range(len(counter_xy)), len(counter_xy))
    origins = random.sample(range(len(origin_xy)), len(origin_xy))
    times = network_times(network, counter_xy, origin_xy, max_snap_m=500)
    shuffled = network_times(network, counter_xy[counters], origin_xy[origins], max_snap_m=500)
    np.testing.assert_array_equal(shuffled.minutes, times.minutes[counters][:, origins])
    available = np.array([random.random() < 0.6 for _ in counter_xy])
    nearest, _ = nearest_open(times.minutes, available)
    nearest_shuffled, _ = nearest_open(shuffled.minutes, available[counters])
    np.testing.assert_array_equal(nearest_shuffled, nearest[origins])


@settings(max_examples=40, deadline=None)
@given(small_cases(), st.randoms(use_true_random=False))
def test_closing_a_counter_never_shortens_and_opening_never_lengthens(case, random):
    n, x, y, fastest, counter_xy, origin_xy = case
    times = network_times(_network(n, x, y, fastest), counter_xy, origin_xy, max_snap_m=500)
    available = np.array([random.random() < 0.5 for _ in counter_xy])
    before, _ = nearest_open(times.minutes, available)
    which = random.randrange(len(counter_xy))
    closed, opened = available.copy(), available.copy()
    closed[which], opened[which] = False, True
    assert np.all(nearest_open(times.minutes, closed)[0] >= before)
    assert np.all(nearest_open(times.minutes, opened)[0] <= before)


def test_a_counter_far_from_the_network_is_an_error_naming_it(city_walk_network):
    from access.core.errors import OffNetworkError

    inside = [city_walk_network.x[0], city_walk_network.y[0]]
    island = [inside[0] + 5_000, inside[1]]
    with pytest.raises(OffNetworkError, match=r"'far' \(\d,\d{3} m\).*more than 1,000 m from the walk network"):
        network_times(city_walk_network, np.array([inside, island]), np.array([inside]), max_snap_m=500,
                      counter_names=["near", "far"])
    far_origin = network_times(city_walk_network, np.array([inside]), np.array([inside, island]), max_snap_m=500)
    assert far_origin.excluded.tolist() == [False, True]


def test_a_counter_without_imported_rows_is_warned_about():
    from access.core.errors import AccessWarning

    table = pd.DataFrame({"from_id": ["a", "b"], "to_id": ["x", "x"], "travel_time": [3.0, 4.0]})
    with pytest.warns(AccessWarning, match="no row for counter.*y: unreachable from every origin"):
        times = imported_times(table, mode="transit", origin_ids=["a", "b"], counter_ids=["x", "y"], note="by hand")
    assert np.isinf(times.minutes[1]).all()
