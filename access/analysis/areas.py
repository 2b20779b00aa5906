"""Areas of a run: where residents are within 15, 30 and 45 minutes of an open counter, and each counter's catchment.

Two map layers per mode and period, as GeoDataFrames in the study CRS:

* :func:`isochrones`: the ground within *T* minutes of an open counter
  (:func:`access.routing.isochrones.areas_within`: along the streets on a
  network, discs under the straight-line estimate), clipped to the study
  boundary and simplified.
* :func:`catchments`: who would go where.  Every origin's Voronoi cell (cut
  to the study boundary) joins the catchment of the counter it is nearest to
  in time in that period, under whichever model made the times.  The
  catchment's residents and mean minutes come from
  :func:`access.analysis.figures.group_figures`, the rule of every table.

Polygons are simplified by :data:`~access.routing.isochrones.SIMPLIFY_M` so that the maps stay light.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from access.analysis.figures import group_figures
from access.routing.isochrones import ISOCHRONE_MIN, SIMPLIFY_M, areas_within, simplify_area
from access.routing.travel import TravelTimes

__all__ = ["isochrones", "catchments"]


def isochrones(times: TravelTimes, counter_xy: np.ndarray, open_in: Mapping[tuple[str, str], np.ndarray],
               boundary: shapely.Geometry, crs: str,
               thresholds: tuple[int, ...] = ISOCHRONE_MIN) -> gpd.GeoDataFrame:
    """Areas within each threshold of an open counter, per period, for one mode.

    Parameters
    ----------
    times
        The mode's travel times (their network, or their straight-line model).
    counter_xy
        The counters (n × 2) in ``crs``.
    open_in
        ``(period, role)`` → a boolean per counter: open in that period.
    boundary
        The study boundary, in ``crs``; the areas are clipped to it.
    crs
        The study CRS.
    thresholds
        The minutes.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per (period, threshold), largest threshold first: ``period``,
        ``role``, ``minutes``, ``model``, ``area_km2``, ``geometry``.
    """
    rows = []
    for (period, role), is_open in open_in.items():
        shapes = areas_within(times, np.asarray(counter_xy)[np.asarray(is_open, dtype=bool)], thresholds)
        for limit, shape in zip(thresholds, shapes, strict=True):
            clipped = simplify_area(shapely.intersection(shape, boundary))
            rows.append({"period": period, "role": role, "minutes": limit, "model": times.model,
                         "area_km2": clipped.area / 1e6, "geometry": clipped})
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)
    return frame.sort_values(["role", "minutes"], ascending=[False, False]).reset_index(drop=True)


def catchments(origin_xy: np.ndarray, population: np.ndarray,
               nearest: Mapping[tuple[str, str], tuple[np.ndarray, np.ndarray]], counter_names: Mapping[str, str],
               boundary: shapely.Geometry, crs: str) -> gpd.GeoDataFrame:
    """Each counter's catchment per period: the origins nearest to it in time, as areas.

    Every origin's Voronoi cell, cut to the study boundary, joins its nearest
    open counter's catchment; origins at the same point share one cell.

    Parameters
    ----------
    origin_xy
        The origins (n × 2) in ``crs``.
    population
        Residents per origin.
    nearest
        ``(period, role)`` → (each origin's nearest counter id or ``None``, its minutes).
    counter_names
        Counter id → name.
    boundary, crs
        The study boundary and CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per (period, counter) with any origin: ``period``, ``role``,
        ``counter`` (id), ``counter_name``, ``residents``, ``origins``,
        ``mean_min`` (residents' mean minutes), ``geometry``.
    """
    xy = np.round(np.asarray(origin_xy, dtype=float), 1)
    population = np.asarray(population, dtype=float)
    unique_xy, cell_of_origin = np.unique(xy, axis=0, return_inverse=True)
    cell_of_origin = cell_of_origin.reshape(-1)
    cells = shapely.voronoi_polygons(shapely.multipoints(unique_xy), extend_to=boundary.envelope.buffer(1000),
                                     ordered=True)
    # Cells are clipped to the boundary after they are merged per counter: one intersection per
    # catchment, not one per postcode (London-wide that is 77 instead of 180,000).
    cells = np.asarray(shapely.get_parts(cells))
    # The counter of each cell: its first origin's (origins at one point share their times).
    first = pd.Series(np.arange(len(xy))).groupby(cell_of_origin).first().to_numpy()
    rows = []
    for (period, role), (counter, minutes) in nearest.items():
        counter = np.asarray(counter, dtype=object)
        figures = group_figures(minutes, population, pd.Series(counter).where(pd.notna(counter)), thresholds=(),
                                quantiles=False)
        cell_counter = counter[first]
        for cid in pd.unique(cell_counter[pd.notna(cell_counter)]):
            members = counter == cid
            # Voronoi cells tile the plane without overlapping: a coverage union is exact and fast.
            shape = shapely.intersection(shapely.coverage_union_all(cells[cell_counter == cid]), boundary)
            rows.append({
                "period": period, "role": role, "counter": cid, "counter_name": counter_names.get(cid, cid),
                "residents": float(figures.loc[cid, "population"]), "origins": int(members.sum()),
                "mean_min": float(figures.loc[cid, "mean_min"]),
                "geometry": shapely.simplify(shape, SIMPLIFY_M, preserve_topology=True),
            })
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)
    return frame.sort_values(["role", "residents"], ascending=[False, False]).reset_index(drop=True)

