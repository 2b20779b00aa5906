"""Derivations on the publishers' own formats: the derived rows equal the mirror's, for the same postcodes and LSOAs.

The raw files are made by tests/publishers.py from a sample of the mirror's real rows (its local
authority outside London is SYNTHETIC: Redbridge's rows, moved and renamed).
"""

import zipfile

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from access.core.errors import DataError
from access.inputs import derivations
from access.inputs.derivations import write_table

from publishers import SHIFT, SYNTHETIC_CODE, SYNTHETIC_NAME, sample_postcodes


def _lines(path, keys):
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join([lines[0], *(line for line in lines[1:] if line.split(",")[0] in keys)]) + "\n"


def test_postcodes_equal_the_mirror_byte_for_byte(publisher_files, mirror, tmp_path):
    table = derivations.london_postcodes(publisher_files["codepoint_open"], publisher_files["ons_postcode_lookup"])
    expected = sample_postcodes(mirror)
    assert len(table) == len(expected) > 1000
    assert table["lsoa11"].isna().sum() == (expected["lsoa11"] == "").sum() > 0  # newer than the May 2022 lookup
    assert not table["postcode"].str.startswith("Z").any()  # the SYNTHETIC authority's rows are not London's
    write_table(table, tmp_path / "postcodes.csv")
    mirror_file = mirror / "postcodes" / "london_postcodes_cpo2025.csv"
    assert (tmp_path / "postcodes.csv").read_text() == _lines(mirror_file, set(expected["postcode"]))


def test_a_terminated_lookup_row_gives_no_lsoa(publisher_files):
    """The lookup has a terminated row for one of the newer postcodes: only live rows count."""
    with zipfile.ZipFile(publisher_files["ons_postcode_lookup"]) as archive:
        raw = pd.read_csv(archive.open("PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.csv"), dtype=str, keep_default_na=False,
                          encoding="latin-1")
    terminated = raw[raw["doterm"] != ""]
    assert len(terminated) == 1 and terminated["lsoa11cd"].iloc[0]
    table = derivations.london_postcodes(publisher_files["codepoint_open"], publisher_files["ons_postcode_lookup"])
    row = table[table["postcode"] == terminated["pcds"].iloc[0]]
    assert len(row) == 1 and row["lsoa11"].isna().all() and row["large_user"].isna().all()


def test_census_equals_the_mirror_byte_for_byte(publisher_files, mirror, tmp_path):
    table = derivations.lsoa_atlas_census(publisher_files["lsoa_atlas"])
    assert list(table.columns) == list(derivations.CENSUS_COLUMNS) and len(table) == 40
    write_table(table, tmp_path / "census.csv")
    mirror_file = mirror / "population" / "london_lsoa2011_census.csv"
    assert (tmp_path / "census.csv").read_text() == _lines(mirror_file, set(table["lsoa11"]))


def test_the_atlas_header_may_be_one_line(publisher_files, tmp_path):
    names, rows = derivations.read_lsoa_atlas(publisher_files["lsoa_atlas"])
    one = tmp_path / "one-line.csv"
    pd.DataFrame(rows.to_numpy(), columns=names).to_csv(one, index=False)
    pd.testing.assert_frame_equal(derivations.lsoa_atlas_census(one),
                                  derivations.lsoa_atlas_census(publisher_files["lsoa_atlas"]))


def test_an_atlas_without_a_column_is_refused(publisher_files, tmp_path):
    text = publisher_files["lsoa_atlas"].read_bytes().decode("latin-1").replace("Average Score", "Mean Score")
    broken = tmp_path / "lsoa-data.csv"
    broken.write_bytes(text.encode("latin-1"))
    with pytest.raises(DataError, match="ptal_2014_avg_score.*layout has changed"):
        derivations.lsoa_atlas_census(broken)


def test_lsoa_polygons_equal_the_mirror(publisher_files, mirror):
    table = derivations.london_lsoa_polygons(publisher_files["lsoa2011_bsc"])
    expected = gpd.read_file(mirror / "geography" / "london_lsoa2011_bsc.geojson")
    expected = expected[expected["lsoa11"].isin(table["lsoa11"])].reset_index(drop=True)
    assert len(table) == 40 and list(table.columns) == ["lsoa11", "lsoa11_name", "geometry"]
    pd.testing.assert_frame_equal(pd.DataFrame(table.drop(columns="geometry")),
                                  pd.DataFrame(expected.drop(columns="geometry")))
    assert all(a.equals_exact(b, 0) for a, b in zip(table.geometry, expected.geometry, strict=True))


def test_boroughs_equal_the_mirror_from_a_british_national_grid_shapefile(publisher_files, mirror):
    table = derivations.london_boroughs(publisher_files["london_gis_boundaries"])
    expected = gpd.read_file(mirror / "boundaries" / "london_boroughs.geojson")
    assert list(table["BOROUGH"]) == list(expected["BOROUGH"]) and list(table.columns) == ["BOROUGH", "geometry"]
    # the fixture went WGS84 → BNG → WGS84: within 1e-7 degrees (1 cm)
    assert max(shapely.hausdorff_distance(a, b) for a, b in zip(table.geometry, expected.geometry,
                                                               strict=True)) < 1e-7


def test_wards_equal_the_mirror_file_byte_for_byte(publisher_files, mirror, tmp_path):
    table = derivations.redbridge_wards(publisher_files["wards_dec2019"], publisher_files["london_gis_boundaries"])
    assert len(table) == 22  # the two SYNTHETIC wards far away are left out
    write_table(table, tmp_path / "wards.geojson", layer="redbridge_wards_2019_bgc")
    assert (tmp_path / "wards.geojson").read_bytes() == \
        (mirror / "boundaries" / "redbridge_wards_2019.geojson").read_bytes()


def test_a_local_authority_outside_london(publisher_files, mirror):
    raw = {name: publisher_files[name] for name in
           ("lad_dec2024", "codepoint_open", "ons_postcode_lookup", "lsoa2011_bsc", "census2011_ks101ew")}
    tables = derivations.local_authority_tables(SYNTHETIC_CODE, **raw)
    boundary, postcodes = tables["boundary.geojson"], tables["postcodes.csv"]
    assert list(boundary["name"]) == [SYNTHETIC_NAME]
    # Redbridge's real rows, moved: the same postcodes (renamed), coordinates and LSOAs
    real = pd.read_csv(mirror / "postcodes" / "london_postcodes_cpo2025.csv")
    polygons = gpd.read_file(mirror / "geography" / "london_lsoa2011_bsc.geojson")
    redbridge = set(polygons["lsoa11"][polygons["lsoa11_name"].str.startswith("Redbridge ")])
    real = real[real["lsoa11"].isin(redbridge) | (real["lsoa11"].isna() & (real["lad_code"] == "E09000026"))]
    assert len(postcodes) == len(real)
    assert sorted(postcodes["easting"] - SHIFT[0]) == sorted(real["easting"])
    assert set(postcodes["lsoa11"].dropna().str[4:]) == {code[4:] for code in redbridge}
    census = pd.read_csv(mirror / "population" / "london_lsoa2011_census.csv")
    assert tables["lsoa_census.csv"]["residents_2011"].sum() == census[census["lsoa11"].isin(redbridge)][
        "residents_2011"].sum() == 278_970  # Redbridge's 2011 Census total
    assert len(tables["lsoa_polygons.geojson"]) == len(redbridge) == 161
    with pytest.raises(DataError, match="E08000003.*is not in"):
        derivations.local_authority_tables("E08000003", **raw)


def test_not_the_publishers_format(tmp_path, publisher_files):
    wrong = tmp_path / "codepo_gb.zip"
    with zipfile.ZipFile(wrong, "w") as archive:
        archive.writestr("Data/CSV/ig.csv", '"IG1 1GT",10,544000,186000\n')
    with pytest.raises(DataError, match="4 columns, not the 10"):
        derivations.read_codepoint(wrong, districts=lambda code: code == code)
    wrong.write_bytes(b"not a zip")
    with pytest.raises(DataError, match="not a readable zip"):
        derivations.read_codepoint(wrong, districts=lambda code: code == code)
    lookup = tmp_path / "lookup.csv"
    lookup.write_text("pcds,lsoa11cd\nIG1 1GT,E01003600\n", encoding="latin-1")
    with pytest.raises(DataError, match="lacks column.*doterm, usertype, oa11cd"):
        derivations.read_postcode_lookup(lookup)


def test_ward_names_from_the_ons_lookup(publisher_files, mirror):
    """The lookup as ONS publishes it (a byte-order mark, Welsh columns): every ward's name, by its code."""
    table = derivations.ward_names(publisher_files["ward_lad_lookup_dec2024"])
    assert list(table.columns) == ["ward_code", "ward_name", "lad_code", "lad_name"]
    wards = gpd.read_file(mirror / "boundaries" / "redbridge_wards_2019.geojson")
    redbridge = table[table["lad_code"] == "E09000026"]
    assert dict(zip(redbridge["ward_code"], redbridge["ward_name"], strict=True)) == \
        dict(zip(wards["wd19cd"], wards["wd19nm"], strict=True))
    assert (table["lad_name"] == "Redbridge").sum() == 22 and table["ward_code"].is_monotonic_increasing


def test_a_file_that_is_not_the_ward_lookup_is_refused(tmp_path):
    path = tmp_path / "WD24_LAD24_UK_LU.csv"
    path.write_text("code,name\nE05011234,Aldborough\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"WD24_LAD24_UK_LU.csv: no WDyyCD column in the ward lookup"):
        derivations.ward_names(path)
