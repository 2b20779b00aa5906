"""Areas within 15, 30 and 45 minutes of an open counter, and each counter's catchment.

Two map layers per mode and period, as GeoDataFrames in the study CRS:

* :func:`isochrones`: where a resident is within *T* minutes of an open
  counter.  Under the **street-network model** the polygon follows the
  streets: every node's time to its nearest open counter comes from one
  Dijkstra run per counter on the reversed graph (as in
  :func:`access.routing.travel.network_times`), every street segment is cut where the
  time passes *T*, and the reachable segments are grown by
  :data:`STREET_BUFFER_M` on each side (the houses along the street), merged,
  clipped to the study boundary and simplified.  On a big network (more
  than :data:`RASTER_MIN_PIECES` street pieces within a threshold, as
  London-wide) the grown streets are merged on a raster of
  :data:`RASTER_M` cells instead (:func:`raster_union`): the exact union of
  millions of buffered segments takes minutes each, and the raster's
  difference is below the :data:`SIMPLIFY_M` simplification.  Under the
  **straight-line estimate** the area is a union of discs around the open
  counters, of the straight-line distance the estimate's calibration covers
  in *T* minutes: an estimate, and the map says so.
* :func:`catchments`: who would go where.  Every origin's Voronoi cell (cut
  to the study boundary) joins the catchment of the counter it is nearest to
  in time in that period, under whichever model made the times.

Polygons are simplified by :data:`SIMPLIFY_M` so that the maps stay light.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

from access.core.modes import WALK_M_PER_MIN
from access.routing.network import StreetNetwork
from access.routing.travel import IMPORTED_MODEL, TravelTimes, nearest_node_times

__all__ = ["ISOCHRONE_MIN", "STREET_BUFFER_M", "SIMPLIFY_M", "RASTER_MIN_PIECES", "RASTER_M", "node_minutes",
           "network_isochrones", "raster_union", "simplify_area", "disc_isochrones", "areas_within"]

ISOCHRONE_MIN: tuple[int, ...] = (15, 30, 45)
"""The isochrone thresholds, in minutes."""

STREET_BUFFER_M = 60.0
"""How far either side of a reachable street the network isochrone reaches, in metres."""

SIMPLIFY_M = 20.0
"""Simplification tolerance of isochrone and catchment polygons, in metres."""

RASTER_MIN_PIECES = 50_000
"""Above this many street pieces within a threshold, the grown streets are merged on a raster."""

RASTER_M = 10.0
"""Cell size of that raster, in metres (larger where :data:`RASTER_MAX_CELLS` would not cover the area)."""

RASTER_MAX_CELLS = 10_000_000
"""The most cells the raster may have."""

LARGE_AREA_VERTICES = 50_000
"""Areas with more vertices than this are simplified as a coverage (see :func:`simplify_area`)."""


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
                       buffer_m: float = STREET_BUFFER_M,
                       raster_above: int = RASTER_MIN_PIECES) -> list[shapely.Geometry]:
    """One polygon per threshold: the streets within it, grown by ``buffer_m``.

    A segment from node *u* to node *v* taking *e* minutes is reachable from
    the *u* end up to the fraction (T − t(u)) ÷ e, and from the *v* end the same
    way; the segment is cut there.  More than ``raster_above`` pieces are
    merged by :func:`raster_union`, fewer by the exact union of their buffers.
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
        segments = np.concatenate(pieces) if pieces else np.empty((0, 2, 2))
        if len(segments) > raster_above:
            polygons.append(raster_union(segments, buffer_m))
            continue
        if pieces:
            geoms = shapely.linestrings(segments)
        else:  # no street reached: only the counters' own nodes, if any
            geoms = shapely.points(xy[np.flatnonzero(node_min <= limit)])
        union = shapely.union_all(shapely.buffer(geoms, buffer_m, quad_segs=2))
        polygons.append(union)
    return polygons


def raster_union(segments: np.ndarray, buffer_m: float, cell_m: float = RASTER_M) -> shapely.Geometry:
    """Return the ground within ``buffer_m`` of any of these segments, drawn on a raster of ``cell_m`` cells.

    Points every half cell along each segment mark the cells whose centres
    they are nearest; a Euclidean distance transform finds every cell whose
    centre lies within ``buffer_m`` less half a cell of a marked one.  The
    cells' outline becomes polygons (:func:`_outline`), one per connected
    group of cells.  The edge is within a cell or so of the exact union's: on
    the City's streets the areas differ by under 2%.  The cell grows if the
    segments' extent would need more than :data:`RASTER_MAX_CELLS` of them.

    Parameters
    ----------
    segments
        Array (n × 2 × 2): each segment's two ends (x, y), in metres.
    buffer_m
        How far from the segments the ground reaches.
    cell_m
        The raster's cell size.

    Examples
    --------
    >>> area = raster_union(np.array([[[0.0, 0.0], [1000.0, 700.0]]]), 60.0)
    >>> exact = shapely.LineString([(0, 0), (1000, 700)]).buffer(60)
    >>> round(area.area / exact.area, 2), round(shapely.symmetric_difference(area, exact).area / exact.area, 2)
    (0.96, 0.05)
    """
    from scipy import ndimage

    a, b = segments[:, 0], segments[:, 1]
    low = np.minimum(a, b).min(axis=0) - buffer_m - 2 * cell_m
    high = np.maximum(a, b).max(axis=0) + buffer_m + 2 * cell_m
    width, height = high - low
    cell_m = max(cell_m, float(np.sqrt(width * height / RASTER_MAX_CELLS)))
    n_x, n_y = int(np.ceil(width / cell_m)) + 1, int(np.ceil(height / cell_m)) + 1
    # points along each segment, at most half a cell apart, mark the cells whose centres they are nearest
    length = np.hypot(*(b - a).T)
    steps = np.maximum(1, np.ceil(length / (cell_m / 2))).astype(np.int64)
    segment = np.repeat(np.arange(len(a)), steps + 1)
    first = np.repeat(np.cumsum(steps + 1) - (steps + 1), steps + 1)
    share = (np.arange(len(segment)) - first) / steps[segment]
    points = a[segment] + (b - a)[segment] * share[:, None]
    column = np.rint((points[:, 0] - low[0]) / cell_m).astype(np.int64)
    row = np.rint((points[:, 1] - low[1]) / cell_m).astype(np.int64)
    empty = np.ones((n_y, n_x), dtype=bool)
    empty[row, column] = False
    near = ndimage.distance_transform_edt(empty) * cell_m <= buffer_m - cell_m / 2
    return shapely.multipolygons(_outline(near, low - cell_m / 2, cell_m))


def _outline(mask: np.ndarray, corner: np.ndarray, cell_m: float) -> np.ndarray:
    """Return the polygons the True cells of ``mask`` make (rows go north), its cell (0, 0) at ``corner`` (west, south).

    The cells' boundary is cut into horizontal and vertical runs, split where
    runs meet, and polygonised; of the faces that gives, those whose inside
    lies on True cells are kept.
    """
    cells = np.pad(mask, 1)
    n_rows, n_columns = cells.shape
    # corners are (column i, row j) of the padded grid, 0 … n; unit edges lie between cells that differ
    h_row, h_col = np.nonzero(cells[1:, :] != cells[:-1, :])
    h_row = h_row + 1  # the corner row the edge runs along
    v_row, v_col = np.nonzero(cells[:, 1:] != cells[:, :-1])
    v_col = v_col + 1
    stride = n_columns + 1
    meets_vertical = np.zeros((n_rows + 1) * stride, dtype=bool)
    meets_vertical[v_row * stride + v_col] = True
    meets_vertical[(v_row + 1) * stride + v_col] = True
    meets_horizontal = np.zeros_like(meets_vertical)
    meets_horizontal[h_row * stride + h_col] = True
    meets_horizontal[h_row * stride + h_col + 1] = True

    def runs(line: np.ndarray, position: np.ndarray, meets: np.ndarray, key) -> tuple[np.ndarray, ...]:
        order = np.lexsort((position, line))
        line, position = line[order], position[order]
        new = np.ones(len(line), dtype=bool)
        new[1:] = (line[1:] != line[:-1]) | (position[1:] != position[:-1] + 1) | meets[key(line[1:], position[1:])]
        end = np.zeros(int(new.sum()), dtype=np.int64)
        np.maximum.at(end, np.cumsum(new) - 1, position + 1)
        return line[new], position[new], end

    h_line, h_start, h_end = runs(h_row, h_col, meets_vertical, lambda j, i: j * stride + i)
    v_line, v_start, v_end = runs(v_col, v_row, meets_horizontal, lambda i, j: j * stride + i)
    west, south = corner - cell_m  # the padded grid starts a cell before the mask
    starts = np.concatenate([np.column_stack([h_start, h_line]), np.column_stack([v_line, v_start])])
    ends = np.concatenate([np.column_stack([h_end, h_line]), np.column_stack([v_line, v_end])])
    lines = shapely.linestrings(np.stack([starts, ends], axis=1) * cell_m + np.array([west, south]))
    faces = shapely.get_parts(shapely.polygonize(lines))
    if not len(faces):
        return faces
    # a face is kept when the cell just inside its outer ring's first edge is True
    ring = shapely.get_exterior_ring(faces)
    p0 = shapely.get_coordinates(shapely.get_point(ring, 0))
    p1 = shapely.get_coordinates(shapely.get_point(ring, 1))
    along = (p1 - p0) / np.hypot(*(p1 - p0).T)[:, None]
    inward = np.column_stack([-along[:, 1], along[:, 0]]) * np.where(shapely.is_ccw(ring), 1, -1)[:, None]
    probe = (p0 + p1) / 2 + inward * cell_m / 2
    column = np.floor((probe[:, 0] - west) / cell_m).astype(np.int64)
    row = np.floor((probe[:, 1] - south) / cell_m).astype(np.int64)
    return faces[cells[row, column]]


def simplify_area(shape: shapely.Geometry, tolerance: float = SIMPLIFY_M) -> shapely.Geometry:
    """Return an area simplified by ``tolerance`` metres, for the maps.

    Douglas–Peucker, keeping the topology (no ring crosses another), as for
    every area access draws; an area of more than
    :data:`LARGE_AREA_VERTICES` vertices (London-wide street isochrones, with
    thousands of holes) is simplified as a coverage instead
    (Visvalingam–Whyatt, rings also kept apart), several times faster there.

    >>> simplify_area(shapely.Point(0, 0).buffer(100, quad_segs=64)).area < shapely.Point(0, 0).buffer(100).area
    True
    """
    if shapely.get_num_coordinates(shape) > LARGE_AREA_VERTICES:
        return shapely.union_all(shapely.coverage_simplify(shapely.get_parts(shape), tolerance))
    return shapely.simplify(shape, tolerance, preserve_topology=True)


def disc_isochrones(counter_xy: np.ndarray, radii_m: Sequence[float]) -> list[shapely.Geometry]:
    """One polygon per radius: the union of discs of that radius around the counters.

    >>> [round(area.area / 1e6, 2) for area in disc_isochrones(np.array([[0.0, 0.0], [5000.0, 0.0]]), [1000, 3000])]
    [6.27, 54.22]
    """
    points = shapely.points(counter_xy)
    return [shapely.union_all(shapely.buffer(points, radius, quad_segs=16)) for radius in radii_m]


def areas_within(times: TravelTimes, counter_xy: np.ndarray,
                 thresholds: tuple[int, ...] = ISOCHRONE_MIN) -> list[shapely.Geometry]:
    """One polygon per threshold: where the nearest of these counters is within *T* minutes.

    On ``times``' street network when it has one (the counters join it at their
    nearest node, and their walk from it counts, as does a drive's starting and parking), else discs of the
    straight-line estimate: of the radius its calibration reaches in *T* minutes
    (:meth:`access.inputs.calibrations.Calibration.metres_within`).  No counters,
    imported times or public-transport times (known at the origins only: no ground to
    draw on) give empty polygons.
    """
    counter_xy = np.asarray(counter_xy, dtype=float).reshape(-1, 2)
    if not len(counter_xy) or times.model == IMPORTED_MODEL or times.is_transit:
        return [shapely.Polygon()] * len(thresholds)  # imported or public-transport times: no ground to draw on
    if times.network is None:
        return disc_isochrones(counter_xy, [times.calibration.metres_within(limit) for limit in thresholds])
    network = times.network
    nodes, snap_m = network.snap(counter_xy[:, 0], counter_xy[:, 1])
    overhead = times.drive.overhead_min if times.drive is not None else 0.0  # a drive starts and parks too
    node_min, _ = node_minutes(network, nodes, snap_m / WALK_M_PER_MIN + overhead, max(thresholds))
    return network_isochrones(network, node_min, thresholds)
