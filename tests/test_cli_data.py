"""access data status / fetch / verify, and what a run without its data says, through the command line."""

import json

import pytest
from typer.testing import CliRunner

from access.cli import app
from access.inputs.sources import sources

from publishers import RAW_FILES, PublisherServer

runner = CliRunner()
WIDE = {"COLUMNS": "400"}


@pytest.fixture
def publishers(publisher_files, tmp_path, monkeypatch):
    """Use an empty data folder, no mirror, and a loopback server playing the publishers."""
    monkeypatch.setenv("ACCESS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ACCESS_DATA_MIRROR", str(tmp_path / "no-mirror"))
    monkeypatch.setenv("ACCESS_DOWNLOAD_RETRIES", "0")
    with PublisherServer(publisher_files["codepoint_open"].parent) as server:
        monkeypatch.setenv("ACCESS_DOWNLOAD_BASE_URL", server.url)
        yield server


def test_fetch_then_status_then_verify(publishers, tmp_path):
    done = runner.invoke(app, ["data", "fetch", "lsoa_census", "redbridge_wards", "--format", "json"], env=WIDE)
    assert done.exit_code == 0, done.stderr
    printed = json.loads(done.stdout)
    assert [row["name"] for row in printed["tables"]["fetched"]] == ["lsoa_census", "redbridge_wards"]
    assert printed["tables"]["fetched"][1]["matches_project"] is True
    assert "warning: lsoa_census: the table made from the publishers' files differs" in done.stderr
    assert (tmp_path / "data" / sources()["lsoa_census"].path).is_file()

    done = runner.invoke(app, ["data", "status"], env=WIDE)
    assert done.exit_code == 0, done.stderr
    assert "lsoa_census" in done.stdout and "data folder" in done.stdout
    assert "access data fetch postcodes: downloads about 55 MB" in done.stdout
    assert "fetch the missing tables with: access data fetch boroughs lsoa_polygons postcodes" in done.stdout
    rows = json.loads(runner.invoke(app, ["data", "status", "--format", "json"]).stdout)["tables"]
    census = next(r for r in rows["tables"] if r["name"] == "lsoa_census")
    assert census["verified"] is True and census["licence"] == "Open Government Licence v2.0"
    assert next(r for r in rows["downloads"] if r["name"] == "lsoa_atlas")["where"] == "cached"
    codepoint = next(r for r in rows["downloads"] if r["name"] == "codepoint_open")
    assert codepoint["url"].startswith("https://api.os.uk/downloads/v1/products/CodePointOpen")  # the publisher's

    assert runner.invoke(app, ["data", "verify"], env=WIDE).exit_code == 0
    with (tmp_path / "data" / "downloads" / RAW_FILES["lsoa_atlas"]).open("ab") as fh:
        fh.write(b"\n")
    done = runner.invoke(app, ["data", "verify"], env=WIDE)
    assert done.exit_code == 2
    assert done.stderr.strip().splitlines() == [
        "error: 1 file(s) differ from the sha256 recorded for them: lsoa_atlas; fetch them again with 'access data "
        "fetch' (tables) or 'access data fetch --refresh' (downloads)"]


def test_a_failed_fetch_is_one_line(publishers):
    publishers.faults[RAW_FILES["lsoa_atlas"]] = "404"
    done = runner.invoke(app, ["data", "fetch", "lsoa_census"], env=WIDE)
    assert done.exit_code == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: download of lsoa_atlas (lsoa-data.csv) from http://127.0.0.1")
    assert "HTTP 404" in lines[0] and lines[0].endswith("nothing in the data folder was changed")
    done = runner.invoke(app, ["data", "fetch", "city_of_london_osm"], env=WIDE)
    assert done.exit_code == 2 and "cannot be fetched: a 2020-07-20 extract" in done.stderr


def test_a_run_without_its_data_says_what_to_fetch_in_one_line(publishers):
    done = runner.invoke(app, ["run", "redbridge-2017", "--offline", "--mode", "walk"], env=WIDE)
    assert done.exit_code == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "not found in the data folder" in lines[0] and "run 'access data fetch" in lines[0]
    assert "(downloads about" in lines[0] and "ACCESS_DATA_MIRROR" in lines[0]


def test_a_study_of_a_local_authority_from_the_command_line(publishers, tmp_path):
    done = runner.invoke(app, ["data", "fetch", "--local-authority", "SYNTHETIC Vale"], env=WIDE)
    assert done.exit_code == 0, done.stderr
    assert "SYNTHETIC Vale (E06999901): postcodes" in done.stdout
    table = tmp_path / "counters.csv"
    table.write_text("id,name,postcode,before,after\nilford,SYNTHETIC Ilford,ZZ1 1GT,24/7,24/7\n"
                     "barkingside,SYNTHETIC Barkingside,ZZ6 1QB,Mo-Fr 07:00-23:00,off\n", encoding="utf-8")
    done = runner.invoke(app, ["new-study", "vale", "--local-authority", "SYNTHETIC Vale", "--table", str(table),
                               "--out", str(tmp_path / "study")], env=WIDE)
    assert done.exit_code == 0, done.stderr
    assert "2 counters for SYNTHETIC Vale" in done.stdout
    done = runner.invoke(app, ["new-study", "x", "--local-authority", "Cardiff", "--table", str(table), "--out",
                               str(tmp_path / "x")], env=WIDE)
    assert done.exit_code == 2
    assert "'Cardiff' has no data" in done.stderr and "access data fetch --local-authority \"Cardiff\"" in done.stderr
    done = runner.invoke(app, ["new-study", "x", "--out", str(tmp_path / "x")], env=WIDE)
    assert done.exit_code == 2 and "give --boroughs (London) or --local-authority" in done.stderr


def test_fetch_in_a_terminal_shows_progress_and_finishes(publishers, tmp_path):
    """Under a pseudo-terminal, each download has a progress bar, and the run ends with its table."""
    import os
    import pty
    import select
    import subprocess
    import sys

    main, secondary = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm"}
    done = subprocess.Popen([sys.executable, "-c", "from access.cli import entry; entry()", "data", "fetch",
                             "lsoa_census"], stdin=secondary, stdout=secondary, stderr=secondary, env=env)
    os.close(secondary)
    chunks = []
    while True:
        if not select.select([main], [], [], 60)[0]:  # a minute without a byte: it hangs
            done.kill()
            pytest.fail(f"access data fetch hung in a terminal: {b''.join(chunks)[-500:]!r}")
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the terminal closed: the process ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    code = done.wait(timeout=60)
    os.close(main)
    text = b"".join(chunks).decode("utf-8", errors="replace")
    assert code == 0, text
    assert "lsoa-data.csv" in text and "3.4/3.4 kB" in text  # its bar, full
    assert "1 tables written into" in text and "lsoa_census" in text
    assert "Traceback" not in text


def test_fetch_for_a_study_gets_only_what_it_reads_and_is_missing(publishers, tmp_path, monkeypatch):
    """`access data fetch --study NAME`: what dev.py study runs before the study, on a machine with no mirror."""
    done = runner.invoke(app, ["data", "fetch", "--study", "redbridge-2017", "--format", "json"], env=WIDE)
    assert done.exit_code == 0, done.stderr
    fetched = [row["name"] for row in json.loads(done.stdout)["tables"]["fetched"]]
    assert sorted(fetched) == sorted(["boroughs", "lsoa_polygons", "lsoa_census", "postcodes", "redbridge_wards"])
    plan = done.stderr.splitlines()[0]  # said before anything is downloaded: what, how much, where
    assert plan.startswith("the study redbridge-2017 reads 5 tables not here yet (") and "postcodes" in plan
    assert "downloading about " in plan and " MB from their publishers into " in plan and str(tmp_path) in plan
    again = runner.invoke(app, ["data", "fetch", "--study", "redbridge-2017"], env=WIDE)
    assert again.exit_code == 0 and "nothing to fetch" in again.stderr  # all here now: nothing downloaded
    london = runner.invoke(app, ["data", "fetch", "--study", "london-2017"], env=WIDE)
    assert london.exit_code == 2 and "no publisher serves for download" in london.stderr
    assert "ACCESS_DATA_MIRROR" in london.stderr and london.stderr.count("\n") == 1


def test_status_fits_an_80_column_terminal_a_line_a_table():
    """In a terminal 80 columns wide, each table and download is a line or two, not a column of single words."""
    from terminal import access_command, run_in_terminal

    session = run_in_terminal([access_command(), "data", "status"], columns=80, timeout_s=60)
    assert session.code == 0, session.text
    rows = [line for line in session.lines if line.startswith("│")]
    named = [line for line in rows if line[1:].strip()[:1] not in ("", "│")]
    assert len(named) >= 15 and len(rows) <= 2 * len(named), session.text  # no row wraps beyond a second line
    assert all(len(line) <= 80 for line in session.lines), session.text
    assert "mirror only" in session.text and "compiled by the project, or an extract" in session.text


def test_status_warns_when_the_data_folder_is_a_file(tmp_path, monkeypatch):
    """A data folder that is a file: status still lists the mirror's tables, and warns before a fetch would fail."""
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    monkeypatch.setenv("ACCESS_DATA_DIR", str(afile))
    done = runner.invoke(app, ["data", "status"], env=WIDE)
    assert done.exit_code == 0, done.stderr
    assert "warning" in done.stdout and f"the data folder {afile} is a file, not a folder" in done.stdout
    as_csv = runner.invoke(app, ["data", "status", "--format", "csv"], env=WIDE)
    assert as_csv.stderr.count("is a file, not a folder") == 1 and "warning" not in as_csv.stdout
    fetch = runner.invoke(app, ["data", "fetch", "postcodes"], env=WIDE)
    assert fetch.exit_code == 2 and "set ACCESS_DATA_DIR to a writable folder" in fetch.stderr
