"""A SYNTHETIC GTFS feed the size of London's buses, laid on London's real postcodes.

No real London feed is available here, so the transit benchmark routes on this one::

    .venv/bin/python -m bench.synthetic_gtfs            # about 19,000 stops, 700 routes, 2 million stop times
    .venv/bin/python -m bench.synthetic_gtfs --routes 70

It is SYNTHETIC: no timetable of any real operator.  Each route runs between two real London
postcodes (the london-2017 study's residents) 6 to 16 km apart, through three more postcodes
near the straight line between them; it calls every :data:`SPACING_M` metres along that line,
and calls within the same :data:`CELL_M` cell share one stop, so routes meet and riders can change.
Buses run both ways, 05:30 to 24:00, every 12, 15 or 20 minutes in the peaks (07:00–10:00,
16:00–19:00) and half as often otherwise, at 16–22 km/h with 20 s at each stop.  One service,
Monday to Friday in 2024.

Files are written to ``bench/generated/`` (git-ignored), named ``SYNTHETIC-london-buses-v….zip``,
with ``SYNTHETIC`` in ``agency.txt`` and ``feed_info.txt`` too.  A file that exists is reused.
"""

from __future__ import annotations

import argparse
import io
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

GENERATED = Path(__file__).resolve().parent / "generated"
VERSION = 1
SPACING_M = 330.0
"""Distance between calls along a route."""
CELL_M = 140.0
"""Calls in the same square of this side share a stop."""
ROUTES = 700
SERVICE_DATE = "2024-03-12"
"""A Tuesday the SYNTHETIC feed runs on."""


def _route_lines(origin_xy: np.ndarray, n_routes: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Each route's calls (x, y), every :data:`SPACING_M` along a line through five real postcodes."""
    from scipy.spatial import cKDTree

    tree = cKDTree(origin_xy)
    lines = []
    while len(lines) < n_routes:
        a = origin_xy[rng.integers(len(origin_xy))]
        b = origin_xy[rng.integers(len(origin_xy), size=64)]
        length = np.hypot(*(b - a).T)
        ok = np.flatnonzero((length > 6000) & (length < 16000))
        if not ok.size:
            continue
        b = b[ok[0]]
        direction = (b - a) / np.hypot(*(b - a))
        normal = np.array([-direction[1], direction[0]])
        waypoints = [a]
        for share in (0.25, 0.5, 0.75):
            near = a + share * (b - a) + normal * rng.uniform(-1200, 1200)
            waypoints.append(origin_xy[tree.query(near)[1]])
        waypoints.append(b)
        points = []
        for p, q in zip(waypoints[:-1], waypoints[1:], strict=True):
            steps = max(1, int(np.hypot(*(q - p)) // SPACING_M))
            points.append(p + np.outer(np.arange(steps) / steps, q - p))
        points.append(b[None, :])
        lines.append(np.vstack(points))
    return lines


def build(origin_xy: np.ndarray, *, n_routes: int = ROUTES, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Return the SYNTHETIC feed's tables (stops in EPSG:27700 → WGS84)."""
    import pyproj

    rng = np.random.default_rng(seed)
    lines = _route_lines(origin_xy, n_routes, rng)
    calls = np.vstack(lines)
    cell = np.floor(calls / CELL_M).astype(np.int64)
    keys, stop_of_call = np.unique(cell[:, 0] * 1_000_003 + cell[:, 1], return_inverse=True)
    sums = np.zeros((len(keys), 2))
    np.add.at(sums, stop_of_call, calls)
    stop_xy = sums / np.bincount(stop_of_call)[:, None]
    lon, lat = pyproj.Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True).transform(*stop_xy.T)
    stops = pd.DataFrame({"stop_id": [f"S{k}" for k in range(len(keys))],
                          "stop_name": [f"SYNTHETIC stop {k}" for k in range(len(keys))],
                          "stop_lat": np.round(lat, 7), "stop_lon": np.round(lon, 7)})
    trips, times = [], []
    start = 0
    for r, line in enumerate(lines):
        route_stops = stop_of_call[start:start + len(line)]
        start += len(line)
        keep = np.r_[True, route_stops[1:] != route_stops[:-1]]
        route_stops = route_stops[keep]
        hop = np.hypot(*np.diff(stop_xy[route_stops], axis=0).T) / (rng.uniform(16, 22) / 3.6)
        headway = int(rng.choice([12, 15, 20])) * 60
        departures = np.r_[np.arange(5.5 * 3600, 7 * 3600, 2 * headway), np.arange(7 * 3600, 10 * 3600, headway),
                           np.arange(10 * 3600, 16 * 3600, 2 * headway), np.arange(16 * 3600, 19 * 3600, headway),
                           np.arange(19 * 3600, 24 * 3600, 2 * headway)].astype(np.int64)
        departures += int(rng.integers(0, headway))
        for direction in (0, 1):
            sequence = route_stops if direction == 0 else route_stops[::-1]
            hops = hop if direction == 0 else hop[::-1]
            arrive = np.r_[0, np.cumsum(np.round(hops) + 20)].astype(np.int64)  # 20 s at each stop
            for k, first in enumerate(departures):
                trip = f"R{r}-{direction}-{k}"
                trips.append((f"R{r}", trip))
                times.append((trip, first + arrive, sequence))
    trip_ids = np.concatenate([np.full(len(t[1]), t[0], dtype=object) for t in times])
    seconds = np.concatenate([t[1] for t in times])
    clock = pd.Series(seconds).map(lambda s: f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}")
    stop_times = pd.DataFrame({"trip_id": trip_ids, "arrival_time": clock, "departure_time": clock,
                               "stop_id": stops["stop_id"].to_numpy()[np.concatenate([t[2] for t in times])],
                               "stop_sequence": np.concatenate([np.arange(1, len(t[2]) + 1) for t in times])})
    return {
        "agency": pd.DataFrame({"agency_id": ["SYN"], "agency_name": ["SYNTHETIC London buses (not a real timetable)"],
                                "agency_url": ["https://example.org/synthetic"], "agency_timezone": ["Europe/London"]}),
        "feed_info": pd.DataFrame({"feed_publisher_name": ["SYNTHETIC: access bench/synthetic_gtfs.py"],
                                   "feed_publisher_url": ["https://example.org/synthetic"], "feed_lang": ["en"],
                                   "feed_version": [f"SYNTHETIC v{VERSION}, {n_routes} routes, seed {seed}"]}),
        "routes": pd.DataFrame({"route_id": [f"R{r}" for r in range(len(lines))], "agency_id": "SYN",
                                "route_short_name": [f"SYN{r}" for r in range(len(lines))], "route_type": 3}),
        "calendar": pd.DataFrame({"service_id": ["weekday"], "monday": [1], "tuesday": [1], "wednesday": [1],
                                  "thursday": [1], "friday": [1], "saturday": [0], "sunday": [0],
                                  "start_date": ["20240101"], "end_date": ["20241231"]}),
        "trips": pd.DataFrame({"route_id": [t[0] for t in trips], "service_id": "weekday",
                               "trip_id": [t[1] for t in trips]}),
        "stops": stops, "stop_times": stop_times,
    }


def synthetic_feed(n_routes: int = ROUTES, *, folder: Path = GENERATED, quiet: bool = False) -> Path:
    """Return the SYNTHETIC feed of ``n_routes`` routes, writing it if missing."""
    path = folder / f"SYNTHETIC-london-buses-v{VERSION}-{n_routes}-routes.zip"
    if path.is_file():
        return path
    from access import load_study

    began = time.perf_counter()
    tables = build(load_study("london-2017").places.origin_xy, n_routes=n_routes)
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, table in tables.items():
            buffer = io.StringIO()
            table.to_csv(buffer, index=False)
            archive.writestr(f"{name}.txt", buffer.getvalue())
    partial.replace(path)
    if not quiet:
        print(f"wrote {path.name} (SYNTHETIC): {len(tables['stops']):,} stops, {len(tables['routes']):,} routes, "
              f"{len(tables['trips']):,} trips, {len(tables['stop_times']):,} stop times in "
              f"{time.perf_counter() - began:.0f} s")
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routes", type=int, default=ROUTES)
    print(synthetic_feed(parser.parse_args().routes))
