"""Self-contained HTML maps of the before/after results, one page per travel mode.

This module only draws what it is given: it never computes a travel time.  Each
page is a Leaflet map (built with folium) that works offline: Leaflet 1.9.4 is
inlined from the ``django-js-lib-leaflet`` package, and folium's other CDN
assets (jQuery, Bootstrap, awesome-markers, Font Awesome) are left out, so the
only network requests a page makes are for OpenStreetMap background tiles.
Without a network those simply do not load, and the map still shows the data.

A page holds

* three choropleths of the LSOA polygons (time before, time after, change),
  toggled in the layer control, with a tooltip per polygon;
* the counters as circle markers, coloured by their status in the ``after``
  period, each with a popup of its hours and status in every period;
* the study boundary as an outline;
* optionally (London-wide studies) the boroughs, coloured by the change in
  their population-weighted mean time, with each borough's figures in a tooltip;
* a legend, a title box with the model note (a red banner when the times are a
  straight-line estimate) and a box with the data attribution.

Every piece of text that reaches the page is escaped with :func:`html.escape`,
and element ids are renumbered so that the same inputs give the same bytes.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Sequence
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.map import CustomPane, Layer
from folium.template import Template

from access.core.errors import DataError, OutputError
from access.outputs.formats import count, minutes, percent
from access.outputs.formats import escape as _e
from access.outputs.styles import (
    CATCHMENT_COLOURS,
    CHANGE_BINS_MIN,
    CHANGE_COLOURS,
    COUNTER_STYLES,
    ISOCHRONE_COLOURS,
    NO_DATA_COLOUR,
    TIME_BINS_MIN,
    TIME_COLOURS,
    class_colour,
    class_labels,
)

__all__ = ["mode_map_html", "index_html", "SIMPLIFY_M", "COORD_DECIMALS"]

OVERLAY_DECIMALS = 5
"""Decimals kept in the isochrone and catchment layers (about 1 m; they are simplified by 20 m)."""

SIMPLIFY_M = 10.0
"""Polygon simplification tolerance, in metres."""

COORD_DECIMALS = 6
"""Decimals kept in longitude and latitude (about 0.1 m)."""

AREA_COLUMNS = ("lsoa11", "population", "before_min", "after_min", "change_min")
DISTRICT_COLUMNS = ("borough", "population", "before_min", "after_min", "change_min",
                    "within_30_before", "within_30_after", "rank")
DISTRICT_SIMPLIFY_M = 50.0
"""Simplification tolerance of the borough layer, in metres (the source is full resolution)."""
COUNTER_COLUMNS = ("id", "name", "address")
WGS84 = "EPSG:4326"

_ID_RE = re.compile(r"(\w+)_([0-9a-f]{32})")
_LEAFLET_CSS_MARK = "<!--access:leaflet-css-->"
_LEAFLET_JS_MARK = "<!--access:leaflet-js-->"

_CSS = """
.access-box { position: fixed; z-index: 1000; background: rgba(255,255,255,0.94);
  border-radius: 6px; box-shadow: 0 1px 5px rgba(0,0,0,0.4); padding: 8px 12px;
  font: 13px/1.35 "Helvetica Neue", Arial, Helvetica, sans-serif; color: #222; }
.access-title { top: 10px; left: 56px; max-width: 430px; }
.access-title h1 { font-size: 16px; margin: 0 0 2px 0; }
.access-title .access-mode { font-size: 14px; font-weight: bold; color: #08519c; }
.access-title .access-note { font-size: 12px; color: #444; margin-top: 4px; }
.access-banner { background: #c0392b; color: #fff; font-weight: bold; font-size: 13px;
  padding: 6px 8px; margin-top: 6px; border-radius: 4px; border: 2px solid #7b241c; }
.access-legend { bottom: 30px; right: 10px; max-width: 250px; max-height: calc(100vh - 230px);
  overflow-y: auto; }
.access-legend h2 { font-size: 13px; margin: 6px 0 3px 0; }
.access-legend h2:first-child { margin-top: 0; }
.access-legend .note { font-size: 11px; color: #555; margin: 2px 0; }
.access-legend .row { display: flex; align-items: center; margin: 1px 0; }
.access-legend .sw { display: inline-block; width: 18px; height: 12px; margin-right: 6px;
  border: 1px solid #777; flex: none; }
.access-legend .dot { display: inline-block; width: 12px; height: 12px; margin: 0 9px 0 2px;
  border-radius: 50%; border: 2.5px solid; box-sizing: border-box; flex: none; }
.access-attribution { bottom: 10px; left: 125px; max-width: 40%; font-size: 11px; padding: 4px 8px; }
.access-popup table { border-collapse: collapse; margin-top: 4px; }
.access-popup th, .access-popup td { border: 1px solid #ccc; padding: 2px 5px; text-align: left;
  vertical-align: top; font-size: 12px; }
.access-popup .closed { color: #b2182b; font-weight: bold; }
.access-popup .open { color: #1a7837; font-weight: bold; }
.access-popup tr.study td { background: #f0f0f0; }
"""


# --------------------------------------------------------------------------- elements


class _Raw(Element):
    """Literal HTML; the text is inserted as it is, never run through Jinja."""

    _template = Template("{{ this.text }}")

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Raw"
        self.text = text


class _Data(MacroElement):
    """A JavaScript variable holding a GeoJSON FeatureCollection, shared by layers."""

    _template = Template(
        "{% macro script(this, kwargs) %}var {{ this.get_name() }} = {{ this.data_js }};\n{% endmacro %}"
    )

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()
        self._name = "lsoa_data"
        self.data_js = _js(data)


class _GeoJsonLayer(Layer):
    """A plain ``L.geoJson`` layer over shared or inline data, with a JS options object."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = L.geoJson({{ this.data_ref() }}, {{ this.options_js }});\n"
        "{% endmacro %}"
    )

    def __init__(
        self,
        data: _Data | dict[str, Any],
        options_js: str,
        *,
        name: str,
        show: bool,
        control: bool = True,
    ) -> None:
        super().__init__(name=name, overlay=True, control=control, show=show)
        self._name = "geo_json"
        self.data = data
        self.options_js = options_js.replace("{{self}}", self.get_name())

    def data_ref(self) -> str:
        return self.data.get_name() if isinstance(self.data, _Data) else _js(self.data)


class _Bind(MacroElement):
    """Bind a popup and a tooltip (pre-escaped HTML strings) to the parent layer."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{{ this._parent.get_name() }}.bindPopup({{ this.popup_js }}, {maxWidth: 420});\n"
        "{{ this._parent.get_name() }}.bindTooltip({{ this.tooltip_js }});\n"
        "{% endmacro %}"
    )

    def __init__(self, popup: str, tooltip: str) -> None:
        super().__init__()
        self._name = "bind"
        self.popup_js = _js(popup)
        self.tooltip_js = _js(tooltip)


# --------------------------------------------------------------------------- helpers


def _js(value: Any) -> str:
    """JSON for embedding in a ``<script>``: ``<`` and ``>`` are written as escapes.

    Text has already been through :func:`html.escape`, so ``&lt;`` stays visible
    in the page source; the markup the module itself adds (``<b>``, ``</td>``)
    cannot close the script element.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("\u2028", "\\u2028").replace(
        "\u2029", "\\u2029"
    )


@lru_cache(maxsize=1)
def _leaflet_assets() -> tuple[str, str]:
    """Return the Leaflet 1.9.4 CSS and JS from ``django-js-lib-leaflet``, ready to inline."""
    try:
        root = files("js_lib_leaflet") / "static" / "js_lib_leaflet"
        js = (root / "leaflet.js").read_text(encoding="utf-8")
        css = (root / "leaflet.css").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:  # pragma: no cover - install problem
        raise OutputError(
            "Leaflet is not installed: the maps inline it from the package django-js-lib-leaflet; "
            "run `pip install django-js-lib-leaflet`"
        ) from exc

    def data_uri(match: re.Match[str]) -> str:
        png = (root / match.group(1)).read_bytes()
        return "url(data:image/png;base64," + base64.b64encode(png).decode("ascii") + ")"

    css = re.sub(r"url\((images/[\w.-]+\.png)\)", data_uri, css)
    js = re.sub(r"\n?//# sourceMappingURL=\S+\s*$", "\n", js)
    if re.search(r"</(script|style)", js + css, re.IGNORECASE):  # pragma: no cover - defensive
        raise OutputError("the bundled Leaflet files contain a closing script/style tag")
    return css, js


def _metric(frame: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    """``frame`` in a CRS measured in metres (its own, or an estimated UTM zone)."""
    if frame.crs is None:
        raise DataError(f"{what} has no CRS; set one (e.g. frame.set_crs('EPSG:27700')) before mapping it")
    if frame.crs.is_geographic:
        return frame.to_crs(frame.estimate_utm_crs())
    return frame


def _wgs84_geometries(frame: gpd.GeoDataFrame, what: str, simplify: bool,
                      tolerance_m: float = SIMPLIFY_M, decimals: int = COORD_DECIMALS) -> list[dict[str, Any]]:
    """Geometries as GeoJSON dicts in EPSG:4326, simplified and rounded."""
    if len(frame) == 0:
        return []
    metric = _metric(frame, what)
    geoms = metric.geometry
    if simplify:
        geoms = geoms.simplify(tolerance_m, preserve_topology=True)
    geoms = gpd.GeoSeries(geoms, crs=metric.crs).to_crs(WGS84)
    arr = shapely.transform(np.asarray(geoms.values, dtype=object), lambda c: np.round(c, decimals))
    return [shapely.geometry.mapping(g) if g is not None and not g.is_empty else None for g in arr]


def _hours_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "unknown"
    text = str(value).strip()
    return text or "unknown"


def _check_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"{what} lacks column(s) {', '.join(map(repr, missing))}; it has {list(map(str, frame.columns))}"
        )


def _stable_ids(page: str) -> str:
    """Replace folium's random ``<name>_<32 hex>`` ids by ``<name>_<n>`` in order of appearance."""
    mapping: dict[str, str] = {}

    def repl(match: re.Match[str]) -> str:
        key = match.group(0)
        if key not in mapping:
            mapping[key] = f"{match.group(1)}_{len(mapping) + 1}"
        return mapping[key]

    return _ID_RE.sub(repl, page)


# --------------------------------------------------------------------------- page parts


def _area_features(areas: gpd.GeoDataFrame, before: str, after: str) -> list[dict[str, Any]]:
    geometries = _wgs84_geometries(areas, "areas", simplify=True)
    features = []
    records = pd.DataFrame(areas.drop(columns=areas.geometry.name)).to_dict("records")
    for geometry, rec in zip(geometries, records, strict=True):
        if geometry is None:
            continue
        tip = (
            f"<b>LSOA {_e(rec['lsoa11'])}</b><br>"
            f"Residents: {_e(count(rec['population']))}<br>"
            f"Before ({_e(before)}): {_e(minutes(rec['before_min']))} min<br>"
            f"After ({_e(after)}): {_e(minutes(rec['after_min']))} min<br>"
            f"Change: {_e(minutes(rec['change_min'], signed=True))} min"
        )
        features.append({
            "type": "Feature",
            "properties": {
                "b": class_colour(rec["before_min"], TIME_BINS_MIN, TIME_COLOURS),
                "a": class_colour(rec["after_min"], TIME_BINS_MIN, TIME_COLOURS),
                "c": class_colour(rec["change_min"], CHANGE_BINS_MIN, CHANGE_COLOURS),
                "tip": tip,
            },
            "geometry": geometry,
        })
    return features


def _district_features(districts: gpd.GeoDataFrame, before: str, after: str) -> list[dict[str, Any]]:
    geometries = _wgs84_geometries(districts, "districts", simplify=True, tolerance_m=DISTRICT_SIMPLIFY_M)
    features = []
    records = pd.DataFrame(districts.drop(columns=districts.geometry.name)).to_dict("records")
    for geometry, rec in zip(geometries, records, strict=True):
        if geometry is None:
            continue

        tip = (
            f"<b>{_e(rec['borough'])}</b> (rank {_e(rec['rank'])} by loss)<br>"
            f"Residents: {_e(count(rec['population']))}<br>"
            f"Mean before ({_e(before)}): {_e(minutes(rec['before_min']))} min<br>"
            f"Mean after ({_e(after)}): {_e(minutes(rec['after_min']))} min<br>"
            f"Change: {_e(minutes(rec['change_min'], signed=True))} min<br>"
            f"Within 30 min: {_e(percent(rec['within_30_before']))} → {_e(percent(rec['within_30_after']))}"
        )
        features.append({
            "type": "Feature",
            "properties": {"c": class_colour(rec["change_min"], CHANGE_BINS_MIN, CHANGE_COLOURS), "tip": tip},
            "geometry": geometry,
        })
    return features


def _choropleth_options(key: str, *, fill_opacity: float = 0.72, weight: float = 0.6) -> str:
    return (
        "{pane: \"access_areas\", "
        "style: function (f) { return {fillColor: f.properties." + key + f", fillOpacity: {fill_opacity:g}, "
        f"color: \"#525252\", weight: {weight:g}, opacity: 0.9}}; }}, "
        "onEachFeature: function (f, layer) { "
        "layer.bindTooltip(f.properties.tip, {sticky: true}); "
        "layer.on({mouseover: function (e) { e.target.setStyle({weight: 2.5, color: \"#000000\"}); }, "
        "mouseout: function (e) { {{self}}.resetStyle(e.target); }}); }}"
    )


def _status(hours: str, is_open: bool) -> str:
    if not is_open:
        return "closed"
    return "open (assumed: not known)" if hours.lower() == "unknown" else "open"


def _counter_popup(row: dict[str, Any], open_in: dict[str, bool], periods: Sequence[str], before: str,
                   after: str) -> str:
    rows = []
    for period in periods:
        hours = _hours_text(row[period])
        status = _status(hours, open_in[period])
        css = "closed" if status == "closed" else "open"
        tag = " (before)" if period == before else " (after)" if period == after else ""
        cls = ' class="study"' if tag else ""
        rows.append(
            f"<tr{cls}><td>{_e(period)}{_e(tag)}</td><td>{_e(hours)}</td>"
            f'<td class="{css}">{_e(status)}</td></tr>'
        )
    return (
        f'<div class="access-popup"><b>{_e(row["name"])}</b><br>{_e(row["address"])}'
        "<table><tr><th>Period</th><th>Hours</th><th>Status</th></tr>" + "".join(rows) + "</table></div>"
    )


def _counter_kind(open_in: dict[str, bool], before: str, after: str) -> str:
    was, now = bool(open_in[before]), bool(open_in[after])
    return {(True, True): "kept", (False, True): "opened", (True, False): "closed"}.get((was, now), "neither")


def _legend_html(before: str, after: str) -> str:
    def swatches(colours: Sequence[str], labels: Sequence[str]) -> str:
        return "".join(
            f'<div class="row"><span class="sw" style="background:{c}"></span>{_e(t)}</div>'
            for c, t in zip(colours, labels, strict=True)
        )

    time_labels = class_labels(TIME_BINS_MIN)
    change_labels = class_labels(CHANGE_BINS_MIN, lowest="≤ 0 (no longer)")
    dots = "".join(
        f'<div class="row"><span class="dot" style="background:{fill};border-color:{line}"></span>'
        f"{_e(label)}</div>"
        for fill, line, _radius, label in COUNTER_STYLES.values()
    )
    return (
        '<div class="access-box access-legend">'
        "<h2>Travel time to nearest open counter (minutes)</h2>"
        + swatches(TIME_COLOURS, time_labels)
        + f'<div class="row"><span class="sw" style="background:{NO_DATA_COLOUR}"></span>no data</div>'
        + "<h2>Change, after − before (minutes)</h2>"
        + swatches(CHANGE_COLOURS, change_labels)
        + f"<h2>Front counters, status in {_e(after)} vs {_e(before)}</h2>"
        + dots
        + "</div>"
    )


def _title_html(title: str, mode_label: str, model_note: str, is_estimate: bool) -> str:
    note = (
        f'<div class="access-banner" role="alert">⚠ {_e(model_note)}</div>'
        if is_estimate
        else f'<div class="access-note">{_e(model_note)}</div>'
    )
    return (
        '<div class="access-box access-title">'
        f"<h1>{_e(title)}</h1>"
        f'<div class="access-mode">Travel {_e(mode_label)}</div>'
        '<div class="access-note">Population-weighted mean time per LSOA to the nearest open '
        "front counter; use the layer control (top right) to switch maps.</div>"
        f"{note}</div>"
    )


def _overlay_features(frame: gpd.GeoDataFrame, colour: Any, tip: Any) -> list[dict[str, Any]]:
    """GeoJSON features of ``frame`` with a fill colour and a tooltip per row (functions of the row)."""
    geometries = _wgs84_geometries(frame, "overlay", simplify=False, decimals=OVERLAY_DECIMALS)
    records = pd.DataFrame(frame.drop(columns=frame.geometry.name)).to_dict("records")
    return [{"type": "Feature", "properties": {"f": colour(rec), "tip": tip(rec)}, "geometry": geometry}
            for geometry, rec in zip(geometries, records, strict=True) if geometry is not None]


def _overlay_options(opacity: float, line: str | None) -> str:
    stroke = f'color: "{line}", weight: 1.2' if line else "color: f.properties.f, weight: 1.5"
    return (
        "{pane: \"access_overlays\", "
        "style: function (f) { return {fillColor: f.properties.f, fillOpacity: " + f"{opacity}" + ", "
        + stroke + ", opacity: 0.9}; }, "
        "onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.tip, {sticky: true}); }}"
    )


def _add_overlays(m: folium.Map, isochrones: gpd.GeoDataFrame | None, catchments: gpd.GeoDataFrame | None,
                  counter_ids: list[str], before: str, after: str) -> None:
    """Layers (hidden at first) of the isochrones and catchments, one per period."""
    m.add_child(CustomPane("access_overlays", z_index=420, pointer_events=True))
    for period, role in ((before, "before"), (after, "after")):
        if isochrones is not None:
            _check_columns(isochrones, ("period", "minutes"), "isochrones")
            rows = isochrones[isochrones["period"] == period].sort_values("minutes", ascending=False)
            features = _overlay_features(
                rows, lambda r: ISOCHRONE_COLOURS.get(int(r["minutes"]), NO_DATA_COLOUR),
                lambda r, p=period, w=role: f"<b>Within {int(r['minutes'])} min</b> of an open counter, "
                                            f"{_e(w)} ({_e(p)})")
            m.add_child(_GeoJsonLayer({"type": "FeatureCollection", "features": features},
                                      _overlay_options(0.3, None),
                                      name=_e(f"Within 15/30/45 min, {role} ({period})"), show=False))
        if catchments is not None:
            _check_columns(catchments, ("period", "counter", "counter_name", "residents"), "catchments")
            rows = catchments[catchments["period"] == period]

            def colour(rec: dict[str, Any]) -> str:
                index = counter_ids.index(rec["counter"]) if rec["counter"] in counter_ids else -1
                return CATCHMENT_COLOURS[index % len(CATCHMENT_COLOURS)] if index >= 0 else NO_DATA_COLOUR

            features = _overlay_features(
                rows, colour,
                lambda r, p=period, w=role: f"<b>{_e(r['counter_name'])}</b>: nearest open counter {_e(w)} "
                                            f"({_e(p)}) for {_e(count(r['residents']))} residents")
            m.add_child(_GeoJsonLayer({"type": "FeatureCollection", "features": features},
                                      _overlay_options(0.55, "#ffffff"),
                                      name=_e(f"Catchments, {role} ({period})"), show=False))


def _overlay_legend(isochrones: gpd.GeoDataFrame | None, catchments: gpd.GeoDataFrame | None,
                    counters: pd.DataFrame, isochrone_note: str | None) -> str:
    parts = []
    if isochrones is not None:
        parts.append("<h2>Within … of an open counter (layers)</h2>" + "".join(
            f'<div class="row"><span class="sw" style="background:{c};opacity:0.6"></span>{t} min</div>'
            for t, c in ISOCHRONE_COLOURS.items()))
        if isochrone_note:
            parts.append(f'<div class="note">{_e(isochrone_note)}</div>')
    if catchments is not None:
        used = set(catchments["counter"])
        rows = [(i, cid, name) for i, (cid, name) in enumerate(zip(counters["id"], counters["name"], strict=True))
                if cid in used]
        parts.append("<h2>Catchments: nearest open counter (layers)</h2>" + "".join(
            f'<div class="row"><span class="sw" style="background:{CATCHMENT_COLOURS[i % len(CATCHMENT_COLOURS)]}">'
            f"</span>{_e(name)}</div>" for i, _cid, name in rows))
    return "".join(parts)


# --------------------------------------------------------------------------- public API


def mode_map_html(
    *,
    title: str,
    mode_label: str,
    model_note: str,
    is_estimate: bool,
    boundary: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    counters: gpd.GeoDataFrame,
    available: pd.DataFrame,
    periods: list[str],
    before: str,
    after: str,
    attribution: str,
    districts: gpd.GeoDataFrame | None = None,
    isochrones: gpd.GeoDataFrame | None = None,
    catchments: gpd.GeoDataFrame | None = None,
    isochrone_note: str | None = None,
) -> Path:
    """One self-contained HTML map of the before/after times for one travel mode, as a string.

    Parameters
    ----------
    title
        The page title, e.g. ``"Redbridge police front counters, before and
        after the 2017 closures"``.
    mode_label
        The travel mode as it reads after "Travel", e.g. ``"on foot"``.
    model_note
        How the times were modelled, shown under the title.
    is_estimate
        ``True`` when the times are a straight-line estimate: the model note is
        then shown as a red banner.
    boundary
        The study borough(s); several rows are drawn as one outline.  Any CRS.
    areas
        LSOA polygons with columns ``lsoa11``, ``population``, ``before_min``,
        ``after_min`` and ``change_min`` (minutes).  Any CRS.  Missing or
        non-finite minutes are drawn in grey as "no data".
    counters
        Counter points with columns ``id``, ``name``, ``address`` and one
        column of hours per period (``"24/7"``, ``"Mo-Fr 07:00-23:00"``,
        ``"off"``, ``"open"``, ``"unknown"``), shown as written.  Any CRS.
    available
        One row per counter (in the order of ``counters``) and one boolean
        column per period: whether the counter is available then, by the one
        rule of :func:`access.inputs.hours.available`.  The map never reads
        availability from the hours text itself.
    periods
        Every period column, in the order the popups list them.
    before, after
        The two periods compared; both must be in ``periods``.
    attribution
        Data attribution (OSM/OS/ONS ...), shown in a box at the bottom left.
    districts
        Optional borough polygons with columns ``borough``, ``population``,
        ``before_min``, ``after_min``, ``change_min`` (population-weighted
        means), ``within_30_before``, ``within_30_after`` (shares, 0–1) and
        ``rank`` (1 = largest loss).  Drawn as a layer "Boroughs: change in
        mean time", simplified by :data:`DISTRICT_SIMPLIFY_M` metres.  Any CRS.
    isochrones
        Optional areas within T minutes of an open counter, with columns
        ``period`` and ``minutes`` (see :func:`access.routing.isochrones.isochrones`):
        one hidden layer per period, before and after.
    catchments
        Optional catchments with columns ``period``, ``counter``,
        ``counter_name`` and ``residents`` (:func:`access.routing.isochrones.catchments`):
        one hidden layer per period, coloured by counter.
    isochrone_note
        How the isochrones were drawn, shown in the legend.

    Returns
    -------
    str
        The page.

    Raises
    ------
    DataError
        A column is missing, a frame has no CRS, ``before``/``after`` is not in
        ``periods``, or a counter is not a point.

    Notes
    -----
    Travel times are drawn in the classes of :data:`TIME_BINS_MIN` (the same
    for before and after) and changes in those of :data:`CHANGE_BINS_MIN`;
    class upper edges are inclusive.  Polygons are simplified by
    :data:`SIMPLIFY_M` metres and coordinates rounded to
    :data:`COORD_DECIMALS` decimals.  Folium's random element ids are
    renumbered, so the same inputs give a byte-identical file.
    """
    periods = [str(p) for p in periods]
    for name, value in (("before", before), ("after", after)):
        if value not in periods:
            raise DataError(f"{name} period {value!r} is not one of the periods {periods}")
    if len(boundary) == 0:
        raise DataError("boundary is empty; pass the study borough polygon(s)")
    _check_columns(areas, AREA_COLUMNS, "areas")
    _check_columns(counters, (*COUNTER_COLUMNS, *periods), "counters")
    _check_columns(available, periods, "available")
    if len(available) != len(counters):
        raise DataError(f"available has {len(available)} rows for {len(counters)} counters; give one row per counter")
    if districts is not None:
        _check_columns(districts, DISTRICT_COLUMNS, "districts")

    # -- geometry, all in EPSG:4326 ---------------------------------------------------
    boundary_m = _metric(boundary, "boundary")
    outline = gpd.GeoDataFrame(geometry=[boundary_m.union_all()], crs=boundary_m.crs)
    outline_geo = _wgs84_geometries(outline, "boundary", simplify=True)[0]
    west, south, east, north = outline.to_crs(WGS84).total_bounds
    features = _area_features(areas[[*AREA_COLUMNS, areas.geometry.name]], before, after)

    if len(counters):
        if counters.crs is None:
            raise DataError("counters has no CRS; set one (e.g. frame.set_crs('EPSG:4326')) before mapping it")
        points = counters.geometry.to_crs(WGS84)
        if not all(g is not None and g.geom_type == "Point" for g in points):
            raise DataError("counters must all be points (one location per counter)")
    else:
        points = counters.geometry

    # -- the map ----------------------------------------------------------------------
    m = folium.Map(
        location=[round((south + north) / 2, COORD_DECIMALS), round((west + east) / 2, COORD_DECIMALS)],
        zoom_start=12,
        tiles=None,
        control_scale=True,
    )
    m.default_js = []
    m.default_css = []
    header = m.get_root().header
    header.add_child(_Raw(f"<title>{_e(title)}: {_e(mode_label)}</title>"), name="access_title")
    header.add_child(_Raw(_LEAFLET_CSS_MARK), name="leaflet_css")
    header.add_child(_Raw(_LEAFLET_JS_MARK), name="leaflet_js")
    header.add_child(_Raw(f"<style>{_CSS}</style>"), name="access_css")

    folium.TileLayer("OpenStreetMap", name="OpenStreetMap", control=False).add_to(m)
    m.add_child(CustomPane("access_areas", z_index=410, pointer_events=True))
    m.add_child(CustomPane("access_boundary", z_index=450, pointer_events=False))
    m.add_child(CustomPane("access_counters", z_index=620, pointer_events=True))

    data = _Data({"type": "FeatureCollection", "features": features})
    m.add_child(data)
    for key, name, show in (
        ("b", f"Time before ({before})", False),
        ("a", f"Time after ({after})", districts is None),
        ("c", "Change (after − before)", False),
    ):
        m.add_child(_GeoJsonLayer(data, _choropleth_options(key), name=_e(name), show=show))

    if districts is not None:
        borough_data = {"type": "FeatureCollection",
                        "features": _district_features(districts[[*DISTRICT_COLUMNS, districts.geometry.name]],
                                                       before, after)}
        m.add_child(_GeoJsonLayer(borough_data, _choropleth_options("c", fill_opacity=0.8, weight=1.5),
                                  name="Boroughs: change in mean time", show=True))
    if isochrones is not None or catchments is not None:
        _add_overlays(m, isochrones, catchments, list(counters["id"]), before, after)

    boundary_layer = _GeoJsonLayer(
        {"type": "Feature", "properties": {}, "geometry": outline_geo},
        '{pane: "access_boundary", interactive: false, '
        'style: {color: "#000000", weight: 3, opacity: 0.9, fill: false, dashArray: "8 4"}}',
        name="Borough boundary",
        show=True,
    )
    m.add_child(boundary_layer)

    group = folium.FeatureGroup(name="Front counters", show=True)
    open_rows = available[periods].to_dict("records")
    records = counters[[*COUNTER_COLUMNS, *periods]].to_dict("records")
    for point, row, open_in in zip(points, records, open_rows, strict=True):
        kind = _counter_kind(open_in, before, after)
        fill, line, radius, label = COUNTER_STYLES[kind]
        marker = folium.CircleMarker(
            location=[round(point.y, COORD_DECIMALS), round(point.x, COORD_DECIMALS)],
            radius=radius,
            color=line,
            weight=3,
            fill=True,
            fill_color=fill,
            fill_opacity=0.95,
        )
        # folium's path_options() drops unknown keys, so the pane is set afterwards.
        marker.options["pane"] = "access_counters"
        status = "open" if kind in ("kept", "opened") else "closed"
        tooltip = f"<b>{_e(row['name'])}</b><br>{_e(after)}: {status} ({_e(label)})"
        marker.add_child(_Bind(_counter_popup(row, open_in, periods, before, after), tooltip))
        group.add_child(marker)
    m.add_child(group)

    m.fit_bounds([[round(south, COORD_DECIMALS), round(west, COORD_DECIMALS)],
                  [round(north, COORD_DECIMALS), round(east, COORD_DECIMALS)]])
    # Collapsed to its icon (it opens on hover or tap): expanded, its nine layers covered the top of the
    # legend on a laptop-sized window.
    folium.LayerControl(position="topright", collapsed=True).add_to(m)

    body = m.get_root().html
    body.add_child(_Raw(_title_html(title, mode_label, model_note, is_estimate)), name="access_title_box")
    legend = _legend_html(before, after)
    extra = _overlay_legend(isochrones, catchments, counters, isochrone_note)
    if extra:
        legend = legend[: -len("</div>")] + extra + "</div>"
    body.add_child(_Raw(legend), name="access_legend")
    body.add_child(
        _Raw(f'<div class="access-box access-attribution">Data: {_e(attribution)}</div>'),
        name="access_attribution",
    )

    page = _stable_ids(m.get_root().render())
    css, js = _leaflet_assets()
    page = page.replace(_LEAFLET_CSS_MARK, f"<style>\n{css}\n</style>", 1)
    return page.replace(_LEAFLET_JS_MARK, f"<script>\n{js}\n</script>", 1)


def index_html(
    *,
    title: str,
    pages: dict[str, str],
    model_note: str,
    is_estimate: bool,
    attribution: str,
) -> Path:
    """Return a small plain-HTML page that links to each mode's map, as a string.

    Parameters
    ----------
    title
        The page heading.
    pages
        Link text -> file name relative to ``path``'s folder, in display order.
    model_note
        How the times were modelled.
    is_estimate
        ``True`` shows the model note as a red warning banner.
    attribution
        Data attribution text.

    Returns
    -------
    str
        The page.
    """
    links = "\n".join(f'<li><a href="{_e(href)}">{_e(text)}</a></li>' for text, href in pages.items())
    note_style = (
        "background:#c0392b;color:#fff;font-weight:bold;padding:8px 12px;border-radius:4px"
        if is_estimate
        else "color:#444"
    )
    note_cls = "access-banner" if is_estimate else "access-note"
    warning = "⚠ " if is_estimate else ""
    page = (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n"
        "<style>body{font:15px/1.5 \"Helvetica Neue\",Arial,sans-serif;max-width:760px;margin:2em auto;"
        "padding:0 1em;color:#222}footer{margin-top:2em;font-size:12px;color:#555}</style>\n"
        "</head>\n<body>\n"
        f"<h1>{_e(title)}</h1>\n"
        f'<p class="{note_cls}" style="{note_style}">{warning}{_e(model_note)}</p>\n'
        f"<ul>\n{links}\n</ul>\n"
        f"<footer>Data: {_e(attribution)}</footer>\n"
        "</body>\n</html>\n"
    )
    return page
