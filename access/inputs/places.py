"""Where things are: the study boundary, its counters and its residents.

Every function returns GeoDataFrames in the study's projected CRS (metres).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
from shapely.geometry.base import BaseGeometry

from access.core.errors import DataError, HoursError, MirrorFileMissing, ScenarioError, StudyError
from access.inputs.config import StudyConfig, check_scale
from access.inputs.counter_sources import counter_source
from access.inputs.datasets import local_authority_file
from access.inputs.hours import Hours, available, parse_hours
from access.inputs.postcodes import lookup_postcode, postcode_table
from access.inputs.sources import mirror_file

__all__ = [
    "Places", "load_places", "load_boundary", "load_counters", "load_residents",
    "load_lsoas", "load_wards", "counter_hours", "availability", "load_borough_polygons", "read_counter_table",
    "locate_counters", "COORDINATES", "borough_outline", "study_postcodes", "ward_name_lookup", "WARD_NAMES",
]

COUNTER_COLUMNS = ("id", "name", "lon", "lat")
WGS84 = "EPSG:4326"


class Places:
    """Everything a study needs to know about where things are.

    Made from a study's files by :meth:`from_config`, or from GeoDataFrames by
    :func:`access.inputs.frames.places_from_frames`.

    Attributes
    ----------
    boundary
        The study boroughs (or area), dissolved into one row.
    area
        The network area: the convex hull of the boundary and every counter,
        grown by the study's buffer, so that a route from any resident to any
        counter may leave the boundary.
    counters
        One row per counter, with a column of hours per period.
    residents
        One row per origin (live postcode, or an LSOA's representative point),
        with its share of the population.
    lsoas
        The areas the maps and tables group residents by, with their residents:
        the 2011 LSOAs for a study of London boroughs (``area_kind`` "LSOA").
    wards
        Ward polygons, when the study names a ward file, else ``None``.
    area_kind
        What the areas are called on maps and in tables.
    ward_names_known
        Whether the residents' wards have names: from the ward file, or, without one, from the
        ONS ward names lookup (``access data fetch ward_names``, :func:`ward_name_lookup`).  When
        ``False`` a ward is shown by its ONS code.
    ward_names_source
        The data key the ward names came from without a ward file (``"ward_names"``), else ``None``.
    """

    def __init__(self, *, boundary: gpd.GeoDataFrame, counters: gpd.GeoDataFrame, lsoas: gpd.GeoDataFrame,
                 wards: gpd.GeoDataFrame | None, residents: gpd.GeoDataFrame, buffer_m: float,
                 area_kind: str = "LSOA", ward_names_known: bool | None = None,
                 ward_names_source: str | None = None) -> None:
        self.boundary = boundary
        self.counters = counters
        self.area: BaseGeometry = network_area(boundary, counters, buffer_m)
        self.lsoas = lsoas
        self.wards = wards
        self.residents = residents
        self.area_kind = area_kind
        self.ward_names_known = wards is not None if ward_names_known is None else ward_names_known
        self.ward_names_source = ward_names_source

    @classmethod
    def from_config(cls, config: StudyConfig) -> Places:
        """Load boundary, counters, LSOAs, wards and residents for a study of London boroughs from the mirror."""
        boundary = load_boundary(config)
        counters = load_counters(config, boundary.geometry.iloc[0])
        lsoas = load_lsoas(config)
        wards = load_wards(config)
        residents = load_residents(config, lsoas, wards)
        named = wards is None and ward_name_lookup() is not None
        return cls(boundary=boundary, counters=counters, lsoas=lsoas, wards=wards, residents=residents,
                   buffer_m=config.buffer_m, ward_names_known=wards is not None or named,
                   ward_names_source=WARD_NAMES if named else None)

    @property
    def counter_xy(self) -> np.ndarray:
        """The counters' coordinates (counters × 2) in the study CRS."""
        return _xy(self.counters)

    @property
    def origin_xy(self) -> np.ndarray:
        """The origins' coordinates (origins × 2) in the study CRS."""
        return _xy(self.residents)


def _xy(frame: gpd.GeoDataFrame) -> np.ndarray:
    return np.column_stack([frame.geometry.x, frame.geometry.y])


def load_places(config: StudyConfig) -> Places:
    """Load boundary, counters, LSOAs, wards and residents for a study (:meth:`Places.from_config`)."""
    return Places.from_config(config)


@lru_cache(maxsize=4)
def _read_geojson(path: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(path)


def load_boundary(config: StudyConfig) -> gpd.GeoDataFrame:
    """Return the study's boroughs (or local authority), dissolved into one polygon, in the study CRS."""
    if config.local_authority is not None:
        path, _code, label = local_authority_file(config.local_authority, "boundary.geojson")
        outline = gpd.GeoDataFrame({"name": [label]}, geometry=[_read_geojson(path).union_all()], crs=WGS84)
        check_scale(config.crs, outline.geometry.iloc[0].centroid, where=str(config.source), area=label)
        return outline.to_crs(config.crs)
    where = str(config.source)
    check_scale(config.crs, borough_outline(config.boroughs, crs=WGS84, where=where).geometry.iloc[0].centroid,
                where=str(config.source), area=' + '.join(config.boroughs))
    return borough_outline(config.boroughs, crs=config.crs, where=where)


def borough_outline(boroughs: Sequence[str], *, crs: str, where: str) -> gpd.GeoDataFrame:
    """Return London boroughs, dissolved into one row (``name``, ``geometry``), in ``crs``.

    Raises
    ------
    StudyError
        A name is not a borough of ``london_boroughs.geojson`` (the message lists them).
    """
    table = _read_geojson(mirror_file("boroughs"))
    known = set(table["BOROUGH"])
    for name in boroughs:
        if name not in known:
            raise StudyError(f"{where}: borough {name!r} is not in london_boroughs.geojson; "
                             f"use one of: {', '.join(sorted(known))}")
    chosen = table[table["BOROUGH"].isin(boroughs)].to_crs(crs)
    return gpd.GeoDataFrame({"name": [" + ".join(boroughs)]}, geometry=[chosen.union_all()], crs=crs)


def network_area(boundary: gpd.GeoDataFrame, counters: gpd.GeoDataFrame, buffer_m: float) -> BaseGeometry:
    """Return the convex hull of the boundary and the counters, grown by ``buffer_m``."""
    return boundary.geometry.iloc[0].union(counters.union_all()).convex_hull.buffer(buffer_m)


def counter_hours(counters: pd.DataFrame, period: str) -> list[Hours]:
    """Parse the hours of every counter in one period."""
    return [parse_hours(text) for text in counters[period]]


def availability(counters: pd.DataFrame, periods: Sequence[str]) -> pd.DataFrame:
    """Counters (rows, by id) × periods (columns): True where available, by :func:`~access.inputs.hours.available`."""
    return pd.DataFrame({period: available(counters[period]) for period in periods}, index=counters["id"])


def load_counters(config: StudyConfig, boundary: BaseGeometry) -> gpd.GeoDataFrame:
    """Return the study's counter table, checked and located (see :func:`locate_counters`).

    Raises
    ------
    DataError
        A column is missing, an id repeats, a coordinate is not a number, a
        postcode is unknown, or a counter lies farther than ``counter_max_m``
        from the boroughs.
    HoursError
        An hours string is not understood (the message names it).
    """
    if config.counters_source is not None:
        where = f"counter source {config.counters_source!r}"
        counters = counter_source(config.counters_source)
    else:
        where = f"counter table {config.counters_table}"
        counters = read_counter_table(config.counters_table)
    return locate_counters(counters, config, boundary, where=where)


COORDINATES = (("lon", "lat"), ("longitude", "latitude"), ("lng", "lat"), ("long", "lat"))
"""Column pairs read as longitude and latitude (WGS84), in order of preference; ``x``/``y`` need ``[counters] crs``."""


def _coordinates(table: pd.DataFrame, config: StudyConfig, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Each counter's longitude and latitude: from coordinate columns, ``x``/``y`` in a CRS, or its postcode."""
    columns = {c.lower().strip(): c for c in table.columns}
    n = len(table)
    lon, lat = np.full(n, np.nan), np.full(n, np.nan)
    given = np.zeros(n, dtype=bool)
    pair = next(((columns[a], columns[b]) for a, b in COORDINATES if a in columns and b in columns), None)
    if pair is None and "x" in columns and "y" in columns:
        if config.counters_crs is None:
            raise DataError(f"{where}: it has x and y columns but the study gives no [counters] crs; say which "
                            f"CRS they are in, e.g. crs = \"EPSG:27700\", or give lon and lat")
        pair = (columns["x"], columns["y"])
    if pair is not None:
        values = [pd.to_numeric(table[c].replace({"": None}), errors="coerce").to_numpy(float) for c in pair]
        given = ~(np.isnan(values[0]) & np.isnan(values[1])) | ("postcode" not in columns)
        for name, column in zip(("lon" if pair[0] != columns.get("x") else "x",
                                 "lat" if pair[1] != columns.get("y") else "y"), values, strict=True):
            bad = table["id"][given & ~np.isfinite(column)].tolist()
            if bad:
                raise DataError(f"{where}: {name} of {', '.join(map(str, bad))} is not a number; give lon and lat "
                                f"in decimal degrees (WGS84), e.g. -0.1027, 51.5168, or a postcode")
        if pair[0] != columns.get("x"):
            for name, column, limit in (("lon", values[0], 180.0), ("lat", values[1], 90.0)):
                outside = given & np.isfinite(column) & (np.abs(column) > limit)
                if outside.any():
                    row = int(np.flatnonzero(outside)[0])
                    raise DataError(f"{where}: {name} {column[row]:g} of {table['id'].iloc[row]} is not a "
                                    f"{'latitude' if name == 'lat' else 'longitude'} (-{limit:g} to {limit:g}); "
                                    f"give decimal degrees (WGS84), and check that lon and lat are not swapped")
        if pair[0] == columns.get("x"):
            values = list(pyproj.Transformer.from_crs(config.counters_crs, WGS84, always_xy=True)
                          .transform(values[0], values[1]))
        lon[given], lat[given] = values[0][given], values[1][given]
    missing = ~given
    if missing.any():
        if "postcode" not in columns:
            raise DataError(f"{where}: no coordinates; give lon and lat (or latitude and longitude, or x and y "
                            f"with [counters] crs), or a postcode for each counter")
        postcodes = table[columns["postcode"]].astype(str).str.strip()
        unknown = []
        for row in np.flatnonzero(missing):
            try:
                lon[row], lat[row] = _lookup(config, postcodes.iloc[row])
            except ScenarioError:
                unknown.append(f"{postcodes.iloc[row]!r} ({table['id'].iloc[row]})")
        if unknown:
            area = config.local_authority or "London"
            raise DataError(f"{where}: postcode(s) {', '.join(unknown)} are not live {area} postcodes in Code-Point "
                            f"Open; check them, or give lon and lat for those counters")
    return lon, lat


def locate_counters(counters: pd.DataFrame, config: StudyConfig, boundary: BaseGeometry, *,
                    where: str) -> gpd.GeoDataFrame:
    """Check a counter table and place it, in the study CRS.

    Every column an output needs is checked here, before any computing: an
    ``id`` per counter (unique), hours in each of the study's periods (the word
    ``closed`` reads as ``off``), and a place: ``lon``/``lat`` (or
    ``longitude``/``latitude``, or ``x``/``y`` in the study's ``[counters]
    crs``), or a ``postcode``, looked up in the mirror's Code-Point Open (a row
    with blank coordinates and a postcode is placed at its postcode).  ``name``
    defaults to the id and ``address`` to the postcode, or nothing.  A counter
    may lie outside the boroughs (residents use the nearest one wherever it
    is), but not farther from them than ``[area] counter_max_m``.

    Raises
    ------
    DataError
        A column is missing, an id is blank or repeated, a coordinate is not a
        number, a postcode is unknown, or a counter lies too far away.
    HoursError
        An hours string is not understood (the message names it).
    StudyError
        No counter is available in the ``before`` or the ``after`` period.
    """
    counters = pd.DataFrame(counters).copy()
    counters.columns = [str(c).strip() for c in counters.columns]
    missing = [c for c in ("id", *config.periods) if c not in counters.columns]
    if missing:
        raise DataError(f"{where} lacks column(s) {', '.join(missing)}; it needs id, a place (lon and lat, or a "
                        f"postcode) and one column of hours per period ({', '.join(config.periods)}): add the "
                        f"column, or fix the period's name")
    counters["id"] = counters["id"].astype(str).str.strip()
    blank = [str(row + 2) for row in np.flatnonzero(counters["id"] == "")]
    if blank:
        raise DataError(f"{where}: line(s) {', '.join(blank)} have no id; give every counter "
                        f"a unique id (letters, digits, '-')")
    duplicated = counters["id"][counters["id"].duplicated()].tolist()
    if duplicated:
        raise DataError(f"{where}: id(s) {', '.join(duplicated)} appear more than once; "
                        f"give every counter a unique id")
    if "name" not in counters.columns:
        counters["name"] = counters["id"]
    if "address" not in counters.columns:
        counters["address"] = counters["postcode"] if "postcode" in counters.columns else ""
    for column in ("name", "address"):
        counters[column] = counters[column].fillna("").astype(str)
    for period in config.periods:
        counters[period] = counters[period].fillna("").astype(str)
        for cid, text in zip(counters["id"], counters[period], strict=True):
            try:
                parse_hours(text)
            except HoursError as exc:
                raise HoursError(f"{where}, counter {cid!r}, period {period!r}: {exc}") from exc
    for period in (config.before, config.after):
        if not available(counters[period]).any():
            raise StudyError(f"{config.source}: no counter is available in period {period!r} (every one is 'off' "
                             f"or has no open minute in {where}); the study compares {config.before!r} with "
                             f"{config.after!r}, so each needs at least one counter")
    lon, lat = _coordinates(counters, config, where)
    counters["lon"], counters["lat"] = lon, lat
    located = gpd.GeoDataFrame(counters, geometry=gpd.points_from_xy(lon, lat), crs=WGS84).to_crs(config.crs)
    distance = located.distance(boundary)
    outside = located["id"][distance > config.counter_max_m].tolist()
    could_swap = np.abs(np.asarray(lon, dtype=float)) <= 90  # a longitude beyond ±90° is no latitude (Cairns: 145°E)
    swapped = gpd.GeoSeries(gpd.points_from_xy(lat, lon), crs=WGS84, index=located.index)[could_swap]
    swapped_distance = swapped.to_crs(config.crs).distance(boundary).reindex(located.index, fill_value=np.inf)
    looks_swapped = [cid for cid, far, near in zip(located["id"], distance > config.counter_max_m,
                                                   swapped_distance <= config.counter_max_m, strict=True)
                     if far and near]
    area_name = " + ".join(config.boroughs)
    if looks_swapped:
        km = distance[located["id"] == looks_swapped[0]].iloc[0] / 1000
        raise DataError(
            f"{where}: lon and lat of counter(s) {', '.join(looks_swapped)} look swapped: "
            f"as written {looks_swapped[0]!r} lies {km:,.0f} km from {area_name}, "
            f"swapped it lies within {config.counter_max_m:g} m of it; swap the two values"
        )
    if outside:
        raise DataError(
            f"{where}: counter(s) {', '.join(outside)} lie more than "
            f"{config.counter_max_m:g} m from {area_name}; check that lon and lat "
            f"are not swapped, or raise [area] counter_max_m"
        )
    return located.reset_index(drop=True)


MAX_COUNTER_TABLE_BYTES = 20_000_000
"""A counter table is a few kilobytes; one larger than this is not a counter table."""


def read_counter_table(path: Path) -> pd.DataFrame:
    """Read a counter table (CSV, UTF-8) as text, every value a string.

    Raises
    ------
    DataError
        The file is empty, has no rows, is not UTF-8, is not well-formed CSV, or is far too large.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_COUNTER_TABLE_BYTES:
            raise DataError(f"counter table {path} is {size:,} bytes; a counter table is a small CSV (one row per "
                            f"counter): check that the study names the right file")
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"counter table {path} is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV") from exc
    except OSError as exc:
        raise DataError(f"counter table {path} cannot be read ({exc.strerror or exc})") from exc
    if not text.strip():
        raise DataError(f"counter table {path} is empty; it needs a header (id, name, lon, lat and one column of "
                        f"hours per period) and one row per counter")
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, csv.Error) as exc:
        raise DataError(f"counter table {path} is not well-formed CSV ({' '.join(str(exc).split())}); check its "
                        f"quotes and commas") from exc
    if table.empty:
        raise DataError(f"counter table {path} has a header but no counters; add one row per counter")
    unnamed = [c for c in table.columns if str(c).startswith("Unnamed:") or not str(c).strip()]
    if unnamed:
        raise DataError(f"counter table {path} has a column without a name; give every column a header")
    return table


def _lsoa_names_in(boroughs: tuple[str, ...], names: pd.Series) -> pd.Series:
    # An LSOA's name is its borough's name and a code, e.g. "Redbridge 019H".
    return names.str.rsplit(" ", n=1).str[0].isin(boroughs)


def load_borough_polygons(config: StudyConfig) -> gpd.GeoDataFrame:
    """Return the study's boroughs, one row each (``borough``, ``geometry``), in the study CRS."""
    boroughs = _read_geojson(mirror_file("boroughs"))
    chosen = boroughs[boroughs["BOROUGH"].isin(config.boroughs)].rename(columns={"BOROUGH": "borough"})
    return chosen[["borough", "geometry"]].to_crs(config.crs).sort_values("borough").reset_index(drop=True)


def load_lsoas(config: StudyConfig) -> gpd.GeoDataFrame:
    """Return the study boroughs' (or local authority's) 2011 LSOAs with their residents, households and borough.

    A local authority's LSOAs carry only ``residents_2011`` of the census columns (2011 Census
    KS101EW); their ``borough`` is the authority's name.
    """
    if config.local_authority is not None:
        path, _code, label = local_authority_file(config.local_authority, "lsoa_polygons.geojson")
        polygons = _read_geojson(path).copy()
        polygons["borough"] = label
        census_path = local_authority_file(config.local_authority, "lsoa_census.csv")[0]
    else:
        polygons = _read_geojson(mirror_file("lsoa_polygons"))
        polygons = polygons[_lsoa_names_in(config.boroughs, polygons["lsoa11_name"])].copy()
        polygons["borough"] = polygons["lsoa11_name"].str.rsplit(" ", n=1).str[0]
        census_path = mirror_file("lsoa_census")
    census = pd.read_csv(census_path)
    lsoas = polygons.merge(census, on="lsoa11", how="left", validate="one_to_one")
    unmatched = lsoas["lsoa11"][lsoas["residents_2011"].isna()].tolist()
    if unmatched:
        raise DataError(f"LSOA(s) {', '.join(unmatched[:5])} have no row in {census_path.name}")
    if lsoas.empty:
        raise StudyError(f"{config.source}: no 2011 LSOAs found for boroughs {list(config.boroughs)!r}")
    residents = pd.to_numeric(lsoas["residents_2011"], errors="coerce")
    empty = [f"{code} ({value} residents)" for code, value, good
             in zip(lsoas["lsoa11"], lsoas["residents_2011"], residents > 0, strict=True) if not good]
    if empty:  # zero, negative or not a number
        raise DataError(
            f"LSOA(s) {', '.join(empty[:5])} in {census_path.name}: every 2011 LSOA has "
            f"residents (about 1,500), so the census table is damaged; restore the mirror's original file"
        )
    return lsoas.to_crs(config.crs).sort_values("lsoa11").reset_index(drop=True)


def load_wards(config: StudyConfig) -> gpd.GeoDataFrame | None:
    """Ward polygons (code, name) when the study names a ward file, else ``None``."""
    if config.wards_source is None:
        return None
    wards = _read_geojson(mirror_file(config.wards_source)).to_crs(config.crs)
    code = next((c for c in wards.columns if c.endswith("cd")), None)
    name = next((c for c in wards.columns if c.endswith("nm")), None)
    if code is None or name is None:
        raise DataError(f"ward file {config.wards_source!r} needs a code column (…cd) and a name column (…nm)")
    return wards[[code, name, "geometry"]].rename(columns={code: "ward_code", name: "ward_name"})


def load_residents(
    config: StudyConfig, lsoas: gpd.GeoDataFrame, wards: gpd.GeoDataFrame | None,
    postcodes: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Origins weighted by 2011 population.

    Every live postcode in the study's LSOAs (or, for postcodes newer than the
    May 2022 lookup, in the study's local authorities) is an origin.  Each
    LSOA's 2011 residents are shared equally among its ordinary postcodes
    (``large_user == 0``); large users and unmatched postcodes weigh nothing.
    An LSOA with no ordinary postcode puts its residents on its polygon's
    representative point.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``origin`` (postcode, or ``LSOA:<code>``), ``kind``
        (``postcode`` / ``lsoa-point``), ``lsoa11``, ``borough`` (the LSOA's;
        for a postcode without one, its local authority's), ``ward_code``,
        ``ward_name``, ``population``, ``geometry``; sorted by ``origin``.

    Raises
    ------
    DataError
        If the population does not reconcile with the census total.

    Parameters
    ----------
    config, lsoas, wards
        The study, its LSOAs (:func:`load_lsoas`) and wards (:func:`load_wards`).
    postcodes
        The postcode table; by default the study's: Code-Point Open's London postcodes, or its local
        authority's (``access data fetch --local-authority``).
    """
    if postcodes is None:
        postcodes = study_postcodes(config)
    study_lsoas = set(lsoas["lsoa11"])
    in_lsoa = postcodes["lsoa11"].isin(study_lsoas)
    # The boroughs' local-authority codes: each LSOA's most common one (a few
    # postcodes sit across a boundary moved since 2011 and must not pull in
    # the newer postcodes of a neighbouring borough).
    lad_codes = set(postcodes[in_lsoa].groupby("lsoa11")["lad_code"].agg(lambda s: s.mode().iloc[0]))
    newer = postcodes["lsoa11"].isna() & postcodes["lad_code"].isin(lad_codes)
    chosen = postcodes[in_lsoa | newer].copy()

    ordinary = chosen["lsoa11"].notna() & (chosen["large_user"] == 0)
    residents_by_lsoa = lsoas.set_index("lsoa11")["residents_2011"].astype(float)
    ordinary_count = chosen[ordinary].groupby("lsoa11").size()
    share = residents_by_lsoa / ordinary_count.reindex(residents_by_lsoa.index)
    chosen["population"] = np.where(ordinary, chosen["lsoa11"].map(share), 0.0)
    chosen["kind"] = "postcode"
    borough_of_lsoa = lsoas.set_index("lsoa11")["borough"]
    chosen["borough"] = chosen["lsoa11"].map(borough_of_lsoa)
    borough_of_lad = chosen[chosen["lsoa11"].notna()].groupby("lad_code")["borough"].agg(lambda s: s.mode().iloc[0])
    chosen["borough"] = chosen["borough"].fillna(chosen["lad_code"].map(borough_of_lad))
    chosen = chosen.rename(columns={"postcode": "origin"})
    origins = gpd.GeoDataFrame(
        chosen[["origin", "kind", "lsoa11", "borough", "ward_code", "population"]],
        geometry=gpd.points_from_xy(chosen["lon"], chosen["lat"]), crs=WGS84,
    ).to_crs(config.crs)

    empty = lsoas[~lsoas["lsoa11"].isin(ordinary_count.index)]
    if not empty.empty:
        points = gpd.GeoDataFrame(
            {"origin": "LSOA:" + empty["lsoa11"], "kind": "lsoa-point", "lsoa11": empty["lsoa11"],
             "borough": empty["borough"], "ward_code": pd.NA, "population": empty["residents_2011"].astype(float)},
            geometry=empty.geometry.representative_point(), crs=config.crs,
        )
        origins = pd.concat([origins, points], ignore_index=True)
        origins["population"] = origins["population"].astype(float)  # stays float when no postcode matched

    origins = _attach_wards(origins, wards)
    total, expected = math.fsum(origins["population"]), math.fsum(residents_by_lsoa)
    if abs(total - expected) > 1e-6:
        raise DataError(f"residents do not reconcile: {total:,.3f} assigned against {expected:,.0f} in the census")
    return origins.sort_values("origin").reset_index(drop=True)


def study_postcodes(config: StudyConfig) -> pd.DataFrame:
    """Return the postcode table a study's residents come from: London's, or its local authority's."""
    if config.local_authority is None:
        return postcode_table()
    return _read_postcodes(local_authority_file(config.local_authority, "postcodes.csv")[0])


@lru_cache(maxsize=2)
def _read_postcodes(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"large_user": "float64"})


def _lookup(config: StudyConfig, postcode: str) -> tuple[float, float]:
    """Return (lon, lat) of a postcode: London's table, or the study's local authority's."""
    if config.local_authority is None:
        return lookup_postcode(postcode)
    table = study_postcodes(config)
    key = postcode.replace(" ", "").upper()
    found = table[table["postcode"].str.replace(" ", "", regex=False) == key]
    if found.empty:
        raise ScenarioError(f"postcode {postcode!r} is not a live postcode of {config.local_authority}")
    return float(found["lon"].iloc[0]), float(found["lat"].iloc[0])


WARD_NAMES = "ward_names"
"""The data key of the ONS ward names lookup (``data/sources.toml``)."""


def ward_name_lookup() -> pd.Series | None:
    """Return every ward's name by its ONS code, from the ward names lookup; ``None`` when it has not been fetched.

    ``access data fetch ward_names`` downloads it from the ONS into the data folder.
    """
    try:
        path = mirror_file(WARD_NAMES)
    except MirrorFileMissing:
        return None
    return _ward_names(path)


@lru_cache(maxsize=2)
def _ward_names(path: Path) -> pd.Series:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    return table.set_index("ward_code")["ward_name"]


def _attach_wards(origins: gpd.GeoDataFrame, wards: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    if wards is None:
        origins["ward_code"] = origins["ward_code"].fillna("unknown")
        names = ward_name_lookup()
        origins["ward_name"] = (origins["ward_code"] if names is None
                                else origins["ward_code"].map(names).fillna(origins["ward_code"]))
        return origins
    origins = origins.drop(columns="ward_code")
    joined = gpd.sjoin_nearest(origins, wards, how="left").drop(columns="index_right")
    # A point on the line between two wards matches both: keep the first.
    return joined[~joined.index.duplicated(keep="first")]
