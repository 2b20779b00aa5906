"""Reading an OSM file's highway ways into arrays (access/routing/osm_read.py), on the real City extract."""

import numpy as np
import osmium
import pytest

from access.core.errors import NetworkError
from access.routing.osm_read import COORDINATE_SCALE, TAG_KEYS, read_ways


def test_every_highway_way_with_its_located_nodes_and_tags(city_pbf):
    ways = read_ways(city_pbf)
    expected = []
    for way in osmium.FileProcessor(str(city_pbf)).with_locations().with_filter(osmium.filter.KeyFilter("highway")):
        if not way.is_way():
            continue
        located = [(n.ref, n.location.lon, n.location.lat) for n in way.nodes if n.location.valid()]
        if len(located) >= 2:
            expected.append((way.id, located, {key: way.tags.get(key) for key in TAG_KEYS}))
    assert ways.way_id.tolist() == [way_id for way_id, _, _ in expected]
    assert np.diff(ways.offsets).tolist() == [len(nodes) for _, nodes, _ in expected]
    assert ways.node_id.tolist() == [ref for _, nodes, _ in expected for ref, _, _ in nodes]
    lon = np.array([lon for _, nodes, _ in expected for _, lon, _ in nodes])
    assert np.array_equal(ways.x_e7 / COORDINATE_SCALE, lon)
    for key in TAG_KEYS:
        values = [None if code < 0 else ways.values(key)[code] for code in ways.codes(key)]
        assert values == [tags[key] for _, _, tags in expected]


def test_nodes_missing_from_the_file_are_dropped(tmp_path):
    path = tmp_path / "clipped.osm"
    path.write_text('<?xml version="1.0"?><osm version="0.6">'
                    '<node id="1" lat="51.5" lon="-0.1"/><node id="2" lat="51.501" lon="-0.1"/>'
                    '<node id="3" lat="51.502" lon="-0.1"/>'
                    '<way id="10"><nd ref="1"/><nd ref="99"/><nd ref="2"/><tag k="highway" v="residential"/></way>'
                    '<way id="11"><nd ref="3"/><nd ref="98"/><tag k="highway" v="footway"/></way>'
                    '<way id="12"><nd ref="2"/><nd ref="3"/><tag k="building" v="yes"/></way>'
                    '<way id="13"><nd ref="2"/><nd ref="3"/><tag k="highway" v="path"/></way></osm>')
    ways = read_ways(path)
    assert ways.way_id.tolist() == [10, 13]  # 11 keeps one node only; 12 is no street
    assert ways.node_id.tolist() == [1, 2, 2, 3]
    assert read_ways(path, bbox=(-0.2, 51.5015, 0.0, 51.6)).way_id.tolist() == [13]


def test_a_broken_or_missing_file_is_an_error_naming_it(tmp_path):
    broken = tmp_path / "broken.osm.pbf"
    broken.write_bytes(b"\x00\x00\x00\x0dthis is not OSM data")
    with pytest.raises(NetworkError, match="broken.osm.pbf.*osmium fileinfo"):
        read_ways(broken)
    with pytest.raises(NetworkError, match="does not exist"):
        read_ways(tmp_path / "missing.osm.pbf")
    with pytest.raises(FileNotFoundError, match="is a folder"):  # NetworkFileMissing: a NetworkError too
        read_ways(tmp_path)
