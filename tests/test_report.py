import json

import geopandas as gpd
import pandas as pd
import pytest

from access.errors import OutputError
from access.report import summary_json


@pytest.fixture(scope="module")
def walk_result(redbridge):
    return redbridge.run(modes=["walk"], offline=True)


def test_outputs_are_written_and_read_back(walk_result, tmp_path):
    paths = walk_result.write(tmp_path, maps=False)
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
        walk_result.write(blocker / "out", maps=False)


def test_borough_and_distance_tables(walk_result, tmp_path):
    walk_result.write(tmp_path, maps=False)
    boroughs = pd.read_csv(tmp_path / "boroughs.csv")
    assert list(boroughs["borough"]) == ["Redbridge"] and boroughs["residents"].sum() == pytest.approx(278_970)
    distances = pd.read_csv(tmp_path / "distances.csv", index_col="period")
    assert list(distances.index) == ["2013_2017", "2018_2025", "until_2013", "from_2026"]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["boroughs"][0]["mean_change_min"] == pytest.approx(boroughs["mean_change_min"][0], rel=1e-5)
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
    walk_result.write(tmp_path, maps=False)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert "Q1 is the poorest fifth" in summary["breakdowns"]["dimensions"]["income"]["note"]
    rows = [r for r in summary["breakdowns"]["rows"] if r["dimension"] == "car" and r["group"] == "no car or van"]
    assert len(rows) == 1 and rows[0]["weight"] == "households"
    table = pd.read_csv(tmp_path / "breakdowns.csv")
    assert rows[0]["mean_after_min"] == pytest.approx(
        table.query("dimension == 'car' and group == 'no car or van'")["mean_after_min"].iloc[0], rel=1e-5)
