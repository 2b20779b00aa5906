"""One shareable page per run: ``report.html``, beside the maps.

The page is plain HTML with inline CSS and inline SVG (no scripts, no
internet), made to read on a laptop screen and to print:

* the model used, in a red banner when any mode is a straight-line estimate;
* the headline figures per mode, and who lost most;
* per mode, a before/after chart of the cumulative share of residents against
  travel time, and a small static map of the change by LSOA with the counters
  and the 30-minute area after;
* the group tables of :mod:`access.analysis.equity` (residents- and household-weighted);
* links to the interactive maps, the data sources and attribution, and the
  model's limits.

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
from access.outputs.formats import count, minutes, percent, signed
from access.outputs.formats import escape as _e
from access.outputs.notes import (
    PUBLIC_TRANSPORT_CRITERION,
    isochrone_note,
    models_note,
    page_warnings,
    result_model_note,
    transit_attribution,
    transit_statistic,
)
from access.outputs.styles import (
    AFTER_COLOUR,
    BEFORE_COLOUR,
    CHANGE_BINS_MIN,
    CHANGE_COLOURS,
    CHANGE_LABELS,
    class_colour,
)
from access.routing.travel import IMPORTED_MODEL

__all__ = ["report_html", "cumulative_chart_svg", "REPORT_NAME"]

REPORT_NAME = "report.html"

_CSS = """
:root { --ink: #1b1b1b; --muted: #555; --rule: #d0d0d0; --before: BEFORE_COLOUR; --after: AFTER_COLOUR; }
* { box-sizing: border-box; }
body { font: 15px/1.45 "Helvetica Neue", Arial, Helvetica, sans-serif; color: var(--ink); margin: 0;
  background: #f4f4f2; }
main { max-width: 1180px; margin: 0 auto; padding: 20px 28px 40px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; line-height: 1.2; }
h2 { font-size: 20px; margin: 28px 0 8px; padding-bottom: 3px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 16px; margin: 18px 0 6px; }
p { margin: 6px 0; }
.lede { color: var(--muted); max-width: 900px; }
.periods { margin: 8px 0 2px; font-size: 16px; }
.banner { background: #c0392b; color: #fff; font-weight: bold; padding: 10px 14px; border-radius: 4px;
  border: 2px solid #7b241c; margin: 12px 0; }
.note { color: var(--muted); font-size: 13px; }
.model-ok { background: #eef5ea; border-left: 4px solid #1a9641; padding: 8px 12px; margin: 12px 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 12px; margin: 10px 0; }
.card { border: 1px solid var(--rule); border-radius: 6px; padding: 10px 14px; }
.card h3 { margin: 0 0 6px; }
.big { font-size: 24px; font-weight: bold; }
.big .arrow { color: var(--muted); font-weight: normal; }
.before { color: var(--before); } .after { color: var(--after); }
.estimate-tag { display: inline-block; background: #c0392b; color: #fff; font-size: 11px; font-weight: bold;
  padding: 1px 6px; border-radius: 3px; vertical-align: middle; }
ul.who { margin: 6px 0; padding-left: 20px; }
.figures { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; align-items: start; }
@media (max-width: 760px) { .figures { grid-template-columns: 1fr; } }
figure { margin: 0; border: 1px solid var(--rule); border-radius: 6px; padding: 8px; }
figcaption { font-size: 13px; color: var(--muted); margin-top: 4px; }
svg { display: block; width: 100%; height: auto; }
figure.map svg { height: 300px; width: auto; max-width: 100%; margin: 0 auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 6px 0 4px; }
th, td { padding: 3px 6px; border-bottom: 1px solid var(--rule); text-align: right; vertical-align: top;
  white-space: nowrap; }
th { background: #f0f0ee; font-weight: bold; }
th[colspan] { text-align: center; border-left: 2px solid #fff; }
th:first-child, td:first-child { text-align: left; white-space: normal; }
tr.everyone td { font-weight: bold; background: #fafaf8; }
td .chg { color: var(--after); font-size: 12px; }
td .chg.zero { color: var(--muted); }
.worst { background: #fde0dd; }
.maps a { font-weight: bold; }
footer { margin-top: 30px; font-size: 12px; color: var(--muted); border-top: 1px solid var(--rule); padding-top: 8px; }
@media print {
  @page { size: A4 portrait; margin: 12mm; }
  body { background: #fff; font-size: 10pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table, figure, .card, .banner { break-inside: avoid; page-break-inside: avoid; }
  table { font-size: 8.5pt; }
  th, td { padding: 2px 4px; }
  .figures { grid-template-columns: 1fr 1fr; }
  .cards { grid-template-columns: repeat(3, 1fr); gap: 6px; }
  .card { padding: 6px 8px; }
  .big { font-size: 16pt; }
  figure.map svg { height: 230px; }
  .banner, .estimate-tag, th, .worst, .model-ok { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
  .maps a[href]::after { content: " (" attr(href) ")"; font-weight: normal; color: var(--muted); }
}
""".replace("BEFORE_COLOUR", BEFORE_COLOUR).replace("AFTER_COLOUR", AFTER_COLOUR)


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
                         before_label: str, after_label: str, title: str, width: int = 520,
                         height: int = 300) -> str:
    """Return an inline SVG chart: share of residents (y) within each travel time (x), before and after.

    The x axis runs to the longest time (or to the 99th percentile when the
    longest is more than 1.5 times that), rounded up to a round number of
    minutes; a dotted line marks :data:`access.analysis.equity.OVER_MIN`.
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
    left, right, upper, lower = 48, 14, 26, 40
    plot_w, plot_h = width - left - right, height - upper - lower
    grid = np.linspace(0, top, 241)

    def x(value: float) -> float:
        return left + plot_w * value / top

    def y(share: float) -> float:
        return upper + plot_h * (1 - share)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{_e(title)}">',
             f'<title>{_e(title)}</title>',
             f'<rect x="{left}" y="{upper}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="#999"/>']
    for share in (0.25, 0.5, 0.75):
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(share):.1f}" y2="{y(share):.1f}" '
                     f'stroke="#e3e3e3"/>')
    for share in (0, 0.25, 0.5, 0.75, 1):
        parts.append(f'<text x="{left - 6}" y="{y(share) + 4:.1f}" font-size="11" text-anchor="end" '
                     f'fill="#444">{share * 100:.0f}%</text>')
    step = 5 if top <= 30 else 10 if top <= 60 else 15 if top <= 120 else 30
    for tick in np.arange(0, top + 0.1, step):
        parts.append(f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{upper + plot_h}" y2="{upper + plot_h + 4}" '
                     f'stroke="#666"/>')
        parts.append(f'<text x="{x(tick):.1f}" y="{upper + plot_h + 16}" font-size="11" text-anchor="middle" '
                     f'fill="#444">{tick:g}</text>')
    parts.append(f'<text x="{left + plot_w / 2}" y="{height - 6}" font-size="12" text-anchor="middle" '
                 f'fill="#222">minutes to the nearest open counter</text>')
    if OVER_MIN <= top:
        parts.append(f'<line x1="{x(OVER_MIN):.1f}" x2="{x(OVER_MIN):.1f}" y1="{upper}" y2="{upper + plot_h}" '
                     f'stroke="#777" stroke-dasharray="3 3"/>')
    for values, colour in ((before_min, BEFORE_COLOUR), (after_min, AFTER_COLOUR)):
        shares = _cumulative(np.where(np.isfinite(values), values, np.inf), weights, grid)
        points = " ".join(f"{x(t):.1f},{y(s):.1f}" for t, s in zip(grid, shares, strict=True))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.4"/>')
    # legend, top left inside the plot: a cumulative curve has not risen there yet; a white ground keeps it
    # legible over the grid and the 30-minute line
    longest = max(len(before_label), len(after_label))
    parts.append(f'<rect x="{left + 4}" y="{upper + 5}" width="{min(plot_w - 8, 40 + 6.2 * longest):.0f}" '
                 f'height="34" fill="#fff" fill-opacity="0.9"/>')
    for row, (label, colour) in enumerate(((before_label, BEFORE_COLOUR), (after_label, AFTER_COLOUR))):
        ly = upper + 18 + row * 16
        parts.append(f'<line x1="{left + 8}" x2="{left + 30}" y1="{ly - 4}" y2="{ly - 4}" '
                     f'stroke="{colour}" stroke-width="3"/>')
        parts.append(f'<text x="{left + 36}" y="{ly}" font-size="11.5" fill="#222">{_e(label)}</text>')
    parts.append(f'<text x="{left}" y="16" font-size="13" font-weight="bold" fill="#222">{_e(title)}</text>')
    parts.append("</svg>")
    return "".join(parts)


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
            parts.append(f'<path d="{d}" fill="none" stroke="#1a9641" stroke-width="2" stroke-dasharray="5 3"/>')
    parts.append(f'<path d="{_path(boundary.simplify(tolerance), transform)}" fill="none" stroke="#000" '
                 f'stroke-width="1.4"/>')
    available = result.available
    for (_, counter), (cx, cy) in zip(places.counters.iterrows(),
                                      transform(np.column_stack([places.counters.geometry.x,
                                                                 places.counters.geometry.y])), strict=True):
        if not (0 <= cx <= width and 0 <= cy <= height):
            continue
        was, now = available.loc[counter["id"], config.before], available.loc[counter["id"], config.after]
        if not (was or now):
            continue
        fill, line, radius = ("#1a9641", "#0b3d1a", 5) if now else ("#ffffff", "#d7191c", 6.5)
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius}" fill="{fill}" stroke="{line}" '
                     f'stroke-width="3">'
                     f'<title>{_e(counter["name"])}: {"open" if now else "closed"} after</title></circle>')
    parts.append("</svg>")
    return "".join(parts)


def _map_legend() -> str:
    swatches = "".join(
        f'<span style="display:inline-block;width:12px;height:10px;background:{c};border:1px solid #999;'
        f'margin:0 3px 0 8px"></span>{_e(t)}'
        for c, t in zip(CHANGE_COLOURS, CHANGE_LABELS, strict=True))
    return (f'<div class="note">Minutes longer after than before: {swatches}. '
            f'<span style="color:#1a9641">- - -</span> within {OVER_MIN} min after; '
            f'<span style="color:#1a9641">●</span> open after; <span style="color:#d7191c">○</span> closed.</div>')


# --------------------------------------------------------------------------- sections


def _model_section(result: StudyResult) -> str:
    items = "".join(f"<li><b>{_e(m)}</b>: {_e(result_model_note(result, m))}</li>" for m in result.modes)
    note = _e(models_note(result.times))
    if any(times.uses_estimate for times in result.times.values()):
        head = f'<div class="banner" role="alert">⚠ {note}</div>'
    else:
        head = f'<div class="model-ok">{note}</div>'
    return head + f'<ul class="note">{items}</ul>'


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


def _who_lost_most(result: StudyResult) -> str:
    """One line per dimension: the group whose mean time rose most, for the first mode run."""
    table = result.breakdowns
    lines = []
    for mode in result.modes[:1]:
        for dimension in table.index.get_level_values("dimension").unique():
            if dimension in ("all", "car"):
                continue
            weight = "households" if dimension == "car" else "residents"
            part = table.xs((dimension, weight, mode), level=["dimension", "weight", "mode"])
            if len(part) < 2 or part["mean_change_min"].isna().all():
                continue
            worst = part["mean_change_min"].idxmax()
            row = part.loc[worst]
            lines.append(
                f"<li><b>{_e(DIMENSIONS[dimension])}</b>: {_e(worst)} "
                f"({count(row['count'])} {weight}) — mean {result.config.mode_label(mode)} "
                f"{minutes(row['mean_before_min'])} → {minutes(row['mean_after_min'])} min "
                f"({signed(row['mean_change_min'])}); over {OVER_MIN} min "
                f"{percent(row[f'over_{OVER_MIN}_before'])} → {percent(row[f'over_{OVER_MIN}_after'])}.</li>")
        if "car" in table.index.get_level_values("dimension"):
            part = table.xs(("car", "households", mode), level=["dimension", "weight", "mode"])
            if {"no car or van", "car or van"} <= set(part.index):
                row, car = part.loc["no car or van"], part.loc["car or van"]
                lines.insert(0,
                             f"<li><b>Households without a car or van</b> ({count(row['count'])}): mean "
                             f"{result.config.mode_label(mode)} {minutes(row['mean_before_min'])} → "
                             f"{minutes(row['mean_after_min'])} min; share over {OVER_MIN} min from "
                             f"{percent(row[f'over_{OVER_MIN}_before'])} to "
                             f"{percent(row[f'over_{OVER_MIN}_after'])} (households with one, "
                             f"{count(car['count'])}: {minutes(car['mean_before_min'])} → "
                             f"{minutes(car['mean_after_min'])} min; {percent(car[f'over_{OVER_MIN}_before'])} → "
                             f"{percent(car[f'over_{OVER_MIN}_after'])}).</li>")
    if not lines:
        return ""
    return ("<h3>Who lost most</h3><p class=\"note\">The group with the largest rise in mean time in each "
            f"breakdown ({_e(result.config.mode_label(result.modes[0]))}).</p><ul class=\"who\">{''.join(lines)}</ul>")


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
    return f"<table>{head}{''.join(rows)}</table>"


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
        out.append(_group_table(result, dimension, weight))
    out.append("<h3>The same groups, household-weighted</h3>"
               "<p class=\"note\">Each origin weighs its share of the LSOA's households instead of its residents.</p>")
    for dimension in dimensions:
        if dimension == "car":
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
            f"<table>{head}{''.join(rows)}</table>")
    return "".join(out)


def _imported_items(result: StudyResult) -> list[str]:
    """One line per imported mode: its label and where its times came from."""
    return [f"Travel times {m.label} ({m.name}): imported, not computed by access: {m.note}."
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
    if config.osm_file and str(config.osm_file) in sources():
        keys.append(str(config.osm_file))
    if config.counters_source is not None:
        keys += [k for k in sources() if k.startswith(("london_counters", "met_counters"))]
    known = sources()
    items = "".join(f"<li>{_e(known[k].what)}. {_e(known[k].attribution)}.</li>" for k in keys if k in known)
    if config.counters_table is not None:
        items += (f"<li>Counters and their hours: this project's table "
                  f"<code>{_e(Path(config.counters_table).name)}</code>, compiled from local news and MOPAC/Met "
                  f"announcements; locations are postcode centroids.</li>")
    else:
        items += (f"<li>Counters and their hours: built by the <code>{_e(config.counters_source)}</code> "
                  f"counter source from the mirror's front-counter tables (compiled from the Evening Standard, "
                  f"local papers and MOPAC pages; locations are postcode centroids), by the written rules in "
                  f"<code>access/inputs/counter_sources.py</code>.</li>")
    items += imported
    return (f"<h2>Data sources and attribution</h2><ul>{items}</ul>"
            f"<p class=\"note\">{_e(config.attribution)}</p>")


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
        f"Hours: {HOURS_RULE}. Time of day is not in these figures ('access hours' and --at apply it).",
        *(["Counter locations are postcode centroids, not entrances."] if not result.config.built_from else []),
        f"Catchments: each {'origin' if result.config.built_from else 'postcode'}'s Voronoi cell, cut to the "
        f"study boundary, joins the counter it is nearest to in time.",
        *[f"Areas within 15/30/45 minutes {result.config.mode_label(m)}: {n}." for m, n in isochrone_notes.items()],
    ]
    warnings = "".join(f"<li>{_e(w)}</li>" for w in page_warnings(result.coverage))
    out = "<h2>The model and its limits</h2>" + _model_section(result)
    out += "<ul>" + "".join(f"<li>{_e(item)}</li>" for item in limits) + "</ul>"
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
    """
    config = result.config
    origins = result.origins
    weights = origins["population"].to_numpy(float)
    figures = []
    for mode in result.modes:
        figures.append(f"<h3>{_e(result.config.mode_label(mode).capitalize())}</h3><div class=\"figures\">")
        chart = cumulative_chart_svg(
            origins[f"{mode}_{config.before}_min"].to_numpy(float),
            origins[f"{mode}_{config.after}_min"].to_numpy(float), weights,
            before_label=f"before: {config.label(config.before)}", after_label=f"after: {config.label(config.after)}",
            title=f"{result.config.mode_label(mode).capitalize()}: share of residents within … minutes")
        times = result.times[mode]
        tag = (" (straight-line estimate)" if times.is_estimate else
               f" ({times.model}{', walks estimated' if times.uses_estimate else ''})" if times.is_transit
               else " (street network)")
        figures.append(f"<figure>{chart}<figcaption>Cumulative share of residents against travel time "
                       f"{_e(result.config.mode_label(mode))}{_e(tag)}, population-weighted.</figcaption></figure>")
        svg = _map_svg(result, mode, result.isochrones(mode, crs=result.working_crs))
        figures.append(f"<figure class=\"map\">{svg}"
                       f"<figcaption>Change by {_e(result.study.places.area_kind)} "
                       f"{_e(result.config.mode_label(mode))}{_e(tag)}.</figcaption>{_map_legend()}</figure></div>")
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
        f'<p class="lede">{_e(description)}</p>'
        f'<p class="periods">Before: <b class="before">{_e(config.label(config.before))}</b>. '
        f'After: <b class="after">{_e(config.label(config.after))}</b>.</p>'
        + (f'<p class="note">Interactive maps beside this page: {jump}.</p>' if jump else "")
        + f'<p class="note">'
        f"{count(origins['population'].sum())} residents{'' if config.built_from else ' (2011 Census)'} at "
        f"{len(origins):,} origins. "
        f"Made by access {__version__}.</p></header>"
        + _model_section(result)
        + "<h2>Headline</h2>" + _headline_cards(result) + _who_lost_most(result)
        + _public_transport_section(result)
        + "<h2>Travel time, before and after</h2>" + "".join(figures)
        + _groups_section(result)
        + maps
        + _limits_section(result)
        + _sources_section(result)
        + f"<footer>{_e(config.name)} · access {__version__} · figures in summary.json, breakdowns.csv "
          f"and the other tables beside this page.</footer></main>"
    )
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(config.title)}: report</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            f"{body}\n</body>\n</html>\n")
