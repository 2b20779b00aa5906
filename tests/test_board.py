"""The board (access/whatif/board.py): scenarios as rows of one matrix, against recomputations from scratch."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from access.core.errors import ScenarioError
from access.inputs.hours import parse_hours, parse_moment
from access.whatif.board import build_board
from access.whatif.comparison import compare
from access.whatif.scenario import Scenario, parse_opened, period_scenario, study_scenarios

GANTS_HILL = "Gants Hill=51.5765,0.0661"


def _straight_line_minutes(study, mode, lonlat, estimate_minutes):
    """Minutes from every resident to each (lon, lat), computed from scratch."""
    to_bng = Transformer.from_crs("EPSG:4326", study.config.crs, always_xy=True)
    x, y = to_bng.transform([p[0] for p in lonlat], [p[1] for p in lonlat])
    residents = study.places.residents
    metres = np.hypot(residents.geometry.x.to_numpy()[None, :] - np.asarray(x)[:, None],
                      residents.geometry.y.to_numpy()[None, :] - np.asarray(y)[:, None])
    return estimate_minutes(mode, metres, study.config.calibration)


def test_scenario_equals_an_independent_recomputation(redbridge, redbridge_board, estimate_minutes):
    """Close Ilford, open Gants Hill: each resident's time is the nearest of the open counters, by hand."""
    what = Scenario("gants-not-ilford", "2018_2025", close=("ilford",), open=(parse_opened(GANTS_HILL),))
    comparison = compare(redbridge_board, [period_scenario("2018_2025"), what])
    counters = redbridge.places.counters
    open_rows = [(lon, lat) for cid, lon, lat, hours in zip(counters["id"], counters["lon"], counters["lat"],
                                                              counters["2018_2025"], strict=True)
                 if cid != "ilford" and hours != "off"]
    assert len(open_rows) == 5
    for mode in ("walk", "drive"):
        expected = _straight_line_minutes(redbridge, mode, [*open_rows, (0.0661, 51.5765)],
                                          estimate_minutes).min(axis=0)
        got = comparison.origins[f"{mode}|gants-not-ilford|min"].to_numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-9)
        population = redbridge.places.residents["population"].to_numpy()
        row = comparison.summary.loc[("gants-not-ilford", mode)]
        assert row["mean_min"] == pytest.approx(np.average(expected, weights=population))
        assert row["counters_open"] == 6
    # the base is the study's own 2018-2025 result
    base = comparison.origins["walk|2018_2025|min"].to_numpy()
    factor_rows = [(lon, lat) for lon, lat, hours
                   in zip(counters["lon"], counters["lat"], counters["2018_2025"], strict=True)
                   if hours != "off"]
    expected = _straight_line_minutes(redbridge, "walk", factor_rows, estimate_minutes).min(axis=0)
    np.testing.assert_allclose(base, expected, rtol=1e-9)


def test_closing_a_counter_never_shortens_anyones_time(redbridge, redbridge_board):
    """Exhaustive over Redbridge's counters: from every period, close each available counter in turn."""
    ids = list(redbridge.places.counters["id"])
    for period in redbridge.config.periods:
        base = period_scenario(period)
        for mode in redbridge_board.modes:
            before, _ = redbridge_board.nearest(base, mode)
            for cid in ids:
                after, _ = redbridge_board.nearest(Scenario("closed", period, close=(cid,)), mode)
                assert np.all(after >= before), (period, mode, cid)
                if not redbridge_board.available(base)[ids.index(cid)]:
                    np.testing.assert_array_equal(after, before)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_closing_more_never_helps_any_scenario(redbridge, redbridge_board, data):
    ids = redbridge_board.ids
    period = data.draw(st.sampled_from(redbridge.config.periods))
    first = data.draw(st.lists(st.sampled_from(ids), unique=True, max_size=len(ids)))
    more = data.draw(st.lists(st.sampled_from(ids), unique=True, max_size=4))
    opened = tuple(c for c in redbridge_board.opened if data.draw(st.booleans()))
    moment = data.draw(st.sampled_from([None, parse_moment("Sat 23:30"), parse_moment("Tue 12:00")]))
    fewer = Scenario("a", period, close=tuple(first), open=opened, at=moment)
    fewest = Scenario("b", period, close=tuple(dict.fromkeys(first + more)), open=opened, at=moment)
    for mode in redbridge_board.modes:
        a, _ = redbridge_board.nearest(fewer, mode)
        b, _ = redbridge_board.nearest(fewest, mode)
        assert np.all(b >= a)


def test_moment_uses_the_minute_mask_and_the_generous_rule(redbridge, redbridge_board):
    night = study_scenarios(redbridge)["reduced-hours-saturday-night"]
    assert night.at == parse_moment("Sat 23:30")
    available = dict(zip(redbridge_board.ids, redbridge_board.available(night), strict=True))
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
    assert redbridge_board.available(at_noon).sum() > redbridge_board.available(night).sum()


def test_network_scenario_equals_the_study_run(city):
    """On the real City network, a scenario equals the study's own period.

    Closing Snow Hill is the study's bishopsgate_only period, and a new counter
    opened where Snow Hill stands is routed to the same minutes as Snow Hill's own row.
    """
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


def test_unknown_ids_and_periods_are_named(redbridge_board):
    with pytest.raises(ScenarioError, match="unknown counter id 'hainault'"):
        redbridge_board.hours(Scenario("x", "2018_2025", close=("hainault",)))
    with pytest.raises(ScenarioError, match="unknown period '2030'"):
        redbridge_board.hours(Scenario("x", "2030"))
    with pytest.raises(ScenarioError, match="hours for unknown counter id 'nope'"):
        redbridge_board.hours(Scenario("x", "2018_2025", hours=(("nope", "24/7"),)))
    stranger = parse_opened("Elsewhere=51.58,0.07")
    with pytest.raises(ScenarioError, match="not on the board"):
        redbridge_board.hours(Scenario("x", "2018_2025", open=(stranger,)))


def test_opened_counter_far_away_is_refused(redbridge):
    with pytest.raises(ScenarioError, match="lat and lon are not swapped"):
        build_board(redbridge, [Scenario("x", "2018_2025", open=(parse_opened("Swapped=0.0661,51.5765"),))],
                    modes=["walk"], offline=True)


def test_opening_routes_only_the_new_counters_and_equals_a_board_built_with_them(redbridge, redbridge_board):
    gants = Scenario("gants", "2018_2025", open=(parse_opened(GANTS_HILL),))
    whole = build_board(redbridge, [gants], modes=["walk", "drive"], offline=True)
    grown = redbridge_board.opening([gants])
    assert grown.ids == redbridge_board.ids, "already on the board: nothing to add"
    other = Scenario("other", "2018_2025", open=(parse_opened("Other=51.59,0.05"),))
    grown = whole.opening([other])
    assert grown.ids == [*whole.ids, "other"] and grown.times is whole.times, "the study's rows are not routed again"
    for mode in ("walk", "drive"):
        np.testing.assert_array_equal(grown.minutes[mode][: len(whole.ids)], whole.minutes[mode])


def test_a_scenario_at_a_moment_drives_in_that_hours_traffic(redbridge, redbridge_board):
    """Tue 12:00 and Tue 22:30: each drives in its hour's traffic, to the counters open then; walking does not."""
    drive = redbridge_board.times["drive"].drive
    overhead, free = drive.overhead_min, redbridge_board.minutes["drive"]
    scenarios = {"noon": (Scenario("noon", "2013_2017", at=parse_moment("Tu 12:00")), 0.72),
                 "late": (Scenario("late", "2013_2017", at=parse_moment("Tu 22:30")), 0.95)}
    comparison = compare(redbridge_board, [scenario for scenario, _ in scenarios.values()])
    for scenario, share in scenarios.values():
        at = redbridge_board.minutes_at("drive", scenario.at)
        np.testing.assert_allclose(at, overhead + (free - overhead) / share)
        expected = np.where(redbridge_board.available(scenario)[:, None], at, np.inf).min(axis=0)
        np.testing.assert_allclose(comparison.origins[f"drive|{scenario.label}|min"], expected)
        np.testing.assert_array_equal(redbridge_board.minutes_at("walk", scenario.at), redbridge_board.minutes["walk"])
    # no moment, or a night-time one: free-flowing traffic
    np.testing.assert_array_equal(redbridge_board.minutes_at("drive", None), free)
    np.testing.assert_array_equal(redbridge_board.minutes_at("drive", parse_moment("Tu 03:00")), free)


def test_opening_a_counter_routes_one_public_transport_row(cairns_transit_study, cairns_transit_result):
    """A scenario that opens a counter adds one transit row: the router's own profile search to that point."""
    import dataclasses

    from cairns_study import CAIRNS_DATE

    from access.inputs.calibrations import get_calibration
    from access.inputs.gtfs import CAIRNS
    from access.routing.transit import transit_times
    from access.whatif.board import board_from_result

    smithfield = Scenario("smithfield", "after", open=(parse_opened("Smithfield (SYNTHETIC)=-16.8351,145.6925"),))
    board = board_from_result(cairns_transit_result, [smithfield])
    assert board.ids[-1] == "smithfield-synthetic" and board.minutes["transit"].shape == (5, 660)
    np.testing.assert_array_equal(board.minutes["transit"][:4], cairns_transit_result.times["transit"].minutes)
    point = board.counters.geometry.iloc[-1]
    study = cairns_transit_study
    steady = dataclasses.replace(study.config.walk, signal_s=0.0)  # public transport's walks wait at no crossing
    calibration = get_calibration(study.config.calibration, "walk").priced(drive=study.config.drive, walk=steady)
    direct = transit_times([CAIRNS], np.array([[point.x, point.y]]), study.places.origin_xy, crs=study.config.crs,
                           date=CAIRNS_DATE, calibration=calibration)
    np.testing.assert_array_equal(board.minutes["transit"][4], direct.minutes(50)[0])
    comparison = compare(board, [period_scenario("after"), smithfield])
    gain = comparison.differences.loc[("smithfield", "transit")]
    assert gain["mean_min_change"] < 0 and gain["population_better"] > 0
