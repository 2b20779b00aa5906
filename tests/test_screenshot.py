"""access.outputs.screenshot: finding Chromium and refusing bad input, with messages that say what to do."""

import pytest

import access
from access.core.errors import BrowserUnavailable, OutputError
from access.outputs.screenshot import find_chromium, screenshot

from browser import chromium


def test_bad_chromium_setting_is_named(monkeypatch):
    monkeypatch.setenv("ACCESS_CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(BrowserUnavailable, match="ACCESS_CHROMIUM='/nonexistent/chromium'"):
        find_chromium()


def test_no_chromium_on_path(monkeypatch, tmp_path):
    monkeypatch.delenv("ACCESS_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BrowserUnavailable, match="apt-get install -y chromium"):
        find_chromium()


def test_missing_page_and_bad_sizes(tmp_path):
    with pytest.raises(OutputError, match="run `access run` first"):
        screenshot(tmp_path / "report.html", tmp_path / "out.png")
    page = tmp_path / "page.html"
    page.write_text("<h1>hi</h1>")
    with pytest.raises(OutputError, match="out of range"):
        screenshot(page, tmp_path / "out.png", width=10)


def test_a_page_is_shot_at_its_scale(tmp_path):
    chromium()  # skip (or fail on CI) without a browser
    page = tmp_path / "page.html"
    page.write_text("<body style='background:#c0392b'><h1>report</h1></body>")
    png = screenshot(page, tmp_path / "deep" / "out.png", width=400, height=300, scale=0.5)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(data[16:20], "big") == 200
    assert not list(png.parent.glob(".*")), "no temporary file is left behind"


def test_a_street_network_map_is_shot_offline(tmp_path, city_walk_result):
    """The City map asks for map tiles it cannot get offline; Chromium must still take the picture, every time.

    Without :data:`access.outputs.screenshot.CHROMIUM_FLAGS`' resolver rule about one run in three hung here,
    waiting on the tile server's DNS lookup, until the timeout.
    """
    chromium()
    page = access.write_maps(city_walk_result, tmp_path)["walk.html"]
    for attempt in range(3):
        png = screenshot(page, tmp_path / f"city-{attempt}.png", width=1024, height=768, scale=0.8, timeout_s=20)
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(data[16:20], "big") == round(1024 * 0.8)
        assert len(data) > 20_000, f"only {len(data)} bytes: the map is probably blank"
