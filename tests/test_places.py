import math
from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from access.core.errors import DataError
from access.inputs.config import load_config
from access.inputs.places import load_boundary, load_counters, load_lsoas, load_residents


def test_redbridge_residents_reconcile_with_the_census(redbridge, mirror):
    residents = redbridge.places.residents
    census = pd.read_csv(mirror / "population" / "london_lsoa2011_census.csv")
    assert math.isclose(residents["population"].sum(), 278_970, abs_tol=1e-6)
    # each LSOA's residents are exactly its census count
    per_lsoa = residents.groupby("lsoa11")["population"].sum()
    expected = census.set_index("lsoa11")["residents_2011"].reindex(per_lsoa.index)
    assert (per_lsoa - expected).abs().max() < 1e-6
    assert len(per_lsoa) == 161


def test_every_live_postcode_is_an_origin_and_only_ordinary_ones_weigh(redbridge, mirror):
    postcodes = pd.read_csv(mirror / "postcodes" / "london_postcodes_cpo2025.csv")
    in_borough = set(postcodes.loc[postcodes["lad_code"] == "E09000026", "postcode"])
    residents = redbridge.places.residents
    assert in_borough <= set(residents["origin"])
    large = set(postcodes.loc[postcodes["large_user"] == 1, "postcode"])
    assert (residents.loc[residents["origin"].isin(large), "population"] == 0).all()
    assert residents["origin"].is_unique
    assert residents["ward_name"].nunique() == 22


def test_city_residents_and_lsoa_points(city):
    residents = city.places.residents
    assert math.isclose(residents["population"].sum(), 7_375, abs_tol=1e-6)


def test_lsoa_without_ordinary_postcode_uses_its_representative_point(city, mirror):
    # The real postcode table, with one City LSOA's ordinary postcodes made large users.
    postcodes = pd.read_csv(mirror / "postcodes" / "london_postcodes_cpo2025.csv")
    postcodes.loc[postcodes["lsoa11"] == "E01000001", "large_user"] = 1.0
    places = city.places
    residents = load_residents(city.config, places.lsoas, places.wards, postcodes)
    point = residents[residents["kind"] == "lsoa-point"]
    assert list(point["origin"]) == ["LSOA:E01000001"]
    lsoa = places.lsoas.set_index("lsoa11").loc["E01000001"]
    assert point["population"].iloc[0] == lsoa["residents_2011"]
    assert lsoa.geometry.contains(point.geometry.iloc[0])
    assert math.isclose(residents["population"].sum(), 7_375, abs_tol=1e-6)


def test_counters_are_located_and_checked(redbridge, tmp_path):
    counters = redbridge.places.counters
    assert list(counters["id"])[:2] == ["ilford", "barkingside"]
    assert counters.crs.to_epsg() == 27700
    # swapped coordinates put a counter far outside London: refused, by name
    config = load_config("redbridge-2017")
    boundary = load_boundary(config).geometry.iloc[0]
    table = pd.read_csv(config.counters_table, dtype=str)
    table.loc[0, ["lon", "lat"]] = table.loc[0, ["lat", "lon"]].to_numpy()
    bad = tmp_path / "swapped.csv"
    table.to_csv(bad, index=False)
    with pytest.raises(DataError, match="ilford.*swapped"):
        load_counters(replace(config, counters_table=bad), boundary)


def test_lsoas_have_census_columns(redbridge):
    lsoas = load_lsoas(redbridge.config)
    assert {"lsoa11", "residents_2011", "households_2011"} <= set(lsoas.columns)
    assert lsoas["residents_2011"].sum() == 278_970


def test_london_residents_reconcile_with_the_census(london_2017, mirror):
    places = london_2017.places
    residents = places.residents
    assert math.isclose(residents["population"].sum(), 8_173_941, abs_tol=1e-4)
    assert len(places.lsoas) == 4_835 and places.lsoas["residents_2011"].sum() == 8_173_941
    postcodes = pd.read_csv(mirror / "postcodes" / "london_postcodes_cpo2025.csv", usecols=["postcode"])
    assert set(postcodes["postcode"]) <= set(residents["origin"])
    # every origin has a borough, and each borough's residents are its LSOAs' census count
    assert residents["borough"].notna().all() and residents["borough"].nunique() == 33
    census = places.lsoas.groupby("borough")["residents_2011"].sum()
    assert (residents.groupby("borough")["population"].sum() - census).abs().max() < 1e-6
    assert census["Redbridge"] == 278_970
    assert len(places.counters) == 77 and places.counters.crs.to_epsg() == 27700


def test_redbridge_origins_are_in_redbridge(redbridge):
    assert set(redbridge.places.residents["borough"]) == {"Redbridge"}


# --------------------------------------------------------------------------- population is conserved


@st.composite
def lsoas_and_postcodes(draw):
    """Random LSOAs (census residents, square polygons in the City) and postcodes: ordinary, large users, newer."""
    n = draw(st.integers(1, 6))
    residents = draw(st.lists(st.integers(1, 3000), min_size=n, max_size=n))
    codes = [f"E0190000{i}" for i in range(n)]
    lsoas = gpd.GeoDataFrame(
        {"lsoa11": codes, "residents_2011": residents, "borough": "City of London"},
        geometry=[box(530_000 + 400 * i, 181_000, 530_400 + 400 * i, 181_400) for i in range(n)], crs="EPSG:27700")
    rows = []
    for i, code in enumerate(codes):
        for k in range(draw(st.integers(0, 5))):
            rows.append({"postcode": f"EC{i} {k}AA", "lsoa11": code, "lad_code": "E09000001",
                         "large_user": float(draw(st.booleans())), "ward_code": "W1",
                         "lon": -0.1 + 0.001 * i, "lat": 51.515 + 0.0001 * k})
    for k in range(draw(st.integers(0, 3))):  # newer than the lookup: an origin, with no weight
        rows.append({"postcode": f"EC9 {k}ZZ", "lsoa11": None, "lad_code": "E09000001", "large_user": 0.0,
                     "ward_code": "W1", "lon": -0.09, "lat": 51.516})
    rows.append({"postcode": "E1 1AA", "lsoa11": "E01999999", "lad_code": "E09000030", "large_user": 0.0,
                 "ward_code": "W9", "lon": -0.05, "lat": 51.52})  # another borough: not an origin
    order = draw(st.permutations(range(len(rows))))
    return lsoas, pd.DataFrame([rows[i] for i in order])


@settings(max_examples=40, deadline=None)
@given(lsoas_and_postcodes())
def test_population_is_conserved_from_lsoas_to_postcodes(city, case):
    lsoas, postcodes = case
    residents = load_residents(city.config, lsoas, None, postcodes)
    census = lsoas.set_index("lsoa11")["residents_2011"]
    assert math.isclose(residents["population"].sum(), census.sum(), rel_tol=1e-12)
    per_lsoa = residents.groupby("lsoa11")["population"].sum()
    np.testing.assert_allclose(per_lsoa.reindex(census.index), census, rtol=1e-12)
    assert residents["population"].dtype == float and (residents["population"] >= 0).all()
    # large users and newer postcodes weigh nothing; an LSOA with no ordinary postcode has one point
    weightless = postcodes.loc[(postcodes["large_user"] == 1) | postcodes["lsoa11"].isna(), "postcode"]
    assert (residents.loc[residents["origin"].isin(weightless), "population"] == 0).all()
    ordinary = postcodes[(postcodes["large_user"] == 0) & postcodes["lsoa11"].notna()]
    points = residents[residents["kind"] == "lsoa-point"]
    assert set(points["lsoa11"]) == set(census.index) - set(ordinary["lsoa11"])
    assert "E1 1AA" not in set(residents["origin"])
    # the order of the postcode table does not matter
    again = load_residents(city.config, lsoas, None, postcodes.iloc[::-1].reset_index(drop=True))
    pd.testing.assert_frame_equal(residents.drop(columns="geometry"), again.drop(columns="geometry"))


def test_without_a_ward_file_wards_take_their_names_from_the_ons_lookup(tmp_path, monkeypatch, publisher_files):
    """Redbridge without its ward file: codes alone, until `access data fetch ward_names` brings the names."""
    import warnings

    import access
    from access.core.errors import AccessWarning
    from access.inputs import datasets
    from access.outputs.report_page import report_html

    from publishers import PublisherServer

    base = load_config("redbridge-2017")
    text = base.source.read_text(encoding="utf-8").replace('wards = "redbridge_wards"\n', "")
    text = text.replace('"../counters/redbridge-2017.csv"', f'"{base.counters_table}"')
    (tmp_path / "plain.toml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("ACCESS_DATA_DIR", str(tmp_path / "data"))

    coded = access.load_study(tmp_path / "plain.toml")
    assert not coded.places.ward_names_known and coded.places.wards is None
    assert coded.places.residents["ward_name"].str.fullmatch(r"E05\d{6}").all(), "codes, without the lookup"
    page = report_html(coded.run(modes=["walk"], offline=True))
    assert "Wards are shown by their ONS codes" in page and "access data fetch ward_names" in page

    with PublisherServer(publisher_files["codepoint_open"].parent) as server:
        monkeypatch.setenv("ACCESS_DOWNLOAD_BASE_URL", server.url)
        with warnings.catch_warnings():
            warnings.simplefilter("error", AccessWarning)  # no project copy to differ from: no warning
            written = datasets.fetch(["ward_names"])
    assert [f.name for f in written] == ["ward_names"] and written[0].matches_project is None

    named = access.load_study(tmp_path / "plain.toml")
    assert named.places.ward_names_known and named.places.ward_names_source == "ward_names"
    wards = gpd.read_file(publisher_files["wards_dec2019"])
    expected = dict(zip(wards["wd19cd"], wards["wd19nm"], strict=True))
    residents = named.places.residents
    assert (residents["ward_name"] == residents["ward_code"].map(expected)).all()
    result = named.run(modes=["walk"], offline=True)
    assert "ward" in result.breakdowns.index.get_level_values("dimension")
    page = report_html(result)
    assert "Wards are shown by their ONS codes" not in page
    ward_table = page.split("<h3>Ward</h3>", 1)[1].split("<h3>", 1)[0]
    assert "<td>Fairlop</td>" in ward_table and "<td>Aldborough</td>" in ward_table
    assert "Every ward of the UK (December 2024)" in page, "the report names the lookup among its sources"


def test_a_longitude_beyond_90_degrees_is_not_tried_as_a_latitude(redbridge, tmp_path):
    """The swap check skips a longitude that no latitude can be (Cairns, 145.8°E): no warning, the plain refusal."""
    import warnings

    config = load_config("redbridge-2017")
    boundary = load_boundary(config).geometry.iloc[0]
    table = pd.read_csv(config.counters_table, dtype=str)
    table.loc[0, ["lon", "lat"]] = ["145.7781", "-16.9186"]
    far = tmp_path / "cairns.csv"
    table.to_csv(far, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pyproj's "invalid value" for a latitude of 145.8 was one
        with pytest.raises(DataError, match="ilford") as caught:
            load_counters(replace(config, counters_table=far), boundary)
    assert "look swapped" not in str(caught.value) and "lie more than" in str(caught.value)
