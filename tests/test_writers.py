import json

import geopandas as gpd
import pandas as pd
import pytest

import access.outputs.writers
from access.core.errors import OutputError
from access.outputs.writers import summary_json, write, write_maps
from access.whatif.comparison import compare
from access.whatif.scenario import Scenario, parse_opened, period_scenario

GANTS_HILL = "Gants Hill=51.5765,0.0661"


@pytest.fixture(scope="module")
def walk_result(redbridge):
    return redbridge.run(modes=["walk"], offline=True)


def test_outputs_are_written_and_read_back(walk_result, tmp_path):
    paths = write(walk_result, tmp_path, maps=False)
    assert {"summary.json", "summary.csv", "changes.csv", "switches.csv", "wards.csv", "lsoas.csv",
            "boroughs.csv", "distances.csv", "origins.csv", "origins.gpkg", "breakdowns.csv",
            "report.html"} == set(paths)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["study"] == "redbridge-2017" and summary["population"] == 278_970
    rows = {(r["period"], r["mode"]): r for r in summary["results"]}
    assert rows[("2013_2017", "walk")]["model"] == "straight-line estimate"
    assert rows[("2018_2025", "walk")]["mean_min"] > rows[("2013_2017", "walk")]["mean_min"]
    assert set(rows[("2018_2025", "walk")]["share_within_min"]) == {"10", "20", "30", "45", "60"}
    assert "STRAIGHT-LINE ESTIMATE" in summary["models"]["walk"]["note"]
    origins = gpd.read_file(tmp_path / "origins.gpkg")
    assert len(origins) == len(walk_result.origins) and origins.crs.to_epsg() == 27700
    table = pd.read_csv(tmp_path / "origins.csv")
    assert table["population"].sum() == pytest.approx(278_970)
    assert not list(tmp_path.glob(".*")), "no temporary files are left behind"


def test_summary_json_is_deterministic(walk_result, redbridge):
    again = redbridge.run(modes=["walk"], offline=True)
    assert json.dumps(summary_json(walk_result)) == json.dumps(summary_json(again))


def test_folder_that_is_a_file(walk_result, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot create output folder"):
        write(walk_result, blocker / "out", maps=False)


def test_borough_and_distance_tables(walk_result, tmp_path):
    write(walk_result, tmp_path, maps=False)
    boroughs = pd.read_csv(tmp_path / "boroughs.csv")
    assert list(boroughs["borough"]) == ["Redbridge"] and boroughs["residents"].sum() == pytest.approx(278_970)
    distances = pd.read_csv(tmp_path / "distances.csv", index_col="period")
    assert list(distances.index) == ["2013_2017", "2018_2025", "until_2013", "from_2026"]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["boroughs"][0]["mean_change_min"] == pytest.approx(boroughs["mean_change_min"][0], abs=0.005)
    assert [d["period"] for d in summary["distance_to_nearest_counter"]] == list(distances.index)


def test_london_summary_ranks_boroughs_and_gives_distances(london_2017_walk):
    summary = summary_json(london_2017_walk)
    assert summary["population"] == pytest.approx(8_173_941) and summary["origins"] > 180_000
    boroughs = [row for row in summary["boroughs"] if row["mode"] == "walk"]
    assert len(boroughs) == 33 and [row["rank"] for row in boroughs] == list(range(1, 34))
    changes = [row["mean_change_min"] for row in boroughs]
    assert changes == sorted(changes, reverse=True)
    distance = {row["period"]: row for row in summary["distance_to_nearest_counter"]}
    assert distance["mid_2017"]["counters"] == 73 and distance["after_2017"]["counters"] == 37
    assert distance["after_2017"]["mean_miles"] == pytest.approx(distance["after_2017"]["mean_km"] / 1.609344)
    json.dumps(summary, allow_nan=False)


def test_breakdowns_are_in_summary_json_and_csv(walk_result, tmp_path):
    write(walk_result, tmp_path, maps=False)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert "Q1 is the poorest fifth" in summary["breakdowns"]["dimensions"]["income"]["note"]
    rows = [r for r in summary["breakdowns"]["rows"] if r["dimension"] == "car" and r["group"] == "no car or van"]
    assert len(rows) == 1 and rows[0]["weight"] == "households"
    table = pd.read_csv(tmp_path / "breakdowns.csv")
    assert rows[0]["mean_after_min"] == pytest.approx(
        table.query("dimension == 'car' and group == 'no car or van'")["mean_after_min"].iloc[0], abs=0.005)


RUN_CSVS = ("summary.csv", "changes.csv", "switches.csv", "wards.csv", "lsoas.csv", "boroughs.csv", "distances.csv",
            "breakdowns.csv", "origins.csv")


def _decimals(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text and "e" not in text.lower() else 0


@pytest.mark.parametrize("study, modes", [("redbridge-2017", ["walk", "drive"]), ("london-2017", ["walk"])])
def test_every_csv_names_its_model_rounds_its_figures_and_reconciles(study, modes, tmp_path, request):
    """Each CSV of a run says which model made each row; minutes to 0.01, shares to 0.0001.

    Residents still add up to the census (within 0.5) in every table that counts them; summary.json keeps more digits.
    """
    import access

    result = (request.getfixturevalue("london_2017_walk") if study == "london-2017"
              else access.load_study(study).run(modes=modes, offline=True))
    write(result, tmp_path, maps=False)
    census = float(result.study.places.lsoas["residents_2011"].sum())
    assert set(RUN_CSVS) <= {p.name for p in tmp_path.glob("*.csv")}
    for name in RUN_CSVS:
        raw = pd.read_csv(tmp_path / name, dtype=str, keep_default_na=False)
        table = pd.read_csv(tmp_path / name)
        if name == "distances.csv":  # coordinates only: no model made it
            assert "model" not in table and set(table["period_label"]) == set(result.config.labels.values())
        else:
            assert set(table["model"]) == {"straight-line estimate"}, f"{name} does not say its model on every row"
        for column in raw.columns:
            places = max((_decimals(v) for v in raw[column]), default=0)
            words = set(column.replace("|", "_").split("_"))
            if "min" in words:
                assert places <= 2, f"{name}:{column} has {places} decimals"
            elif words & {"within", "over"}:
                assert places <= 4, f"{name}:{column} has {places} decimals"
        assert not raw.apply(lambda c: c.str.fullmatch(r"-0(\.0*)?")).any().any(), f"{name} writes -0"
    # residents reconcile with the census in every table that counts them, per mode
    for name, column in (("lsoas.csv", "population"), ("wards.csv", "population"), ("boroughs.csv", "residents")):
        table = pd.read_csv(tmp_path / name)
        for mode, part in table.groupby("mode"):
            assert abs(part[column].sum() - census) <= 0.5, f"{name} {mode}: {part[column].sum()} vs {census}"
    origins = pd.read_csv(tmp_path / "origins.csv", usecols=["population"])
    assert abs(origins["population"].sum() - census) <= 0.5
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert (summary["population"] + summary["unreachable"] + summary["excluded"] - census).abs().max() <= 0.5
    # summary.json keeps more precision than the CSVs
    figures = json.loads((tmp_path / "summary.json").read_text())["results"][0]
    assert _decimals(repr(figures["mean_min"])) > 2


def test_lsoa_and_ward_names_sit_beside_their_codes(walk_result, tmp_path):
    write(walk_result, tmp_path, maps=False)
    lsoas = pd.read_csv(tmp_path / "lsoas.csv")
    assert list(lsoas.columns[:4]) == ["lsoa11", "lsoa11_name", "ward_code", "ward_name"]
    assert lsoas["lsoa11_name"].str.fullmatch(r"Redbridge \d{3}[A-Z]").all()
    assert lsoas.set_index("lsoa11").loc["E01003638", "lsoa11_name"] == "Redbridge 017A"
    wards = pd.read_csv(tmp_path / "wards.csv")
    assert list(wards.columns[:2]) == ["ward_code", "ward_name"] and wards["ward_code"].str.startswith("E05").all()
    assert len(set(wards["ward_name"])) == 22
    origins = pd.read_csv(tmp_path / "origins.csv", usecols=["lsoa11", "lsoa11_name"])
    assert (origins["lsoa11_name"].notna() == origins["lsoa11"].notna()).all(), "every origin in an LSOA names it"


TABLES = ("summary.json", "summary.csv", "changes.csv", "switches.csv", "wards.csv", "lsoas.csv", "origins.csv")


def _snapshot(folder):
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.mark.parametrize("failure", [KeyboardInterrupt, RuntimeError, PermissionError])
def test_a_failed_or_interrupted_write_leaves_the_previous_outputs_whole(walk_result, redbridge, tmp_path,
                                                                         monkeypatch, failure):
    write(walk_result, tmp_path, maps=False)
    before = _snapshot(tmp_path)
    drive = redbridge.run(modes=["drive"], offline=True)  # different figures: a mix would show

    def broken(*args, **kwargs):
        raise failure("disk gone")

    # origins.gpkg comes after summary.json and the CSV tables: they are already written when it fails
    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", broken)
    with pytest.raises(OutputError if failure is PermissionError else failure):
        write(drive, tmp_path, maps=False)
    assert _snapshot(tmp_path) == before, "every previous file is byte for byte as it was, and nothing else"
    monkeypatch.undo()
    write(drive, tmp_path, maps=False)
    after = _snapshot(tmp_path)
    assert set(after) == set(before) and all(after[name] != before[name] for name in TABLES)


def test_failed_maps_leave_the_previous_maps_whole(walk_result, tmp_path, monkeypatch):
    write_maps(walk_result, tmp_path)
    before = _snapshot(tmp_path)
    assert set(before) == {"walk.html", "index.html"}
    (tmp_path / "walk.html").write_text("an older map")
    before = _snapshot(tmp_path)

    def broken(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(access.outputs.writers, "index_html", broken)  # the last page: walk.html is already written
    with pytest.raises(KeyboardInterrupt):
        write(walk_result, tmp_path, maps=True)
    assert _snapshot(tmp_path) == before


def test_two_runs_give_byte_identical_outputs(tmp_path):
    """Fresh studies, run twice from scratch: the same bytes in summary.json, every table and the maps."""
    import access

    for name, modes in (("redbridge-2017", ["walk", "drive"]), ("city-of-london", ["walk"])):
        folders = []
        for run in ("first", "second"):
            folder = tmp_path / name / run
            write(access.load_study(name).run(modes=modes, offline=True), folder, maps=name == "city-of-london")
            folders.append(folder)
        first, second = (_snapshot(f) for f in folders)
        compared = [n for n in first if n.endswith((".json", ".csv", ".html"))]
        assert set(TABLES) <= set(compared)
        for file in compared:
            assert first[file] == second[file], f"{name}: {file} differs between two runs"


def _explorer_data(page: str) -> dict:
    return json.loads(page.split('<script type="application/json" id="x-data">', 1)[1].split("</script>", 1)[0])


def test_a_run_writes_the_explorer_beside_the_maps_and_they_link_to_each_other(walk_result, tmp_path):
    paths = write(walk_result, tmp_path)
    assert "explorer.html" in paths
    page = (tmp_path / "explorer.html").read_text(encoding="utf-8")
    data = _explorer_data(page)
    # the study's named scenarios are presets, with the new counter they open routed on the run's own router
    assert [p["id"] for p in data["presets"] if p["kind"] == "scenario"] == [
        "barkingside-not-ilford", "gants-hill", "reduced-hours-saturday-night"]
    assert data["counters"][-1]["id"] == "gants-hill" and data["counters"][-1]["hypothetical"]
    assert list(data["modes"]) == ["walk"] and data["modes"]["walk"]["model"] == "straight-line estimate"
    assert '<a href="report.html">The report</a>' in page and '<a href="index.html">All maps</a>' in page
    assert 'href="explorer.html"' in (tmp_path / "index.html").read_text(encoding="utf-8")
    assert '<a href="explorer.html">What if</a>' in (tmp_path / "walk.html").read_text(encoding="utf-8")
    assert 'href="explorer.html"' in (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "explorer.html" not in write(walk_result, tmp_path / "tables", maps=False)


def test_a_board_is_written_as_its_explorer(tmp_path, redbridge_board):
    paths = write(redbridge_board, tmp_path)
    assert list(paths) == ["explorer.html"]
    data = _explorer_data(paths["explorer.html"].read_text(encoding="utf-8"))
    assert list(data["modes"]) == redbridge_board.modes
    assert {c["id"] for c in data["counters"]} == set(redbridge_board.ids)
    assert len(data["presets"]) == len(redbridge_board.study.config.periods) + 3
    assert data["links"] == {}


def test_write_outputs_and_say_how_hours_are_read(tmp_path, redbridge_board):
    what = Scenario("gants-not-ilford", "2018_2025", close=("ilford",), open=(parse_opened(GANTS_HILL),))
    paths = write(compare(redbridge_board, [period_scenario("2018_2025"), what]), tmp_path)
    for name in ("summary.json", "summary.csv", "differences.csv", "counters.csv", "origins.csv", "walk.html",
                 "drive.html", "index.html"):
        assert name in paths and (tmp_path / name).is_file(), name
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert "'unknown'" in summary["hours_rule"] and "assumed" in summary["hours_rule"]
    assert summary["scenarios"][1]["explain"].startswith("from 2018_2025; close ilford; open Gants Hill")
    page = (tmp_path / "walk.html").read_text()
    assert "Gants Hill" in page and "STRAIGHT-LINE ESTIMATE" in page


def test_a_failed_scenario_write_leaves_the_previous_outputs_whole(tmp_path, redbridge_board, monkeypatch):
    write(compare(redbridge_board, [period_scenario("2018_2025"), period_scenario("2013_2017")]), tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    what = Scenario("gants-not-ilford", "2018_2025", close=("ilford",), open=(parse_opened(GANTS_HILL),))

    def broken(comparison, folder):
        raise KeyboardInterrupt  # the maps come last: summary.json and the tables are already staged

    monkeypatch.setattr(access.outputs.writers, "_comparison_maps", broken)
    with pytest.raises(KeyboardInterrupt):
        write(compare(redbridge_board, [period_scenario("2018_2025"), what]), tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


@pytest.mark.parametrize("folder, message", [(None, "not None"), (123, "not 123"), ("", "is blank"),
                                             ("  ", "is blank")])
def test_write_needs_a_folder_it_can_name(walk_result, folder, message, tmp_path, monkeypatch):
    from access.core.errors import ArgumentError

    monkeypatch.chdir(tmp_path)
    with pytest.raises(ArgumentError, match=message):
        write(walk_result, folder)
    assert not list(tmp_path.iterdir()), "nothing was written into the current folder"


def test_a_full_disk_while_the_geopackage_is_written_is_one_line_and_the_previous_set_stays(tmp_path):
    """A file-size limit (as a nearly full disk) that origins.gpkg alone exceeds: one OutputError line."""
    import os
    import resource
    import subprocess
    import sys

    def run(out, mode, limit=None):
        def nearly_full() -> None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        return subprocess.run([sys.executable, "-m", "access", "run", "redbridge-2017", "-m", mode, "--offline",
                               "--no-maps", "--out", str(out)], capture_output=True, text=True, timeout=300,
                              preexec_fn=nearly_full if limit else None, env={**os.environ, "COLUMNS": "200"})

    scratch = tmp_path / "scratch"  # the set the failing run would write, to aim the limit at its GeoPackage
    assert run(scratch, "walk").returncode == 0
    sizes = {p.name: p.stat().st_size for p in scratch.iterdir() if p.is_file()}
    others = max(size for name, size in sizes.items() if name != "origins.gpkg")
    limit = others + 8192  # just above every other file; a GeoPackage's size varies a little from write to write
    assert sizes["origins.gpkg"] > limit + 32768, sizes
    out = tmp_path / "out"
    assert run(out, "drive").returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    failed = run(out, "walk", limit=limit)
    lines = [line for line in failed.stderr.splitlines() if line.strip() and not line.startswith("warning:")]
    assert failed.returncode == 2, failed.stderr
    assert len(lines) == 1 and lines[0].startswith("error: cannot write origins.gpkg"), failed.stderr
    assert "Traceback" not in failed.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


# --------------------------------------------------------------------------- public transport

CAIRNS_LABEL = "cairns_gtfs.zip, Tue 2014-06-10, 08:00–09:00, median"


@pytest.mark.browser
def test_a_transit_study_writes_every_output_and_its_pages_name_the_timetable(cairns_transit_result, tmp_path):
    """Write every output of the SYNTHETIC Cairns study (walk + transit), MOPAC's criterion in each.

    Its pages show public-transport minutes labelled with the feed, the date and the window, in a real browser.
    """
    import numpy as np

    from browser import render

    result = cairns_transit_result
    paths = write(result, tmp_path)
    assert {"summary.json", "summary.csv", "changes.csv", "switches.csv", "wards.csv", "lsoas.csv", "boroughs.csv",
            "distances.csv", "origins.csv", "origins.gpkg", "breakdowns.csv", "report.html", "index.html",
            "walk.html", "transit.html", "explorer.html", "public_transport.csv"} == set(paths)
    model = f"public transport (GTFS: {CAIRNS_LABEL})"
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["models"]["transit"]["model"] == model
    assert "STRAIGHT-LINE ESTIMATE" in summary["models"]["transit"]["note"]  # offline: the walks are estimated
    assert any(w.startswith("transit: NO WALK NETWORK") for w in summary["warnings"])
    assert "State of Queensland" in summary["attribution"]
    criterion = summary["public_transport"]
    assert criterion["thresholds_min"] == [60, 45] and "MOPAC" in criterion["criterion"]
    rows = pd.DataFrame(criterion["modes"]["transit"]["rows"])
    everyone = result.at_least("transit", by=None)
    for limit in (60, 45):
        row = rows[(rows["ward_name"] == "all residents") & (rows["minutes"] == limit)].iloc[0]
        assert (row["before"], row["after"]) == (everyone.loc[("all", limit), "before"],
                                                 everyone.loc[("all", limit), "after"])
    table = pd.read_csv(tmp_path / "public_transport.csv")
    assert set(table["model"]) == {model} and len(table) == 2 * (1 + 4)  # everyone and 4 wards, 60 and 45 min
    wards = result.at_least("transit").reset_index()
    mine = table[table["ward_name"] != "all residents"].reset_index(drop=True)
    np.testing.assert_allclose(mine["after"], wards["after"], atol=0.01)
    origins = pd.read_csv(tmp_path / "origins.csv")
    np.testing.assert_allclose(origins["transit_after_min"].replace(np.inf, np.nan),
                               result.origins["transit_after_min"].replace(np.inf, np.nan).round(2), atol=0.006)
    changes = pd.read_csv(tmp_path / "changes.csv").set_index("mode")
    assert changes.loc["transit", "model"] == model
    # the pages, as a browser shows them
    for page in ("transit.html", "report.html", "index.html"):
        dom = render(tmp_path / page)
        assert CAIRNS_LABEL in dom, page
    dom = render(tmp_path / "transit.html")
    assert "Travel by public transport" in dom and "leaflet-interactive" in dom and "State of Queensland" in dom
    report = render(tmp_path / "report.html")
    assert "By public transport: 60 minutes or more from a counter" in report
    assert "60 minutes or more (MOPAC's criterion)" in report and "SYNTHETIC ward 1" in report
    assert f"{everyone.loc[('all', 60), 'after']:,.0f}" in report
