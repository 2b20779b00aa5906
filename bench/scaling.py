"""Scaling: time and peak memory against network size and against the number of counters.

On SYNTHETIC street-like grids (:func:`bench.common.synthetic_grid`), with one origin per node:

- network size 10k → 1M nodes, 10 counters;
- counters 1 → 100, on the 100k-node grid.

Methods: ``access nearest_node_times`` and ``access nearest_times`` (one Dijkstra, nearest counter
only; from snapped nodes, and from coordinates), ``access matrix +
nearest_open`` (one Dijkstra per counter: the counters × origins matrix scenarios need) and bare
``scipy min_only`` (the baseline).  Each case runs in its own process; ``peak_mb`` is that process's
peak RSS, building the grid included.
"""

from __future__ import annotations

import pandas as pd

from bench.common import frame, in_child
from bench.nearest import measure

METHODS = ["access nearest_node_times", "access nearest_times", "access matrix + nearest_open", "scipy min_only"]
BASELINE = "scipy min_only"


def plan(quick: bool) -> list[tuple[str, str, int]]:
    """(series, grid case, counters) to measure."""
    if quick:
        return [("network size", "grid-900", 10), ("counters", "grid-900", 3)]
    sizes = [10_000, 31_684, 100_489, 316_969, 1_000_000]  # squares: 100², 178², 317², 563², 1000²
    return ([("network size", f"grid-{n}", 10) for n in sizes]
            + [("counters", "grid-100489", k) for k in (1, 3, 10, 30, 100)])


def run(quick: bool = False) -> pd.DataFrame:
    """Every (series, size, counters) case with each method, in its own process."""
    rows = []
    for series, case, counters in plan(quick):
        label = (f"{series}: synthetic grid {case.removeprefix('grid-')} nodes, {counters} counters")
        for method in METHODS:
            row = {"benchmark": f"scaling: {series}", "case": label, "method": method, "baseline": BASELINE}
            result = in_child(measure, case, method, counters)
            rows.append({**row, **result} if "error" not in result
                        else {**row, "notes": f"failed: {result['error']}"})
    return frame(rows)
