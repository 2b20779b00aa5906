"""The publishers' files in their own formats, made small from the mirror's rows, and a loopback server for them.

:func:`build_raw_files` writes one file per download of ``data/sources.toml``, in the layout the
publisher uses, holding the raw form of a sample of the mirror's real rows:

* ``codepo_gb.zip``: Code-Point Open, headerless quoted CSVs per postcode area under ``Data/CSV``,
  postcodes in the fixed seven-character form (``IG117PB``, ``E1  6AN``), the ten columns;
* ``PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.zip``: the ONS lookup, latin-1, its fourteen columns, with a
  terminated row for a postcode newer than the lookup (which must stay without an LSOA);
* ``lsoa-data.csv``: the LSOA Atlas with a three-line header (topic, measure, year), decoy
  columns (percentages, mean income), London total rows, latin-1 (for its £ signs);
* ``LSOA_2011_EW_BSC.geojson``, ``lad_dec2024_bgc.geojson``, ``wards_dec2019_bgc.geojson``: ONS
  GeoJSON with the ONS field names;
* ``statistical-gis-boundaries-london.zip``: the boroughs as a shapefile in British National Grid;
* ``ks101ew_2011_oa.zip``: Nomis's KS101EW bulk CSV (``GeographyCode``, ``KS101EW0001``);
* ``WD24_LAD24_UK_LU.csv``: ONS's ward to local authority lookup (``WD24CD``, ``WD24NM``, ``WD24NMW``,
  ``LAD24CD``, ``LAD24NM``, ``LAD24NMW``, ``ObjectId``; a byte-order mark, as ONS's CSVs start), with the
  real codes and names of Redbridge's 22 wards (the mirror's ward file) and the two SYNTHETIC wards.

The local authority outside London is **SYNTHETIC**: there is no real data for one on these
machines, so Redbridge's real rows are moved 155 km west and 215 km north (to about where
Manchester is) and renamed: district ``E06999901`` "SYNTHETIC Vale", postcodes ``ZZ…``/``ZY…``/``ZX…``, LSOA,
OA and ward codes with a 9 after their prefix (``E019…``).  Its rows sit in the same files as
London's, so each derivation must pick its own.

:class:`PublisherServer` serves a folder on 127.0.0.1, and can be told to answer a path with a
fault: ``404``, ``500``, ``truncate`` (a Content-Length larger than the body, then the connection
closed) or ``stall`` (headers, then nothing).
"""

from __future__ import annotations

import io
import shutil
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import geopandas as gpd
import pandas as pd

__all__ = ["build_raw_files", "PublisherServer", "SYNTHETIC_CODE", "SYNTHETIC_NAME", "SHIFT", "sample_postcodes",
           "RAW_FILES", "publisher_registry"]

SYNTHETIC_CODE = "E06999901"
SYNTHETIC_NAME = "SYNTHETIC Vale"
SHIFT = (-155_000, 215_000)
"""How far (easting, northing; metres) Redbridge's rows are moved to make the SYNTHETIC authority."""

RAW_FILES = {
    "codepoint_open": "codepo_gb.zip",
    "ons_postcode_lookup": "PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.zip",
    "lsoa_atlas": "lsoa-data.csv",
    "lsoa2011_bsc": "LSOA_2011_EW_BSC.geojson",
    "london_gis_boundaries": "statistical-gis-boundaries-london.zip",
    "wards_dec2019": "wards_dec2019_bgc.geojson",
    "census2011_ks101ew": "ks101ew_2011_oa.zip",
    "lad_dec2024": "lad_dec2024_bgc.geojson",
    "ward_lad_lookup_dec2024": "WD24_LAD24_UK_LU.csv",
}

SAMPLE_LSOAS = 40  # London LSOAs whose postcodes, polygons and census rows are in the sample
_REDBRIDGE = "E09000026"


def sample_postcodes(mirror: Path) -> pd.DataFrame:
    """Return the mirror's postcodes of the sample.

    Every postcode of every 120th London LSOA, and every 500th postcode without an LSOA (newer than the
    May 2022 lookup).
    """
    table = pd.read_csv(mirror / "postcodes" / "london_postcodes_cpo2025.csv", dtype=str, keep_default_na=False)
    lsoas = sorted(set(table["lsoa11"]) - {""})[::120][:SAMPLE_LSOAS]
    return table[table["lsoa11"].isin(lsoas) | (table.index.isin(table.index[table["lsoa11"] == ""][::500]))]


def _synthetic_code(code: str) -> str:
    return code[:3] + "9" + code[4:] if code else code


def _synthetic(mirror: Path) -> pd.DataFrame:
    """Return the real postcode rows of Redbridge's LSOAs (and its newer postcodes), moved and renamed."""
    table = pd.read_csv(mirror / "postcodes" / "london_postcodes_cpo2025.csv", dtype=str, keep_default_na=False)
    lsoas = set(table["lsoa11"][(table["lad_code"] == _REDBRIDGE)]) & _redbridge_lsoas(mirror)
    rows = table[table["lsoa11"].isin(lsoas) | ((table["lsoa11"] == "") & (table["lad_code"] == _REDBRIDGE))].copy()
    parts = rows["postcode"].str.extract(r"^([A-Z]+)(.*)$")
    rows["postcode"] = parts[0].map({"IG": "ZZ", "RM": "ZY", "E": "ZX"}).fillna("ZW") + parts[1]
    assert rows["postcode"].is_unique
    rows["easting"] = (rows["easting"].astype(int) + SHIFT[0]).astype(str)
    rows["northing"] = (rows["northing"].astype(int) + SHIFT[1]).astype(str)
    rows["lad_code"] = SYNTHETIC_CODE
    for column in ("ward_code", "oa11", "lsoa11"):
        rows[column] = rows[column].map(_synthetic_code)
    return rows


def _redbridge_lsoas(mirror: Path) -> set[str]:
    polygons = gpd.read_file(mirror / "geography" / "london_lsoa2011_bsc.geojson")
    return set(polygons["lsoa11"][polygons["lsoa11_name"].str.startswith("Redbridge ")])


def _pcd7(postcode: str) -> str:
    outward, inward = postcode.split(" ")
    return f"{outward:<4}{inward}"[:7] if len(outward) < 4 else f"{outward}{inward}"


def _codepoint(rows: pd.DataFrame, path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Doc/Code-Point_Open_Column_Headers.csv",
                         "PC,PQ,EA,NO,CY,RH,LH,CC,DC,WC\nPostcode,Positional_quality_indicator,Eastings,Northings,"
                         "Country_code,NHS_regional_HA_code,NHS_HA_code,Admin_county_code,Admin_district_code,"
                         "Admin_ward_code\n")
        area = rows["postcode"].str.extract(r"^([A-Z]+)")[0].str.lower()
        for name, group in rows.groupby(area):
            lines = [f'"{_pcd7(r.postcode)}",{r.positional_quality},{r.easting},{r.northing},"E92000001",'
                     f'"{"E19000003" if r.lad_code.startswith("E09") else "E19000001"}","E18000007","",'
                     f'"{r.lad_code}","{r.ward_code}"\r\n'
                     for r in group.sort_values("postcode").itertuples()]
            archive.writestr(f"Data/CSV/{name}.csv", "".join(lines))


def _lookup(rows: pd.DataFrame, names: dict[str, str], path: Path) -> None:
    matched = rows[rows["lsoa11"] != ""]
    table = pd.DataFrame({
        "pcd7": matched["postcode"].map(_pcd7), "pcd8": matched["postcode"], "pcds": matched["postcode"],
        "dointr": "", "doterm": "", "usertype": matched["large_user"], "oa11cd": matched["oa11"],
        "lsoa11cd": matched["lsoa11"], "msoa11cd": "", "ladcd": matched["lad_code"],
        "lsoa11nm": matched["lsoa11"].map(names), "msoa11nm": "",
        "ladnm": matched["lsoa11"].map(names).str.rsplit(" ", n=1).str[0],
        "ladnmw": matched["lad_code"].map({SYNTHETIC_CODE: "SYNTHETIC Fâl"}).fillna(""),
    })
    newer = rows[rows["lsoa11"] == ""].head(1)  # a postcode newer than the lookup, once used and terminated
    terminated = pd.DataFrame({**{c: "" for c in table.columns}, "pcd7": newer["postcode"].map(_pcd7),
                               "pcd8": newer["postcode"], "pcds": newer["postcode"], "doterm": "200912",
                               "usertype": "0", "oa11cd": table["oa11cd"].iloc[0],
                               "lsoa11cd": table["lsoa11cd"].iloc[0], "ladcd": newer["lad_code"]})
    data = pd.concat([table, terminated]).sort_values("pcds").to_csv(index=False, lineterminator="\r\n")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.csv", data.encode("latin-1"))
        archive.writestr("User Guide/PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU_User_Guide.txt", "User guide\n")


_ATLAS_HEADER = [  # (topic, measure, year, mirror column or a decoy)
    ("Lower Super Output Area", "", "", "lsoa11"),
    ("Names", "", "", "name"),
    ("Mid-year Population Estimates", "All Ages", "2011", "decoy_mid_year"),
    ("2011 Census Population", "Age Structure", "All Ages", "residents_2011"),
    ("", "Age Structure", "0-15", "decoy_young"),
    ("Households", "All Households", "2011", "households_2011"),
    ("Car or van availability", "No cars or vans in household", "2011", "households_no_car_2011"),
    ("", "No cars or vans in household (%)", "2011", "decoy_no_car_share"),
    ("Public Transport Accessibility Levels (2014)", "Average Score", "", "ptal_2014_avg_score"),
    ("Household Income, 2011/12", "Mean Annual Household Income estimate (£)", "", "decoy_mean_income"),
    ("", "Median Annual Household Income estimate (£)", "", "median_household_income_2011"),
]


def _atlas(census: pd.DataFrame, names: dict[str, str], path: Path) -> None:
    rows = census.assign(name=census["lsoa11"].map(names), decoy_mid_year="1500", decoy_young="300",
                         decoy_no_car_share="33.3", decoy_mean_income="41,000")
    columns = [c[3] for c in _ATLAS_HEADER]
    head = io.StringIO()
    for line in range(3):
        head.write(",".join(f'"{c[line]}"' if c[line] else "" for c in _ATLAS_HEADER) + "\r\n")
    body = rows[columns].to_csv(index=False, header=False, lineterminator="\r\n")
    totals = "E12000007,Greater London,,8173941,,,,,,,\r\n,,,,,,,,,,\r\n"  # London's row: its 2011 Census total
    path.write_bytes((head.getvalue() + body + totals).encode("latin-1"))


def build_raw_files(mirror: Path, folder: Path) -> dict[str, Path]:
    """Write the sample's raw files into ``folder``; return their paths by download name (:data:`RAW_FILES`)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: folder / file for name, file in RAW_FILES.items()}
    london = sample_postcodes(mirror)
    synthetic = _synthetic(mirror)
    polygons = gpd.read_file(mirror / "geography" / "london_lsoa2011_bsc.geojson")
    names = dict(zip(polygons["lsoa11"], polygons["lsoa11_name"], strict=True))
    moved = polygons[polygons["lsoa11_name"].str.startswith("Redbridge ")].copy()
    moved["geometry"] = moved.to_crs("EPSG:27700").translate(*SHIFT).to_crs("EPSG:4326").to_numpy()
    moved["lsoa11"] = moved["lsoa11"].map(_synthetic_code)
    moved["lsoa11_name"] = moved["lsoa11_name"].str.replace("Redbridge", SYNTHETIC_NAME, regex=False)
    names.update(dict(zip(moved["lsoa11"], moved["lsoa11_name"], strict=True)))

    _codepoint(pd.concat([london, synthetic]), paths["codepoint_open"])
    _lookup(pd.concat([london, synthetic]), names, paths["ons_postcode_lookup"])

    census = pd.read_csv(mirror / "population" / "london_lsoa2011_census.csv", dtype=str, keep_default_na=False)
    sample_lsoas = set(london["lsoa11"]) - {""}
    _atlas(census[census["lsoa11"].isin(sample_lsoas)], names, paths["lsoa_atlas"])

    chosen = polygons[polygons["lsoa11"].isin(sample_lsoas)]
    bsc = gpd.GeoDataFrame(pd.concat([chosen, moved], ignore_index=True), crs="EPSG:4326")
    bsc = bsc.rename(columns={"lsoa11": "LSOA11CD", "lsoa11_name": "LSOA11NM"})
    bsc.insert(0, "FID", range(1, len(bsc) + 1))
    bsc.insert(3, "LSOA11NMW", bsc["LSOA11NM"])
    bsc.to_file(paths["lsoa2011_bsc"], driver="GeoJSON", engine="pyogrio")

    boroughs = gpd.read_file(mirror / "boundaries" / "london_boroughs.geojson").to_crs("EPSG:27700")
    shapes = boroughs.rename(columns={"BOROUGH": "NAME"})
    shapes["HECTARES"] = (shapes.area / 10_000).round(3)
    shapes = shapes[["NAME", "HECTARES", "geometry"]]
    staging = folder / "gis" / "statistical-gis-boundaries-london" / "ESRI"
    staging.mkdir(parents=True, exist_ok=True)
    shapes.to_file(staging / "London_Borough_Excluding_MHW.shp", engine="pyogrio")
    with zipfile.ZipFile(paths["london_gis_boundaries"], "w", zipfile.ZIP_DEFLATED) as archive:
        for part in sorted(staging.iterdir()):
            archive.write(part, f"statistical-gis-boundaries-london/ESRI/{part.name}")
    shutil.rmtree(folder / "gis")

    wards = gpd.read_file(mirror / "boundaries" / "redbridge_wards_2019.geojson")
    far = wards.head(2).copy()  # two wards moved with the SYNTHETIC authority: the query's box would not hold them
    far["geometry"] = far.to_crs("EPSG:27700").translate(*SHIFT).to_crs("EPSG:4326").to_numpy()
    far["wd19cd"] = far["wd19cd"].map(_synthetic_code)
    raw_wards = gpd.GeoDataFrame(pd.concat([wards, far], ignore_index=True)[["wd19cd", "wd19nm", "geometry"]],
                                 crs="EPSG:4326")
    raw_wards.insert(0, "objectid", range(1, len(raw_wards) + 1))
    raw_wards.insert(3, "wd19nmw", " ")
    raw_wards.to_file(paths["wards_dec2019"], driver="GeoJSON", engine="pyogrio")
    moved = raw_wards["wd19cd"].str.startswith("E059")
    lookup = pd.DataFrame({"WD24CD": raw_wards["wd19cd"], "WD24NM": raw_wards["wd19nm"], "WD24NMW": "",
                           "LAD24CD": moved.map({True: SYNTHETIC_CODE, False: _REDBRIDGE}),
                           "LAD24NM": moved.map({True: SYNTHETIC_NAME, False: "Redbridge"}), "LAD24NMW": ""})
    lookup.loc[lookup["LAD24CD"] == SYNTHETIC_CODE, "WD24NM"] = "SYNTHETIC " + lookup["WD24NM"]
    lookup["ObjectId"] = range(1, len(lookup) + 1)
    paths["ward_lad_lookup_dec2024"].write_bytes(b"\xef\xbb\xbf" + lookup.to_csv(index=False, lineterminator="\r\n")
                                                 .encode("utf-8"))

    redbridge = census[census["lsoa11"].isin(_redbridge_lsoas(mirror))]
    counts = pd.DataFrame({"GeographyCode": [*redbridge["lsoa11"].map(_synthetic_code), "E92000001", "E00099999"],
                           "KS101EW0001": [*redbridge["residents_2011"], "53012456", "312"]})
    with zipfile.ZipFile(paths["census2011_ks101ew"], "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("KS101EWDESC0.CSV", "ColumnVariableCode,ColumnVariableMeasurementUnit,"
                                             "ColumnVariableStatisticalUnit,ColumnVariableDescription\r\n"
                                             "KS101EW0001,Count,Person,All usual residents\r\n")
        archive.writestr("KS101EWDATA.CSV", counts.to_csv(index=False, lineterminator="\r\n"))

    districts = boroughs.to_crs("EPSG:4326").rename(columns={"BOROUGH": "LAD24NM"})
    codes = (london.assign(name=london["lsoa11"].map(names).str.rsplit(" ", n=1).str[0])
             .dropna(subset=["name"]).groupby("name")["lad_code"].first())
    districts = districts[districts["LAD24NM"].isin(codes.index)].copy()
    districts["LAD24CD"] = districts["LAD24NM"].map(codes)
    vale = gpd.GeoDataFrame({"LAD24NM": [SYNTHETIC_NAME], "LAD24CD": [SYNTHETIC_CODE]},
                            geometry=[boroughs[boroughs["BOROUGH"] == "Redbridge"].translate(*SHIFT)
                                      .to_crs("EPSG:4326").iloc[0]], crs="EPSG:4326")
    lads = gpd.GeoDataFrame(pd.concat([districts, vale], ignore_index=True), crs="EPSG:4326")
    lads[["LAD24CD", "LAD24NM", "geometry"]].to_file(paths["lad_dec2024"], driver="GeoJSON", engine="pyogrio")
    return paths


def publisher_registry(registry: str, base_url: str) -> str:
    """Return ``data/sources.toml``'s text with every download's URL pointed at ``base_url``/its file name."""
    lines = []
    current = None
    for line in registry.splitlines():
        if line.startswith("[downloads."):
            current = line.strip()[len("[downloads."):-1]
        elif line.startswith("["):
            current = None
        if current and line.startswith("url = "):
            line = f'url = "{base_url}/{RAW_FILES[current]}"'
        lines.append(line)
    return "\n".join(lines) + "\n"


class PublisherServer:
    """Serve a folder on 127.0.0.1 (a context manager); :attr:`faults` maps a file name to a fault.

    Faults: ``"404"``, ``"500"``, ``"truncate"`` (half the body, with the whole Content-Length, then the
    connection closed) and ``"stall"`` (headers, then nothing for a minute).  :attr:`requests` counts
    the requests per file name.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.faults: dict[str, str] = {}
        self.requests: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                name = self.path.lstrip("/").split("?")[0]
                server.requests[name] = server.requests.get(name, 0) + 1
                fault = server.faults.get(name)
                path = server.folder / name
                if fault in ("404", "500") or not path.is_file():
                    code = 500 if fault == "500" else 404
                    self.send_response(code)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = path.read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if fault == "stall":
                    self.wfile.flush()
                    time.sleep(60)
                    return
                self.wfile.write(body[: len(body) // 2] if fault == "truncate" else body)
                self.wfile.flush()
                if fault == "truncate":
                    self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> PublisherServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
