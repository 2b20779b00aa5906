import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from access.core.errors import ArgumentError, DataError, HoursError, StudyError
from access.inputs.config import frames_config
from access.inputs.frames import places_from_frames


@pytest.fixture(scope="module")
def frames(redbridge):
    """Redbridge's own places, as a user would hand them over: plain GeoDataFrames in WGS84."""
    places = redbridge.places
    residents = places.residents[["origin", "population", "geometry"]].to_crs("EPSG:4326")
    facilities = places.counters.drop(columns=["lon", "lat"]).to_crs("EPSG:4326")
    return residents, facilities, places.boundary.to_crs("EPSG:4326"), places.wards.to_crs("EPSG:4326")


def _config(boundary, **kwargs):
    return frames_config("mine", boundary=boundary, before="2013_2017", after="2018_2025", **kwargs)


def test_points_keep_their_ids_population_and_place(frames, redbridge):
    residents, facilities, boundary, wards = frames
    places = places_from_frames(_config(boundary, crs="EPSG:27700"), residents=residents, facilities=facilities,
                                boundary=boundary, wards=wards, ward_name="ward_name", origin_id="origin")
    assert places.residents["origin"].tolist() == redbridge.places.residents["origin"].tolist()
    np.testing.assert_array_equal(places.residents["population"], redbridge.places.residents["population"])
    np.testing.assert_allclose(places.origin_xy, redbridge.places.origin_xy, atol=1e-6)
    np.testing.assert_allclose(places.counter_xy, redbridge.places.counter_xy, atol=1e-6)
    assert places.area_kind == "ward" and len(places.lsoas) == 22
    # every resident is in the ward the study file's postcodes give it
    assert (places.residents["ward_name"] == redbridge.places.residents["ward_name"]).mean() > 0.99


def test_polygons_become_points_inside_them_and_the_areas_of_the_maps(redbridge):
    lsoas = redbridge.places.lsoas[["lsoa11", "lsoa11_name", "residents_2011", "geometry"]]
    config = _config(redbridge.places.boundary)
    places = places_from_frames(config, residents=lsoas, facilities=redbridge.places.counters,
                                boundary=redbridge.places.boundary, population="residents_2011", origin_id="lsoa11")
    assert math.isclose(places.residents["population"].sum(), lsoas["residents_2011"].sum())
    inside = places.residents.geometry.values.within(lsoas.geometry.values)
    assert inside.all() and len(places.lsoas) == len(lsoas)


def test_without_areas_residents_are_grouped_by_a_grid(frames):
    residents, facilities, boundary, _ = frames
    places = places_from_frames(_config(boundary), residents=residents, facilities=facilities, boundary=boundary)
    assert places.area_kind == "1 km square"
    grouped = places.residents.groupby("lsoa11")["population"].sum()
    assert math.isclose(grouped.sum(), residents["population"].sum())
    assert set(grouped.index) <= set(places.lsoas["lsoa11"])


@pytest.mark.parametrize("change, error, message", [
    (lambda r, f: (r.drop(columns="population"), f), DataError, "no column 'population'"),
    (lambda r, f: (r.set_crs(None, allow_override=True), f), DataError, "has no CRS"),
    (lambda r, f: (r.iloc[0:0], f), DataError, "is empty"),
    (lambda r, f: (pd.DataFrame(r), f), ArgumentError, "must be a GeoDataFrame"),
    (lambda r, f: (r.assign(population=-1.0), f), DataError, "population"),
    (lambda r, f: (r, f.drop(columns="2018_2025")), DataError, "2018_2025"),
    (lambda r, f: (r, f.assign(**{"2018_2025": "sometimes"})), HoursError, "sometimes"),
    (lambda r, f: (r, f.assign(id="same")), DataError, "more than once"),
    (lambda r, f: (r.assign(population=0.0), f), DataError, "is 0 everywhere"),
    (lambda r, f: (r, f.set_geometry(f.geometry.buffer(0.001))), DataError, "facilities must be points.*Polygon"),
    (lambda r, f: (r, f.set_geometry(f.geometry.map(lambda p: Point(p.x, 91.0)))), DataError,
     "91 is not a latitude"),
])
def test_bad_frames_are_one_clear_error(frames, change, error, message):
    residents, facilities, boundary, _ = frames
    residents, facilities = change(residents, facilities)
    with pytest.raises(error, match=message):
        places_from_frames(_config(boundary), residents=residents, facilities=facilities, boundary=boundary)


def test_facilities_far_away_are_refused(frames):
    residents, facilities, boundary, _ = frames
    far = facilities.copy()
    far.loc[far.index[0], "geometry"] = Point(-2.59, 51.45)  # Bristol
    with pytest.raises(DataError, match="ilford"):
        places_from_frames(_config(boundary), residents=residents, facilities=far, boundary=boundary)


def test_a_boundary_in_degrees_gets_a_metric_crs(frames):
    _, _, boundary, _ = frames
    assert _config(boundary).crs == "EPSG:32631"  # UTM zone 31N: Redbridge lies east of 0°
    assert _config(boundary.to_crs("EPSG:27700")).crs == "EPSG:27700"
    assert isinstance(boundary, gpd.GeoDataFrame)


def test_web_mercator_is_never_measured_in(frames):
    """Asked for, it is refused (it stretches London's distances by 61%); frames in it are measured in UTM."""
    residents, facilities, boundary, _ = frames
    with pytest.raises(StudyError, match="stretches distances.*by 61"):
        _config(boundary, crs="EPSG:3857")
    mercator = [frame.to_crs("EPSG:3857") for frame in (residents, facilities, boundary)]
    config = _config(mercator[2], residents=mercator[0], facilities=mercator[1])
    assert config.crs == "EPSG:32631" and config.output_crs == "EPSG:3857"


def test_the_first_frame_in_metres_is_measured_in(frames):
    residents, facilities, boundary, _ = frames
    config = _config(boundary, residents=residents.to_crs("EPSG:27700"), facilities=facilities)
    assert config.crs == "EPSG:27700" and config.output_crs == "EPSG:27700"
    assert _config(boundary, residents=residents).output_crs == "EPSG:4326"


def test_modes_given_as_an_empty_list_are_refused(frames):
    _, _, boundary, _ = frames
    with pytest.raises(ArgumentError, match=r"modes=\[\] names nothing"):
        _config(boundary, modes=[])
