"""The HTML maps: offline, escaped, deterministic, and really drawn by Leaflet.

Fixtures are real data from the mirror: the Redbridge borough outline, twelve
Redbridge LSOA polygons with their 2011 census residents, and three Redbridge
counters with their recorded hours.  The minute columns are MADE UP for the
test (``access.outputs.maps`` only draws what it is given): straight-line distance
from each LSOA's representative point to the nearest counter open in the
period, times 1.3, at 80 m a minute (4.8 km/h).
"""

from __future__ import annotations

import os
import re
import struct
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import access
from access.core.errors import DataError
from access.inputs.places import availability
from access.outputs.maps import index_html, mode_map_html

from browser import open_page, render, render_with_console, screenshot

MIRROR = Path(os.environ.get("ACCESS_DATA_MIRROR", Path(__file__).resolve().parents[1].parent / "shared" / "data"))
PERIODS = ["2013_2017", "2018_2025", "until_2013", "from_2026"]
BEFORE, AFTER = "2013_2017", "2018_2025"
TITLE = "Redbridge police front counters, before and after the 2017 closures"
ATTRIBUTION = "Contains OS data © Crown copyright and database right 2024; ONS; © OpenStreetMap contributors (ODbL)"
NETWORK_NOTE = "Street-network model (OpenStreetMap)"
ESTIMATE_NOTE = (
    "STRAIGHT-LINE ESTIMATE: no street network was available; "
    "times are distance × measured detour factor ÷ speed"
)
N_AREAS = 12
COUNTER_IDS = ["ilford", "barkingside", "woodford"]
BNG = "EPSG:27700"


def _mirror(relative: str) -> Path:
    path = MIRROR / relative
    if not path.is_file():
        pytest.fail(f"{path} is missing: the tests need the data mirror; set ACCESS_DATA_MIRROR")
    return path


@pytest.fixture(scope="module")
def boundary() -> gpd.GeoDataFrame:
    boroughs = gpd.read_file(_mirror("boundaries/london_boroughs.geojson"))
    return boroughs[boroughs["BOROUGH"] == "Redbridge"].to_crs(BNG).reset_index(drop=True)


@pytest.fixture(scope="module")
def counters() -> gpd.GeoDataFrame:
    table = pd.read_csv(_mirror("stations/redbridge_and_neighbours_front_counters.csv"), dtype=str)
    table = table.set_index("id").loc[COUNTER_IDS].reset_index()
    points = gpd.points_from_xy(table["lon"].astype(float), table["lat"].astype(float))
    frame = gpd.GeoDataFrame(table[["id", "name", "address", *PERIODS]], geometry=points, crs="EPSG:4326")
    return frame.to_crs(BNG)


def _areas(lsoas: gpd.GeoDataFrame, counters: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """LSOAs with their names, wards (at the representative point), census residents and MADE-UP minutes."""
    census = pd.read_csv(_mirror("population/london_lsoa2011_census.csv"), dtype={"lsoa11": str})
    lsoas = lsoas.merge(census[["lsoa11", "residents_2011"]], on="lsoa11", how="left")
    origins = lsoas.geometry.representative_point()
    wards = gpd.read_file(_mirror("boundaries/redbridge_wards_2019.geojson")).to_crs(lsoas.crs)
    ward = gpd.sjoin(gpd.GeoDataFrame(geometry=origins), wards[["wd19nm", "geometry"]], how="left")
    ward = ward[~ward.index.duplicated()]["wd19nm"]

    def minutes(period: str) -> np.ndarray:
        open_points = counters.geometry[counters[period] != "off"]
        metres = np.column_stack([origins.distance(p).to_numpy() for p in open_points]).min(axis=1)
        return metres * 1.3 / 80.0

    before, after = minutes(BEFORE), minutes(AFTER)
    return gpd.GeoDataFrame(
        {
            "lsoa11": lsoas["lsoa11"].to_numpy(),
            "name": lsoas["lsoa11_name"].to_numpy(),
            "ward": ward.to_numpy(),
            "population": lsoas["residents_2011"].to_numpy(),
            "before_min": before,
            "after_min": after,
            "change_min": after - before,
        },
        geometry=lsoas.geometry.to_numpy(),
        crs=lsoas.crs,
    )


def write_mode_map(path: Path, **kwargs) -> Path:
    """Write a map page to ``path``; availability by the one rule unless given (hostile hours cannot be parsed)."""
    if "available" not in kwargs:
        periods = [p for p in kwargs["periods"] if p in kwargs["counters"].columns]
        kwargs["available"] = availability(kwargs["counters"], periods).reset_index(drop=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(mode_map_html(**kwargs), encoding="utf-8")
    return path


def write_index(path: Path, **kwargs) -> Path:
    path.write_text(index_html(**kwargs), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def redbridge_lsoas() -> gpd.GeoDataFrame:
    lsoas = gpd.read_file(_mirror("geography/london_lsoa2011_bsc.geojson"))
    lsoas = lsoas[lsoas["lsoa11_name"].str.startswith("Redbridge ")]
    return lsoas.sort_values("lsoa11").to_crs(BNG).reset_index(drop=True)


@pytest.fixture(scope="module")
def areas(redbridge_lsoas: gpd.GeoDataFrame, counters: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return _areas(redbridge_lsoas.head(N_AREAS), counters)


def _write(path: Path, boundary, areas, counters, *, is_estimate: bool = False, mode_label: str = "on foot") -> Path:
    return write_mode_map(
        path,
        title=TITLE,
        mode_label=mode_label,
        model_note=ESTIMATE_NOTE if is_estimate else NETWORK_NOTE,
        is_estimate=is_estimate,
        boundary=boundary,
        areas=areas,
        counters=counters,
        periods=PERIODS,
        before=BEFORE,
        after=AFTER,
        attribution=ATTRIBUTION,
    )


@pytest.fixture(scope="module")
def network_map(tmp_path_factory, boundary, areas, counters) -> Path:
    return _write(tmp_path_factory.mktemp("maps") / "walk.html", boundary, areas, counters)


@pytest.fixture(scope="module")
def estimate_map(tmp_path_factory, boundary, areas, counters) -> Path:
    return _write(tmp_path_factory.mktemp("maps") / "car.html", boundary, areas, counters,
                  is_estimate=True, mode_label="by car")


@pytest.fixture(scope="module")
def network_dom(network_map: Path) -> str:
    return render(network_map)


# --------------------------------------------------------------------------- the file


def test_page_is_self_contained_and_labelled(network_map: Path):
    text = network_map.read_text(encoding="utf-8")
    # nothing is fetched from a CDN: no external script or stylesheet at all
    assert not re.search(r"<script[^>]*\bsrc\s*=", text, re.IGNORECASE)
    assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']?https?:", text, re.IGNORECASE)
    for cdn in ("cdn.jsdelivr", "cdnjs", "code.jquery", "bootstrapcdn", "fontawesome", "awesome-markers"):
        assert cdn not in text.lower()
    # the only URL Leaflet will request is the OSM tile template
    templates = set(re.findall(r"https?://[^\"'\s]*\{z\}[^\"'\s]*", text))
    assert templates == {"https://tile.openstreetmap.org/{z}/{x}/{y}.png"}
    assert "Leaflet 1.9.4" in text  # inlined from the bundled release files, licence header kept
    assert "sourceMappingURL" not in text
    # the labelling the page promises
    assert ATTRIBUTION in text
    assert NETWORK_NOTE in text
    assert "minutes" in text
    assert TITLE in text and "on foot" in text
    for name in (f"Time before \\u2014 {BEFORE}", f"Time after \\u2014 {AFTER}", "Change, after \\u2212 before"):
        assert name in text
    assert 'class="access-banner"' not in text
    assert "<title>" in text


def test_estimate_gets_a_banner(estimate_map: Path):
    text = estimate_map.read_text(encoding="utf-8")
    banner = re.search(r'<div class="access-banner"[^>]*>(.*?)</div>', text, re.DOTALL)
    assert banner is not None
    assert "STRAIGHT-LINE ESTIMATE" in banner.group(1)
    assert ESTIMATE_NOTE in banner.group(1)
    assert "by car" in text


def test_text_is_escaped(tmp_path: Path, boundary, areas, counters):
    evil = counters.copy()
    evil.loc[0, "name"] = "<script>alert(1)</script>"
    evil.loc[1, "address"] = '"><img src=x onerror=alert(2)>'
    evil.loc[2, "2018_2025"] = "<b>bold</b>"
    path = write_mode_map(
        tmp_path / "evil.html", title="A <i>title</i> & {{ 7*7 }}", mode_label="<u>on foot</u>",
        model_note="note <script>alert(3)</script>", is_estimate=True, boundary=boundary, areas=areas,
        counters=evil, available=pd.DataFrame(True, index=range(len(evil)), columns=PERIODS), periods=PERIODS,
        before=BEFORE, after=AFTER, attribution="ONS <script>x</script>",
    )
    text = path.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script>alert(" not in text
    assert "<img src=x" not in text and "&lt;img src=x onerror=alert(2)&gt;" in text
    assert "&lt;b&gt;bold&lt;/b&gt;" in text
    assert "A &lt;i&gt;title&lt;/i&gt; &amp; {{ 7*7 }}" in text  # escaped and not run as a template
    assert "&lt;u&gt;on foot&lt;/u&gt;" in text
    assert "ONS &lt;script&gt;x&lt;/script&gt;" in text


def test_same_inputs_give_identical_bytes(tmp_path: Path, boundary, areas, counters):
    first = _write(tmp_path / "a.html", boundary, areas, counters)
    second = _write(tmp_path / "b.html", boundary, areas, counters)
    assert first.read_bytes() == second.read_bytes()
    assert not re.search(r"_[0-9a-f]{32}", first.read_text(encoding="utf-8"))


def test_whole_borough_page_is_light(tmp_path: Path, boundary, redbridge_lsoas, counters):
    areas = _areas(redbridge_lsoas, counters)
    assert len(areas) == 161
    path = _write(tmp_path / "redbridge.html", boundary, areas, counters)
    size = path.stat().st_size
    assert size < 1_000_000, f"{size} bytes for 161 LSOAs"
    # coordinates rounded to 6 decimals
    assert not re.search(r"\d\.\d{7,}", path.read_text(encoding="utf-8").split("var lsoa_data_", 1)[1][:200_000])


def test_geographic_inputs_and_missing_values(tmp_path: Path, boundary, areas, counters):
    areas = areas.to_crs("EPSG:4326")
    areas.loc[0, "after_min"] = np.nan
    areas.loc[1, "change_min"] = np.inf
    text = write_mode_map(
        tmp_path / "x.html", title=TITLE, mode_label="on foot", model_note=NETWORK_NOTE, is_estimate=False,
        boundary=boundary.to_crs("EPSG:4326"), areas=areas, counters=counters.to_crs("EPSG:4326"),
        periods=PERIODS, before=BEFORE, after=AFTER, attribution=ATTRIBUTION,
    ).read_text(encoding="utf-8")
    assert "n/a" in text and "no data" in text


def test_bad_inputs_raise_data_error(tmp_path: Path, boundary, areas, counters):
    with pytest.raises(DataError, match="change_min"):
        _write(tmp_path / "x.html", boundary, areas.drop(columns="change_min"), counters)
    with pytest.raises(DataError, match="from_2026"):
        _write(tmp_path / "x.html", boundary, areas, counters.drop(columns="from_2026"))
    with pytest.raises(DataError, match="2019"):
        write_mode_map(
            tmp_path / "x.html", title=TITLE, mode_label="on foot", model_note=NETWORK_NOTE, is_estimate=False,
            boundary=boundary, areas=areas, counters=counters, periods=PERIODS, before="2019", after=AFTER,
            attribution=ATTRIBUTION,
        )


def test_index_links_every_page_and_escapes(tmp_path: Path):
    path = write_index(
        tmp_path / "index.html",
        title="Redbridge <b>maps</b>",
        pages={"On foot": "walk.html", "By car & bus": "car.html?a=1&b=2"},
        model_note=ESTIMATE_NOTE,
        is_estimate=True,
        attribution=ATTRIBUTION,
    )
    text = path.read_text(encoding="utf-8")
    assert '<a href="walk.html">On foot</a>' in text
    assert '<a href="car.html?a=1&amp;b=2">By car &amp; bus</a>' in text
    assert "Redbridge &lt;b&gt;maps&lt;/b&gt;" in text
    assert 'class="access-banner"' in text and ESTIMATE_NOTE in text
    assert ATTRIBUTION in text
    assert "http" not in text


# --------------------------------------------------------------------------- in a browser


class _PaneCounter(HTMLParser):
    """Count ``leaflet-interactive`` paths, in total and per Leaflet pane."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str | None] = []
        self.total = 0
        self.per_pane: dict[str, int] = {}

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        pane = next((c[len("leaflet-"):-len("-pane")] for c in classes
                     if c.startswith("leaflet-") and c.endswith("-pane") and c != "leaflet-pane"), None)
        if tag == "path" and "leaflet-interactive" in classes:
            self.total += 1
            current = next((p for p in reversed(self.stack) if p), "?")
            self.per_pane[current] = self.per_pane.get(current, 0) + 1
        self.stack.append(pane)

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()


def _ticked(dom: str) -> dict[str, bool]:
    """Every layer in the layer control (base layers are radio buttons, overlays checkboxes): name → on."""
    found = re.findall(r'<input type="(radio|checkbox)" class="leaflet-control-layers-selector"([^>]*)><span> (.*?)'
                       r'</span>', dom)
    return {name: "checked" in attrs for _kind, attrs, name in found}


def _bases(dom: str) -> list[str]:
    return re.findall(r'<input type="radio" class="leaflet-control-layers-selector"[^>]*><span> (.*?)</span>', dom)


def test_leaflet_draws_the_data(network_dom: str, areas, counters):
    parser = _PaneCounter()
    parser.feed(network_dom)
    # one choropleth visible by default: one path per LSOA, one per counter
    assert parser.total >= N_AREAS + len(counters)
    assert parser.per_pane.get("access_areas") == N_AREAS
    assert parser.per_pane.get("access_counters") == len(counters)
    # the boundary is drawn but not interactive
    assert re.search(r'leaflet-access_boundary-pane.*?<path', network_dom, re.DOTALL)
    # panel, legend, attribution and controls
    assert f"Time after: {AFTER}" in network_dom and f"Change: {BEFORE} → {AFTER}" in network_dom
    assert TITLE in network_dom
    assert ATTRIBUTION in network_dom
    assert "leaflet-control-layers" in network_dom
    # before, after and change are base layers (radio buttons): the "after" one is on
    assert _bases(network_dom) == [f"Time before — {BEFORE}", f"Time after — {AFTER}", "Change, after − before"]
    ticked = _ticked(network_dom)
    assert ticked[f"Time after — {AFTER}"] and not ticked[f"Time before — {BEFORE}"]


def test_screenshot_looks_like_a_map(estimate_map: Path, tmp_path: Path):
    png = screenshot(estimate_map, tmp_path / "car.png")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 900)
    assert len(data) > 30_000, f"only {len(data)} bytes: the page is probably blank"


# --------------------------------------------------------------------------- a reader's view, in a real window

# JavaScript run in the page (tests/browser.py's open_page): what a reader sees, measured by the browser.
# The map is found as the page's L.Map, the boundary as the layer in its pane; every panel and control on
# screen (".access-box", ".leaflet-control") counts, open or collapsed.
_VIEW_JS = r"""
(function () {
  var map = Object.keys(window).map(function (k) { return window[k]; })
    .filter(function (v) { return v instanceof L.Map; })[0];
  var boundary = null;
  map.eachLayer(function (l) {
    if (l.options && l.options.pane === "access_boundary" && l.getBounds) { boundary = l; }
  });
  var b = boundary.getBounds(), origin = map.getContainer().getBoundingClientRect();
  var nw = map.latLngToContainerPoint(b.getNorthWest()), se = map.latLngToContainerPoint(b.getSouthEast());
  function box(el) {
    var r = el.getBoundingClientRect();
    return {name: el.id || el.className, left: r.left, top: r.top, right: r.right, bottom: r.bottom};
  }
  var panels = Array.prototype.map.call(document.querySelectorAll(".access-box, .leaflet-control"), box)
    .filter(function (r) { return r.right > r.left && r.bottom > r.top; });
  var legend = Array.prototype.filter.call(document.querySelectorAll("#access-panel [data-base]"),
    function (s) { return !s.hidden; }).map(function (s) { return s.querySelector("h2").textContent; });
  var body = document.getElementById("access-panel-body").getBoundingClientRect();
  return {area: {left: nw.x + origin.left, top: nw.y + origin.top, right: se.x + origin.left,
                 bottom: se.y + origin.top},
          map: box(map.getContainer()), panels: panels, legend: legend, legendHeight: body.height,
          layersOpen: !!document.querySelector(".leaflet-control-layers-expanded"),
          collapsed: Array.prototype.map.call(document.querySelectorAll(".access-box.access-collapsed"),
                                              function (el) { return el.id; }),
          areaPaths: document.querySelectorAll(".leaflet-access_areas-pane path").length};
})()
"""


def _overlaps(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def _inside(a: dict, b: dict) -> bool:
    return a["left"] >= b["left"] and a["right"] <= b["right"] and a["top"] >= b["top"] and a["bottom"] <= b["bottom"]


def _check_clear(view: dict, what: str) -> None:
    area = view["area"]
    assert _inside(area, view["map"]), f"{what}: the study area {area} runs off the map {view['map']}"
    hidden_by = [p["name"] for p in view["panels"] if _overlaps(area, p)]
    assert not hidden_by, f"{what}: the study area {area} is under {hidden_by}"
    width = area["right"] - area["left"]
    assert width > 0.25 * (view["map"]["right"] - view["map"]["left"]), f"{what}: the area is only {width} px wide"


@pytest.fixture(scope="module")
def redbridge_pages(redbridge, tmp_path_factory) -> Path:
    """Return the Redbridge study's own walk map, index and report, as `access run` writes them."""
    folder = tmp_path_factory.mktemp("redbridge-pages")
    access.write(redbridge.run(modes=["walk"], offline=True), folder)
    return folder


@pytest.fixture(scope="module")
def city_pages(city_walk_result, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("city-pages")
    access.write(city_walk_result, folder)
    return folder


def _walk_page(study: str, request) -> Path:
    """Return the walking map of a study, made by its fixture only when the test asks for that study."""
    fixture = {"redbridge": "redbridge_pages", "city": "city_pages", "london": "london_map"}[study]
    made = request.getfixturevalue(fixture)
    return made if study == "london" else made / "walk.html"


@pytest.mark.browser
@pytest.mark.parametrize("study", ["redbridge", "city", "london"])
def test_the_study_area_opens_clear_of_every_panel_on_a_laptop(study, request):
    """At 1280×800 the boundary's pixel box (latLngToContainerPoint) meets no open panel or control."""
    page = _walk_page(study, request)
    with open_page(page, 1280, 800) as tab:
        view = tab.evaluate(_VIEW_JS)
    assert view["collapsed"] == [] and view["layersOpen"], "on a laptop the panels start open"
    assert {p["name"].split()[0] for p in view["panels"]} >= {"access-panel", "access-attribution",
                                                               "leaflet-control-layers"}
    assert view["legendHeight"] > 200, "the legend is open and readable"
    _check_clear(view, study)


@pytest.mark.browser
@pytest.mark.parametrize("study", ["redbridge", "city", "london"])
def test_on_a_phone_the_panels_start_collapsed_and_the_area_is_in_view(study, request):
    page = _walk_page(study, request)
    with open_page(page, 390, 844) as tab:
        view = tab.evaluate(_VIEW_JS)
        assert sorted(view["collapsed"]) == ["access-attribution", "access-panel"]
        assert not view["layersOpen"] and view["legendHeight"] == 0
        _check_clear(view, f"{study} on a phone")
        # a tap opens the legend again
        tab.evaluate('document.querySelector("#access-panel .access-toggle").click()')
        opened = tab.evaluate(_VIEW_JS)
    assert "access-panel" not in opened["collapsed"] and opened["legendHeight"] > 100


_SWITCH_JS = r"""
(function () {
  var seen = [];
  Array.prototype.forEach.call(document.querySelectorAll(".leaflet-control-layers-base input"), function (input) {
    input.click();
    var view = %s;
    seen.push({layer: input.nextSibling.textContent.trim(), legend: view.legend, paths: view.areaPaths,
               showing: document.getElementById("access-showing").textContent});
  });
  return seen;
})()
"""


@pytest.mark.browser
def test_switching_base_layers_changes_the_legend_and_shows_one_layer(redbridge_pages, redbridge):
    labels = redbridge.config.labels
    before, after = labels["2013_2017"], labels["2018_2025"]
    with open_page(redbridge_pages / "walk.html", 1280, 800) as tab:
        first = tab.evaluate(_VIEW_JS)
        seen = tab.evaluate(_SWITCH_JS % _VIEW_JS.strip())
        # overlays: a legend section appears while its layer is on
        shown = tab.evaluate(r"""(function () {
          var boxes = document.querySelectorAll(".leaflet-control-layers-overlays input");
          boxes[0].click();
          var on = Array.prototype.filter.call(document.querySelectorAll("#access-panel [data-overlays]"),
            function (s) { return !s.hidden; }).map(function (s) { return s.textContent; });
          boxes[0].click();
          var off = Array.prototype.filter.call(document.querySelectorAll("#access-panel [data-overlays]"),
            function (s) { return !s.hidden; }).length;
          return [on, off];
        })()""")
    assert first["legend"] == [f"Time after: {after}"]
    assert [s["legend"] for s in seen] == [[f"Time before: {before}"], [f"Time after: {after}"],
                                           [f"Change: {before} → {after}"]]
    assert [s["showing"] for s in seen] == ["Time before", "Time after", "Change"]
    assert {s["paths"] for s in seen} == {161}, "only one base layer is ever drawn: one path per LSOA"
    assert [s["layer"] for s in seen] == [f"Time before — {before}", f"Time after — {after}",
                                          "Change, after − before"]
    on, off = shown
    assert any(f"before: {before}" in text for text in on) and off == 0


@pytest.mark.browser
def test_every_lsoa_tooltip_names_its_area_and_ward(redbridge_pages, redbridge):
    with open_page(redbridge_pages / "walk.html", 1280, 800) as tab:
        tips = tab.evaluate(r"""(function () {
          var map = Object.keys(window).map(function (k) { return window[k]; })
            .filter(function (v) { return v instanceof L.Map; })[0];
          var tips = [];
          map.eachLayer(function (l) {
            if (l.options && l.options.pane === "access_areas" && l.getTooltip && l.getTooltip() && !l.eachLayer) {
              var tip = l.getTooltip(); l.openTooltip(l.getBounds().getCenter());
              tips.push(tip.getElement().textContent);
            }
          });
          return tips;
        })()""")
    names = redbridge.lsoa_names
    assert len(tips) == 161
    for tip in tips:
        match = re.match(r"(Redbridge \d{3}[A-Z]) \(LSOA (E\d{8})\)Ward: (.+?)Residents: [\d,]+Before, 2013–17", tip)
        assert match, tip
        name, code, ward = match.groups()
        assert names.loc[code, "lsoa11_name"] == name and names.loc[code, "ward_name"] == ward
        assert "After, 2018–25: Ilford 24/7, Barkingside closed: " in tip and "Change: " in tip


def test_maps_index_and_report_link_to_each_other(redbridge_pages):
    walk = (redbridge_pages / "walk.html").read_text(encoding="utf-8")
    index = (redbridge_pages / "index.html").read_text(encoding="utf-8")
    report = (redbridge_pages / "report.html").read_text(encoding="utf-8")
    assert '<a href="report.html">The report</a>' in walk and '<a href="index.html">All maps</a>' in walk
    assert '<a href="report.html"><b>The report</b></a>' in index and '<a href="walk.html">' in index
    assert 'href="walk.html"' in report and 'href="index.html"' in report
    for page in (walk, index, report):
        assert "OpenStreetMap contributors" in page and "Crown copyright" in page
        assert page.count("Times are estimated from straight-line distances, because no street map of Redbridge was "
                          "available here") == 1, "the model in one plain sentence, once"
    for page in (walk, index):  # ... and the report explains it
        assert '<a href="report.html#how-times">How these times were made</a>' in page
    assert 'id="how-times"' in report and "STRAIGHT-LINE ESTIMATE" in report


def test_no_change_is_neutral_and_apart_from_shorter():
    from access.outputs.styles import CHANGE_BINS_MIN, CHANGE_COLOURS, CHANGE_LABELS, class_colour

    shorter, same, longer = (class_colour(m, CHANGE_BINS_MIN, CHANGE_COLOURS) for m in (-2.0, 0.0, 1.0))
    assert len({shorter, same, longer}) == 3
    assert CHANGE_LABELS[CHANGE_COLOURS.index(same)] == "no change"
    red, green, blue = (int(same[i:i + 2], 16) for i in (1, 3, 5))
    assert max(red, green, blue) - min(red, green, blue) < 10, "no change is a grey, neither blue nor red"


def test_before_and_after_isochrones_have_their_own_colours():
    from access.outputs.styles import ISOCHRONE_COLOURS

    assert not set(ISOCHRONE_COLOURS["before"].values()) & set(ISOCHRONE_COLOURS["after"].values())


# --------------------------------------------------------------------------- London-wide


@pytest.fixture(scope="module")
def london_map(london_2017_walk, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("london-map")
    access.write_maps(london_2017_walk, folder)
    return folder / "walk.html"


def test_london_map_has_a_borough_layer_and_stays_light(london_map: Path):
    size = london_map.stat().st_size
    assert size < 4_000_000, f"London walk map is {size / 1e6:.1f} MB"
    text = london_map.read_text(encoding="utf-8")
    assert "Boroughs: change in mean time" in text
    assert "Barnet\\u003c/b\\u003e (rank " in text and "Within 30 min:" in text


def test_london_map_renders_boroughs_in_a_browser(london_map: Path, london_2017_walk):
    dom = render(london_map)
    parser = _PaneCounter()
    parser.feed(dom)
    counters = london_2017_walk.study.places.counters
    # shown by default: the 33 boroughs (the LSOA base layers are off), and every counter
    assert parser.per_pane.get("access_areas") == 33
    assert parser.per_pane.get("access_counters") == len(counters) == 77
    ticked = _ticked(dom)
    assert ticked["Boroughs: change in mean time"] and not ticked["Time after — After the 2017 strategy: 37 counters"]
    assert "Boroughs: change in mean time, Mid-2017: 73 counters → After the 2017 strategy: 37 counters" in dom
    assert "STRAIGHT-LINE ESTIMATE" in dom


def test_isochrone_and_catchment_layers(tmp_path: Path, redbridge_result):
    """The study's own maps carry hidden isochrone and catchment layers, drawn by Leaflet, and stay light."""
    paths = {p.name: p for p in access.write_maps(redbridge_result, tmp_path).values()}
    page = paths["walk.html"]
    assert page.stat().st_size < 400_000, f"walk.html is {page.stat().st_size:,} bytes"
    dom = render(page)
    names = _ticked(dom)
    for role in ("before", "after"):
        assert names[f"Within 15/30/45 min, {role}"] is False
        assert names[f"Catchments, {role}"] is False
    assert "discs around each open counter" in dom and "Catchments: nearest open counter" in dom
    assert "Ilford Police Station" in dom and "Barkingside Police Station" in dom
    text = page.read_text(encoding="utf-8")
    tip = "\\u003c/b\\u003e of an open counter, after: 2018–25: Ilford 24/7, Barkingside closed"
    assert text.count(tip) == 3, "one feature per threshold"


# The page under test is the map as written, with two test-only scripts added: one at the top of <head>
# that turns alert() into a console line, one at the end that opens every popup and tooltip of the map
# (as a click or hover would) and copies each into a <div id="access-collected">, so its text is in the DOM.
_HOOK = '<script>window.alert = function (m) { console.log("XSS-RAN alert " + m); };</script>'
_OPEN_ALL = """<script>
window.addEventListener("load", function () {
  var out = document.createElement("div"); out.id = "access-collected"; document.body.appendChild(out);
  var opened = 0;
  Object.keys(window).forEach(function (key) {
    var map = window[key];
    if (!(key.indexOf("map_") === 0 && map instanceof L.Map)) { return; }
    map.eachLayer(function (layer) {
      // the tooltip first: an open popup takes its layer's tooltip off (the two never sit one on the other)
      [["getTooltip", "openTooltip"], ["getPopup", "openPopup"]].forEach(function (kind) {
        var bound = layer[kind[0]] && layer[kind[0]]();
        if (!bound || !(layer.getLatLng || layer.getBounds)) { return; }
        if (layer.getLatLng) { layer[kind[1]](); } else { layer[kind[1]](layer.getBounds().getCenter()); }
        var copy = document.createElement("div"); copy.className = "collected";
        copy.innerHTML = bound.getElement().innerHTML; out.appendChild(copy); opened += 1;
      });
    });
  });
  console.log("ACCESS-OPENED " + opened);
});
</script>"""


def test_hostile_text_shows_as_text_and_never_runs_in_chromium(tmp_path: Path, boundary, areas, counters):
    evil = counters.copy()
    evil.loc[0, "name"] = "<script>alert(1)</script>"
    evil.loc[1, "name"] = "<img src=x onerror=console.log('XSS-RAN-name')>"
    evil.loc[1, "address"] = '"><svg onload=console.log("XSS-RAN-address")>'
    evil.loc[2, "address"] = "</script><script>console.log('XSS-RAN-close')</script>"
    evil.loc[2, AFTER] = "<img src=y onerror=alert('hours')>"
    evil_areas = areas.copy()
    evil_areas.loc[0, "name"] = "<img src=n onerror=alert('lsoa')>"
    evil_areas.loc[1, "ward"] = "</script><script>alert('ward')</script>"
    labels = {BEFORE: "<img src=b onerror=alert('before')>", AFTER: "\"</script><script>alert('after')</script>"}
    path = write_mode_map(
        tmp_path / "evil.html", title="<img src=z onerror=alert('title')>", mode_label="on foot",
        model_note="<script>alert('note')</script>", is_estimate=True, boundary=boundary, areas=evil_areas,
        counters=evil, available=pd.DataFrame(True, index=range(len(evil)), columns=PERIODS), periods=PERIODS,
        before=BEFORE, after=AFTER, attribution="<img src=w onerror=alert('attribution')>", labels=labels,
        links={"<b>report</b>": "javascript:alert('link')\" onclick=\"alert(2)"},
    )
    page = path.read_text(encoding="utf-8")
    assert "var map_" in page, "the harness finds the map by folium's variable name"
    harness = tmp_path / "harness.html"
    harness.write_text(page.replace("<head>", "<head>" + _HOOK, 1).replace("</body>", _OPEN_ALL + "</body>", 1),
                       encoding="utf-8")
    dom, console = render_with_console(harness)
    assert not [line for line in console if "XSS-RAN" in line], console
    assert not [line for line in console if "Uncaught" in line or "rror" in line], console
    # every counter's popup and tooltip, and the tooltip of every LSOA of the layer on screen, opened
    assert f'"ACCESS-OPENED {2 * len(evil) + N_AREAS}"' in " ".join(console), console
    collected = dom.split('id="access-collected"', 1)[1]
    # the hostile text is on the page as text: escaped once in the serialised DOM, never as an element
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in collected
    assert "&lt;img src=x onerror=console.log('XSS-RAN-name')&gt;" in collected
    assert "&lt;svg onload=console.log(\"XSS-RAN-address\")&gt;" in collected
    assert "&lt;/script&gt;&lt;script&gt;console.log('XSS-RAN-close')&lt;/script&gt;" in collected
    assert "&lt;img src=y onerror=alert('hours')&gt;" in collected
    assert "<img" not in collected and "<svg" not in collected and "<script" not in collected
    assert "&lt;img src=z onerror=alert('title')&gt;" in dom and "<img src=z" not in dom
    # LSOA names, wards and period labels in the tooltips, the legend and the layer control, as text
    assert "&lt;img src=n onerror=alert('lsoa')&gt;" in collected
    assert "&lt;/script&gt;&lt;script&gt;alert('ward')&lt;/script&gt;" in collected
    assert "Before, &lt;img src=b onerror=alert('before')&gt;" in collected
    assert "Time after: \"&lt;/script&gt;&lt;script&gt;alert('after')&lt;/script&gt;" in dom
    assert "Time before — &lt;img src=b onerror=alert('before')&gt;" in dom
    assert "<img src=b" not in dom and "<img src=n" not in dom and 'onclick="alert' not in dom


def test_the_bundled_leaflet_is_the_published_release():
    """Every file of access/outputs/vendor/leaflet is byte for byte what its SOURCE.md names (leaflet@1.9.4)."""
    import hashlib
    from importlib.resources import files

    folder = files("access.outputs") / "vendor" / "leaflet"
    listed = dict(re.findall(r"^\| (\S+) \| ([0-9a-f]{64}) \|$", (folder / "SOURCE.md").read_text(), re.M))
    assert len(listed) == 7 and "BSD 2-Clause" in (folder / "LICENSE").read_text()
    for name, digest in listed.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name


_COUNTERS_JS = r"""
(async function () {
  var map = null;
  Object.keys(window).forEach(function (key) { if (key.indexOf("map_") === 0 && window[key] instanceof L.Map) {
    map = window[key]; } });
  var markers = [];
  map.eachLayer(function (layer) { if (layer instanceof L.CircleMarker && layer.getPopup()) { markers.push(layer); } });
  var out = {scroll: document.documentElement.scrollWidth, width: innerWidth, height: innerHeight, counters: [],
             popups: []};
  markers.forEach(function (marker) {
    var r = marker.getElement().getBoundingClientRect();
    out.counters.push([r.left, r.top, r.right, r.bottom]);
  });
  var view = [map.getCenter(), map.getZoom()];
  for (var i = 0; i < markers.length; i++) {
    var marker = markers[i];
    marker.openTooltip();
    marker.openPopup();
    await new Promise(function (done) { setTimeout(done, 400); });  // the map pans to show the popup
    var p = marker.getPopup().getElement().getBoundingClientRect();
    var tips = Array.prototype.filter.call(document.querySelectorAll(".leaflet-tooltip"), function (t) {
      var r = t.getBoundingClientRect();  // (a closed tooltip fades out: opacity 0, then it is removed)
      return r.width > 0 && getComputedStyle(t).opacity > 0 && r.left < p.right && p.left < r.right &&
        r.top < p.bottom && p.top < r.bottom;
    });
    out.popups.push({box: [p.left, p.top, p.right, p.bottom], tips: tips.length});
    marker.closePopup();
    map.setView(view[0], view[1], {animate: false});
  }
  return out;
})()
"""


@pytest.mark.browser
@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["laptop", "phone"])
def test_every_counter_on_screen_and_its_popup_inside_it_with_no_tooltip_on_top(redbridge_pages, size):
    """Measured in Chromium: counters at the map's edge are not cut, a popup fits the screen, no tooltip covers it."""
    width, height = size
    with open_page(redbridge_pages / "walk.html", width, height, mobile=width < 500) as tab:
        found = tab.evaluate(_COUNTERS_JS)
    assert found["width"] == width and found["scroll"] <= width
    assert len(found["counters"]) == 10
    for left, top, right, bottom in found["counters"]:
        assert 0 <= left and right <= width and 0 <= top and bottom <= height, found["counters"]
    for popup in found["popups"]:
        left, _top, right, _bottom = popup["box"]
        assert 0 <= left and right <= width, popup
        assert popup["tips"] == 0, "no tooltip sits on an open popup"


@pytest.mark.browser
def test_the_index_page_fits_a_phone(redbridge_pages):
    with open_page(redbridge_pages / "index.html", 390, 844, mobile=True) as tab:
        found = tab.evaluate("({scroll: document.documentElement.scrollWidth, width: innerWidth, "
                             "notice: document.querySelector('.access-banner').getBoundingClientRect().bottom})")
    assert found["width"] == 390 and found["scroll"] <= 390 and found["notice"] < 844
