"""Scenario throughput: one scenario (a set of open counters) once the times are computed.

A scenario is :func:`access.analysis.figures.nearest_open` on the counters × origins matrix of minutes: the
nearest open counter and its time for every origin.  Measured on

- London-wide: the 73 Met counters of mid-2017 (the mirror's ``london_front_counters_2017.csv``) ×
  the 180,754 London postcodes of Code-Point Open 2025, with straight-line walking times made here
  from their coordinates (distance × the measured walk detour factor ÷ 4.8 km/h); scenarios "all 73
  open" (2013–17) and "the 35 kept" (after 2017);
- Redbridge: the study's 10 counters × its postcodes (straight-line walk times, as offline runs
  make them); one scenario, and every one of the 1,024 subsets of the 10 counters, one
  ``nearest_open`` call each (a plain loop: the baseline a sweep engine has to beat).

The baseline, ``masked argmin``, is the ``nearest_open`` access had before this benchmark: a masked
copy of the whole matrix and an ``argmin`` over it.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd

from bench.common import best_time, frame, in_child

BASELINE = "masked argmin (previous nearest_open)"


def masked_argmin(minutes: np.ndarray, available: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the previous ``nearest_open``: mask the unavailable rows with ``inf`` and take an argmin."""
    masked = np.where(available[:, None], minutes, np.inf)
    counter = masked.argmin(axis=0)
    time = masked[counter, np.arange(masked.shape[1])]
    return time, np.where(np.isfinite(time), counter, -1)


def london_matrix(n_origins: int | None = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Straight-line walk minutes, 73 counters × London's postcodes, and the two scenarios."""
    import pyproj

    from access.inputs.calibrations import DEFAULT_CALIBRATION, get_calibration
    from access.inputs.sources import mirror_file

    counters = pd.read_csv(mirror_file("london_counters_2017"))
    postcodes = pd.read_csv(mirror_file("postcodes"), usecols=["easting", "northing"])
    if n_origins is not None:
        postcodes = postcodes.iloc[:n_origins]
    cx, cy = pyproj.Transformer.from_crs(4326, 27700, always_xy=True).transform(counters["lon"], counters["lat"])
    metres = np.hypot(np.asarray(cx)[:, None] - postcodes["easting"].to_numpy()[None, :],
                      np.asarray(cy)[:, None] - postcodes["northing"].to_numpy()[None, :])
    minutes = get_calibration(DEFAULT_CALIBRATION, "walk").minutes(metres)
    kept = (counters["fate_2017"] != "closed").to_numpy()
    return minutes, {f"all {len(counters)} open": np.ones(len(counters), dtype=bool),
                     f"the {int(kept.sum())} kept after 2017": kept}


def measure_london(quick: bool) -> dict[str, Any]:
    """Time each London-wide scenario with the current and the previous ``nearest_open``."""
    from access.analysis.figures import nearest_open

    minutes, scenarios = london_matrix(2_000 if quick else None)
    rows = []
    for name, available in scenarios.items():
        for method, function in [("nearest_open", nearest_open), (BASELINE, masked_argmin)]:
            seconds, (time, _) = best_time(lambda f=function, a=available: f(minutes, a), repeats=5)
            rows.append({"case": f"London-wide, {name}", "method": method, "n_origins": minutes.shape[1],
                         "n_counters": int(available.sum()), "seconds": seconds,
                         "notes": f"{1 / seconds:,.0f} scenarios/s"})
    return {"rows": rows}


def measure_redbridge(quick: bool) -> dict[str, Any]:
    """Time one Redbridge scenario and all 1,024 subsets of its 10 counters, one call each."""
    import logging

    from access import load_study
    from access.analysis.figures import nearest_open

    logging.getLogger("access").setLevel(logging.ERROR)  # the straight-line fallback is expected here
    study = load_study("redbridge-2017")
    times = study.travel_times("walk", offline=True)
    minutes = times.minutes
    n = minutes.shape[0]
    subsets = [np.array(mask, dtype=bool) for mask in itertools.product([False, True], repeat=n)]
    if quick:
        subsets = subsets[:32]
    everyone = np.ones(n, dtype=bool)
    rows = []
    for method, function in [("nearest_open", nearest_open), (BASELINE, masked_argmin)]:
        seconds, _ = best_time(lambda f=function: f(minutes, everyone), repeats=5)
        rows.append({"case": "Redbridge, one scenario (all 10 open)", "method": method,
                     "n_origins": minutes.shape[1], "n_counters": n, "seconds": seconds,
                     "notes": f"{1 / seconds:,.0f} scenarios/s"})
        seconds, _ = best_time(lambda f=function: [f(minutes, mask) for mask in subsets], repeats=2)
        rows.append({"case": f"Redbridge, all {len(subsets):,} subsets of the {n} counters", "method": method,
                     "n_origins": minutes.shape[1], "n_counters": n, "seconds": seconds,
                     "notes": f"{len(subsets) / seconds:,.0f} scenarios/s, one nearest_open call per subset"})
    return {"rows": rows}


def run(quick: bool = False) -> pd.DataFrame:
    """London-wide and Redbridge scenarios, each area in its own process."""
    rows = []
    for target in (measure_london, measure_redbridge):
        result = in_child(target, quick)
        if "error" in result:
            rows.append({"benchmark": "scenario", "case": target.__name__, "method": "nearest_open",
                         "notes": f"failed: {result['error']}"})
            continue
        for row in result["rows"]:
            rows.append({"benchmark": "scenario", "baseline": BASELINE, "peak_mb": result["peak_mb"], **row})
    return frame(rows)
