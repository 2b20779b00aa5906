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

from browser import render, render_with_console, screenshot

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
    """LSOAs with census residents and MADE-UP minutes from straight-line distance."""
    census = pd.read_csv(_mirror("population/london_lsoa2011_census.csv"), dtype={"lsoa11": str})
    lsoas = lsoas.merge(census[["lsoa11", "residents_2011"]], on="lsoa11", how="left")
    origins = lsoas.geometry.representative_point()

    def minutes(period: str) -> np.ndarray:
        open_points = counters.geometry[counters[period] != "off"]
        metres = np.column_stack([origins.distance(p).to_numpy() for p in open_points]).min(axis=1)
        return metres * 1.3 / 80.0

    before, after = minutes(BEFORE), minutes(AFTER)
    return gpd.GeoDataFrame(
        {
            "lsoa11": lsoas["lsoa11"].to_numpy(),
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
    assert "Leaflet 1.9.4" in text  # inlined from django-js-lib-leaflet, licence header kept
    assert "sourceMappingURL" not in text
    # the labelling the page promises
    assert ATTRIBUTION in text
    assert NETWORK_NOTE in text
    assert "minutes" in text
    assert TITLE in text and "on foot" in text
    for name in (f"Time before ({BEFORE})", f"Time after ({AFTER})", "Change (after \\u2212 before)"):
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


def test_leaflet_draws_the_data(network_dom: str, areas, counters):
    parser = _PaneCounter()
    parser.feed(network_dom)
    # one choropleth visible by default: one path per LSOA, one per counter
    assert parser.total >= N_AREAS + len(counters)
    assert parser.per_pane.get("access_areas") == N_AREAS
    assert parser.per_pane.get("access_counters") == len(counters)
    # the boundary is drawn but not interactive
    assert re.search(r'leaflet-access_boundary-pane.*?<path', network_dom, re.DOTALL)
    # boxes and controls
    assert "Travel time to nearest open counter (minutes)" in network_dom
    assert "Change, after − before (minutes)" in network_dom
    assert TITLE in network_dom
    assert ATTRIBUTION in network_dom
    assert f"Time after ({AFTER})" in network_dom and "leaflet-control-layers" in network_dom
    # only the "after" layer is ticked
    ticked = re.findall(r'<input type="checkbox" class="leaflet-control-layers-selector"([^>]*)><span> (.*?)</span>',
                        network_dom)
    checked = {name for attrs, name in ticked if "checked" in attrs}
    assert f"Time after ({AFTER})" in checked and f"Time before ({BEFORE})" not in checked


def test_screenshot_looks_like_a_map(estimate_map: Path, tmp_path: Path):
    png = screenshot(estimate_map, tmp_path / "car.png")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 900)
    assert len(data) > 30_000, f"only {len(data)} bytes: the page is probably blank"


# --------------------------------------------------------------------------- London-wide


@pytest.fixture(scope="module")
def london_map(london_2017_walk, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("london-map")
    access.write_maps(london_2017_walk, folder)
    return folder / "walk.html"


def test_london_map_has_a_borough_layer_and_stays_light(london_map: Path):
    size = london_map.stat().st_size
    assert size < 8_000_000, f"London walk map is {size / 1e6:.1f} MB"
    text = london_map.read_text(encoding="utf-8")
    assert "Boroughs: change in mean time" in text
    assert "Barnet\\u003c/b\\u003e (rank " in text and "Within 30 min:" in text


def test_london_map_renders_boroughs_in_a_browser(london_map: Path, london_2017_walk):
    dom = render(london_map)
    parser = _PaneCounter()
    parser.feed(dom)
    counters = london_2017_walk.study.places.counters
    # shown by default: the 33 boroughs (the LSOA layers are ticked off), and every counter
    assert parser.per_pane.get("access_areas") == 33
    assert parser.per_pane.get("access_counters") == len(counters) == 77
    ticked = re.findall(r'<input type="checkbox" class="leaflet-control-layers-selector"([^>]*)><span> (.*?)</span>',
                        dom)
    checked = {name for attrs, name in ticked if "checked" in attrs}
    assert "Boroughs: change in mean time" in checked and "Time after (after_2017)" not in checked
    assert "STRAIGHT-LINE ESTIMATE" in dom


def test_isochrone_and_catchment_layers(tmp_path: Path, redbridge_result):
    """The study's own maps carry hidden isochrone and catchment layers, drawn by Leaflet, and stay light."""
    paths = {p.name: p for p in access.write_maps(redbridge_result, tmp_path).values()}
    page = paths["walk.html"]
    assert page.stat().st_size < 400_000, f"walk.html is {page.stat().st_size:,} bytes"
    dom = render(page)
    ticked = re.findall(r'<input type="checkbox" class="leaflet-control-layers-selector"([^>]*)><span> (.*?)</span>',
                        dom)
    names = {name: "checked" in attrs for attrs, name in ticked}
    for role, period in (("before", BEFORE), ("after", AFTER)):
        assert names[f"Within 15/30/45 min, {role} ({period})"] is False
        assert names[f"Catchments, {role} ({period})"] is False
    assert "discs around each open counter" in dom and "Catchments: nearest open counter" in dom
    assert "Ilford Police Station" in dom and "Barkingside Police Station" in dom
    text = page.read_text(encoding="utf-8")
    assert text.count("of an open counter, after (2018_2025)") == 3, "one feature per threshold"


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
      [["getPopup", "openPopup"], ["getTooltip", "openTooltip"]].forEach(function (kind) {
        var bound = layer[kind[0]] && layer[kind[0]]();
        if (!bound || !layer.getLatLng) { return; }
        layer[kind[1]]();
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
    path = write_mode_map(
        tmp_path / "evil.html", title="<img src=z onerror=alert('title')>", mode_label="on foot",
        model_note="<script>alert('note')</script>", is_estimate=True, boundary=boundary, areas=areas,
        counters=evil, available=pd.DataFrame(True, index=range(len(evil)), columns=PERIODS), periods=PERIODS,
        before=BEFORE, after=AFTER, attribution="<img src=w onerror=alert('attribution')>",
    )
    page = path.read_text(encoding="utf-8")
    assert "var map_" in page, "the harness finds the map by folium's variable name"
    harness = tmp_path / "harness.html"
    harness.write_text(page.replace("<head>", "<head>" + _HOOK, 1).replace("</body>", _OPEN_ALL + "</body>", 1),
                       encoding="utf-8")
    dom, console = render_with_console(harness)
    assert not [line for line in console if "XSS-RAN" in line], console
    assert not [line for line in console if "Uncaught" in line or "rror" in line], console
    assert f'"ACCESS-OPENED {2 * len(evil)}"' in " ".join(console), console  # every popup and tooltip opened
    collected = dom.split('id="access-collected"', 1)[1]
    # the hostile text is on the page as text: escaped once in the serialised DOM, never as an element
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in collected
    assert "&lt;img src=x onerror=console.log('XSS-RAN-name')&gt;" in collected
    assert "&lt;svg onload=console.log(\"XSS-RAN-address\")&gt;" in collected
    assert "&lt;/script&gt;&lt;script&gt;console.log('XSS-RAN-close')&lt;/script&gt;" in collected
    assert "&lt;img src=y onerror=alert('hours')&gt;" in collected
    assert "<img" not in collected and "<svg" not in collected and "<script" not in collected
    assert "&lt;img src=z onerror=alert('title')&gt;" in dom and "<img src=z" not in dom
