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

import numpy as np
import shapely

from access.core.modes import WALK_M_PER_MIN
from access.routing.detour import load_detour_factors
from access.routing.network import StreetNetwork
from access.routing.travel import IMPORTED_MODEL, TravelTimes, nearest_node_times

__all__ = ["ISOCHRONE_MIN", "STREET_BUFFER_M", "SIMPLIFY_M", "node_minutes", "network_isochrones",
           "disc_isochrones", "areas_within"]

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


def areas_within(times: TravelTimes, counter_xy: np.ndarray,
                 thresholds: tuple[int, ...] = ISOCHRONE_MIN) -> list[shapely.Geometry]:
    """One polygon per threshold: where the nearest of these counters is within *T* minutes.

    On ``times``' street network when it has one (the counters join it at their
    nearest node, and their walk from it counts), else discs of the
    straight-line estimate.  No counters, or imported times (which have no
    ground to draw on), give empty polygons.
    """
    counter_xy = np.asarray(counter_xy, dtype=float).reshape(-1, 2)
    if not len(counter_xy) or times.model == IMPORTED_MODEL:  # imported times have no ground to draw on
        return [shapely.Polygon()] * len(thresholds)
    if times.network is None:
        factor = load_detour_factors()[times.mode]
        return disc_isochrones(counter_xy, factor.speed_kmh * 1000 / 60 / factor.factor, thresholds)
    network = times.network
    nodes, snap_m = network.snap(counter_xy[:, 0], counter_xy[:, 1])
    node_min, _ = node_minutes(network, nodes, snap_m / WALK_M_PER_MIN, max(thresholds))
    return network_isochrones(network, node_min, thresholds)
