"""Derivations: the publishers' files, as published, turned into the tables a study reads.

One function per table of ``data/sources.toml`` (its ``derive`` names it), each taking the paths
of the raw downloads and returning the table; :mod:`access.inputs.datasets` fetches the raw files
and writes what these return (:func:`write_table`).  The rules, written once here:

* **postcodes** (:func:`postcode_rows`): every live postcode of OS Code-Point Open that has a grid
  reference (positional quality below 90), in British National Grid, with its WGS84 lon/lat
  (pyproj's EPSG:27700 → EPSG:4326, rounded to 6 decimals), its positional quality, local
  authority (``lad_code``) and ward (``ward_code``) as Code-Point Open gives them; joined on the
  postcode to the *live* rows (no ``doterm``) of the ONS May 2022 postcode lookup for its 2011
  output area (``oa11``), LSOA (``lsoa11``) and ``large_user`` (the lookup's ``usertype``: 1 for
  a large-user postcode).  Postcodes newer than the lookup keep blank OA, LSOA and large_user.
  Sorted by postcode.  :func:`london_postcodes` keeps the London boroughs (``E09…``).
* **census** (:func:`lsoa_atlas_census`): from the LSOA Atlas, per London 2011 LSOA in the atlas's
  order, the 2011 Census usual residents, households and households with no car or van, the
  average PTAL score (2014) and the median household income estimate (2011/12).  Columns are
  found by the words of their headers, whether the header is one line (``topic;measure;year``)
  or several lines (topic, measure, year), so the atlas's exact header layout does not matter.
* **LSOA polygons** (:func:`london_lsoa_polygons`): the 2011 LSOAs of the ONS super-generalised
  (BSC) boundaries whose name starts with a London borough's, as ``lsoa11`` and ``lsoa11_name``.
* **boroughs** (:func:`london_boroughs`): the London Datastore's
  ``London_Borough_Excluding_MHW`` shapefile, its ``NAME`` as ``BOROUGH``, in WGS84.
* **wards** (:func:`redbridge_wards`): the December 2019 wards whose representative point lies
  in Redbridge, with ``wd19cd``, ``wd19nm`` and their area in km² (in British National Grid).
* **ward names** (:func:`ward_names`): every ward of ONS's ward to local authority lookup, as
  ``ward_code``, ``ward_name``, ``lad_code``, ``lad_name``, sorted by ward code; the lookup's
  columns are found by their pattern (``WD24CD``, ``WD24NM``, ...), so another year's lookup reads
  the same.  Studies without a ward file name their postcodes' wards with it.
* **a local authority** (:func:`local_authority_tables`): its postcodes (the rule above), the
  2011 LSOAs most of whose postcodes are in it, their polygons (BSC) and 2011 Census usual
  residents (Nomis KS101EW), and its boundary (ONS, December 2024).

Every reader raises :class:`~access.core.errors.DataError` naming the file and what is wrong with
it when a raw file is not in the publisher's format.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from access.core.errors import DataError
from access.inputs.config import LONDON_BOROUGHS

__all__ = ["CODEPOINT_COLUMNS", "POSTCODE_COLUMNS", "CENSUS_COLUMNS", "read_codepoint", "read_postcode_lookup",
           "postcode_rows", "london_postcodes", "read_lsoa_atlas", "lsoa_atlas_census", "london_lsoa_polygons",
           "london_boroughs", "redbridge_wards", "ward_names", "read_ks101ew", "local_authorities",
           "local_authority_tables",
           "write_table", "DERIVATIONS", "normal_postcode"]

CODEPOINT_COLUMNS = ("postcode", "positional_quality", "easting", "northing", "country_code", "nhs_regional_ha_code",
                     "nhs_ha_code", "admin_county_code", "admin_district_code", "admin_ward_code")
"""The ten columns of Code-Point Open's headerless CSVs, in order."""

POSTCODE_COLUMNS = ("postcode", "easting", "northing", "lon", "lat", "positional_quality", "lad_code", "ward_code",
                    "oa11", "lsoa11", "large_user")
"""The columns of a derived postcode table."""

CENSUS_COLUMNS = ("lsoa11", "residents_2011", "households_2011", "households_no_car_2011", "ptal_2014_avg_score",
                  "median_household_income_2011")
"""The columns of the derived London census table."""

NO_GRID_REFERENCE = 90
"""Code-Point Open's positional quality for a postcode without coordinates."""

_LSOA_CODE = re.compile(r"^[EW]01\d{6}$")


def normal_postcode(text: pd.Series) -> pd.Series:
    """Postcodes in the one-space form (``IG1 1GT``), from any spacing Code-Point Open or ONS use.

    >>> normal_postcode(pd.Series(["IG117PB", "E1  6AN", "BR1 1AA"])).tolist()
    ['IG11 7PB', 'E1 6AN', 'BR1 1AA']
    """
    packed = text.astype(str).str.replace(" ", "", regex=False).str.upper()
    return packed.str[:-3] + " " + packed.str[-3:]


def _zip(path: Path, what: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataError(f"{what} {path} is not a readable zip file ({exc}); fetch it again with "
                        f"'access data fetch --refresh'") from exc


def read_codepoint(path: Path, *, districts: Callable[[pd.Series], pd.Series]) -> pd.DataFrame:
    """Read the postcodes of a Code-Point Open zip whose district code passes ``districts`` (a Series → mask).

    Returns the ten Code-Point Open columns as text, postcodes in the one-space form.

    Raises
    ------
    DataError
        The zip is unreadable, has no ``Data/CSV/*.csv``, or a CSV has not ten columns.
    """
    with _zip(path, "Code-Point Open") as archive:
        members = sorted(n for n in archive.namelist() if re.search(r"(^|/)Data/CSV/[^/]+\.csv$", n, re.I))
        if not members:
            raise DataError(f"Code-Point Open {path} has no Data/CSV/*.csv files; it is not the CSV edition "
                            f"(format=CSV) of codepo_gb.zip")
        parts = []
        for member in members:
            try:
                with archive.open(member) as fh:
                    table = pd.read_csv(fh, header=None, dtype=str, keep_default_na=False, encoding="utf-8")
            except (zipfile.BadZipFile, OSError, pd.errors.ParserError, UnicodeDecodeError, EOFError) as exc:
                raise DataError(f"Code-Point Open {path}: {member} cannot be read ({exc}); fetch it again with "
                                f"'access data fetch --refresh'") from exc
            except pd.errors.EmptyDataError:
                continue
            if table.shape[1] != len(CODEPOINT_COLUMNS):
                raise DataError(f"Code-Point Open {path}: {member} has {table.shape[1]} columns, not the "
                                f"{len(CODEPOINT_COLUMNS)} of Code-Point Open ({', '.join(CODEPOINT_COLUMNS)})")
            table.columns = list(CODEPOINT_COLUMNS)
            parts.append(table[districts(table["admin_district_code"].str.strip())])
    found = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(CODEPOINT_COLUMNS))
    found = found.apply(lambda column: column.str.strip())
    found["postcode"] = normal_postcode(found["postcode"])
    return found


def read_postcode_lookup(path: Path, *, postcodes: Iterable[str] | None = None) -> pd.DataFrame:
    """Read the live rows of the ONS postcode → OA/LSOA lookup (zip or CSV, latin-1): ``pcds``, OA, LSOA, usertype.

    Only the rows for ``postcodes`` are kept when it is given (the whole UK is 2.7 million rows).

    Raises
    ------
    DataError
        The file is unreadable or lacks one of the columns pcds, doterm, usertype, oa11cd, lsoa11cd.
    """
    wanted = ["pcds", "doterm", "usertype", "oa11cd", "lsoa11cd"]
    keep = set(postcodes) if postcodes is not None else None

    def read(handle: Any) -> pd.DataFrame:
        try:
            header = pd.read_csv(handle, nrows=0, encoding="latin-1").columns
        except (pd.errors.ParserError, pd.errors.EmptyDataError, OSError, EOFError, zipfile.BadZipFile) as exc:
            raise DataError(f"ONS postcode lookup {path} cannot be read ({exc})") from exc
        columns = {c.lower().strip(): c for c in header}
        missing = [c for c in wanted if c not in columns]
        if missing:
            raise DataError(f"ONS postcode lookup {path} lacks column(s) {', '.join(missing)}; it is not the "
                            f"PCD_OA_LSOA_MSOA_LAD lookup (columns {', '.join(map(str, header[:8]))}, ...)")
        return columns  # type: ignore[return-value]

    def rows(handle: Any, columns: dict[str, str]) -> pd.DataFrame:
        chunks = []
        try:
            for chunk in pd.read_csv(handle, usecols=[columns[c] for c in wanted], dtype=str, keep_default_na=False,
                                     encoding="latin-1", chunksize=500_000):
                chunk.columns = [c.lower().strip() for c in chunk.columns]
                chunk = chunk[chunk["doterm"].str.strip() == ""]
                if keep is not None:
                    chunk = chunk[chunk["pcds"].isin(keep)]
                chunks.append(chunk)
        except (pd.errors.ParserError, OSError, EOFError, zipfile.BadZipFile, ValueError) as exc:
            raise DataError(f"ONS postcode lookup {path} cannot be read ({exc}); fetch it again with "
                            f"'access data fetch --refresh'") from exc
        return pd.concat(chunks, ignore_index=True)[wanted]

    if zipfile.is_zipfile(path):
        with _zip(path, "ONS postcode lookup") as archive:
            members = [n for n in archive.namelist() if n.lower().endswith(".csv")]
            if not members:
                raise DataError(f"ONS postcode lookup {path} holds no CSV file")
            member = max(members, key=lambda n: archive.getinfo(n).file_size)
            with archive.open(member) as fh:
                columns = read(fh)
            with archive.open(member) as fh:
                return rows(fh, columns)
    with open(path, "rb") as fh:
        columns = read(fh)
    with open(path, "rb") as fh:
        return rows(fh, columns)


def postcode_rows(codepoint: pd.DataFrame, lookup: pd.DataFrame) -> pd.DataFrame:
    """Join Code-Point Open rows to the ONS lookup: the postcode table's columns (:data:`POSTCODE_COLUMNS`).

    Rows without a grid reference (positional quality 90) are dropped; lon/lat are pyproj's
    EPSG:27700 → EPSG:4326 transform, rounded to 6 decimals.
    """
    import pyproj

    quality = pd.to_numeric(codepoint["positional_quality"], errors="coerce")
    easting = pd.to_numeric(codepoint["easting"], errors="coerce")
    northing = pd.to_numeric(codepoint["northing"], errors="coerce")
    located = (quality < NO_GRID_REFERENCE) & (easting > 0) & (northing > 0)
    rows = pd.DataFrame({"postcode": codepoint["postcode"][located], "easting": easting[located].astype("int64"),
                         "northing": northing[located].astype("int64")})
    to_wgs84 = pyproj.Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    lon, lat = to_wgs84.transform(rows["easting"].to_numpy(float), rows["northing"].to_numpy(float))
    rows["lon"], rows["lat"] = np.round(lon, 6), np.round(lat, 6)
    rows["positional_quality"] = quality[located].astype("int64")
    rows["lad_code"] = codepoint["admin_district_code"][located]
    rows["ward_code"] = codepoint["admin_ward_code"][located]
    matched = lookup.drop_duplicates("pcds").set_index("pcds")
    rows["oa11"] = rows["postcode"].map(matched["oa11cd"]).replace("", None)
    rows["lsoa11"] = rows["postcode"].map(matched["lsoa11cd"]).replace("", None)
    rows["large_user"] = pd.to_numeric(rows["postcode"].map(matched["usertype"]), errors="coerce").astype("Int64")
    return rows.sort_values("postcode", kind="stable").reset_index(drop=True)[list(POSTCODE_COLUMNS)]


def london_postcodes(codepoint_open: Path, ons_postcode_lookup: Path) -> pd.DataFrame:
    """Every live London postcode (district ``E09…``) with its 2011 OA and LSOA (``postcodes``)."""
    found = read_codepoint(codepoint_open, districts=lambda code: code.str.startswith("E09"))
    return postcode_rows(found, read_postcode_lookup(ons_postcode_lookup, postcodes=found["postcode"]))


# -- the LSOA Atlas ----------------------------------------------------------------------------------------

_ATLAS = {  # column: (words every part of its header must contain, words it must not)
    "residents_2011": (("2011 census population", "all ages"), ("%",)),
    "households_2011": (("households", "all households", "2011"), ("%",)),
    "households_no_car_2011": (("car or van availability", "no cars or vans in household", "2011"), ("%",)),
    "ptal_2014_avg_score": (("public transport accessibility levels", "2014", "average score"), ("%",)),
    "median_household_income_2011": (("household income", "2011/12", "median annual household income"), ("%",)),
}


def read_lsoa_atlas(path: Path) -> tuple[list[str], pd.DataFrame]:
    """Read the LSOA Atlas CSV: each column's whole header (its header lines joined by ``;``) and its LSOA rows.

    Header lines are those before the first row whose first cell is an LSOA code; a blank header
    cell carries on the one to its left (a topic spanning several columns).

    Raises
    ------
    DataError
        The file is not readable CSV or has no LSOA rows.
    """
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        text = Path(path).read_bytes().decode("latin-1")
    except OSError as exc:
        raise DataError(f"LSOA Atlas {path} cannot be read ({exc.strerror or exc})") from exc
    try:
        lines = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise DataError(f"LSOA Atlas {path} is not well-formed CSV ({exc})") from exc
    first = next((i for i, row in enumerate(lines) if row and _LSOA_CODE.match(row[0].strip())), None)
    if first is None or first == 0:
        raise DataError(f"LSOA Atlas {path} has no header or no rows of LSOA codes (E01…) in its first column; it "
                        f"is not the London Datastore's lsoa-data.csv")
    width = max(len(row) for row in lines[:first])
    headers = [[""] * width for _ in range(first)]
    for i, row in enumerate(lines[:first]):
        carried = ""
        for j in range(width):
            cell = row[j].strip() if j < len(row) else ""
            carried = cell or (carried if i < first - 1 else "")
            headers[i][j] = carried
    names = [";".join(h[j] for h in headers if h[j]) for j in range(width)]
    body = [row + [""] * (width - len(row)) for row in lines[first:] if row and _LSOA_CODE.match(row[0].strip())]
    return names, pd.DataFrame([row[:width] for row in body], dtype=str)


def _number(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.str.replace(",", "", regex=False).str.strip(), errors="coerce")


def lsoa_atlas_census(lsoa_atlas: Path) -> pd.DataFrame:
    """Return the London census table (:data:`CENSUS_COLUMNS`) from the LSOA Atlas, one row per LSOA, in its order.

    Raises
    ------
    DataError
        A column cannot be found by its header, found twice, or holds a value that is not a number.
    """
    names, rows = read_lsoa_atlas(lsoa_atlas)
    lowered = [n.lower() for n in names]
    table = pd.DataFrame({"lsoa11": rows[0].str.strip()})
    for column, (words, without) in _ATLAS.items():
        hits = [j for j, name in enumerate(lowered)
                if all(w in name for w in words) and not any(w in name for w in without)]
        if len(hits) != 1:
            raise DataError(f"LSOA Atlas {lsoa_atlas}: {'no' if not hits else len(hits)} column(s) whose header "
                            f"has {' + '.join(repr(w) for w in words)} (for {column}); the atlas's layout has "
                            f"changed: check its headers against access/inputs/derivations.py")
        values = _number(rows[hits[0]])
        bad = table["lsoa11"][values.isna()].tolist()
        if bad:
            raise DataError(f"LSOA Atlas {lsoa_atlas}: {names[hits[0]]!r} is not a number for LSOA(s) "
                            f"{', '.join(bad[:5])}")
        table[column] = values if column == "ptal_2014_avg_score" else values.round().astype("int64")
    return table


# -- polygons ----------------------------------------------------------------------------------------------

def _read_geo(path: Path | str, what: str, layer: str | None = None) -> Any:
    import geopandas as gpd

    try:
        return gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    except Exception as exc:  # pyogrio raises its own errors (DataSourceError, ...) for a damaged file
        raise DataError(f"{what} {path} cannot be read as geodata ({' '.join(str(exc).split())[:200]})") from exc


def _column(frame: Any, name: str, what: str, path: Path) -> str:
    found = {str(c).lower(): c for c in frame.columns}
    if name.lower() not in found:
        raise DataError(f"{what} {path} has no {name} field (it has {', '.join(map(str, frame.columns))})")
    return found[name.lower()]


def london_lsoa_polygons(lsoa2011_bsc: Path) -> Any:
    """Return the London 2011 LSOAs of the ONS super-generalised boundaries: ``lsoa11``, ``lsoa11_name``, WGS84."""
    polygons = _read_geo(lsoa2011_bsc, "LSOA boundaries")
    code, name = (_column(polygons, c, "LSOA boundaries", lsoa2011_bsc) for c in ("LSOA11CD", "LSOA11NM"))
    london = polygons[polygons[name].str.rsplit(" ", n=1).str[0].isin(LONDON_BOROUGHS)]
    chosen = london[[code, name, "geometry"]].rename(columns={code: "lsoa11", name: "lsoa11_name"})
    return chosen.to_crs("EPSG:4326").sort_values("lsoa11", kind="stable").reset_index(drop=True)


def _borough_shapes(london_gis_boundaries: Path) -> Any:
    with _zip(london_gis_boundaries, "London statistical GIS boundaries") as archive:
        members = [n for n in archive.namelist() if n.endswith("London_Borough_Excluding_MHW.shp")]
    if not members:
        raise DataError(f"London statistical GIS boundaries {london_gis_boundaries} holds no "
                        f"London_Borough_Excluding_MHW.shp")
    shapes = _read_geo(f"/vsizip/{Path(london_gis_boundaries).resolve()}/{members[0]}", "London borough shapefile")
    return shapes.rename(columns={_column(shapes, "NAME", "London borough shapefile", london_gis_boundaries):
                                  "BOROUGH"})


def london_boroughs(london_gis_boundaries: Path) -> Any:
    """Return the 33 London boroughs, full resolution, WGS84, ``BOROUGH`` (``boroughs``)."""
    shapes = _borough_shapes(london_gis_boundaries)
    return shapes[["BOROUGH", "geometry"]].to_crs("EPSG:4326").sort_values("BOROUGH").reset_index(drop=True)


def redbridge_wards(wards_dec2019: Path, london_gis_boundaries: Path) -> Any:
    """Redbridge's December 2019 wards: ``wd19cd``, ``wd19nm``, ``area_km2`` (``redbridge_wards``)."""
    wards = _read_geo(wards_dec2019, "ward boundaries")
    code, name = (_column(wards, c, "ward boundaries", wards_dec2019) for c in ("wd19cd", "wd19nm"))
    shapes = _borough_shapes(london_gis_boundaries)
    redbridge = shapes[shapes["BOROUGH"] == "Redbridge"].to_crs(wards.crs).union_all()
    inside = wards[wards.geometry.representative_point().within(redbridge)]
    chosen = inside[[code, name, "geometry"]].rename(columns={code: "wd19cd", name: "wd19nm"}).to_crs("EPSG:4326")
    chosen.insert(2, "area_km2", chosen.to_crs("EPSG:27700").area / 1e6)
    return chosen.sort_values("wd19cd").reset_index(drop=True)


def ward_names(ward_lad_lookup_dec2024: Path) -> pd.DataFrame:
    """Every ward's name and local authority from ONS's ward to LAD lookup (``ward_names``).

    Raises
    ------
    DataError
        The file is not a CSV with ward and local authority code and name columns (``WDyyCD``, ``WDyyNM``,
        ``LADyyCD``, ``LADyyNM``).
    """
    path = Path(ward_lad_lookup_dec2024)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, OSError) as exc:
        raise DataError(f"{path.name}: not the ONS ward to local authority lookup (a CSV): {exc}") from None
    found = {}
    for key, pattern in (("ward_code", r"WD\d\dCD"), ("ward_name", r"WD\d\dNM"), ("lad_code", r"LAD\d\dCD"),
                         ("lad_name", r"LAD\d\dNM")):
        columns = [c for c in raw.columns if re.fullmatch(pattern, c.strip(), flags=re.IGNORECASE)]
        if not columns:
            raise DataError(f"{path.name}: no {pattern.replace(chr(92) + 'd' + chr(92) + 'd', 'yy')} column in the "
                            f"ward lookup (it has {', '.join(raw.columns[:8])}); download the ONS 'Ward to Local "
                            f"Authority District Lookup' as CSV")
        found[key] = columns[0]
    table = raw[list(found.values())].rename(columns={v: k for k, v in found.items()})
    table = table.apply(lambda column: column.str.strip())
    table = table[table["ward_code"] != ""].drop_duplicates("ward_code")
    return table.sort_values("ward_code").reset_index(drop=True)


# -- any local authority in England and Wales --------------------------------------------------------------

def read_ks101ew(path: Path) -> pd.DataFrame:
    """Usual residents per 2011 LSOA from Nomis's KS101EW bulk zip: ``lsoa11``, ``residents_2011``.

    Raises
    ------
    DataError
        No CSV in the zip has ``GeographyCode`` and ``KS101EW0001`` columns.
    """
    with _zip(path, "2011 Census KS101EW") as archive:
        for member in sorted(n for n in archive.namelist() if n.lower().endswith(".csv")):
            with archive.open(member) as fh:
                try:
                    header = pd.read_csv(fh, nrows=0).columns
                except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
                    continue
            if {"GeographyCode", "KS101EW0001"} <= set(header):
                with archive.open(member) as fh:
                    table = pd.read_csv(fh, usecols=["GeographyCode", "KS101EW0001"], dtype=str)
                lsoas = table[table["GeographyCode"].str.match(_LSOA_CODE.pattern)]
                return pd.DataFrame({"lsoa11": lsoas["GeographyCode"].to_numpy(),
                                     "residents_2011": _number(lsoas["KS101EW0001"]).astype("int64").to_numpy()})
    raise DataError(f"2011 Census KS101EW {path} holds no CSV with GeographyCode and KS101EW0001 columns; it is not "
                    f"Nomis's ks101ew_2011_oa.zip")


def local_authorities(lad_dec2024: Path) -> Any:
    """Every local authority district of the ONS boundaries: ``code``, ``name``, ``geometry`` (WGS84), by code."""
    districts = _read_geo(lad_dec2024, "local authority boundaries")
    code, name = (_column(districts, c, "local authority boundaries", lad_dec2024) for c in ("LAD24CD", "LAD24NM"))
    chosen = districts[[code, name, "geometry"]].rename(columns={code: "code", name: "name"})
    return chosen.to_crs("EPSG:4326").sort_values("code").reset_index(drop=True)


def local_authority_tables(code: str, *, lad_dec2024: Path, codepoint_open: Path, ons_postcode_lookup: Path,
                           lsoa2011_bsc: Path, census2011_ks101ew: Path) -> dict[str, Any]:
    """Return the tables of a study of one local authority (England or Wales), by file name.

    ``boundary.geojson`` (the authority), ``postcodes.csv`` (its postcodes and every postcode of
    its LSOAs), ``lsoa_polygons.geojson`` and ``lsoa_census.csv`` (``lsoa11``, ``residents_2011``):
    its 2011 LSOAs are those most of whose live postcodes Code-Point Open places in it.

    Raises
    ------
    DataError
        The code is not in the boundaries, no postcode lies in it, or an LSOA lacks its polygon or
        its census count.
    """
    districts = local_authorities(lad_dec2024)
    boundary = districts[districts["code"] == code].reset_index(drop=True)
    if boundary.empty:
        raise DataError(f"local authority {code!r} is not in {lad_dec2024}")
    everywhere = read_codepoint(codepoint_open, districts=lambda c: c == c)
    lookup = read_postcode_lookup(ons_postcode_lookup)
    inside = everywhere["admin_district_code"] == code
    if not inside.any():
        raise DataError(f"no live postcode of Code-Point Open {codepoint_open} lies in local authority {code}")
    # The LSOAs of its postcodes, and every postcode of those (some lie across the border): an LSOA is the
    # authority's when most of its postcodes are.
    candidates = set(lookup["lsoa11cd"][lookup["pcds"].isin(everywhere["postcode"][inside])]) - {""}
    members = lookup[lookup["lsoa11cd"].isin(candidates)]
    districts_of = everywhere.set_index("postcode")["admin_district_code"]
    members = members.assign(lad=members["pcds"].map(districts_of)).dropna(subset=["lad"])
    modal = members.groupby("lsoa11cd")["lad"].agg(lambda s: s.mode().iloc[0])
    lsoas = sorted(modal.index[modal == code])
    chosen = inside | everywhere["postcode"].isin(members["pcds"][members["lsoa11cd"].isin(lsoas)])
    postcodes = postcode_rows(everywhere[chosen], lookup[lookup["pcds"].isin(everywhere["postcode"][chosen])])
    polygons = _read_geo(lsoa2011_bsc, "LSOA boundaries")
    pcode, pname = (_column(polygons, c, "LSOA boundaries", lsoa2011_bsc) for c in ("LSOA11CD", "LSOA11NM"))
    polygons = polygons[polygons[pcode].isin(lsoas)][[pcode, pname, "geometry"]].rename(
        columns={pcode: "lsoa11", pname: "lsoa11_name"}).to_crs("EPSG:4326").sort_values("lsoa11")
    census = read_ks101ew(census2011_ks101ew)
    census = census[census["lsoa11"].isin(lsoas)].sort_values("lsoa11").reset_index(drop=True)
    for what, found in (("polygon in " + str(lsoa2011_bsc), set(polygons["lsoa11"])),
                        ("census count in " + str(census2011_ks101ew), set(census["lsoa11"]))):
        lacking = [c for c in lsoas if c not in found]
        if lacking:
            raise DataError(f"LSOA(s) {', '.join(lacking[:5])} of local authority {code} have no {what}")
    return {"boundary.geojson": boundary, "postcodes.csv": postcodes,
            "lsoa_polygons.geojson": polygons.reset_index(drop=True), "lsoa_census.csv": census}


# -- writing -----------------------------------------------------------------------------------------------

def write_table(table: Any, path: Path, *, layer: str | None = None) -> None:
    """Write a derived table in its file format: CSV (UTF-8, newline-ended lines) or GeoJSON (GDAL's writer, WGS84).

    A GeoJSON is written with ``layer`` as its ``name`` member, or with none when ``layer`` is ``None``.
    """
    path = Path(path)
    if path.suffix == ".csv":
        table.to_csv(path, index=False, lineterminator="\n")
        return
    options = {"WRITE_NAME": "NO"} if layer is None else {}
    table.to_file(path, driver="GeoJSON", engine="pyogrio", layer=layer, layer_options=options)


DERIVATIONS: dict[str, tuple[Callable[..., Any], str | None]] = {
    "london_postcodes": (london_postcodes, None),
    "lsoa_atlas_census": (lsoa_atlas_census, None),
    "london_lsoa_polygons": (london_lsoa_polygons, "london_lsoa2011_bsc"),
    "london_boroughs": (london_boroughs, None),
    "redbridge_wards": (redbridge_wards, "redbridge_wards_2019_bgc"),
    "ward_names": (ward_names, None),
}
"""Each ``derive`` name of ``data/sources.toml``: the function (called with the raw paths, by download name) and
the GeoJSON layer name its file carries (``None``: none, or a CSV)."""
