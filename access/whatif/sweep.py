"""Sweeps: every subset (or every k-subset) of counters, evaluated at once, and the real decision ranked.

A subset is "these counters are available, the others closed".  Every subset
is evaluated on the counter × origin minutes already computed (a
:class:`~access.whatif.scenario.Board`): no routing happens here.  Subsets are
processed in blocks as a (subsets × origins) array; each varying counter is
folded in with one ``numpy.minimum`` pass, so the work grows with subsets ×
counters × origins and no Python loop runs per subset.  Counters that do not
vary (outside ``among``) are folded into one fixed row first.

    result = sweep(board, among=None, sizes=None)      # all 2^n subsets
    result.best          # the best subset of each size, per mode
    result.real          # where the real decision ranks among subsets of its size
"""

from __future__ import annotations

import itertools
import math
import time as clock
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from access.analysis.figures import QUANTILE_TOLERANCE, nearest_open, summarise
from access.core.arguments import names
from access.core.budget import require
from access.core.defaults import DEFAULT_MAX_SUBSETS, RANK_BY
from access.core.errors import ScenarioError
from access.whatif.board import Board
from access.whatif.scenario import counter_id, period_scenario

__all__ = ["subset_masks", "evaluate_subsets", "sweep", "SweepResult", "RANK_BY", "DEFAULT_MAX_SUBSETS"]


def subset_masks(n: int, sizes: Sequence[int] | None = None, max_subsets: int = DEFAULT_MAX_SUBSETS) -> np.ndarray:
    """Boolean (subsets × n) array: every subset of ``n`` counters, or every subset of the given sizes.

    Raises
    ------
    ScenarioError
        A size is outside 0…n, or there are more than ``max_subsets`` subsets.

    Examples
    --------
    >>> subset_masks(3).sum(axis=1).tolist()
    [0, 1, 1, 2, 1, 2, 2, 3]
    >>> subset_masks(4, sizes=[2]).shape
    (6, 4)
    """
    if sizes is None:
        total = 2 ** n
        require(min(total, max_subsets + 1) * _SUBSET_BYTES(n), f"the table of {total:,} subsets of {n} counters",
                "sweep fewer counters (--among) or sizes (--k), or lower --max-subsets")
        if total > max_subsets:
            raise ScenarioError(f"all subsets of {n} counters are {total:,}, more than the cap of {max_subsets:,}; "
                                f"choose sizes with --k, fewer counters with --among, or raise --max-subsets")
        codes = np.arange(total, dtype=np.int64)
        return ((codes[:, None] >> np.arange(n)) & 1).astype(bool)
    bad = [k for k in sizes if not 0 <= k <= n]
    if bad:
        raise ScenarioError(f"subset size(s) {bad} are outside 0…{n} (the number of counters swept)")
    total = sum(math.comb(n, k) for k in sorted(set(sizes)))
    require(min(total, max_subsets + 1) * _SUBSET_BYTES(n), f"the table of {total:,} subsets of {n} counters",
            "sweep fewer counters (--among) or sizes (--k), or lower --max-subsets")
    if total > max_subsets:
        raise ScenarioError(f"subsets of size {sorted(set(sizes))} of {n} counters are {total:,}, more than the cap "
                            f"of {max_subsets:,}; choose smaller sizes or fewer counters, or raise --max-subsets")
    rows = [list(combo) for k in sorted(set(sizes)) for combo in itertools.combinations(range(n), k)]
    masks = np.zeros((len(rows), n), dtype=bool)
    for i, combo in enumerate(rows):
        masks[i, combo] = True
    return masks


def _SUBSET_BYTES(n: int) -> int:  # noqa: N802 - reads as a constant of n
    """About what one subset costs: its mask and, per mode, a row of figures and a label of ids."""
    return n + 3 * (12 * 8 + 20 * n)


_BLOCK = 256
"""Subsets evaluated at once."""

_BLOCK_BYTES_PER_CELL = 48
"""Bytes per (subset, origin) of a block while it is evaluated: ranks, times, weights, buckets and their copies."""

_BUCKET_BITS = 8  # quantiles: a histogram of 2^8-rank buckets first, then a sort inside one bucket


def _weighted_quantiles(ranks: np.ndarray, buckets: np.ndarray, weights: np.ndarray, values: np.ndarray, q: float,
                        hist_cum: np.ndarray) -> np.ndarray:
    """Row-wise :func:`access.analysis.figures.weighted_quantile` of ``values[ranks]``, without sorting each row.

    ``ranks`` (subsets × origins) index ``values`` (ascending); ``buckets``
    are the ranks' buckets (contiguous runs of ranks); ``weights`` (subsets ×
    origins) are zero for unreachable origins; ``hist_cum`` is the cumulative
    weight per bucket (subsets × buckets).  The bucket where
    the cumulative weight reaches ``q`` of the total is found from
    ``hist_cum``; only the origins in that bucket are then sorted.
    """
    n_rows = ranks.shape[0]
    total = hist_cum[:, -1]
    threshold = q * total - QUANTILE_TOLERANCE * total
    bucket = (hist_cum >= threshold[:, None]).argmax(axis=1)
    before = np.where(bucket > 0, hist_cum[np.arange(n_rows), np.maximum(bucket - 1, 0)], 0.0)
    rows, cols = np.nonzero(buckets == bucket[:, None])
    inside = ranks[rows, cols]
    order = np.lexsort((inside, rows))
    rows, inside, w = rows[order], inside[order], weights[rows[order], cols[order]]
    cumulative = np.cumsum(w)
    starts = np.searchsorted(rows, np.arange(n_rows))
    offset = np.where(starts > 0, cumulative[np.maximum(starts - 1, 0)], 0.0)
    reached = before[rows] + cumulative - offset[rows] >= threshold[rows]
    # first position of each row where the cumulative weight reaches the threshold
    first = np.full(n_rows, -1)
    hits = np.flatnonzero(reached)
    hit_rows = rows[hits]
    keep = np.r_[True, hit_rows[1:] != hit_rows[:-1]] if hits.size else np.array([], dtype=bool)
    first[hit_rows[keep]] = hits[keep]
    found = (first >= 0) & (total > 0)
    result = np.full(n_rows, np.nan)
    result[found] = values[inside[first[found]]]
    return result


def _one_by_one(minutes: np.ndarray, population: np.ndarray, masks: np.ndarray,
                fixed_min: np.ndarray | None, thresholds: Sequence[float]) -> pd.DataFrame:
    """:func:`evaluate_subsets`' figures, one :func:`nearest_open` and :func:`summarise` per subset."""
    full = minutes if fixed_min is None else np.vstack([minutes, np.asarray(fixed_min, float)[None, :]])
    total = population.sum()
    rows = []
    for mask in np.asarray(masks, dtype=bool):
        time = nearest_open(full, mask if fixed_min is None else np.r_[mask, True])[0]
        figures = summarise(time, population)
        row = {k: figures[k] for k in ("mean_min", "median_min", "p90_min", "unreachable")}
        for t in thresholds:
            row[f"within_{t:g}"] = population[np.isfinite(time) & (time <= t)].sum() / total
        rows.append(row)
    columns = ["mean_min", "median_min", "p90_min", "unreachable", *[f"within_{t:g}" for t in thresholds]]
    return pd.DataFrame(rows, columns=columns)


def evaluate_subsets(minutes: np.ndarray, population: np.ndarray, masks: np.ndarray,
                     fixed_min: np.ndarray | None = None, thresholds: Sequence[float] = (10, 20, 30, 45, 60),
                     block: int = 256) -> pd.DataFrame:
    """Population-weighted figures of every subset at once.

    Every time an origin can have is one of the (counters + 1) × origins
    entries of ``minutes`` and ``fixed_min``; they are ranked once, and each
    subset's times are folded as ranks (``numpy.minimum`` with a ``where``
    mask per counter).  Means and shares come from the times; the weighted
    median and 90th percentile from a histogram of rank buckets and a sort of
    the one bucket that holds them, so no row is sorted whole; the buckets
    are also cut at each threshold, so the shares come from the same histogram.

    Parameters
    ----------
    minutes
        Counters × origins minutes of the counters that vary.
    population
        Origin weights.
    masks
        Subsets × counters, True where the counter is available.
    fixed_min
        Per origin, minutes to the nearest counter that is always available
        (``inf`` or ``None`` when there is none).
    thresholds
        Minutes for the ``within_<T>`` shares.
    block
        Subsets per block (bounds memory at block × origins).

    Returns
    -------
    pandas.DataFrame
        One row per subset, in ``masks`` order: ``mean_min``, ``median_min``,
        ``p90_min``, ``within_<T>`` and ``unreachable``, computed as
        :func:`access.analysis.figures.summarise` does (unreachable residents are left
        out of the times and counted apart).
    """
    minutes = np.asarray(minutes, float)
    population = np.asarray(population, float)
    if masks.shape[0] <= 2 * minutes.shape[0]:
        # Ranking every entry once costs about as much as evaluating a few subsets one by one
        # (London-wide, 73 counters: some 20), so a short list is evaluated one by one.
        return _one_by_one(minutes, population, masks, fixed_min, thresholds)
    keep = population > 0  # weightless origins change no figure
    minutes, weights = minutes[:, keep], population[keep]
    fixed = np.full(weights.size, np.inf) if fixed_min is None else np.asarray(fixed_min, float)[keep]
    total = population.sum()
    n_origins = weights.size

    entries = np.vstack([minutes, fixed[None, :]])
    order = np.argsort(entries, axis=None, kind="stable")
    values = entries.ravel()[order]  # ascending, inf last
    ranks = np.empty(entries.size, dtype=np.int32)
    ranks[order] = np.arange(entries.size, dtype=np.int32)
    ranks = ranks.reshape(entries.shape)
    finite_ranks = int(np.isfinite(values).sum())  # a rank below this is a reachable time
    # Buckets: runs of 2^_BUCKET_BITS ranks, also cut where each threshold starts, so that the
    # cumulative weight per bucket gives both the quantiles' bucket and the within-T shares.
    within_ranks = {t: int(np.searchsorted(values, t, side="right")) for t in thresholds}
    edges = np.unique(np.r_[np.arange(0, entries.size, 1 << _BUCKET_BITS), list(within_ranks.values()),
                            finite_ranks])
    edges = edges[edges < entries.size]
    bucket_of_rank = (np.searchsorted(edges, np.arange(entries.size), side="right") - 1).astype(np.int32)
    n_buckets = len(edges)
    last_bucket_below = {t: int(np.searchsorted(edges, r, side="left")) - 1 for t, r in within_ranks.items()}

    out: dict[str, list[np.ndarray]] = {k: [] for k in ("mean_min", "median_min", "p90_min", "unreachable",
                                                         *[f"within_{t:g}" for t in thresholds])}
    for start in range(0, masks.shape[0], block):
        chunk = masks[start:start + block]
        n_rows = chunk.shape[0]
        rank = np.broadcast_to(ranks[-1], (n_rows, n_origins)).copy()
        for counter in range(minutes.shape[0]):
            np.minimum(rank, ranks[counter], out=rank, where=chunk[:, counter, None])
        reachable = rank < finite_ranks
        w = np.where(reachable, weights, 0.0)
        counted = w.sum(axis=1)
        time = np.where(reachable, values[rank], 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            out["mean_min"].append(np.where(counted > 0, (time * w).sum(axis=1) / counted, np.nan))
        buckets = bucket_of_rank[rank]
        flat = (np.arange(n_rows, dtype=np.int32)[:, None] * n_buckets + buckets).ravel()
        hist = np.bincount(flat, weights=w.ravel(), minlength=n_rows * n_buckets).reshape(n_rows, n_buckets)
        hist_cum = np.cumsum(hist, axis=1)
        out["median_min"].append(_weighted_quantiles(rank, buckets, w, values, 0.5, hist_cum))
        out["p90_min"].append(_weighted_quantiles(rank, buckets, w, values, 0.9, hist_cum))
        out["unreachable"].append(total - counted)
        for t in thresholds:
            below = last_bucket_below[t]
            out[f"within_{t:g}"].append(hist_cum[:, below] / total if below >= 0 else np.zeros(n_rows))
    return pd.DataFrame({k: np.concatenate(v) if v else np.array([]) for k, v in out.items()})


@dataclass
class SweepResult:
    """Every subset's figures, the best of each size and the real decision's rank.

    Attributes
    ----------
    table
        One row per (mode, subset): ``subset`` (ids joined by ``+``), ``k``,
        the figures and ``rank`` within its size (1 = best by ``by``).
    among
        The counters that varied.
    fixed
        Counters always available (outside ``among`` and available in the base period).
    real_subset
        The counters of ``among`` available in the real period.
    real_period
        The period taken as the real decision.
    by
        The figure ranked by.
    models
        The model behind each mode's times.
    seconds
        Time spent evaluating (no routing), per mode.

    Examples
    --------
    >>> from access import load_study
    >>> from access.whatif.board import build_board
    >>> board = build_board(load_study("redbridge-2017"), [], modes=["walk"], offline=True)
    >>> found = sweep(board, among=["ilford", "barkingside", "woodford", "wanstead"], sizes=[1])
    >>> found
    SweepResult('walk': 4 subsets of ilford, barkingside, woodford, wanstead by mean_min; real: ilford)
    >>> int(found.real.loc["walk", "rank"]), found.real.loc["walk", "best_subset"]
    (2, 'barkingside')
    """

    table: pd.DataFrame
    among: list[str]
    fixed: list[str]
    real_subset: list[str]
    real_period: str
    by: str
    models: dict[str, str]
    seconds: dict[str, float]

    def __repr__(self) -> str:
        n = len(self.table) // max(len(self.models), 1)
        return (f"SweepResult({', '.join(map(repr, self.models))}: {n:,} subsets of {', '.join(self.among)} by "
                f"{self.by}; real: {'+'.join(self.real_subset) or '(none)'})")

    @property
    def best(self) -> pd.DataFrame:
        """The best subset of each size, per mode (with how many subsets of that size there are)."""
        table = self.table
        best = table[table["rank"] == 1].sort_values(["mode", "k", "subset"]).drop_duplicates(["mode", "k"])
        counts = table.groupby(["mode", "k"]).size().rename("subsets")
        return best.join(counts, on=["mode", "k"]).set_index(["mode", "k"])

    @property
    def real(self) -> pd.DataFrame:
        """The real decision per mode: its figures, rank among subsets of its size, and the best of that size."""
        label = "+".join(self.real_subset) or "(none)"
        rows = []
        for mode, group in self.table.groupby("mode", sort=False):
            mine = group[group["subset"] == label]
            if mine.empty:
                continue
            row = mine.iloc[0]
            same = group[group["k"] == row["k"]]
            best = same.sort_values("rank").iloc[0]
            rows.append({"mode": mode, "subset": label, "k": int(row["k"]), "rank": int(row["rank"]),
                         "of": len(same), self.by: row[self.by], f"best_{self.by}": best[self.by],
                         "best_subset": best["subset"]})
        columns = ["mode", "subset", "k", "rank", "of", self.by, f"best_{self.by}", "best_subset"]
        return pd.DataFrame(rows, columns=columns).set_index("mode")  # (empty when its size was not swept)


def sweep(board: Board, *, among: Sequence[str] | None = None, base: str | None = None,
          real: str | None = None, sizes: Sequence[int] | None = None, by: str = "mean_min",
          max_subsets: int = DEFAULT_MAX_SUBSETS) -> SweepResult:
    """Evaluate every subset (or every k-subset) of counters on ``board``.

    Parameters
    ----------
    board
        Counter × origin minutes (from :func:`access.whatif.scenario.build_board`).
    among
        Ids of the counters that vary (default: every counter of the study).
        The others keep their availability in ``base``.
    base
        Period giving the fixed counters' availability (default: the study's ``after``).
    real
        Period whose availability of ``among`` is the real decision (default: ``after``).
    sizes
        Subset sizes to evaluate (default: every size, i.e. all 2^n subsets).
    by
        Figure to rank by (:data:`RANK_BY`).
    max_subsets
        Refuse to evaluate more subsets than this.

    Returns
    -------
    SweepResult

    Examples
    --------
    >>> from access import load_study
    >>> from access.whatif.board import build_board
    >>> board = build_board(load_study("redbridge-2017"), [], modes=["walk"], offline=True)
    >>> found = sweep(board, among=["ilford", "barkingside", "woodford", "wanstead"], sizes=[1])
    >>> real = found.real.loc["walk"]   # Ilford alone: 2nd of the 4 ways to keep one counter
    >>> real["subset"], int(real["rank"]), int(real["of"]), real["best_subset"]
    ('ilford', 2, 4, 'barkingside')
    """
    config = board.study.config
    base = config.period_id(base or config.after, error=ScenarioError)
    real = config.period_id(real or config.after, error=ScenarioError)
    if by not in RANK_BY:
        raise ScenarioError(f"cannot rank by {by!r}; choose from {', '.join(RANK_BY)}")
    own = list(board.study.places.counters["id"])
    ids = board.ids
    counter_names = board.counters["name"].astype(str).tolist()
    among = list(dict.fromkeys(counter_id(cid, ids, counter_names) for cid in names(among, "among"))) or own
    rows = [ids.index(cid) for cid in among]
    base_available = board.available(period_scenario(base))
    fixed_rows = [r for r in range(len(ids)) if r not in rows and base_available[r]]
    real_available = board.available(period_scenario(real))
    real_subset = [cid for cid, r in zip(among, rows, strict=True) if real_available[r]]

    masks = subset_masks(len(rows), sizes, max_subsets)
    n_origins = next(iter(board.minutes.values())).shape[1] if board.minutes else 0
    require(min(_BLOCK, len(masks)) * n_origins * _BLOCK_BYTES_PER_CELL,
            f"evaluating {len(masks):,} subsets in blocks of {_BLOCK} over {n_origins:,} origins",
            "sweep fewer subsets at a time")
    labels = ["+".join(a for a, m in zip(among, mask, strict=True) if m) or "(none)" for mask in masks]
    smaller_better = RANK_BY[by]
    tables, seconds = [], {}
    for mode in board.modes:
        started = clock.perf_counter()
        minutes = board.minutes[mode]
        fixed = minutes[fixed_rows].min(axis=0) if fixed_rows else None
        figures = evaluate_subsets(minutes[rows], board.weights(mode), masks, fixed_min=fixed, block=_BLOCK)
        seconds[mode] = clock.perf_counter() - started
        figures.insert(0, "mode", mode)
        figures.insert(1, "subset", labels)
        figures.insert(2, "k", masks.sum(axis=1))
        key = figures[by].fillna(np.inf if smaller_better else -np.inf)
        key = key if smaller_better else -key
        figures["rank"] = key.groupby(figures["k"]).rank(method="min").astype(int)
        tables.append(figures)
    table = pd.concat(tables, ignore_index=True)
    return SweepResult(table=table, among=among, fixed=[ids[r] for r in fixed_rows], real_subset=real_subset,
                       real_period=real, by=by, models={m: t.model for m, t in board.times.items()},
                       seconds=seconds)
