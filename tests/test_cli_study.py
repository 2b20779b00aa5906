import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from access.cli import app

from browser import chromium, render
from faults import FAULTS, check_failed_write_keeps_the_previous_set

runner = CliRunner()


def _run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "access", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=600)


def test_help_explains_every_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("run", "studies", "calibrate"):
        assert command in result.output
    run_help = runner.invoke(app, ["run", "--help"], env={"COLUMNS": "200"})
    for option in ("--mode", "--offline", "--osm-file", "--out", "straight-line"):
        assert option in run_help.output


def test_studies_lists_both():
    result = runner.invoke(app, ["studies"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "redbridge-2017" in result.output and "city-of-london" in result.output


def test_run_city_end_to_end_in_a_temporary_folder(tmp_path):
    done = _run("run", "city-of-london", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    for name in ("walk.html", "cycle.html", "drive.html", "index.html", "explorer.html", "summary.json", "origins.csv",
                 "origins.gpkg", "wards.csv", "lsoas.csv", "switches.csv"):
        assert (out / name).is_file(), name
    summary = json.loads((out / "summary.json").read_text())
    assert {r["model"] for r in summary["results"]} == {"street network"}
    assert {r["mode"] for r in summary["results"]} == {"walk", "cycle", "drive"}
    assert "street network" in done.stdout and "Bishopsgate only (hypothetical)" in done.stdout
    # the map the run wrote draws its data in a real browser: 6 LSOAs, 2 counters, the boundary
    dom = render(out / "walk.html")
    assert dom.count("leaflet-interactive") >= 6 + 2 + 1
    assert "Times are routed on OpenStreetMap's streets." in dom and "OpenStreetMap contributors" in dom
    assert "Street-network model" in (out / "report.html").read_text(), "the report's 'How these times were made'"


def test_run_offline_says_estimate_everywhere(tmp_path):
    out = tmp_path / "rb"
    done = _run("run", "redbridge-2017", "--offline", "--mode", "walk", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "straight-line estimate" in done.stdout and "STRAIGHT-LINE ESTIMATE" in done.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert {r["model"] for r in summary["results"]} == {"straight-line estimate"}
    assert summary["population"] == 278_970
    assert "Times are estimated from straight-line distances" in (out / "walk.html").read_text()
    assert "ESTIMATE" in (out / "walk.html").read_text()
    assert "STRAIGHT-LINE ESTIMATE" in (out / "report.html").read_text()


def test_a_project_study_writes_to_the_projects_maps_wherever_one_stands(tmp_path):
    """The project's own studies write to maps/STUDY beside the project's data/ (here a copy of it)."""
    import shutil

    from access.core import settings

    project = tmp_path / "project"
    shutil.copytree(settings.project_data_dir(), project / "data")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "COLUMNS": "200", "ACCESS_PROJECT_DATA": str(project / "data")}
    done = subprocess.run([sys.executable, "-m", "access", "run", "redbridge-2017", "--offline", "-m", "drive",
                           "--no-maps"], capture_output=True, text=True, cwd=elsewhere, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    assert (project / "maps" / "redbridge-2017" / "summary.json").is_file()
    assert not (elsewhere / "maps").exists()
    assert done.stdout.rstrip().splitlines()[-1] == f"open {project / 'maps' / 'redbridge-2017' / 'report.html'}"


def test_bad_input_exits_2_with_one_line(tmp_path):
    done = _run("run", "nowhere")
    assert done.returncode == 2
    assert "unknown study 'nowhere'" in done.stderr and "Traceback" not in done.stderr
    done = _run("run", "city-of-london", "--mode", "boat")
    assert done.returncode == 2 and "unknown mode 'boat'" in done.stderr
    missing = tmp_path / "none.osm.pbf"
    done = _run("run", "city-of-london", "--mode", "walk", "--osm-file", str(missing), "--out", str(tmp_path))
    assert done.returncode == 2 and "none.osm.pbf" in done.stderr and "Traceback" not in done.stderr


def test_london_studies_are_listed_and_print_their_top_losers(london_2017_walk):
    from rich.console import Console

    from access.cli.study import _boroughs_block
    from access.cli.tables import render

    listed = runner.invoke(app, ["studies"], env={"COLUMNS": "200"})
    assert "london-2017" in listed.output and "london-2024" in listed.output
    console = Console(width=200, record=True)
    console.print(render(_boroughs_block(london_2017_walk, "walk", top=3), 200))
    text = console.export_text()
    top = london_2017_walk.by_borough().xs("walk", level="mode").index[:3]
    assert all(name in text for name in top) and "all 33 in boroughs.csv" in text
    assert london_2017_walk.by_borough().xs("walk", level="mode").index[3] not in text


def test_ctrl_c_exits_130_with_one_line_and_keeps_the_previous_outputs(tmp_path):
    import signal

    out = tmp_path / "out"
    done = _run("run", "city-of-london", "--mode", "walk", "--out", str(out))
    assert done.returncode == 0, done.stderr
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    env = {**os.environ, "COLUMNS": "200"}
    # a run with other modes, whose outputs would differ, interrupted once it is routing; --no-cache
    # makes it build the cycle network from the OSM file, so it is still working when the signal lands
    process = subprocess.Popen([sys.executable, "-m", "access", "-v", "run", "city-of-london", "-m", "walk",
                                "-m", "cycle", "--no-cache", "--out", str(out)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    seen = []
    for line in process.stderr:
        seen.append(line)
        if "cycle: street network and travel times" in line:
            process.send_signal(signal.SIGINT)
            break
    else:
        raise AssertionError(f"the run never reached the cycle step: {''.join(seen)}")
    stdout, rest = process.communicate(timeout=120)
    assert process.returncode == 130, rest
    errors = [line for line in rest.splitlines() if line.startswith("error:")]
    assert errors == ["error: interrupted; outputs already in place were left as they were"], rest
    assert "Traceback" not in rest and "KeyboardInterrupt" not in rest
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def _in_process(args: list[str]) -> tuple[int, str]:
    done = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    return done.exit_code, done.stderr


@pytest.mark.parametrize("fault", FAULTS)
def test_a_failed_write_leaves_the_previous_run_whole(tmp_path, fault):
    common = ["--offline", "--out", str(tmp_path), "--no-maps"]
    check_failed_write_keeps_the_previous_set(_in_process, ["run", "redbridge-2017", "-m", "walk", *common],
                                              ["run", "redbridge-2017", "-m", "drive", *common], tmp_path,
                                              "summary.json", fault)


@pytest.mark.browser
@pytest.mark.parametrize("fault", FAULTS)
def test_a_failed_screenshot_leaves_the_previous_png(tmp_path, fault):
    chromium()
    page = tmp_path / "page.html"
    page.write_text("<!DOCTYPE html><h1>a page</h1>")
    png = tmp_path / "shots" / "page.png"
    check_failed_write_keeps_the_previous_set(
        _in_process, ["screenshot", str(page), str(png), "--height", "300"],
        ["screenshot", str(page), str(png), "--height", "400"], png.parent, "page.png", fault)


def test_a_study_in_its_own_folder_with_postcodes_only_runs_from_anywhere(tmp_path, redbridge):
    """A user's copy of the Redbridge study: its own folder, counters given by postcode alone, run from elsewhere."""
    folder = tmp_path / "my studies"
    folder.mkdir()
    counters = pd.read_csv(redbridge.config.counters_table, dtype=str)
    counters[["id", "name", "postcode", *redbridge.config.periods]].to_csv(folder / "counters.csv", index=False)
    text = redbridge.config.source.read_text().replace('"../counters/redbridge-2017.csv"', '"counters.csv"')
    (folder / "mine.toml").write_text(text.replace('name = "redbridge-2017"', 'name = "mine"'))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = _run("run", str(folder / "mine.toml"), "--offline", "-m", "walk", "-m", "drive", "--no-maps",
                "--format", "json", "--out", "out", cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    assert (elsewhere / "out" / "summary.json").is_file() and not (folder / "out").exists()
    results = json.loads((elsewhere / "out" / "summary.json").read_text())["results"]
    mine = pd.DataFrame([{**r, **{f"within_{k}": v for k, v in r["share_within_min"].items()}} for r in results])
    bundled = redbridge.run(modes=["walk", "drive"], offline=True).summary.reset_index()
    columns = ["mean_min", "median_min", "p90_min", "within_10", "within_30", "population"]
    merged = mine.merge(bundled, on=["period", "mode"], suffixes=("", "_bundled"))
    assert len(merged) == len(bundled) == 8
    for column in columns:  # summary.json rounds to 6 decimals
        np.testing.assert_allclose(merged[column], merged[f"{column}_bundled"], atol=1e-6, rtol=0)


def test_new_study_writes_a_study_that_runs(tmp_path):
    done = _run("new-study", "havering", "--boroughs", "Havering", "--out", "mine", "--format", "json",
                cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)["tables"]["counters"]
    assert listed[0]["id"] == "romford" and {"mid_2017", "after_2017", "c2024"} <= set(listed[0])
    ran = _run("run", "mine/havering.toml", "--offline", "-m", "walk", "--no-maps", "--out", "out", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    again = _run("new-study", "havering", "--boroughs", "Newham", "--out", "mine", cwd=tmp_path)
    assert again.returncode == 2 and again.stderr.count("\n") == 1 and "already exists" in again.stderr


@pytest.mark.parametrize("name", ["../x", "[/]", "a b"])
def test_calibrate_refuses_a_name_that_is_not_plain_before_measuring(tmp_path, name):
    out = tmp_path / "calibrations.toml"
    done = CliRunner().invoke(app, ["calibrate", "--osm-file", "city_of_london_osm", "--name", name, "--out", str(out)])
    assert done.exit_code == 2 and f"--name {name!r} is not a plain name" in done.output
    assert not out.exists()


def test_an_own_study_runs_by_name_writes_beside_itself_and_names_the_page_to_open(tmp_path):
    """`access new-study NAME` then `access run NAME`, typed in a terminal in the study's folder."""
    from terminal import access_command, run_in_terminal

    made = _run("new-study", "waltham-forest", "--boroughs", "waltham forest", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "then: access run waltham-forest" in " ".join(made.stdout.split())
    session = run_in_terminal([access_command(), "run", "Waltham-Forest", "--offline", "-m", "walk"], cwd=tmp_path,
                              timeout_s=300)
    assert session.code == 0, session
    report = tmp_path / "maps" / "waltham-forest" / "report.html"
    assert report.is_file()
    assert session.text.rstrip().splitlines()[-1] == "open maps/waltham-forest/report.html", session
    listed = _run("studies", "--format", "csv", cwd=tmp_path)
    assert "waltham-forest" in listed.stdout and "waltham-forest.toml" in listed.stdout
    elsewhere = _run("run", "waltham-forest", "--offline", "-m", "walk", cwd=tmp_path.parent)
    assert elsewhere.returncode == 2 and "unknown study 'waltham-forest'" in elsewhere.stderr


def test_a_study_file_with_a_transit_table_runs_from_the_command_line(tmp_path):
    """A [transit] table in a study file beside its feed: the command runs it and writes every output.

    The feed is the real Cairns one and the study is in London, so no resident can walk to a stop: the
    public-transport times must be the walks straight to the counters (on the City's walk network), and
    the run says why.
    """
    from cairns_study import STUDY_WITH_TRANSIT, write_transit_study

    write_transit_study(tmp_path)
    done = _run("run", str(tmp_path / "study.toml"), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    label = "public transport (GTFS: cairns_gtfs.zip, Tue 2014-06-10, 08:00–09:00, median)"
    assert "no resident (origin) is within 800 m of a stop of cairns_gtfs.zip" in done.stderr
    out = tmp_path / "out"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["models"]["transit"]["model"] == label and summary["models"]["walk"]["model"] == "street network"
    note = summary["models"]["transit"]["note"]
    assert "walks on OpenStreetMap file" in note and "ESTIMATE" not in note  # on the City's real walk network
    origins = pd.read_csv(out / "origins.csv")
    # public transport's walks are steady (no waits at crossings, as R5's): the walk network's own times
    import access
    from access.analysis.figures import nearest_open
    from access.routing.travel import network_times

    study = access.load_study(tmp_path / "study.toml")
    places = study.places
    steady = network_times(study.router(offline=True).network("walk"), places.counter_xy, places.origin_xy,
                           max_snap_m=study.config.max_snap_m)
    available = access.load_study(tmp_path / "study.toml").run(modes=["walk"], offline=True).available
    for period in ("both", "one"):
        walk, transit = origins[f"walk_{period}_min"], origins[f"transit_{period}_min"]
        expected, _ = nearest_open(steady.minutes, available[period].to_numpy(), steady.excluded)
        np.testing.assert_allclose(transit, expected, atol=1 / 60 + 0.006)  # each walk rounded up to a second
        assert not np.allclose(transit, walk, atol=0.02)  # the walk mode's own times wait at signals
    for name in ("transit.html", "public_transport.csv", "report.html", "explorer.html"):
        assert (out / name).is_file(), name
    assert label in (out / "report.html").read_text()
    bad = STUDY_WITH_TRANSIT.replace("max_walk_m = 800", "max_walk_m = -1")
    (tmp_path / "bad.toml").write_text(bad)
    done = _run("run", str(tmp_path / "bad.toml"), "--out", str(tmp_path / "bad"), cwd=tmp_path)
    assert done.returncode == 2 and not (tmp_path / "bad").exists()
    assert done.stderr.count("\n") == 1 and "[transit] max_walk_m must be a number of metres from 0 to 5000, not -1" \
        in done.stderr
