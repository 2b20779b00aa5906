"""Hostile input and faults: one clear line and exit 2, or a correct result.

Never a traceback, a quiet wrong number, a write outside the output folder, or a blow-up.  Every case runs the real command line in a subprocess, in a sandbox: a study folder (a copy of the Redbridge
study, its counter table beside it), a working folder, and an output folder that already holds a previous set
of outputs.  A case that must fail checks the exit code, that stderr is exactly one line naming the bad value
and no traceback, that the previous outputs are byte for byte as they were, and that no file appeared anywhere
in the sandbox.  Where the library has the same way in, the case runs there too and checks the error's class:
an :class:`access.AccessError` that is also the fitting built-in.

The classes (see the issue this suite answers): silent wrong figures (periods named like columns, closed
timetables, CRSs that are not local metres, NaN numbers, damaged caches); writes outside the output folder
(names and paths); resource blow-ups; tracebacks (bad CSV and TOML files, bad arguments, settings, Overpass
faults, a folder where a file goes); terminal text read as markup or not encodable; library traps.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import access
from access.analysis.timeofday import week_mask
from access.inputs.config import load_config
from access.inputs.hours import available, parse_hours

REPO = Path(__file__).resolve().parents[1]
BASE = load_config("redbridge-2017")
STUDY_TEXT = BASE.source.read_text(encoding="utf-8").replace('"../counters/redbridge-2017.csv"', '"counters.csv"')
COUNTERS_TEXT = BASE.counters_table.read_text(encoding="utf-8")
PREVIOUS = {"summary.json": b'{"previous": true}\n', "walk.html": b"<p>previous map</p>\n",
            "hours.csv": b"previous,hours\n", "sub/kept.csv": b"a file the user keeps\n"}


@dataclass
class Sandbox:
    root: Path

    @property
    def study(self) -> Path:
        return self.root / "study" / "study.toml"

    @property
    def counters(self) -> Path:
        return self.root / "study" / "counters.csv"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def work(self) -> Path:
        return self.root / "work"


def make_sandbox(root: Path) -> Sandbox:
    box = Sandbox(root)
    box.study.parent.mkdir(parents=True)
    box.study.write_text(STUDY_TEXT, encoding="utf-8")
    box.counters.write_text(COUNTERS_TEXT, encoding="utf-8")
    box.work.mkdir()
    for name, data in PREVIOUS.items():
        (box.out / name).parent.mkdir(parents=True, exist_ok=True)
        (box.out / name).write_bytes(data)
    return box


def snapshot(root: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(root.rglob("*")) if "cache" not in p.relative_to(root).parts}


def run_cli(box: Sandbox, args: list[str], env: dict[str, str] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "COLUMNS": "120", "ACCESS_CACHE_DIR": str(box.root / "cache"),
            "ACCESS_OVERPASS_URL": "http://127.0.0.1:9/api", **(env or {})}
    args = [a.format(study=box.study, out=box.out, root=box.root) for a in args]
    return subprocess.run([sys.executable, "-m", "access", *args], capture_output=True, text=True, cwd=box.work,
                          env=full, timeout=timeout)


# --------------------------------------------------------------------------- the cases

def toml(old: str, new: str) -> Callable[[Sandbox], None]:
    def edit(box: Sandbox) -> None:
        text = box.study.read_text(encoding="utf-8")
        assert old in text, old
        box.study.write_text(text.replace(old, new, 1), encoding="utf-8")
    return edit


def study_bytes(data: bytes) -> Callable[[Sandbox], None]:
    return lambda box: box.study.write_bytes(data)


def counters(edit: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[Sandbox], None]:
    def apply(box: Sandbox) -> None:
        table = pd.read_csv(box.counters, dtype=str, keep_default_na=False)
        edit(table).to_csv(box.counters, index=False)
    return apply


def counters_bytes(data: bytes) -> Callable[[Sandbox], None]:
    return lambda box: box.counters.write_bytes(data)


def cell(counter: str, column: str, value: str) -> Callable[[Sandbox], None]:
    def edit(table: pd.DataFrame) -> pd.DataFrame:
        table.loc[table["id"] == counter, column] = value
        return table
    return counters(edit)


def swapped(counter: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def edit(table: pd.DataFrame) -> pd.DataFrame:
        row = table["id"] == counter
        table.loc[row, ["lon", "lat"]] = table.loc[row, ["lat", "lon"]].to_numpy()
        return table
    return edit


def a_file_at(relative: str) -> Callable[[Sandbox], None]:
    def make(box: Sandbox) -> None:
        (box.root / relative).parent.mkdir(parents=True, exist_ok=True)
        (box.root / relative).write_text("a file, not a folder")
    return make


RUN = ["run", "{study}", "-m", "walk", "--offline", "--no-maps", "--out", "{out}"]
WHATIF = ["-m", "walk", "--offline", "--out", "{out}"]


@dataclass
class Case:
    id: str
    args: list[str]
    message: str  # a regular expression the one stderr line must match
    setup: tuple[Callable[[Sandbox], None], ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    library: Callable[[Sandbox], object] | None = None  # the same input through the library
    error: tuple[type[BaseException], ...] = (access.AccessError,)
    code: int = 2


def _load(box: Sandbox) -> object:
    return access.load_study(box.study).places


def _run(box: Sandbox) -> object:
    return access.load_study(box.study).run(modes="walk", offline=True).summary


STUDY_CASES = [
    Case("toml-not-utf8", RUN, "not UTF-8", (study_bytes('title = "Caf\xe9"\n'.encode("latin-1")),),
         library=_load, error=(access.StudyError, ValueError)),
    Case("toml-malformed", RUN, "not valid TOML", (toml("[periods]", "[periods"),), library=_load),
    Case("toml-unknown-key", RUN, r"unknown key 'bufer_m' in \[area\]", (toml("buffer_m", "bufer_m"),),
         library=_load),
    Case("toml-wrong-type", RUN, "'buffer_m' has value 'far'", (toml("buffer_m = 3000", 'buffer_m = "far"'),)),
    Case("toml-empty", RUN, "missing the required key 'name'", (study_bytes(b""),)),
    Case("name-parent", RUN, r"name '\.\./\.\./x' is not a plain name",
         (toml('name = "redbridge-2017"', 'name = "../../x"'),), library=_load),
    Case("name-absolute", RUN, "name '/tmp/x' is not a plain name", (toml('name = "redbridge-2017"', 'name = "/tmp/x"'),)),
    Case("name-empty", RUN, "name '' is not a plain name", (toml('name = "redbridge-2017"', 'name = ""'),)),
    Case("name-markup", RUN, r"name '\[bold\]x\[/\]' is not a plain name",
         (toml('name = "redbridge-2017"', 'name = "[bold]x[/]"'),)),
    Case("crs-geographic", RUN, "EPSG:4326.*not a projected CRS in metres", (toml("EPSG:27700", "EPSG:4326"),),
         library=_load, error=(access.StudyError, ValueError)),
    Case("crs-web-mercator", RUN, "EPSG:3857.*stretches distances in Redbridge by 61", (toml("EPSG:27700", "EPSG:3857"),),
         library=_load),
    Case("crs-feet", RUN, "EPSG:2272.*not a projected CRS in metres", (toml("EPSG:27700", "EPSG:2272"),)),
    Case("crs-garbage", RUN, "crs = 'garbage' is not a coordinate reference system", (toml("EPSG:27700", "garbage"),),
         library=_load),
    Case("buffer-nan", RUN, "buffer_m = nan", (toml("buffer_m = 3000", "buffer_m = nan"),), library=_load),
    Case("buffer-inf", RUN, "buffer_m = inf", (toml("buffer_m = 3000", "buffer_m = inf"),)),
    Case("buffer-negative", RUN, r"buffer_m = -5\.0", (toml("buffer_m = 3000", "buffer_m = -5"),)),
    Case("counter-max-nan", RUN, "counter_max_m = nan", (toml("buffer_m = 3000", "buffer_m = 3000\ncounter_max_m = nan"),),
         library=_load),
    Case("max-snap-nan", RUN, "max_snap_m = nan", (toml("max_snap_m = 500", "max_snap_m = nan"),), library=_load),
    Case("max-snap-zero", RUN, r"max_snap_m = 0\.0", (toml("max_snap_m = 500", "max_snap_m = 0"),)),
    Case("period-named-change", RUN, "period 'change' has the name of a column",
         (toml('after = "2018_2025"', 'after = "change"'), cell("ilford", "2018_2025", "24/7")), library=_load),
    Case("period-named-lat", RUN, "period 'lat' has the name of a column", (toml('before = "2013_2017"', 'before = "lat"'),)),
    Case("period-path", RUN, r"period '\.\./x' is not a plain name", (toml('before = "2013_2017"', 'before = "../x"'),)),
    Case("period-twice", RUN, "names a period twice", (toml('before = "2013_2017"', 'before = "2018_2025"'),)),
    Case("period-missing-column", RUN, "lacks column.*until_2013", (counters(lambda t: t.drop(columns="until_2013")),),
         library=_load, error=(access.DataError, ValueError)),
    Case("mode-unknown", RUN[:2] + ["--offline", "--out", "{out}"], "unknown mode 'hover'",
         (toml('use = ["walk", "cycle", "drive"]', 'use = ["walk", "hover"]'),)),
    Case("mode-number", RUN, "'use' has value 3", (toml('use = ["walk", "cycle", "drive"]', "use = 3"),)),
    Case("borough-unknown", RUN, "unknown borough 'Atlantis'",
         (toml('boroughs = ["Redbridge"]', 'boroughs = ["Atlantis"]'),), library=_load),
    Case("borough-word", RUN, "unknown borough 'everywhere'",
         (toml('boroughs = ["Redbridge"]', 'boroughs = "everywhere"'),)),
    Case("wards-postcodes", RUN, "wards = 'postcodes' is not a ward-boundary file",
         (toml('wards = "redbridge_wards"', 'wards = "postcodes"'),), library=_load),
    Case("wards-unknown", RUN, "wards = 'nowhere' is not a ward-boundary file",
         (toml('wards = "redbridge_wards"', 'wards = "nowhere"'),)),
    Case("table-escapes", RUN, "leads outside the study's folder",
         (toml('table = "counters.csv"', 'table = "../../../../etc/passwd"'),), library=_load),
    Case("table-absolute-not-csv", RUN, "is not a .csv file", (toml('table = "counters.csv"', 'table = "/etc/passwd"'),)),
    Case("table-missing", RUN, "'nothere.csv' is not a file", (toml('table = "counters.csv"', 'table = "nothere.csv"'),)),
    Case("table-is-a-folder", RUN, "'sub' is not a file", (toml('table = "counters.csv"', 'table = "sub"'),
                                                           lambda box: (box.study.parent / "sub").mkdir())),
    Case("table-and-source", RUN, "exactly one of 'table'",
         (toml('table = "counters.csv"', 'table = "counters.csv"\nsource = "london-met"'),)),
    Case("source-unknown", RUN, "source 'nowhere' is unknown", (toml('table = "counters.csv"', 'source = "nowhere"'),)),
    Case("osm-file-missing", RUN, r"osm_file 'none\.pbf' is not a file",
         (toml("[network]", '[network]\nosm_file = "none.pbf"'),), library=_load),
    Case("osm-file-escapes", RUN, "leads outside the study's folder",
         (toml("[network]", '[network]\nosm_file = "../../../x.pbf"'),)),
    Case("drive-park-nan", RUN, r"\[drive\]: park_min = nan must be a number from 0 to 30",
         (toml("[network]", '[drive]\npark_min = nan\n\n[network]'),), library=_load),
    Case("drive-speed-class-unknown", RUN, r"\[drive\]: speeds_kmh has unknown road class 'a_road'",
         (toml("[network]", '[drive]\nspeeds_kmh = { a_road = 40 }\n\n[network]'),)),
    Case("drive-profile-short", RUN, r"\[drive\]: weekday must be a list of 24 numbers",
         (toml("[network]", '[drive]\nweekday = [1.0, 0.5]\n\n[network]'),)),
    Case("walk-older-text", RUN, r"\[walk\]: older = 'yes' must be true or false",
         (toml("[network]", '[walk]\nolder = "yes"\n\n[network]'),)),
    Case("toml-scenario-name-path", RUN, r"scenario name '\.\./up' is not a plain name",
         (toml("[scenarios.gants-hill]", '[scenarios."../up"]'),)),
    Case("scenario-base-unknown", RUN, "base '2030' is not a period", (toml('base = "from_2026"', 'base = "2030"'),)),
    Case("scenario-at-garbage", RUN, "'Caturday' is not a day", (toml('at = "Sat 23:30"', 'at = "Caturday 10:00"'),)),
    Case("scenario-lat-nan", RUN, "lat nan, lon 0.0661 is not a place",
         (toml("lat = 51.5765, lon = 0.0661", "lat = nan, lon = 0.0661"),)),
    Case("toml-scenario-hours-bad", RUN, "hours of 'barkingside'",
         (toml('barkingside = "Mo-Fr 07:00-23:00"', 'barkingside = "Mo-Fr 07:00-25:00"'),)),
    Case("title-control-character", RUN, "control character", (toml('title = "', 'title = "\\u001b[2J'),)),
    Case("nothing-open-before-or-after", RUN, "no counter is available in period '2013_2017'",
         (counters(lambda t: t.assign(**{"2013_2017": "off"})),), library=_load, error=(access.StudyError, ValueError)),
    Case("closed-timetables-before", RUN, "no counter is available in period '2013_2017'",
         (counters(lambda t: t.assign(**{"2013_2017": "Mo-Su off"})),)),
]

CSV_CASES = [
    Case("csv-empty", RUN, "counters.csv is empty", (counters_bytes(b""),), library=_load,
         error=(access.DataError, ValueError)),
    Case("csv-blank-lines", RUN, "counters.csv is empty", (counters_bytes(b"\n\n  \n"),)),
    Case("csv-header-only", RUN, "has a header but no counters", (counters_bytes(COUNTERS_TEXT.splitlines()[0].encode()),),
         library=_load),
    Case("csv-unterminated-quote", RUN, "not well-formed CSV",
         (counters_bytes(COUNTERS_TEXT.encode() + b'x,"an open quote,0.08,51.56\n'),), library=_load),
    Case("csv-not-utf8", RUN, "counters.csv is not UTF-8", (counters_bytes("id,name\n\xe9,x\n".encode("latin-1")),),
         library=_load),
    Case("csv-unnamed-column", RUN, "a column without a name",
         (counters_bytes(COUNTERS_TEXT.replace("id,name", ",name", 1).encode()),)),
    Case("csv-no-lat", RUN, "no coordinates; give lon and lat", (counters(lambda t: t.drop(columns=["lat", "postcode"])),)),
    Case("csv-unknown-postcode", RUN, "postcode.*ZZ9 9ZZ.*ilford.*not live", (cell("ilford", "lat", ""), cell("ilford", "lon", ""), cell("ilford", "postcode", "ZZ9 9ZZ")), library=_load),
    Case("csv-x-y-without-crs", RUN, "x and y columns but the study gives no \\[counters\\] crs", (counters(lambda t: t.rename(columns={"lon": "x", "lat": "y"}).drop(columns="postcode")),)),
    Case("csv-blank-id", RUN, "have no id", (cell("ilford", "id", ""),)),
    Case("csv-duplicate-id", RUN, "ilford appear more than once", (cell("barkingside", "id", "ilford"),)),
    Case("csv-lat-nan", RUN, "lat of ilford is not a number", (cell("ilford", "lat", "nan"),), library=_load),
    Case("csv-lat-text", RUN, "lat of ilford is not a number", (cell("ilford", "lat", "north"),)),
    Case("csv-lat-inf", RUN, "lat of ilford is not a number", (cell("ilford", "lat", "inf"),)),
    Case("csv-swapped", RUN, "ilford look swapped", (counters(swapped("ilford")),), library=_load),
    Case("csv-far-away", RUN, "more than 10000 m from Redbridge", (cell("ilford", "lat", "53.0"),), library=_load),
    Case("csv-hours-garbage", RUN, "counter 'ilford', period '2013_2017'.*'sometimes'",
         (cell("ilford", "2013_2017", "sometimes"),), library=_load, error=(access.HoursError, ValueError)),
    Case("csv-hours-bad-time", RUN, "'Mo-Fr 25:00-26:00'", (cell("ilford", "2013_2017", "Mo-Fr 25:00-26:00"),)),
    Case("csv-hours-markup", RUN, r"\[bold\]24/7\[/\]", (cell("ilford", "2013_2017", "[bold]24/7[/]"),)),
    Case("csv-too-large", RUN, "is 2[0-9],[0-9]{3},[0-9]{3} bytes",
         (counters_bytes(COUNTERS_TEXT.encode() + b"#" * 21_000_000),)),
]

def travel_table(text: str, name: str = "transit") -> Callable[[Sandbox], None]:
    """Give the study a mode imported from a travel-time table, ``text`` its CSV."""
    def setup(box: Sandbox) -> None:
        (box.study.parent / f"{name}.csv").write_text(text, encoding="utf-8")
        box.study.write_text(box.study.read_text(encoding="utf-8") + f'\n[travel_times.{name}]\ntable = "{name}.csv"\n'
                             f'label = "by bus"\nnote = "a hostile table"\n', encoding="utf-8")
    return setup


IMPORT = ["run", "{study}", "-m", "transit", "--offline", "--no-maps", "--out", "{out}"]
IMPORT_CASES = [
    Case("import-no-travel-time", IMPORT, "lacks column\\(s\\) travel_time",
         (travel_table("from_id,to_id,minutes\nIG1 1GT,ilford,3\n"),)),
    Case("import-negative", IMPORT, "travel_time '-3(\\.0)?' .*not a number of minutes",
         (travel_table("from_id,to_id,travel_time\nIG1 1GT,ilford,-3\n"),)),
    Case("import-text-time", IMPORT, "travel_time 'soon'", (travel_table("from_id,to_id,travel_time\nIG1 1GT,ilford,soon\n"),)),
    Case("import-inf", IMPORT, "travel_time 'inf'", (travel_table("from_id,to_id,travel_time\nIG1 1GT,ilford,inf\n"),)),
    Case("import-pair-twice", IMPORT, "IG1 1GT → ilford appears more than once",
         (travel_table("from_id,to_id,travel_time\nIG1 1GT,ilford,3\nIG1 1GT,ilford,4\n"),)),
    Case("import-blank-id", IMPORT, "row 2 has no from_id", (travel_table("from_id,to_id,travel_time\nIG1 1GT,ilford,3\n,ilford,4\n"),)),
    Case("import-unknown-counter", IMPORT, "counter\\(s\\) atlantis that the study does not have",
         (travel_table("from_id,to_id,travel_time\nIG1 1GT,atlantis,3\n"),)),
    Case("import-unknown-origin", IMPORT, "1 origin\\(s\\) the study does not have \\(ZZ9 9ZZ",
         (travel_table("from_id,to_id,travel_time\nZZ9 9ZZ,ilford,3\n"),)),
    Case("import-not-csv", IMPORT, "travel-time table .*transit.csv cannot be read|lacks column",
         (travel_table("\x00\x01\x02"),)),
    Case("import-named-walk", IMPORT, "'walk' is a mode access routes itself",
         (travel_table("from_id,to_id,travel_time\nIG1 1GT,ilford,3\n", name="walk"),)),
    Case("import-missing-file", IMPORT, "table 'gone.csv' is not a file",
         (toml("[modes]", '[travel_times.transit]\ntable = "gone.csv"\n\n[modes]'),)),
]

ARG_CASES = [
    Case("study-unknown", ["run", "atlantis", "--offline"], "unknown study 'atlantis'",
         library=lambda box: access.load_study("atlantis"), error=(access.StudyError, ValueError)),
    Case("study-markup", ["run", "[/]", "--offline"], r"study file '\[/\]' does not exist"),
    Case("study-file-missing", ["run", "{root}/nowhere.toml"], "study file .*nowhere.toml' does not exist"),
    Case("mode-unknown-option", ["run", "{study}", "-m", "hover", "--offline", "--out", "{out}"],
         "unknown mode 'hover'", library=lambda box: access.load_study(box.study).run(modes="hover", offline=True)),
    Case("osm-file-option-missing", ["run", "{study}", "-m", "walk", "--osm-file", "{root}/none.pbf", "--out", "{out}"],
         "none.pbf' does not exist",
         library=lambda box: access.load_study(box.study).run(modes="walk", osm_file=box.root / "none.pbf"),
         error=(access.NetworkFileMissing, FileNotFoundError)),
    Case("osm-file-not-osm", ["run", "{study}", "-m", "walk", "--osm-file", "{study}", "--out", "{out}"],
         "cannot read OSM file"),
    Case("out-is-a-file", ["run", "{study}", "-m", "walk", "--offline", "--out", "{root}/afile"],
         "afile' is a file, not a folder", (a_file_at("afile"),)),
    Case("out-under-a-file", ["run", "{study}", "-m", "walk", "--offline", "--out", "{root}/afile/out"],
         "cannot create output folder", (a_file_at("afile"),)),
    Case("usage-unknown-option", ["run", "{study}", "--bogus"], r"No such option: --bogus.*; see '.*access run --help'"),
    Case("usage-no-such-command", ["frobnicate"], "No such command 'frobnicate'"),
    Case("scenario-close-unknown", ["scenario", "{study}", "--close", "hainault", *WHATIF],
         "unknown counter id 'hainault'",
         library=lambda box: access.build_board(access.load_study(box.study),
                                                [access.Scenario("x", "2018_2025", close="hainault")]),
         error=(access.ScenarioError, ValueError)),
    Case("scenario-close-markup", ["scenario", "{study}", "--close", "[/]", *WHATIF], r"unknown counter id '\[/\]'"),
    Case("scenario-open-bad", ["scenario", "{study}", "--open", "X=151,0.06", *WHATIF], "lat 151.0"),
    Case("scenario-open-nan", ["scenario", "{study}", "--open", "X=nan,0.06", *WHATIF], "neither LAT,LON nor a postcode"),
    Case("scenario-open-postcode", ["scenario", "{study}", "--open", "X=ZZ9 9ZZ", *WHATIF], "'ZZ9 9ZZ' is not a live"),
    Case("scenario-open-far", ["scenario", "{study}", "--open", "X=0.0661,51.5765", *WHATIF], "not swapped"),
    Case("scenario-hours-bad", ["scenario", "{study}", "--hours", "ilford=sometimes", *WHATIF], "'sometimes'"),
    Case("scenario-hours-shape", ["scenario", "{study}", "--hours", "ilford", *WHATIF], "write ID=HOURS"),
    Case("scenario-at-bad", ["scenario", "{study}", "--at", "Sat 24:00", *WHATIF], "not a time of day"),
    Case("scenario-at-markup", ["scenario", "{study}", "--at", "[/]", *WHATIF], r"moment '\[/\]' not understood"),
    Case("scenario-from-unknown", ["scenario", "{study}", "--from", "2030", *WHATIF], "unknown period '2030'"),
    Case("scenario-name-path", ["scenario", "{study}", "--name", "../../escape", *WHATIF],
         r"--name '\.\./\.\./escape' is not a plain name"),
    Case("scenario-unknown-name", ["scenario", "{study}", "nope", *WHATIF], "unknown scenario of .* 'nope'"),
    Case("compare-unknown", ["compare", "{study}", "2018_2025", "nope", *WHATIF], "unknown period or scenario of .* 'nope'"),
    Case("hours-within-nan", ["hours", "{study}", "--within", "nan", *WHATIF], "--within nan",
         library=lambda box: access.week_table(access.build_board(access.load_study(box.study), [], modes="walk",
                                                                  offline=True), within_min=float("nan"))),
    Case("hours-within-negative", ["hours", "{study}", "--within", "-5", *WHATIF], "--within -5"),
    Case("hours-within-inf", ["hours", "{study}", "--within", "inf", *WHATIF], "--within inf"),
    Case("hours-period-unknown", ["hours", "{study}", "--period", "2030", *WHATIF], "unknown period.*2030"),
    Case("hours-at-bad", ["hours", "{study}", "--at", "Noon", *WHATIF], "'Noon' not understood"),
    Case("sweep-among-unknown", ["sweep", "{study}", "--among", "nope", *WHATIF], "unknown counter id.*nope"),
    Case("sweep-k-too-big", ["sweep", "{study}", "--k", "99", *WHATIF], r"size\(s\) \[99\]"),
    Case("sweep-by-bogus", ["sweep", "{study}", "--by", "bogus", *WHATIF], "cannot rank by 'bogus'"),
    Case("sweep-over-budget", ["sweep", "{study}", *WHATIF], "evaluating 1,024 subsets in blocks of 256 over 4,599 origins.*budget of 10 MB",
         env={"ACCESS_MEMORY_BUDGET_MB": "10"}, error=(access.ResourceError, MemoryError)),
    Case("site-spacing-tiny", ["site", "{study}", "--spacing", "1", *WHATIF], "1 m grid.*more than the budget",
         library=lambda box: access.search_sites(access.load_study(box.study), modes="walk", offline=True, spacing_m=1),
         error=(access.ResourceError, MemoryError)),
    Case("site-spacing-nan", ["site", "{study}", "--spacing", "nan", *WHATIF], "--spacing nan"),
    Case("site-spacing-inf", ["site", "{study}", "--spacing", "inf", *WHATIF], "--spacing inf"),
    Case("site-p-huge", ["site", "{study}", "-p", "10000", "--spacing", "1000", *WHATIF],
         "-p 10000: only [0-9]+ candidate sites"),
    Case("site-p-zero", ["site", "{study}", "-p", "0", *WHATIF], "-p 0"),
    Case("site-top-zero", ["site", "{study}", "--top", "0", *WHATIF], "--top 0"),
    Case("site-period-unknown", ["site", "{study}", "--period", "2030", *WHATIF], "unknown period '2030'"),
    Case("screenshot-into-a-file", ["screenshot", "{study}", "{root}/afile/shot.png"], "afile' is a file",
         (a_file_at("afile"),)),
    Case("screenshot-page-missing", ["screenshot", "{root}/none.html", "{root}/shot.png"], "none.html' does not exist"),
    Case("setting-project-data-empty", ["run", "redbridge-2017", "--offline", "--out", "{out}"],
         "unknown study 'redbridge-2017'.*check ACCESS_PROJECT_DATA", (lambda box: (box.root / "empty").mkdir(),),
         env={"ACCESS_PROJECT_DATA": "{root}/empty"}),
    Case("setting-project-data-empty-path", RUN, "(sources|detour_factors).toml is missing", (lambda box: (box.root / "empty").mkdir(),),
         env={"ACCESS_PROJECT_DATA": "{root}/empty"}),
    Case("setting-mirror-empty", RUN, "not found.*ACCESS_DATA_MIRROR", (lambda box: (box.root / "empty").mkdir(),),
         env={"ACCESS_DATA_MIRROR": "{root}/empty"}),
    Case("setting-budget-garbage", ["site", "{study}", *WHATIF], "ACCESS_MEMORY_BUDGET_MB='lots' is not a positive",
         env={"ACCESS_MEMORY_BUDGET_MB": "lots"}),
    Case("setting-overpass-timeout-negative", ["run", "{study}", "-m", "walk", "--no-maps", "--out", "{out}"],
         "ACCESS_OVERPASS_TIMEOUT='-1' is not a positive", env={"ACCESS_OVERPASS_TIMEOUT": "-1"}),
]

def a_page_at(relative: str) -> Callable[[Sandbox], None]:
    def make(box: Sandbox) -> None:
        (box.root / relative).write_text("<!DOCTYPE html><p>a page</p>")
    return make


ROUND_TWO_CASES = [  # the second adversarial pass: each class failed before
    Case("borough-list-empty", RUN, "boroughs = \\[\\] names no borough",
         (toml('boroughs = ["Redbridge"]', "boroughs = []"),), library=_load),
    Case("counter-lat-91", RUN, "lat 91 of ilford is not a latitude", (cell("ilford", "lat", "91"),), library=_load),
    Case("counter-lon-200", RUN, "lon 200 of ilford is not a longitude", (cell("ilford", "lon", "200"),)),
    Case("out-blank", ["run", "{study}", "-m", "walk", "--offline", "--out", ""], "--out '': the output folder is blank"),
    Case("scenario-out-blank", ["scenario", "{study}", "gants-hill", "-m", "walk", "--offline", "--out", " "],
         "--out ' ': the output folder is blank"),
    Case("scenario-at-blank", ["scenario", "{study}", "--at", "", *WHATIF], "moment '' not understood"),
    Case("compare-at-blank", ["compare", "{study}", "2018_2025", "--at", "", *WHATIF], "moment '' not understood"),
    Case("new-study-out-a-file", ["new-study", "x", "--boroughs", "Havering", "--out", "{root}/afile"],
         "afile' is a file, not a folder", (a_file_at("afile"),)),
    Case("new-study-counters-under-a-file", ["new-study", "x", "--boroughs", "Havering", "--out", "{root}/ns",
                                             "--counters", "{root}/afile/c.csv"], "afile' is a file, not a folder",
         (a_file_at("afile"),)),
    Case("new-study-out-blank", ["new-study", "x", "--boroughs", "Havering", "--out", ""], "output folder is blank"),
    # an option given only blanks names nothing: refused, never read as "none" (close nothing) or "all" (fetch all)
    Case("scenario-close-blank", ["scenario", "{study}", "--close", "", *WHATIF], "--close '' names nothing"),
    Case("sweep-among-blank", ["sweep", "{study}", "--among", " , ", *WHATIF], "--among ' , ' names nothing"),
    Case("new-study-boroughs-blank", ["new-study", "x", "--boroughs", " ", "--out", "{root}/ns"],
         "--boroughs ' ' names nothing"),
    Case("data-fetch-blank", ["data", "fetch", ""], "NAME '' names nothing; give tables"),
    Case("data-fetch-local-authority-blank", ["data", "fetch", "--local-authority", ""],
         "--local-authority '' names nothing"),
    Case("screenshot-to-a-folder", ["screenshot", "{root}/page.html", "{root}/work"], "work' is a folder; give",
         (a_page_at("page.html"),)),
    Case("screenshot-not-png", ["screenshot", "{root}/page.html", "{root}/shot.jpg"], "shot.jpg' does not end .png",
         (a_page_at("page.html"),)),
    Case("study-a-folder", ["run", "{root}/study", "--offline"], "is a folder, not a study file",
         library=lambda box: access.load_study(box.root / "study")),
]

def calibrations(old: str, new: str) -> Callable[[Sandbox], None]:
    """Run on a copy of the project's data/ whose detour_factors.toml has ``old`` replaced by ``new``."""
    import shutil

    def damage(box: Sandbox) -> None:
        copy = box.root / "project"
        shutil.copytree(REPO / "data", copy)
        text = (copy / "detour_factors.toml").read_text(encoding="utf-8")
        assert old in text, old
        (copy / "detour_factors.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return damage


LONDON_WALK_BAND = "{ from_km = 0, to_km = 1, factor = 1.3429, speed_kmh = 4.8000, n_pairs = 270733"
DAMAGED = {"ACCESS_PROJECT_DATA": "{root}/project"}
CALIBRATION_CASES = [
    Case(f"calibration-{label}", RUN, message, (calibrations(LONDON_WALK_BAND, LONDON_WALK_BAND.replace(old, new)),),
         env=DAMAGED, library=_run)
    for label, old, new, message in [
        ("factor-nan", "factor = 1.3429", "factor = nan", r"calibration '[\w-]+', walk: band under 1 km: factor = nan"),
        ("factor-zero", "factor = 1.3429", "factor = 0", "factor = 0 is not a detour factor"),
        ("factor-half", "factor = 1.3429", "factor = 0.5", "factor = 0.5 is not a detour factor"),
        ("factor-inf", "factor = 1.3429", "factor = inf", "factor = inf is not a detour factor"),
        ("speed-zero", "speed_kmh = 4.8000", "speed_kmh = 0", "speed_kmh = 0 is not a speed"),
        ("bands-gap", "to_km = 1,", "to_km = 0.5,", "does not start where the band before ends"),
    ]
]

NO_STREETS = ('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n'
              '  <node id="1" lat="51.5" lon="-0.1" version="1"/>\n'
              '  <node id="2" lat="51.501" lon="-0.1" version="1"><tag k="amenity" v="bench"/></node>\n</osm>\n')
CALIBRATION_CASES.append(
    Case("calibrate-no-streets", ["calibrate", "--osm-file", "{root}/benches.osm", "--name", "x", "--out",
                                  "{root}/factors.toml"], "benches.osm has no streets",
         (lambda box: (box.root / "benches.osm").write_text(NO_STREETS),)))

ALL_CASES = STUDY_CASES + CSV_CASES + IMPORT_CASES + ARG_CASES + ROUND_TWO_CASES + CALIBRATION_CASES


def test_the_suite_is_large_enough():
    assert len(ALL_CASES) >= 100 and len({c.id for c in ALL_CASES}) == len(ALL_CASES)


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.id)
def test_hostile_input_is_one_line_and_nothing_changes(case: Case, tmp_path: Path):
    box = make_sandbox(tmp_path)
    for step in case.setup:
        step(box)
    before = snapshot(tmp_path)
    env = {k: v.format(root=tmp_path) for k, v in case.env.items()}
    done = run_cli(box, case.args, env)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == case.code, (done.returncode, done.stderr[-3000:])
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr[-3000:]
    assert re.search(case.message, lines[0]), (case.message, lines[0])
    assert snapshot(tmp_path) == before, "the previous outputs are as they were, and no file appeared anywhere"


LIBRARY_CASES = [c for c in ALL_CASES if c.library is not None]


@pytest.mark.parametrize("case", LIBRARY_CASES, ids=lambda c: c.id)
def test_hostile_input_through_the_library(case: Case, tmp_path: Path, monkeypatch):
    box = make_sandbox(tmp_path)
    for step in case.setup:
        step(box)
    for name, value in case.env.items():
        monkeypatch.setenv(name, value.format(root=tmp_path))
    before = snapshot(tmp_path)
    with pytest.raises(case.error) as caught:
        case.library(box)
    assert isinstance(caught.value, access.AccessError)
    assert re.search(case.message, str(caught.value)), str(caught.value)
    assert snapshot(tmp_path) == before


def test_library_traps_take_one_name_for_a_list(redbridge):
    result = redbridge.run(modes="walk", offline=True)
    assert result.modes == ["walk"]
    assert access.Scenario("x", "2018_2025", close="ilford").close == ("ilford",)
    board = access.build_board(redbridge, [], modes="walk", offline=True)
    assert access.sweep(board, among="ilford", sizes=[1]).among == ["ilford"]
    with pytest.raises(access.ArgumentError, match="not 123"):
        access.load_study(123)
    with pytest.raises(access.ArgumentError, match="not None"):
        access.load_study(None)
    with pytest.raises(access.ArgumentError):
        access.Scenario("x", "2018_2025", open="Gants Hill")


# --------------------------------------------------------------------------- text, terminals, Ctrl-C


def test_markup_in_names_is_printed_as_written(tmp_path):
    box = make_sandbox(tmp_path)
    toml('title = "Redbridge', 'title = "[bold red]Redbridge[/] [/]')(box)
    cell("ilford", "name", "[red]Ilford[/] Police")(box)
    cell("ilford", "id", "ilford[/]")(box)
    done = run_cli(box, ["scenario", "{study}", "--close", "ilford[/]", "--at", "Sat 23:30", *WHATIF])
    assert done.returncode == 0, done.stderr
    assert "[bold red]Redbridge[/] [/]" in done.stdout and "close [red]Ilford[/] Police" in done.stdout
    summary = json.loads((box.out / "summary.json").read_text())
    assert "ilford[/]" in summary["scenarios"][1]["explain"]


def test_an_ascii_terminal_gets_plain_characters(tmp_path):
    box = make_sandbox(tmp_path)
    done = run_cli(box, RUN, env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 0, done.stderr
    before = access.load_study(box.study).run(modes="walk", offline=True).summary.loc[("2013_2017", "walk"), "mean_min"]
    assert "<=30" in done.stdout and f"{before:.1f} ->" in done.stdout
    done.stdout.encode("ascii")  # every character printable there


def test_ctrl_c_while_starting_is_one_line(tmp_path):
    box = make_sandbox(tmp_path)
    before = snapshot(tmp_path)
    env = {**os.environ, "ACCESS_CACHE_DIR": str(tmp_path / "cache")}
    child = subprocess.Popen([sys.executable, "-m", "access", *[a.format(study=box.study, out=box.out) for a in RUN]],
                             cwd=box.work, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    time.sleep(0.4)  # the heavy libraries are loading, or the run has begun: either way one line and 130
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=120)
    lines = [line for line in err.splitlines() if line.strip()]
    assert child.returncode == 130 and len(lines) == 1 and lines[0].startswith("error: interrupted"), err
    assert snapshot(tmp_path) == before


# --------------------------------------------------------------------------- Overpass faults


class FaultyOverpass:
    """A loopback 'Overpass' that fails one way: HTTP 500, no answer, an empty answer, or streets elsewhere."""

    def __init__(self, fault: str) -> None:
        self.fault = fault
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, code: int, body: bytes) -> None:
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._send(200, b"Connected as: 1\n2 slots available now.\n")

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if owner.fault == "http-500":
                    self._send(500, b"Internal Server Error")
                elif owner.fault == "hang":
                    time.sleep(30)
                    self._send(200, b"{}")
                elif owner.fault == "empty":
                    self._send(200, json.dumps({"version": 0.6, "elements": []}).encode())
                else:  # streets far from the area asked for (the middle of the North Sea)
                    nodes = [{"type": "node", "id": i, "lat": 55.0 + i * 1e-3, "lon": 3.0} for i in (1, 2, 3)]
                    way = {"type": "way", "id": 9, "nodes": [1, 2, 3], "tags": {"highway": "residential"}}
                    self._send(200, json.dumps({"version": 0.6, "elements": [*nodes, way]}).encode())

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/api"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.mark.parametrize("fault", ["http-500", "hang", "empty", "elsewhere"])
def test_overpass_faults_fall_back_to_the_estimate_in_bounded_time(fault, tmp_path):
    box = make_sandbox(tmp_path)
    server = FaultyOverpass(fault)
    try:
        started = time.perf_counter()
        done = run_cli(box, ["run", "{study}", "-m", "walk", "-m", "drive", "--no-maps", "--out", "{out}"],
                       env={"ACCESS_OVERPASS_URL": server.url, "ACCESS_OVERPASS_TIMEOUT": "4"})
        elapsed = time.perf_counter() - started
    finally:
        server.close()
    assert done.returncode == 0, done.stderr[-2000:]
    assert elapsed < 40, f"{elapsed:.0f} s: the second mode must not wait again"
    assert done.stdout.count("NO STREET NETWORK") == 1, "one warning for both modes"
    summary = json.loads((box.out / "summary.json").read_text())
    assert {m["model"] for m in summary["models"].values()} == {"straight-line estimate"}


# --------------------------------------------------------------------------- damaged caches


@pytest.mark.parametrize("damage", ["nan", "negative", "zero", "halved"])
def test_a_cache_with_bad_times_is_rebuilt(damage, city_pbf, tmp_path, monkeypatch):
    from access.routing.network import get_network

    monkeypatch.setenv("ACCESS_CACHE_DIR", str(tmp_path))
    first = get_network("walk", crs="EPSG:27700", osm_file=city_pbf)
    [cached] = list(tmp_path.rglob("*.npz"))
    with np.load(cached) as npz:
        arrays = dict(npz)
    arrays["time_s"] = arrays["time_s"].copy()
    if damage == "halved":  # every time still a finite positive number: only the recorded sha256 can tell
        arrays["time_s"] = arrays["time_s"] / 2
    else:
        arrays["time_s"][::7] = {"nan": np.nan, "negative": -5.0, "zero": 0.0}[damage]
    np.savez_compressed(cached, **arrays)
    message = "sha256 differs" if damage == "halved" else "not finite positive numbers"
    with pytest.warns(access.AccessWarning, match=message):
        again = get_network("walk", crs="EPSG:27700", osm_file=city_pbf)
    assert np.array_equal(again.time_s.data, first.time_s.data)


# --------------------------------------------------------------------------- one meaning of "available"

HOURS_WORDS = st.sampled_from(["off", "open", "unknown", "24/7", "closed?", ";", "Mo-Su off", "Sa,Su off",
                               "Mo-Fr 07:00-23:00", "Sa 10:00-12:00", "Mo 00:00-00:01", "Tu 22:00-02:00",
                               "Mo-Fr 09:00-17:00; Mo-Fr off", "Mo-Su 00:00-24:00", "Su 23:59-24:00"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ilford=HOURS_WORDS, romford=HOURS_WORDS)
def test_every_command_reads_hours_the_same_way(ilford, romford, tmp_path_factory):
    """Generated hours for two counters: run, scenario, compare, sweep, site and hours agree on who is open."""
    box = make_sandbox(tmp_path_factory.mktemp("hours"))
    cell("ilford", "2018_2025", ilford)(box)
    cell("romford", "2018_2025", romford)(box)
    try:
        study = access.load_study(box.study)
        result = study.run(modes="walk", offline=True)
    except access.HoursError:
        assert "?" in ilford + romford, "only the text that is not opening_hours is refused"
        return
    except access.StudyError as exc:
        assert "no counter is available" in str(exc)
        return
    expected = available(study.places.counters["2018_2025"])
    ids = list(study.places.counters["id"])
    assert result.available["2018_2025"].tolist() == expected.tolist()
    board = access.build_board(study, [], modes="walk", offline=True)
    period = access.period_scenario("2018_2025")
    assert board.available(period).tolist() == expected.tolist()
    compared = access.compare(board, [period]).summary.loc[("2018_2025", "walk")]
    assert compared["counters_open"] == expected.sum() and compared["mean_min"] == pytest.approx(
        result.summary.loc[("2018_2025", "walk"), "mean_min"], rel=1e-12)
    swept = access.sweep(board, among=["ilford", "romford"], base="2018_2025", real="2018_2025")
    assert swept.real_subset == [cid for cid in ("ilford", "romford") if expected[ids.index(cid)]]
    week = access.week_table(board, periods=["2018_2025"]).table.loc[("walk", "2018_2025")]
    assert (week_mask(study.places.counters["2018_2025"]).any(axis=1) == expected).all()
    assert week["assumed"] == sum(parse_hours(h).assumed for h in study.places.counters["2018_2025"])
    sites = access.search_sites(study, modes="walk", ps=[1], spacing_m=2000, with_best=False, offline=True)
    assert sites.modes["walk"].existing_mean_min == pytest.approx(result.summary.loc[("2018_2025", "walk"),
                                                                                      "mean_min"], rel=1e-12)


# --------------------------------------------------------------------------- fuzzing study files and counter tables

def _independent_walk_means(counters: pd.DataFrame, periods: tuple[str, ...], estimate_minutes) -> dict[str, float]:
    """Straight-line walking means worked out here, with pyproj and plain numpy, from the table itself."""
    import pyproj

    to_bng = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    residents = access.load_study("redbridge-2017").places.residents
    ox, oy = residents.geometry.x.to_numpy(), residents.geometry.y.to_numpy()
    weights = residents["population"].to_numpy()
    cx, cy = to_bng.transform(counters["lon"].astype(float).to_numpy(), counters["lat"].astype(float).to_numpy())
    means = {}
    for period in periods:
        is_open = np.array([parse_hours(h).weekly_minutes() > 0 for h in counters[period]])
        if not is_open.any():
            continue
        metres = np.min([np.hypot(ox - x, oy - y) for x, y in zip(cx[is_open], cy[is_open], strict=True)], axis=0)
        minutes = estimate_minutes("walk", metres)
        means[period] = float((minutes * weights).sum() / weights.sum())
    return means


ROW_HOURS = st.sampled_from(["off", "open", "24/7", "Mo-Fr 07:00-23:00", "Mo-Su off", "garbage", ""])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d", "", "a"]),
                               st.one_of(st.floats(-0.3, 0.3), st.just(float("nan")), st.floats(-200, 200)),
                               st.one_of(st.floats(51.45, 51.7), st.just(float("inf")), st.floats(-100, 100)),
                               ROW_HOURS, ROW_HOURS), min_size=0, max_size=5))
def test_fuzzed_counter_tables_give_a_clean_error_or_the_right_figures(rows, tmp_path_factory, estimate_minutes):
    box = make_sandbox(tmp_path_factory.mktemp("fuzz"))
    table = pd.DataFrame([{"id": i, "name": f"counter {i}", "address": "somewhere", "lon": lon, "lat": lat,
                           "until_2013": "off", "2013_2017": h1, "2018_2025": h2, "from_2026": "off"}
                          for i, lon, lat, h1, h2 in rows],
                         columns=["id", "name", "address", "lon", "lat", "until_2013", "2013_2017", "2018_2025",
                                  "from_2026"])
    table.to_csv(box.counters, index=False)
    text = box.study.read_text().replace('extra = ["until_2013", "from_2026"]', "extra = []")
    text = text[:text.index("# What if")]
    box.study.write_text(text)
    try:
        result = access.load_study(box.study).run(modes="walk", offline=True)
    except access.AccessError as exc:
        assert str(exc) and "\n" not in str(exc).strip()
        return
    expected = _independent_walk_means(result.study.places.counters, ("2013_2017", "2018_2025"), estimate_minutes)
    for period, mean in expected.items():
        assert result.summary.loc[(period, "walk"), "mean_min"] == pytest.approx(mean, rel=1e-9)


NUMBERS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**6, 10**6))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(["buffer_m", "counter_max_m", "max_snap_m"]), value=NUMBERS,
       name=st.text(min_size=0, max_size=12), period=st.text(min_size=0, max_size=10))
def test_fuzzed_study_files_give_a_clean_error_or_a_valid_study(key, value, name, period, tmp_path_factory):
    box = make_sandbox(tmp_path_factory.mktemp("toml"))
    text = box.study.read_text()
    number = repr(value) if isinstance(value, int) else ("nan" if math.isnan(value) else
                                                       ("inf" if value == math.inf else
                                                        ("-inf" if value == -math.inf else repr(value))))
    text = text.replace("buffer_m = 3000", f"buffer_m = 3000\n{key} = {number}" if key != "buffer_m"
                        else f"buffer_m = {number}")
    text = text.replace('name = "redbridge-2017"', f"name = {json.dumps(name)}")
    text = text.replace('"from_2026"', json.dumps(period)).replace("from_2026", period.replace("]", ""))
    box.study.write_text(text)
    try:
        config = load_config(box.study)
    except access.AccessError as exc:
        assert str(exc) and "\n" not in str(exc).strip()
        return
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", config.name)
    assert all(math.isfinite(v) for v in (config.buffer_m, config.counter_max_m, config.max_snap_m))
    assert (Path("maps") / config.name).resolve().parent == Path("maps").resolve()


# --------------------------------------------------------------------------- text from data files, round two

PAYLOADS = {
    "arithmetic": "Barking {{6*7}} side",
    "statement": "X {% if true %}IF{% endif %} Y",
    "comment": "A {# hidden #} B",
    "dollar": "C ${7*7} D",
    "script": "E </script><script>document.title='PWNED'</script> F",
    "code": "G {{ lipsum.__globals__.os.makedirs(dict(PWNED=1)|first, exist_ok=True) }} H",
}
"""Text that a template engine or a page would act on, if it were ever treated as anything but text."""


def _page_text(html_text: str) -> str:
    """Return a page's text as a reader's browser gets it: script escapes and HTML entities decoded."""
    import html

    decoded = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), html_text)
    return html.unescape(decoded)


def test_text_from_a_data_file_never_runs_and_shows_as_written(tmp_path):
    """Names, an address, a period label, the title and an opened counter's name carry template and script payloads.

    Nothing runs (no file appears, no arithmetic is done) and every page shows them literally.
    """
    box = make_sandbox(tmp_path)
    cell("ilford", "name", PAYLOADS["arithmetic"])(box)
    cell("barkingside", "name", PAYLOADS["code"])(box)
    cell("barkingside", "address", PAYLOADS["statement"])(box)
    cell("woodford", "name", PAYLOADS["script"])(box)
    text = box.study.read_text(encoding="utf-8")
    label = re.search(r'^2018_2025 = ".*"$', text, re.M).group(0)
    title = re.search(r'^title = ".*"$', text, re.M).group(0)
    text = text.replace(label, f'2018_2025 = {json.dumps(PAYLOADS["comment"])}')
    box.study.write_text(text.replace(title, f'title = {json.dumps(PAYLOADS["dollar"])}'), encoding="utf-8")
    done = run_cli(box, ["run", "{study}", "-m", "walk", "--offline", "--out", "{root}/pages"])
    assert done.returncode == 0, done.stderr
    literal = PAYLOADS["code"].replace("{", "{{").replace("}", "}}")  # run_cli formats its arguments
    opened = run_cli(box, ["scenario", "{study}", "--open", literal + "=51.5765,0.0661", "--close",
                           "ilford", "-m", "walk", "--offline", "--out", "{root}/what-if"])
    assert opened.returncode == 0, opened.stderr
    assert not list(tmp_path.rglob("PWNED")), "template code ran"
    pages = [*(tmp_path / "pages").glob("*.html"), *(tmp_path / "what-if").glob("*.html")]
    assert {"walk.html", "report.html", "explorer.html", "index.html"} <= {p.name for p in pages}
    for page in pages:
        raw = page.read_text(encoding="utf-8")
        shown = _page_text(raw)
        assert "42 side" not in shown and "X IF Y" not in shown, page.name  # what the payloads render to
        assert raw.lower().count("</script>") == raw.lower().count("<script"), f"{page.name}: a script was closed"
    walk = _page_text((tmp_path / "pages" / "walk.html").read_text(encoding="utf-8"))
    for name in ("arithmetic", "code", "statement", "script", "comment"):
        assert PAYLOADS[name] in walk, name
    assert PAYLOADS["code"] in _page_text((tmp_path / "what-if" / "walk.html").read_text(encoding="utf-8"))
    summary = json.loads((tmp_path / "pages" / "summary.json").read_text(encoding="utf-8"))
    assert PAYLOADS["dollar"] in summary["title"]


def test_text_from_from_frames_never_runs_on_its_pages(tmp_path, redbridge):
    """Facility and ward names given to Study.from_frames reach the pages as text."""
    places = redbridge.places
    periods = list(redbridge.config.periods)
    facilities = places.counters[["id", "name", *periods, "geometry"]].copy()
    facilities.loc[0, "name"] = PAYLOADS["code"]
    wards = places.wards.copy()
    wards["ward_name"] = [f"{PAYLOADS['arithmetic']} {i}" for i in range(len(wards))]
    study = access.Study.from_frames("frames", residents=places.residents[["origin", "population", "geometry"]],
                                     facilities=facilities, boundary=places.boundary, before="2013_2017",
                                     after="2018_2025", origin_id="origin", modes="walk",
                                     wards=wards[["ward_name", "geometry"]], ward_name="ward_name")
    written = access.write(study.run(offline=True), tmp_path / "out")
    assert not list(tmp_path.rglob("PWNED")) and not (Path.cwd() / "PWNED").exists()
    walk = _page_text(written["walk.html"].read_text(encoding="utf-8"))
    assert PAYLOADS["code"] in walk and "42 side" not in walk


def test_escape_sequences_in_names_are_shown_not_acted_on(tmp_path):
    """A name holding terminal control sequences is printed with them as visible escapes.

    Clear the screen, move the cursor, a carriage return, a NUL byte, a bidirectional override.
    """
    box = make_sandbox(tmp_path)
    cell("ilford", "name", "Ilford\x1b[2J\x1b[HRewritten\x00\u202eeman")(box)
    done = run_cli(box, ["scenario", "{study}", "--close", "ilford", *WHATIF])
    assert done.returncode == 0, done.stderr
    for raw in ("\x1b[2J", "\x1b[H", "\x00", "\u202e"):
        assert raw not in done.stdout and raw not in done.stderr, repr(raw)
    assert "Ilford\\x1b[2J\\x1b[HRewritten\\x00\\u202eeman" in done.stdout
    as_csv = run_cli(box, ["scenario", "{study}", "--close", "ilford", *WHATIF, "--format", "csv"])
    assert as_csv.returncode == 0 and "\x1b" not in as_csv.stdout and "\x1b" not in as_csv.stderr


def test_a_name_that_is_a_spreadsheet_formula_is_written_as_text(tmp_path):
    box = make_sandbox(tmp_path)
    formula = '=HYPERLINK("http://example.invalid","click")'
    cell("ilford", "name", formula)(box)
    cell("barkingside", "name", "@SUM(1+1)")(box)
    done = run_cli(box, ["scenario", "{study}", "--close", "barkingside", *WHATIF])
    assert done.returncode == 0, done.stderr
    counters = pd.read_csv(box.out / "counters.csv", dtype=str, keep_default_na=False)
    names = set(counters["name"])
    assert "'" + formula in names and "'@SUM(1+1)" in names and formula not in names
    for path in box.out.glob("*.csv"):
        for line in path.read_text(encoding="utf-8").splitlines():
            assert not any(field.startswith(("=", "@")) for field in line.split(",")), (path.name, line)


def test_a_budget_lifted_past_the_machine_still_refuses_in_one_line(tmp_path):
    """ACCESS_MEMORY_BUDGET_MB=1e308 under a small ulimit: the grid is refused, never std::bad_alloc."""
    import resource

    box = make_sandbox(tmp_path)
    limit = 3 * 2**30

    def small_ulimit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    args = [a.format(study=box.study, out=box.out) for a in ["site", "{study}", "--spacing", "1", *WHATIF]]
    env = {**os.environ, "ACCESS_MEMORY_BUDGET_MB": "1e308", "ACCESS_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-m", "access", *args], capture_output=True, text=True, cwd=box.work,
                          env=env, timeout=300, preexec_fn=small_ulimit)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2 and len(lines) == 1, done.stderr[-2000:]
    assert "more than this machine can give" in lines[0] and "bad_alloc" not in done.stderr


# --------------------------------------------------------------------------- fuzzing the surfaces added since

TEXT = st.lists(st.sampled_from([*"{}%#$<>/\\\"'&=@+-*|!() abcXYZ019", "\x1b", "\x00", "\r", "\n", "\u202e", "{{", "{%",
                                  "{#", "}}", "</script>"]), max_size=25).map("".join)


@settings(max_examples=60, deadline=None)
@given(text=TEXT)
def test_fuzzed_text_reaches_a_map_page_as_text(text):
    """Any text given to a map (a counter's popup and tooltip) comes back, decoded, exactly as given."""
    import folium

    from access.outputs import maps

    page = folium.Map(location=[51.5, 0.0], tiles=None)
    marker = folium.CircleMarker(location=[51.5, 0.0])
    marker.add_child(maps._Bind(text, text))
    page.add_child(marker)
    html = page.get_root().render()
    call = html.index("access_bind(")
    start = html.index(", ", call) + 2  # after the marker's name: the popup, then the tooltip, as JSON
    decoder = json.JSONDecoder()
    popup, end = decoder.raw_decode(html, start)
    tooltip, _ = decoder.raw_decode(html, end + 2)
    assert popup == tooltip == text
    assert not re.search(r"\{[{%#]", html[start:end]), "template syntax in the page"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(factor=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-3, 3)),
       speed=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-3, 30)),
       to_km=st.sampled_from([0.5, 1, 2, 30]))
def test_a_fuzzed_calibrations_file_loads_sound_or_is_one_clear_error(factor, speed, to_km, tmp_path_factory):
    from access.core.errors import DataError
    from access.inputs.calibrations import load_calibrations

    text = (REPO / "data" / "detour_factors.toml").read_text(encoding="utf-8")
    band = "{ from_km = 0, to_km = 1, factor = 1.3429, speed_kmh = 4.8000, n_pairs = 270733"
    damaged = band.replace("factor = 1.3429", f"factor = {factor!r}".replace("inf", "inf").replace("nan", "nan")) \
        .replace("speed_kmh = 4.8000", f"speed_kmh = {speed!r}").replace("to_km = 1,", f"to_km = {to_km},")
    path = tmp_path_factory.mktemp("calibrations") / "detour_factors.toml"
    path.write_text(text.replace(band, damaged, 1), encoding="utf-8")
    try:
        found = load_calibrations(path)
    except DataError as exc:
        assert "\n" not in str(exc) and "detour_factors.toml" in str(exc)
        return
    for modes in found.values():
        for calibration in modes.values():
            edge = 0.0
            for b in calibration.bands:
                assert b.factor >= 1 and math.isfinite(b.factor) and b.speed_kmh > 0 and math.isfinite(b.speed_kmh)
                assert b.from_km == edge and b.to_km > b.from_km
                edge = b.to_km


@settings(max_examples=80, deadline=None)
@given(values=st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 10_000),
                                 st.text(max_size=6), st.none(), st.timedeltas(max_value=__import__("datetime")
                                                                               .timedelta(days=1))),
                       min_size=1, max_size=6))
def test_fuzzed_imported_times_are_minutes_or_one_clear_error(values):
    import warnings

    from access.core.errors import DataError
    from access.inputs.travel_tables import check_travel_table

    table = pd.DataFrame({"from_id": [f"o{i}" for i in range(len(values))], "to_id": "x",
                          "travel_time": pd.Series(values, dtype=object)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            checked = check_travel_table(table, "a fuzzed table")
        except DataError as exc:
            assert "\n" not in str(exc)
            return
    times = checked["travel_time"].to_numpy(float)
    assert ((times >= 0) & np.isfinite(times) | np.isnan(times)).all()
