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

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from access.analysis.study import Study
from access.core.budget import FLOAT_BYTES, require
from access.core.defaults import DEFAULT_MAX_CANDIDATES, DEFAULT_SPACING_M
from access.core.errors import NetworkUnavailable, ScenarioError
from access.inputs.postcodes import nearest_postcodes
from access.routing.travel import TravelTimes
from access.whatif.board import Board, build_board
from access.whatif.comparison import Comparison, compare
from access.whatif.scenario import OpenedCounter, period_scenario

__all__ = ["Candidates", "candidate_sites", "site_names", "rank_sites", "p_median", "best_sets", "PMedianResult",
           "ModeSites", "SiteSearch", "search_sites", "DEFAULT_SPACING_M", "DEFAULT_MAX_CANDIDATES"]

_CHUNK = 250  # candidates routed per Dijkstra call


@dataclass
class Candidates:
    """Candidate sites and their travel times.

    Attributes
    ----------
    sites
        GeoDataFrame (study CRS): ``site`` (0…n−1), ``lon``, ``lat``, the nearest
        live ``postcode`` and its distance ``postcode_m``, the ``ward``
        (:func:`site_names`), point geometry.
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


_GRID_POINT_BYTES = 200
"""About what one grid point costs while the grid is cut to the boundary (coordinates and a shapely point)."""

_MATRIX_COPIES = 4
"""The candidate × origin matrix is held about four times over while sites are ranked and chosen."""


def _thinned(rows: np.ndarray, most: int) -> np.ndarray:
    """At most ``most`` of ``rows``, evenly spread (all of them when there are fewer)."""
    if rows.size <= most:
        return rows
    return rows[np.linspace(0, rows.size - 1, most).round().astype(int)]


def _grid(boundary: shapely.Geometry, spacing_m: float) -> np.ndarray:
    west, south, east, north = boundary.bounds
    xs = np.arange(west + spacing_m / 2, east, spacing_m)
    ys = np.arange(south + spacing_m / 2, north, spacing_m)
    gx, gy = np.meshgrid(xs, ys)
    points = shapely.points(gx.ravel(), gy.ravel())
    inside = shapely.contains(boundary, points)
    return np.column_stack([gx.ravel()[inside], gy.ravel()[inside]])


def candidate_sites(study: Study, mode: str, *, offline: bool = False, osm_file: Path | str | None = None,
                    use_cache: bool = True, spacing_m: float = DEFAULT_SPACING_M,
                    max_candidates: int = DEFAULT_MAX_CANDIDATES) -> Candidates:
    """Candidate sites in the study's boroughs, and their times to every origin.

    With a street network, every network node inside the boroughs (thinned
    evenly to ``max_candidates``); without one, a ``spacing_m`` grid, timed with
    the same straight-line estimate as the counters.  Both go through the
    study's router, so the network is the one already loaded for the counters.

    Raises
    ------
    ScenarioError
        ``spacing_m`` or ``max_candidates`` is not positive, or no candidate lies
        inside the boroughs.

    Examples
    --------
    >>> from access import load_study
    >>> sites = candidate_sites(load_study("redbridge-2017"), "walk", offline=True, spacing_m=1000)
    >>> sites.kind, sites.minutes.shape[0] == len(sites.sites) > 40
    ('57 points of a 1000 m grid inside Redbridge', True)
    """
    if not (spacing_m > 0 and math.isfinite(spacing_m)) or not max_candidates > 0:
        raise ScenarioError(f"--spacing {spacing_m!r} m and --max-candidates {max_candidates!r} must be positive "
                            f"numbers, e.g. --spacing 250 --max-candidates 3000")
    boundary = study.places.boundary.geometry.iloc[0]
    router = study.router(offline=offline, osm_file=osm_file, use_cache=use_cache)
    try:
        network = router.network(mode)
    except NetworkUnavailable:
        network = None
    where = " + ".join(study.config.boroughs)
    origins = len(study.places.residents)
    if network is not None:
        inside = np.flatnonzero(shapely.contains_xy(boundary, network.x, network.y))
        inside = _thinned(inside, max_candidates)
        xy = np.column_stack([network.x[inside], network.y[inside]])
        kind = f"{len(xy):,} street-network nodes inside {where}"
    else:
        west, south, east, north = boundary.bounds
        points = math.ceil((east - west) / spacing_m) * math.ceil((north - south) / spacing_m)
        require(points * _GRID_POINT_BYTES, f"a {spacing_m:g} m grid of candidate sites ({points:,} points over "
                                            f"{where})", "use a larger --spacing (the default is 250 m)")
        grid = _grid(boundary, spacing_m)
        xy = grid[_thinned(np.arange(len(grid)), max_candidates)]
        kind = f"{len(xy):,} points of a {spacing_m:g} m grid inside {where}"
        if len(xy) < len(grid):
            kind += f" (every {len(grid) / len(xy):.1f}th of {len(grid):,})"
    require(len(xy) * origins * FLOAT_BYTES * _MATRIX_COPIES,
            f"the candidate × origin matrix ({len(xy):,} sites × {origins:,} origins)",
            "use fewer candidates (--max-candidates, or a larger --spacing)")
    if len(xy) == 0:
        raise ScenarioError(f"no candidate site lies inside {where}; use a smaller --spacing")
    # Route in chunks: one Dijkstra run gives a chunk × network-nodes matrix, which must stay small.
    parts = [router.times(mode, xy[i:i + _CHUNK]) for i in range(0, len(xy), _CHUNK)]
    times = replace(parts[0], minutes=np.vstack([t.minutes for t in parts]),
                    counter_snap_m=np.concatenate([t.counter_snap_m for t in parts]))
    points = gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=study.config.crs)
    wgs = points.to_crs("EPSG:4326")
    sites = gpd.GeoDataFrame({"site": np.arange(len(xy)), "lon": wgs.x.round(6), "lat": wgs.y.round(6),
                              **site_names(study, points)}, geometry=points, crs=study.config.crs)
    return Candidates(sites=sites, times=times, kind=kind)


POSTCODE_NAME_MAX_M = 1000.0
"""A place is named by the nearest live London postcode only within this distance (a study outside London has none)."""


def site_names(study: Study, points: gpd.GeoSeries) -> dict[str, np.ndarray]:
    """Name places for readers: the nearest live postcode (within :data:`POSTCODE_NAME_MAX_M`), its distance, the ward.

    The ward is the study's ward polygon holding the point (its name), or,
    without a ward file, the nearest postcode's ward code.

    Returns
    -------
    dict
        ``postcode``, ``postcode_m`` and ``ward`` arrays, one value per point.
    """
    bng = points.to_crs("EPSG:27700")
    found = nearest_postcodes(bng.x.to_numpy(), bng.y.to_numpy())
    far = found["postcode_m"].to_numpy(float) > POSTCODE_NAME_MAX_M  # outside London: no postcode names it
    found.loc[far, ["postcode", "ward_code"]] = ""
    found.loc[far, "postcode_m"] = np.nan
    ward = found["ward_code"].to_numpy(object)
    wards = study.places.wards
    if wards is not None and len(points):
        joined = gpd.sjoin_nearest(gpd.GeoDataFrame(geometry=points.to_crs(wards.crs).reset_index(drop=True)),
                                   wards[["ward_name", "geometry"]], how="left")
        ward = joined[~joined.index.duplicated(keep="first")].sort_index()["ward_name"].to_numpy(object)
    return {"postcode": found["postcode"].to_numpy(object), "postcode_m": found["postcode_m"].to_numpy(float),
            "ward": ward}


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

    Examples
    --------
    >>> import numpy as np
    >>> minutes = np.array([[1.0, 9.0], [5.0, 5.0]])          # 2 candidate sites × 2 origins
    >>> rank_sites(minutes, np.array([10.0, 30.0])).values.tolist()   # the second site serves the bigger place
    [[1.0, 5.0], [0.0, 7.0]]
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


@dataclass
class ModeSites:
    """The sites found for one mode.

    Attributes
    ----------
    mode
        The mode.
    candidates
        The candidate sites and their times.
    ranking
        Every candidate (``site``, ``lat``, ``lon``, the nearest ``postcode``, its
        distance ``postcode_m`` and the ``ward``): ``alone_mean_min`` and, unless
        alone, ``with_existing_mean_min`` and ``gain_min``; best first.
    solutions
        The p-median solutions, one per ``p``.
    existing_mean_min
        The mean with the existing counters alone (``None`` when alone).
    best
        The best single site as a scenario against the period, when asked for.
    """

    mode: str
    candidates: Candidates
    ranking: pd.DataFrame
    solutions: list[PMedianResult]
    existing_mean_min: float | None
    best: Comparison | None = None

    @property
    def model(self) -> str:
        """The model of the candidates' times."""
        return self.candidates.times.model


@dataclass
class SiteSearch:
    """Where new counters would do most good: per mode, every candidate ranked and the p-median sets.

    Attributes
    ----------
    study
        The study.
    period
        The period whose counters exist (unless ``alone``).
    alone
        The new sites are the only counters.
    ps
        The numbers of sites asked for.
    modes
        Per mode, its :class:`ModeSites`.

    Examples
    --------
    >>> from access import load_study
    >>> found = search_sites(load_study("redbridge-2017"), modes=["walk"], ps=[2], offline=True, spacing_m=1500,
    ...                      with_best=False)
    >>> found
    SiteSearch('redbridge-2017': walk; p = 2; added to 2018_2025)
    >>> len(found.modes["walk"].solutions[0].sites)
    2
    """

    study: Study
    period: str
    alone: bool
    ps: list[int]
    modes: dict[str, ModeSites] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"SiteSearch({self.study.name!r}: {', '.join(self.modes)}; p = {', '.join(map(str, self.ps))}; "
                f"{'alone' if self.alone else 'added to ' + self.period})")


def search_sites(study: Study, *, modes: Sequence[str] | None = None, ps: Sequence[int] = (1, 2, 3),
                 period: str | None = None, alone: bool = False, offline: bool = False,
                 osm_file: Path | str | None = None, use_cache: bool = True, spacing_m: float = DEFAULT_SPACING_M,
                 max_candidates: int = DEFAULT_MAX_CANDIDATES, with_best: bool = True,
                 on_step: Callable[[str], None] | None = None) -> SiteSearch:
    """Rank candidate sites and solve the p-median problem for each ``p``, per mode.

    Parameters
    ----------
    study
        The study.
    modes
        Modes (default: the study's).
    ps
        How many new sites to choose, each.
    period
        Existing counters: those available in this period (default: the study's ``after``).
    alone
        Ignore the existing counters.
    offline, osm_file, use_cache
        As for :meth:`~access.analysis.study.Study.run`.
    spacing_m, max_candidates
        As for :func:`candidate_sites`.
    with_best
        Also evaluate the best single site as a scenario (for its maps).
    on_step
        Called with a short description before each step.

    Raises
    ------
    ScenarioError
        An unknown period, or a ``p`` outside 1 … the number of candidates.

    Examples
    --------
    >>> from access import load_study
    >>> found = search_sites(load_study("redbridge-2017"), modes=["walk"], ps=[1], offline=True, spacing_m=1000,
    ...                      with_best=False)
    >>> found.modes["walk"].solutions[0].mean_min < found.modes["walk"].existing_mean_min
    True
    """
    step = on_step or (lambda _d: None)
    ps = [int(p) for p in ([ps] if isinstance(ps, (int, float)) else ps)]
    period = study.config.period_id(period or study.config.after, error=ScenarioError)
    ps = sorted(set(ps))
    bad = [p for p in ps if p < 1]
    if bad:
        raise ScenarioError(f"-p {bad[0]}: the number of sites must be at least 1")
    board: Board = build_board(study, [], modes=modes, offline=offline, osm_file=osm_file, use_cache=use_cache,
                               on_step=step)
    found = SiteSearch(study=study, period=period, alone=alone, ps=ps)
    for mode in board.modes:
        step(f"{mode}: candidate sites and their times")
        candidates = candidate_sites(study, mode, offline=offline, osm_file=osm_file, use_cache=use_cache,
                                     spacing_m=spacing_m, max_candidates=max_candidates)
        too_many = [p for p in ps if p > len(candidates.sites)]
        if too_many:
            raise ScenarioError(f"-p {too_many[0]}: only {len(candidates.sites):,} candidate sites "
                                f"({candidates.kind}); "
                                f"choose p of at most {len(candidates.sites):,}, or more candidates "
                                f"(--spacing smaller, --max-candidates larger)")
        population = board.weights(mode)  # origins excluded from the mode's figures weigh nothing
        existing = None if alone else np.nan_to_num(board.nearest(period_scenario(period), mode)[0])
        step(f"{mode}: ranking {len(candidates.sites):,} candidates and solving p-median")
        ranking = rank_sites(candidates.minutes, population, existing).merge(
            candidates.sites[["site", "lat", "lon", "postcode", "postcode_m", "ward"]], on="site")
        solutions = [p_median(candidates.minutes, population, n, fixed_min=existing) for n in ps]
        now = None if existing is None else float(np.average(existing, weights=population))
        best = None
        if with_best:
            step(f"{mode}: the best single site as a scenario")
            top = ranking.iloc[0]
            site = OpenedCounter(id="best-site", name=f"Best site for {mode}, near {top['postcode']}",
                                 lon=float(top["lon"]),
                                 lat=float(top["lat"]), located_by=candidates.kind.split(" inside")[0])
            what = replace(period_scenario(period), name=f"best-site-{mode}", open=(site,),
                           close=tuple(study.places.counters["id"]) if alone else ())
            one = board.opening([what])
            best = compare(one, [period_scenario(period), what], name=f"best-{mode}")
        found.modes[mode] = ModeSites(mode=mode, candidates=candidates, ranking=ranking, solutions=solutions,
                                      existing_mean_min=now, best=best)
    return found
