"""The array street graph (access/routing/osm_graph.py) is OSMnx's graph: real extracts and random quirky files.

The reference is OSMnx itself (access/routing/osm.py builds its graph the way ``graph_from_xml`` and
``graph_from_polygon`` do): every node, and every edge with its exact length, highway type and speed limit.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from access.core.errors import NetworkError
from access.core.modes import MODES
from access.routing.osm import graph_from_osm_file
from access.routing.osm_graph import street_graph
from access.routing.osm_read import read_ways
from access.routing.speeds import clean_maxspeed, merged_maxspeed

AREAS = {"city": box(-0.112, 51.511, -0.092, 51.521), "helsinki": box(24.93, 60.16, 24.95, 60.17)}


def _maxspeed(value) -> float:
    """Return the speed OSMnx's add_edge_speeds reads from an edge's maxspeed attribute (a string or a list)."""
    if value is None:
        return np.nan
    if isinstance(value, list):
        return merged_maxspeed(sorted(set(value)))
    speed = clean_maxspeed(value)
    return np.nan if speed is None else speed


def _key_speed(speed: float) -> float | None:
    return None if np.isnan(speed) else round(speed, 9)  # NaN never equals NaN: None does


def _osmnx_edges(graph) -> tuple[Counter, list]:
    """Return OSMnx's edges: (u, v, length, speed, highway) for single types, and the merged edges' type sets."""
    single, merged = Counter(), []
    for u, v, data in graph.edges(data=True):
        key = (u, v, data["length"], _key_speed(_maxspeed(data.get("maxspeed"))))
        if isinstance(data["highway"], list):
            merged.append((key, set(data["highway"])))
        else:
            single[(*key, data["highway"])] += 1
    return single, merged


def assert_same_graph(reference, graph) -> None:
    """Assert the same nodes, and the same edges with their exact lengths, speed limits and highway types."""
    assert set(reference.nodes) == set(graph.node_id.tolist())
    mine = Counter(zip(graph.node_id[graph.u].tolist(), graph.node_id[graph.v].tolist(), graph.length_m.tolist(),
                       [_key_speed(speed) for speed in graph.maxspeed_kmh.tolist()], graph.highway.tolist(),
                       strict=True))
    single, merged = _osmnx_edges(reference)
    assert not single - mine, "edges OSMnx has and the array graph has not"
    rest = mine - single
    # an edge merged from segments of several highway types carries the first segment's; OSMnx a list of them all
    for key, kinds in merged:
        match = next((edge for edge in rest if edge[:4] == key and edge[4] in kinds), None)
        assert match is not None, f"OSMnx's merged edge {key} ({kinds}) is missing"
        rest[match] -= 1
        rest = +rest
    assert not rest, f"edges the array graph has and OSMnx has not: {list(rest)[:5]}"


@pytest.fixture(scope="module", params=["city", "helsinki"])
def extract(request, city_pbf, helsinki_pbf):
    path = city_pbf if request.param == "city" else helsinki_pbf
    return request.param, path, read_ways(path)


@pytest.mark.parametrize("mode", ["walk", "cycle", "drive"])
@pytest.mark.parametrize("cut", [False, True], ids=["whole file", "cut to an area"])
def test_the_graph_is_osmnx_graph_on_real_extracts(extract, mode, cut):
    name, path, ways = extract
    area = AREAS[name] if cut else None
    reference = graph_from_osm_file(path, MODES[mode], area)
    graph = street_graph(ways, MODES[mode], area)
    assert len(graph.node_id) > 50
    assert_same_graph(reference, graph)
    assert np.all(np.diff(graph.node_id) > 0)


def test_no_streets_in_the_area_is_an_error(city_pbf):
    ways = read_ways(city_pbf)
    with pytest.raises(NetworkError, match="no walk streets inside the study area"):
        street_graph(ways, MODES["walk"], box(1.0, 52.0, 1.1, 52.1))


# --------------------------------------------------------------------------- random files with OSM's quirks

GRID = 5  # nodes on a 5 × 5 grid, about 70 m apart


def _write_osm(path: Path, ways: list[tuple[list[int], dict[str, str]]]) -> None:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    for i in range(GRID * GRID):
        lat, lon = 51.5 + (i // GRID) * 0.0006, -0.1 + (i % GRID) * 0.001 + (i * 7 % 5) * 0.00002
        lines.append(f'<node id="{i + 1}" lat="{lat:.7f}" lon="{lon:.7f}"/>')
    for way_id, (refs, tags) in enumerate(ways, start=1):
        lines.append(f'<way id="{way_id}">' + "".join(f'<nd ref="{r}"/>' for r in refs)
                     + "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items()) + "</way>")
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")


@st.composite
def quirky_ways(draw):
    """Return ways that wander over a small grid: revisits, loops, doubled streets, one-way changes, missing nodes."""
    ways = []
    for _ in range(draw(st.integers(1, 9))):
        start = draw(st.integers(1, GRID * GRID))
        refs = [start]
        for step in draw(st.lists(st.sampled_from([1, -1, GRID, -GRID, 0, 99]), min_size=1, max_size=7)):
            if step == 99:
                refs.append(draw(st.sampled_from([refs[0], 1000 + len(refs)])))  # back to its start, or a missing node
            else:
                refs.append(min(max(refs[-1] + step, 1), GRID * GRID))
        tags = {"highway": draw(st.sampled_from(["residential", "residential", "footway", "service", "primary"]))}
        oneway = draw(st.sampled_from([None, None, "yes", "-1", "no", "reverse"]))
        if oneway:
            tags["oneway"] = oneway
        if draw(st.booleans()) and draw(st.booleans()):
            tags["junction"] = "roundabout"
        maxspeed = draw(st.sampled_from([None, None, "20 mph", "30 mph", "50", "signals"]))
        if maxspeed:
            tags["maxspeed"] = maxspeed
        ways.append((refs, tags))
    return ways


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ways=quirky_ways(), mode=st.sampled_from(["walk", "drive"]), cut=st.booleans())
def test_the_graph_is_osmnx_graph_on_random_quirky_files(ways, mode, cut, tmp_path_factory):
    path = tmp_path_factory.mktemp("quirky") / "ways.osm"
    _write_osm(path, ways)
    area = box(-0.0995, 51.5002, -0.0965, 51.5022) if cut else None
    try:
        reference = graph_from_osm_file(path, MODES[mode], area)
    except NetworkError:
        with pytest.raises(NetworkError):
            street_graph(read_ways(path), MODES[mode], area)
        return
    assert_same_graph(reference, street_graph(read_ways(path), MODES[mode], area))
