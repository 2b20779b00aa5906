"""The public-transport router agrees with a brute force, to the second, for every pair and departure minute.

The brute force (``tests/transit_brute.py``) is a time-expanded graph searched by scipy's Dijkstra,
sharing nothing with the router but the timetable read from the feed.  Each comparison checks
every origin–counter pair at every departure minute (a one-minute window is that minute's time),
and the whole window's distribution (percentiles 1 … 100 are every rank of 60 minutes).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyproj
import pytest
from gtfs_feeds import EVERY_DAY, ORIGIN, Feed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from transit_brute import brute_force, nearest_rank, network_walks, straight_walks

from access.core.errors import ArgumentError, NetworkError
from access.inputs.calibrations import DEFAULT_CALIBRATION, get_calibration
from access.inputs.gtfs import CAIRNS, Timetable, parse_clock, timetable
from access.routing.transit import TRANSIT_MODEL, percentile_rank, transit_times

CAIRNS_CRS = "EPSG:32755"  # UTM zone 55S
WALK = get_calibration(DEFAULT_CALIBRATION, "walk")
ALL_RANKS = tuple(range(1, 101))


def stop_xy(table: Timetable, crs: str) -> np.ndarray:
    x, y = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(table.stop_lon, table.stop_lat)
    return np.column_stack([x, y])


def check_against_brute_force(table: Timetable, counter_xy: np.ndarray, origin_xy: np.ndarray, *, crs: str,
                              window: tuple[str, str], walks=None, walk_network=None, every_minute: bool = True,
                              **options) -> np.ndarray:
    """Assert router == brute force for every pair and minute; return the brute force's seconds."""
    params = {"walk_speed_kmh": 4.8, "max_walk_m": 800.0, "max_transfer_m": None, "max_minutes": 120,
              "board_slack_s": 60, **options}
    start, end = parse_clock(window[0]), parse_clock(window[1])
    n_minutes = (end - start) // 60
    expected = brute_force(table, stop_xy(table, crs), counter_xy, origin_xy, walks or straight_walks(WALK),
                           window_start=start, n_minutes=n_minutes, walk_speed_kmh=params["walk_speed_kmh"],
                           max_walk_m=params["max_walk_m"],
                           max_transfer_m=params["max_transfer_m"] if params["max_transfer_m"] is not None
                           else params["max_walk_m"], max_minutes=params["max_minutes"],
                           slack=params["board_slack_s"])

    def route(first: int, last: int, percentiles):
        return transit_times(table, counter_xy, origin_xy, crs=crs, date=table.date, window=(first, last),
                             percentiles=percentiles, walk_network=walk_network, workers=2, **params)

    whole = route(start, end, ALL_RANKS)
    for p in ALL_RANKS:
        want = np.array([[nearest_rank(list(expected[c, o]), p) for o in range(len(origin_xy))]
                         for c in range(len(counter_xy))])
        np.testing.assert_array_equal(whole.minutes(p), want / 60.0, err_msg=f"percentile {p}")
    if every_minute:
        for k in range(n_minutes):
            minute = route(start + 60 * k, start + 60 * (k + 1), (50,))
            np.testing.assert_array_equal(minute.minutes(50), expected[:, :, k] / 60.0, err_msg=f"minute {k}")
    return expected


# --- a real feed -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cairns() -> Timetable:
    return timetable([CAIRNS], "2014-06-02", start_s=parse_clock("08:00"), end_s=parse_clock("11:00"))


def cairns_points(seed: int, n: int) -> np.ndarray:
    """Points at random around central Cairns and its suburbs' stops (UTM 55S)."""
    table = timetable([CAIRNS], "2014-06-02", start_s=parse_clock("08:00"), end_s=parse_clock("09:00"))
    stops = stop_xy(table, CAIRNS_CRS)[np.unique(table.stop)]
    rng = np.random.default_rng(seed)
    return stops[rng.choice(len(stops), n, replace=False)] + rng.uniform(-400, 400, (n, 2))


def test_cairns_every_pair_and_minute_matches_the_brute_force(cairns: Timetable) -> None:
    counters, origins = cairns_points(1, 3), cairns_points(2, 14)
    expected = check_against_brute_force(cairns, counters, origins, crs=CAIRNS_CRS, window=("08:00", "09:00"))
    reached = np.isfinite(expected)
    # not a vacuous check: most pairs are reachable, by bus more often than on foot alone
    assert reached.mean() > 0.5 and len(np.unique(expected[reached])) > 100


def test_cairns_with_shorter_walks_and_no_slack_to_speak_of(cairns: Timetable) -> None:
    counters, origins = cairns_points(3, 2), cairns_points(4, 10)
    check_against_brute_force(cairns, counters, origins, crs=CAIRNS_CRS, window=("08:30", "09:00"),
                              max_walk_m=400.0, max_transfer_m=150.0, board_slack_s=1, max_minutes=45,
                              walk_speed_kmh=4.0)


def test_travel_times_are_a_transit_mode_of_the_project(cairns: Timetable) -> None:
    counters, origins = cairns_points(1, 2), cairns_points(2, 3)
    times = transit_times(cairns, counters, origins, crs=CAIRNS_CRS, date="2014-06-02", percentiles=(90, 50))
    assert times.percentiles == (50, 90)
    travel = times.travel_times(90)
    assert travel.mode == "transit" and travel.model.startswith(TRANSIT_MODEL[:-1])
    assert travel.model == "public transport (GTFS: cairns_gtfs.zip, Mon 2014-06-02, 08:00–09:00, 90th percentile)"
    assert times.travel_times(50).model.endswith(", median)")
    assert travel.minutes.shape == (2, 3) and travel.detail.startswith("90th percentile over the departure window")
    assert "service date 2014-06-02 (Monday)" in travel.detail and "08:00–09:00" in travel.detail
    assert (times.minutes(90) >= times.minutes(50)).all()
    with pytest.raises(ArgumentError, match="percentile 75 was not computed"):
        times.minutes(75)


# --- hand-made feeds ----------------------------------------------------------------------------

def xy(*points: tuple[float, float]) -> np.ndarray:
    return np.array([[ORIGIN[0] + x, ORIGIN[1] + y] for x, y in points])


LINE = {"A": (0, 0), "B": (3000, 0), "C": (3150, 0), "D": (6000, 0), "FAR": (20000, 20000)}
"""Stops on a line: A, then B and C 150 m apart (a walk between them), then D; FAR, alone far away."""


def read(feed: Feed, folder: Path, date: str, window: tuple[str, str]) -> Timetable:
    start, end = parse_clock(window[0]), parse_clock(window[1])
    return timetable([feed.write(folder)], date, start_s=start, end_s=end + 7200)


def test_overnight_runs_of_the_day_before_and_the_day_after(tmp_path: Path) -> None:
    feed = Feed(stops=dict(LINE), calendar=[("daily", EVERY_DAY, "20240101", "20241231")])
    feed.add_trip("late", "daily", [("A", 86_400 + 600, 86_400 + 600), ("D", 86_400 + 1500, 86_400 + 1500)])  # 24:10
    feed.add_trip("evening", "daily", [("A", 85_800, 85_800), ("D", 86_700, 86_700)])  # 23:50 → 24:05
    feed.add_trip("early", "daily", [("A", 300, 300), ("D", 1200, 1200)])  # 00:05 of the next day too
    counters, origins = xy((6000, 100)), xy((0, 100), (3000, 300))
    before_midnight = read(feed, tmp_path / "a", "2024-03-12", ("23:40", "24:20"))
    assert {"late", "evening", "early@+1d"} <= set(before_midnight.run_id)
    after = read(feed, tmp_path / "b", "2024-03-12", ("00:00", "00:20"))
    assert {"late@-1d", "early"} <= set(after.run_id)
    expected = check_against_brute_force(after, counters, origins, crs="EPSG:27700", window=("00:00", "00:20"))
    # 100 m from A and from D: 134.29 m estimated, 100.7 s of walking and 4.3 s of waits at signals (3.21 signals
    # per estimated km, 10 s each), 106 s rounded up.  Leaving at 00:00: at A 00:01:46, on today's 00:05 bus
    # (slack 60 s), at D 00:20, at the counter 00:21:46.  Leaving at 00:05: that bus is missed, and yesterday's
    # 24:10 bus (00:10 today) gives 00:26:46: 21 min 46 s both times.
    assert expected[0, 0, 0] == expected[0, 0, 5] == 21 * 60 + 46
    late = check_against_brute_force(before_midnight, counters, origins, crs="EPSG:27700", window=("23:40", "24:20"))
    # leaving at 23:40: the 23:50 bus, at D 24:05, at the counter 24:06:46; leaving at 24:00: tomorrow's 00:05 bus
    assert late[0, 0, 0] == 26 * 60 + 46 and late[0, 0, 20] == 21 * 60 + 46


def test_frequencies_are_expanded_into_runs(tmp_path: Path) -> None:
    feed = Feed(stops=dict(LINE), calendar=[("daily", EVERY_DAY, "20240101", "20241231")])
    feed.add_trip("every10", "daily", [("A", 0, 0), ("D", 900, 900)])
    feed.frequencies.append(("every10", parse_clock("08:00"), parse_clock("09:00"), 600, 0))
    table = read(feed, tmp_path, "2024-03-12", ("08:00", "09:00"))
    assert sorted(table.departure[table.run_start[:-1]]) == [parse_clock("08:00") + 600 * k for k in range(6)]
    expected = check_against_brute_force(table, xy((6000, 50)), xy((0, 50)), crs="EPSG:27700",
                                         window=("08:00", "09:00"))
    assert np.isfinite(expected).all()


def test_calendar_exceptions_remove_and_add_dates(tmp_path: Path) -> None:
    feed = Feed(stops=dict(LINE), calendar=[("weekdays", (1, 1, 1, 1, 1, 0, 0), "20240101", "20241231")],
                calendar_dates=[("weekdays", "20240312", 2), ("special", "20240312", 1)])
    feed.add_trip("usual", "weekdays", [("A", parse_clock("08:05"), parse_clock("08:05")),
                                        ("D", parse_clock("08:20"), parse_clock("08:20"))])
    feed.add_trip("extra", "special", [("A", parse_clock("08:35"), parse_clock("08:35")),
                                       ("D", parse_clock("08:50"), parse_clock("08:50"))])
    removed = read(feed, tmp_path / "a", "2024-03-12", ("08:00", "08:30"))
    assert list(removed.run_id) == ["extra"]
    usual = read(feed, tmp_path / "b", "2024-03-13", ("08:00", "08:30"))
    assert list(usual.run_id) == ["usual"]
    check_against_brute_force(removed, xy((6000, 0)), xy((0, 0), (6000, 900)), crs="EPSG:27700",
                              window=("08:00", "08:30"))


def test_transfers_walk_between_stops_and_unreachable_stops_stay_unreachable(tmp_path: Path) -> None:
    feed = Feed(stops=dict(LINE), calendar=[("daily", EVERY_DAY, "20240101", "20241231")])
    for k in range(4):
        t = parse_clock("08:00") + 900 * k
        feed.add_trip(f"west{k}", "daily", [("A", t + 120, t + 120), ("B", t + 600, t + 600)])
        feed.add_trip(f"east{k}", "daily", [("C", t + 840, t + 840), ("D", t + 1260, t + 1260)])
    feed.add_trip("far", "daily", [("FAR", parse_clock("08:10"), parse_clock("08:10")),
                                   ("FAR", parse_clock("08:12"), parse_clock("08:12"))])
    table = read(feed, tmp_path, "2024-03-12", ("08:00", "08:45"))
    counters = xy((6000, 0), (20_000, 20_100))
    origins = xy((0, 0), (3000, 600), (20_000, 19_900))
    expected = check_against_brute_force(table, counters, origins, crs="EPSG:27700", window=("08:00", "08:45"))
    assert np.isinf(expected[1, :2]).all() and np.isinf(expected[0, 2]).all()  # FAR's bus goes nowhere
    # leaving A at 08:00: the 08:02 bus, at B 08:10, a walk of 152 s (150 m, 201 m estimated) and 60 s to C,
    # the 08:14 bus there, at D (the counter) 08:21: 21 minutes (and a second from A's and D's lat/lon rounding)
    assert expected[0, 0, 0] == pytest.approx(21 * 60, abs=1)
    no_change = check_against_brute_force(table, counters, origins, crs="EPSG:27700", window=("08:00", "08:15"),
                                          max_transfer_m=100.0, every_minute=False)
    assert np.isinf(no_change[0, 0]).all() or (no_change[0, 0] > expected[0, 0, :15]).all()


def test_ties_zero_length_hops_and_no_boarding_or_alighting(tmp_path: Path) -> None:
    feed = Feed(stops=dict(LINE), calendar=[("daily", EVERY_DAY, "20240101", "20241231")])
    t = parse_clock("08:10")
    feed.add_trip("one", "daily", [("A", t, t), ("B", t + 300, t + 300), ("C", t + 300, t + 300),
                                   ("D", t + 600, t + 600)])
    feed.add_trip("two", "daily", [("A", t, t), ("B", t + 300, t + 300, 0, 1), ("D", t + 600, t + 600)])
    feed.add_trip("three", "daily", [("C", t + 360, t + 360, 1, 0), ("D", t + 420, t + 420)])
    feed.add_trip("four", "daily", [("B", t + 360, t + 360), ("D", t + 420, t + 420, 0, 1)])
    feed.add_trip("five", "daily", [("B", t + 359, t + 359), ("D", t + 361, t + 361)])  # a second too soon after "one"
    table = read(feed, tmp_path, "2024-03-12", ("08:00", "08:20"))
    expected = check_against_brute_force(table, xy((6000, 0), (3000, 0)), xy((0, 0), (3100, 0), (3000, 50)),
                                         crs="EPSG:27700", window=("08:00", "08:20"))
    # from A at 08:00: "one" at 08:10, at B 08:15:00; "five" leaves B at 08:15:59, 59 s later: too soon for the
    # 60 s slack; "four" (08:16) may not be left at D; so "one" on to D, 08:20 (+1 s from the lat/lon rounding)
    assert expected[0, 0, 0] == pytest.approx(20 * 60, abs=1)


def test_walking_legs_on_a_real_walking_network(tmp_path: Path, city_walk_network) -> None:
    network = city_walk_network
    rng = np.random.default_rng(5)
    nodes = rng.choice(network.n_nodes, 14, replace=False)
    points = np.column_stack([network.x[nodes], network.y[nodes]]) + rng.uniform(-30, 30, (14, 2))
    feed = Feed(stops={f"S{k}": (x - ORIGIN[0], y - ORIGIN[1]) for k, (x, y) in enumerate(points[:6])},
                calendar=[("daily", EVERY_DAY, "20240101", "20241231")])
    for k in range(6):
        t = parse_clock("08:00") + 240 * k
        feed.add_trip(f"loop{k}", "daily", [(f"S{(k + j) % 6}", t + 150 * j, t + 150 * j + 20) for j in range(4)])
    table = read(feed, tmp_path, "2024-03-12", ("08:00", "08:30"))
    check_against_brute_force(table, points[6:8], points[8:], crs=network.crs, window=("08:00", "08:30"),
                              walks=network_walks(network), walk_network=network, max_walk_m=500.0)


def test_walks_need_a_walking_network(cairns: Timetable, city_walk_network) -> None:
    from dataclasses import replace

    drive = replace(city_walk_network, mode="drive")
    with pytest.raises(NetworkError, match="need the walk network, not the drive network"):
        transit_times(cairns, cairns_points(1, 1), cairns_points(2, 1), crs=CAIRNS_CRS, date="2014-06-02",
                      walk_network=drive)


@pytest.mark.parametrize(("options", "message"), [
    ({"percentiles": (0,)}, "percentiles must be whole numbers from 1 to 100"),
    ({"percentiles": (50.5,)}, "percentiles must be whole numbers"),
    ({"window": ("09:00", "08:00")}, "must end at least a minute after it starts"),
    ({"window": ("nine", "ten")}, "window must be"),
    ({"board_slack_s": 0}, "board_slack_s must be a whole number of seconds from 1 to 3600"),
    ({"max_walk_m": -5.0}, "max_walk_m must be a number of metres from 0 to 5000"),
    ({"walk_speed_kmh": 0}, "walk_speed_kmh must be a number of km/h from 0.5 to 20"),
    ({"max_minutes": 2000}, "max_minutes must be a number of minutes from 1 to 1440"),
    ({"date": "2014-06-03"}, "the timetable is for 2014-06-02, not 2014-06-03"),
])
def test_bad_parameters_say_what_to_do(cairns: Timetable, options: dict, message: str) -> None:
    arguments = {"crs": CAIRNS_CRS, "date": "2014-06-02", **options}
    with pytest.raises(ArgumentError, match=message):
        transit_times(cairns, cairns_points(1, 1), cairns_points(2, 1), **arguments)


def test_percentile_rank_is_the_nearest_rank() -> None:
    for n in (1, 7, 60):
        values = list(range(n))
        for p in range(1, 101):
            assert percentile_rank(p, n) == nearest_rank(values, p)


# --- random feeds ------------------------------------------------------------------------------

@st.composite
def random_feeds(draw):
    n_stops = draw(st.integers(2, 7))
    stops = {f"s{k}": (draw(st.integers(0, 4000)), draw(st.integers(0, 1500))) for k in range(n_stops)}
    feed = Feed(stops=stops, calendar=[("daily", EVERY_DAY, "20240101", "20241231"),
                                       ("never", EVERY_DAY, "20300101", "20301231")])
    for trip in range(draw(st.integers(1, 7))):
        calls = draw(st.lists(st.sampled_from(sorted(stops)), min_size=2, max_size=5))
        # starts on whole minutes (now and then a second past), hops of about a minute: vehicles meet at the
        # very second a change needs (arrival + walk + slack = departure), where an off-by-one would show
        t = (parse_clock("07:30") + 60 * draw(st.integers(0, 70)) + draw(st.sampled_from([0, 0, 0, 1]))
             + draw(st.sampled_from([0, 0, 0, 86_400])))
        rows = []
        for stop in calls:
            dwell = draw(st.sampled_from([0, 0, 1, 30]))
            rows.append((stop, t, t + dwell, draw(st.sampled_from([0, 0, 0, 1])), draw(st.sampled_from([0, 0, 0, 1]))))
            t += dwell + draw(st.sampled_from([0, 59, 60, 61, 120, 300]))
        feed.add_trip(f"t{trip}", draw(st.sampled_from(["daily", "daily", "daily", "never"])), rows)
    if draw(st.booleans()):
        template = feed.trips[0][0]
        headway = draw(st.sampled_from([300, 420]))
        exact = draw(st.integers(0, 1))
        feed.frequencies.append((template, parse_clock("07:50"), parse_clock("08:30"), headway, exact))
    points = st.tuples(st.integers(-500, 4500), st.integers(-500, 2000))
    counters = draw(st.lists(points, min_size=1, max_size=2))
    origins = draw(st.lists(points, min_size=1, max_size=4))
    options = {"max_walk_m": draw(st.sampled_from([300.0, 800.0, 1500.0])),
               "max_transfer_m": draw(st.sampled_from([None, 0.0, 400.0])),
               "board_slack_s": draw(st.sampled_from([1, 59, 60, 61])),
               "max_minutes": draw(st.sampled_from([20, 60, 120]))}
    return feed, counters, origins, options


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=random_feeds(), date=st.sampled_from(["2024-03-12", "2024-03-11"]),
       window=st.sampled_from([("08:00", "08:15"), ("07:55", "08:05"), ("24:00", "24:10")]))
def test_random_feeds_match_the_brute_force(tmp_path_factory: pytest.TempPathFactory, case, date: str,
                                            window: tuple[str, str]) -> None:
    feed, counters, origins, options = case
    folder = tmp_path_factory.mktemp("feed")
    start, end = parse_clock(window[0]), parse_clock(window[1])
    try:
        table = timetable([feed.write(folder)], date, start_s=start, end_s=end + 7200)
    except Exception as error:  # a feed with no run at these times is refused, and says so
        assert "no GTFS feed runs a vehicle" in str(error)
        return
    check_against_brute_force(table, xy(*counters), xy(*origins), crs="EPSG:27700", window=window, **options)
