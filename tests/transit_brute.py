"""An independent brute force for the public-transport router: a time-expanded graph and plain Dijkstra.

Shares nothing with :mod:`access.routing.transit` or its kernel but the timetable it is given (the
feed as read by :mod:`access.inputs.gtfs`); it follows the rules written in that module's docstring:

- every departure minute of the window is its own source node, at its own time;
- each stop time of a run is two nodes (arrival, departure); a run's hops and dwells are edges;
- each stop has a chain of "waiting to board" nodes, one per distinct boarding time there;
- from home, a walk of at most ``max_walk_m`` reaches a stop, and the rider boards what leaves
  ``slack`` seconds or more after getting there; straight to the counter is a walk of any length;
- from a vehicle's arrival (where alighting is allowed), a walk of at most ``max_walk_m`` reaches
  the counter, and boarding again at the same stop, or after a walk of at most ``max_transfer_m``
  to another, waits ``slack`` seconds as at home;
- walks take ``ceil(metres × 3.6 / km/h)`` seconds; a trip longer than ``max_minutes`` is unreachable;
  a percentile is the nearest rank, ``ceil(p/100 × n)``-th of the ``n`` times.

scipy's Dijkstra keeps explicit zero weights of a sparse matrix as edges (boarding, ties).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

WalkMetres = Callable[[np.ndarray, np.ndarray], np.ndarray]


def straight_walks(calibration) -> WalkMetres:
    """Walk lengths by the straight-line estimate: straight line → the calibration's minutes × 80 m/min."""
    def metres(a_xy: np.ndarray, b_xy: np.ndarray) -> np.ndarray:
        straight = np.hypot(a_xy[:, 0][:, None] - b_xy[:, 0][None, :], a_xy[:, 1][:, None] - b_xy[:, 1][None, :])
        return calibration.minutes(straight) * (4.8 * 1000 / 60)
    return metres


def network_walks(network) -> WalkMetres:
    """Walk lengths on a walking network: each end's snap plus the shortest path (scipy, unbounded)."""
    def metres(a_xy: np.ndarray, b_xy: np.ndarray) -> np.ndarray:
        a_node, a_snap = network.snap(a_xy[:, 0], a_xy[:, 1])
        b_node, b_snap = network.snap(b_xy[:, 0], b_xy[:, 1])
        unique, row = np.unique(a_node, return_inverse=True)
        between = dijkstra(network.length_m, directed=True, indices=unique)[row][:, b_node]
        return between + a_snap[:, None] + b_snap[None, :]
    return metres


def brute_force(table, stop_xy: np.ndarray, counter_xy: np.ndarray, origin_xy: np.ndarray, walks: WalkMetres, *,
                window_start: int, n_minutes: int, walk_speed_kmh: float, max_walk_m: float, max_transfer_m: float,
                max_minutes: float, slack: int) -> np.ndarray:
    """Travel seconds (counters × origins × departure minutes; ``inf`` unreachable), by Dijkstra per minute."""
    def seconds(metres: np.ndarray) -> np.ndarray:
        return np.where(np.isfinite(metres), np.ceil(np.where(np.isfinite(metres), metres, 0) * 3.6
                                                     / walk_speed_kmh), np.inf)

    n_st = table.n_stop_times
    run_of = np.repeat(np.arange(table.n_runs), np.diff(table.run_start))
    n_stops, n_counters, n_origins = len(stop_xy), len(counter_xy), len(origin_xy)
    rows: list[int] = []
    cols: list[int] = []
    weights: list[float] = []

    def edge(a: int, b: int, w: float) -> None:
        assert w >= 0, (a, b, w)
        rows.append(a)
        cols.append(b)
        weights.append(float(w))

    arrive = np.arange(n_st)            # node of stop time i's arrival
    depart = n_st + np.arange(n_st)     # node of its departure
    next_node = 2 * n_st
    waits: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # stop → (boarding times, their wait nodes)
    for s in range(n_stops):
        here = np.flatnonzero((table.stop == s) & table.pickup)
        if not len(here):
            continue
        times = np.unique(table.departure[here])
        nodes = next_node + np.arange(len(times))
        next_node += len(times)
        waits[s] = (times, nodes)
        for k in range(len(times) - 1):
            edge(nodes[k], nodes[k + 1], times[k + 1] - times[k])
        for i in here:
            edge(nodes[np.searchsorted(times, table.departure[i])], depart[i], 0)
    counter_node = next_node + np.arange(n_counters)
    next_node += n_counters

    def board(from_node: int, at: float, stop: int, ready: float) -> None:
        """Add an edge from ``from_node`` (at time ``at``) to the first boarding at ``stop`` at or after ``ready``."""
        if stop not in waits:
            return
        times, nodes = waits[stop]
        k = np.searchsorted(times, ready)
        if k < len(times):
            edge(from_node, nodes[k], times[k] - at)

    stop_to_stop = seconds(walks(stop_xy, stop_xy))
    stop_to_stop_m = walks(stop_xy, stop_xy)
    stop_to_counter_m = walks(stop_xy, counter_xy)
    for i in range(n_st):
        last_of_run = i + 1 == n_st or run_of[i + 1] != run_of[i]
        if not last_of_run:
            edge(arrive[i], depart[i], table.departure[i] - table.arrival[i])
            edge(depart[i], arrive[i + 1], table.arrival[i + 1] - table.departure[i])
        if not table.dropoff[i]:
            continue
        s = table.stop[i]
        board(arrive[i], table.arrival[i], s, table.arrival[i] + slack)
        for t in range(n_stops):
            if t != s and stop_to_stop_m[s, t] <= max_transfer_m:
                board(arrive[i], table.arrival[i], t, table.arrival[i] + stop_to_stop[s, t] + slack)
        for c in range(n_counters):
            if stop_to_counter_m[s, c] <= max_walk_m:
                edge(arrive[i], counter_node[c], seconds(stop_to_counter_m[s, c:c + 1])[0])
    origin_to_stop_m = walks(origin_xy, stop_xy)
    origin_to_stop = seconds(origin_to_stop_m)
    direct = seconds(walks(origin_xy, counter_xy))
    sources = np.empty((n_origins, n_minutes), dtype=np.int64)
    for o in range(n_origins):
        for k in range(n_minutes):
            node = next_node
            next_node += 1
            sources[o, k] = node
            t0 = window_start + 60 * k
            for s in range(n_stops):
                if origin_to_stop_m[o, s] <= max_walk_m:
                    board(node, t0, s, t0 + origin_to_stop[o, s] + slack)
            for c in range(n_counters):
                if np.isfinite(direct[o, c]):
                    edge(node, counter_node[c], direct[o, c])
    graph = sparse.coo_matrix((weights, (rows, cols)), shape=(next_node, next_node)).tocsr()
    out = np.empty((n_counters, n_origins, n_minutes))
    for o in range(n_origins):
        found = dijkstra(graph, directed=True, indices=sources[o])[:, counter_node]  # minutes × counters
        out[:, o, :] = found.T
    out[out > max_minutes * 60] = np.inf
    return out


def nearest_rank(values: list[float], percentile: int) -> float:
    """Return the ``ceil(p/100 × n)``-th smallest value."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percentile * len(ordered) / 100) - 1)]
