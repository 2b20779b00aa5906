import json
import logging

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from access.routing.detour import load_detour_factors
from access.core.errors import ScenarioError
from access.inputs.hours import parse_hours
from access.whatif.scenario import (
    Scenario,
    build_board,
    compare,
    lookup_postcode,
    parse_opened,
    period_scenario,
    study_scenarios,
)
from access.analysis.timeofday import parse_moment

GANTS_HILL = "Gants Hill=51.5765,0.0661"


@pytest.fixture(scope="module")
def board(redbridge):
    logging.disable(logging.WARNING)
    scenarios = [*study_scenarios(redbridge).values(), Scenario("gants-not-ilford", "2018_2025", close=("ilford",),
                                                                open=(parse_opened(GANTS_HILL),))]
    try:
        return build_board(redbridge, scenarios, modes=["walk", "drive"], offline=True)
    finally:
        logging.disable(logging.NOTSET)


def _straight_line_minutes(study, mode, lonlat):
    """Minutes from every resident to each (lon, lat), computed from scratch."""
    to_bng = Transformer.from_crs("EPSG:4326", study.config.crs, always_xy=True)
    x, y = to_bng.transform([p[0] for p in lonlat], [p[1] for p in lonlat])
    residents = study.places.residents
    factor = load_detour_factors()[mode]
    metres = np.hypot(residents.geometry.x.to_numpy()[None, :] - np.asarray(x)[:, None],
                      residents.geometry.y.to_numpy()[None, :] - np.asarray(y)[:, None]) * factor.factor
    return metres / (factor.speed_kmh * 1000 / 60)


def test_scenario_equals_an_independent_recomputation(redbridge, board):
    """Close Ilford, open Gants Hill: each resident's time is the nearest of the open counters, by hand."""
    what = Scenario("gants-not-ilford", "2018_2025", close=("ilford",), open=(parse_opened(GANTS_HILL),))
    comparison = compare(board, [period_scenario("2018_2025"), what])
    counters = redbridge.places.counters
    open_rows = [(lon, lat) for cid, lon, lat, hours in zip(counters["id"], counters["lon"], counters["lat"],
                                                              counters["2018_2025"])
                 if cid != "ilford" and hours != "off"]
    assert len(open_rows) == 5
    for mode in ("walk", "drive"):
        expected = _straight_line_minutes(redbridge, mode, [*open_rows, (0.0661, 51.5765)]).min(axis=0)
        got = comparison.origins[f"{mode}|gants-not-ilford|min"].to_numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-9)
        population = redbridge.places.residents["population"].to_numpy()
        row = comparison.summary.loc[("gants-not-ilford", mode)]
        assert row["mean_min"] == pytest.approx(np.average(expected, weights=population))
        assert row["counters_open"] == 6
    # the base is the study's own 2018-2025 result
    base = comparison.origins["walk|2018_2025|min"].to_numpy()
    factor_rows = [(lon, lat) for lon, lat, hours in zip(counters["lon"], counters["lat"], counters["2018_2025"])
                   if hours != "off"]
    np.testing.assert_allclose(base, _straight_line_minutes(redbridge, "walk", factor_rows).min(axis=0), rtol=1e-9)


def test_closing_a_counter_never_shortens_anyones_time(redbridge, board):
    """Exhaustive over Redbridge's counters: from every period, close each available counter in turn."""
    ids = list(redbridge.places.counters["id"])
    for period in redbridge.config.periods:
        base = period_scenario(period)
        for mode in board.modes:
            before, _ = board.nearest(base, mode)
            for cid in ids:
                after, _ = board.nearest(Scenario("closed", period, close=(cid,)), mode)
                assert np.all(after >= before), (period, mode, cid)
                if not board.available(base)[ids.index(cid)]:
                    np.testing.assert_array_equal(after, before)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_closing_more_never_helps_any_scenario(redbridge, board, data):
    ids = board.ids
    period = data.draw(st.sampled_from(redbridge.config.periods))
    first = data.draw(st.lists(st.sampled_from(ids), unique=True, max_size=len(ids)))
    more = data.draw(st.lists(st.sampled_from(ids), unique=True, max_size=4))
    opened = tuple(c for c in board.opened if data.draw(st.booleans()))
    moment = data.draw(st.sampled_from([None, parse_moment("Sat 23:30"), parse_moment("Tue 12:00")]))
    fewer = Scenario("a", period, close=tuple(first), open=opened, at=moment)
    fewest = Scenario("b", period, close=tuple(dict.fromkeys(first + more)), open=opened, at=moment)
    for mode in board.modes:
        a, _ = board.nearest(fewer, mode)
        b, _ = board.nearest(fewest, mode)
        assert np.all(b >= a)


def test_moment_uses_the_minute_mask_and_the_generous_rule(redbridge, board):
    night = study_scenarios(redbridge)["reduced-hours-saturday-night"]
    assert night.at == parse_moment("Sat 23:30")
    available = dict(zip(board.ids, board.available(night)))
    counters = redbridge.places.counters.set_index("id")
    for cid, is_open in available.items():
        if cid == "gants-hill":
            assert not is_open  # not opened in this scenario
            continue
        hours = parse_hours(counters.loc[cid, "from_2026"])
        assert is_open == hours.is_open_at(5, 23 * 60 + 30), cid
    assert available["stratford"]  # 'unknown' counts as open at every moment
    assert not available["ilford"]  # Sa 09:00-19:00
    at_noon = Scenario("noon", "from_2026", at=parse_moment("Sat 12:00"))
    assert board.available(at_noon).sum() > board.available(night).sum()


def test_hours_override_and_compare_table(redbridge, board):
    kept = study_scenarios(redbridge)["barkingside-not-ilford"]
    hours = dict(zip(board.ids, board.hours(kept)))
    assert hours["barkingside"] == "Mo-Fr 07:00-23:00" and hours["ilford"] == "off"
    comparison = compare(board, [period_scenario("2018_2025"), kept, period_scenario("2013_2017")])
    diff = comparison.differences
    assert set(diff.index.get_level_values("scenario")) == {"barkingside-not-ilford", "2013_2017"}
    # 2013-2017 had both Barkingside and Ilford: nobody is worse off than in 2018-2025
    assert diff.loc[("2013_2017", "walk"), "population_worse"] == 0
    assert diff.loc[("barkingside-not-ilford", "walk"), "population_worse"] > 0


def test_write_outputs_and_say_how_hours_are_read(tmp_path, board):
    what = Scenario("gants-not-ilford", "2018_2025", close=("ilford",), open=(parse_opened(GANTS_HILL),))
    paths = compare(board, [period_scenario("2018_2025"), what]).write(tmp_path)
    for name in ("summary.json", "summary.csv", "differences.csv", "counters.csv", "origins.csv", "walk.html",
                 "drive.html", "index.html"):
        assert name in paths and (tmp_path / name).is_file(), name
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert "'unknown'" in summary["hours_rule"] and "assumed" in summary["hours_rule"]
    assert summary["scenarios"][1]["explain"].startswith("from 2018_2025; close ilford; open Gants Hill")
    page = (tmp_path / "walk.html").read_text()
    assert "Gants Hill" in page and "STRAIGHT-LINE ESTIMATE" in page


def test_a_failed_scenario_write_leaves_the_previous_outputs_whole(tmp_path, board, monkeypatch):
    from access.whatif.scenario import Comparison

    compare(board, [period_scenario("2018_2025"), period_scenario("2013_2017")]).write(tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    what = Scenario("gants-not-ilford", "2018_2025", close=("ilford",), open=(parse_opened(GANTS_HILL),))

    def broken(self, folder):
        raise KeyboardInterrupt  # the maps come last: summary.json and the tables are already staged

    monkeypatch.setattr(Comparison, "write_maps", broken)
    with pytest.raises(KeyboardInterrupt):
        compare(board, [period_scenario("2018_2025"), what]).write(tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_network_scenario_equals_the_study_run(city):
    """On the real City network: closing Snow Hill is the study's bishopsgate_only period, and a new
    counter opened where Snow Hill stands is routed to the same minutes as Snow Hill's own row."""
    counters = city.places.counters.set_index("id")
    snow = parse_opened(f"Snow Hill again={counters.loc['snow-hill', 'lat']},{counters.loc['snow-hill', 'lon']}")
    reopened = Scenario("reopened", "bishopsgate_only", open=(snow,))
    board = build_board(city, [reopened], modes=["walk"])
    assert board.times["walk"].model == "street network"
    result = city.run(modes=["walk"])
    closed = Scenario("closed", "both_open", close=("snow-hill",))
    np.testing.assert_allclose(board.nearest(closed, "walk")[0], result.origins["walk_bishopsgate_only_min"])
    np.testing.assert_allclose(board.nearest(reopened, "walk")[0], result.origins["walk_both_open_min"],
                               rtol=1e-9, atol=1e-6)


def test_postcodes_and_bad_values():
    lon, lat = lookup_postcode("ig2 6aa")
    assert (lon, lat) == pytest.approx((0.082414, 51.572901))
    assert parse_opened("Gants Hill=IG2 6AA").located_by == "postcode IG2 6AA"
    with pytest.raises(ScenarioError, match="'ZZ9 9ZZ'"):
        parse_opened("Nowhere=ZZ9 9ZZ")
    with pytest.raises(ScenarioError, match="lat 151.0"):
        parse_opened("Far=151,0.06")
    with pytest.raises(ScenarioError, match="neither LAT,LON nor a postcode"):
        parse_opened("Odd=somewhere")
    with pytest.raises(ScenarioError, match="NAME=LAT,LON"):
        parse_opened("no equals sign")


def test_unknown_ids_and_periods_are_named(board):
    with pytest.raises(ScenarioError, match="unknown counter id 'hainault'"):
        board.hours(Scenario("x", "2018_2025", close=("hainault",)))
    with pytest.raises(ScenarioError, match="unknown period '2030'"):
        board.hours(Scenario("x", "2030"))
    with pytest.raises(ScenarioError, match="hours for unknown counter id 'nope'"):
        board.hours(Scenario("x", "2018_2025", hours=(("nope", "24/7"),)))
    stranger = parse_opened("Elsewhere=51.58,0.07")
    with pytest.raises(ScenarioError, match="not on the board"):
        board.hours(Scenario("x", "2018_2025", open=(stranger,)))


def test_opened_counter_far_away_is_refused(redbridge):
    with pytest.raises(ScenarioError, match="lat and lon are not swapped"):
        build_board(redbridge, [Scenario("x", "2018_2025", open=(parse_opened("Swapped=0.0661,51.5765"),))],
                    modes=["walk"], offline=True)
