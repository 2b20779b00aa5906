"""Isochrone geometry (access/routing/isochrones.py): node times on the real City network, discs for the estimate."""

import numpy as np
import shapely

from access.core.modes import WALK_M_PER_MIN
from access.routing.isochrones import areas_within, disc_isochrones, node_minutes


def _xy(frame):
    return np.column_stack([frame.geometry.x, frame.geometry.y])


def test_network_node_minutes_agree_with_the_routed_origin_times(city_walk_result):
    times, places = city_walk_result.times["walk"], city_walk_result.study.places
    network = times.network
    assert network is not None, "the City study routes on the real OSM extract"
    after = city_walk_result.config.after
    open_rows = np.flatnonzero(city_walk_result.available[after].to_numpy())
    counter_xy = _xy(places.counters)[open_rows]
    nodes, snap = network.snap(counter_xy[:, 0], counter_xy[:, 1])
    node_min, which = node_minutes(network, nodes, snap / WALK_M_PER_MIN, limit_min=120)
    origin_node, origin_snap = network.snap(*_xy(city_walk_result.origins).T)
    expected = city_walk_result.origins[f"walk_{after}_min"].to_numpy()
    kept = ~times.excluded  # origins more than 1 km from the network have no time
    assert kept.any() and np.isnan(expected[~kept]).all()
    np.testing.assert_allclose((node_min[origin_node] + origin_snap / WALK_M_PER_MIN)[kept], expected[kept],
                               rtol=1e-9)
    assert (which[np.isfinite(node_min)] >= 0).all()



def test_discs_have_the_radius_of_the_estimate():
    [area] = disc_isochrones(np.array([[0.0, 0.0]]), 80.0, (15,))
    assert area.area == shapely.Point(0, 0).buffer(1200, quad_segs=16).area
    assert all(shape.is_empty for shape in areas_within(None, np.empty((0, 2)), (15, 30)))
