"""OSMnx's way filters as data (access/routing/osm_filters.py): the same strings, and the same verdicts on real ways."""

import osmium
import osmnx as ox
import pytest

from access.core.errors import NetworkError
from access.routing.osm_filters import WAY_FILTERS, way_filter, way_mask
from access.routing.osm_read import read_ways


@pytest.mark.parametrize("network_type", ["walk", "bike", "drive"])
def test_the_filters_are_the_installed_osmnx_filters(network_type):
    assert WAY_FILTERS[network_type] == ox._overpass._get_network_filter(network_type)


@pytest.mark.parametrize("network_type", ["walk", "bike", "drive"])
def test_the_mask_keeps_the_ways_the_filter_keeps(network_type, city_pbf, helsinki_pbf):
    keep = way_filter(network_type)
    for path in (city_pbf, helsinki_pbf):
        ways = read_ways(path)
        mask = way_mask(network_type, ways.tags, len(ways.tags["highway"][0]))[ways.combo]
        by_id = {}
        for way in osmium.FileProcessor(str(path)).with_filter(osmium.filter.KeyFilter("highway")):
            if way.is_way():
                by_id[way.id] = keep({tag.k: tag.v for tag in way.tags})
        assert [by_id[i] for i in ways.way_id.tolist()] == mask.tolist()
        assert 0 < mask.sum() < len(mask)


def test_unknown_network_type():
    with pytest.raises(NetworkError, match="unknown network type 'boat'"):
        way_filter("boat")
