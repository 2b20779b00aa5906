"""Figures per borough, and the straight-line distance to the nearest counter.

Plain functions on the per-origin results (:attr:`access.analysis.study.StudyResult.origins`)
and on coordinates; nothing here routes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from access.analysis.figures import summarise, weighted_quantile

__all__ = ["borough_table", "nearest_distance_m", "distance_summary", "METRES_PER_MILE"]

METRES_PER_MILE = 1609.344


def borough_table(origins: pd.DataFrame, modes: Sequence[str], before: str, after: str) -> pd.DataFrame:
    """Population-weighted before/after figures per borough and mode, ranked by loss.

    Parameters
    ----------
    origins
        One row per origin with ``borough``, ``population`` and the columns
        ``<mode>_<period>_min`` of :attr:`~access.analysis.study.StudyResult.origins`.
    modes
        The modes to tabulate.
    before, after
        The periods compared.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``mode``, ``borough``); within a mode the borough whose
        mean time rose most comes first (``rank`` 1).  Columns: ``residents``;
        ``mean_min``, ``median_min``, ``p90_min``, ``within_30`` and
        ``within_45`` (shares, 0–1), each ``_before`` and ``_after``;
        ``mean_change_min`` (after − before) and ``within_30_change``;
        ``residents_worse`` (whose nearest open counter is farther after).
    """
    tables = []
    population = origins["population"].to_numpy(float)
    for mode in modes:
        times = {role: origins[f"{mode}_{period}_min"].to_numpy(float)
                 for role, period in (("before", before), ("after", after))}
        rows = []
        for borough, index in origins.groupby("borough").indices.items():
            weights = population[index]
            row: dict[str, object] = {"mode": mode, "borough": borough, "residents": float(weights.sum())}
            for role, minutes in times.items():
                figures = summarise(minutes[index], weights)
                for figure in ("mean_min", "median_min", "p90_min", "within_30", "within_45"):
                    row[f"{figure}_{role}"] = figures[figure]
            change = times["after"][index] - times["before"][index]
            row["residents_worse"] = float(weights[change > 1e-9].sum())
            rows.append(row)
        table = pd.DataFrame(rows)
        table["mean_change_min"] = table["mean_min_after"] - table["mean_min_before"]
        table["within_30_change"] = table["within_30_after"] - table["within_30_before"]
        table = table.sort_values(["mean_change_min", "borough"], ascending=[False, True])
        table.insert(2, "rank", np.arange(1, len(table) + 1))
        tables.append(table)
    return pd.concat(tables, ignore_index=True).set_index(["mode", "borough"])


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
        finite = np.isfinite(metres)
        mean = float(np.average(metres[finite], weights=population[finite])) if population[finite].sum() else np.nan
        rows.append({
            "period": period, "counters": int(available[period].sum()),
            "mean_km": mean / 1000, "mean_miles": mean / METRES_PER_MILE,
            "median_km": weighted_quantile(metres[finite], population[finite], 0.5) / 1000,
            "p90_km": weighted_quantile(metres[finite], population[finite], 0.9) / 1000,
        })
    return pd.DataFrame(rows).set_index("period")
