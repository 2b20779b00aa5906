"""access data fetch/status/verify against a real loopback HTTP server playing the publishers.

Every fault (404, 500, a download cut short, a wrong hash, a server that stalls, a full disk) must
raise one clear line and leave the data folder exactly as it was.
"""

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

from access.core import settings
from access.core.errors import AccessWarning, ChecksumMismatch, DownloadError, MirrorFileMissing, StudyError
from access.inputs import datasets
from access.inputs.sources import MANIFEST, data_file, downloads, manifest, sha256_of, sources

from faults import snapshot
from publishers import RAW_FILES, SYNTHETIC_CODE, PublisherServer

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def server(publisher_files):
    with PublisherServer(publisher_files["codepoint_open"].parent) as running:
        yield running


@pytest.fixture
def folder(tmp_path, monkeypatch, server):
    """Use an empty data folder, downloads from the loopback server, no mirror, no retries, a short timeout."""
    monkeypatch.setenv("ACCESS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ACCESS_DATA_MIRROR", str(tmp_path / "no-mirror"))
    monkeypatch.setenv("ACCESS_DOWNLOAD_BASE_URL", server.url)
    monkeypatch.setenv("ACCESS_DOWNLOAD_RETRIES", "0")
    monkeypatch.setenv("ACCESS_DOWNLOAD_TIMEOUT", "2")
    return tmp_path / "data"


def _fetch(*keys, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AccessWarning)  # the sample's tables differ from the whole mirror's
        return datasets.fetch(list(keys), **options)


def test_fetch_writes_every_table_where_the_studies_read_it(folder, server, publisher_files):
    with pytest.warns(AccessWarning, match="postcodes: the table made from the publishers' files differs"):
        written = datasets.fetch(["postcodes"])
    assert [f.name for f in written] == ["postcodes"] and written[0].matches_project is False
    assert data_file("postcodes") == folder / sources()["postcodes"].path
    assert server.requests == {RAW_FILES["codepoint_open"]: 1, RAW_FILES["ons_postcode_lookup"]: 1}
    record = manifest(folder)
    assert record["files"][sources()["postcodes"].path]["sha256"] == sha256_of(data_file("postcodes"))
    assert record["downloads"]["codepoint_open"]["sha256"] == sha256_of(publisher_files["codepoint_open"])

    written = _fetch()  # every table; the two downloads already there are reused
    assert [f.name for f in written] == datasets.fetchable()
    assert server.requests[RAW_FILES["codepoint_open"]] == 1
    assert next(f for f in written if f.name == "redbridge_wards").matches_project is True  # byte for byte
    assert not [p for p in folder.iterdir() if p.name.startswith(".access-staging")]
    assert not datasets.verify()
    where = {c.name: c.where for c in datasets.status()}
    assert where["postcodes"] == "data folder" and where["city_of_london_osm"] == "missing"


def test_the_data_folder_comes_before_the_mirror(folder, mirror, monkeypatch):
    monkeypatch.setenv("ACCESS_DATA_MIRROR", str(mirror))
    assert data_file("lsoa_census") == mirror / sources()["lsoa_census"].path
    _fetch("lsoa_census")
    assert data_file("lsoa_census") == folder / sources()["lsoa_census"].path
    with (folder / sources()["lsoa_census"].path).open("a") as fh:
        fh.write("E01999999,1,1,1,1.0,1\n")
    with pytest.raises(ChecksumMismatch, match="london_lsoa2011_census.csv.*manifest.json records"):
        data_file("lsoa_census")
    assert [c.name for c in datasets.verify()] == ["lsoa_census"]
    _fetch("lsoa_census")  # fetched again from the download kept in the folder
    assert not datasets.verify()


def test_missing_data_says_which_command_fetches_it_and_how_much(folder):
    with pytest.raises(MirrorFileMissing) as caught:
        data_file("postcodes")
    message = str(caught.value)
    assert "\n" not in message
    assert "run 'access data fetch postcodes' (downloads about 55 MB" in message
    assert "ACCESS_DATA_MIRROR" in message
    with pytest.raises(MirrorFileMissing, match="not published anywhere to download"):
        data_file("london_counters_2017")


def _before(folder):
    _fetch("lsoa_census")
    return snapshot(folder)


@pytest.mark.parametrize(("fault", "fragments"), [
    ("404", ("HTTP 404", "check the address")),
    ("500", ("HTTP 500", "try again later")),
    ("truncate", ("was cut short", "try again")),
    ("stall", ("sent nothing for 2 s", "ACCESS_DOWNLOAD_TIMEOUT")),
])
def test_a_failed_download_changes_nothing(folder, server, fault, fragments):
    before = _before(folder)
    server.faults[RAW_FILES["codepoint_open"]] = fault
    with pytest.raises(DownloadError) as caught:
        _fetch("postcodes")
    message = str(caught.value)
    assert "\n" not in message and "download of codepoint_open (codepo_gb.zip)" in message
    assert all(fragment in message for fragment in fragments), message
    assert message.endswith("nothing in the data folder was changed")
    assert snapshot(folder) == before


def test_a_server_that_cannot_be_reached_is_named_in_a_few_words(folder, monkeypatch):
    """No internet (or nothing listening): one line naming the host and why, not requests' repr."""
    import socket

    with socket.socket() as probe:  # a loopback port with nothing listening on it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    before = _before(folder)
    monkeypatch.setenv("ACCESS_DOWNLOAD_BASE_URL", f"http://127.0.0.1:{port}")
    with pytest.raises(DownloadError) as caught:
        _fetch("postcodes")
    message = str(caught.value)
    assert "\n" not in message and "cannot connect to 127.0.0.1 (the connection was refused)" in message
    assert "HTTPConnectionPool" not in message and "ACCESS_DATA_MIRROR" in message
    assert snapshot(folder) == before


def test_a_download_is_tried_again(folder, server, monkeypatch):
    monkeypatch.setenv("ACCESS_DOWNLOAD_RETRIES", "1")
    server.faults[RAW_FILES["lsoa_atlas"]] = "500"
    calls = []

    def heal(*args):
        calls.append(args)
        server.faults.clear()

    import pooch.core

    monkeypatch.setattr(pooch.core.time, "sleep", heal)  # pooch waits a second before trying again
    _fetch("lsoa_census")
    assert server.requests[RAW_FILES["lsoa_atlas"]] == 2 and len(calls) == 1


def test_a_changed_file_is_refused_until_refreshed(folder, server, publisher_files, tmp_path):
    before = _before(folder)
    pinned = manifest(folder)["downloads"]["lsoa_atlas"]["sha256"]
    (folder / "downloads" / RAW_FILES["lsoa_atlas"]).unlink()  # gone from the folder: fetched again
    before = snapshot(folder)
    original = publisher_files["lsoa_atlas"].read_bytes()
    publisher_files["lsoa_atlas"].write_bytes(original.replace(b"41,000", b"41,001"))
    try:
        with pytest.raises(DownloadError, match=f"lsoa-data.csv.*not the {pinned} that was pinned.*--refresh"):
            _fetch("lsoa_census")
        assert snapshot(folder) == before
        _fetch("lsoa_census", refresh=True)
        assert manifest(folder)["downloads"]["lsoa_atlas"]["sha256"] != pinned
    finally:
        publisher_files["lsoa_atlas"].write_bytes(original)


def test_a_known_hash_is_checked(folder, tmp_path, monkeypatch):
    data = tmp_path / "project"
    data.mkdir()
    text = (settings.project_data_dir() / "sources.toml").read_text(encoding="utf-8")
    start = text.index("[downloads.lsoa_atlas]")
    text = text[:start] + text[start:].replace('sha256 = ""', f'sha256 = "{"0" * 64}"', 1)
    (data / "sources.toml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("ACCESS_PROJECT_DATA", str(data))
    assert downloads()["lsoa_atlas"].sha256 == "0" * 64
    with pytest.raises(DownloadError, match="not the 0{64} that data/sources.toml records"):
        _fetch("lsoa_census")
    assert not (folder / MANIFEST).exists()


def test_a_full_disk_changes_nothing(folder, server):
    """Writing more than the file-size limit (RLIMIT_FSIZE, as a full disk would) fails in one line."""
    before = _before(folder)
    script = ("import resource, signal, sys\n"
              "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
              "resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))\n"
              "sys.argv = ['access', 'data', 'fetch', 'postcodes']\n"
              "from access.cli import entry\n"
              "entry()\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "COLUMNS": "200"}, timeout=120)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and lines[0].startswith("error: cannot save the download of codepoint_open"), lines
    assert "File too large" in lines[0] and "set ACCESS_DATA_DIR" in lines[0]
    assert snapshot(folder) == before


def test_a_local_authority(folder, server):
    written = _fetch(local_authorities=["synthetic  VALE"])
    assert {f.path for f in written} == {f"local/{SYNTHETIC_CODE}/{n}" for n in
                                         ("boundary.geojson", "postcodes.csv", "lsoa_polygons.geojson",
                                          "lsoa_census.csv")}
    path, code, name = datasets.local_authority_file(SYNTHETIC_CODE, "lsoa_census.csv")
    assert (code, name) == (SYNTHETIC_CODE, "SYNTHETIC Vale")
    assert pd.read_csv(path)["residents_2011"].sum() == 278_970
    with pytest.raises(StudyError, match="'Synthetic Vail' is not one of .* did you mean 'SYNTHETIC Vale'"):
        _fetch(local_authorities=["Synthetic Vail"])
    with pytest.raises(MirrorFileMissing, match="'Manchester' has no data.*access data fetch --local-authority "
                                                "\"Manchester\"' \\(downloads about"):
        datasets.local_authority_file("Manchester", "postcodes.csv")
    assert {c.name for c in datasets.status() if c.kind == "local"} == {f"SYNTHETIC Vale ({SYNTHETIC_CODE})"}


def test_unknown_and_unfetchable_tables(folder):
    with pytest.raises(StudyError, match="'nope' is not a table.*postcodes"):
        datasets.fetch(["nope"])
    with pytest.raises(StudyError, match="'city_of_london_osm' cannot be fetched: a 2020-07-20 extract"):
        datasets.fetch(["city_of_london_osm"])


def test_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("ACCESS_DATA_DIR", str(tmp_path / "x"))
    assert settings.data_dir() == tmp_path / "x"
    monkeypatch.delenv("ACCESS_DATA_DIR")
    assert settings.data_dir().name == "access"
    monkeypatch.setenv("ACCESS_DOWNLOAD_RETRIES", "many")
    with pytest.raises(ValueError, match="ACCESS_DOWNLOAD_RETRIES='many' is not a whole number"):
        settings.download_retries()
    monkeypatch.setenv("ACCESS_DOWNLOAD_TIMEOUT", "-1")
    with pytest.raises(ValueError, match="ACCESS_DOWNLOAD_TIMEOUT='-1' is not a positive number"):
        settings.download_timeout_s()
