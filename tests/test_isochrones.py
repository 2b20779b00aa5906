"""Isochrone geometry (access/routing/isochrones.py): node times on the real City network, discs for the estimate."""

import numpy as np
import pytest
import shapely

from access.core.modes import WALK_M_PER_MIN
from access.routing.isochrones import (
    LARGE_AREA_VERTICES,
    areas_within,
    disc_isochrones,
    network_isochrones,
    node_minutes,
    simplify_area,
)


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
    [area] = disc_isochrones(np.array([[0.0, 0.0]]), [1200.0])
    assert area.area == shapely.Point(0, 0).buffer(1200, quad_segs=16).area
    assert all(shape.is_empty for shape in areas_within(None, np.empty((0, 2)), (15, 30)))


def test_big_networks_draw_the_same_areas_on_a_raster(city_walk_network):
    """The raster union (used above 50,000 street pieces) against the exact union, on the City's streets."""
    network = city_walk_network
    nodes, _ = network.snap(np.array([531_500.0, 532_600.0]), np.array([181_200.0, 181_500.0]))
    node_min, _ = node_minutes(network, nodes, np.zeros(2), limit_min=60)
    exact = network_isochrones(network, node_min, (5, 10))
    raster = network_isochrones(network, node_min, (5, 10), raster_above=0)
    for a, b in zip(exact, raster, strict=True):
        assert shapely.is_valid(b) and b.area == pytest.approx(a.area, rel=0.02)
        assert shapely.symmetric_difference(a, b).area < 0.05 * a.area  # the edge moves by a few metres


def test_large_areas_are_simplified_as_a_coverage():
    holes = [shapely.Point(x, y).buffer(20, quad_segs=16).exterior for x in range(100, 19_900, 200)
             for y in range(100, 1_900, 200)]
    area = shapely.Polygon(shapely.Point(10_000, 1_000).buffer(30_000, quad_segs=256).exterior, holes)
    assert shapely.get_num_coordinates(area) > LARGE_AREA_VERTICES
    simple = simplify_area(area)
    assert shapely.is_valid(simple) and shapely.get_num_coordinates(simple) < shapely.get_num_coordinates(area) / 3
    assert simple.area == pytest.approx(area.area, rel=1e-3)
