import networkx as nx
import numpy as np
import pyproj
import pytest

from access.detour import DetourFactor
from access.measure import nearest_open
from access.modes import MODES
from access.network import get_network, graph_from_osm_file
from access.travel import NETWORK_MODEL, STRAIGHT_LINE_MODEL, nearest_times, network_times, straight_line_times


def _independent_minutes(city_pbf, network, counter_xy, origin_xy):
    """Walking minutes origin → counter with NetworkX, from the raw OSMnx graph."""
    graph = graph_from_osm_file(city_pbf, MODES["walk"])
    largest = max(nx.strongly_connected_components(graph), key=len)
    simple = nx.DiGraph()
    for u, v, data in graph.subgraph(largest).edges(data=True):
        seconds = data["length"] / (4.8 / 3.6)
        if not simple.has_edge(u, v) or simple[u][v]["s"] > seconds:
            simple.add_edge(u, v, s=seconds)
    ids = list(largest)
    lon = np.array([graph.nodes[n]["x"] for n in ids])
    lat = np.array([graph.nodes[n]["y"] for n in ids])
    x, y = pyproj.Transformer.from_crs(4326, 27700, always_xy=True).transform(lon, lat)

    def nearest(px, py):
        d = np.hypot(x - px, y - py)
        return ids[int(d.argmin())], float(d.min())

    reverse = simple.reverse(copy=True)
    result = np.zeros((len(counter_xy), len(origin_xy)))
    for i, (cx, cy) in enumerate(counter_xy):
        counter_node, counter_gap = nearest(cx, cy)
        seconds = nx.single_source_dijkstra_path_length(reverse, counter_node, weight="s")
        for j, (ox_, oy) in enumerate(origin_xy):
            origin_node, origin_gap = nearest(ox_, oy)
            result[i, j] = seconds[origin_node] / 60 + (counter_gap + origin_gap) / 80
    return result


def test_network_times_equal_networkx_shortest_paths(city, city_pbf, city_walk_network):
    counters = city.places.counters
    counter_xy = np.column_stack([counters.geometry.x, counters.geometry.y])
    residents = city.places.residents.sample(60, random_state=1)
    origin_xy = np.column_stack([residents.geometry.x, residents.geometry.y])
    times = network_times(city_walk_network, counter_xy, origin_xy, max_snap_m=500)
    assert times.model == NETWORK_MODEL and not times.is_estimate
    expected = _independent_minutes(city_pbf, city_walk_network, counter_xy, origin_xy)
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


def test_straight_line_estimate_is_distance_times_factor_over_speed():
    factor = DetourFactor("cycle", factor=1.4, median=1.3, p10=1.1, p90=1.8, std=0.3, n_pairs=10,
                          speed_kmh=15.0, measured_on="test")
    counters = np.array([[0.0, 0.0], [3000.0, 4000.0]])
    origins = np.array([[0.0, 1000.0], [3000.0, 0.0]])
    times = straight_line_times("cycle", counters, origins, factor)
    assert times.model == STRAIGHT_LINE_MODEL and times.is_estimate
    metres_per_minute = 15_000 / 60
    assert times.minutes[0, 0] == pytest.approx(1000 * 1.4 / metres_per_minute)
    assert times.minutes[1, 1] == pytest.approx(4000 * 1.4 / metres_per_minute)
    assert times.minutes[1, 0] == pytest.approx(np.hypot(3000, 3000) * 1.4 / metres_per_minute)
    assert "1.40" in times.detail and "test" in times.detail
