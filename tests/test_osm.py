"""Reading OpenStreetMap (access/routing/osm.py): OSMnx's own way filters, one-way streets, on the real extract."""

from access.core.modes import MODES
from access.routing.osm import graph_from_osm_file, way_filter


def test_one_way_streets_are_respected_when_driving(city_pbf):
    graph = graph_from_osm_file(city_pbf, MODES["drive"])
    one_way = [(u, v) for u, v, d in graph.edges(data=True) if d.get("oneway") is True]
    assert one_way, "the City has one-way streets"
    assert any(not graph.has_edge(v, u) for u, v in one_way)
    walk = graph_from_osm_file(city_pbf, MODES["walk"])
    assert all(walk.has_edge(v, u) for u, v in walk.edges())


def test_way_filter_follows_osmnx():
    walk, drive = way_filter("walk"), way_filter("drive")
    assert walk({"highway": "footway"}) and not drive({"highway": "footway"})
    assert drive({"highway": "residential"}) and not drive({"highway": "residential", "access": "private"})
    assert not walk({"highway": "motorway"}) and not walk({"building": "yes"})
