import numpy as np
import pandas as pd
import pytest

import access
from access.core.errors import OffNetworkError, StudyError
from access.outputs.notes import run_warnings


@pytest.fixture(scope="module")
def redbridge_offline(redbridge):
    return redbridge.run(offline=True)


@pytest.fixture(scope="module")
def city_result(city):
    return city.run()


def test_library_front_door():
    study = access.load_study("redbridge-2017")
    assert isinstance(study, access.Study) and study.name == "redbridge-2017"
    assert "redbridge-2017" in access.list_studies()
    with pytest.raises(access.AccessError):
        access.load_study("atlantis")


def test_offline_redbridge_is_a_labelled_estimate_and_after_is_worse(redbridge_offline):
    result = redbridge_offline
    summary = result.summary
    assert set(summary["model"]) == {"straight-line estimate"}
    assert all("STRAIGHT-LINE" in w for w in run_warnings(result.coverage)) and len(run_warnings(result.coverage)) == 3
    assert summary["population"].round(6).eq(278_970).all()
    for mode in ("walk", "cycle", "drive"):
        before = summary.loc[("2013_2017", mode)]
        after = summary.loc[("2018_2025", mode)]
        assert after["mean_min"] > before["mean_min"]
        assert after["within_30"] <= before["within_30"]
        # closing counters never shortens anyone's time
        assert (result.origins[f"{mode}_change_min"] >= -1e-9).all()
    assert summary.loc[("2013_2017", "walk"), "role"] == "before"
    assert summary.loc[("from_2026", "walk"), "role"] == "extra"


def test_origins_equal_an_independent_nearest_counter(redbridge, redbridge_offline, estimate_minutes):
    origins = redbridge_offline.origins
    counters = redbridge.places.counters
    open_after = counters[counters["2018_2025"] != "off"]
    for _, origin in origins.sample(25, random_state=3).iterrows():
        minutes = pd.Series(estimate_minutes("walk", open_after.distance(origin.geometry)), index=open_after.index)
        assert origin["walk_2018_2025_min"] == pytest.approx(minutes.min())
        assert origin["walk_2018_2025_counter"] == open_after.loc[minutes.idxmin(), "id"]


def test_barkingside_users_switch_and_tables_add_up(redbridge_offline):
    result = redbridge_offline
    switches = result.switches
    assert set(switches["from_counter"]) == {"barkingside"}
    walk = switches[switches["mode"] == "walk"]
    assert walk["population"].sum() == pytest.approx(result.changes.loc["walk", "population_switched"])
    wards = result.by_ward()
    assert len(wards.xs("walk", level="mode")) == 22
    assert wards.xs("walk", level="mode")["population"].sum() == pytest.approx(278_970)
    lsoas = result.by_lsoa().xs("walk", level="mode")
    assert len(lsoas) == 161
    weighted = (lsoas["after_min"] * lsoas["population"]).sum() / lsoas["population"].sum()
    assert weighted == pytest.approx(result.summary.loc[("2018_2025", "walk"), "mean_min"])


def test_city_runs_on_the_street_network(city_result):
    summary = city_result.summary
    assert set(summary["model"]) == {"street network"}
    # residents more than 1 km from the network are left out of the figures and counted
    assert (summary["population"] + summary["unreachable"] + summary["excluded"]).round(6).eq(7_375).all()
    assert summary["excluded"].min() > 0 and summary["population"].min() > 6_000
    for mode in ("walk", "cycle", "drive"):
        assert summary.loc[("bishopsgate_only", mode), "mean_min"] >= summary.loc[("both_open", mode), "mean_min"]
        excluded = city_result.times[mode].excluded
        assert excluded.any() and (city_result.times[mode].origin_snap_m[excluded] > 1000).all()
        assert city_result.origins.loc[excluded, f"{mode}_both_open_min"].isna().all()
        assert city_result.origins.loc[~excluded, f"{mode}_both_open_min"].notna().all()
    # the mirror's extract stops short of the eastern City: those origins are flagged, and said so
    assert summary["far_from_network"].max() > 0
    assert all("EXCLUDED from the figures" in w for w in run_warnings(city_result.coverage))
    assert any("far from the" in w or "more than 500 m" in w for w in run_warnings(city_result.coverage))


def test_bad_mode_is_refused(redbridge):
    with pytest.raises(StudyError, match="unknown mode 'boat'"):
        redbridge.run(modes=["boat"], offline=True)


def test_overpass_study_is_cached_and_reused_offline(city, city_pbf, tmp_path, monkeypatch):
    from overpass import OverpassFile, OverpassServer

    text = city.config.source.read_text().replace('[network]\nosm_file = "city_of_london_osm"\n', "")
    assert "osm_file" not in text
    study_file = tmp_path / "city-overpass.toml"
    study_file.write_text(text)
    monkeypatch.setenv("ACCESS_CACHE_DIR", str(tmp_path / "cache"))
    with OverpassServer(OverpassFile(city_pbf)) as server:
        monkeypatch.setenv("ACCESS_OVERPASS_URL", server.url)
        online = access.load_study(study_file).run(modes=["walk"])
        assert len(server.data.queries) == 1
        offline = access.load_study(study_file).run(modes=["walk"], offline=True)
        assert len(server.data.queries) == 1, "the second run reads the cache, not Overpass"
    assert online.models == offline.models == {"walk": "street network"}
    assert "Overpass" in online.times["walk"].detail
    assert online.origins["walk_bishopsgate_only_min"].equals(offline.origins["walk_bishopsgate_only_min"])
    monkeypatch.setenv("ACCESS_CACHE_DIR", str(tmp_path / "empty-cache"))
    estimate = access.load_study(study_file).run(modes=["walk"], offline=True)
    assert estimate.models == {"walk": "straight-line estimate"}
    assert "downloading is off" in run_warnings(estimate.coverage)[0]


def test_london_uses_a_street_network_when_one_is_given(london_2017):
    # The only real OSM network offline is the City's. Given it, the run routes on it rather than
    # estimating, and refuses: nearly every counter is more than 1 km outside it, so no route to
    # them could be trusted (a Greater London .osm.pbf would cover them all).
    with pytest.raises(OffNetworkError, match=r"bethnal-green.*--osm-file"):
        london_2017.run(modes=["walk"], osm_file="city_of_london_osm")


def test_london_by_borough_equals_an_independent_recomputation(london_2017_walk):
    result = london_2017_walk
    table = result.by_borough().xs("walk", level="mode")
    origins = result.origins
    assert len(table) == 33 and table["residents"].sum() == pytest.approx(8_173_941)
    assert list(table["rank"]) == list(range(1, 34))
    assert table["mean_change_min"].is_monotonic_decreasing
    for borough in ("Barnet", "Havering", "City of London", "Westminster"):
        mine = origins[(origins["borough"] == borough) & (origins["population"] > 0)]
        weights = mine["population"].to_numpy()
        before, after = mine["walk_mid_2017_min"].to_numpy(), mine["walk_after_2017_min"].to_numpy()
        row = table.loc[borough]
        assert row["residents"] == pytest.approx(weights.sum())
        assert row["mean_min_before"] == pytest.approx(np.average(before, weights=weights))
        assert row["mean_min_after"] == pytest.approx(np.average(after, weights=weights))
        assert row["within_30_after"] == pytest.approx(weights[after <= 30].sum() / weights.sum())
        assert row["within_45_before"] == pytest.approx(weights[before <= 45].sum() / weights.sum())
        assert row["residents_worse"] == pytest.approx(weights[after > before + 1e-9].sum())
        order = np.argsort(after)
        median = after[order][np.searchsorted(np.cumsum(weights[order]), weights.sum() / 2 - 1e-6)]
        assert row["median_min_after"] == pytest.approx(median)
    # Havering kept its only counter (Romford) and no neighbour's counter was ever nearer
    assert table.loc["Havering", "mean_change_min"] == pytest.approx(0)
    # London as a whole lost access; the summary agrees with the borough table
    summary = result.summary
    assert summary.loc[("after_2017", "walk"), "mean_min"] > summary.loc[("mid_2017", "walk"), "mean_min"]
    weighted = (table["mean_min_after"] * table["residents"]).sum() / table["residents"].sum()
    assert weighted == pytest.approx(summary.loc[("after_2017", "walk"), "mean_min"])


def test_the_chosen_calibration_makes_the_estimate_and_every_label_says_so(redbridge, redbridge_offline, tmp_path):
    from access.inputs.config import load_config
    from access.outputs.notes import result_model_note

    text = redbridge.config.source.read_text().replace('calibration = "city-of-london"', 'calibration = "helsinki"')
    (tmp_path / "helsinki.toml").write_text(text)
    helsinki = access.Study(load_config(tmp_path / "helsinki.toml")).run(modes=["walk"], offline=True)
    assert helsinki.times["walk"].calibration.name == "helsinki"
    assert redbridge_offline.times["walk"].calibration.name == "city-of-london"
    # Helsinki's centre has the longer detours on foot
    assert helsinki.summary.loc[("2018_2025", "walk"), "mean_min"] > \
        redbridge_offline.summary.loc[("2018_2025", "walk"), "mean_min"]
    for result, name in ((helsinki, "helsinki"), (redbridge_offline, "city-of-london")):
        assert f"calibration '{name}'" in result_model_note(result, "walk")
        warnings = run_warnings(result.coverage)
        assert any(f"calibration '{name}'" in warning and "p10–p90" in warning for warning in warnings)
