"""From travel times to answers: the nearest open counter, and population-weighted figures.

Plain functions on numpy arrays and pandas frames; nothing here routes.

**The rule** for origins whose time is not an ordinary number is written once,
in :func:`group_figures`, and every figure of every table comes from it: the
headline (:func:`summarise`), wards, LSOAs, boroughs, the equity breakdowns,
comparison maps and catchments.

* **Excluded** origins (time ``NaN``: more than 1 km from the street network,
  so not measured) are left out of everything: not in the population counted,
  not in any mean, quantile or share.  Their residents are counted apart as
  ``excluded``.
* **Unreachable** origins (time ``inf``: no open counter can be reached) are
  counted in the population of the shares, where they are never *within* a
  threshold (so they are *over* it), and left out of the mean, median and
  90th percentile.  Their residents are counted apart as ``unreachable``.
* Everyone else is ``population``: the residents behind the times.

Examples
--------
>>> import numpy as np
>>> summarise(np.array([10.0, 40.0, np.inf, np.nan]), np.array([1.0, 1.0, 1.0, 1.0]))["within_30"]
0.3333333333333333
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from access.core.defaults import THRESHOLDS_MIN

__all__ = ["THRESHOLDS_MIN", "CHANGE_TOLERANCE_MIN", "QUANTILE_TOLERANCE", "QUANTILES", "nearest_open",
           "weighted_quantile", "group_figures", "summarise", "change_figures", "switch_table"]

CHANGE_TOLERANCE_MIN = 1e-9
"""A resident is worse (better) off when their time rose (fell) by more than this."""

QUANTILE_TOLERANCE = 1e-9
"""A weighted quantile is reached when the cumulative weight is within this fraction of the total below ``q``
of it (so that rounding in the sums never skips the value where exactly ``q`` of the weight is reached)."""

QUANTILES = {"median_min": 0.5, "p90_min": 0.9}
"""The quantiles every table gives: the weighted median and 90th percentile."""


def nearest_open(minutes: np.ndarray, available: np.ndarray,
                 excluded: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each origin's nearest available counter and its time.

    Parameters
    ----------
    minutes
        Array (counters × origins) of travel minutes.
    available
        Boolean array, one per counter.
    excluded
        Optional boolean array, one per origin: origins not measured (too far
        from the network).  They get time ``NaN`` and counter ``-1``.

    Returns
    -------
    time, counter
        Minutes to the nearest available counter (``inf`` when none is), and
        that counter's row (``-1`` when none is).  Ties go to the lower row.

    Examples
    --------
    >>> t, c = nearest_open(np.array([[5.0, 9.0], [7.0, 3.0]]), np.array([True, True]))
    >>> t.tolist(), c.tolist()
    ([5.0, 3.0], [0, 1])
    """
    minutes = np.asarray(minutes)
    available = np.asarray(available, dtype=bool)
    n = minutes.shape[1]
    rows = np.flatnonzero(available)
    if rows.size == 0:
        time, counter = np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    else:
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
    if excluded is not None:
        excluded = np.asarray(excluded, dtype=bool)
        time[excluded] = np.nan
        counter[excluded] = -1
    return time, counter


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Return the smallest value at which the cumulative weight reaches ``q`` of the total.

    Zero weights are ignored.  ``q = 0.5`` is the weighted median: at least
    half the population lives at this time or less.  :func:`group_figures`
    computes the same quantile for many groups at once.

    Examples
    --------
    >>> weighted_quantile(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 2.0]), 0.5)
    2.0
    """
    values, weights = np.asarray(values, float), np.asarray(weights, float)
    keep = weights > 0
    values, weights = values[keep], weights[keep]
    if values.size == 0:
        return float("nan")
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    position = np.searchsorted(cumulative, q * cumulative[-1] - QUANTILE_TOLERANCE * cumulative[-1])
    return float(values[order][min(position, values.size - 1)])


def _grouped_quantiles(codes: np.ndarray, time: np.ndarray, weights: np.ndarray, n_groups: int,
                       qs: Sequence[float]) -> list[np.ndarray]:
    """Per group, :func:`weighted_quantile` of its entries (all finite, weights > 0) for each ``q``."""
    if time.size == 0:
        return [np.full(n_groups, np.nan) for _ in qs]
    order = np.lexsort((time, codes))  # by group, then by time; stable, as weighted_quantile's sort
    codes, time, weights = codes[order], time[order], weights[order]
    cumulative = np.cumsum(weights)
    groups = np.arange(n_groups)
    starts = np.searchsorted(codes, groups, side="left")
    ends = np.searchsorted(codes, groups, side="right")
    present = ends > starts
    base = np.where(starts > 0, cumulative[np.maximum(starts - 1, 0)], 0.0)
    total = np.where(present, cumulative[np.maximum(ends - 1, 0)] - base, 0.0)
    out = []
    for q in qs:
        threshold = q * total - QUANTILE_TOLERANCE * total
        position = np.minimum(np.searchsorted(cumulative, base + threshold, side="left"), np.maximum(ends - 1, 0))
        out.append(np.where(present, time[np.minimum(position, time.size - 1)], np.nan))
    return out


def group_figures(time_min: np.ndarray, weights: np.ndarray, groups: np.ndarray | pd.Series | None = None, *,
                  thresholds: Sequence[float] = THRESHOLDS_MIN, quantiles: bool = True,
                  at_least: Sequence[float] = ()) -> pd.DataFrame:
    """Population-weighted figures per group: the one rule for every table (see the module docstring).

    Parameters
    ----------
    time_min
        Minutes per origin: a number, ``inf`` (unreachable) or ``NaN`` (excluded).
    weights
        Residents (or households) per origin.
    groups
        A group label per origin; origins whose label is missing belong to no
        group.  ``None``: one group of everyone, labelled ``"all"``.
    thresholds
        Minutes of the ``within_<T>`` shares.
    quantiles
        Also give ``median_min`` and ``p90_min``.
    at_least
        Minutes of the ``at_least_<T>`` counts: residents whose time is ``T``
        minutes or more, unreachable ones included (MOPAC's criterion, "60
        minutes or more by public transport").

    Returns
    -------
    pandas.DataFrame
        Indexed by group (sorted): ``population`` (residents counted in the
        times), ``unreachable``, ``excluded``, ``mean_min``, ``median_min``,
        ``p90_min``, ``within_<T>`` (share of ``population + unreachable``,
        0–1) and ``at_least_<T>`` (residents, of ``population + unreachable``;
        never the excluded).  A figure with nobody to count is ``NaN``.

    Examples
    --------
    >>> group_figures(np.array([5.0, 20.0, np.inf, 8.0]), np.ones(4), np.array(["a", "a", "a", "b"]),
    ...               thresholds=[10])[["population", "unreachable", "mean_min", "within_10"]]
       population  unreachable  mean_min  within_10
    a         2.0          1.0      12.5   0.333333
    b         1.0          0.0       8.0   1.000000
    >>> group_figures(np.array([59.9, 60.0, np.inf, np.nan]), np.ones(4), thresholds=(), at_least=[60])["at_least_60"]
    all    2.0
    Name: at_least_60, dtype: float64
    """
    time = np.asarray(time_min, dtype=float)
    weights = np.asarray(weights, dtype=float)
    if groups is None:
        codes, labels = np.zeros(time.size, dtype=np.int64), pd.Index(["all"])
    else:
        codes, labels = pd.factorize(pd.Series(np.asarray(groups, dtype=object)), sort=True)
        labels = pd.Index(labels)
    member = (codes >= 0) & (weights != 0)  # an origin of no weight changes no figure: leave it out of the sums
    codes, time, weights = codes[member], time[member], weights[member]
    n = len(labels)
    excluded = np.isnan(time)
    finite = np.isfinite(time)

    def total(values: np.ndarray) -> np.ndarray:
        # pandas sums groups with compensated (Kahan) summation: counts of residents stay exact
        sums = pd.Series(values).groupby(codes).sum()
        return sums.reindex(range(n), fill_value=0.0).to_numpy(float)

    population = total(np.where(finite, weights, 0.0))
    unreachable = total(np.where(~finite & ~excluded, weights, 0.0))
    measured = population + unreachable
    with np.errstate(invalid="ignore", divide="ignore"):
        table: dict[str, np.ndarray] = {  # counts of residents to 6 decimals: sums of shares, not a measurement
            "population": population.round(6),
            "unreachable": unreachable.round(6),
            "excluded": total(np.where(excluded, weights, 0.0)).round(6),
            "mean_min": np.where(population > 0, total(np.where(finite, time, 0.0) * weights) / population, np.nan),
        }
        if quantiles:
            counted = finite & (weights > 0)
            values = _grouped_quantiles(codes[counted], time[counted], weights[counted], n, list(QUANTILES.values()))
            table.update(zip(QUANTILES, values, strict=True))
        for threshold in thresholds:
            within = total(np.where(finite & (time <= threshold), weights, 0.0))
            table[f"within_{threshold:g}"] = np.where(measured > 0, within / measured, np.nan)
        for threshold in at_least:
            table[f"at_least_{threshold:g}"] = total(np.where(~excluded & (time >= threshold), weights, 0.0)).round(6)
    return pd.DataFrame(table, index=labels)


def summarise(time_min: np.ndarray, population: np.ndarray,
              thresholds: Sequence[float] = THRESHOLDS_MIN) -> dict[str, float]:
    """Population-weighted figures of everyone: :func:`group_figures` with a single group.

    Returns
    -------
    dict
        ``population``, ``unreachable``, ``excluded``, ``mean_min``,
        ``median_min``, ``p90_min`` and ``within_<T>`` for each threshold.
    """
    row = group_figures(time_min, population, thresholds=thresholds).iloc[0]
    return {key: float(value) for key, value in row.items()}


def change_figures(before_min: np.ndarray, after_min: np.ndarray, weights: np.ndarray,
                   groups: np.ndarray | pd.Series | None = None, *,
                   thresholds: Sequence[float] = THRESHOLDS_MIN, quantiles: bool = True,
                   at_least: Sequence[float] = ()) -> pd.DataFrame:
    """Before and after figures per group, with the changes and who is worse or better off.

    Both periods' figures come from :func:`group_figures` (columns suffixed
    ``_before`` and ``_after``).  Then ``mean_change_min`` (after − before
    means), ``within_<T>_change``, ``at_least_<T>_change``, and per-origin counts: ``worse`` and
    ``better`` (residents whose time rose or fell by more than
    :data:`CHANGE_TOLERANCE_MIN`, losing or gaining reach included),
    ``max_worse_min`` and ``max_better_min`` (the largest finite rise and fall).

    Examples
    --------
    >>> change_figures(np.array([5.0, 10.0]), np.array([5.0, 25.0]), np.ones(2), thresholds=[10],
    ...                quantiles=False)[["mean_min_before", "mean_min_after", "mean_change_min", "worse"]]
         mean_min_before  mean_min_after  mean_change_min  worse
    all              7.5            15.0              7.5    1.0
    """
    before_min, after_min = np.asarray(before_min, float), np.asarray(after_min, float)
    weights = np.asarray(weights, float)
    before = group_figures(before_min, weights, groups, thresholds=thresholds, quantiles=quantiles, at_least=at_least)
    after = group_figures(after_min, weights, groups, thresholds=thresholds, quantiles=quantiles, at_least=at_least)
    table = before.add_suffix("_before").join(after.add_suffix("_after"))
    table["mean_change_min"] = table["mean_min_after"] - table["mean_min_before"]
    for key in [f"within_{t:g}" for t in thresholds] + [f"at_least_{t:g}" for t in at_least]:
        table[f"{key}_change"] = table[f"{key}_after"] - table[f"{key}_before"]
    with np.errstate(invalid="ignore"):
        change = after_min - before_min  # NaN where either is excluded, or both unreachable
    finite = np.isfinite(change)
    labels = (np.full(change.size, "all", dtype=object) if groups is None
              else np.asarray(groups, dtype=object))
    moves = pd.DataFrame({
        "group": labels,
        "worse": np.where(change > CHANGE_TOLERANCE_MIN, weights, 0.0),
        "better": np.where(change < -CHANGE_TOLERANCE_MIN, weights, 0.0),
        "max_worse_min": np.where(finite, change, np.nan),
        "max_better_min": np.where(finite, -change, np.nan),
    }).groupby("group", dropna=True).agg({"worse": "sum", "better": "sum", "max_worse_min": "max",
                                          "max_better_min": "max"})
    return table.join(moves)


def switch_table(before_counter: pd.Series, after_counter: pd.Series, change_min: pd.Series,
                 population: pd.Series) -> pd.DataFrame:
    """Residents whose nearest counter changed, by (from, to) pair.

    Origins with no counter in either period (excluded, or unreachable) are
    not a switch.

    Returns
    -------
    pandas.DataFrame
        One row per (``from_counter``, ``to_counter``) pair that differ, with
        ``population``, ``origins`` (count), population-weighted
        ``mean_change_min`` and ``max_change_min``; largest population first.
    """
    frame = pd.DataFrame({"from_counter": before_counter, "to_counter": after_counter,
                          "change_min": change_min, "population": population})
    moved = frame[(frame["from_counter"] != frame["to_counter"]) & frame["from_counter"].notna()
                  & frame["to_counter"].notna()].copy()
    moved["weighted"] = moved["change_min"] * moved["population"]
    table = moved.groupby(["from_counter", "to_counter"]).agg(
        population=("population", "sum"), origins=("population", "size"),
        weighted=("weighted", "sum"), max_change_min=("change_min", "max"))
    table["mean_change_min"] = table.pop("weighted") / table["population"].where(table["population"] > 0)
    table = table[["population", "origins", "mean_change_min", "max_change_min"]]
    return table.sort_values(["population", "origins"], ascending=False).reset_index()
