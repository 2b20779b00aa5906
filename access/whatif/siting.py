"""Where should a counter go?  Candidate sites, their cost matrix, and the p-median problem.

Candidates are every street-network node inside the study's boroughs (network
model), or a regular grid over the boroughs (straight-line estimate, default
250 m).  Their candidate × origin minutes come from one shortest-path run from
all candidates at once (or one straight-line matrix), like the counters' own.

Two questions are answered on that matrix:

* :func:`rank_sites`: each candidate alone, and each candidate added to the
  counters available in a period: the population-weighted mean minutes it gives.
* :func:`p_median`: choose ``p`` candidates minimising population-weighted
  minutes (optionally on top of the existing counters): greedy addition, then
  Teitz–Bart vertex substitution until no single swap improves the total,
  repeated from seeded random starts.  It is a heuristic; ``tests/test_siting.py``
  checks it against PySAL ``spopt``'s exact ``PMedian`` (a MILP) on real cost
  matrices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from access.core.errors import ScenarioError
from access.analysis.study import Study
from access.routing.travel import TravelTimes

__all__ = ["Candidates", "candidate_sites", "rank_sites", "p_median", "best_sets", "PMedianResult", "DEFAULT_SPACING_M",
           "DEFAULT_MAX_CANDIDATES"]

DEFAULT_SPACING_M = 250.0
"""Grid spacing of straight-line candidates, metres."""

DEFAULT_MAX_CANDIDATES = 3000
"""More network nodes than this are thinned to an even subset (every n-th node)."""

_CHUNK = 250  # candidates routed per Dijkstra call


@dataclass
class Candidates:
    """Candidate sites and their travel times.

    Attributes
    ----------
    sites
        GeoDataFrame (study CRS): ``site`` (0…n−1), ``lon``, ``lat``, point geometry.
    times
        Candidate × origin :class:`~access.routing.travel.TravelTimes` (rows follow ``sites``).
    kind
        How the candidates were chosen, in words.
    """

    sites: gpd.GeoDataFrame
    times: TravelTimes
    kind: str

    @property
    def minutes(self) -> np.ndarray:
        """Candidates × origins minutes."""
        return self.times.minutes


def _grid(boundary: shapely.Geometry, spacing_m: float) -> np.ndarray:
    west, south, east, north = boundary.bounds
    xs = np.arange(west + spacing_m / 2, east, spacing_m)
    ys = np.arange(south + spacing_m / 2, north, spacing_m)
    gx, gy = np.meshgrid(xs, ys)
    points = shapely.points(gx.ravel(), gy.ravel())
    inside = shapely.contains(boundary, points)
    return np.column_stack([gx.ravel()[inside], gy.ravel()[inside]])


def candidate_sites(study: Study, mode: str, *, offline: bool = False, osm_file=None, use_cache: bool = True,
                    spacing_m: float = DEFAULT_SPACING_M,
                    max_candidates: int = DEFAULT_MAX_CANDIDATES) -> Candidates:
    """Candidate sites in the study's boroughs, and their times to every origin.

    With a street network, every network node inside the boroughs (thinned
    evenly to ``max_candidates``); without one, a ``spacing_m`` grid, timed with
    the same straight-line estimate as the counters.

    Raises
    ------
    ScenarioError
        ``spacing_m`` or ``max_candidates`` is not positive, or no candidate lies
        inside the boroughs.
    """
    from access.core.errors import NetworkUnavailable

    if spacing_m <= 0 or max_candidates <= 0:
        raise ScenarioError(f"spacing {spacing_m!r} m and max candidates {max_candidates!r} must be positive")
    boundary = study.places.boundary.geometry.iloc[0]
    try:
        network = study.network(mode, offline=offline, osm_file=osm_file, use_cache=use_cache)
    except NetworkUnavailable:
        network = None
    if network is not None:
        inside = np.flatnonzero(shapely.contains_xy(boundary, network.x, network.y))
        if inside.size > max_candidates:
            inside = inside[np.linspace(0, inside.size - 1, max_candidates).round().astype(int)]
        xy = np.column_stack([network.x[inside], network.y[inside]])
        kind = f"{len(xy):,} street-network nodes inside {' + '.join(study.config.boroughs)}"
    else:
        xy = _grid(boundary, spacing_m)
        kind = f"{len(xy):,} points of a {spacing_m:g} m grid inside {' + '.join(study.config.boroughs)}"
    if len(xy) == 0:
        raise ScenarioError(f"no candidate site lies inside {' + '.join(study.config.boroughs)}; "
                            f"use a smaller --spacing")
    # Route in chunks: one Dijkstra run gives a chunk × network-nodes matrix, which must stay small.
    parts = [study.travel_times(mode, offline=offline, osm_file=osm_file, use_cache=use_cache,
                                counter_xy=xy[i:i + _CHUNK])[0] for i in range(0, len(xy), _CHUNK)]
    times = replace(parts[0], minutes=np.vstack([t.minutes for t in parts]),
                    counter_snap_m=np.concatenate([t.counter_snap_m for t in parts]))
    points = gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=study.config.crs)
    wgs = points.to_crs("EPSG:4326")
    sites = gpd.GeoDataFrame({"site": np.arange(len(xy)), "lon": wgs.x.round(6), "lat": wgs.y.round(6)},
                             geometry=points, crs=study.config.crs)
    return Candidates(sites=sites, times=times, kind=kind)


def rank_sites(minutes: np.ndarray, population: np.ndarray, existing_min: np.ndarray | None = None) -> pd.DataFrame:
    """Each candidate's population-weighted mean minutes, alone and added to the existing counters.

    Parameters
    ----------
    minutes
        Candidates × origins minutes.
    population
        Origin weights.
    existing_min
        Per origin, minutes to the nearest existing available counter (``None``: no existing counters).

    Returns
    -------
    pandas.DataFrame
        One row per candidate (``site``): ``alone_mean_min`` and, with
        ``existing_min``, ``with_existing_mean_min`` and ``gain_min`` (the fall
        in the mean from the existing counters alone); best first.
    """
    population = np.asarray(population, float)
    total = population.sum()
    table = pd.DataFrame({"site": np.arange(minutes.shape[0]), "alone_mean_min": minutes @ population / total})
    if existing_min is None:
        return table.sort_values(["alone_mean_min", "site"]).reset_index(drop=True)
    existing = np.asarray(existing_min, float)
    now = float(existing @ population / total)
    table["with_existing_mean_min"] = np.minimum(minutes, existing[None, :]) @ population / total
    table["gain_min"] = now - table["with_existing_mean_min"]
    return table.sort_values(["with_existing_mean_min", "site"]).reset_index(drop=True)


@dataclass(frozen=True)
class PMedianResult:
    """A p-median solution.

    Attributes
    ----------
    sites
        Chosen candidate rows, in the order they were (last) added.
    mean_min
        Population-weighted mean minutes with these sites (and the fixed counters, if any).
    objective
        Population-weighted total minutes (the p-median objective).
    greedy_mean_min
        The mean after the greedy stage, before swaps.
    swaps
        Improving swaps made by the swap searches (all starts).
    """

    sites: tuple[int, ...]
    mean_min: float
    objective: float
    greedy_mean_min: float
    swaps: int


def _swap_search(cost: np.ndarray, weights: np.ndarray, fixed: np.ndarray, chosen: list[int],
                 max_rounds: int) -> tuple[list[int], float, int]:
    """Teitz–Bart vertex substitution from ``chosen``: best swap per position until none improves."""
    p = len(chosen)
    best_total = float(np.minimum(fixed, cost[chosen].min(axis=0)) @ weights)
    swaps = 0
    for _ in range(max_rounds):
        improved = False
        for position in range(p):
            others = [c for i, c in enumerate(chosen) if i != position]
            alt = np.minimum(fixed, cost[others].min(axis=0)) if others else fixed
            totals = np.minimum(cost, alt[None, :]) @ weights
            totals[chosen] = np.inf
            candidate = int(np.argmin(totals))
            if totals[candidate] < best_total * (1 - 1e-12) - 1e-9:
                chosen[position] = candidate
                best_total = float(totals[candidate])
                swaps += 1
                improved = True
        if not improved:
            break
    return chosen, best_total, swaps


def p_median(minutes: np.ndarray, population: np.ndarray, p: int, *, fixed_min: np.ndarray | None = None,
             restarts: int = 16, seed: int = 0, max_rounds: int = 100) -> PMedianResult:
    """Choose ``p`` candidate rows minimising the population-weighted minutes.

    Greedy addition, then Teitz–Bart vertex substitution (each chosen site in
    turn is swapped for the candidate that lowers the total most, until no swap
    improves); then the same swap search from ``restarts`` random starts
    (seeded, so runs repeat), keeping the best.  Single-swap search alone stops
    at local optima a few per cent above the optimum on some real matrices; the
    restarts remove most of those.  It remains a heuristic: see
    ``tests/test_siting.py`` for the check against an exact MILP (``spopt``).

    Parameters
    ----------
    minutes
        Candidates × origins minutes (``inf`` where unreachable).
    population
        Origin weights.
    p
        How many sites to choose (1 … number of candidates).
    fixed_min
        Per origin, minutes to counters that stay whatever is chosen (``None``: none).
    restarts
        Random starts after the greedy one.
    seed
        Seed of the random starts.
    max_rounds
        Most full passes of each swap search.

    Raises
    ------
    ScenarioError
        ``p`` is outside 1 … candidates.

    Examples
    --------
    >>> cost = np.array([[0., 5., 9.], [5., 0., 4.], [9., 4., 0.]])
    >>> p_median(cost, np.array([1., 1., 1.]), 1).sites
    (1,)
    """
    m = minutes.shape[0]
    if not 1 <= p <= m:
        raise ScenarioError(f"p = {p} sites cannot be chosen among {m} candidates; choose 1 … {m}")
    population = np.asarray(population, float)
    keep = population > 0
    weights = population[keep]
    big = 1e9  # unreachable: a cost large enough that it is never chosen if anything reaches
    cost = np.where(np.isfinite(minutes[:, keep]), minutes[:, keep], big)
    fixed = np.full(weights.size, big) if fixed_min is None else np.where(
        np.isfinite(np.asarray(fixed_min, float)[keep]), np.asarray(fixed_min, float)[keep], big)

    chosen: list[int] = []
    current = fixed.copy()
    for _ in range(p):
        totals = np.minimum(cost, current[None, :]) @ weights
        totals[chosen] = np.inf
        pick = int(np.argmin(totals))
        chosen.append(pick)
        current = np.minimum(current, cost[pick])
    greedy = float(current @ weights)

    best, best_total, swaps = _swap_search(cost, weights, fixed, chosen, max_rounds)
    if p < m:
        rng = np.random.default_rng(seed)
        for _ in range(restarts):
            start = [int(i) for i in rng.choice(m, p, replace=False)]
            found, total, n = _swap_search(cost, weights, fixed, start, max_rounds)
            swaps += n
            if total < best_total * (1 - 1e-12) - 1e-9:
                best, best_total = found, total
    total_w = weights.sum()
    return PMedianResult(sites=tuple(best), mean_min=float(best_total / total_w), objective=float(best_total),
                         greedy_mean_min=float(greedy / total_w), swaps=swaps)


def best_sets(minutes: np.ndarray, population: np.ndarray, ps: Sequence[int],
              fixed_min: np.ndarray | None = None) -> list[PMedianResult]:
    """:func:`p_median` for each ``p`` in ``ps``."""
    return [p_median(minutes, population, p, fixed_min=fixed_min) for p in ps]

