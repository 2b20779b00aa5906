"""report.html: what it says, that it is self-contained, and that Chromium draws it."""

import dataclasses
import re
import struct

import numpy as np
import pytest
from typer.testing import CliRunner

import access
from access.analysis.study import Study, StudyResult
from access.cli import app
from access.inputs.sources import ATTRIBUTION
from access.outputs.report_page import cumulative_chart_svg, report_html

from browser import LAPTOP, PHONE, chromium, open_page, render, screenshot


@pytest.fixture(scope="module")
def redbridge_out(redbridge_result, tmp_path_factory):
    folder = tmp_path_factory.mktemp("redbridge")
    access.write(redbridge_result, folder)
    return folder


@pytest.fixture(scope="module")
def city_out(city_walk_result, tmp_path_factory):
    folder = tmp_path_factory.mktemp("city")
    access.write(city_walk_result, folder, maps=False)
    return folder


def _png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_page_is_self_contained_and_printable(redbridge_out):
    text = (redbridge_out / "report.html").read_text(encoding="utf-8")
    assert "<script" not in text.lower(), "no scripts: the page is plain HTML and SVG"
    assert not re.search(r'(src|href)="https?:', text), "nothing is fetched from the internet"
    assert "@media print" in text and "break-inside: avoid" in text
    for link in ("walk.html", "cycle.html", "drive.html", "index.html"):
        assert f'href="{link}"' in text and (redbridge_out / link).is_file()
    assert (redbridge_out / "report.html").stat().st_size < 400_000


def test_page_says_what_the_issue_asks_for(redbridge_out, redbridge_result):
    dom = render(redbridge_out / "report.html")
    assert ("Times are estimated from straight-line distances, because no street map of Redbridge was available "
            "here.") in dom
    for heading in ("Headline", "Who lost most", "The counters", "Where people now go",
                    "Travel time, before and after", "Who: groups of residents", "Interactive maps",
                    "How these times were made", "Limits", "Data sources and attribution"):
        assert heading in dom
    for table in ("Households with and without a car or van (2011)", "London-wide quintile", "PTAL 2014", "Ward",
                  "The same groups, household-weighted"):
        assert table in dom
    assert dom.count("<polyline") == 2 * 3, "one before and one after curve per mode"
    assert ATTRIBUTION.replace("&", "&amp;")[:80] in dom
    headline = redbridge_result.changes.loc["walk"]
    assert f"{headline['mean_min_before']:.1f}</span>" in dom and f"{headline['mean_min_after']:.1f}</span>" in dom


def test_network_study_has_no_estimate_banner_and_no_ward_table(city_out):
    text = (city_out / "report.html").read_text(encoding="utf-8")
    assert "STRAIGHT-LINE ESTIMATE" not in text and "Street-network model" in text
    assert "Times are routed on OpenStreetMap&#x27;s streets." in text and "estimated" not in text
    ward = text.split("<h3>Ward</h3>", 1)[1].split("<h3>", 1)[0]
    assert "<table>" not in ward and "Wards are shown by their ONS codes" in ward, "no names: it says how to get them"
    assert "access data fetch ward_names" in ward
    assert "Interactive maps" not in text, "no maps were written, so none are linked"
    assert "streets from which the nearest open counter is within T minutes" in text


def test_curve_matches_the_summary_share_within_30(redbridge_result):
    origins, summary = redbridge_result.origins, redbridge_result.summary
    svg = cumulative_chart_svg(origins["walk_2013_2017_min"].to_numpy(), origins["walk_2018_2025_min"].to_numpy(),
                               origins["population"].to_numpy(), before_label="b", after_label="a", title="t")
    box = re.search(r'<rect x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)"', svg).groups()
    left, upper, width, height = map(float, box)
    ticks = [float(t) for t in re.findall(r'text-anchor="middle" fill="#444">([\d.]+)</text>', svg)]
    top = max(ticks)
    polylines = re.findall(r'<polyline points="([^"]+)"', svg)
    for polyline, period in zip(polylines, ("2013_2017", "2018_2025"), strict=True):
        points = np.array([[float(v) for v in p.split(",")] for p in polyline.split()])
        minutes = (points[:, 0] - left) / width * top
        share = 1 - (points[:, 1] - upper) / height
        at_30 = share[np.argmin(abs(minutes - 30))]
        assert at_30 == pytest.approx(summary.loc[(period, "walk"), "within_30"], abs=0.002)
        assert np.all(np.diff(share) >= -1e-9), "a cumulative share never falls"


def test_text_is_escaped(redbridge_result):
    config = dataclasses.replace(redbridge_result.config, title="<img src=x onerror=alert(1)> & co",
                                 description="a < b", period_labels=(("2013_2017", "<b>before</b> & co"),))
    result = StudyResult(study=Study(config), times=redbridge_result.times)
    page = report_html(result)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt; &amp; co" in page
    assert "a &lt; b" in page and "&lt;b&gt;before&lt;/b&gt; &amp; co" in page and "<b>before</b>" not in page


def test_the_report_speaks_to_readers(redbridge_out, redbridge_result):
    """Period labels, not ids; configuration advice stays in the terminal; the model and attribution stay."""
    from access.outputs.notes import run_warnings

    text = (redbridge_out / "report.html").read_text(encoding="utf-8")
    labels = redbridge_result.config.labels
    assert f'Before: <b class="before">{labels["2013_2017"]}</b>' in text
    assert f'After: <b class="after">{labels["2018_2025"]}</b>' in text
    assert "2013_2017" not in text and "2018_2025" not in text, "readers see labels, not period ids"
    advice = " ".join(run_warnings(redbridge_result.coverage))
    assert "--osm-file" in advice, "the terminal still says what to do"
    for word in ("--osm-file", "ACCESS_OVERPASS_URL", "Overpass", "run once online"):
        assert word not in text, f"{word!r} is advice for the person running access, not for readers"
    assert "STRAIGHT-LINE ESTIMATE" in text and ATTRIBUTION.replace("&", "&amp;")[:60] in text
    assert 'href="walk.html">travel on foot</a>' in text and 'href="index.html">all maps</a>' in text


def test_screenshot_in_chromium(redbridge_out, tmp_path):
    png = screenshot(redbridge_out / "report.html", tmp_path / "report.png", width=1280, height=1600)
    assert _png_size(png) == (1280, 1600)
    assert png.stat().st_size > 60_000, "a blank page compresses to a few KB"


def test_screenshot_command(redbridge_out, tmp_path):
    chromium()  # skip (or fail on CI) without a browser
    out = tmp_path / "docs" / "report.png"
    done = CliRunner().invoke(app, ["screenshot", str(redbridge_out / "report.html"), str(out),
                                    "--height", "1200", "--scale", "0.5"])
    assert done.exit_code == 0, done.output
    assert _png_size(out) == (640, 600) and "KB" in done.output
    missing = CliRunner().invoke(app, ["screenshot", str(tmp_path / "nope.html"), str(out)])
    assert missing.exit_code == 2 and "does not exist" in missing.output


def test_the_everyone_row_says_what_the_headline_says(city_walk_result):
    """The City, where 550 walkers are more than 1 km from the extract: both count them nowhere."""
    page = report_html(city_walk_result)
    headline = re.search(r"Over 30 minutes away: <b>([^<]+)</b>", page).group(1)
    row = re.search(r"<tr><td>everyone</td><td>([^<]+)</td><td>([^<]+?) <span[^>]*>\(([^)]+)\)</span></td>"
                    r"<td>([^<]+)</td>", page)
    summary = city_walk_result.summary
    before, after = summary.loc[("both_open", "walk")], summary.loc[("bishopsgate_only", "walk")]
    assert row.group(4) == headline == f"{round((1 - before['within_30']) * 100)}% → " \
                                       f"{round((1 - after['within_30']) * 100)}%"
    assert row.group(1) == f"{before['population']:,.0f}", "the residents counted, not the census total"
    assert row.group(2) == f"{before['mean_min']:.1f} → {after['mean_min']:.1f}"


def test_who_lost_most_names_the_group_whose_time_rose_most(redbridge_result):
    """In Redbridge, households WITH a car rose more on foot than those without: the line names them."""
    page = report_html(redbridge_result)
    car = redbridge_result.breakdowns.xs(("car", "households", "walk"), level=["dimension", "weight", "mode"])
    with_car, without = car.loc["car or van"], car.loc["no car or van"]
    assert with_car["mean_change_min"] > without["mean_change_min"], "the case this test is about"
    line = re.search(r"<li><b>Households with and without a car or van \(2011\)</b>: ([^<]+)</li>", page).group(1)
    assert line.startswith(f"households with a car or van ({with_car['count']:,.0f} households), mean on foot "
                           f"{with_car['mean_before_min']:.1f} → {with_car['mean_after_min']:.1f} min "
                           f"(+{with_car['mean_change_min']:.1f})"), line
    assert f"against households without a car or van, {without['count']:,.0f}" in line
    for dimension in ("income", "ptal", "ward"):  # every other line: the largest rise of its breakdown
        part = redbridge_result.breakdowns.xs((dimension, "residents", "walk"), level=["dimension", "weight", "mode"])
        worst = part["mean_change_min"].idxmax()
        assert re.search(rf"</b>: {re.escape(worst)} \([\d,]+ residents\), mean on foot .*?"
                         rf"\(\+{part.loc[worst, 'mean_change_min']:.1f}\)", page)


def test_the_report_names_every_counter_and_where_people_go(redbridge_result):
    page = report_html(redbridge_result)
    counters = redbridge_result.study.places.counters
    section = page.split("<h2>The counters</h2>", 1)[1].split("<h2>", 1)[0]
    for name, address in zip(counters["name"], counters["address"], strict=True):
        assert f"<b>{name}</b>" in section and address in section
    assert "Mon–Fri 07:00–23:00" in section, "Barkingside's weekday hours, in words"
    names = dict(zip(counters["id"], counters["name"], strict=True))
    switches = redbridge_result.switches
    walk = switches[switches["mode"] == "walk"]
    first = walk.iloc[0]
    assert (f"{first['population']:,.0f} residents whose nearest counter was {names[first['from_counter']]} are now "
            f"nearest to {names[first['to_counter']]} (+{first['mean_change_min']:.1f} min on foot on average)"
            in section)
    for row in walk.iloc[1:].itertuples():
        assert f"{row.population:,.0f} to {names[row.to_counter]} (+{row.mean_change_min:.1f})" in section
    assert "Romford" in section and "Chingford" in section
    for row in switches.itertuples():  # the table: every pair, with each mode's mean change
        assert f"<td>+{row.mean_change_min:.1f} min</td>" in section


def test_no_internal_names_reach_the_page(redbridge_result):
    """Adapters, column ids and configuration keys stay out of the page, for the London studies' counters too."""
    config = dataclasses.replace(redbridge_result.config, counters_source="london-met", counters_table=None)
    study = Study(config)
    study.__dict__["places"] = redbridge_result.study.places  # the same places: only the words differ
    for page in (report_html(redbridge_result), report_html(StudyResult(study=study, times=redbridge_result.times))):
        for word in ("adapter", "london-met", "counter_sources", "counters_source", "wards_source", "hours_rule",
                     "_min", "2013_2017", "2018_2025", "from_2026", "--at", "--osm-file"):
            assert word not in page, word


@pytest.mark.parametrize("size", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_headline_first_and_nothing_runs_off_the_screen(redbridge_out, size):
    """Measured in Chromium: the model's sentence and the headline figures in the first screen; no sideways scroll."""
    width, height = size
    with open_page(redbridge_out / "report.html", width, height, mobile=width < 500) as page:
        found = page.evaluate("""(() => {
          const box = (el) => { const r = el.getBoundingClientRect(); return [r.top, r.bottom, r.left, r.right]; };
          const texts = [...document.querySelectorAll("figure.chart svg text")].map(
            (t) => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
          return {notice: box(document.querySelector(".notice")), bigs: [...document.querySelectorAll(".big")].map(box),
                  scroll: document.documentElement.scrollWidth, inner: innerWidth, height: innerHeight,
                  texts: texts};
        })()""")
    assert found["inner"] == width and found["scroll"] <= width, found["scroll"]
    assert found["notice"][1] <= found["height"] * 0.4, "the plain sentence on the model comes first"
    shown = found["bigs"] if width > 500 else found["bigs"][:1]  # a phone: the first mode's figures
    assert all(bottom <= found["height"] for _top, bottom, _l, _r in shown), found["bigs"]
    assert len(found["texts"]) > 10 and min(found["texts"]) >= 11, "chart text at least 11 px"
