"""Self-contained HTML maps of the before/after results, one page per travel mode.

This module only draws what it is given: it never computes a travel time.  Each
page is a Leaflet map (built with folium) that works offline: Leaflet 1.9.4 is
inlined from the release files bundled in ``access/outputs/vendor/leaflet`` (BSD
2-Clause; ``SOURCE.md`` there says where they come from), and folium's other CDN
assets (jQuery, Bootstrap, awesome-markers, Font Awesome) are left out, so the
only network requests a page makes are for OpenStreetMap background tiles.
Without a network those simply do not load, and the map still shows the data.

A page holds

* three choropleths of the LSOA polygons (time before, time after, change), as
  mutually exclusive base layers (one is on screen at a time), with a tooltip
  per polygon naming the LSOA and its ward;
* optionally (London-wide studies) a fourth base layer of the boroughs,
  coloured by the change in their population-weighted mean time;
* overlays: the areas within 15/30/45 minutes of an open counter and each
  counter's catchment, before and after (hidden at first), the study boundary
  and the counters, coloured by their status in the ``after`` period, each
  with a popup of its hours and status in every period;
* a panel with the title, the model (a red banner when the times are a
  straight-line estimate), links to the report and the other maps, and the
  legend, whose heading names the layer on screen and its period and follows
  the layer control; and a box with the data attribution.  Both collapse, and
  start collapsed on a narrow screen (a phone).

When it opens, the page fits the study area into the part of the window that
no panel or control covers.  Every piece of text that reaches the page is
escaped with :func:`html.escape`, and element ids are renumbered so that the
same inputs give the same bytes.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib.resources import files
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.map import CustomPane, Layer, LayerControl
from folium.template import Template

from access.core.errors import DataError, OutputError
from access.outputs.formats import count, minutes, percent
from access.outputs.formats import escape as _e
from access.outputs.notes import HOW_HEADING
from access.outputs.styles import (
    CATCHMENT_COLOURS,
    CHANGE_BINS_MIN,
    CHANGE_COLOURS,
    CHANGE_LABELS,
    COUNTER_STYLES,
    ISOCHRONE_COLOURS,
    NO_DATA_COLOUR,
    TIME_BINS_MIN,
    TIME_COLOURS,
    class_colour,
    class_index,
    class_labels,
)

__all__ = ["mode_map_html", "index_html", "SIMPLIFY_M", "COORD_DECIMALS", "NARROW"]

OVERLAY_DECIMALS = 5
"""Decimals kept in the isochrone and catchment layers (about 1 m; they are simplified by 20 m)."""

SIMPLIFY_M = 10.0
"""Polygon simplification tolerance, in metres."""

COORD_DECIMALS = 6
"""Decimals kept in longitude and latitude (about 0.1 m)."""

AREA_COLUMNS = ("lsoa11", "name", "population", "before_min", "after_min", "change_min")
NARROW = "(max-width: 640px)"
"""The media query of a narrow screen (a phone): panels and the layer control start collapsed."""
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
html, body { margin: 0; padding: 0; }
[hidden] { display: none !important; }
.access-side { position: fixed; z-index: 1000; top: 10px; left: 10px; bottom: 10px; width: 300px;
  display: flex; flex-direction: column; gap: 10px; pointer-events: none; }
.access-box { pointer-events: auto; background: rgba(255,255,255,0.96); border-radius: 6px;
  box-shadow: 0 1px 5px rgba(0,0,0,0.4); font: 13px/1.35 "Helvetica Neue", Arial, Helvetica, sans-serif;
  color: #222; box-sizing: border-box; }
.access-panel { flex: 0 1 auto; min-height: 0; display: flex; flex-direction: column; }
.access-head { display: flex; align-items: center; gap: 6px; padding: 6px 8px 6px 10px; flex: none; }
.access-head .access-mode { font-weight: bold; color: #08519c; font-size: 14px; white-space: nowrap; }
.access-head .access-showing { color: #333; font-size: 12px; flex: 1 1 auto; min-width: 0; overflow: hidden;
  white-space: nowrap; text-overflow: ellipsis; }
.access-tag { background: #c0392b; color: #fff; font-size: 10px; font-weight: bold; padding: 1px 5px;
  border-radius: 3px; flex: none; }
.access-toggle { flex: none; margin-left: auto; font: bold 12px/1.2 "Helvetica Neue", Arial, sans-serif;
  color: #08519c; background: #fff; border: 1px solid #9ab; border-radius: 4px; padding: 4px 8px; cursor: pointer; }
.access-toggle:focus-visible { outline: 2px solid #08519c; outline-offset: 1px; }
.access-body { overflow-y: auto; padding: 0 12px 10px 12px; min-height: 0; }
.access-collapsed .access-body { display: none; }
.access-panel h1 { font-size: 15px; margin: 0 0 4px 0; line-height: 1.25; }
.access-note { font-size: 12px; color: #444; margin: 4px 0; }
.access-banner { background: #c0392b; color: #fff; font-weight: bold; font-size: 12px;
  padding: 6px 8px; margin: 6px 0; border-radius: 4px; border: 2px solid #7b241c; }
.access-banner a { color: #fff; }
.access-how { margin: 4px 0; font-size: 12px; }
.access-how summary { cursor: pointer; color: #08519c; }
.access-links { margin: 6px 0 2px 0; font-size: 13px; }
.access-links a { color: #08519c; font-weight: bold; }
.access-legend h2 { font-size: 13px; margin: 10px 0 2px 0; }
.access-legend .note { font-size: 11px; color: #555; margin: 1px 0 3px 0; }
.access-legend .row { display: flex; align-items: center; margin: 1px 0; }
.access-legend .sw { display: inline-block; width: 18px; height: 12px; margin-right: 6px;
  border: 1px solid #777; flex: none; }
.access-legend .dot { display: inline-block; width: 12px; height: 12px; margin: 0 9px 0 2px;
  border-radius: 50%; border: 2.5px solid; box-sizing: border-box; flex: none; }
.access-attribution { position: fixed; z-index: 1000; left: 320px; right: 130px; bottom: 10px; font-size: 11px;
  padding: 4px 6px 4px 8px; display: flex; align-items: flex-start; gap: 6px; }
.access-attribution .access-toggle { font-size: 11px; padding: 2px 6px; order: 2; }
.access-attribution .access-short { display: none; }
.access-attribution.access-collapsed .access-body { display: none; }
.access-attribution.access-collapsed .access-short { display: inline; }
.access-attribution .access-body { padding: 0; }
.leaflet-control-layers-expanded { max-width: 260px; font: 12px/1.3 "Helvetica Neue", Arial, sans-serif; }
.leaflet-control-layers label { margin: 2px 0; }
.access-popup table { border-collapse: collapse; margin-top: 4px; width: 100%; }
.access-popup th, .access-popup td { border: 1px solid #ccc; padding: 2px 5px; text-align: left;
  vertical-align: top; font-size: 12px; }
.access-popup .closed { color: #b2182b; font-weight: bold; }
.access-popup .open { color: #1a7837; font-weight: bold; }
.access-popup tr.study td { background: #f0f0f0; }
@media (max-width: 640px) {
  .access-side { top: 8px; left: 8px; bottom: 8px; right: 58px; width: auto; }
  .access-attribution { left: 8px; right: 128px; bottom: 8px; }
  .leaflet-control-layers-expanded { max-width: calc(100vw - 80px); }
}
"""


# --------------------------------------------------------------------------- elements


class _Raw(Element):
    """Literal HTML; the text is inserted as it is, never run through Jinja."""

    _template = Template("{{ this.text }}")

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Raw"
        self.text = text


class _Literal(MacroElement):
    """A macro element whose output goes into the page as it is, never run through Jinja a second time.

    Branca puts what a macro renders into the page as ``Element(output)``, and an
    ``Element`` made from text treats that text as a new template: whatever the
    output holds (a counter's name, a period's label) would be rendered again, so
    ``{{6*7}}`` became ``42`` and template code could run.  Here the output goes in
    as :class:`_Raw`, literal text.
    """

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        for part in ("header", "html", "script"):
            macro = self._template.module.__dict__.get(part)
            if macro is not None:
                getattr(figure, part).add_child(_Raw(macro(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class _Data(_Literal):
    """A JavaScript variable holding a GeoJSON FeatureCollection, shared by layers; optional helpers beside it.

    ``helpers`` maps a suffix to JavaScript (already safe to embed): each becomes
    ``var <name>_<suffix> = <js>;``, e.g. the colour palettes and the tooltip
    function of the LSOA layers, written once instead of once per polygon.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}var {{ this.get_name() }} = {{ this.data_js }};\n"
        "{% for suffix, js in this.helpers.items() %}var {{ this.get_name() }}_{{ suffix }} = {{ js }};\n{% endfor %}"
        "{% endmacro %}"
    )

    def __init__(self, data: dict[str, Any], helpers: dict[str, str] | None = None) -> None:
        super().__init__()
        self._name = "lsoa_data"
        self.data_js = _js(data)
        self.helpers = helpers or {}


class _GeoJsonLayer(Layer, _Literal):
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
        overlay: bool = True,
    ) -> None:
        super().__init__(name=name, overlay=overlay, control=control, show=show)
        self._name = "geo_json"
        self.data = data
        self.options_js = options_js.replace("{{self}}", self.get_name()).replace(
            "{{data}}", data.get_name() if isinstance(data, _Data) else "")

    def data_ref(self) -> str:
        return self.data.get_name() if isinstance(self.data, _Data) else _js(self.data)


class _Bind(_Literal):
    """Bind a popup and a tooltip (pre-escaped HTML strings) to the parent layer, through the page's ``access_bind``.

    The tooltip is taken off while the popup is open (it would sit on top of it), and the popup is never wider
    than the screen allows.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "access_bind({{ this._parent.get_name() }}, {{ this.popup_js }}, {{ this.tooltip_js }});\n"
        "{% endmacro %}"
    )

    def __init__(self, popup: str, tooltip: str) -> None:
        super().__init__()
        self._name = "bind"
        self.popup_js = _js(popup)
        self.tooltip_js = _js(tooltip)


class _LayerControl(LayerControl, _Literal):
    """Folium's layer control, expanded on a wide screen and collapsed to its icon on a narrow one."""

    _template = Template(
        """
        {% macro script(this,kwargs) %}
            var {{ this.get_name() }}_layers = {
                base_layers : {
                    {%- for key, val in this.base_layers.items() %}
                    {{ key|tojson }} : {{val}},
                    {%- endfor %}
                },
                overlays :  {
                    {%- for key, val in this.overlays.items() %}
                    {{ key|tojson }} : {{val}},
                    {%- endfor %}
                },
            };
            let {{ this.get_name() }} = L.control.layers(
                {{ this.get_name() }}_layers.base_layers,
                {{ this.get_name() }}_layers.overlays,
                {position: "topright", autoZIndex: true, collapsed: window.matchMedia({{ this.narrow|tojson }}).matches}
            ).addTo({{this._parent.get_name()}});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__(position="topright", collapsed=True)
        self.narrow = NARROW


_BIND_JS = """
function access_bind(layer, popup, tooltip) {
  var width = Math.max(200, Math.min(420, window.innerWidth - 70));
  layer.bindPopup(popup, {maxWidth: width, minWidth: Math.min(240, width), autoPanPadding: [12, 12]});
  layer.bindTooltip(tooltip);
  layer.on("popupopen", function () { layer.closeTooltip(); layer.unbindTooltip(); });
  layer.on("popupclose", function () { layer.bindTooltip(tooltip); });
}
"""
"""The page's helper that binds a counter's popup and tooltip (:class:`_Bind`)."""

_PAGE_JS = """
(function () {
  var map = %(map)s, bases = {%(bases)s}, overlays = {%(overlays)s};
  var narrow = window.matchMedia(%(narrow)s).matches;
  var bounds = L.latLngBounds(%(bounds)s);
  L.control.scale({position: "bottomright"}).addTo(map);
  function each(selector, fn) { Array.prototype.forEach.call(document.querySelectorAll(selector), fn); }
  function showBase(layer) {
    each("#access-panel [data-base]", function (section) {
      var on = bases[section.getAttribute("data-base")] === layer;
      section.hidden = !on;
      if (on) { document.getElementById("access-showing").textContent = section.getAttribute("data-short"); }
    });
  }
  function showOverlays() {
    each("#access-panel [data-overlays]", function (section) {
      section.hidden = !section.getAttribute("data-overlays").split(" ").some(function (key) {
        return overlays[key] && map.hasLayer(overlays[key]);
      });
    });
  }
  map.on("baselayerchange", function (e) { showBase(e.layer); });
  map.on("overlayadd overlayremove", showOverlays);
  Object.keys(bases).forEach(function (key) { if (map.hasLayer(bases[key])) { showBase(bases[key]); } });
  showOverlays();
  function setOpen(box, open) {
    var button = box.querySelector(".access-toggle");
    box.classList.toggle("access-collapsed", !open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.textContent = button.getAttribute(open ? "data-hide" : "data-show");
  }
  each(".access-box[data-collapsible]", function (box) {
    setOpen(box, !narrow);
    box.querySelector(".access-toggle").addEventListener("click", function () {
      setOpen(box, box.classList.contains("access-collapsed"));
    });
  });
  // Fit the study area into the largest part of the window that no open panel or control covers: each
  // panel is kept off one side (left, top, right or bottom); of every such choice, the one that shows
  // the area largest wins.
  function fit() {
    var size = map.getSize(), origin = map.getContainer().getBoundingClientRect(), boxes = [], margin = 12;
    each(".access-box, .leaflet-control", function (el) {
      var r = el.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) {
        boxes.push([r.left - origin.left, r.top - origin.top, r.right - origin.left, r.bottom - origin.top]);
      }
    });
    var nw = map.project(bounds.getNorthWest(), 0), se = map.project(bounds.getSouthEast(), 0);
    var width = Math.max(se.x - nw.x, 1e-9), height = Math.max(se.y - nw.y, 1e-9), best = null;
    for (var choice = 0; choice < Math.pow(4, boxes.length); choice++) {
      var pad = [margin, margin, margin, margin], code = choice;
      for (var i = 0; i < boxes.length; i++, code = Math.floor(code / 4)) {
        var b = boxes[i], side = code %% 4;
        if (side === 0) { pad[0] = Math.max(pad[0], b[2] + margin); }
        else if (side === 1) { pad[1] = Math.max(pad[1], b[3] + margin); }
        else if (side === 2) { pad[2] = Math.max(pad[2], size.x - b[0] + margin); }
        else { pad[3] = Math.max(pad[3], size.y - b[1] + margin); }
      }
      var w = size.x - pad[0] - pad[2], h = size.y - pad[1] - pad[3];
      if (w > 0 && h > 0 && (!best || Math.min(w / width, h / height) > best.scale)) {
        best = {scale: Math.min(w / width, h / height), pad: pad};
      }
    }
    var pad = best ? best.pad : [margin, margin, margin, margin];
    map.fitBounds(bounds, {paddingTopLeft: [pad[0], pad[1]], paddingBottomRight: [pad[2], pad[3]], animate: false});
  }
  fit();
  // Until the reader moves the map, a resized window (a phone turned round) is fitted again.
  var moved = false;
  each(".leaflet-container", function (el) {
    ["mousedown", "touchstart", "wheel", "keydown"].forEach(function (type) {
      el.addEventListener(type, function () { moved = true; }, {passive: true});
    });
  });
  window.addEventListener("resize", function () {
    if (!moved) { map.invalidateSize({animate: false}); fit(); }
  });
})();
"""


class _PageScript(_Literal):
    """The page's own script: the legend follows the layer control, panels collapse, the area is fitted."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.js() }}{% endmacro %}")

    def __init__(self, bounds: list[list[float]], area: list[list[float]], bases: dict[str, Layer],
                 overlays: dict[str, Layer]) -> None:
        super().__init__()
        self._name = "access_page"
        self.bounds, self.area, self.bases, self.overlays = bounds, area, bases, overlays

    def js(self) -> str:
        def refs(layers: dict[str, Layer]) -> str:
            return ", ".join(f"{_js(key)}: {layer.get_name()}" for key, layer in layers.items())

        return _PAGE_JS % {"map": self._parent.get_name(), "bounds": _js(self.bounds), "area": _js(self.area),
                           "bases": refs(self.bases),
                           "overlays": refs(self.overlays), "narrow": _js(NARROW)}


# --------------------------------------------------------------------------- helpers


_TEMPLATE_OPENER = re.compile(r"\{(?=[{%#])")


def _js(value: Any) -> str:
    r"""JSON for embedding in a ``<script>``: ``<``, ``>`` and any ``{`` opening template syntax written as escapes.

    Text has already been through :func:`html.escape`, so ``&lt;`` stays visible
    in the page source; the markup the module itself adds (``<b>``, ``</td>``)
    cannot close the script element.  A ``{`` before ``{``, ``%`` or ``#`` is
    written ``\u007b``: in JSON it can only stand inside a string (an object's
    first member is always a quoted key), where the escape reads as the same
    character, so a name such as ``Barking {{6*7}}`` shows as it is and nothing
    in the page is ever template syntax.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = _TEMPLATE_OPENER.sub(lambda _m: "\\u007b", text)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("\u2028", "\\u2028").replace(
        "\u2029", "\\u2029"
    )


@lru_cache(maxsize=1)
def _leaflet_assets() -> tuple[str, str]:
    """Return the Leaflet 1.9.4 CSS and JS bundled with access (``outputs/vendor/leaflet``), ready to inline."""
    root = files("access.outputs") / "vendor" / "leaflet"
    try:
        js = (root / "leaflet.js").read_text(encoding="utf-8")
        css = (root / "leaflet.css").read_text(encoding="utf-8")
    except FileNotFoundError as exc:  # pragma: no cover - install problem
        raise OutputError(
            "Leaflet's files are missing from the installed package (access/outputs/vendor/leaflet); "
            "reinstall access (pip install -e .)"
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


def _area_features(areas: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """LSOA features with compact properties: class indexes ``b``, ``a``, ``c`` and the tooltip's texts ``t``.

    The tooltip is put together in the page by :func:`_area_helpers`' function, so the period labels are
    written once, not once per polygon; every text is escaped here.
    """
    geometries = _wgs84_geometries(areas, "areas", simplify=True)
    features = []
    records = pd.DataFrame(areas.drop(columns=areas.geometry.name)).to_dict("records")
    for geometry, rec in zip(geometries, records, strict=True):
        if geometry is None:
            continue
        ward = rec.get("ward")
        texts = [rec["name"], rec["lsoa11"], "" if ward is None or pd.isna(ward) else ward,
                 count(rec["population"]), minutes(rec["before_min"]), minutes(rec["after_min"]),
                 minutes(rec["change_min"], signed=True)]
        features.append({
            "type": "Feature",
            "properties": {
                "b": _class(rec["before_min"], TIME_BINS_MIN),
                "a": _class(rec["after_min"], TIME_BINS_MIN),
                "c": _class(rec["change_min"], CHANGE_BINS_MIN),
                "t": [_e(text) for text in texts],
            },
            "geometry": geometry,
        })
    return features


def _class(value: Any, edges: Sequence[float]) -> int:
    """Return the class index of ``value``, or ``len(edges) + 1`` (the palette's last entry, no data)."""
    index = class_index(value, edges)
    return len(edges) + 1 if index is None else index


def _area_helpers(before: str, after: str, area_kind: str) -> dict[str, str]:
    """Return the area layers' palettes (no data last) and tooltip function, for :class:`_Data`."""
    tip = (
        'function (t) { return "<b>" + t[0] + "</b> <span style=\\"color:#555\\">('
        + _js(_e(area_kind))[1:-1] + ' " + t[1] + ")</span>" + '
        '(t[2] ? "<br>Ward: " + t[2] : "") + "<br>Residents: " + t[3] + '
        f'"<br>Before, " + {_js(_e(before))} + ": <b>" + t[4] + " min</b>" + '
        f'"<br>After, " + {_js(_e(after))} + ": <b>" + t[5] + " min</b>" + '
        '"<br>Change: <b>" + t[6] + " min</b>"; }'
    )
    return {"time": _js([*TIME_COLOURS, NO_DATA_COLOUR]), "change": _js([*CHANGE_COLOURS, NO_DATA_COLOUR]),
            "tip": tip}


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
            f"Mean before, {_e(before)}: <b>{_e(minutes(rec['before_min']))} min</b><br>"
            f"Mean after, {_e(after)}: <b>{_e(minutes(rec['after_min']))} min</b><br>"
            f"Change: <b>{_e(minutes(rec['change_min'], signed=True))} min</b><br>"
            f"Within 30 min: {_e(percent(rec['within_30_before']))} → {_e(percent(rec['within_30_after']))}"
        )
        features.append({
            "type": "Feature",
            "properties": {"c": class_colour(rec["change_min"], CHANGE_BINS_MIN, CHANGE_COLOURS), "tip": tip},
            "geometry": geometry,
        })
    return features


def _choropleth_options(colour_js: str, tip_js: str, *, fill_opacity: float = 0.72, weight: float = 0.6) -> str:
    """Options of a choropleth layer: fill from ``colour_js`` and tooltip from ``tip_js`` (JS of the feature ``f``)."""
    return (
        "{pane: \"access_areas\", "
        "style: function (f) { return {fillColor: " + colour_js + f", fillOpacity: {fill_opacity:g}, "
        f"color: \"#525252\", weight: {weight:g}, opacity: 0.9}}; }}, "
        "onEachFeature: function (f, layer) { "
        "layer.bindTooltip(" + tip_js + ", {sticky: true}); "
        "layer.on({mouseover: function (e) { e.target.setStyle({weight: 2.5, color: \"#000000\"}); }, "
        "mouseout: function (e) { {{self}}.resetStyle(e.target); }}); }}"
    )


def _status(hours: str, is_open: bool) -> str:
    if not is_open:
        return "closed"
    return "open (assumed: not known)" if hours.lower() == "unknown" else "open"


def _counter_popup(row: dict[str, Any], open_in: dict[str, bool], periods: Sequence[str], before: str,
                   after: str, labels: dict[str, str]) -> str:
    rows = []
    for period in periods:
        hours = _hours_text(row[period])
        status = _status(hours, open_in[period])
        css = "closed" if status == "closed" else "open"
        tag = " (before)" if period == before else " (after)" if period == after else ""
        cls = ' class="study"' if tag else ""
        rows.append(
            f"<tr{cls}><td>{_e(labels[period])}{_e(tag)}</td><td>{_e(hours)}</td>"
            f'<td class="{css}">{_e(status)}</td></tr>'
        )
    return (
        f'<div class="access-popup"><b>{_e(row["name"])}</b><br>{_e(row["address"])}'
        "<table><tr><th>Period</th><th>Hours</th><th>Status</th></tr>" + "".join(rows) + "</table></div>"
    )


def _counter_kind(open_in: dict[str, bool], before: str, after: str) -> str:
    was, now = bool(open_in[before]), bool(open_in[after])
    return {(True, True): "kept", (False, True): "opened", (True, False): "closed"}.get((was, now), "neither")


def _swatches(colours: Sequence[str], labels: Sequence[str], opacity: float | None = None) -> str:
    fade = f";opacity:{opacity:g}" if opacity is not None else ""
    return "".join(f'<div class="row"><span class="sw" style="background:{c}{fade}"></span>{_e(t)}</div>'
                   for c, t in zip(colours, labels, strict=True))


_NO_DATA_ROW = f'<div class="row"><span class="sw" style="background:{NO_DATA_COLOUR}"></span>no data</div>'
def _base_legends(before: str, after: str, shown: str, districts: bool, area_kind: str) -> str:
    """One legend section per base layer (``b``, ``a``, ``c``, ``d``); only the one on screen is shown."""
    time_labels = [f"{label} min" for label in class_labels(TIME_BINS_MIN)]
    per_area = f"Population-weighted mean minutes to the nearest open counter, per {area_kind}."
    sections = [
        ("b", "Time before", f"Time before: {before}", per_area, _swatches(TIME_COLOURS, time_labels) + _NO_DATA_ROW),
        ("a", "Time after", f"Time after: {after}", per_area, _swatches(TIME_COLOURS, time_labels) + _NO_DATA_ROW),
        ("c", "Change", f"Change: {before} → {after}",
         f"Minutes longer after than before (population-weighted mean per {area_kind}).",
         _swatches(CHANGE_COLOURS, CHANGE_LABELS) + _NO_DATA_ROW),
    ]
    if districts:
        sections.append(("d", "Boroughs: change", f"Boroughs: change in mean time, {before} → {after}",
                         "Minutes longer after than before (population-weighted mean per borough).",
                         _swatches(CHANGE_COLOURS, CHANGE_LABELS)))
    return "".join(
        f'<section data-base="{key}" data-short="{_e(short)}"{"" if key == shown else " hidden"}>'
        f"<h2>{_e(heading)}</h2><div class=\"note\">{_e(note)}</div>{rows}</section>"
        for key, short, heading, note, rows in sections)


def _counter_legend(before: str, after: str) -> str:
    dots = "".join(
        f'<div class="row"><span class="dot" style="background:{fill};border-color:{line}"></span>'
        f"{_e(label)}</div>"
        for fill, line, _radius, label in COUNTER_STYLES.values()
    )
    return (f"<section><h2>Front counters</h2><div class=\"note\">Open or closed after, “{_e(after)}”, against "
            f"before, “{_e(before)}”. Click a counter for its hours.</div>{dots}</section>")


def _model_html(model_note: str, summary: str | None, is_estimate: bool, how: str | None, *, banner: str,
                note: str) -> str:
    """Return the model on a page: ``summary`` (one plain sentence) in sight, the full ``model_note`` folded under it.

    Without a ``summary`` the note itself is shown.  ``how`` links to the page that explains the model (the
    report's section); ``banner`` and ``note`` are the CSS classes of the estimate's banner and of plain text.
    """
    if summary is None:
        return (f'<div class="{banner}" role="note">⚠ {_e(model_note)}</div>' if is_estimate
                else f'<div class="{note}">{_e(model_note)}</div>')
    link = f' <a href="{_e(how)}">{_e(HOW_HEADING)}</a>.' if how else ""
    head = (f'<div class="{banner}" role="note">⚠ {_e(summary)}{link}</div>' if is_estimate
            else f'<div class="{note}">{_e(summary)}{link}</div>')
    if how:  # the page it links to says the rest
        return head
    return (head + f'<details class="access-how"><summary>{_e(HOW_HEADING)}</summary>'
            f'<div class="{note}">{_e(model_note)}</div></details>')


def _panel_html(title: str, mode_label: str, model_note: str, is_estimate: bool, links: Mapping[str, str],
                legend: str, summary: str | None = None, how: str | None = None) -> str:
    note = _model_html(model_note, summary, is_estimate, how, banner="access-banner", note="access-note")
    tag = '<span class="access-tag" title="straight-line estimate">ESTIMATE</span>' if is_estimate else ""
    link_html = " · ".join(f'<a href="{_e(href)}">{_e(text)}</a>' for text, href in links.items())
    return (
        '<div class="access-box access-panel" id="access-panel" data-collapsible>'
        f'<div class="access-head"><span class="access-mode">Travel {_e(mode_label)}</span>{tag}'
        '<span class="access-showing" id="access-showing"></span>'
        '<button type="button" class="access-toggle" aria-expanded="true" aria-controls="access-panel-body" '
        'data-hide="Hide" data-show="Legend">Hide</button></div>'
        '<div class="access-body" id="access-panel-body">'
        f"<h1>{_e(title)}</h1>{note}"
        + (f'<p class="access-links">{link_html}</p>' if link_html else "")
        + '<div class="access-note">Choose the map in the layer control (top right); hover over an area or a '
        f'counter for its figures.</div><div class="access-legend">{legend}</div></div></div>'
    )


def _attribution_html(attribution: str) -> str:
    return (
        '<div class="access-box access-attribution" id="access-attribution" data-collapsible>'
        '<button type="button" class="access-toggle" aria-expanded="true" aria-controls="access-attribution-body" '
        'data-hide="Less" data-show="Sources">Less</button>'
        '<span class="access-short">Map © OpenStreetMap contributors; data © Crown copyright (OS, ONS), '
        "Royal Mail</span>"
        f'<div class="access-body" id="access-attribution-body">Background map © OpenStreetMap contributors. '
        f"Data: {_e(attribution)}</div></div>"
    )


def _overlay_features(frame: gpd.GeoDataFrame, colour: Any, tip: Any) -> list[dict[str, Any]]:
    """GeoJSON features of ``frame`` with a fill colour and a tooltip per row (functions of the row)."""
    geometries = _wgs84_geometries(frame, "overlay", simplify=False, decimals=OVERLAY_DECIMALS)
    records = pd.DataFrame(frame.drop(columns=frame.geometry.name)).to_dict("records")
    return [{"type": "Feature", "properties": {"f": colour(rec), "tip": tip(rec)}, "geometry": geometry}
            for geometry, rec in zip(geometries, records, strict=True) if geometry is not None]


def _overlay_options(opacity: float, line: str | None) -> str:
    stroke = f'color: "{line}", weight: 1.2' if line else "color: f.properties.f, weight: 2"
    return (
        "{pane: \"access_overlays\", "
        "style: function (f) { return {fillColor: f.properties.f, fillOpacity: " + f"{opacity}" + ", "
        + stroke + ", opacity: 0.9}; }, "
        "onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.tip, {sticky: true}); }}"
    )


def _add_overlays(m: folium.Map, isochrones: gpd.GeoDataFrame | None, catchments: gpd.GeoDataFrame | None,
                  counter_ids: list[str], before: str, after: str, labels: dict[str, str]) -> dict[str, Layer]:
    """Overlays (hidden at first) of the isochrones and catchments, one per period; returned by legend key.

    The layer control names them by role ("before", "after"); the legend names the period when one is on.
    """
    m.add_child(CustomPane("access_overlays", z_index=420, pointer_events=True))
    layers: dict[str, Layer] = {}
    roles = ((before, "before"), (after, "after"))
    if isochrones is not None:
        _check_columns(isochrones, ("period", "minutes"), "isochrones")
        for period, role in roles:
            rows = isochrones[isochrones["period"] == period].sort_values("minutes", ascending=False)
            shades = ISOCHRONE_COLOURS[role]
            features = _overlay_features(
                rows, lambda r, s=shades: s.get(int(r["minutes"]), NO_DATA_COLOUR),
                lambda r, p=labels[period], w=role: f"<b>Within {int(r['minutes'])} min</b> of an open counter, "
                                                    f"{_e(w)}: {_e(p)}")
            layers[f"i{role[0]}"] = _GeoJsonLayer({"type": "FeatureCollection", "features": features},
                                                  _overlay_options(0.22, None),
                                                  name=f"Within 15/30/45 min, {role}", show=False)
            m.add_child(layers[f"i{role[0]}"])
    if catchments is not None:
        _check_columns(catchments, ("period", "counter", "counter_name", "residents"), "catchments")

        def colour(rec: dict[str, Any]) -> str:
            index = counter_ids.index(rec["counter"]) if rec["counter"] in counter_ids else -1
            return CATCHMENT_COLOURS[index % len(CATCHMENT_COLOURS)] if index >= 0 else NO_DATA_COLOUR

        for period, role in roles:
            rows = catchments[catchments["period"] == period]
            features = _overlay_features(
                rows, colour,
                lambda r, p=labels[period], w=role: f"<b>{_e(r['counter_name'])}</b>: nearest open counter "
                                                    f"{_e(w)} ({_e(p)}) for {_e(count(r['residents']))} residents")
            layers[f"c{role[0]}"] = _GeoJsonLayer({"type": "FeatureCollection", "features": features},
                                                  _overlay_options(0.55, "#ffffff"),
                                                  name=f"Catchments, {role}", show=False)
            m.add_child(layers[f"c{role[0]}"])
    return layers


def _overlay_legend(isochrones: gpd.GeoDataFrame | None, catchments: gpd.GeoDataFrame | None,
                    counters: pd.DataFrame, isochrone_note: str | None, before: str, after: str) -> str:
    """Legend sections of the overlays, each shown while one of its layers is on (``data-overlays``)."""
    parts = []
    if isochrones is not None:
        for key, role, label in (("ib", "before", before), ("ia", "after", after)):
            shades = ISOCHRONE_COLOURS[role]
            parts.append(f'<section data-overlays="{key}" hidden><h2>Within 15/30/45 min of an open counter, {role}: '
                         f"{_e(label)}</h2>"
                         + _swatches(list(shades.values()), [f"{t} min" for t in shades], opacity=0.6)
                         + "</section>")
        if isochrone_note:
            parts.append(f'<section data-overlays="ib ia" hidden><div class="note">{_e(isochrone_note)}</div>'
                         "</section>")
    if catchments is not None:
        used = set(catchments["counter"])
        rows = [(i, cid, name) for i, (cid, name) in enumerate(zip(counters["id"], counters["name"], strict=True))
                if cid in used]
        parts.append('<section data-overlays="cb ca" hidden><h2>Catchments: nearest open counter</h2>'
                     f'<div class="note">Before: {_e(before)}. After: {_e(after)}.</div>' + "".join(
            f'<div class="row"><span class="sw" style="background:{CATCHMENT_COLOURS[i % len(CATCHMENT_COLOURS)]}">'
            f"</span>{_e(name)}</div>" for i, _cid, name in rows) + "</section>")
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
    labels: Mapping[str, str] | None = None,
    links: Mapping[str, str] | None = None,
    districts: gpd.GeoDataFrame | None = None,
    isochrones: gpd.GeoDataFrame | None = None,
    catchments: gpd.GeoDataFrame | None = None,
    isochrone_note: str | None = None,
    area_kind: str = "LSOA",
    summary: str | None = None,
    how: str | None = None,
) -> str:
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
        then shown as a red banner, and the panel's heading says ESTIMATE.
    boundary
        The study borough(s); several rows are drawn as one outline.  Any CRS.
    areas
        LSOA polygons with columns ``lsoa11``, ``name`` (e.g. ``"Redbridge
        017A"``), ``population``, ``before_min``, ``after_min`` and
        ``change_min`` (minutes), and optionally ``ward``; the tooltips name
        each area and its ward.  Any CRS.  Missing or non-finite minutes are
        drawn in grey as "no data".
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
    labels
        How readers see each period (period → label, e.g. ``"2013–17: Ilford
        24/7, Barkingside weekdays"``): layer names, the legend, tooltips and
        popups use it.  A period without one shows its id.
    links
        Link text → href shown in the panel, e.g. ``{"Report": "report.html"}``.
    districts
        Optional borough polygons with columns ``borough``, ``population``,
        ``before_min``, ``after_min``, ``change_min`` (population-weighted
        means), ``within_30_before``, ``within_30_after`` (shares, 0–1) and
        ``rank`` (1 = largest loss).  Drawn as a base layer "Boroughs: change in
        mean time", shown first, simplified by :data:`DISTRICT_SIMPLIFY_M`
        metres.  Any CRS.
    isochrones
        Optional areas within T minutes of an open counter, with columns
        ``period`` and ``minutes`` (see :func:`access.routing.isochrones.isochrones`):
        one hidden overlay per period, before in purples and after in oranges.
    catchments
        Optional catchments with columns ``period``, ``counter``,
        ``counter_name`` and ``residents`` (:func:`access.routing.isochrones.catchments`):
        one hidden overlay per period, coloured by counter.
    isochrone_note
        How the isochrones were drawn, shown in the legend.
    area_kind
        What the ``areas`` are, for the tooltips and the legend ("LSOA", "ward", "1 km square").
    summary
        How the times were made in one plain sentence
        (:func:`access.outputs.notes.plain_model_sentence`): shown in the panel, with
        ``model_note`` folded under "How these times were made".  ``None`` shows
        ``model_note`` itself.
    how
        A link to where the model is explained (``"report.html#how-times"``), or ``None``.

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
    for before and after) and changes in those of :data:`CHANGE_BINS_MIN`
    (shorter, no change, then longer); class upper edges are inclusive.
    Polygons are simplified by :data:`SIMPLIFY_M` metres and coordinates
    rounded to :data:`COORD_DECIMALS` decimals.  Folium's random element ids
    are renumbered, so the same inputs give a byte-identical file.
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
    labels = {period: str(dict(labels or {}).get(period, period)) for period in periods}
    before_label, after_label = labels[before], labels[after]

    # -- geometry, all in EPSG:4326 ---------------------------------------------------
    boundary_m = _metric(boundary, "boundary")
    outline = gpd.GeoDataFrame(geometry=[boundary_m.union_all()], crs=boundary_m.crs)
    outline_geo = _wgs84_geometries(outline, "boundary", simplify=True)[0]
    west, south, east, north = outline.to_crs(WGS84).total_bounds
    area_columns = [*AREA_COLUMNS, *(["ward"] if "ward" in areas.columns else [])]
    features = _area_features(areas[[*area_columns, areas.geometry.name]])

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
        zoom_control="bottomright",
        attribution_control=False,
        zoom_snap=0.25,
    )
    m.default_js = []
    m.default_css = []
    header = m.get_root().header
    header.add_child(_Raw(f"<title>{_e(title)}: {_e(mode_label)}</title>"), name="access_title")
    header.add_child(_Raw(_LEAFLET_CSS_MARK), name="leaflet_css")
    header.add_child(_Raw(_LEAFLET_JS_MARK), name="leaflet_js")
    header.add_child(_Raw(f"<style>{_CSS}</style>"), name="access_css")
    header.add_child(_Raw(f"<script>{_BIND_JS}</script>"), name="access_bind")

    folium.TileLayer("OpenStreetMap", name="OpenStreetMap", control=False, attr="© OpenStreetMap contributors"
                     ).add_to(m)
    m.add_child(CustomPane("access_areas", z_index=410, pointer_events=True))
    m.add_child(CustomPane("access_boundary", z_index=450, pointer_events=False))
    m.add_child(CustomPane("access_counters", z_index=620, pointer_events=True))

    data = _Data({"type": "FeatureCollection", "features": features},
                 _area_helpers(before_label, after_label, area_kind))
    m.add_child(data)
    shown = "d" if districts is not None else "a"
    bases: dict[str, Layer] = {}
    for key, name in (("b", f"Time before — {before_label}"), ("a", f"Time after — {after_label}"),
                      ("c", "Change, after − before")):
        palette = "{{data}}_change" if key == "c" else "{{data}}_time"
        bases[key] = _GeoJsonLayer(data, _choropleth_options(f"{palette}[f.properties.{key}]",
                                                             "{{data}}_tip(f.properties.t)"),
                                   name=_e(name), show=key == shown, overlay=False)
        m.add_child(bases[key])

    if districts is not None:
        borough_data = {"type": "FeatureCollection",
                        "features": _district_features(districts[[*DISTRICT_COLUMNS, districts.geometry.name]],
                                                       before_label, after_label)}
        bases["d"] = _GeoJsonLayer(borough_data, _choropleth_options("f.properties.c", "f.properties.tip",
                                                                     fill_opacity=0.8, weight=1.5),
                                   name="Boroughs: change in mean time", show=True, overlay=False)
        m.add_child(bases["d"])
    overlays: dict[str, Layer] = {}
    if isochrones is not None or catchments is not None:
        overlays = _add_overlays(m, isochrones, catchments, list(counters["id"]), before, after, labels)

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
        tooltip = f"<b>{_e(row['name'])}</b><br>After, {_e(after_label)}: {status} ({_e(label)})"
        marker.add_child(_Bind(_counter_popup(row, open_in, periods, before, after, labels), tooltip))
        group.add_child(marker)
    m.add_child(group)

    m.add_child(_LayerControl())
    # The page opens on the study area and every counter, neighbouring ones too, on a phone as on a laptop (a
    # counter cut at the screen's edge cannot be clicked).
    area = [[round(south, COORD_DECIMALS), round(west, COORD_DECIMALS)],
            [round(north, COORD_DECIMALS), round(east, COORD_DECIMALS)]]
    if len(points):
        west, east = min(west, points.x.min()), max(east, points.x.max())
        south, north = min(south, points.y.min()), max(north, points.y.max())
    everything = [[round(south, COORD_DECIMALS), round(west, COORD_DECIMALS)],
                  [round(north, COORD_DECIMALS), round(east, COORD_DECIMALS)]]
    m.add_child(_PageScript(everything, area, bases, overlays))

    legend = (_base_legends(before_label, after_label, shown, districts is not None, area_kind)
              + _overlay_legend(isochrones, catchments, counters, isochrone_note, before_label, after_label)
              + _counter_legend(before_label, after_label))
    body = m.get_root().html
    body.add_child(_Raw('<div class="access-side">'
                        + _panel_html(title, mode_label, model_note, is_estimate, links or {}, legend, summary, how)
                        + "</div>"
                        + _attribution_html(attribution)), name="access_side")

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
    report: str | None = None,
    summary: str | None = None,
    how: str | None = None,
) -> str:
    """Return a small plain-HTML page that links to each mode's map (and the report), as a string.

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
    report
        The report page beside the maps (``"report.html"``), linked first; ``None`` for none.
    summary, how
        How the times were made in one plain sentence, and a link to where it is explained, as for
        :func:`mode_map_html`.

    Returns
    -------
    str
        The page.
    """
    links = "\n".join(f'<li><a href="{_e(href)}">{_e(text)}</a></li>' for text, href in pages.items())
    model = _model_html(model_note, summary, is_estimate, how, banner="access-banner", note="access-note")
    lead = (f'<p class="access-report"><a href="{_e(report)}"><b>The report</b></a>: who lost access, by how much, '
            f"and the groups of residents, on one page to read or print.</p>\n<h2>Maps</h2>\n" if report else "")
    page = (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n"
        "<style>body{font:15px/1.5 \"Helvetica Neue\",Arial,sans-serif;max-width:760px;margin:2em auto;"
        "padding:0 1em;color:#222}h2{font-size:17px;margin:1.2em 0 0.2em}a{color:#08519c}"
        "footer{margin-top:2em;font-size:12px;color:#555}"
        ".access-banner{background:#fdecea;border:2px solid #c0392b;border-left-width:8px;color:#5b1710;"
        "font-weight:bold;padding:7px 12px;border-radius:4px}.access-banner a{color:#7b241c}"
        ".access-note{color:#444}details{margin:6px 0;font-size:14px;color:#444}"
        "h1{font-size:24px;line-height:1.25}</style>\n"
        "</head>\n<body>\n"
        f"<h1>{_e(title)}</h1>\n"
        f"{model}\n"
        f"{lead}<ul>\n{links}\n</ul>\n"
        f"<footer>Background map © OpenStreetMap contributors. Data: {_e(attribution)}</footer>\n"
        "</body>\n</html>\n"
    )
    return page
