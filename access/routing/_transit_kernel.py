"""The compiled core of the public-transport router (numba): profile scans and per-origin percentiles.

Private: :mod:`access.routing.transit` prepares the arrays and documents the
model; this module only computes.  Every time is in whole seconds (int64);
:data:`INF` stands for "not reachable".  numba is imported here, and this
module is imported only when a transit route is asked for.

Per counter (one counter per thread, ``prange``):

1. **Profile scan, backwards (profile Connection Scan).**  Connections (one
   vehicle's hop between two consecutive stops) are scanned by decreasing
   departure time.  For each, the best arrival at the counter of a rider on it
   is the least of: alighting and walking to the counter; alighting and boarding
   again at the same or a nearby stop (a walk, then :data:`board_slack` before the
   departure); staying on the vehicle (the run's best so far).  Boarding it at
   its departure stop adds a (departure, arrival) pair to that stop's profile,
   unless an earlier-departing-or-equal pair already arrives as early: each
   stop's profile is a Pareto list, appended in decreasing departure order.
2. **Origins.**  Each origin's arrival for each departure minute is the least,
   over the stops within its walk, of the profile's first pair it can catch
   (walk + slack), and of walking straight to the counter; its travel times over
   the window give the percentiles (nearest rank).
"""

from __future__ import annotations

import numpy as np
from numba import config, get_num_threads, njit, prange, set_num_threads

__all__ = ["INF", "route_counters", "bounded_dijkstra", "threads"]

INF = np.int64(2**62)
"""Seconds standing for "never": large enough for any sum of times, far from overflowing."""


def threads(workers: int | None) -> int:
    """Set numba's threads for the next call (``None``: every core numba has) and return how many there are."""
    set_num_threads(max(1, min(int(workers or config.NUMBA_NUM_THREADS), config.NUMBA_NUM_THREADS)))
    return get_num_threads()


@njit(cache=True, nogil=True)
def _catch(pdep: np.ndarray, parr: np.ndarray, begin: int, count: int, t: np.int64) -> np.int64:
    """Return the arrival of the profile's first pair departing at ``t`` or later (:data:`INF` when none).

    The profile ``pdep[begin:begin + count]`` is in decreasing departure order, so
    the pair wanted is the last one whose departure is at least ``t``.
    """
    if count == 0 or pdep[begin] < t:
        return INF
    lo, hi = 0, count - 1  # pdep[begin + lo] >= t always holds
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if pdep[begin + mid] >= t:
            lo = mid
        else:
            hi = mid - 1
    return parr[begin + lo]


@njit(cache=True, nogil=True)
def _select(values: np.ndarray, n: int, k: int) -> np.int64:
    """Return the k-th smallest of ``values[:n]`` (0-based), reordering them (quickselect)."""
    lo, hi = 0, n - 1
    while lo < hi:
        pivot = values[(lo + hi) // 2]
        i, j = lo, hi
        while i <= j:
            while values[i] < pivot:
                i += 1
            while values[j] > pivot:
                j -= 1
            if i <= j:
                values[i], values[j] = values[j], values[i]
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            return values[k]
    return values[k]


@njit(cache=True, nogil=True)
def _scan(c_dep, c_arr, c_from, c_to, c_run, c_board, c_alight, n_runs, tr_start, tr_stop, tr_s, egress,
          cap_start, board_slack, max_time, pdep, parr, fill) -> None:
    """Fill every stop's profile to one counter (``pdep``/``parr`` from ``cap_start``, ``fill`` long)."""
    run_best = np.full(n_runs, INF, dtype=np.int64)
    for j in range(len(c_dep)):
        dep = c_dep[j]
        arr = c_arr[j]
        v = c_to[j]
        tau = run_best[c_run[j]]
        if c_alight[j]:
            if egress[v] < INF and arr + egress[v] < tau:
                tau = arr + egress[v]
            t = _catch(pdep, parr, cap_start[v], fill[v], arr + board_slack)
            if t < tau:
                tau = t
            for e in range(tr_start[v], tr_start[v + 1]):
                w = tr_stop[e]
                if fill[w] == 0 or parr[cap_start[w] + fill[w] - 1] >= tau:
                    continue  # nothing there, or nothing there arrives sooner (the last pair arrives soonest)
                t = _catch(pdep, parr, cap_start[w], fill[w], arr + tr_s[e] + board_slack)
                if t < tau:
                    tau = t
        if tau - dep > max_time:  # too long for any rider boarding here or earlier on this run
            tau = INF
        run_best[c_run[j]] = tau
        if tau < INF and c_board[j]:
            u = c_from[j]
            n = fill[u]
            at = cap_start[u] + n - 1
            if n == 0 or parr[at] > tau:
                if n > 0 and pdep[at] == dep:
                    parr[at] = tau
                else:
                    pdep[at + 1] = dep
                    parr[at + 1] = tau
                    fill[u] = n + 1


@njit(cache=True, nogil=True)
def _origin(o, c, ac_start, ac_stop, ac_s, direct_s, pdep, parr, fill, cap_start, window_start, n_minutes,
            board_slack, max_time, ranks, best, out) -> None:
    """Percentiles of one origin's travel times to one counter over the window, into ``out[:, c, o]``."""
    last = n_minutes - 1
    for k in range(n_minutes):
        best[k] = INF
    for e in range(ac_start[o], ac_start[o + 1]):
        s = ac_stop[e]
        lead = ac_s[e] + board_slack
        begin = cap_start[s]
        for i in range(begin + fill[s] - 1, begin - 1, -1):  # earliest departures first
            leave = pdep[i] - lead  # the latest departure from home that catches it
            if leave < window_start:
                continue
            k = (leave - window_start) // 60
            if k >= last:
                if parr[i] < best[last]:
                    best[last] = parr[i]
                break
            if parr[i] < best[k]:
                best[k] = parr[i]
    walk = direct_s[c, o]
    for k in range(last, -1, -1):
        if k < last and best[k + 1] < best[k]:
            best[k] = best[k + 1]
    for k in range(n_minutes):
        t0 = window_start + 60 * k
        arrive = best[k]
        if walk < INF and t0 + walk < arrive:
            arrive = t0 + walk
        travel = arrive - t0 if arrive < INF else INF
        best[k] = travel if travel <= max_time else INF
    for p in range(len(ranks)):
        out[p, c, o] = _select(best, n_minutes, ranks[p])


@njit(cache=True, parallel=True)
def route_counters(c_dep, c_arr, c_from, c_to, c_run, c_board, c_alight, n_runs, n_stops, tr_start, tr_stop, tr_s,
                   eg_start, eg_stop, eg_s, ac_start, ac_stop, ac_s, direct_s, window_start, n_minutes, board_slack,
                   max_time, ranks, out) -> None:
    """Fill ``out`` (percentiles × counters × origins, seconds or :data:`INF`): one counter per thread."""
    n_counters = out.shape[1]
    n_origins = out.shape[2]
    cap = np.zeros(n_stops + 1, dtype=np.int64)
    for j in range(len(c_dep)):
        if c_board[j]:
            cap[c_from[j] + 1] += 1
    cap_start = np.cumsum(cap)
    for c in prange(n_counters):
        egress = np.full(n_stops, INF, dtype=np.int64)
        for e in range(eg_start[c], eg_start[c + 1]):
            egress[eg_stop[e]] = eg_s[e]
        pdep = np.empty(cap_start[n_stops] + 1, dtype=np.int64)
        parr = np.empty(cap_start[n_stops] + 1, dtype=np.int64)
        fill = np.zeros(n_stops, dtype=np.int64)
        _scan(c_dep, c_arr, c_from, c_to, c_run, c_board, c_alight, n_runs, tr_start, tr_stop, tr_s, egress,
              cap_start, board_slack, max_time, pdep, parr, fill)
        best = np.empty(n_minutes, dtype=np.int64)
        for o in range(n_origins):
            _origin(o, c, ac_start, ac_stop, ac_s, direct_s, pdep, parr, fill, cap_start, window_start, n_minutes,
                    board_slack, max_time, ranks, best, out)


@njit(cache=True)
def bounded_dijkstra(indptr, indices, weights, sources, limit, is_target):
    """Distances from each source to every target node within ``limit`` (binary heap; a visited list reset per source).

    Returns
    -------
    source, node, distance
        One row per (source position, target node) pair reached within ``limit``.
    """
    n = len(indptr) - 1
    dist = np.full(n, np.inf)
    touched = np.empty(n, dtype=np.int64)
    heap_d = np.empty(max(16, len(indices) + 1))
    heap_v = np.empty(max(16, len(indices) + 1), dtype=np.int64)
    out_s = []
    out_v = []
    out_d = []
    for si in range(len(sources)):
        n_touched = 0
        size = 0
        src = sources[si]
        dist[src] = 0.0
        touched[n_touched] = src
        n_touched += 1
        heap_d[0] = 0.0
        heap_v[0] = src
        size = 1
        while size > 0:
            d = heap_d[0]
            u = heap_v[0]
            size -= 1  # pop: move the last to the root and sift down
            if size > 0:
                ld, lv = heap_d[size], heap_v[size]
                i = 0
                while True:
                    child = 2 * i + 1
                    if child >= size:
                        break
                    if child + 1 < size and heap_d[child + 1] < heap_d[child]:
                        child += 1
                    if heap_d[child] < ld:
                        heap_d[i] = heap_d[child]
                        heap_v[i] = heap_v[child]
                        i = child
                    else:
                        break
                heap_d[i] = ld
                heap_v[i] = lv
            if d > dist[u]:
                continue
            if is_target[u]:
                out_s.append(si)
                out_v.append(u)
                out_d.append(d)
            for e in range(indptr[u], indptr[u + 1]):
                v = indices[e]
                nd = d + weights[e]
                if nd <= limit and nd < dist[v]:
                    if dist[v] == np.inf:
                        touched[n_touched] = v
                        n_touched += 1
                    dist[v] = nd
                    i = size  # push and sift up
                    size += 1
                    while i > 0:
                        parent = (i - 1) // 2
                        if heap_d[parent] > nd:
                            heap_d[i] = heap_d[parent]
                            heap_v[i] = heap_v[parent]
                            i = parent
                        else:
                            break
                    heap_d[i] = nd
                    heap_v[i] = v
        for i in range(n_touched):
            dist[touched[i]] = np.inf
    return np.array(out_s, dtype=np.int64), np.array(out_v, dtype=np.int64), np.array(out_d)
