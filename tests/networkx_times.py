"""Walking times computed with NetworkX alone, from the raw OSMnx graph: a check on access's own routing."""

import networkx as nx
import numpy as np
import pandas as pd
import pyproj

from access.core.modes import MODES
from access.routing.osm import graph_from_osm_file

WALK_M_PER_S = 4.8 / 3.6


def independent_minutes(osm_file, counter_xy, origin_xy, crs="EPSG:27700", wait_s=None):
    """Return (minutes counter × origin, each origin's gap in metres to its street node), with NetworkX.

    The largest strongly connected part of the raw walking graph; each edge takes its length at 4.8 km/h,
    plus ``wait_s[v]`` seconds when it enters node ``v`` (an OSM id), if given; origins and counters join
    their nearest node (brute force), and that gap is walked at 4.8 km/h too.
    """
    wait_s = wait_s or {}
    graph = graph_from_osm_file(osm_file, MODES["walk"])
    largest = max(nx.strongly_connected_components(graph), key=len)
    simple = nx.DiGraph()
    for u, v, data in graph.subgraph(largest).edges(data=True):
        seconds = data["length"] / WALK_M_PER_S + wait_s.get(v, 0.0)
        if not simple.has_edge(u, v) or simple[u][v]["s"] > seconds:
            simple.add_edge(u, v, s=seconds)
    ids = list(largest)
    lon = np.array([graph.nodes[n]["x"] for n in ids])
    lat = np.array([graph.nodes[n]["y"] for n in ids])
    x, y = pyproj.Transformer.from_crs(4326, crs, always_xy=True).transform(lon, lat)

    def nearest(px, py):
        d = np.hypot(x - px, y - py)
        return ids[int(d.argmin())], float(d.min())

    reverse = simple.reverse(copy=True)
    origins = [nearest(ox_, oy) for ox_, oy in origin_xy]
    gaps = np.array([gap for _, gap in origins])
    result = np.zeros((len(counter_xy), len(origin_xy)))
    for i, (cx, cy) in enumerate(counter_xy):
        counter_node, counter_gap = nearest(cx, cy)
        seconds = nx.single_source_dijkstra_path_length(reverse, counter_node, weight="s")
        for j, (origin_node, origin_gap) in enumerate(origins):
            result[i, j] = (seconds[origin_node] + (counter_gap + origin_gap) / WALK_M_PER_S) / 60
    return result, gaps


def as_travel_table(minutes, origin_ids, counter_ids, measured):
    """Return the long table (from_id, to_id, travel_time) of the measured origins, as r5py writes it."""
    keep = np.flatnonzero(measured)
    return pd.DataFrame({"from_id": np.tile(np.asarray(origin_ids)[keep], len(counter_ids)),
                         "to_id": np.repeat(np.asarray(counter_ids), len(keep)),
                         "travel_time": minutes[:, keep].ravel()})
