"""Public transport at London's size: a SYNTHETIC bus feed, London's 77 counters and 180,754 postcodes.

No real London feed is available here: every case routes on the SYNTHETIC feed of
:mod:`bench.synthetic_gtfs` (London-sized: about 18,000 stops, 700 routes, 2.4 million stop times on
a weekday, laid on real postcodes), with the straight-line estimate for walks (800 m at most to,
from and between stops), a 60-minute window from 08:00 and the median.  Three benchmarks:

- ``transit: London-wide``: :func:`access.routing.transit.transit_times` for the london-2017 study's
  77 counters and 180,754 postcodes on the whole feed; the feed's reading (gtfs-kit, then the
  timetable of the date) is timed apart, and the total is the target (under 10 minutes, under 8 GB).
- ``transit: against the brute force``: the same router and the tests' brute force (a time-expanded
  graph and scipy's Dijkstra, ``tests/transit_brute.py``) on a part both can finish: the feed cut to
  a 4 km square of central London, its counters and 40 of its postcodes, ten departure minutes;
  the answers must be equal, and the ratio is the router's time ÷ the brute force's.
- ``transit: scaling``: time against the feed's size (88 to 700 SYNTHETIC routes, 20,000 postcodes)
  and against the number of postcodes (the whole feed).
- ``transit: timetable cache``: a study's second run takes the date's timetable from the cache
  (:func:`access.inputs.gtfs.cached_timetable`, keyed by the feed's hash, the date and the span) instead
  of reading the feed again; the ratio is the cached load ÷ the first reading (read, then cached).

Each case runs in its own process; ``peak_mb`` is its peak RSS.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench.common import frame, in_child
from bench.synthetic_gtfs import ROUTES, SERVICE_DATE, synthetic_feed

ROOT = Path(__file__).resolve().parents[1]
WINDOW = ("08:00", "09:00")
ROUTER = "access transit_times (2 threads)"
BRUTE = "brute force: time-expanded graph + scipy Dijkstra"
SQUARE = (529_000.0, 179_000.0, 533_000.0, 183_000.0)
"""The brute force's part of London: a 4 km square around the City and Holborn (EPSG:27700)."""


def _places():
    from access import load_study

    return load_study("london-2017").places


def london(n_routes: int, origin_counts: list[int]) -> dict[str, Any]:
    """Read the SYNTHETIC feed of ``n_routes`` routes once, then route 77 counters for each count of postcodes."""
    from access.inputs.gtfs import parse_clock, timetable
    from access.routing.transit import transit_times

    places = _places()
    path = synthetic_feed(n_routes, quiet=True)
    began = time.perf_counter()
    table = timetable([path], SERVICE_DATE, start_s=parse_clock(WINDOW[0]), end_s=parse_clock("11:00"))
    read_s = time.perf_counter() - began
    runs = []
    for n in origin_counts:
        began = time.perf_counter()
        times = transit_times(table, places.counter_xy, places.origin_xy[:n], crs="EPSG:27700", date=SERVICE_DATE,
                              window=WINDOW, workers=2)
        minutes = times.minutes(50)
        runs.append({"n_origins": n, "seconds": time.perf_counter() - began,
                     "reached": float(np.isfinite(minutes).mean()),
                     "nearest_median": float(np.median(minutes.min(axis=0)))})
    return {"read_s": read_s, "runs": runs, "n_stop_times": table.n_stop_times, "n_runs": table.n_runs,
            "n_stops": int(len(np.unique(table.stop))), "describe": table.describe()}


def cache(n_routes: int) -> dict[str, Any]:
    """Read the SYNTHETIC feed's timetable through the cache twice, in a fresh cache folder: read, then loaded."""
    import os
    import tempfile

    from access.inputs.gtfs import cached_timetable, parse_clock

    path = synthetic_feed(n_routes, quiet=True)
    with tempfile.TemporaryDirectory(prefix="access-bench-cache-") as folder:
        os.environ["ACCESS_CACHE_DIR"] = folder
        seconds = []
        for _ in range(2):
            began = time.perf_counter()
            table = cached_timetable([path], SERVICE_DATE, start_s=parse_clock(WINDOW[0]), end_s=parse_clock("11:00"))
            seconds.append(time.perf_counter() - began)
        size = sum(p.stat().st_size for p in Path(folder).rglob("*.npz"))
    return {"first_s": seconds[0], "second_s": seconds[1], "describe": table.describe(), "cache_mb": size / 1e6}


def _cut(table, keep_stop: np.ndarray):
    """Return the timetable with only the stops in ``keep_stop`` (each run keeps its calls there, in order)."""
    from dataclasses import replace

    calls = keep_stop[table.stop]
    run_of = np.repeat(np.arange(table.n_runs), np.diff(table.run_start))[calls]
    counts = np.bincount(run_of, minlength=table.n_runs)
    runs = np.flatnonzero(counts >= 2)
    calls &= np.isin(np.repeat(np.arange(table.n_runs), np.diff(table.run_start)), runs)
    new_index = np.cumsum(keep_stop) - 1
    return replace(table, stop_id=table.stop_id[keep_stop], stop_lon=table.stop_lon[keep_stop],
                   stop_lat=table.stop_lat[keep_stop], run_id=table.run_id[runs],
                   run_start=np.r_[0, np.cumsum(counts[runs])].astype(np.int64), stop=new_index[table.stop[calls]],
                   arrival=table.arrival[calls], departure=table.departure[calls], pickup=table.pickup[calls],
                   dropoff=table.dropoff[calls])


def against_brute_force(method: str, quick: bool) -> dict[str, Any]:
    """Route the central square by ``method`` (router or brute force); return its time and answer."""
    import pyproj

    from access.inputs.calibrations import DEFAULT_CALIBRATION, get_calibration
    from access.inputs.gtfs import parse_clock, timetable
    from access.routing.transit import transit_times

    sys.path.insert(0, str(ROOT / "tests"))
    from transit_brute import brute_force, straight_walks

    places = _places()
    west, south, east, north = SQUARE

    def inside(xy: np.ndarray) -> np.ndarray:
        return (xy[:, 0] >= west) & (xy[:, 0] <= east) & (xy[:, 1] >= south) & (xy[:, 1] <= north)

    counters = places.counter_xy[inside(places.counter_xy)]
    rng = np.random.default_rng(0)
    candidates = np.flatnonzero(inside(places.origin_xy))
    origins = places.origin_xy[rng.choice(candidates, 10 if quick else 40, replace=False)]
    start, n_minutes, max_minutes = parse_clock("08:00"), 5 if quick else 10, 45
    full = timetable([synthetic_feed(88 if quick else ROUTES, quiet=True)], SERVICE_DATE, start_s=start,
                     end_s=start + 60 * n_minutes + 60 * max_minutes)
    x, y = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True).transform(full.stop_lon,
                                                                                          full.stop_lat)
    stop_xy = np.column_stack([x, y])
    table = _cut(full, inside(stop_xy))
    began = time.perf_counter()
    if method == ROUTER:
        answer = transit_times(table, counters, origins, crs="EPSG:27700", date=SERVICE_DATE, window=(
            start, start + 60 * n_minutes), percentiles=tuple(range(1, 101)), max_minutes=max_minutes,
            workers=2).seconds.astype(float)
        answer[answer >= 2**62] = np.inf
    else:
        per_minute = brute_force(table, stop_xy[inside(stop_xy)], counters, origins,
                                 straight_walks(get_calibration(DEFAULT_CALIBRATION, "walk")), window_start=start,
                                 n_minutes=n_minutes, walk_speed_kmh=4.8, max_walk_m=800.0, max_transfer_m=800.0,
                                 max_minutes=max_minutes, slack=60)
        ordered = np.sort(per_minute, axis=2)
        ranks = [max(0, -(-p * n_minutes // 100) - 1) for p in range(1, 101)]
        answer = np.moveaxis(ordered[:, :, ranks], 2, 0)
    seconds = time.perf_counter() - began
    return {"seconds": seconds, "answer": answer.tolist(), "n_counters": len(counters), "n_origins": len(origins),
            "n_stop_times": table.n_stop_times, "n_minutes": n_minutes}


def run(quick: bool = False) -> pd.DataFrame:
    """Every transit case (the SYNTHETIC feeds are written first if missing)."""
    rows: list[dict[str, Any]] = []
    sizes = [88] if quick else [88, 175, 350, ROUTES]
    for n_routes in sizes:
        synthetic_feed(n_routes, quiet=True)
    answers = {}
    for method in (BRUTE, ROUTER):
        result = in_child(against_brute_force, method, quick, timeout_s=3600)
        case = "SYNTHETIC feed cut to a 4 km square of central London, ten departure minutes"
        row = {"benchmark": "transit: against the brute force", "case": case, "method": method, "baseline": BRUTE}
        if "error" in result:
            rows.append({**row, "notes": f"failed: {result['error']}"})
            continue
        answers[method] = np.array(result["answer"])
        rows.append({**row, "seconds": result["seconds"], "peak_mb": result["peak_mb"],
                     "n_counters": result["n_counters"], "n_origins": result["n_origins"],
                     "notes": f"{result['n_stop_times']:,} stop times; {result['n_minutes']} minutes; percentiles "
                              f"1–100 (every rank)"})
    if len(answers) == 2:
        same = bool(np.array_equal(answers[BRUTE], answers[ROUTER]))
        rows[-1]["notes"] += f"; answers equal to the brute force's, to the second: {'yes' if same else 'NO'}"
    origin_counts = [2_000] if quick else [20_000, 60_000, 180_754]
    for n_routes in sizes:
        counts = origin_counts if n_routes == sizes[-1] else origin_counts[:1]
        result = in_child(london, n_routes, counts, timeout_s=3600, max_rss_mb=14_000)
        label = f"SYNTHETIC London buses, {n_routes} routes"
        if "error" in result:
            rows.append({"benchmark": "transit: scaling", "case": label, "method": ROUTER,
                         "notes": f"failed: {result['error']}"})
            continue
        size = (f"{result['n_stop_times']:,} stop times ({result['n_runs']:,} runs) between 08:00 and 11:00, "
                f"{result['n_stops']:,} stops called at")
        for item in result["runs"]:
            rows.append({"benchmark": "transit: scaling", "case": f"{label}: {item['n_origins']:,} postcodes",
                         "method": ROUTER, "seconds": item["seconds"], "n_counters": 77,
                         "n_origins": item["n_origins"], "n_nodes": result["n_stop_times"],
                         "notes": f"{size}; read {result['read_s']:.0f} s apart; "
                                  f"{item['reached']:.0%} of pairs reached"})
        if n_routes == sizes[-1]:
            whole = result["runs"][-1]
            rows.append({"benchmark": "transit: London-wide", "case": f"{label}, london-2017's 77 counters and "
                                                                    f"{whole['n_origins']:,} postcodes, 08:00–09:00",
                         "method": "read the feed and make the timetable (gtfs-kit)", "seconds": result["read_s"],
                         "notes": result["describe"]})
            rows.append({"benchmark": "transit: London-wide", "case": rows[-1]["case"], "method": ROUTER,
                         "seconds": whole["seconds"], "n_counters": 77, "n_origins": whole["n_origins"],
                         "notes": f"walks, profiles and medians; {whole['reached']:.0%} of pairs reached; median "
                                  f"of the nearest counter {whole['nearest_median']:.1f} min (SYNTHETIC)"})
            rows.append({"benchmark": "transit: London-wide", "case": rows[-1]["case"], "method": "total",
                         "seconds": result["read_s"] + whole["seconds"], "peak_mb": result["peak_mb"],
                         "n_counters": 77, "n_origins": whole["n_origins"],
                         "notes": "read + route, one process (peak RSS of the whole process)"})
    result = in_child(cache, sizes[-1], timeout_s=3600)
    case = f"SYNTHETIC London buses, {sizes[-1]} routes: the timetable of 08:00–11:00"
    first = "first run: read the feed (gtfs-kit), make the timetable, cache it"
    if "error" in result:
        rows.append({"benchmark": "transit: timetable cache", "case": case, "method": first,
                     "notes": f"failed: {result['error']}"})
    else:
        rows.append({"benchmark": "transit: timetable cache", "case": case, "method": first,
                     "seconds": result["first_s"], "notes": result["describe"]})
        rows.append({"benchmark": "transit: timetable cache", "case": case, "method": "second run: from the cache",
                     "seconds": result["second_s"], "peak_mb": result["peak_mb"], "baseline": first,
                     "notes": f"cache file {result['cache_mb']:.0f} MB"})
    return frame(rows)


if __name__ == "__main__":
    with pd.option_context("display.width", 250, "display.max_columns", 20, "display.max_colwidth", 90):
        print(run(quick="--quick" in sys.argv).drop(columns=["benchmark"]))
