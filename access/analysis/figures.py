"""From travel times to answers: nearest open counter, weighted figures, changes.

Plain functions on numpy arrays and pandas frames.  Nothing here routes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["THRESHOLDS_MIN", "nearest_open", "weighted_quantile", "summarise", "group_table",
           "switch_table"]

THRESHOLDS_MIN = (10, 20, 30, 45, 60)


def nearest_open(minutes: np.ndarray, available: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each origin's nearest available counter and its time.

    Parameters
    ----------
    minutes
        Array (counters × origins) of travel minutes.
    available
        Boolean array, one per counter.

    Returns
    -------
    time, counter
        Minutes to the nearest available counter (``inf`` when none is), and
        that counter's row (``-1`` when none is).  Ties go to the lower row.
    """
    minutes = np.asarray(minutes)
    available = np.asarray(available, dtype=bool)
    n = minutes.shape[1]
    rows = np.flatnonzero(available)
    if rows.size == 0:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    # A running minimum over the available rows: no masked copy of the whole matrix, and a
    # strict "<" keeps the lower row on ties.
    time = np.array(minutes[rows[0]], dtype=float)
    counter = np.full(n, rows[0], dtype=np.int64)
    closer = np.empty(n, dtype=bool)
    for row in rows[1:]:
        np.less(minutes[row], time, out=closer)
        np.copyto(time, minutes[row], where=closer)
        np.copyto(counter, row, where=closer)
    counter[~np.isfinite(time)] = -1
    return time, counter


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest value at which the cumulative weight reaches ``q`` of the total.

    Zero weights are ignored.  ``q = 0.5`` is the weighted median: at least
    half the population lives at this time or less.
    """
    values, weights = np.asarray(values, float), np.asarray(weights, float)
    keep = weights > 0
    values, weights = values[keep], weights[keep]
    if values.size == 0:
        return float("nan")
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    position = np.searchsorted(cumulative, q * cumulative[-1] - 1e-9 * cumulative[-1])
    return float(values[order][min(position, values.size - 1)])


def summarise(time_min: np.ndarray, population: np.ndarray) -> dict[str, float]:
    """Population-weighted figures for one scenario and mode.

    Returns
    -------
    dict
        ``population`` counted, ``mean_min``, ``median_min``, ``p90_min``, and
        ``within_<T>`` (share of residents, 0–1) for each threshold T in
        :data:`THRESHOLDS_MIN`; ``unreachable`` residents (no open counter
        reachable, time ``inf``) are left out of the times and counted apart;
        ``excluded`` residents (time ``NaN``: not measured, e.g. too far from
        the network) are left out of everything, shares included, and counted apart.
    """
    time_min, population = np.asarray(time_min, float), np.asarray(population, float)
    measured = ~np.isnan(time_min)
    excluded = population[~measured].sum()
    population = np.where(measured, population, 0.0)
    reachable = np.isfinite(time_min)
    weights = np.where(reachable, population, 0.0)
    total = population.sum()
    counted = weights.sum()
    figures: dict[str, float] = {
        "population": float(round(counted, 6)),
        "unreachable": float(round(total - counted, 6)),
        "excluded": float(round(excluded, 6)),
        "mean_min": float(np.average(time_min[reachable], weights=weights[reachable])) if counted else float("nan"),
        "median_min": weighted_quantile(time_min[reachable], weights[reachable], 0.5),
        "p90_min": weighted_quantile(time_min[reachable], weights[reachable], 0.9),
    }
    for threshold in THRESHOLDS_MIN:
        within = population[reachable & (time_min <= threshold)].sum()
        figures[f"within_{threshold}"] = float(within / total) if total else float("nan")
    return figures


def group_table(frame: pd.DataFrame, by: str | list[str], columns: list[str],
                weight: str = "population") -> pd.DataFrame:
    """Population-weighted means of ``columns`` for each group, with the group's population.

    Groups whose population is zero get ``NaN`` means.  A ``NaN`` value (not
    measured) is left out of its column's mean, and a group with no measured
    value gets ``NaN``; the ``population`` column counts everyone.
    """
    weights = frame[weight].to_numpy(float)
    measured = frame[columns].notna()
    weighted = frame[columns].fillna(0.0).mul(weights, axis=0)
    counted = measured.mul(weights, axis=0)
    keys = frame[by] if isinstance(by, str) else [frame[b] for b in by]
    sums, denominators = weighted.groupby(keys).sum(), counted.groupby(keys).sum()
    population = pd.Series(weights, index=frame.index).groupby(keys).sum()
    means = sums / denominators.where(denominators > 0)
    means.insert(0, weight, population)
    return means


def switch_table(before_counter: pd.Series, after_counter: pd.Series, change_min: pd.Series,
                 population: pd.Series) -> pd.DataFrame:
    """Residents whose nearest counter changed, by (from, to) pair.

    Returns
    -------
    pandas.DataFrame
        One row per (``from_counter``, ``to_counter``) pair that differ, with
        ``population``, ``origins`` (count), population-weighted
        ``mean_change_min`` and ``max_change_min``; largest population first.
    """
    frame = pd.DataFrame({"from_counter": before_counter, "to_counter": after_counter,
                          "change_min": change_min, "population": population})
    moved = frame[frame["from_counter"] != frame["to_counter"]].copy()
    moved["weighted"] = moved["change_min"] * moved["population"]
    table = moved.groupby(["from_counter", "to_counter"]).agg(
        population=("population", "sum"), origins=("population", "size"),
        weighted=("weighted", "sum"), max_change_min=("change_min", "max"))
    table["mean_change_min"] = table.pop("weighted") / table["population"].where(table["population"] > 0)
    table = table[["population", "origins", "mean_change_min", "max_change_min"]]
    return table.sort_values(["population", "origins"], ascending=False).reset_index()
