"""London on real streets: a Greater-London-sized OSM file read, its counters routed, the London-wide run.

Every case runs on a SYNTHETIC file: the mirror's real City of London extract tiled over Greater
London (:mod:`bench.synthetic_london`), or a k × k block of the same tiles for the scaling curve.
Three benchmarks:

- ``OSM build``: one mode's network from the file, read included, by access's reader
  (:func:`access.routing.network.network_from_osm_file`: pyosmium into numpy), by the path access
  took before it (OSMnx's graph, :func:`access.routing.osm.graph_from_osm_file`, then
  :func:`access.routing.network.network_from_graph`; the baseline) and by pyrosm reading the file and
  making its simplified NetworkX graph (``OSM.get_network`` + ``to_graph``; pyrosm's own way
  filter, so a ratio of readers, not of equal networks).  Walking at every size, the three modes at
  the size just over a million nodes.  A contender whose memory passes :data:`MAX_RSS_MB` is
  stopped and its row says so.
- ``routing``: :func:`access.routing.travel.network_times` for London's 77 counters and 180,754
  postcodes on the walking network of the whole file, in chunks on one process and on two, against
  one scipy call for every counter (what access did before: a dense counters × nodes array); and,
  for the scaling curve, 77 counters and 180,754 origins at random on each block's network.
- ``London-wide run``: ``access run london-2017 --osm-file <the file>``, with an empty network cache
  (it builds the three networks) and again with the cache, wall time and peak RSS.

Each case runs in its own process; ``peak_mb`` is its peak RSS.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench.common import counters_and_origins, frame, in_child
from bench.endtoend import cli_run
from bench.synthetic_london import synthetic_file

BUILD_METHODS = ["access (pyosmium + numpy)", "before: OSMnx graph", "pyrosm + networkx graph"]
BUILD_BASELINE = "before: OSMnx graph"
ROUTING_METHODS = ["access chunks, 1 process", "access chunks, 2 processes", "before: one scipy call"]
ROUTING_BASELINE = "access chunks, 1 process"
MAX_RSS_MB = 14_000
"""A contender is stopped past this: the machine has 24 GB and is shared."""

N_COUNTERS = 77
N_ORIGINS = 180_754


def kinds(quick: bool) -> list[str]:
    """Return the SYNTHETIC files of the scaling curve, smallest first."""
    return ["square-1"] if quick else ["square-2", "square-4", "square-8", "square-16", "square-23", "london"]


def _label(kind: str) -> str:
    if kind == "london":
        return "SYNTHETIC tiled City over Greater London"
    k = int(kind.removeprefix("square-"))
    return f"SYNTHETIC tiled City, {k}×{k} tiles"


def build(kind: str, method: str, mode_name: str) -> dict[str, Any]:
    """Build one mode's network from the SYNTHETIC file ``kind`` by ``method`` (in a child process)."""
    path = synthetic_file(kind, quiet=True)
    began = time.perf_counter()
    if method == "access (pyosmium + numpy)":
        from access.core.modes import MODES
        from access.routing.network import network_from_osm_file

        network = network_from_osm_file(path, MODES[mode_name], "EPSG:27700")
        n_nodes, notes = network.n_nodes, f"{network.n_edges:,} edges (largest strongly connected part)"
    elif method == "before: OSMnx graph":
        from access.core.modes import MODES
        from access.routing.network import network_from_graph
        from access.routing.osm import graph_from_osm_file

        network = network_from_graph(graph_from_osm_file(path, MODES[mode_name]), MODES[mode_name], "EPSG:27700",
                                     "file")
        n_nodes, notes = network.n_nodes, f"{network.n_edges:,} edges (largest strongly connected part)"
    else:
        import pyrosm

        network_type = {"walk": "walking", "cycle": "cycling", "drive": "driving"}[mode_name]
        osm = pyrosm.OSM(str(path))
        nodes, edges = osm.get_network(network_type=network_type, nodes=True)
        graph = osm.to_graph(nodes, edges, graph_type="networkx", progress=False)
        n_nodes = graph.number_of_nodes()
        notes = f"{graph.number_of_edges():,} edges (pyrosm's '{network_type}' filter, largest component)"
    return {"seconds": time.perf_counter() - began, "n_nodes": n_nodes, "notes": notes}


def _network(kind: str):
    """Return ``kind``'s walking network, from access's cache (``ACCESS_CACHE_DIR``) once built."""
    from access.routing.network import get_network

    return get_network("walk", crs="EPSG:27700", osm_file=synthetic_file(kind, quiet=True))


def cache_network(kind: str) -> dict[str, Any]:
    """Build and cache ``kind``'s walking network (in a child process), so routing cases only load it."""
    return {"n_nodes": _network(kind).n_nodes}


def route(kind: str, method: str, london: bool) -> dict[str, Any]:
    """Route 77 counters to 180,754 origins on ``kind``'s walking network (cached) by ``method``."""
    from scipy.sparse.csgraph import dijkstra

    from access.routing.travel import network_times

    network = _network(kind)
    if london:
        from access import load_study

        places = load_study("london-2017").places
        counter_xy, origin_xy = places.counter_xy, places.origin_xy
    else:
        counter_xy, origin_xy = counters_and_origins(network, min(N_COUNTERS, network.n_nodes), N_ORIGINS)
    _ = network.reverse, network.snap(origin_xy[:1, 0], origin_xy[:1, 1])  # built once, not timed
    began = time.perf_counter()
    if method == "before: one scipy call":  # network_times as it was: every counter's row over every node
        from access.core.modes import WALK_M_PER_MIN

        counter_node, counter_snap = network.snap(counter_xy[:, 0], counter_xy[:, 1])
        origin_node, origin_snap = network.snap(origin_xy[:, 0], origin_xy[:, 1])
        unique, row = np.unique(counter_node, return_inverse=True)
        seconds = dijkstra(network.reverse, directed=True, indices=unique)
        minutes = (seconds[row][:, origin_node] / 60.0 + origin_snap[None, :] / WALK_M_PER_MIN
                   + counter_snap[:, None] / WALK_M_PER_MIN)
    else:
        workers = 1 if method.endswith("1 process") else 2
        minutes = network_times(network, counter_xy, origin_xy, max_snap_m=500, workers=workers).minutes
    seconds = time.perf_counter() - began
    cpu = os.times()
    return {"seconds": seconds, "n_nodes": network.n_nodes, "n_counters": len(counter_xy),
            "n_origins": len(origin_xy), "checksum": float(np.nansum(np.where(np.isfinite(minutes), minutes, 0))),
            "cpu_s": cpu.user + cpu.children_user}


def _build_rows(quick: bool) -> list[dict[str, Any]]:
    rows = []
    sizes = kinds(quick)
    million = sizes[-2] if not quick else sizes[-1]  # just over a million walking nodes
    stopped: dict[str, str] = {}  # a contender stopped at one size is not run at a bigger one
    for kind in sizes:
        for mode in (["walk", "cycle", "drive"] if kind == million and not quick else ["walk"]):
            for method in BUILD_METHODS:
                case = f"{_label(kind)}, {mode}"
                row = {"benchmark": "OSM build", "case": case, "method": method, "baseline": BUILD_BASELINE}
                if method in stopped:
                    rows.append({**row, "notes": f"not run: {stopped[method]}"})
                    continue
                result = in_child(build, kind, method, mode, timeout_s=3600, max_rss_mb=MAX_RSS_MB)
                if "error" in result and "memory passed" in result["error"]:
                    stopped[method] = f"stopped on the {_label(kind)} ({result['error']})"
                rows.append({**row, **{k: result[k] for k in ("seconds", "n_nodes", "peak_mb", "notes")}}
                            if "error" not in result else {**row, "notes": f"failed: {result['error']}"})
    return rows


def _routing_rows(quick: bool, cache: str) -> list[dict[str, Any]]:
    rows = []
    env = {"ACCESS_CACHE_DIR": cache}
    sizes = kinds(quick)
    for kind in sizes:
        in_child(cache_network, kind, timeout_s=3600, env=env)  # build and cache the network once
        london = kind == "london"
        for method in ROUTING_METHODS if london or quick else ROUTING_METHODS[:2]:
            case = (f"{_label(kind)}: london-2017's counters and postcodes, walk" if london
                    else f"{_label(kind)}: {N_COUNTERS} counters, {N_ORIGINS:,} origins at random, walk")
            row = {"benchmark": "routing", "case": case, "method": method, "baseline": ROUTING_BASELINE}
            result = in_child(route, kind, method, london and not quick, timeout_s=3600, env=env,
                              max_rss_mb=MAX_RSS_MB)
            if "error" in result:
                rows.append({**row, "notes": f"failed: {result['error']}"})
                continue
            cpu = f"CPU {result['cpu_s']:.1f} s in all processes; answer checksum {result['checksum']:.6e}"
            rows.append({**row, **{k: result[k] for k in ("seconds", "n_nodes", "n_counters", "n_origins",
                                                           "peak_mb")}, "notes": cpu})
    return rows


def _run_rows(quick: bool) -> list[dict[str, Any]]:
    if quick:
        return []
    rows = []
    path = synthetic_file("london", quiet=True)
    with tempfile.TemporaryDirectory(prefix="access-bench-london-") as tmp:
        for warmth in ("cold", "warm"):
            result = cli_run(["run", "london-2017", "--osm-file", str(path), "--out", str(Path(tmp) / "out")],
                             str(Path(tmp) / "cache"))
            rows.append({"benchmark": "London-wide run", "case": f"access run london-2017 --osm-file "
                                                               f"{path.name}, {warmth} cache",
                         "method": "access run (CLI, wall)", "seconds": result["seconds"],
                         "peak_mb": result["peak_mb"], "n_origins": N_ORIGINS,
                         "notes": (f"failed: {result['error']}" if result["error"]
                                   else "walk, cycle and drive; all counters; maps and report included")})
    return rows


def run(quick: bool = False) -> pd.DataFrame:
    """Every build, routing and London-wide case (the SYNTHETIC files are written first if missing)."""
    for kind in kinds(quick):
        synthetic_file(kind, quiet=True)
    with tempfile.TemporaryDirectory(prefix="access-bench-routing-") as cache:
        rows = _build_rows(quick) + _routing_rows(quick, cache) + _run_rows(quick)
    return frame(rows)


if __name__ == "__main__":
    import sys

    with pd.option_context("display.width", 250, "display.max_columns", 20, "display.max_colwidth", 70):
        print(run(quick="--quick" in sys.argv).drop(columns=["benchmark"]))
