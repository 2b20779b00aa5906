"""The trip-cost model on street networks (access/routing/costs.py), against independent routing."""

import networkx as nx
import numpy as np
import osmium
import pytest
from networkx_times import independent_minutes
from scipy import sparse

from access.core.tripcosts import ROAD_CLASSES, DriveCosts, WalkCosts
from access.routing.costs import costed_network, give_way, junctions
from access.routing.network import StreetNetwork, get_network
from access.routing.travel import network_times


def test_walking_waits_at_signals_as_networkx_routes_it(city, city_pbf, city_walk_network):
    """The City's priced walking times equal NetworkX's, each edge into a signalised node waiting signal_s."""
    walk = WalkCosts()
    network = city_walk_network
    assert 50 < network.signal_flags().sum() < 400  # the City's signalised junctions and crossings
    counters = city.places.counters
    counter_xy = np.column_stack([counters.geometry.x, counters.geometry.y])
    residents = city.places.residents.sample(40, random_state=2)
    origin_xy = np.column_stack([residents.geometry.x, residents.geometry.y])
    priced = network_times(costed_network(network, drive=DriveCosts(), walk=walk), counter_xy, origin_xy,
                           max_snap_m=500)
    waits = {int(osmid): walk.signal_s for osmid in network.osmid[network.signal_flags()]}
    expected, _ = independent_minutes(city_pbf, counter_xy, origin_xy, wait_s=waits)
    np.testing.assert_allclose(priced.minutes, expected, rtol=1e-9, atol=1e-6)
    plain = network_times(network, counter_xy, origin_xy, max_snap_m=500)
    assert (priced.minutes >= plain.minutes - 1e-9).all() and (priced.minutes > plain.minutes + 0.1).any()


def test_the_signals_are_the_files_traffic_signal_nodes(city_pbf, city_walk_network):
    """Every signalised node lies within 30 m of a node the file tags as signals (read here by osmium itself)."""
    found = []
    for obj in osmium.FileProcessor(str(city_pbf)).with_filter(osmium.filter.EntityFilter(osmium.osm.NODE)):
        if obj.tags.get("highway") == "traffic_signals" or obj.tags.get("crossing") == "traffic_signals":
            found.append((obj.location.lon, obj.location.lat))
    lon, lat = np.array(found).T
    x, y = __import__("pyproj").Transformer.from_crs(4326, 27700, always_xy=True).transform(lon, lat)
    network = city_walk_network
    flagged = np.flatnonzero(network.signal_flags())
    nearest = np.hypot(network.x[flagged][:, None] - x[None, :], network.y[flagged][:, None] - y[None, :]).min(axis=1)
    assert nearest.max() <= 30.5


def _star() -> StreetNetwork:
    """Return a junction (node 0) of a primary road (to 1 and 2) and a residential street (to 3), edges of 100 m."""
    u = np.array([0, 1, 0, 2, 0, 3])
    v = np.array([1, 0, 2, 0, 3, 0])
    seconds = sparse.csr_matrix((np.full(6, 100 / (48 / 3.6)), (u, v)), shape=(4, 4))
    length = sparse.csr_matrix((np.full(6, 100.0), (u, v)), shape=(4, 4))
    order = np.lexsort((v, u))  # the CSR order of the edges
    classes = np.where(np.isin(np.maximum(u, v), [1, 2]), ROAD_CLASSES.index("primary"), ROAD_CLASSES.index("minor"))
    return StreetNetwork("drive", "a star", "EPSG:27700", np.array([0.0, 100, -100, 0]), np.array([0.0, 0, 0, 100]),
                         np.arange(4), seconds, length, road_class=classes[order].astype(np.int8),
                         signals=np.zeros(4, dtype=bool))


def test_a_drive_gives_way_only_coming_from_the_lesser_road():
    star = _star()
    assert junctions(star).tolist() == [True, False, False, False]
    tails = np.repeat(np.arange(4), np.diff(star.time_s.indptr))
    giving_way = {(int(a), int(b)) for a, b, g in zip(tails, star.time_s.indices, give_way(star), strict=True) if g}
    assert giving_way == {(3, 0)}  # only the residential street, into the junction, gives way
    costs = DriveCosts()
    priced = costed_network(star, drive=costs, walk=WalkCosts())
    routed = nx.DiGraph()
    for a, b, seconds in zip(*priced.time_s.nonzero(), priced.time_s.data, strict=True):
        routed.add_edge(int(a), int(b), s=float(seconds))
    minor_then_main = nx.shortest_path_length(routed, 3, 1, weight="s")
    main_through = nx.shortest_path_length(routed, 2, 1, weight="s")
    assert minor_then_main == pytest.approx(100 / (32 / 3.6) + costs.junction_s + 100 / (48 / 3.6))
    assert main_through == pytest.approx(200 / (48 / 3.6))
    signalled = costed_network(StreetNetwork(**{**star.__dict__, "signals": np.array([True, False, False, False])}),
                               drive=costs, walk=WalkCosts())
    assert signalled.time_s[2, 0] == pytest.approx(100 / (48 / 3.6) + costs.signal_s)  # signals stop everyone


def test_drive_edges_take_their_class_speed_never_above_the_limit(city_pbf):
    raw = get_network("drive", crs="EPSG:27700", osm_file=city_pbf, use_cache=False)
    costs = DriveCosts(signal_s=0.0, junction_s=0.0)
    priced = costed_network(raw, drive=costs, walk=WalkCosts())
    kmh = raw.length_m.data / priced.time_s.data * 3.6
    limit = raw.length_m.data / raw.time_s.data * 3.6
    expected = np.minimum(costs.class_speeds()[raw.classes()], limit)
    np.testing.assert_allclose(kmh, expected, rtol=1e-9)
    assert np.median(kmh) <= 32.2  # the City's 20 mph
    assert costed_network(get_network("cycle", crs="EPSG:27700", osm_file=city_pbf, use_cache=False),
                          drive=costs, walk=WalkCosts()).time_s.sum() > 0
