"""A study's places from GeoDataFrames: your residents, your facilities, your boundary.

:func:`places_from_frames` turns the frames a user already has into the
:class:`~access.inputs.places.Places` a study runs on, with the same checks as a
study file (:func:`~access.inputs.places.locate_counters` for the facilities):

* **residents**: points with a population column, or polygons with a
  population column (each becomes its representative point, and its polygon an
  area of the maps);
* **facilities**: points with an id column, a name column and one column of
  opening hours per period;
* **boundary**: the polygon(s) the residents live in; **wards** optional.

The areas the maps and tables group residents by are, in order: the residents'
polygons, the ``areas`` given, the wards, or a 1 km grid over the boundary.

Example
-------
>>> from pathlib import Path
>>> import geopandas as gpd
>>> from shapely.geometry import Point, box
>>> from access.inputs.config import StudyConfig
>>> config = StudyConfig(name="toy", title="Toy", source=Path("<frames>"), boroughs=("Toy",), counters_table=None,
...                      before="a", after="b", crs="EPSG:27700", modes=("walk",))
>>> residents = gpd.GeoDataFrame({"people": [100.0, 50.0]}, geometry=[Point(530500, 180500), Point(531500, 181500)],
...                              crs="EPSG:27700")
>>> facilities = gpd.GeoDataFrame({"id": ["x"], "name": ["X"], "a": ["24/7"], "b": ["Mo-Fr 09:00-17:00"]},
...                               geometry=[Point(531000, 181000)], crs="EPSG:27700")
>>> boundary = gpd.GeoDataFrame(geometry=[box(530000, 180000, 532000, 182000)], crs="EPSG:27700")
>>> places = places_from_frames(config, residents=residents, facilities=facilities, boundary=boundary,
...                             population="people")
>>> float(places.residents["population"].sum()), len(places.lsoas), places.area_kind
(150.0, 4, '1 km square')
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from access.core.errors import ArgumentError, DataError
from access.inputs.config import StudyConfig
from access.inputs.places import Places, locate_counters

__all__ = ["places_from_frames", "checked_frame", "GRID_M"]

GRID_M = 1000.0
"""Side of the square areas made over the boundary when no areas, polygons or wards are given."""


def checked_frame(value: object, what: str) -> gpd.GeoDataFrame:
    """Return ``value`` after checking it: a GeoDataFrame with a CRS, rows, and a geometry in every row.

    In a geographic CRS, its latitudes and longitudes must exist (±90, ±180).

    Raises
    ------
    ArgumentError
        ``value`` is not a GeoDataFrame.
    DataError
        It has no CRS, no rows, a row without a geometry, or a latitude beyond ±90 (a longitude beyond ±180).
    """
    if not isinstance(value, gpd.GeoDataFrame):
        raise ArgumentError(f"{what} must be a GeoDataFrame, not {type(value).__name__}")
    if value.crs is None:
        raise DataError(f"{what} has no CRS; set one, e.g. {what}.set_crs('EPSG:4326')")
    if value.empty:
        raise DataError(f"{what} is empty")
    if value.geometry.isna().any() or value.geometry.is_empty.any():
        raise DataError(f"{what} has rows without a geometry; drop them or give each a place")
    if value.crs.is_geographic:
        west, south, east, north = value.total_bounds
        for name, low, high, limit in (("latitude", south, north, 90.0), ("longitude", west, east, 180.0)):
            wrong = low if abs(low) > limit else high if abs(high) > limit else None
            if wrong is not None:
                raise DataError(f"{what}: {wrong:g} is not a {name} (-{limit:g} to {limit:g}); its CRS is "
                                f"{value.crs.to_string()}: check that x is the longitude and y the latitude, or set "
                                f"the CRS the coordinates are in")
    return value


def _frame(value: object, what: str, crs: str) -> gpd.GeoDataFrame:
    return checked_frame(value, what).to_crs(crs)


def _column(frame: pd.DataFrame, name: str, what: str) -> pd.Series:
    if name not in frame.columns:
        raise DataError(f"{what} has no column {name!r}; it has {', '.join(map(str, frame.columns))}")
    return frame[name]


def _grid(boundary: shapely.Geometry, crs: str, side: float) -> gpd.GeoDataFrame:
    west, south, east, north = boundary.bounds
    cells = []
    for i in range(math.ceil((east - west) / side)):
        for j in range(math.ceil((north - south) / side)):
            cell = shapely.box(west + i * side, south + j * side, west + (i + 1) * side, south + (j + 1) * side)
            if cell.intersects(boundary):
                cells.append((f"cell-{i}-{j}", cell.intersection(boundary)))
    return gpd.GeoDataFrame({"area_id": [c[0] for c in cells], "area_name": [c[0] for c in cells]},
                            geometry=[c[1] for c in cells], crs=crs)


def places_from_frames(config: StudyConfig, *, residents: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame,
                       boundary: gpd.GeoDataFrame, population: str = "population", origin_id: str | None = None,
                       wards: gpd.GeoDataFrame | None = None, ward_name: str | None = None,
                       areas: gpd.GeoDataFrame | None = None, area_id: str | None = None,
                       area_name: str | None = None) -> Places:
    """Build a study's places from GeoDataFrames, checked as a study file's are.

    Parameters
    ----------
    config
        The study (its CRS, periods, buffer and counter distance).
    residents
        Points or polygons with a ``population`` column (numbers, not negative).
    facilities
        Points with ``id``, optional ``name`` and ``address``, and one column of
        hours per period of ``config`` (``opening_hours`` text, ``off``, ``open``).
    boundary
        The study area's polygon(s).
    population, origin_id
        Columns of ``residents``: the population, and an id (default: the row number).
    wards, ward_name
        Optional ward polygons and their name column (default: the first text column).
    areas, area_id, area_name
        Optional polygons to group residents by on the maps (default: see the module docstring).

    Returns
    -------
    Places

    Raises
    ------
    ArgumentError
        A frame is not a GeoDataFrame.
    DataError
        A frame has no CRS, is empty, lacks a column, or holds an impossible value.
    """
    crs = config.crs
    residents = _frame(residents, "residents", crs)
    facilities = _frame(facilities, "facilities", crs)
    boundary = _frame(boundary, "boundary", crs)
    outline = boundary.union_all()
    if outline.geom_type not in ("Polygon", "MultiPolygon"):
        raise DataError(f"boundary must be polygons, not {outline.geom_type}")
    weights = pd.to_numeric(_column(residents, population, "residents"), errors="coerce").to_numpy(float)
    if not np.isfinite(weights).all() or (weights < 0).any():
        bad = residents.index[~np.isfinite(weights) | (weights < 0)][:5].tolist()
        raise DataError(f"residents' {population!r} must be numbers, not negative; rows {bad} are not")
    if not weights.any():
        raise DataError(f"residents' {population!r} is 0 everywhere ({len(weights):,} rows): every figure is weighted "
                        f"by it; give each origin its number of residents")
    ids = (_column(residents, origin_id, "residents").astype(str) if origin_id
           else pd.Series([f"origin-{i}" for i in range(len(residents))], index=residents.index))
    if ids.duplicated().any():
        raise DataError(f"residents' ids repeat ({', '.join(ids[ids.duplicated()].head(5))}); give each a unique id")
    polygons = residents.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    if polygons.any() and not polygons.all():
        raise DataError("residents mix points and polygons; give one or the other")
    if not polygons.all() and not residents.geometry.geom_type.eq("Point").all():
        raise DataError("residents must be points or polygons")
    labels = [c for c in boundary.columns if c != boundary.geometry.name]
    name = str(boundary.iloc[0][labels[0]]) if labels else config.boroughs[0]
    dissolved = gpd.GeoDataFrame({"name": [name]}, geometry=[outline], crs=crs)

    kinds = facilities.geometry.geom_type
    if not kinds.eq("Point").all():
        first = facilities.index[~kinds.eq("Point").to_numpy()][0]
        raise DataError(f"facilities must be points (one location each); row {first!r} is a "
                        f"{kinds.loc[first] or 'missing geometry'}: use facilities.representative_point() or give "
                        f"each facility's entrance")
    located = locate_counters(pd.DataFrame(facilities.drop(columns=facilities.geometry.name)).assign(
        lon=facilities.to_crs("EPSG:4326").geometry.x, lat=facilities.to_crs("EPSG:4326").geometry.y),
        config, outline, where="facilities")

    points = residents.geometry.representative_point() if polygons.all() else residents.geometry
    origins = gpd.GeoDataFrame({"origin": ids.to_numpy(), "kind": "polygon" if polygons.all() else "point",
                                "borough": name, "population": weights}, geometry=points.to_numpy(), crs=crs)
    ward_frame = None
    if wards is not None:
        wards = _frame(wards, "wards", crs)
        label = ward_name or next((c for c in wards.columns if c != wards.geometry.name
                                   and pd.api.types.is_string_dtype(wards[c])), None)
        if label is None:
            raise DataError(f"wards need a column of names; give ward_name= (its columns: "
                            f"{', '.join(map(str, wards.columns))})")
        _column(wards, label, "wards")
        ward_frame = gpd.GeoDataFrame({"ward_code": wards[label].astype(str), "ward_name": wards[label].astype(str)},
                                      geometry=wards.geometry.to_numpy(), crs=crs)
        joined = gpd.sjoin_nearest(origins, ward_frame, how="left").drop(columns="index_right")
        origins = joined[~joined.index.duplicated(keep="first")]
    else:
        origins["ward_code"] = origins["ward_name"] = "unknown"

    if polygons.all():
        kind = "area"
        area_frame = gpd.GeoDataFrame({"area_id": ids.to_numpy(), "area_name": ids.to_numpy()},
                                      geometry=residents.geometry.to_numpy(), crs=crs)
    elif areas is not None:
        kind = "area"
        areas = _frame(areas, "areas", crs)
        identifiers = (_column(areas, area_id, "areas").astype(str).to_numpy() if area_id
                       else [f"area-{i}" for i in range(len(areas))])
        area_frame = gpd.GeoDataFrame({"area_id": identifiers}, geometry=areas.geometry.to_numpy(), crs=crs)
        area_frame["area_name"] = (_column(areas, area_name, "areas").astype(str).to_numpy() if area_name
                                   else area_frame["area_id"])
    elif ward_frame is not None:
        kind = "ward"
        area_frame = ward_frame.rename(columns={"ward_code": "area_id", "ward_name": "area_name"})
    else:
        kind = f"{GRID_M / 1000:g} km square"
        area_frame = _grid(outline, crs, GRID_M)
    if polygons.all():
        origins["lsoa11"] = origins["origin"]
    else:
        joined = gpd.sjoin_nearest(origins[["origin", "geometry"]], area_frame[["area_id", "geometry"]], how="left")
        joined = joined[~joined.index.duplicated(keep="first")]
        origins["lsoa11"] = joined["area_id"].to_numpy()
    counted = origins.groupby("lsoa11")["population"].sum()
    lsoas = gpd.GeoDataFrame({"lsoa11": area_frame["area_id"].to_numpy(), "lsoa11_name": area_frame["area_name"],
                              "borough": name}, geometry=area_frame.geometry.to_numpy(), crs=crs)
    lsoas["residents_2011"] = lsoas["lsoa11"].map(counted).fillna(0.0).to_numpy()
    origins = origins[["origin", "kind", "lsoa11", "borough", "ward_code", "ward_name", "population", "geometry"]]
    return Places(boundary=dissolved, counters=located, lsoas=lsoas.sort_values("lsoa11").reset_index(drop=True),
                  wards=ward_frame, residents=origins.sort_values("origin").reset_index(drop=True),
                  buffer_m=config.buffer_m, area_kind=kind)

