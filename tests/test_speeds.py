"""Drive speeds (access/routing/speeds.py) read maxspeed and fill gaps as OSMnx's add_edge_speeds does."""

import networkx as nx
import numpy as np
import osmnx as ox
import pytest
from osmnx.routing import _clean_maxspeed, _collapse_multiple_maxspeed_values

from access.core.modes import MODES, UK_HIGHWAY_SPEEDS_KMH
from access.routing.osm import graph_from_osm_file
from access.routing.osm_read import read_ways
from access.routing.speeds import IMPLICIT_MAXSPEEDS, clean_maxspeed, edge_speeds, merged_maxspeed

ODD_VALUES = ["20 mph", "30 MPH", "50", "50 km/h", "60,5", "40|30", "20 mph|30 mph", "5 knots", "signals", "none",
              "walk", "", "UK:nsl_single", "GB:nsl_restricted", "RU:urban", "30;40", "1.2.3", "mph"]


def test_every_maxspeed_is_read_as_osmnx_reads_it(city_pbf, helsinki_pbf):
    values = set(ODD_VALUES) | set(IMPLICIT_MAXSPEEDS)
    for path in (city_pbf, helsinki_pbf):
        values |= set(read_ways(path).values("maxspeed"))
    assert len(values) > 160
    for value in values:
        assert clean_maxspeed(value) == _clean_maxspeed(value), value


def test_the_implicit_values_are_osmnx(city_pbf):
    assert IMPLICIT_MAXSPEEDS == ox.routing._IMPLICIT_MAXSPEEDS


@pytest.mark.parametrize("values", [["20 mph"], ["20 mph", "30 mph"], ["50", "signals", "30 mph"], ["none"],
                                    ["signals", "walk"], []])
def test_a_merged_edge_reads_its_values_as_osmnx(values):
    expected = (np.nan if not values else _clean_maxspeed(values[0]) if len(values) == 1
                else _clean_maxspeed(str(_collapse_multiple_maxspeed_values(sorted(values), np.mean))))
    got = merged_maxspeed(values)
    assert (np.isnan(got) and (expected is None or np.isnan(expected))) or got == expected


def test_edge_speeds_are_osmnx_add_edge_speeds_on_the_city(city_pbf):
    graph = ox.truncate.largest_component(graph_from_osm_file(city_pbf, MODES["drive"]), strongly=True)
    # a highway type outside the table, some of its edges with a maxspeed: OSMnx takes their mean
    edges = list(graph.edges(keys=True))
    for i, (u, v, k) in enumerate(edges[:40]):
        graph.edges[u, v, k]["highway"] = "road_of_test"
        if i % 3 == 0:
            graph.edges[u, v, k]["maxspeed"] = "25 mph" if i % 2 else "40"
    highway = np.array([d["highway"][0] if isinstance(d["highway"], list) else d["highway"]
                        for _, _, d in graph.edges(data=True)], dtype=object)
    maxspeed = np.array([np.nan if "maxspeed" not in d else merged_maxspeed(
        sorted(set(d["maxspeed"])) if isinstance(d["maxspeed"], list) else [d["maxspeed"]])
        for _, _, d in graph.edges(data=True)])
    expected = nx.get_edge_attributes(ox.routing.add_edge_speeds(graph, hwy_speeds=UK_HIGHWAY_SPEEDS_KMH,
                                                                 fallback=32.0), "speed_kph")
    got = edge_speeds(highway, maxspeed, UK_HIGHWAY_SPEEDS_KMH, 32.0)
    np.testing.assert_allclose(got, list(expected.values()), rtol=1e-12)
    assert "road_of_test" not in UK_HIGHWAY_SPEEDS_KMH and len(set(got[:40])) > 1
