"""Studies with a transit mode for the tests: a SYNTHETIC one around the real Cairns bus feed, and a study file.

No population data of Cairns is on this machine, so the residents are made up: points along the bus routes
(between consecutive stops of the feed's trips, a little to either side), each with a made-up population.
The counters are made up too (at real shopping centres' stops), and so are the four wards (bands from north
to south).  Everything made up says SYNTHETIC in its name.  Only the timetable is real.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import box

from access.inputs.gtfs import CAIRNS

__all__ = ["cairns_frames", "write_transit_study", "STUDY_WITH_TRANSIT", "COUNTERS_CSV", "CAIRNS_DATE",
           "CAIRNS_WINDOW", "COUNTER_STOPS", "SOUTH", "NORTH", "WEST", "EAST"]

CAIRNS_DATE = "2014-06-10"  # a Tuesday of the feed's calendar
CAIRNS_WINDOW = ("08:00", "09:00")
SOUTH, NORTH, WEST, EAST = -17.04, -16.87, 145.69, 145.79  # central Cairns to Edmonton, Redlynch to the sea
COUNTER_STOPS = {  # counter id: (the stop it stands at, its name)
    "central": ("750245", "SYNTHETIC counter at Cairns Central"),
    "earlville": ("750209", "SYNTHETIC counter at Stockland Earlville"),
    "redlynch": ("750085", "SYNTHETIC counter at Redlynch Shopping Centre"),
    "edmonton": ("750297", "SYNTHETIC counter at Edmonton Centre"),
}


def _table(name: str) -> pd.DataFrame:
    with zipfile.ZipFile(CAIRNS) as feed, feed.open(f"{name}.txt") as fh:
        return pd.read_csv(fh, dtype=str)


def cairns_frames(n_per_hop: int = 2, seed: int = 7) -> dict[str, gpd.GeoDataFrame]:
    """Return SYNTHETIC residents, counters, wards and the boundary around central Cairns (WGS84 frames).

    Residents: ``n_per_hop`` points along each distinct hop between consecutive stops of the feed's trips
    inside the area, moved up to 150 m to either side, each with 20–400 made-up residents.
    """
    stops = _table("stops").set_index("stop_id")
    times = _table("stop_times")
    times["stop_sequence"] = times["stop_sequence"].astype(int)
    times = times.sort_values(["trip_id", "stop_sequence"])
    same = times["trip_id"].to_numpy()[1:] == times["trip_id"].to_numpy()[:-1]
    hops = pd.DataFrame({"a": times["stop_id"].to_numpy()[:-1][same], "b": times["stop_id"].to_numpy()[1:][same]})
    hops = hops[hops["a"] != hops["b"]].drop_duplicates().sort_values(["a", "b"]).reset_index(drop=True)
    lon = stops["stop_lon"].astype(float)
    lat = stops["stop_lat"].astype(float)
    inside = (lat.between(SOUTH, NORTH) & lon.between(WEST, EAST))
    hops = hops[hops["a"].map(inside) & hops["b"].map(inside)]
    area = box(WEST, SOUTH, EAST, NORTH)
    boundary = gpd.GeoDataFrame({"name": ["SYNTHETIC study area: central Cairns"]}, geometry=[area], crs="EPSG:4326")
    utm = boundary.estimate_utm_crs()
    rng = np.random.default_rng(seed)
    a = gpd.GeoSeries(gpd.points_from_xy(lon[hops["a"]], lat[hops["a"]]), crs="EPSG:4326").to_crs(utm)
    b = gpd.GeoSeries(gpd.points_from_xy(lon[hops["b"]], lat[hops["b"]]), crs="EPSG:4326").to_crs(utm)
    ax, ay, bx, by = a.x.to_numpy(), a.y.to_numpy(), b.x.to_numpy(), b.y.to_numpy()
    fraction = rng.uniform(0.1, 0.9, (len(ax), n_per_hop))
    dx, dy = bx - ax, by - ay
    length = np.maximum(np.hypot(dx, dy), 1.0)
    side = rng.uniform(-150, 150, (len(ax), n_per_hop))
    x = ax[:, None] + fraction * dx[:, None] - side * dy[:, None] / length[:, None]
    y = ay[:, None] + fraction * dy[:, None] + side * dx[:, None] / length[:, None]
    points = gpd.GeoSeries(gpd.points_from_xy(x.ravel(), y.ravel()), crs=utm).to_crs("EPSG:4326")
    points = points[shapely.contains_xy(area, points.x, points.y)]
    residents = gpd.GeoDataFrame({"origin": [f"SYNTHETIC-{i:04d}" for i in range(len(points))],
                                  "population": rng.integers(20, 401, len(points)).astype(float)},
                                 geometry=points.to_numpy(), crs="EPSG:4326")
    bands = np.linspace(NORTH, SOUTH, 5)
    wards = gpd.GeoDataFrame(
        {"ward": [f"SYNTHETIC ward {k + 1} ({where})" for k, where in
                  enumerate(("Redlynch and the north", "the city", "Earlville", "Edmonton and the south"))]},
        geometry=[box(WEST, bands[k + 1], EAST, bands[k]) for k in range(4)], crs="EPSG:4326")
    ids = list(COUNTER_STOPS)
    at = [COUNTER_STOPS[c][0] for c in ids]
    counters = gpd.GeoDataFrame(
        {"id": ids, "name": [COUNTER_STOPS[c][1] for c in ids],
         "before": ["24/7"] * len(ids),
         "after": ["24/7", "Mo-Fr 09:00-17:00", "closed", "closed"]},
        geometry=gpd.points_from_xy(lon[at], lat[at]), crs="EPSG:4326")
    return {"residents": residents, "facilities": counters, "boundary": boundary, "wards": wards}


STUDY_WITH_TRANSIT = """\
name = "transit-file"
title = "Two SYNTHETIC counters in the City, and the Cairns timetable (a test of the [transit] table)"
crs = "EPSG:27700"

[area]
boroughs = ["City of London"]
buffer_m = 500

[counters]
table = "counters.csv"

[periods]
before = "both"
after = "one"

[modes]
use = ["walk", "transit"]

[network]
osm_file = "city_of_london_osm"

[transit]
feeds = ["feeds/cairns_gtfs.zip"]
date = 2014-06-10
window = ["08:00", "09:00"]
percentile = 50
max_walk_m = 800
attribution = "© State of Queensland (Department of Transport and Main Roads), CC BY"
"""

COUNTERS_CSV = """\
id,name,lon,lat,both,one
east,SYNTHETIC counter east,-0.0820,51.5160,24/7,24/7
west,SYNTHETIC counter west,-0.1010,51.5150,24/7,off
"""


def write_transit_study(folder: Path) -> Path:
    """Write a study file with a ``[transit]`` table into ``folder``, its feed and counter table beside it.

    Two SYNTHETIC counters in the City of London, and the real Cairns feed: a test of the study file's route,
    in which no resident can walk to a stop (so public transport is the walk straight to the counter).
    """
    (folder / "feeds").mkdir(parents=True, exist_ok=True)
    (folder / "feeds" / "cairns_gtfs.zip").write_bytes(CAIRNS.read_bytes())
    (folder / "counters.csv").write_text(COUNTERS_CSV)
    path = folder / "study.toml"
    path.write_text(STUDY_WITH_TRANSIT)
    return path
