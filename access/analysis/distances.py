"""Figures per borough, and the straight-line distance to the nearest counter.

Plain functions on the per-origin results (:attr:`access.analysis.study.StudyResult.origins`)
and on coordinates; nothing here routes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from access.analysis.figures import group_figures

__all__ = ["nearest_distance_m", "distance_summary", "METRES_PER_MILE"]

METRES_PER_MILE = 1609.344


def nearest_distance_m(counter_xy: np.ndarray, origin_xy: np.ndarray, available: np.ndarray) -> np.ndarray:
    """Straight-line metres from each origin to the nearest available counter.

    Computed from coordinates alone (a k-d tree over the available counters),
    never from travel times.  ``inf`` for every origin when no counter is
    available.
    """
    available = np.asarray(available, dtype=bool)
    if not available.any():
        return np.full(len(origin_xy), np.inf)
    distance, _ = cKDTree(np.asarray(counter_xy, float)[available]).query(np.asarray(origin_xy, float))
    return distance


def distance_summary(counter_xy: np.ndarray, origin_xy: np.ndarray, population: np.ndarray,
                     available: pd.DataFrame) -> pd.DataFrame:
    """Population-weighted straight-line distance to the nearest available counter, per period.

    Parameters
    ----------
    counter_xy, origin_xy
        Coordinates (n × 2) in a projected CRS in metres.
    population
        Each origin's residents.
    available
        Counters (rows) × periods (columns), True where the counter is available.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``period``: ``counters`` available, ``mean_km``,
        ``mean_miles``, ``median_km`` and ``p90_km``.
    """
    population = np.asarray(population, float)
    rows = []
    for period in available.columns:
        metres = nearest_distance_m(counter_xy, origin_xy, available[period].to_numpy())
        figures = group_figures(metres, population, thresholds=()).iloc[0]  # unit-free: here metres
        rows.append({
            "period": period, "counters": int(available[period].sum()),
            "mean_km": figures["mean_min"] / 1000, "mean_miles": figures["mean_min"] / METRES_PER_MILE,
            "median_km": figures["median_min"] / 1000, "p90_km": figures["p90_min"] / 1000,
        })
    return pd.DataFrame(rows).set_index("period")
