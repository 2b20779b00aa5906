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

from browser import chromium, render, screenshot


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
    assert "STRAIGHT-LINE ESTIMATE for walk, cycle, drive" in dom
    for heading in ("Headline", "Who lost most", "Travel time, before and after", "Who: groups of residents",
                    "Interactive maps", "The model and its limits", "Data sources and attribution"):
        assert heading in dom
    for table in ("Households with and without a car or van (2011)", "London-wide quintile", "PTAL 2014", "Ward",
                  "The same groups, household-weighted"):
        assert table in dom
    assert dom.count("<polyline") == 2 * 3, "one before and one after curve per mode"
    assert ATTRIBUTION.replace("&", "&amp;")[:80] in dom
    car = redbridge_result.breakdowns.loc[("car", "no car or van", "households", "walk")]
    assert (f"Households without a car or van</b> ({car['count']:,.0f}): mean on foot "
            f"{car['mean_before_min']:.1f} → {car['mean_after_min']:.1f} min") in dom
    headline = redbridge_result.changes.loc["walk"]
    assert f"{headline['mean_min_before']:.1f}</span>" in dom and f"{headline['mean_min_after']:.1f}</span>" in dom


def test_network_study_has_no_estimate_banner_and_no_ward_table(city_out):
    text = (city_out / "report.html").read_text(encoding="utf-8")
    assert "STRAIGHT-LINE ESTIMATE" not in text and "Street-network model" in text
    assert "<h3>Ward</h3>" not in text
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
