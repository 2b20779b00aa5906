"""The one routing entry point (access/routing/router.py): each network loaded once, on real data."""

import numpy as np
import pytest

from access.core.errors import NetworkUnavailable
from access.routing.router import Router
from access.whatif.board import build_board
from access.whatif.scenario import Scenario, parse_opened
from access.whatif.siting import candidate_sites


def test_the_run_scenarios_siting_and_isochrones_share_one_network_per_mode(city):
    """City of London, real extract: everything asks the study's router, which loads the network once."""
    result = city.run(modes=["walk"])
    network = result.times["walk"].network
    assert network is city.network("walk"), "the run's network is the study's"
    board = build_board(city, [Scenario("x", "both_open", open=(parse_opened("New=51.515,-0.095"),))],
                        modes=["walk"])
    assert board.times["walk"].network is network and board.router is city.router()
    candidates = candidate_sites(city, "walk", max_candidates=300)  # two chunks of candidates
    assert candidates.times.network is network and len(candidates.sites) == 300
    assert network.reverse is network.reverse, "the reversed graph is built once per network"
    assert result.isochrones("walk")["model"].eq("street network").all()


def test_no_network_is_remembered_and_the_estimate_says_why():
    router = Router(crs="EPSG:27700", area_wgs84=None, origin_xy=np.array([[530000.0, 180000.0]]), max_snap_m=500,
                    offline=True)
    with pytest.raises(NetworkUnavailable):
        router.network("walk")
    times = router.times("walk", np.array([[530000.0, 181000.0]]))
    assert times.model == "straight-line estimate" and "no OSM file" in times.unavailable
    assert "walk: none" in repr(router)


def test_a_mode_of_imported_times_cannot_be_routed():
    """New counters or sites in an imported mode are refused in one line, never estimated in a straight line."""
    from access.core.errors import ScenarioError

    router = Router(crs="EPSG:27700", area_wgs84=None, origin_xy=np.array([[530000.0, 180000.0]]), max_snap_m=500,
                    offline=True, imported={"transit": "from r5py"})
    with pytest.raises(ScenarioError, match=r"mode 'transit' has imported travel times \(from r5py\)"):
        router.times("transit", np.array([[530500.0, 180000.0]]))
    assert router.times("walk", np.array([[530500.0, 180000.0]])).is_estimate  # the other modes are as they were


def test_transit_walks_on_the_studys_walk_network_and_reads_the_timetable_once(city, tmp_path):
    """Route transit on the City of London's real extract, with a hand-made shuttle across it.

    The walks to, from and between stops are on the walk network (no estimate), the timetable is read once per
    router, and a new counter is one more profile search.
    """
    import dataclasses
    import datetime

    from gtfs_feeds import EVERY_DAY, ORIGIN, Feed

    import access
    from access.inputs.gtfs import parse_clock
    from access.inputs.transit_spec import TransitSpec
    from access.routing.transit import transit_times

    places = city.places
    (bx, by), (sx, sy) = places.counter_xy  # Bishopsgate, then Snow Hill
    network = city.network("walk")
    node = network.snap(np.array([bx]), np.array([by]))[0][0]  # Bishopsgate lies 660 m beyond the extract's edge
    feed = Feed(stops={"east": (network.x[node] - ORIGIN[0], network.y[node] - ORIGIN[1]),
                       "mid": ((bx + sx) / 2 - ORIGIN[0], (by + sy) / 2 - ORIGIN[1]),
                       "west": (sx - ORIGIN[0] + 200, sy - ORIGIN[1])},
                calendar=[("daily", EVERY_DAY, "20240101", "20241231")])
    for k in range(25):  # a fast shuttle every two minutes
        t = parse_clock("07:55") + 120 * k
        feed.add_trip(f"w{k}", "daily", [("east", t, t), ("mid", t + 30, t + 35), ("west", t + 70, t + 70)])
        feed.add_trip(f"e{k}", "daily", [("west", t, t), ("mid", t + 35, t + 40), ("east", t + 70, t + 70)])
    folder = feed.write(tmp_path / "line")
    spec = TransitSpec(feeds=(str(folder),), date=datetime.date(2024, 3, 12),
                       window=("08:00", "08:30"), max_walk_m=900.0)
    study = access.Study(dataclasses.replace(city.config, transit=spec, modes=("walk", "transit")), places=places)
    result = study.run(modes=["walk", "transit"])
    walk, transit = result.times["walk"], result.times["transit"]
    assert walk.model == "street network" and transit.calibration is None and not transit.uses_estimate
    assert transit.model == "public transport (GTFS: line, Tue 2024-03-12, 08:00–08:30, median)"
    direct = transit_times([folder], places.counter_xy, places.origin_xy, crs=city.config.crs, date="2024-03-12",
                           window=("08:00", "08:30"), max_walk_m=900.0, walk_network=walk.network)
    np.testing.assert_array_equal(transit.minutes, direct.minutes(50))
    np.testing.assert_array_equal(transit.excluded, walk.excluded)  # the same rule: more than 1 km from the network
    assert (transit.minutes[:, ~transit.excluded] < walk.minutes[:, ~walk.excluded] - 1).any()  # the line helps
    router = result.router
    assert router.timetable() is router.timetable() and router.priced("walk") is walk.network
    with pytest.raises(NetworkUnavailable, match="runs on timetables"):
        router.network("transit")
    row = router.times("transit", places.counter_xy[:1]).minutes
    np.testing.assert_array_equal(row, transit.minutes[:1])
