"""The end-to-end run, split by stage, with peak memory; a cold and a warm network cache.

``access run redbridge-2017`` runs offline (no Redbridge street network exists here, so its times
are the straight-line estimate) and ``access run city-of-london`` on the real OSM extract in the
mirror.  Each run is the library path the CLI takes (``Study.run``, the tables, ``write``, the
maps), in its own process with a private network cache: the first run ("cold") starts from an
empty cache, the second ("warm") reuses it, and the notes say whether the network was rebuilt.

Stages: ``import`` (access and its libraries, beyond numpy and pandas), ``load`` (boundaries,
counters, residents), ``network`` (cache or OSM file → CSR arrays), ``snap`` (KD-tree),
``route`` (Dijkstra or the straight-line estimate, without its snapping), ``measure`` (per-origin
table, summary, changes, switches, wards, LSOAs), ``maps`` (folium HTML), ``write`` (CSV, JSON,
GeoPackage).  They are timed by wrapping access's own functions in the child process.  A last row,
``access run (CLI, wall)``, times the real command in a subprocess, with its own peak RSS.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd

from bench.common import frame, in_child

STAGES = ["import", "load", "network", "snap", "route", "measure", "maps", "write"]


def measure_run(study_name: str, offline: bool, out_dir: str, modes: list[str] | None) -> dict[str, Any]:
    """Run one study end to end in this (child) process and time each stage."""
    import logging

    start = time.perf_counter()
    import access.cli  # noqa: F401  (what the command imports)
    import access.routing.network as network_module
    import access.routing.router as router_module
    from access import load_study, write, write_maps

    seconds: dict[str, float] = defaultdict(float)
    seconds["import"] = time.perf_counter() - start
    rebuilds: list[str] = []
    logging.getLogger("access").setLevel(logging.ERROR)

    def timed(stage: str, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds[stage] += time.perf_counter() - began
        return wrapper

    def counted(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            rebuilds.append(function.__name__)
            return function(*args, **kwargs)
        return wrapper

    router_module.get_network = timed("network", router_module.get_network)
    network_module.network_from_osm_file = counted(network_module.network_from_osm_file)
    network_module.graph_from_overpass = counted(network_module.graph_from_overpass)
    network_module.StreetNetwork.snap = timed("snap", network_module.StreetNetwork.snap)
    router_module.network_times = timed("route", router_module.network_times)
    router_module.straight_line_times = timed("route", router_module.straight_line_times)

    study = load_study(study_name)
    began = time.perf_counter()
    _ = study.places
    seconds["load"] = time.perf_counter() - began
    result = study.run(modes=modes, offline=offline)
    seconds["route"] -= seconds["snap"]  # network_times snaps inside; that time is the snap stage's
    began = time.perf_counter()
    _ = (result.origins, result.summary, result.changes, result.switches, result.by_ward(), result.by_lsoa())
    seconds["measure"] = time.perf_counter() - began
    out = Path(out_dir)
    began = time.perf_counter()
    maps = list(write_maps(result, out).values())
    seconds["maps"] = time.perf_counter() - began
    began = time.perf_counter()
    write(result, out, maps=False)
    seconds["write"] = time.perf_counter() - began
    largest_map = max(path.stat().st_size for path in maps) / 1e6
    return {"stages": dict(seconds), "rebuilds": rebuilds, "models": result.models,
            "n_origins": len(result.origins), "n_counters": len(study.places.counters),
            "largest_map_mb": largest_map}


def cli_run(arguments: list[str], cache_dir: str) -> dict[str, Any]:
    """Wall time and peak RSS of ``access <arguments>`` run as a subprocess."""
    command = [str(Path(sys.executable).parent / "access"), *arguments]
    env = {**os.environ, "ACCESS_CACHE_DIR": cache_dir}
    began = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - began
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode(errors="replace").strip().splitlines()[-1:] if process.returncode else []
    return {"seconds": wall, "peak_mb": usage.ru_maxrss / 1024, "error": error[0] if error else None}


def plan(quick: bool) -> list[tuple[str, bool, list[str] | None, str]]:
    """(study, offline, modes, label) to run, each cold then warm."""
    if quick:
        return [("city-of-london", False, ["walk"], "city-of-london, walk only (real OSM)")]
    return [("redbridge-2017", True, None, "redbridge-2017 (offline: straight-line estimate)"),
            ("city-of-london", False, None, "city-of-london (real OSM extract)")]


def run(quick: bool = False) -> pd.DataFrame:
    """Each study cold and warm, stage by stage, then the CLI command cold and warm."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="access-bench-") as tmp:
        for study_name, offline, modes, label in plan(quick):
            cache = str(Path(tmp) / f"cache-{study_name}")
            for warmth in ("cold", "warm"):
                case = f"{label}, {warmth} cache"
                out = str(Path(tmp) / f"out-{study_name}-{warmth}")
                result = in_child(measure_run, study_name, offline, out, modes, env={"ACCESS_CACHE_DIR": cache})
                base = {"benchmark": "end to end", "case": case}
                if "error" in result:
                    rows.append({**base, "method": "total", "notes": f"failed: {result['error']}"})
                    continue
                sizes = {"n_origins": result["n_origins"], "n_counters": result["n_counters"],
                         "peak_mb": result["peak_mb"]}
                for stage in STAGES:
                    rows.append({**base, "method": stage, "seconds": result["stages"].get(stage, 0.0), **sizes})
                rebuilt = (f"network built from the OSM data ({len(result['rebuilds'])} mode(s))"
                           if result["rebuilds"] else "no network rebuilt")
                models = ", ".join(f"{mode}: {model}" for mode, model in result["models"].items())
                rows.append({**base, "method": "total", "seconds": sum(result["stages"].values()), **sizes,
                             "notes": f"{rebuilt}; largest map {result['largest_map_mb']:.2f} MB; {models}"})
            if quick:
                continue
            cli_cache = str(Path(tmp) / f"cli-cache-{study_name}")
            for warmth in ("cold", "warm"):
                arguments = ["run", study_name, "--out", str(Path(tmp) / f"cli-{study_name}")]
                arguments += ["--offline"] if offline else []
                result = cli_run(arguments, cli_cache)
                rows.append({"benchmark": "end to end", "case": f"{label}, {warmth} cache",
                             "method": "access run (CLI, wall)", "seconds": result["seconds"],
                             "peak_mb": result["peak_mb"],
                             "notes": f"failed: {result['error']}" if result["error"] else "maps included"})
    return frame(rows)
