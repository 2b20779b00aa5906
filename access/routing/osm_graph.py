"""One mode's street graph from an OSM file's ways, built with numpy the way OSMnx builds it.

:func:`street_graph` takes the ways :func:`access.routing.osm_read.read_ways` read
and gives the graph OSMnx would make of them (``graph_from_xml``, or
``graph_from_polygon`` for an area), node for node and edge for edge, as arrays:

1. **Ways.** The mode's way filter (:mod:`access.routing.osm_filters`); with an
   area, only ways with a node in its bounding box grown by about 1 km.
2. **Edges.** Consecutive repeats of a node are dropped; each pair of
   consecutive nodes is an edge.  Except for walking, a way tagged
   ``oneway=yes|true|1|-1|reverse|T|F`` or ``junction=roundabout`` is one-way
   (``-1``, ``reverse`` and ``T`` run against the nodes' order); every other
   way gets both directions.  An edge's length is the great-circle distance
   between its nodes, by OSMnx's formula.
3. **Cut** (with an area): to the area grown by 500 m, before simplifying.
4. **Simplify.** A node is an *endpoint* when it loops to itself, has no edge
   in or no edge out, or does not have exactly two neighbours with two or four
   edges; the others lie along a street.  From every endpoint, through each
   successor that is not one, the path runs on to the next endpoint and
   becomes one edge, as long as the sum of its segments (OSMnx's
   ``_build_path``, including its rare digitising quirks, is followed
   exactly); the nodes along it go.  Parts left with no endpoint at all
   (isolated rings) go.
5. **Cut** (with an area): to the area itself.

The graph keeps parallel edges (two ways along the same street) as OSMnx does;
:func:`access.routing.network.network_from_osm_ways` then keeps the largest
strongly connected part and the faster of parallel edges.  OSMnx itself is not
used: ``tests/test_osm_graph.py`` holds it as the reference on real extracts.

Example
-------
>>> from access.core.modes import MODES
>>> from access.inputs.sources import mirror_file
>>> from access.routing.osm_read import read_ways
>>> graph = street_graph(read_ways(mirror_file("city_of_london_osm")), MODES["drive"])
>>> graph
StreetGraph(drive: 630 nodes, 1,294 edges)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from access.core.errors import NetworkError
from access.core.modes import Mode
from access.routing.osm_filters import way_mask
from access.routing.osm_read import COORDINATE_SCALE, OsmWays
from access.routing.speeds import clean_maxspeed, merged_maxspeed

__all__ = ["StreetGraph", "street_graph", "osm_bbox", "great_circle_m", "signal_nodes", "ONEWAY_VALUES",
           "REVERSED_VALUES", "AREA_BUFFER_M", "EARTH_RADIUS_M", "SIGNAL_RADIUS_M"]

ONEWAY_VALUES = frozenset({"yes", "true", "1", "-1", "reverse", "T", "F"})
"""``oneway`` values that make a way one-way (OSMnx's)."""

REVERSED_VALUES = frozenset({"-1", "reverse", "T"})
"""``oneway`` values that run against the nodes' order (OSMnx's)."""

AREA_BUFFER_M = 500.0
"""The graph is cut to the area grown by this much before simplifying (OSMnx's ``graph_from_polygon``)."""

BBOX_MARGIN_DEG = 0.015
"""Ways are read only if a node lies in the area's bounding box grown by this (about 1 km)."""

EARTH_RADIUS_M = 6_371_009.0
"""OSMnx's earth radius for great-circle lengths."""

SIGNAL_RADIUS_M = 30.0
"""A traffic signal belongs to its nearest node of the graph within this distance (British mapping puts
signals on the stop lines, a few metres before the junction); farther ones are left out."""


@dataclass(frozen=True, repr=False)
class StreetGraph:
    """One mode's street graph, simplified and cut, as arrays (parallel edges kept).

    Attributes
    ----------
    mode
        The mode's name.
    node_id
        OSM node ids, ascending.
    lon, lat
        Node coordinates in degrees.
    u, v
        Each edge's first and last node (rows of the node arrays).
    length_m
        Each edge's length in metres.
    highway
        Each edge's highway type (the first segment's, for a merged edge of several types).
    maxspeed_kmh
        Each edge's readable ``maxspeed`` in km/h, NaN where it has none.
    signals
        True for each node with traffic signals on it or within :data:`SIGNAL_RADIUS_M`
        (the file's signal nodes, each given to its nearest node of the graph).
    """

    mode: str
    node_id: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length_m: np.ndarray
    highway: np.ndarray
    maxspeed_kmh: np.ndarray
    signals: np.ndarray | None = None

    def __repr__(self) -> str:
        return f"StreetGraph({self.mode}: {len(self.node_id):,} nodes, {len(self.u):,} edges)"


def great_circle_m(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distances in metres by the haversine formula, operation for operation as OSMnx computes them.

    >>> round(float(great_circle_m(np.array([51.5]), np.array([0.0]), np.array([51.5]), np.array([0.01]))[0]), 3)
    692.206
    """
    y1 = np.deg2rad(lat1)
    y2 = np.deg2rad(lat2)
    delta_y = y2 - y1
    x1 = np.deg2rad(lon1)
    x2 = np.deg2rad(lon2)
    delta_x = x2 - x1
    h = np.sin(delta_y / 2) ** 2 + np.cos(y1) * np.cos(y2) * np.sin(delta_x / 2) ** 2
    h = np.minimum(1, h)
    arc = 2 * np.arcsin(np.sqrt(h))
    dist = arc * EARTH_RADIUS_M
    dist[np.isnan(dist)] = 0
    return dist


@dataclass
class _Edges:
    """A multigraph's edges: ends (node rows), length, and the way each came from (a row of the ways)."""

    u: np.ndarray
    v: np.ndarray
    length: np.ndarray
    way: np.ndarray

    def take(self, mask: np.ndarray) -> _Edges:
        return _Edges(self.u[mask], self.v[mask], self.length[mask], self.way[mask])


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (``np.unique`` by sorting: faster than its hash table on millions of int64)."""
    values = np.sort(values)
    keep = np.ones(len(values), dtype=bool)
    keep[1:] = values[1:] != values[:-1]
    return values[keep]


def osm_bbox(area_wgs84: BaseGeometry | None) -> tuple[float, float, float, float] | None:
    """Return the bounding box (west, south, east, north) within which a way must have a node to be read for the area.

    The bounds of the area grown by :data:`BBOX_MARGIN_DEG` (about 1 km, more than
    the 500 m the graph is cut to); ``None`` (the whole file) for no area.

    >>> from shapely.geometry import box
    >>> [round(v, 3) for v in osm_bbox(box(-0.11, 51.51, -0.09, 51.52))]
    [-0.125, 51.495, -0.075, 51.535]
    """
    if area_wgs84 is None:
        return None
    return tuple(area_wgs84.buffer(BBOX_MARGIN_DEG).bounds)


def _area_polygons(area_wgs84: BaseGeometry) -> tuple[BaseGeometry, BaseGeometry]:
    """Return the area grown by :data:`AREA_BUFFER_M` in its UTM zone (as OSMnx grows it), and the area."""
    import geopandas as gpd

    frame = gpd.GeoDataFrame(geometry=[area_wgs84], crs="EPSG:4326")
    utm = frame.to_crs(frame.estimate_utm_crs())
    grown = gpd.GeoDataFrame(geometry=utm.buffer(AREA_BUFFER_M), crs=utm.crs).to_crs("EPSG:4326")
    return grown.geometry.iloc[0], area_wgs84


def _inside(polygon: BaseGeometry, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    shapely.prepare(polygon)
    return shapely.intersects_xy(polygon, lon, lat)


def _segments(ways: OsmWays, selected: np.ndarray, bidirectional: bool):
    """Nodes and directed edges of the selected ways, as OSMnx's ``_add_paths`` adds them."""
    way_of = ways.way_of_node()
    take = selected[way_of]
    ids, x, y, way_of = ways.node_id[take], ways.x_e7[take], ways.y_e7[take], way_of[take]
    node_id, first, node_of = np.unique(ids, return_index=True, return_inverse=True)
    lon = x[first] / COORDINATE_SCALE
    lat = y[first] / COORDINATE_SCALE
    # consecutive repeats of a node within a way are one
    repeat = np.zeros(len(ids), dtype=bool)
    repeat[1:] = (ids[1:] == ids[:-1]) & (way_of[1:] == way_of[:-1])
    node_of, way_of = node_of[~repeat], way_of[~repeat]
    pair = np.flatnonzero(way_of[1:] == way_of[:-1])
    a, b, way = node_of[pair], node_of[pair + 1], way_of[pair]
    if bidirectional:
        one_way = np.zeros(ways.n_ways, dtype=bool)
        against = one_way
    else:
        oneway_codes, oneway_values = ways.codes("oneway"), ways.values("oneway")
        junction_codes, junction_values = ways.codes("junction"), ways.values("junction")
        is_oneway = np.array([value in ONEWAY_VALUES for value in oneway_values] + [False])
        is_against = np.array([value in REVERSED_VALUES for value in oneway_values] + [False])
        is_roundabout = np.array([value == "roundabout" for value in junction_values] + [False])
        one_way = is_oneway[oneway_codes] | is_roundabout[junction_codes]
        against = one_way & is_against[oneway_codes]
    flip = against[way]
    forward_u, forward_v = np.where(flip, b, a), np.where(flip, a, b)
    two_way = ~one_way[way]
    u = np.concatenate([forward_u, forward_v[two_way]])
    v = np.concatenate([forward_v, forward_u[two_way]])
    way = np.concatenate([way, way[two_way]])
    length = great_circle_m(lat[u], lon[u], lat[v], lon[v])
    return node_id, lon, lat, _Edges(u, v, length, way)


def _endpoints(n: int, alive: np.ndarray, edges: _Edges) -> np.ndarray:
    """OSMnx's ``_is_endpoint`` for every node (strict mode), on a multigraph."""
    out_degree = np.bincount(edges.u, minlength=n)
    in_degree = np.bincount(edges.v, minlength=n)
    self_loop = np.zeros(n, dtype=bool)
    self_loop[edges.u[edges.u == edges.v]] = True
    # neighbours: distinct nodes joined by an edge either way
    both = _distinct(np.concatenate([edges.u * n + edges.v, edges.v * n + edges.u]))
    neighbours = np.bincount(both // n, minlength=n)
    degree = in_degree + out_degree
    along = (neighbours == 2) & ((degree == 2) | (degree == 4))
    return alive & (self_loop | (out_degree == 0) | (in_degree == 0) | ~along)


def _first_edges(n: int, edges: _Edges) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct directed node pairs as sorted keys ``u × n + v``, with the length and way of each pair's first edge.

    OSMnx reads a merged segment's attributes from the first of parallel edges,
    the one added first: from the way that comes first in the file.
    """
    key = edges.u * n + edges.v
    order = np.lexsort((edges.way, key))
    key, length, way = key[order], edges.length[order], edges.way[order]
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    return key[first], length[first], way[first]


def _simplify(n: int, alive: np.ndarray, edges: _Edges, ways: OsmWays):
    """OSMnx's ``simplify_graph`` (strict mode, rings removed) on arrays.

    Returns the nodes still alive, and the edges: the old ones between
    surviving nodes with their own ways, and the merged ones with their
    length and the ways of their segments (path id and position).
    """
    endpoint = _endpoints(n, alive, edges)
    pair_key, pair_length, pair_way = _first_edges(n, edges)

    def has_edge(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        key = a * n + b
        at = np.minimum(np.searchsorted(pair_key, key), max(len(pair_key) - 1, 0))
        return pair_key[at] == key, at

    # each node along a street has exactly two neighbours
    inner = np.flatnonzero(alive & ~endpoint)
    ends = np.concatenate([edges.u, edges.v])
    others = np.concatenate([edges.v, edges.u])
    along = ~endpoint[ends] & alive[ends]
    link = _distinct(ends[along] * n + others[along])
    first_neighbour = np.full(n, -1, dtype=np.int64)
    second_neighbour = np.full(n, -1, dtype=np.int64)
    owner, other = link // n, link % n
    starts = np.ones(len(link), dtype=bool)
    starts[1:] = owner[1:] != owner[:-1]
    first_neighbour[owner[starts]] = other[starts]
    second_neighbour[owner[~starts]] = other[~starts]
    if np.any(second_neighbour[inner] < 0):  # pragma: no cover - the endpoint rule guarantees two neighbours
        raise NetworkError("simplifying the street graph found a node along a street without two neighbours")

    # one path from every endpoint through each successor that is not one
    start_u, start_v = pair_key // n, pair_key % n
    is_start = endpoint[start_u] & alive[start_v] & ~endpoint[start_v]
    origin = start_u[is_start]
    previous, current = origin.copy(), start_v[is_start]
    total = 0.0 + pair_length[is_start]
    n_paths = len(origin)
    end = np.full(n_paths, -1, dtype=np.int64)
    seg_path = [np.arange(n_paths)]
    seg_way = [pair_way[is_start]]
    visited_path, visited_node = [np.empty(0, np.int64)], [np.empty(0, np.int64)]
    active = np.arange(n_paths)
    for _ in range(n + 1):
        if not len(active):
            break
        cur, prev = current[active], previous[active]
        visited_path.append(active)
        visited_node.append(cur)
        nxt = np.where(first_neighbour[cur] != prev, first_neighbour[cur], second_neighbour[cur])
        exists, at = has_edge(cur, nxt)
        # no edge on: the path stops here, at a node along a street (an OSM digitising quirk)
        end[active[~exists]] = cur[~exists]
        moving = active[exists]
        nxt, at = nxt[exists], at[exists]
        total[moving] += pair_length[at]
        seg_path.append(moving)
        seg_way.append(pair_way[at])
        done = endpoint[nxt]
        end[moving[done]] = nxt[done]
        previous[moving], current[moving] = current[moving], nxt
        active = moving[~done]
    else:  # pragma: no cover - every path ends: each step reaches a node not yet on it
        raise NetworkError("simplifying the street graph did not finish; the file's ways form an impossible pattern")

    visited_path = np.concatenate(visited_path)
    visited_node = np.concatenate(visited_node)
    removed = np.zeros(n, dtype=bool)
    removed[visited_node[visited_node != end[visited_path]]] = True
    alive = alive & ~removed
    old = edges.take(~removed[edges.u] & ~removed[edges.v])
    merged = ~removed[origin] & ~removed[end]
    return alive, old, (origin, end, total, merged, np.concatenate(seg_path), np.concatenate(seg_way))


def _merged_attributes(ways: OsmWays, n_paths: int, seg_path: np.ndarray, seg_way: np.ndarray,
                       keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Highway type and maxspeed of merged edges, from their segments' ways (in path order)."""
    highway_codes, highway_values = ways.codes("highway"), ways.values("highway")
    maxspeed_codes, maxspeed_values = ways.codes("maxspeed"), ways.values("maxspeed")
    # segments were recorded step by step, so a stable sort by path keeps each path's order
    order = np.argsort(seg_path, kind="stable")
    seg_path, seg_way = seg_path[order], seg_way[order]
    first = np.ones(len(seg_path), dtype=bool)
    first[1:] = seg_path[1:] != seg_path[:-1]
    highway = np.empty(n_paths, dtype=np.int64)
    highway[seg_path[first]] = highway_codes[seg_way[first]]
    speeds = np.full(n_paths, np.nan)
    codes = maxspeed_codes[seg_way]
    has = codes >= 0
    width = len(maxspeed_values) + 1
    pairs = _distinct(seg_path[has] * width + codes[has])
    if len(pairs):
        path_of, code_of = pairs // width, pairs % width
        count = np.bincount(path_of, minlength=n_paths)
        single = count[path_of] == 1
        cleaned = np.array([np.nan if (s := clean_maxspeed(v)) is None else s for v in maxspeed_values])
        speeds[path_of[single]] = cleaned[code_of[single]]
        for path in _distinct(path_of[~single]):
            if keep[path]:
                speeds[path] = merged_maxspeed([maxspeed_values[c] for c in code_of[path_of == path]])
    return np.asarray(highway_values, dtype=object)[highway], speeds


def _remove_rings(n: int, alive: np.ndarray, edges: _Edges) -> np.ndarray:
    """Nodes alive once every weakly connected part with no endpoint (an isolated ring) is gone."""
    endpoint = _endpoints(n, alive, edges)
    graph = sparse.coo_matrix((np.ones(len(edges.u)), (edges.u, edges.v)), shape=(n, n))
    _, label = connected_components(graph, directed=True, connection="weak")
    has_endpoint = np.bincount(label[endpoint], minlength=label.max() + 1) > 0
    return alive & has_endpoint[label]


def street_graph(ways: OsmWays, mode: Mode, area_wgs84: BaseGeometry | None = None) -> StreetGraph:
    """Return ``mode``'s street graph from ``ways``, as OSMnx would build it, cut to ``area_wgs84``.

    Parameters
    ----------
    ways
        The file's highway ways (:func:`access.routing.osm_read.read_ways`).
    mode
        The travel mode: its network type picks the ways, and walking ignores one-way tags.
    area_wgs84
        The area in WGS84 (longitude, latitude); ``None`` for the whole file.

    Raises
    ------
    NetworkError
        No street of this mode in the file, or none inside the area.
    """
    selected = way_mask(mode.network_type, ways.tags, len(ways.tags["highway"][0]))[ways.combo]
    grown = area = None
    if area_wgs84 is not None:
        west, south, east, north = osm_bbox(area_wgs84)
        x, y = ways.x_e7 / COORDINATE_SCALE, ways.y_e7 / COORDINATE_SCALE
        inside = (x >= west) & (x <= east) & (y >= south) & (y <= north)
        selected &= np.bincount(ways.way_of_node()[inside], minlength=ways.n_ways) > 0
        grown, area = _area_polygons(area_wgs84)
    where = " inside the study area" if area_wgs84 is not None else ""
    if not selected.any():
        raise NetworkError(f"OSM file {ways.source!r} has no {mode.name} streets{where}; check that "
                           f"it covers the study area with streets, not just buildings or points")
    node_id, lon, lat, edges = _segments(ways, selected, mode.bidirectional)
    n = len(node_id)
    alive = np.ones(n, dtype=bool)
    if grown is not None:
        alive = _inside(grown, lon, lat)
        if not alive.any():
            raise NetworkError(f"OSM file {ways.source!r} has no {mode.name} streets inside the study "
                               f"area; check that the file covers it")
        edges = edges.take(alive[edges.u] & alive[edges.v])
    alive, old, (origin, end, total, keep, seg_path, seg_way) = _simplify(n, alive, edges, ways)
    highway_codes, highway_values = ways.codes("highway"), ways.values("highway")
    maxspeed_codes, maxspeed_values = ways.codes("maxspeed"), ways.values("maxspeed")
    cleaned = np.array([np.nan if (s := clean_maxspeed(v)) is None else s for v in maxspeed_values] + [np.nan])
    merged_highway, merged_speed = _merged_attributes(ways, len(origin), seg_path, seg_way, keep)
    u = np.concatenate([old.u, origin[keep]])
    v = np.concatenate([old.v, end[keep]])
    length = np.concatenate([old.length, total[keep]])
    highway = np.concatenate([np.asarray(highway_values, dtype=object)[highway_codes[old.way]],
                              merged_highway[keep]])
    speed = np.concatenate([cleaned[maxspeed_codes[old.way]], merged_speed[keep]])
    merged_edges = _Edges(u, v, length, np.zeros(len(u), dtype=np.int64))
    alive = _remove_rings(n, alive, merged_edges)
    if area is not None:
        within = _inside(area, lon, lat) & alive
        if not within.any():
            raise NetworkError(f"OSM file {ways.source!r} has no {mode.name} streets inside the study "
                               f"area; check that the file covers it")
        alive = within
    kept = alive[u] & alive[v]
    rows = np.flatnonzero(alive)
    new_row = np.full(n, -1, dtype=np.int64)
    new_row[rows] = np.arange(len(rows))
    return StreetGraph(mode=mode.name, node_id=node_id[rows], lon=lon[rows], lat=lat[rows],
                       u=new_row[u[kept]], v=new_row[v[kept]], length_m=length[kept],
                       highway=highway[kept], maxspeed_kmh=speed[kept],
                       signals=signal_nodes(lon[rows], lat[rows], ways.signal_x_e7 / COORDINATE_SCALE,
                                            ways.signal_y_e7 / COORDINATE_SCALE))


def signal_nodes(lon: np.ndarray, lat: np.ndarray, signal_lon: np.ndarray, signal_lat: np.ndarray,
                 radius_m: float = SIGNAL_RADIUS_M) -> np.ndarray:
    """Return, per node, whether a traffic signal lies nearer to it than to any other node, within ``radius_m``.

    >>> signal_nodes(np.array([0.0, 0.001]), np.array([51.5, 51.5]), np.array([0.0002, 0.01]), np.array([51.5, 51.5]))
    array([ True, False])
    """
    flags = np.zeros(len(lon), dtype=bool)
    if not len(lon) or not len(signal_lon):
        return flags
    scale = np.cos(np.deg2rad(float(np.mean(lat)))) * 111_320.0
    distance, node = cKDTree(np.column_stack([lon * scale, lat * 110_540.0])).query(
        np.column_stack([np.asarray(signal_lon) * scale, np.asarray(signal_lat) * 110_540.0]))
    flags[node[distance <= radius_m]] = True
    return flags
