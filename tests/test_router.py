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
