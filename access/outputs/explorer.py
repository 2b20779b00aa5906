"""The what-if explorer: one self-contained page where a reader closes and opens counters and sees the effect.

:func:`explorer_html` turns a :class:`~access.whatif.board.Board` (counters × origins minutes per mode)
into one HTML file that needs no server and fetches nothing: Leaflet is inlined, as on the maps, and
there are no background tiles.  It opens offline, by double-click.  The reader chooses a mode, starts
from a period or one of the study's scenarios, switches counters (hypothetical sites included) on and
off, picks a moment of the week and a reference, and sees the figures, who is worse and better off,
the LSOA map and, for small studies, the rank of the current set among all sets of its size.

**What the page holds**, as one deflate-compressed, base64 block of typed arrays and a JSON block:

* per mode, each origin's counters sorted by travel time (ties by board row, the order in which
  :func:`~access.analysis.figures.nearest_open` breaks them) and their minutes, rounded *up* to
  ``1/resolution`` of a minute (delta-coded within the origin, in byte planes, which compress well).
  Rounding up keeps every ``time <= T`` comparison exact for a whole number of minutes ``T``, so the
  shares within 15, 30 and 45 minutes are the library's to the resident, and keeps the order of times,
  so medians and 90th percentiles are the library's values rounded up (by less than
  ``1/resolution``).  Small studies keep every counter for every origin (the page is then exact);
  larger ones keep each origin's ``nearest`` counters plus every counter it could need in any
  period or scenario of the study at any moment (so those stay exact), and the page says so and
  counts the residents for whom a reader's own choice goes beyond them (:data:`DEFAULT_NEAREST`);
* each origin's population weight (origins without residents change no figure and are left out),
  its LSOA and its ward; the LSOA polygons (simplified) and the study boundary;
* the counters with their hours per period, and the hours of every period and scenario as the
  library reads them (:meth:`~access.whatif.board.Board.hours`); each distinct hours text becomes
  its open intervals of the week, precomputed by :mod:`access.inputs.hours`, so the page never
  parses opening hours: it looks a minute up;
* for studies of up to :data:`MAX_RANKED_COUNTERS` counters, :func:`~access.whatif.sweep.sweep`'s
  mean and rank of every subset, per mode.

**The rules the page applies**, each the library's and passed to it from the library's constants:
availability (:func:`access.inputs.hours.available`: ``off`` closed, ``open``/``unknown`` open at
every moment, timetables to the minute; with no moment, open at some minute of the week), the
nearest available counter, drives re-timed to the traffic of the moment's hour
(:meth:`access.core.tripcosts.DriveCosts.at`; the sweep's ranks stay free-flowing), and
:func:`access.analysis.figures.group_figures`' figures (excluded
origins counted nowhere, unreachable ones in the shares' population only; the weighted quantile with
:data:`~access.analysis.figures.QUANTILE_TOLERANCE`; worse and better off beyond
:data:`~access.analysis.figures.CHANGE_TOLERANCE_MIN`).  ``tests/test_explorer.py`` drives the page in
headless Chromium through its entry point, ``window.accessExplorer``, and checks every period,
scenario and random subsets against the library.
"""

from __future__ import annotations

import base64
import json
import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from access.analysis.figures import CHANGE_TOLERANCE_MIN, QUANTILE_TOLERANCE, QUANTILES
from access.analysis.timeofday import week_mask
from access.core.defaults import DEFAULT_NEAREST, EXPLORER_NAME
from access.core.errors import OutputError, ScenarioError
from access.core.tripcosts import DriveCosts
from access.inputs.hours import DAYS, HOURS_RULE, MINUTES_PER_WEEK, parse_hours
from access.inputs.places import load_borough_polygons
from access.outputs.formats import escape as _e
from access.outputs.maps import _leaflet_assets, _wgs84_geometries
from access.outputs.notes import HOW_HEADING, model_note, plain_model_sentence, study_place, times_attribution
from access.outputs.styles import (
    CHANGE_BINS_MIN,
    CHANGE_COLOURS,
    CHANGE_LABELS,
    EXPLORER_COUNTER_STYLES,
    NO_DATA_COLOUR,
    TIME_BINS_MIN,
    TIME_COLOURS,
    class_labels,
)
from access.whatif.board import Board
from access.whatif.scenario import Scenario, period_scenario, study_scenarios
from access.whatif.sweep import sweep

__all__ = ["explorer_html", "explorer_scenarios", "EXPLORER_NAME", "DEFAULT_NEAREST", "MAX_RANKED_COUNTERS",
           "SHARE_THRESHOLDS_MIN"]

MAX_RANKED_COUNTERS = 14
"""Studies with at most this many counters (hypothetical ones included) get every subset's rank (2^14 = 16,384)."""

SHARE_THRESHOLDS_MIN = (15, 30, 45)
"""The page's shares: residents within 15, 30 and 45 minutes."""

SIMPLIFY_M = 15.0
"""Simplification of the LSOA polygons, metres."""

COORD_DECIMALS = 5
"""Decimals of longitude and latitude on the page (about 1 m)."""

NARROW_PX = 700
"""Below this window width the map goes on top and the panel below it."""

_BLOCK = 16_384  # origins sorted at a time
_FULL_RESOLUTION = 1 << 16  # minutes to 1/65,536 (under a millisecond) where every counter is kept
_LIST_RESOLUTION = 128  # minutes to 1/128 (under half a second) where only the nearest are kept
_NO_BOUND = 0xFFFF  # a group's bound that does not exist (no origin, or no counter in reach)
_TYPES = {np.dtype("<u1"): "u8", np.dtype("<u2"): "u16", np.dtype("<u4"): "u32", np.dtype("<f8"): "f64"}


# --------------------------------------------------------------------------- encoding


class _Blob:
    """Typed arrays packed one after another (each 8-byte aligned), then deflated; their places by name."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.sections: dict[str, list[Any]] = {}

    def add(self, name: str, array: np.ndarray) -> None:
        data = np.ascontiguousarray(array)
        data = data.astype(data.dtype.newbyteorder("<"), copy=False)
        kind = _TYPES[data.dtype]
        raw = data.tobytes()
        self.sections[name] = [self.size, int(data.size), kind]
        pad = -len(raw) % 8
        self.parts.append(raw + b"\0" * pad)
        self.size += len(raw) + pad

    def packed(self) -> str:
        return base64.b64encode(zlib.compress(b"".join(self.parts), 9)).decode("ascii")


@dataclass
class _Lists:
    """One mode's sorted lists: per origin, how many counters are kept; then their rows and minutes."""

    counts: np.ndarray
    rows: np.ndarray
    quanta: np.ndarray  # minutes × resolution, rounded up; MAX of the width for unreachable
    resolution: int
    width: int
    complete: bool
    kept_max: int
    low: np.ndarray | None = None  # per group of origins (LSOA) × counter: the least whole minutes, rounded down
    spread: np.ndarray | None = None  # ... and how many more the most are, rounded up


def _patterns(board: Board, scenarios: Sequence[Scenario]) -> list[np.ndarray]:
    """Every availability the study's periods and scenarios can give: with no moment, and at each minute of the week."""
    found: dict[bytes, np.ndarray] = {}
    for scenario in [*(period_scenario(p) for p in board.study.config.periods), *scenarios]:
        hours = board.hours(scenario)
        mask = week_mask(hours)
        vectors = [np.array([parse_hours(h).available for h in hours]), *np.unique(mask, axis=1).T]
        for vector in vectors:
            vector = np.asarray(vector, dtype=bool)
            if vector.any():
                found.setdefault(vector.tobytes(), vector)
    return list(found.values())


def _lists(minutes: np.ndarray, columns: np.ndarray, excluded: np.ndarray, patterns: Sequence[np.ndarray],
           nearest: int, groups: np.ndarray, n_groups: int) -> _Lists:
    """Sort each origin's counters by minutes (ties by row) and keep what the page needs of them.

    ``columns`` are the origins on the page (columns of ``minutes``); they are sorted in blocks, so that
    no copy of the whole matrix is made.  Where not every counter is kept, each group of origins (an
    LSOA) also gets, per counter, the least and the most minutes of its origins: the page's bounds for
    an origin whose kept counters are all closed.
    """
    n, n_origins = minutes.shape[0], len(columns)
    small = np.int16 if n < (1 << 15) else np.int32
    kept, rows, values = np.zeros(n_origins, dtype=np.int64), [], []
    for start in range(0, n_origins, _BLOCK):
        block = minutes[:, columns[start:start + _BLOCK]]
        order = np.argsort(block, axis=0, kind="stable").astype(small)  # by time, ties by row: nearest_open's
        position = np.empty(order.shape, dtype=small)
        np.put_along_axis(position, order, np.arange(n, dtype=small)[:, None], axis=0)
        need = np.zeros(block.shape[1], dtype=np.int64)
        for pattern in patterns:  # the first available counter of every period and scenario, at any moment
            first = np.where(pattern[:, None], position, small(n)).min(axis=0)
            need = np.maximum(need, first.astype(np.int64) + 1)
        here = np.minimum(np.maximum(need, min(nearest, n)), n)
        here[excluded[start:start + _BLOCK]] = 0
        kept[start:start + _BLOCK] = here
        take = (np.arange(n)[:, None] < here[None, :]).T  # origins × rank
        block_rows = order.T[take].astype(np.int64)
        rows.append(block_rows)
        values.append(block[block_rows, np.repeat(np.arange(block.shape[1]), here)])
    rows_all = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    values_all = np.concatenate(values) if values else np.zeros(0)
    complete = bool((kept[~excluded] == n).all())
    finite = np.isfinite(values_all)
    largest = float(values_all[finite].max()) if finite.any() else 0.0
    width = 4 if complete and n_origins < (1 << 21) else 2  # (the page sorts q × origins + origin in a double)
    top = (1 << (8 * width)) - 1
    resolution = _FULL_RESOLUTION if width == 4 else _LIST_RESOLUTION
    while resolution > 1 and largest * resolution >= top:
        resolution //= 2
    if largest * resolution >= top:
        raise OutputError(f"travel times up to {largest:,.0f} minutes are too long for the explorer page")
    quanta = np.full(values_all.shape, top, dtype=np.int64)
    quanta[finite] = np.ceil(values_all[finite] * resolution).astype(np.int64)
    lists = _Lists(counts=kept, rows=rows_all, quanta=quanta, resolution=resolution, width=width,
                   complete=complete, kept_max=int(kept.max()) if kept.size else 0)
    if not complete:
        lists.low, lists.spread = _group_bounds(minutes, columns, excluded, groups, n_groups)
    return lists


def _group_bounds(minutes: np.ndarray, origins: np.ndarray, excluded: np.ndarray, groups: np.ndarray,
                  n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Return per group × counter the least minutes of the group's measured origins, and how many more the most are.

    Both in whole minutes, the least rounded down and the most up; ``_NO_BOUND`` where there is none
    (unreachable, or no origin).
    """
    n = minutes.shape[0]
    low = np.full((n_groups, n), np.inf)
    high = np.full((n_groups, n), np.inf)
    measured = np.flatnonzero(~excluded)
    measured = measured[np.argsort(groups[measured], kind="stable")]
    codes, columns = groups[measured], origins[measured]
    if codes.size:
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        for row in range(n):  # one counter at a time: no copy of the whole matrix
            values = minutes[row, columns]
            low[codes[starts], row] = np.minimum.reduceat(values, starts)
            high[codes[starts], row] = np.maximum.reduceat(values, starts)
    floor = np.where(np.isfinite(low), np.floor(np.where(np.isfinite(low), low, 0)), _NO_BOUND)
    ceil = np.where(np.isfinite(high), np.ceil(np.where(np.isfinite(high), high, 0)), np.inf)
    spread = np.where(np.isfinite(ceil) & (floor < _NO_BOUND), ceil - floor, _NO_BOUND)
    if (floor[floor < _NO_BOUND] >= _NO_BOUND).any() or (spread[spread < _NO_BOUND] >= _NO_BOUND).any():
        raise OutputError("travel times of 65,535 minutes or more are too long for the explorer page")
    return np.minimum(floor, _NO_BOUND).astype(np.uint16), np.minimum(spread, _NO_BOUND).astype(np.uint16)


def _add_lists(blob: _Blob, mode: str, lists: _Lists, n_counters: int) -> None:
    count_type = np.uint8 if n_counters < 256 else np.uint16
    blob.add(f"{mode}.count", lists.counts.astype(count_type))
    blob.add(f"{mode}.rows", lists.rows.astype(count_type))
    starts = np.r_[0, np.cumsum(lists.counts)[:-1]][lists.counts > 0]
    delta = np.diff(lists.quanta, prepend=0)
    delta[starts] = lists.quanta[starts]
    for plane in range(lists.width):
        blob.add(f"{mode}.times{plane}", ((delta >> (8 * plane)) & 255).astype(np.uint8))
    if lists.low is not None and lists.spread is not None:
        for name, values in (("low", lists.low), ("spread", lists.spread)):
            for plane in range(2):
                blob.add(f"{mode}.{name}{plane}", ((values >> (8 * plane)) & 255).astype(np.uint8))


def _intervals(week: np.ndarray) -> list[list[int]]:
    """Return the open runs of a 10,080-minute mask, as ``[start, end)`` minutes of the week."""
    edges = np.diff(np.r_[0, week.astype(np.int8), 0])
    return [[int(a), int(b)] for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True)]


class _HoursTable:
    """Each distinct hours text once, as the page reads it: available at all, open always, open intervals."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self.index: dict[str, int] = {}

    def __call__(self, text: Any) -> int:
        text = "unknown" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
        if text not in self.index:
            hours = parse_hours(text)
            self.index[text] = len(self.entries)
            self.entries.append({"text": text, "status": hours.status, "any": bool(hours.available),
                                 "assumed": bool(hours.assumed), "always": hours.status in ("open", "unknown"),
                                 "intervals": _intervals(hours.week) if hours.week is not None else []})
        return self.index[text]


def explorer_scenarios(board: Board) -> tuple[Board, list[Scenario], list[str]]:
    """Return the board with the rows of the study's named scenarios, those scenarios, and notes on any left out.

    A scenario that opens a counter in a mode whose times were imported cannot be routed: it is left out
    (the returned notes say which), rather than leaving the study without its page.

    Examples
    --------
    >>> from access import load_study
    >>> from access.whatif.board import build_board
    >>> board = build_board(load_study("redbridge-2017"), [], modes=["walk"], offline=True)
    >>> board, scenarios, notes = explorer_scenarios(board)
    >>> [s.name for s in scenarios], board.ids[-1], notes
    (['barkingside-not-ilford', 'gants-hill', 'reduced-hours-saturday-night'], 'gants-hill', [])
    """
    scenarios = list(study_scenarios(board.study).values())
    try:
        return board.opening(scenarios), scenarios, []
    except ScenarioError as exc:
        kept = [s for s in scenarios if not s.open]
        left = [s.name for s in scenarios if s.open]
        return board.opening(kept), kept, [f"Scenarios left out: {', '.join(left)} ({exc})."]


def _wgs84_points(frame: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    points = frame.geometry.to_crs("EPSG:4326")
    return points.x.round(COORD_DECIMALS).to_numpy(), points.y.round(COORD_DECIMALS).to_numpy()


def _payload(board: Board, scenarios: Sequence[Scenario], *, nearest: int, notes: Sequence[str],
             links: Mapping[str, str], how: str | None = None) -> tuple[dict[str, Any], str]:
    study, config = board.study, board.study.config
    places = study.places
    residents = places.residents
    population = residents["population"].to_numpy(float)
    keep = np.isfinite(population) & (population > 0)  # an origin without residents changes no figure
    blob = _Blob()

    # -- origins: weight, LSOA, ward
    lsoa_table = study.lsoa_names
    lsoa_codes = list(places.lsoas["lsoa11"])
    lsoa_index = {code: i for i, code in enumerate(lsoa_codes)}
    wards = sorted({str(w) for w in residents["ward_name"].dropna()})
    ward_index = {name: i for i, name in enumerate(wards)}
    none16 = 0xFFFF
    blob.add("weight", population[keep].astype("<f8"))
    origin_lsoa = np.array([lsoa_index.get(c, none16) for c in residents["lsoa11"][keep]], dtype=np.uint16)
    blob.add("lsoa", origin_lsoa)
    groups = np.where(origin_lsoa == none16, len(lsoa_codes), origin_lsoa).astype(np.int64)  # no LSOA: one group
    blob.add("ward", np.array([ward_index.get(str(w), none16) if pd.notna(w) else none16
                               for w in residents["ward_name"][keep]], dtype=np.uint16))

    # -- counters and hours
    counters = board.counters
    ids = list(counters["id"])
    names = dict(zip(ids, counters["name"], strict=True))
    hours = _HoursTable()
    off = hours("off")
    periods = list(config.periods)
    lon, lat = _wgs84_points(counters)
    own = len(places.counters)
    opened_hours = {c.id: c.hours for c in board.opened}
    counter_rows = []
    for row, cid in enumerate(ids):
        texts = [str(counters[p].iloc[row]) for p in periods]
        if row >= own:
            on = opened_hours[cid]
        else:
            on = next((t for t in texts if parse_hours(t).available), "24/7")
        counter_rows.append({"id": cid, "name": str(counters["name"].iloc[row]),
                             "address": str(counters["address"].iloc[row]),
                             "hypothetical": bool(counters["hypothetical"].iloc[row]),
                             "lat": float(lat[row]), "lon": float(lon[row]), "on": hours(on)})
    presets = []
    for period in periods:
        presets.append({"key": f"period:{period}", "kind": "period", "id": period, "title": config.label(period),
                        "description": "", "hours": [hours(h) for h in board.hours(period_scenario(period))],
                        "at": None, "at_label": None})
    for scenario in scenarios:
        presets.append({"key": f"scenario:{scenario.name}", "kind": "scenario", "id": scenario.name,
                        "title": scenario.name, "description": scenario.description,
                        "explain": scenario.explain(config.labels, names),
                        "hours": [hours(h) for h in board.hours(scenario)],
                        "at": scenario.at.week_minute if scenario.at else None,
                        "at_label": scenario.at.label if scenario.at else None})

    # -- the lists, per mode
    patterns = _patterns(board, scenarios)
    modes = {}
    coverage = board.coverage
    approximate = []
    for mode in board.modes:
        times = board.times[mode]
        excluded = np.asarray(times.excluded, dtype=bool)[keep]
        lists = _lists(board.minutes[mode], np.flatnonzero(keep), excluded, patterns, nearest, groups,
                       len(lsoa_codes) + 1)
        _add_lists(blob, mode, lists, len(ids))
        blob.add(f"{mode}.excluded", excluded.astype(np.uint8))
        row = coverage.loc[mode]
        place = study_place(config.boroughs, local_authority=config.local_authority, built_from=config.built_from)
        modes[mode] = {"label": config.mode_label(mode), "model": times.model, "estimate": bool(times.uses_estimate),
                       "summary": plain_model_sentence({mode: times}, place=place,
                                                       labels={mode: config.mode_label(mode)}),
                       "note": model_note(times, far_population=row["far_population"],
                                          excluded_population=row["excluded_population"],
                                          max_snap_m=row["max_snap_m"], max_gap_m=row["max_gap_m"]),
                       "width": lists.width, "resolution": lists.resolution, "complete": lists.complete,
                       "kept": lists.kept_max, "traffic": _traffic(times.drive)}
        if not lists.complete:
            approximate.append(mode)

    # -- every subset's rank (small studies)
    ranked = None
    if len(ids) <= MAX_RANKED_COUNTERS:
        ranked = {"by": "mean_min", "counters": len(ids), "real_counters": own, "best": {}, "best_real": {}}
        sweeps = [("sweep", ids, "best")]
        if own < len(ids):  # hypothetical sites: real sets are ranked among real sets only
            sweeps.append(("real", ids[:own], "best_real"))
        for prefix, among, best_key in sweeps:
            swept = sweep(board, among=among, max_subsets=1 << MAX_RANKED_COUNTERS)
            for mode in board.modes:
                table = swept.table[swept.table["mode"] == mode]
                blob.add(f"{mode}.{prefix}_mean", table["mean_min"].to_numpy("<f8"))
                blob.add(f"{mode}.{prefix}_rank", table["rank"].to_numpy().astype(np.uint32))
                best = swept.best.loc[mode]
                ranked[best_key][mode] = {
                    str(int(k)): {"subset": [names[c] for c in r["subset"].split("+") if c in names],
                                  "mean": _number(r["mean_min"])} for k, r in best.iterrows()}

    # -- geometry
    lsoas = places.lsoas[["lsoa11", "geometry"]]
    geometries = _wgs84_geometries(lsoas, "LSOAs", simplify=True, tolerance_m=SIMPLIFY_M, decimals=COORD_DECIMALS)
    lsoa_rows = []
    for code, geometry in zip(lsoa_codes, geometries, strict=True):
        named = lsoa_table.loc[code] if code in lsoa_table.index else None
        lsoa_rows.append({"code": code, "name": str(named["lsoa11_name"]) if named is not None else code,
                          "ward": str(named["ward_name"]) if named is not None else "", "geometry": geometry})
    outline = gpd.GeoDataFrame(geometry=[places.boundary.to_crs(config.crs).union_all()], crs=config.crs)
    boundary = _wgs84_geometries(outline, "boundary", simplify=True, tolerance_m=SIMPLIFY_M,
                                 decimals=COORD_DECIMALS)[0]
    boroughs = None
    if len(config.boroughs) > 1:
        polygons = load_borough_polygons(config)
        boroughs = _wgs84_geometries(polygons[["geometry"]], "boroughs", simplify=True, tolerance_m=50.0,
                                     decimals=COORD_DECIMALS)

    data = {
        "version": 1,
        "study": config.name,
        "title": config.title,
        "before": config.before, "after": config.after,
        "modes": modes,
        "counters": counter_rows,
        "off": off,
        "hours": hours.entries,
        "presets": presets,
        "origins": int(keep.sum()),
        "population": float(population[keep].sum()),
        "lsoas": lsoa_rows,
        "area_kind": places.area_kind,
        "wards": wards,
        "boundary": boundary,
        "boroughs": boroughs,
        "ranked": ranked,
        "sections": blob.sections,
        "rules": {"thresholds": list(SHARE_THRESHOLDS_MIN), "quantiles": dict(QUANTILES),
                  "quantile_tolerance": QUANTILE_TOLERANCE, "change_tolerance": CHANGE_TOLERANCE_MIN,
                  "minutes_per_week": MINUTES_PER_WEEK, "days": list(DAYS)},
        "nearest": nearest,
        "approximate": approximate,
        "styles": {"time_bins": list(TIME_BINS_MIN), "time_colours": list(TIME_COLOURS),
                   "time_labels": [f"{label} min" for label in class_labels(TIME_BINS_MIN)],
                   "change_bins": list(CHANGE_BINS_MIN), "change_colours": list(CHANGE_COLOURS),
                   "change_labels": list(CHANGE_LABELS), "no_data": NO_DATA_COLOUR,
                   "counters": {key: {"fill": fill, "line": line, "label": label}
                                for key, (fill, line, label) in EXPLORER_COUNTER_STYLES.items()}},
        "narrow_px": NARROW_PX,
        "notes": list(notes),
        "links": dict(links),
        "how": how,
        "hours_rule": HOURS_RULE,
        "attribution": times_attribution(config, board.times),
        "short_attribution": config.short_attribution,
    }
    return data, blob.packed()


def _short_label(label: str) -> str:
    """Return a period label's short form for a list of choices: the part before its first colon (``2018–25``).

    The list shows the short form, so that the chosen one is never cut; the full label is shown beneath it.

    >>> _short_label("2018–25: Ilford 24/7, Barkingside closed"), _short_label("mid 2017")
    ('2018–25', 'mid 2017')
    """
    return label.split(":", 1)[0].strip() or label


def _a(noun: str) -> str:
    """Return ``noun`` with its article: ``an LSOA``, ``a ward``, ``a 1 km square``."""
    return f"an {noun}" if noun.isupper() or noun[:1] in "aeiou" else f"a {noun}"  # (an LSOA: said letter by letter)


def _number(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


# --------------------------------------------------------------------------- the page


def _json_script(value: Any) -> str:
    """JSON for a ``<script type="application/json">``: nothing in it can close the element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace(
        "\u2028", "\\u2028").replace("\u2029", "\\u2029")


@lru_cache(maxsize=1)
def _assets() -> tuple[str, str]:
    """Return the page's own script and style sheet, from the package."""
    folder = files("access.outputs")
    return (folder / "explorer.js").read_text(encoding="utf-8"), (folder / "explorer.css").read_text(encoding="utf-8")


def _options(items: Sequence[tuple[str, str]], selected: str | None = None) -> str:
    return "".join(f'<option value="{_e(value)}"{" selected" if value == selected else ""}>{_e(text)}</option>'
                   for value, text in items)


def _body(data: dict[str, Any]) -> str:
    """Return the page's controls and panels: every text escaped, every control labelled."""
    modes = data["modes"]
    first = next(iter(modes))
    estimate = [m for m, info in modes.items() if info["estimate"]]
    how = (f' <a href="{_e(data["how"])}">{_e(HOW_HEADING)}</a>.' if data.get("how") else "")
    banner = "".join(
        f'<div class="x-banner{" x-estimate" if info["estimate"] else ""}" data-mode="{_e(m)}"'
        f'{"" if m == first else " hidden"}>{"⚠ " if info["estimate"] else ""}{_e(info["summary"])}{how}'
        + ("" if how else f'<details class="x-how"><summary>{_e(HOW_HEADING)}</summary>{_e(info["note"])}</details>')
        + "</div>"
        for m, info in modes.items())
    periods = [(p["key"], _short_label(p["title"])) for p in data["presets"] if p["kind"] == "period"]
    scenarios = [(p["key"], p["title"]) for p in data["presets"] if p["kind"] == "scenario"]
    after, before = f"period:{data['after']}", f"period:{data['before']}"

    def grouped(selected: str) -> str:
        out = f'<optgroup label="Periods">{_options(periods, selected)}</optgroup>'
        if scenarios:
            out += f'<optgroup label="Scenarios of the study">{_options(scenarios, selected)}</optgroup>'
        return out

    days = [("", "Any time (hours not applied)"),
            *[(str(i), name) for i, name in enumerate(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                                      "Saturday", "Sunday"))]]
    rows = "".join(
        f'<tr data-figure="{key}"><th scope="row">{_e(label)}</th><td class="x-now"></td><td class="x-ref"></td>'
        f'<td class="x-change"></td></tr>'
        for key, label in [("mean_min", "Mean minutes"), ("median_min", "Median minutes"),
                           ("p90_min", "90th percentile, minutes"),
                           *[(f"within_{t}", f"Within {t} minutes") for t in data["rules"]["thresholds"]]])
    switches = "".join(
        f'<li class="x-counter{" x-hypothetical" if c["hypothetical"] else ""}" data-row="{i}">'
        f'<input type="checkbox" role="switch" id="x-c{i}" data-row="{i}">'
        f'<label for="x-c{i}"><span class="x-name">{_e(c["name"])}</span>'
        f'{" <span class=x-tag>hypothetical</span>" if c["hypothetical"] else ""}'
        f'<span class="x-hours" id="x-h{i}"></span></label></li>'
        for i, c in enumerate(data["counters"]))
    approximate = ""
    if data["approximate"]:
        approximate = (
            f'<p class="x-note x-approx-note">To keep the page small, each origin keeps its {data["nearest"]} '
            f'nearest counters ({_e(", ".join(data["approximate"]))}) and every counter it needs in the study\'s '
            "periods and scenarios, which stay exact. Where you switch off all of an origin's kept counters, its "
            "time is known only between bounds, and the figures are shown as ranges that hold the exact value."
            "</p>")
    links = " · ".join(f'<a href="{_e(href)}">{_e(text)}</a>' for text, href in data["links"].items())
    notes = "".join(f'<p class="x-note">{_e(note)}</p>' for note in data["notes"])
    mode_options = _options([(m, info["label"]) for m, info in modes.items()], first)
    ranked = ("" if data["ranked"] else
              '<p class="x-note" id="x-rank-none">Ranking every set of counters needs at most '
              f'{MAX_RANKED_COUNTERS} counters; this study has {len(data["counters"])}.</p>')
    dots = "".join(f'<div class="x-row"><span class="x-dot" style="background:{c["fill"]};border-color:{c["line"]}">'
                   f'</span>{_e(c["label"])}</div>' for c in data["styles"]["counters"].values())
    return f"""
<div class="x-app">
<div class="x-panel" id="x-panel">
<header>
<h1>{_e(data["title"])}</h1>
<p class="x-lead">What if: close and open counters, choose a moment of the week, and see the effect at once.
{'<span class="x-tag x-estimate-tag">ESTIMATE</span>' if estimate else ''}</p>
{banner}
{approximate}
<p class="x-status" id="x-status" role="status">Loading the travel times…</p>
</header>
<div class="x-summary" id="x-summary" aria-live="polite"></div>
<section class="x-view" aria-label="Map">
<fieldset class="x-field"><legend>Colour the areas by</legend>
<label><input type="radio" name="x-view" value="time" checked> time now</label>
<label><input type="radio" name="x-view" value="change"> change against the reference</label>
</fieldset>
<div class="x-legend" id="x-legend" aria-label="Legend"></div>
<div class="x-legend x-counter-legend"><h3>Counters</h3>{dots}
<div class="x-row"><span class="x-dot x-dashed" style="background:#ffffff;border-color:#2b83ba"></span>hypothetical
(dashed ring)</div></div>
</section>
<section class="x-controls" aria-label="Choices">
<div class="x-field"><label for="x-mode">Travel</label><select id="x-mode">{mode_options}</select></div>
<div class="x-field"><label for="x-preset">Start from</label><select id="x-preset">{grouped(after)}</select>
<p class="x-note" id="x-preset-note" hidden></p></div>
<fieldset class="x-field x-moment"><legend>Moment of the week</legend>
<label for="x-day">Day</label><select id="x-day">{_options(days, "")}</select>
<label for="x-time">Time</label><input type="time" id="x-time" value="12:00" step="60" disabled>
</fieldset>
<div class="x-field x-wide"><label for="x-reference">Compare with</label>
<select id="x-reference">{grouped(before)}</select><p class="x-note" id="x-reference-note" hidden></p></div>
</section>
<section class="x-figures" aria-label="Figures">
<h2 id="x-title-now">Now</h2>
<table id="x-table"><caption id="x-caption">Population-weighted minutes to the nearest open counter</caption>
<thead><tr><th scope="col">Figure</th><th scope="col">Now</th><th scope="col">Reference</th>
<th scope="col">Change</th></tr></thead>
<tbody>{rows}</tbody></table>
<p class="x-people"><span id="x-worse"></span> <span id="x-better"></span></p>
<p class="x-people" id="x-open"></p>
<p class="x-people" id="x-reach"></p>
<p class="x-people x-approx" id="x-approx" hidden></p>
<p class="x-people" id="x-rank"></p>{ranked}
</section>
<section aria-label="About the map">
<p class="x-note">Each area is {_e(_a(data["area_kind"]))}: its residents' population-weighted mean minutes. Hover
over one for its figures; click a counter on the map, or use the switches below, to close or open it.</p>
</section>
<section class="x-counters" aria-label="Counters">
<h2>Counters</h2>
<p class="x-note">On: open with the hours shown (the preset's, or, for a counter the preset has closed, its hours in the
first period it was open). Greyed: on, but closed at the moment chosen.</p>
<p class="x-buttons"><button type="button" id="x-all-on">All on</button>
<button type="button" id="x-all-off">All off</button>
<button type="button" id="x-reset">Back to the preset</button></p>
<ul class="x-list" id="x-list">{switches}</ul>
</section>
<footer>
<p class="x-note">{_e(data["hours_rule"][0].upper() + data["hours_rule"][1:])}.</p>
{notes}
{f'<p class="x-links">{links}</p>' if links else ''}
<p class="x-attribution">Data: {_e(data["attribution"])}</p>
</footer>
</div>
<div class="x-map" id="x-map" role="region" aria-label="Map of the areas, coloured by the figure chosen in the panel">
</div>
</div>"""


def _traffic(drive: DriveCosts | None) -> dict[str, Any] | None:
    """Return the drive model's re-timing at a moment, as the page applies it (:meth:`DriveCosts.at`), else ``None``.

    >>> _traffic(DriveCosts())["overhead_min"], len(_traffic(DriveCosts())["weekday"])
    (4.0, 24)
    """
    if drive is None:
        return None
    return {"overhead_min": drive.overhead_min, "weekday": list(drive.weekday), "weekend": list(drive.weekend)}


def explorer_html(board: Board, scenarios: Sequence[Scenario] | None = None, *, nearest: int = DEFAULT_NEAREST,
                  links: Mapping[str, str] | None = None, notes: Sequence[str] = (), how: str | None = None) -> str:
    """Return the what-if explorer of a board: one self-contained HTML page, as a string.

    Parameters
    ----------
    board
        Counter × origin minutes (:func:`~access.whatif.board.build_board` or
        :func:`~access.whatif.board.board_from_result`); it must hold the rows of every
        counter ``scenarios`` open.
    scenarios
        The named scenarios offered as presets (default: the study's, see :func:`explorer_scenarios`).
    nearest
        Counters kept per origin when the study has more than this (see the module docstring).
    links
        Link text → href shown at the foot of the panel (the report and maps beside the page).
    notes
        Further sentences for the foot of the panel.
    how
        A link to where the model is explained (the report's "How these times were made"); without one,
        the page folds the model's full note under its one plain sentence.

    Returns
    -------
    str
        The page.

    Raises
    ------
    OutputError
        ``nearest`` is not a positive whole number, or the times cannot be encoded.

    Examples
    --------
    >>> from access import load_study
    >>> from access.whatif.board import build_board
    >>> page = explorer_html(build_board(load_study("redbridge-2017"), [], modes=["walk"], offline=True))
    >>> page.startswith("<!DOCTYPE html>"), len(page) < 2_000_000, "STRAIGHT-LINE ESTIMATE" in page
    (True, True, True)
    """
    if isinstance(nearest, bool) or not isinstance(nearest, int) or nearest < 1:
        raise OutputError(f"nearest={nearest!r}: give the number of counters to keep per origin, a whole number "
                          f"of at least 1")
    if scenarios is None:
        board, scenarios, left_out = explorer_scenarios(board)
        notes = [*notes, *left_out]
    data, blob = _payload(board, list(scenarios), nearest=nearest, notes=notes, links=links or {}, how=how)
    script, style = _assets()
    css, leaflet = _leaflet_assets()
    title = f"{data['title']}: what if"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n"
        f"<style>\n{css}\n</style>\n<style>\n{style.replace('NARROW_PX', str(NARROW_PX))}\n</style>\n"
        f"<script>\n{leaflet}\n</script>\n"
        "</head>\n<body>\n"
        f"{_body(data)}\n"
        f'<script type="application/json" id="x-data">{_json_script(data)}</script>\n'
        f'<script type="application/octet-stream" id="x-blob">{blob}</script>\n'
        f"<script>\n{script}\n</script>\n"
        "</body>\n</html>\n"
    )
