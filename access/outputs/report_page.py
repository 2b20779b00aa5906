"""One shareable page per run: ``report.html``, beside the maps.

The page is plain HTML with inline CSS and inline SVG (no scripts, no
internet), made to read on a laptop screen and to print:

* at the top, in one plain sentence, how the times were made (in red when any
  mode is a straight-line estimate), and the headline figures per mode: both in
  the first screen on a laptop and on a phone;
* who lost most (the group with the largest rise in each breakdown);
* the counters: each one's address and hours in every period, open or closed
  before and after, and where residents whose nearest counter changed now go
  (:attr:`~access.analysis.study.StudyResult.switches`);
* per mode, a before/after chart of the cumulative share of residents against
  travel time, and a small static map of the change by LSOA with the counters
  and the 30-minute area after;
* the group tables of :mod:`access.analysis.equity` (residents- and household-weighted);
* links to the interactive maps; how the times were made, with the model's
  numbers (the wording is :mod:`access.outputs.notes`'); its limits; the data
  sources and attribution.

Wide tables scroll inside their own box, so that no part of the page runs off
a phone's screen; chart text stays at least 11 pixels high at 390 pixels wide.

Every piece of text that reaches the page is escaped with :func:`html.escape`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from access.analysis.equity import DIMENSIONS, GROUP_NOTES, OVER_MIN
from access.analysis.study import StudyResult
from access.core.defaults import PUBLIC_TRANSPORT_LIMITS_MIN
from access.core.version import __version__
from access.inputs.hours import HOURS_RULE
from access.inputs.sources import downloads, local_authority_downloads, sources
from access.outputs.explorer import EXPLORER_NAME
from access.outputs.formats import count, hours_words, minutes, percent, signed
from access.outputs.formats import escape as _e
from access.outputs.notes import (
    ESTIMATE_REMEDY,
    HOW_ANCHOR,
    HOW_HEADING,
    PUBLIC_TRANSPORT_CRITERION,
    isochrone_note,
    page_warnings,
    plain_model_sentence,
    result_model_note,
    study_place,
    transit_attribution,
    transit_statistic,
    ward_names_note,
)
from access.outputs.styles import (
    AFTER_COLOUR,
    BEFORE_COLOUR,
    CHANGE_BINS_MIN,
    CHANGE_COLOURS,
    CHANGE_LABELS,
    COUNTER_STYLES,
    ISOCHRONE_COLOURS,
    class_colour,
)
from access.routing.travel import IMPORTED_MODEL

__all__ = ["report_html", "cumulative_chart_svg", "REPORT_NAME"]

REPORT_NAME = "report.html"

_CSS = """
:root { --ink: #1b1b1b; --muted: #555; --rule: #d0d0d0; --before: BEFORE_COLOUR; --after: AFTER_COLOUR; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { font: 15px/1.45 "Helvetica Neue", Arial, Helvetica, sans-serif; color: var(--ink); margin: 0;
  background: #f4f4f2; }
main { max-width: 1180px; margin: 0 auto; padding: 18px 28px 40px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 8px; line-height: 1.2; }
h2 { font-size: 20px; margin: 28px 0 8px; padding-bottom: 3px; border-bottom: 2px solid var(--ink); }
h2.first { margin-top: 12px; }
h3 { font-size: 16px; margin: 18px 0 6px; }
p { margin: 6px 0; }
a { color: #08519c; }
.lede { color: var(--muted); max-width: 900px; }
.periods { margin: 6px 0 2px; }
.notice { margin: 8px 0; padding: 7px 12px; border-radius: 4px; max-width: 900px; }
.notice.estimate { background: #fdecea; border: 2px solid #c0392b; border-left-width: 8px; color: #5b1710;
  font-weight: bold; }
.notice.estimate a { color: #7b241c; }
.notice.routed { background: #eef5ea; border-left: 6px solid #1a9641; }
.note { color: var(--muted); font-size: 13px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(300px, 100%), 1fr)); gap: 12px;
  margin: 8px 0; }
.card { border: 1px solid var(--rule); border-radius: 6px; padding: 8px 14px; }
.card h3 { margin: 0 0 4px; }
.big { font-size: 24px; font-weight: bold; }
.big .arrow { color: var(--muted); font-weight: normal; }
.before { color: var(--before); } .after { color: var(--after); }
.estimate-tag { display: inline-block; background: #c0392b; color: #fff; font-size: 11px; font-weight: bold;
  padding: 1px 6px; border-radius: 3px; vertical-align: middle; }
ul.who, ul.goes { margin: 6px 0; padding-left: 20px; }
.figures { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; align-items: start; }
@media (max-width: 760px) { .figures { grid-template-columns: minmax(0, 1fr); } }
figure { margin: 0; border: 1px solid var(--rule); border-radius: 6px; padding: 8px; min-width: 0; }
figure h4 { font-size: 14px; margin: 0 0 4px; }
figcaption { font-size: 13px; color: var(--muted); margin-top: 4px; }
svg { display: block; width: 100%; height: auto; }
figure.chart svg { max-width: 440px; margin: 0 auto; }
figure.map svg { height: 300px; width: auto; max-width: 100%; margin: 0 auto; }
.key { display: inline-block; width: 22px; height: 0; border-top: 3px solid; vertical-align: middle;
  margin: 0 5px 0 0; }
.swatch { display: inline-block; width: 12px; height: 10px; border: 1px solid #999; margin: 0 3px 0 8px; }
.scroll { overflow-x: auto; max-width: 100%; margin: 6px 0 4px; }
.scroll:focus-visible { outline: 2px solid #08519c; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { padding: 3px 6px; border-bottom: 1px solid var(--rule); text-align: right; vertical-align: top;
  white-space: nowrap; }
th { background: #f0f0ee; font-weight: bold; }
th[colspan] { text-align: center; border-left: 2px solid #fff; }
th:first-child, td:first-child { text-align: left; white-space: normal; }
td.text, th.text { text-align: left; white-space: normal; min-width: 9em; }
td.hours { text-align: left; white-space: normal; min-width: 7em; }
td.hours.shut { color: var(--muted); }
th.study { background: #e3e3f0; }
tr.everyone td { font-weight: bold; background: #fafaf8; }
td .chg { color: var(--after); font-size: 12px; }
td .chg.zero { color: var(--muted); }
td .addr { display: block; color: var(--muted); font-size: 12px; }
.worst { background: #fde0dd; }
.status-closed { color: #b2182b; font-weight: bold; }
.status-opened { color: #08306b; font-weight: bold; }
.maps a { font-weight: bold; }
footer { margin-top: 30px; font-size: 12px; color: var(--muted); border-top: 1px solid var(--rule); padding-top: 8px; }
@media (max-width: 600px) {
  main { padding: 10px 14px 30px; }
  h1 { font-size: 21px; margin-bottom: 6px; }
  h2 { font-size: 18px; margin-top: 22px; }
  h2.first { margin-top: 8px; }
  .notice { padding: 6px 9px; font-size: 14px; }
  .periods { font-size: 14px; }
  .cards { gap: 8px; }
  .card { padding: 6px 10px; }
  .big { font-size: 22px; }
  figure.map svg { height: auto; width: 100%; }
}
@media print {
  @page { size: A4 portrait; margin: 12mm; }
  body { background: #fff; font-size: 10pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table, figure, .card, .notice { break-inside: avoid; page-break-inside: avoid; }
  .scroll { overflow: visible; }
  table { font-size: 8.5pt; }
  th, td { padding: 2px 4px; white-space: normal; }
  .figures { grid-template-columns: 1fr 1fr; }
  .cards { grid-template-columns: repeat(3, 1fr); gap: 6px; }
  .card { padding: 6px 8px; }
  .big { font-size: 16pt; }
  figure.map svg { height: 230px; }
  .notice, .estimate-tag, th, .worst, .swatch, .key { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
  .maps a[href]::after { content: " (" attr(href) ")"; font-weight: normal; color: var(--muted); }
}
""".replace("BEFORE_COLOUR", BEFORE_COLOUR).replace("AFTER_COLOUR", AFTER_COLOUR)

CHART_FONT = 13
"""Font size of a chart's text, in the chart's own units (it is 400 wide): 11 pixels or more where a phone draws it
340 pixels wide."""

SWITCHES_SHOWN = 12
"""Most counter pairs the report lists under "where people now go" (``switches.csv`` has every one)."""


# --------------------------------------------------------------------------- chart


def _cumulative(minutes: np.ndarray, weights: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Share of the total weight at or under each grid time (unreachable never counts)."""
    order = np.argsort(minutes, kind="stable")
    sorted_min, cumulative = minutes[order], np.cumsum(weights[order])
    total = weights.sum()
    index = np.searchsorted(sorted_min, grid, side="right")
    reached = np.where(index > 0, cumulative[np.maximum(index - 1, 0)], 0.0)
    return reached / total if total else np.zeros_like(grid)


def _nice_limit(value: float) -> float:
    for step in (10, 15, 20, 30, 45, 60, 90, 120, 180, 240):
        if value <= step:
            return float(step)
    return float(math.ceil(value / 60) * 60)


def cumulative_chart_svg(before_min: np.ndarray, after_min: np.ndarray, weights: np.ndarray, *,
                         before_label: str, after_label: str, title: str, width: int = 400,
                         height: int = 250) -> str:
    """Return an inline SVG chart: share of residents (y) within each travel time (x), before and after.

    The x axis runs to the longest time (or to the 99th percentile when the
    longest is more than 1.5 times that), rounded up to a round number of
    minutes; a dotted line marks :data:`access.analysis.equity.OVER_MIN`.  The
    curves are drawn in :data:`~access.outputs.styles.BEFORE_COLOUR` and
    :data:`~access.outputs.styles.AFTER_COLOUR`; the page puts their legend
    beside the chart, in HTML (:func:`chart_key`), where long period labels
    wrap.  Text is :data:`CHART_FONT` units high.

    Examples
    --------
    >>> svg = cumulative_chart_svg([5, 10], [10, 40], [1, 1], before_label="before", after_label="after",
    ...                            title="Walking")
    >>> svg.startswith("<svg"), svg.count("<polyline")
    (True, 2)
    """
    before_min, after_min = np.asarray(before_min, float), np.asarray(after_min, float)
    weights = np.asarray(weights, float)
    finite = np.concatenate([before_min[np.isfinite(before_min)], after_min[np.isfinite(after_min)]])
    if finite.size:
        # the whole curve, unless a few outliers would squash it: then the 99th percentile
        longest, p99 = float(finite.max()), float(np.quantile(finite, 0.99))
        top = _nice_limit(longest if longest <= 1.5 * p99 else p99)
    else:
        top = 60.0
    left, right, upper, lower = 46, 14, 10, 44
    plot_w, plot_h = width - left - right, height - upper - lower
    grid = np.linspace(0, top, 241)
    size = CHART_FONT

    def x(value: float) -> float:
        return left + plot_w * value / top

    def y(share: float) -> float:
        return upper + plot_h * (1 - share)

    described = f"{title}: {before_label} and {after_label}"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{_e(described)}">',
             f'<title>{_e(described)}</title>',
             f'<rect x="{left}" y="{upper}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="#999"/>']
    for share in (0.25, 0.5, 0.75):
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(share):.1f}" y2="{y(share):.1f}" '
                     f'stroke="#e3e3e3"/>')
    for share in (0, 0.5, 1):
        parts.append(f'<text x="{left - 5}" y="{y(share) + size * 0.35:.1f}" font-size="{size}" text-anchor="end" '
                     f'fill="#444">{share * 100:.0f}%</text>')
    step = 5 if top <= 30 else 10 if top <= 60 else 15 if top <= 120 else 30
    ticks = np.arange(0, top + 0.1, step)
    labelled = ticks[::2] if len(ticks) > 7 else ticks  # room for the labels at this size
    for tick in ticks:
        parts.append(f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{upper + plot_h}" y2="{upper + plot_h + 4}" '
                     f'stroke="#666"/>')
    for tick in labelled:
        parts.append(f'<text x="{x(tick):.1f}" y="{upper + plot_h + size + 3}" font-size="{size}" '
                     f'text-anchor="middle" fill="#444">{tick:g}</text>')
    parts.append(f'<text x="{left + plot_w / 2}" y="{height - 5}" font-size="{size}" text-anchor="middle" '
                 f'fill="#222">minutes to the nearest open counter</text>')
    if OVER_MIN <= top:
        parts.append(f'<line x1="{x(OVER_MIN):.1f}" x2="{x(OVER_MIN):.1f}" y1="{upper}" y2="{upper + plot_h}" '
                     f'stroke="#777" stroke-dasharray="3 3"/>')
    for values, colour in ((before_min, BEFORE_COLOUR), (after_min, AFTER_COLOUR)):
        shares = _cumulative(np.where(np.isfinite(values), values, np.inf), weights, grid)
        points = " ".join(f"{x(t):.1f},{y(s):.1f}" for t, s in zip(grid, shares, strict=True))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.4"/>')
    parts.append("</svg>")
    return "".join(parts)


def chart_key(before_label: str, after_label: str) -> str:
    """Return the HTML legend of :func:`cumulative_chart_svg`'s two curves.

    >>> print(chart_key("2013–17", "2018–25"))  # doctest: +ELLIPSIS
    <div class="note"><span class="key" style="border-color:#5e3c99"></span>before: 2013–17<br>...
    """
    return (f'<div class="note"><span class="key" style="border-color:{BEFORE_COLOUR}"></span>before: '
            f'{_e(before_label)}<br><span class="key" style="border-color:{AFTER_COLOUR}"></span>after: '
            f'{_e(after_label)}<br>Dotted line: {OVER_MIN} minutes.</div>')


# --------------------------------------------------------------------------- static map


def _path(geometry: shapely.Geometry, transform: Any) -> str:
    """SVG path data of a (multi)polygon."""
    rings = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.is_empty or polygon.geom_type != "Polygon":
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            xy = transform(np.asarray(ring.coords))
            rings.append("M" + "L".join(f"{a:.1f},{b:.1f}" for a, b in xy) + "Z")
    return "".join(rings)


_WITHIN_COLOUR = ISOCHRONE_COLOURS["after"][OVER_MIN] if OVER_MIN in ISOCHRONE_COLOURS["after"] else "#000000"


def _map_svg(result: StudyResult, mode: str, isochrones: Any | None, width: int = 520) -> str:
    """Return a small static map: change by LSOA, the 30-minute area after, counters open/closed."""
    places, config = result.study.places, result.config
    boundary = places.boundary.geometry.iloc[0]
    west, south, east, north = boundary.bounds
    pad = 0.03 * max(east - west, north - south)
    west, south, east, north = west - pad, south - pad, east + pad, north + pad
    scale = width / (east - west)
    height = int(round((north - south) * scale)) + 1

    def transform(xy: np.ndarray) -> np.ndarray:
        return np.column_stack([(xy[:, 0] - west) * scale, (north - xy[:, 1]) * scale])

    tolerance = 1.5 / scale  # about a pixel and a half
    change = result.by_lsoa().xs(mode, level="mode")["change_min"]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="Change in minutes {_e(result.config.mode_label(mode))} by '
             f'{_e(result.study.places.area_kind)}">']
    for lsoa, geometry in zip(places.lsoas["lsoa11"], places.lsoas.geometry, strict=True):
        d = _path(geometry.simplify(tolerance), transform)
        fill = class_colour(change.get(lsoa), CHANGE_BINS_MIN, CHANGE_COLOURS)
        parts.append(f'<path d="{d}" fill="{fill}" stroke="#fff" stroke-width="0.4"/>')
    if isochrones is not None:
        row = isochrones[(isochrones["role"] == "after") & (isochrones["minutes"] == OVER_MIN)]
        if len(row):
            d = _path(row.geometry.iloc[0].simplify(tolerance), transform)
            parts.append(f'<path d="{d}" fill="none" stroke="{_WITHIN_COLOUR}" stroke-width="2" '
                         f'stroke-dasharray="5 3"/>')
    parts.append(f'<path d="{_path(boundary.simplify(tolerance), transform)}" fill="none" stroke="#000" '
                 f'stroke-width="1.4"/>')
    available = result.available
    for (_, counter), (cx, cy) in zip(places.counters.iterrows(),
                                      transform(np.column_stack([places.counters.geometry.x,
                                                                 places.counters.geometry.y])), strict=True):
        if not (0 <= cx <= width and 0 <= cy <= height):
            continue
        was, now = available.loc[counter["id"], config.before], available.loc[counter["id"], config.after]
        kind = _kind(bool(was), bool(now))
        if kind == "neither":
            continue
        fill, line, radius, _label = COUNTER_STYLES[kind]
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius * 0.7:g}" fill="{fill}" stroke="{line}" '
                     f'stroke-width="3">'
                     f'<title>{_e(counter["name"])}: {_e(_STATUS[kind])}</title></circle>')
    parts.append("</svg>")
    return "".join(parts)


def _kind(was: bool, now: bool) -> str:
    return {(True, True): "kept", (False, True): "opened", (True, False): "closed"}.get((was, now), "neither")


_STATUS = {"kept": "open before and after", "opened": "opened: open after, not before",
           "closed": "closed: open before, not after", "neither": "open in neither period"}


def _map_legend() -> str:
    swatches = "".join(f'<span class="swatch" style="background:{c}"></span>{_e(t)}'
                       for c, t in zip(CHANGE_COLOURS, CHANGE_LABELS, strict=True))
    dots = "".join(f'<span style="color:{line}">{"●" if fill != "#ffffff" else "○"}</span> {_e(label)}; '
                   for kind, (fill, line, _r, label) in COUNTER_STYLES.items() if kind != "neither")
    return (f'<div class="note">Minutes longer after than before: {swatches}. '
            f'<span style="color:{_WITHIN_COLOUR}">- - -</span> within {OVER_MIN} min after; {dots.rstrip("; ")}.'
            f'</div>')


# --------------------------------------------------------------------------- sections


def _scroll(table: str, label: str) -> str:
    """Return a table in its own box, which scrolls sideways on a narrow screen instead of the page."""
    return f'<div class="scroll" role="region" tabindex="0" aria-label="{_e(label)}">{table}</div>'


def _place(result: StudyResult) -> str:
    config = result.config
    return study_place(config.boroughs, local_authority=config.local_authority, built_from=config.built_from)


def _notice(result: StudyResult) -> str:
    """Return the page's one plain sentence on how the times were made, pointing to the section that explains it."""
    labels = {m: result.config.mode_label(m) for m in result.modes}
    sentence = plain_model_sentence(result.times, place=_place(result), labels=labels)
    estimate = any(times.uses_estimate for times in result.times.values())
    link = f' <a href="#{HOW_ANCHOR}">{_e(HOW_HEADING)}</a>.'
    if estimate:
        return f'<p class="notice estimate" role="note">⚠ {_e(sentence)}{link}</p>'
    return f'<p class="notice routed" role="note">{_e(sentence)}{link}</p>'


def _headline_cards(result: StudyResult) -> str:
    changes, cards = result.changes, []
    for mode in result.modes:
        row = changes.loc[mode]
        tag = ' <span class="estimate-tag">ESTIMATE</span>' if result.times[mode].uses_estimate else ""
        criterion = ""
        if result.times[mode].is_transit:
            row60 = result.at_least(mode, by=None).loc[("all", PUBLIC_TRANSPORT_LIMITS_MIN[0])]
            criterion = (f'<p>{PUBLIC_TRANSPORT_LIMITS_MIN[0]} minutes or more (MOPAC\'s criterion): '
                         f'<b>{count(row60["before"])} → {count(row60["after"])}</b> residents.</p>')
        cards.append(
            f'<div class="card"><h3>{_e(result.config.mode_label(mode).capitalize())}{tag}</h3>'
            f'<div class="big"><span class="before">{minutes(row["mean_min_before"])}</span>'
            f'<span class="arrow"> → </span><span class="after">{minutes(row["mean_min_after"])}</span> min</div>'
            f'<p>mean time to the nearest open counter ({signed(row["mean_min_change"])} min); median '
            f'{minutes(row["median_min_before"])} → {minutes(row["median_min_after"])}.</p>'
            f'<p>Over {OVER_MIN} minutes away: <b>{percent(1 - row[f"within_{OVER_MIN}_before"])} → '
            f'{percent(1 - row[f"within_{OVER_MIN}_after"])}</b> of residents.</p>'
            f'{criterion}<p class="note">{count(row["population_switched"])} residents\' nearest counter changed '
            f'({signed(row["mean_change_min_switched"])} min on average).</p></div>')
    return f'<div class="cards">{"".join(cards)}</div>'


_CAR_GROUPS = {"no car or van": "households without a car or van", "car or van": "households with a car or van"}


def _who_lost_most(result: StudyResult) -> str:
    """One line per breakdown: the group whose mean time rose most, for the first mode run.

    Households with and without a car are two groups like any others: the line names whichever rose more,
    with the other beside it.
    """
    table = result.breakdowns
    lines = []
    for mode in result.modes[:1]:
        label = result.config.mode_label(mode)
        for dimension in table.index.get_level_values("dimension").unique():
            if dimension == "all":
                continue
            weight = "households" if dimension == "car" else "residents"
            try:
                part = table.xs((dimension, weight, mode), level=["dimension", "weight", "mode"])
            except KeyError:
                continue
            if len(part) < 2 or part["mean_change_min"].isna().all():
                continue
            worst = part["mean_change_min"].idxmax()
            row = part.loc[worst]
            line = (f"<li><b>{_e(DIMENSIONS[dimension])}</b>: {_e(_CAR_GROUPS.get(worst, worst))} "
                    f"({count(row['count'])} {weight}), mean {_e(label)} "
                    f"{minutes(row['mean_before_min'])} → {minutes(row['mean_after_min'])} min "
                    f"({signed(row['mean_change_min'])}); over {OVER_MIN} min "
                    f"{percent(row[f'over_{OVER_MIN}_before'])} → {percent(row[f'over_{OVER_MIN}_after'])}")
            if dimension == "car":
                other = next(g for g in part.index if g != worst)
                rest = part.loc[other]
                line += (f" (against {_e(_CAR_GROUPS.get(other, other))}, {count(rest['count'])}: "
                         f"{minutes(rest['mean_before_min'])} → {minutes(rest['mean_after_min'])} min, "
                         f"{signed(rest['mean_change_min'])}; {percent(rest[f'over_{OVER_MIN}_before'])} → "
                         f"{percent(rest[f'over_{OVER_MIN}_after'])})")
            lines.append(line + ".</li>")
    if not lines:
        return ""
    return ("<h3>Who lost most</h3><p class=\"note\">In each breakdown, the group whose mean time rose most "
            f"({_e(result.config.mode_label(result.modes[0]))}).</p><ul class=\"who\">{''.join(lines)}</ul>")


def _period_columns(result: StudyResult) -> list[str]:
    """Return the study's periods in the order of the counter table's columns (the order they happened)."""
    counters = result.study.places.counters
    listed = [c for c in counters.columns if c in result.config.periods]
    return listed + [p for p in result.config.periods if p not in listed]


def _short(label: str) -> str:
    """Return a period label's short form, the part before its first colon (``2013–17``), for a column heading."""
    return label.split(":", 1)[0].strip() or label


def _counters_section(result: StudyResult) -> str:
    """Every counter: its address, its hours in every period, and whether it was open before and after."""
    config, counters = result.config, result.study.places.counters
    available = result.available
    periods = _period_columns(result)
    head = ("<tr><th class=\"text\">Counter</th>"
            + "".join(f'<th class="{"study" if p in (config.before, config.after) else ""}" '
                      f'title="{_e(config.label(p))}">{_e(_short(config.label(p)))}'
                      f'{" (before)" if p == config.before else " (after)" if p == config.after else ""}</th>'
                      for p in periods)
            + "<th class=\"text\">Before → after</th></tr>")
    rows = []
    order = {"closed": 0, "kept": 1, "opened": 2, "neither": 3}
    records = []
    for _, counter in counters.iterrows():
        cid = counter["id"]
        kind = _kind(bool(available.loc[cid, config.before]), bool(available.loc[cid, config.after]))
        records.append((order[kind], str(counter["name"]), kind, counter))
    for _, name, kind, counter in sorted(records, key=lambda r: (r[0], r[1])):
        cells = []
        for period in periods:
            is_open = bool(available.loc[counter["id"], period])
            cells.append(f'<td class="hours{"" if is_open else " shut"}">{_e(hours_words(counter[period]))}</td>')
        css = {"closed": ' class="status-closed"', "opened": ' class="status-opened"'}.get(kind, "")
        address = str(counter.get("address", "") or "")
        rows.append(f'<tr><td class="text"><b>{_e(name)}</b>'
                    + (f'<span class="addr">{_e(address)}</span>' if address and address != "nan" else "")
                    + f'</td>{"".join(cells)}<td class="text"><span{css}>{_e(_STATUS[kind])}</span></td></tr>')
    table = f"<table>{head}{''.join(rows)}</table>"
    assumed = ("Hours read 'open, hours not known' or 'not known' count as open at every moment, the generous "
               "reading, so a loss of access is never overstated by a guess.")
    return ("<h2>The counters</h2>"
            f"<p class=\"note\">Every counter the study counts, with its address and its hours in each period; a "
            f"grey entry is closed. Before: {_e(config.label(config.before))}. After: "
            f"{_e(config.label(config.after))}. {_e(assumed)}</p>"
            + _scroll(table, "Counters and their hours in each period")
            + _switches_section(result))


def _switches_section(result: StudyResult) -> str:
    """Where residents whose nearest counter changed now go, from :attr:`StudyResult.switches`."""
    switches = result.switches
    if switches.empty:
        return ("<h3>Where people now go</h3><p>No resident's nearest open counter changed from before to after.</p>")
    counters = result.study.places.counters
    names = dict(zip(counters["id"], counters["name"].astype(str), strict=True))
    config = result.config
    pairs = switches.set_index(["mode", "from_counter", "to_counter"])
    modes = list(dict.fromkeys(switches["mode"]))
    same = all(pairs.xs(m, level="mode")["population"].round(2).equals(pairs.xs(modes[0], level="mode")["population"]
                                                                      .round(2)) for m in modes)
    shown_modes = modes if same else modes
    out = ["<h3>Where people now go</h3>"]
    for group_modes in ([modes] if same else [[m] for m in modes]):
        first = group_modes[0]
        rows = switches[switches["mode"] == first]
        mode_word = config.mode_label(first)
        sentences = []
        for source, part in list(rows.groupby("from_counter", sort=False))[:5]:
            destinations = [f"{count(r.population)} residents whose nearest counter was {names.get(source, source)} "
                            f"are now nearest to {names.get(r.to_counter, r.to_counter)} "
                            f"({signed(r.mean_change_min)} min {mode_word} on average)" if i == 0 else
                            f"{count(r.population)} to {names.get(r.to_counter, r.to_counter)} "
                            f"({signed(r.mean_change_min)})"
                            for i, r in enumerate(part.head(4).itertuples())]
            more = len(part) - 4
            text = ", ".join(destinations[:-1]) + (" and " if len(destinations) > 1 and more <= 0 else ", ")
            text = (text + destinations[-1]) if len(destinations) > 1 else destinations[0]
            if more > 0:
                text += f", and {more} other counter{'s' if more > 1 else ''}"
            sentences.append(f"<li>{_e(text)}.</li>")
        if not same:
            out.append(f"<p><b>{_e(mode_word.capitalize())}</b></p>")
        out.append(f'<ul class="goes">{"".join(sentences)}</ul>')
        head = ("<tr><th class=\"text\">Nearest before</th><th class=\"text\">Nearest after</th><th>Residents</th>"
                + "".join(f"<th>Mean change {_e(config.mode_label(m))}</th>" for m in group_modes)
                + "".join(f"<th>Largest change {_e(config.mode_label(m))}</th>" for m in group_modes) + "</tr>")
        body = []
        for r in rows.head(SWITCHES_SHOWN).itertuples():
            key = (r.from_counter, r.to_counter)
            means = [pairs.loc[(m, *key), "mean_change_min"] if (m, *key) in pairs.index else float("nan")
                     for m in group_modes]
            largest = [pairs.loc[(m, *key), "max_change_min"] if (m, *key) in pairs.index else float("nan")
                       for m in group_modes]
            body.append(f"<tr><td class=\"text\">{_e(names.get(r.from_counter, r.from_counter))}</td>"
                        f"<td class=\"text\">{_e(names.get(r.to_counter, r.to_counter))}</td>"
                        f"<td>{count(r.population)}</td>"
                        + "".join(f"<td>{signed(v)} min</td>" for v in means)
                        + "".join(f"<td>{signed(v)} min</td>" for v in largest) + "</tr>")
        hidden = len(rows) - SWITCHES_SHOWN
        out.append(_scroll(f"<table>{head}{''.join(body)}</table>", "Where residents whose nearest counter changed "
                                                                    "now go"))
        if hidden > 0:
            out.append(f'<p class="note">The {SWITCHES_SHOWN} largest of {len(rows)} pairs of counters; '
                       f"switches.csv beside this page lists every one.</p>")
    which = (" The same residents in every mode." if same and len(shown_modes) > 1 else "")
    out.insert(1, f'<p class="note">Residents whose nearest open counter changed from before to after, by the '
                  f"counter they were nearest to and the one they are nearest to now, with the change in their "
                  f"minutes (population-weighted mean).{_e(which)}</p>")
    return "".join(out)


def _group_table(result: StudyResult, dimension: str, weight: str) -> str:
    table = result.breakdowns
    index = table.index
    keep = (index.get_level_values("dimension") == dimension) & (index.get_level_values("weight") == weight)
    part = table[keep]
    if part.empty:
        return ""
    groups = list(dict.fromkeys(part.index.get_level_values("group")))
    noun = "Households" if weight == "households" else "Residents"
    modes = list(dict.fromkeys(part.index.get_level_values("mode")))  # the study's, and walking at an older pace
    head = (f"<tr><th rowspan=\"2\">Group</th><th rowspan=\"2\">{noun}</th>"
            + "".join(f'<th colspan="2">{_e(result.config.mode_label(m).capitalize())}</th>' for m in modes)
            + "</tr><tr>"
            + "".join(f"<th>mean min</th><th>over {OVER_MIN} min</th>" for _ in modes) + "</tr>")
    worst = {m: part.xs(m, level="mode")["mean_change_min"].max() for m in modes}
    rows = []
    for group in groups:
        cells = []
        counted: list[float] = []
        for mode in modes:
            key = (dimension, group, weight, mode)
            if key not in part.index:
                cells.append("<td></td><td></td>")
                continue
            row = part.loc[key]
            counted.append(row["count"])
            change = row["mean_change_min"]
            css = ' class="worst"' if len(groups) > 2 and change == worst[mode] and change > 0 else ""
            zero = " zero" if math.isfinite(change) and abs(change) < 0.05 else ""
            cells.append(f"<td{css}>{minutes(row['mean_before_min'])} → {minutes(row['mean_after_min'])} "
                         f'<span class="chg{zero}">({signed(change)})</span></td>'
                         f"<td>{percent(row[f'over_{OVER_MIN}_before'])} → "
                         f"{percent(row[f'over_{OVER_MIN}_after'])}</td>")
        rows.append(f'<tr><td>{_e(group)}</td><td>{_counted(counted)}</td>{"".join(cells)}</tr>')
    return _scroll(f"<table>{head}{''.join(rows)}</table>", f"{DIMENSIONS.get(dimension, dimension)}, {weight}")


def _counted(counts: Sequence[float]) -> str:
    """Show the residents (or households) counted in a group: one number, or one per mode where they differ.

    On a street network the residents far from it are left out per mode, so the count can differ by mode.
    """
    shown = [count(c) for c in counts] or [count(0)]
    if len(set(shown)) == 1:
        return shown[0]
    return f'<span title="counted per mode, in the order of the columns">{" / ".join(shown)}</span>'


def _groups_section(result: StudyResult) -> str:
    table = result.breakdowns
    if table.empty:  # (a study without census columns has no groups)
        return ""
    dimensions = list(dict.fromkeys(table.index.get_level_values("dimension")))
    out = ["<h2>Who: groups of residents and households</h2>",
           f"<p class=\"note\">Mean minutes to the nearest open counter before → after (change), and the share more "
           f"than {OVER_MIN} minutes away, before ({_e(result.config.label(result.config.before))}) → after "
           f"({_e(result.config.label(result.config.after))}). "
           f"Counts are 2011 residents or households; each postcode holds an equal share of its LSOA's residents "
           f"and the same share of its households. The shaded cell is the group whose mean rose most.</p>"]
    for dimension in dimensions:
        weight = "households" if dimension == "car" else "residents"
        out.append(f"<h3>{_e(DIMENSIONS[dimension])}</h3>")
        if dimension in GROUP_NOTES:
            out.append(f'<p class="note">{_e(GROUP_NOTES[dimension])}</p>')
        out.append(_group_table(result, dimension, weight) if dimension != "ward" or _few_wards(result) else
                   f'<p class="note">{_many_wards(result)}</p>')
    places = result.study.places
    note = ward_names_note(getattr(places, "ward_names_known", places.wards is not None))
    if "ward" not in dimensions and note and not result.config.built_from:
        out.append(f"<h3>{_e(DIMENSIONS['ward'])}</h3><p class=\"note\"><b>{_e(note)}</b> The table by ward "
                   f"code is in wards.csv beside this page.</p>")
    out.append("<h3>The same groups, household-weighted</h3>"
               "<p class=\"note\">Each origin weighs its share of the LSOA's households instead of its residents.</p>")
    for dimension in dimensions:
        if dimension == "car" or (dimension == "ward" and not _few_wards(result)):
            continue
        out.append(f"<h3>{_e(DIMENSIONS[dimension])} (households)</h3>")
        out.append(_group_table(result, dimension, "households"))
    return "".join(out)


def _signed_count(change: float) -> str:
    """Return a change in a count of residents: ``+2,114``, ``-35``, ``±0``."""
    text = count(change)
    return "±0" if text == "0" else text if text.startswith("-") else f"+{text}"


def _public_transport_section(result: StudyResult) -> str:
    """MOPAC's criterion, for each public-transport mode: residents 60 (and 45) minutes or more, by ward."""
    out = []
    limits = PUBLIC_TRANSPORT_LIMITS_MIN
    config = result.config
    for mode in result.transit_modes:
        everyone = result.at_least(mode, by=None)
        cards = "".join(
            f'<div class="card"><h3>{limit} minutes or more</h3><div class="big">'
            f'<span class="before">{count(everyone.loc[("all", limit), "before"])}</span><span class="arrow"> → '
            f'</span><span class="after">{count(everyone.loc[("all", limit), "after"])}</span></div>'
            f'<p>residents ({percent(everyone.loc[("all", limit), "share_before"])} → '
            f'{percent(everyone.loc[("all", limit), "share_after"])}), '
            f'{_e(config.label(config.before))} → {_e(config.label(config.after))}.</p></div>'
            for limit in limits)
        wards = result.at_least(mode)
        head = ("<tr><th>Ward</th><th>Residents</th>"
                + "".join(f"<th>{limit} min or more: before → after</th>" for limit in limits) + "</tr>")
        rows = []
        for ward in dict.fromkeys(wards.index.get_level_values(0)):
            cells = "".join(
                f"<td>{count(wards.loc[(ward, limit), 'before'])} → {count(wards.loc[(ward, limit), 'after'])} "
                f'<span class="chg{" zero" if wards.loc[(ward, limit), "change"] == 0 else ""}">'
                f"({_signed_count(wards.loc[(ward, limit), 'change'])})</span></td>"
                for limit in limits)
            css = ' class="worst"' if wards.loc[(ward, limits[0]), "change"] > 0 else ""
            rows.append(f"<tr{css}><td>{_e(ward)}</td><td>{count(wards.loc[(ward, limits[0]), 'residents'])}</td>"
                        f"{cells}</tr>")
        total = "".join(f"<td>{count(everyone.loc[('all', limit), 'before'])} → "
                        f"{count(everyone.loc[('all', limit), 'after'])}</td>" for limit in limits)
        rows.append(f'<tr class="everyone"><td>Everyone</td><td>{count(everyone.loc[("all", limits[0]), "residents"])}'
                    f"</td>{total}</tr>")
        out.append(
            f"<h2>By public transport: {limits[0]} minutes or more from a counter</h2>"
            f'<p class="note">{_e(PUBLIC_TRANSPORT_CRITERION)} Times: {_e(result.times[mode].model)}.</p>'
            f'<div class="cards">{cards}</div><h3>By ward</h3>'
            f'<p class="note">Residents {limits[0]} and {limits[1]} minutes or more from the nearest open counter by '
            f"public transport, before → after (change); shaded: wards where more are {limits[0]} minutes or more "
            f"away after. The same figures are in public_transport.csv and summary.json.</p>"
            + _scroll(f"<table>{head}{''.join(rows)}</table>", f"public transport by ward, {mode}"))
    return "".join(out)


MAX_WARDS_SHOWN = 60
"""A study with more wards than this gives them in wards.csv only, not as a table in the report."""


def _few_wards(result: StudyResult) -> bool:
    wards = result.breakdowns.xs("ward", level="dimension") if "ward" in result.breakdowns.index.get_level_values(
        "dimension") else None
    return wards is None or wards.index.get_level_values("group").nunique() <= MAX_WARDS_SHOWN


def _many_wards(result: StudyResult) -> str:
    groups = result.breakdowns.xs("ward", level="dimension").index.get_level_values("group").nunique()
    return (f"{groups:,} wards: too many for a table here; wards.csv and breakdowns.csv beside this page give every "
            f"ward's figures.")


def _imported_items(result: StudyResult) -> list[str]:
    """One line per imported mode: its label and where its times came from."""
    return [f"Travel times {m.label}: imported, not computed by access: {m.note}."
            for m in result.config.imported if m.name in result.modes]


def _sources_section(result: StudyResult) -> str:
    config = result.config
    imported = "".join(f"<li>{_e(line)}</li>" for line in _imported_items(result))
    if result.transit_modes and config.transit is not None:
        imported += f"<li>{_e(transit_attribution(config.transit))}</li>"
    if config.built_from:
        items = (f"<li>Residents, counters and the study area: {_e(config.built_from)}; their sources are the "
                 f"user's to cite.</li>{imported}")
        return (f"<h2>Data sources and attribution</h2><ul>{items}</ul>"
                f"<p class=\"note\">{_e(config.attribution)}</p>")
    if config.local_authority is not None:  # made from the publishers' files for any local authority
        published = downloads()
        items = "".join(f"<li>{_e(published[n].title)} ({_e(published[n].publisher)}; {_e(published[n].vintage)})."
                        f" {_e(published[n].attribution)}.</li>" for n in local_authority_downloads())
        table = Path(config.counters_table).name if config.counters_table is not None else "?"
        items += (f"<li>Counters and their hours: the study's own table <code>{_e(table)}</code>; its sources are "
                  f"the user's to cite.</li>{imported}")
        return (f"<h2>Data sources and attribution</h2><ul>{items}</ul>"
                f"<p class=\"note\">{_e(config.attribution)}</p>")
    keys = ["postcodes", "lsoa_census", "lsoa_polygons", "boroughs"]
    if config.wards_source:
        keys.append(config.wards_source)
    if getattr(result.study.places, "ward_names_source", None):
        keys.append(result.study.places.ward_names_source)
    if config.osm_file and str(config.osm_file) in sources():
        keys.append(str(config.osm_file))
    known = sources()
    items = "".join(f"<li>{_e(known[k].what)}. {_e(known[k].attribution)}.</li>" for k in keys if k in known)
    if config.counters_table is not None:
        items += ("<li>Counters and their hours: compiled by this project from local news and MOPAC and Met "
                  "announcements; locations are postcode centroids.</li>")
    else:
        items += ("<li>Counters and their hours: the Met's front counters of mid-2017, those opened or moved under "
                  "the 2017 strategy and the Met's list of c.2024, compiled by this project from the Evening "
                  "Standard's list of 1 November 2017, local papers and MOPAC pages; locations are postcode "
                  "centroids. Where a counter's hours were not published, it counts as open with hours not "
                  "known.</li>")
    items += imported
    return (f"<h2>Data sources and attribution</h2><ul>{items}</ul>"
            f"<p class=\"note\">{_e(config.attribution)}</p>")


def _how_section(result: StudyResult) -> str:
    """How these times were made: each mode's model with its numbers, and what would give street-network times."""
    items = "".join(f"<li><b>{_e(result.config.mode_label(m).capitalize())}</b>: "
                    f"{_e(result_model_note(result, m))}</li>" for m in result.modes)
    estimate = any(times.is_estimate for times in result.times.values())
    remedy = f"<p>{_e(ESTIMATE_REMEDY)}</p>" if estimate else ""
    return (f'<h2 id="{HOW_ANCHOR}">{_e(HOW_HEADING)}</h2><p>Each mode\'s times, and the numbers behind them:</p>'
            f'<ul>{items}</ul>{remedy}')


def _limits_section(result: StudyResult) -> str:
    isochrone_notes = {mode: isochrone_note(times) for mode, times in result.times.items()}
    routed = [m for m in result.modes if result.times[m].model != IMPORTED_MODEL and not result.times[m].is_transit]
    transit = [m for m in result.modes if result.times[m].is_transit]
    area = result.study.places.area_kind
    limits = [
        *(["Times are free-flow: no waiting, traffic, parking or public transport."] if routed == result.modes else
          [f"Times {', '.join(result.config.mode_label(m) for m in routed)} are free-flow: no waiting, traffic, "
           f"parking or public transport."] if routed else []),
        *_imported_items(result),
        *([f"Times {result.config.mode_label(m)} are timetables only: no delays, crowding or fares; residents "
           f"leave home at every minute of the window and wait for the vehicle, and the figures use the "
           f"{transit_statistic(result.times[m])} of the window's times; outside the window (other "
           f"hours, other days) the same times are assumed. Walks are capped, and changes need a walk of at most "
           f"the transfer limit." for m in transit]),
        *(["Residents are the 2011 Census counts of each LSOA, shared equally among its postcodes (2025); "
           "households, cars, income (2011/12) and PTAL (2014) are LSOA figures, so every group is a group of "
           "LSOAs except car ownership, which splits each LSOA's households."] if not result.config.built_from else
          [f"Residents are the population given with the study, each at its point; the maps group them by "
           f"{area}."]),
        f"Hours: {HOURS_RULE}. Time of day is not in these figures; the what-if page applies it.",
        *(["Counter locations are postcode centroids, not entrances."] if not result.config.built_from else []),
        f"Catchments: each {'origin' if result.config.built_from else 'postcode'}'s Voronoi cell, cut to the "
        f"study boundary, joins the counter it is nearest to in time.",
        *[f"Areas within 15/30/45 minutes {result.config.mode_label(m)}: {n}." for m, n in isochrone_notes.items()],
    ]
    warnings = "".join(f"<li>{_e(w)}</li>" for w in page_warnings(result.coverage))
    out = "<h2>Limits</h2><ul>" + "".join(f"<li>{_e(item)}</li>" for item in limits) + "</ul>"
    if warnings:
        out += f"<h3>Warnings from this run</h3><ul class=\"note\">{warnings}</ul>"
    return out


def report_html(result: StudyResult, *, map_pages: Sequence[str] = ()) -> str:
    """Return the report page of a run, as a string.

    Parameters
    ----------
    result
        The run.
    map_pages
        File names of the interactive maps beside the report, linked from it.

    Returns
    -------
    str
        The page: plain HTML with inline CSS and SVG, no scripts.

    Examples
    --------
    >>> import access
    >>> result = access.load_study("redbridge-2017").run(modes=["walk"], offline=True)
    >>> page = report_html(result)
    >>> "Times are estimated from straight-line distances" in page, "Romford" in page, "<script" in page
    (True, True, False)
    """
    config = result.config
    origins = result.origins
    weights = origins["population"].to_numpy(float)
    figures = []
    for mode in result.modes:
        label = result.config.mode_label(mode)
        figures.append(f"<h3>{_e(label.capitalize())}</h3><div class=\"figures\">")
        chart = cumulative_chart_svg(
            origins[f"{mode}_{config.before}_min"].to_numpy(float),
            origins[f"{mode}_{config.after}_min"].to_numpy(float), weights,
            before_label=f"before: {config.label(config.before)}", after_label=f"after: {config.label(config.after)}",
            title=f"{label.capitalize()}: share of residents within … minutes")
        times = result.times[mode]
        tag = (" (estimate)" if times.is_estimate else
               f" ({times.model}{', walks estimated' if times.uses_estimate else ''})" if times.is_transit else "")
        figures.append(f"<figure class=\"chart\"><h4>{_e(label.capitalize())}: share of residents within … "
                       f"minutes</h4>{chart}{chart_key(config.label(config.before), config.label(config.after))}"
                       f"<figcaption>Cumulative share of residents against travel time {_e(label)}{_e(tag)}, "
                       f"population-weighted.</figcaption></figure>")
        svg = _map_svg(result, mode, result.isochrones(mode, crs=result.working_crs))
        figures.append(f"<figure class=\"map\">{svg}"
                       f"<figcaption>Change by {_e(result.study.places.area_kind)} "
                       f"{_e(label)}{_e(tag)}.</figcaption>{_map_legend()}</figure></div>")
    labels = {f"{m}.html": f"travel {result.config.mode_label(m)}" for m in result.modes}
    labels[EXPLORER_NAME] = "what if: close and open counters yourself"
    jump = " · ".join(f'<a href="{_e(p)}">{_e(labels.get(p, p) if p != "index.html" else "all maps")}</a>'
                      for p in [*[p for p in map_pages if p != "index.html"],
                                *[p for p in map_pages if p == "index.html"]])
    labels["index.html"] = "all maps"
    links = "".join(f'<li><a href="{_e(p)}">{_e(p)}</a> — {_e(labels.get(p, ""))}</li>' for p in map_pages)
    maps = (f'<h2>Interactive maps</h2><p>Time before and after, the change, the areas within 15/30/45 minutes and '
            f'each counter\'s catchment, by {_e(result.study.places.area_kind)}, per mode (open beside this page):</p>'
            f'<ul class="maps">{links}</ul>'
            if links else "")
    description = " ".join(config.description.split())
    body = (
        f"<main><header><h1>{_e(config.title)}</h1>"
        + _notice(result)
        + f'<p class="periods">Before: <b class="before">{_e(config.label(config.before))}</b>. '
        f'After: <b class="after">{_e(config.label(config.after))}</b>.</p></header>'
        + '<h2 class="first">Headline</h2>' + _headline_cards(result)
        + (f'<p class="lede">{_e(description)}</p>' if description else "")
        + f'<p class="note">'
        f"{count(origins['population'].sum())} residents{'' if config.built_from else ' (2011 Census)'} at "
        f"{len(origins):,} origins. Made by access {__version__}."
        + (f" Interactive maps beside this page: {jump}." if jump else "") + "</p>"
        + _who_lost_most(result)
        + _public_transport_section(result)
        + _counters_section(result)
        + "<h2>Travel time, before and after</h2>" + "".join(figures)
        + _groups_section(result)
        + maps
        + _how_section(result)
        + _limits_section(result)
        + _sources_section(result)
        + f"<footer>{_e(config.name)} · access {__version__} · figures in summary.json, breakdowns.csv "
          f"and the other tables beside this page.</footer></main>"
    )
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(config.title)}: report</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            f"{body}\n</body>\n</html>\n")
