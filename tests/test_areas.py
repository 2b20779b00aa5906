"""A run's isochrones and catchments (access/analysis/areas.py): on the real City network and Redbridge's estimate."""

import numpy as np
import pytest
import shapely

import access
from access.outputs.notes import isochrone_note
from access.routing.isochrones import ISOCHRONE_MIN, SIMPLIFY_M


@pytest.fixture(scope="module")
def city_result(city_walk_result):
    return city_walk_result


def _inside(points, polygon, tolerance_m):
    return shapely.contains_xy(polygon.buffer(tolerance_m), points[:, 0], points[:, 1])


def _xy(origins):
    return np.column_stack([origins.geometry.x, origins.geometry.y])


def test_straight_line_isochrones_are_discs_holding_exactly_the_near_residents(redbridge_result):
    iso = redbridge_result.isochrones("walk")
    assert len(iso) == 2 * len(ISOCHRONE_MIN) and set(iso["model"]) == {"straight-line estimate"}
    origins = redbridge_result.origins
    boundary = redbridge_result.study.places.boundary.geometry.iloc[0]
    xy = _xy(origins)
    in_borough = shapely.contains_xy(boundary.buffer(-30), xy[:, 0], xy[:, 1])
    for row in iso.itertuples():
        minutes = origins[f"walk_{row.period}_min"].to_numpy()
        near = in_borough & (minutes <= row.minutes - 0.5)
        far = in_borough & (minutes > row.minutes + 0.5)
        assert near.any() and far.any()
        assert _inside(xy[near], row.geometry, 1).all(), (row.period, row.minutes)
        assert not _inside(xy[far], row.geometry, -1).any(), (row.period, row.minutes)
    assert "discs" in isochrone_note(redbridge_result.times["walk"])


def test_closing_a_counter_only_shrinks_the_areas_and_they_nest(redbridge_result):
    iso = redbridge_result.isochrones("walk").set_index(["role", "minutes"])
    for minutes in ISOCHRONE_MIN:
        before, after = iso.loc[("before", minutes), "geometry"], iso.loc[("after", minutes), "geometry"]
        assert after.area < before.area
        assert after.buffer(25).contains(after.intersection(before))  # after ⊂ before, up to simplification
        assert before.buffer(25).covers(after)
    for role in ("before", "after"):
        areas = [iso.loc[(role, m), "area_km2"] for m in ISOCHRONE_MIN]
        assert areas == sorted(areas)


def test_network_isochrones_follow_the_streets(city_result):
    iso = city_result.isochrones("walk")
    assert set(iso["model"]) == {"street network"}
    origins, boundary = city_result.origins, city_result.study.places.boundary.geometry.iloc[0]
    times = city_result.times["walk"]
    xy = _xy(origins)
    inside_city = shapely.contains_xy(boundary, xy[:, 0], xy[:, 1])
    for row in iso.itertuples():
        minutes = origins[f"walk_{row.period}_min"].to_numpy()
        close = inside_city & (times.origin_snap_m < 30) & (minutes <= row.minutes - 0.5)
        if close.any():
            assert _inside(xy[close], row.geometry, 1).mean() > 0.99, (row.period, row.minutes)
        assert row.geometry.difference(boundary.buffer(SIMPLIFY_M + 1)).area < 1, "clipped to the study area"
    # Closing Snow Hill leaves Bishopsgate, whose 15-minute walk covers much less of the City.
    small = iso.set_index(["role", "minutes"])["area_km2"]
    assert small[("after", 15)] < 0.5 * small[("before", 15)]
    assert "Street network" in isochrone_note(city_result.times["walk"])


@pytest.mark.parametrize("which", ["redbridge", "city"])
def test_catchments_hold_everyone_once(which, redbridge_result, city_result):
    result = redbridge_result if which == "redbridge" else city_result
    table = result.catchments("walk")
    boundary = result.study.places.boundary.geometry.iloc[0]
    origins = result.origins
    xy = _xy(origins)
    for period in (result.config.before, result.config.after):
        rows = table[table["period"] == period]
        # origins more than 1 km from the network have no counter, so no catchment
        routed = origins[f"walk_{period}_counter"].notna()
        assert rows["residents"].sum() == pytest.approx(origins.loc[routed, "population"].sum())
        expected = origins.groupby(f"walk_{period}_counter")["population"].sum()
        assert rows.set_index("counter")["residents"].to_dict() == pytest.approx(expected.to_dict())
        union = shapely.union_all(rows.geometry.to_numpy())
        if routed.all():
            assert union.area == pytest.approx(boundary.area, rel=0.01)
        else:
            assert union.area < 0.99 * boundary.area
        assert sum(g.area for g in rows.geometry) == pytest.approx(union.area, rel=0.01), "no overlaps"
        inside = shapely.contains_xy(boundary.buffer(-30), xy[:, 0], xy[:, 1])
        for row in rows.itertuples():
            members = inside & (origins[f"walk_{period}_counter"] == row.counter).to_numpy()
            assert _inside(xy[members], row.geometry, 25).mean() > 0.99, (period, row.counter)
    if which == "redbridge":
        after = table[table["role"] == "after"]
        assert "barkingside" not in set(after["counter"]) and "barkingside" in set(table["counter"])


def test_unknown_mode_is_refused(redbridge_result, city_result):
    with pytest.raises(access.StudyError, match="'cycle' was not run"):
        city_result.isochrones("cycle")
    with pytest.raises(access.StudyError, match="'cycle' was not run"):
        city_result.catchments("cycle")
