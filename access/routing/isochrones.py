"""Areas within 15, 30 and 45 minutes of an open counter, and each counter's catchment.

Two map layers per mode and period, as GeoDataFrames in the study CRS:

* :func:`isochrones`: where a resident is within *T* minutes of an open
  counter.  Under the **street-network model** the polygon follows the
  streets: every node's time to its nearest open counter comes from one
  Dijkstra run per counter on the reversed graph (as in
  :func:`access.routing.travel.network_times`), every street segment is cut where the
  time passes *T*, and the reachable segments are grown by
  :data:`STREET_BUFFER_M` on each side (the houses along the street), merged,
  clipped to the study boundary and simplified.  Under the **straight-line
  estimate** the area is a union of discs of radius *T* × speed ÷ detour
  factor around the open counters: an estimate, and the map says so.
* :func:`catchments`: who would go where.  Every origin's Voronoi cell (cut
  to the study boundary) joins the catchment of the counter it is nearest to
  in time in that period, under whichever model made the times.

Polygons are simplified by :data:`SIMPLIFY_M` so that the maps stay light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from access.routing.detour import load_detour_factors
from access.core.errors import DataError
from access.core.modes import WALK_M_PER_MIN
from access.routing.network import StreetNetwork
from access.routing.travel import nearest_node_times

if TYPE_CHECKING:
    from access.analysis.study import StudyResult

__all__ = ["ISOCHRONE_MIN", "STREET_BUFFER_M", "SIMPLIFY_M", "node_minutes", "network_isochrones",
           "disc_isochrones", "isochrones", "catchments", "isochrone_note"]

ISOCHRONE_MIN: tuple[int, ...] = (15, 30, 45)
"""The isochrone thresholds, in minutes."""

STREET_BUFFER_M = 60.0
"""How far either side of a reachable street the network isochrone reaches, in metres."""

SIMPLIFY_M = 20.0
"""Simplification tolerance of isochrone and catchment polygons, in metres."""


def node_minutes(network: StreetNetwork, counter_node: np.ndarray, counter_offset_min: np.ndarray,
                 limit_min: float) -> tuple[np.ndarray, np.ndarray]:
    """Every node's minutes to its nearest counter, and which counter (row of ``counter_node``).

    Parameters
    ----------
    network
        The street network.
    counter_node
        The node each (open) counter joins the network at.
    counter_offset_min
        Minutes added at each counter (its walk from the node to the door).
    limit_min
        Search no farther than this; nodes beyond get ``inf`` and counter ``-1``.

    One Dijkstra run for all counters (:func:`access.routing.travel.nearest_node_times`).
    """
    seconds, which = nearest_node_times(network, counter_node, counter_leg_s=np.asarray(counter_offset_min) * 60.0,
                                        limit_s=limit_min * 60.0)
    return seconds / 60.0, which


def network_isochrones(network: StreetNetwork, node_min: np.ndarray, thresholds: tuple[int, ...] = ISOCHRONE_MIN,
                       buffer_m: float = STREET_BUFFER_M) -> list[shapely.Geometry]:
    """One polygon per threshold: the streets within it, grown by ``buffer_m``.

    A segment from node *u* to node *v* taking *e* minutes is reachable from
    the *u* end up to the fraction (T − t(u)) ÷ e, and from the *v* end the same
    way; the segment is cut there.
    """
    coo = network.time_s.tocoo()
    u, v, edge_min = coo.row, coo.col, coo.data / 60.0
    keep = u < v  # one segment per street (the other direction adds no ground)
    u, v, edge_min = u[keep], v[keep], np.maximum(edge_min[keep], 1e-9)
    xy = np.column_stack([network.x, network.y])
    polygons = []
    for limit in thresholds:
        from_u = np.clip((limit - node_min[u]) / edge_min, 0, 1)
        from_v = np.clip((limit - node_min[v]) / edge_min, 0, 1)
        pieces = []
        whole = from_u + from_v >= 1
        if whole.any():
            pieces.append(np.stack([xy[u[whole]], xy[v[whole]]], axis=1))
        for start, end, share in ((u, v, from_u), (v, u, from_v)):
            part = ~whole & (share > 0)
            if part.any():
                a, b = xy[start[part]], xy[end[part]]
                pieces.append(np.stack([a, a + (b - a) * share[part, None]], axis=1))
        if pieces:
            geoms = shapely.linestrings(np.concatenate(pieces))
        else:  # no street reached: only the counters' own nodes, if any
            geoms = shapely.points(xy[np.flatnonzero(node_min <= limit)])
        union = shapely.union_all(shapely.buffer(geoms, buffer_m, quad_segs=2))
        polygons.append(union)
    return polygons


def disc_isochrones(counter_xy: np.ndarray, metres_per_min: float,
                    thresholds: tuple[int, ...] = ISOCHRONE_MIN) -> list[shapely.Geometry]:
    """One polygon per threshold: discs of radius T × ``metres_per_min`` around the counters."""
    points = shapely.points(counter_xy)
    return [shapely.union_all(shapely.buffer(points, limit * metres_per_min, quad_segs=16)) for limit in thresholds]


def _periods(result: StudyResult) -> list[tuple[str, str]]:
    config = result.config
    return [(config.before, "before"), (config.after, "after")]


def isochrone_note(result: StudyResult, mode: str) -> str:
    """How ``mode``'s isochrones were drawn, in one sentence."""
    times = result.times[mode]
    if times.is_estimate:
        factor = load_detour_factors()[mode]
        return (f"Straight-line estimate: discs of radius T × {factor.speed_kmh:.1f} km/h ÷ detour factor "
                f"{factor.factor:.2f} around each open counter; real streets, rivers and railways are not seen")
    return (f"Street network: streets from which the nearest open counter is within T minutes, "
            f"{STREET_BUFFER_M:g} m either side, plus the counter's own walk to the street")


def isochrones(result: StudyResult, mode: str, thresholds: tuple[int, ...] = ISOCHRONE_MIN) -> gpd.GeoDataFrame:
    """Areas within each threshold of an open counter, before and after, for one mode.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per (period, threshold), largest threshold first: ``period``,
        ``role`` (before / after), ``minutes``, ``model``, ``area_km2``,
        ``geometry`` (clipped to the study boundary, simplified), in the study CRS.

    Raises
    ------
    DataError
        ``mode`` was not run.
    """
    if mode not in result.times:
        raise DataError(f"mode {mode!r} was not run; run it first (modes run: {', '.join(result.times)})")
    times, places, crs = result.times[mode], result.study.places, result.config.crs
    boundary = places.boundary.geometry.iloc[0]
    counter_xy = places.counter_xy
    rows = []
    for period, role in _periods(result):
        open_rows = np.flatnonzero(result.available[period].to_numpy())
        if not len(open_rows):
            shapes = [shapely.Polygon()] * len(thresholds)
        elif times.network is None:
            factor = load_detour_factors()[mode]
            shapes = disc_isochrones(counter_xy[open_rows], factor.speed_kmh * 1000 / 60 / factor.factor, thresholds)
        else:
            network = times.network
            nodes, snap_m = network.snap(counter_xy[open_rows, 0], counter_xy[open_rows, 1])
            node_min, _ = node_minutes(network, nodes, snap_m / WALK_M_PER_MIN, max(thresholds))
            shapes = network_isochrones(network, node_min, thresholds)
        for limit, shape in zip(thresholds, shapes):
            clipped = shapely.simplify(shapely.intersection(shape, boundary), SIMPLIFY_M, preserve_topology=True)
            rows.append({"period": period, "role": role, "minutes": limit, "model": times.model,
                         "area_km2": clipped.area / 1e6, "geometry": clipped})
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)
    return frame.sort_values(["role", "minutes"], ascending=[False, False]).reset_index(drop=True)


def catchments(result: StudyResult, mode: str) -> gpd.GeoDataFrame:
    """Each counter's catchment before and after: the origins nearest to it in time, as areas.

    Every origin's Voronoi cell, cut to the study boundary, joins its nearest
    open counter's catchment; origins at the same point share one cell.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per (period, counter) with any origin: ``period``, ``role``,
        ``counter`` (id), ``counter_name``, ``residents``, ``origins``,
        ``mean_min`` (residents' mean minutes), ``geometry`` in the study CRS.
    """
    if mode not in result.times:
        raise DataError(f"mode {mode!r} was not run; run it first (modes run: {', '.join(result.times)})")
    origins, places = result.origins, result.study.places
    boundary = places.boundary.geometry.iloc[0]
    xy = np.round(np.column_stack([origins.geometry.x, origins.geometry.y]), 1)
    unique_xy, cell_of_origin = np.unique(xy, axis=0, return_inverse=True)
    cell_of_origin = cell_of_origin.reshape(-1)
    cells = shapely.voronoi_polygons(shapely.multipoints(unique_xy), extend_to=boundary.envelope.buffer(1000),
                                     ordered=True)
    # Cells are clipped to the boundary after they are merged per counter: one intersection per
    # catchment, not one per postcode (London-wide that is 77 instead of 180,000).
    cells = np.asarray(shapely.get_parts(cells))
    names = places.counters.set_index("id")["name"]
    rows = []
    for period, role in _periods(result):
        counter = origins[f"{mode}_{period}_counter"].to_numpy(object)
        minutes = origins[f"{mode}_{period}_min"].to_numpy(float)
        population = origins["population"].to_numpy(float)
        # The counter of each cell: its first origin's (origins at one point share their times).
        first = pd.Series(np.arange(len(origins))).groupby(cell_of_origin).first().to_numpy()
        cell_counter = counter[first]
        for cid in pd.unique(cell_counter[pd.notna(cell_counter)]):
            members = counter == cid
            weight = population[members]
            # Voronoi cells tile the plane without overlapping: a coverage union is exact and fast.
            shape = shapely.intersection(shapely.coverage_union_all(cells[cell_counter == cid]), boundary)
            rows.append({
                "period": period, "role": role, "counter": cid, "counter_name": names.get(cid, cid),
                "residents": float(weight.sum()), "origins": int(members.sum()),
                "mean_min": float(np.average(minutes[members], weights=weight)) if weight.sum() > 0 else np.nan,
                "geometry": shapely.simplify(shape, SIMPLIFY_M, preserve_topology=True),
            })
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=result.config.crs)
    return frame.sort_values(["role", "residents"], ascending=[False, False]).reset_index(drop=True)
