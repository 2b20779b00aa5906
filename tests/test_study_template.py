import shutil
import tomllib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from access.core import settings
from access.core.errors import ArgumentError, StudyError
from access.inputs.config import load_config
from access.inputs.counter_sources import counter_source
from access.inputs.places import WGS84, borough_outline
from access.inputs.study_template import TEMPLATE_COLUMNS, new_study


def _within(boroughs, reach_m):
    """Return the london-met counters within reach_m of the boroughs, recomputed from the mirror table."""
    outline = borough_outline(boroughs, crs="EPSG:27700", where="test").geometry.iloc[0]
    table = counter_source("london-met")
    points = gpd.GeoSeries(gpd.points_from_xy(table["lon"], table["lat"]), crs=WGS84).to_crs("EPSG:27700")
    return set(table["id"][points.distance(outline).to_numpy() <= reach_m])


def test_a_new_study_lists_the_counters_within_reach_and_loads(tmp_path):
    config = new_study("havering", boroughs=["Havering"], folder=tmp_path / "my")
    toml = tmp_path / "my" / "havering.toml"
    table = pd.read_csv(tmp_path / "my" / "havering-counters.csv", dtype=str)
    assert config.source == toml and config.boroughs == ("Havering",)
    assert tuple(table.columns) == TEMPLATE_COLUMNS
    assert set(table["id"]) == _within(["Havering"], 3000) and "romford" in set(table["id"])
    assert table["id"].iloc[0] == "romford"  # the borough's own counter first (distance 0)
    raw = tomllib.loads(toml.read_text())
    assert raw["counters"]["table"] == "havering-counters.csv"  # beside the TOML, so the folder can move
    assert config.labels == {"mid_2017": "Mid-2017", "after_2017": "After the 2017 strategy", "c2024": "c.2024"}
    assert load_config(toml) == config
    for word in ("adapter", "london-met", "access.counter_sources", "README"):  # the description reaches the report
        assert word not in config.description and word not in toml.read_text(), word


def test_reach_decides_which_counters_are_listed(tmp_path):
    near = new_study("near", boroughs="Havering", folder=tmp_path, reach_m=0)
    far = new_study("far", boroughs="Havering", folder=tmp_path, reach_m=8000)
    ids = {name: set(pd.read_csv(tmp_path / f"{name}-counters.csv")["id"]) for name in ("near", "far")}
    assert ids["near"] == _within(["Havering"], 0) == {"romford"}
    assert ids["far"] == _within(["Havering"], 8000) and ids["near"] < ids["far"]
    assert near.counter_max_m == far.counter_max_m == 10_000  # the guard against a mistyped place


def test_counters_in_the_project_data_folder_are_named_relative_to_the_toml(tmp_path, monkeypatch):
    data = tmp_path / "data"
    (data / "studies").mkdir(parents=True)
    for name in ("sources.toml", "detour_factors.toml"):  # a project data folder of one's own
        shutil.copy(settings.project_data_dir() / name, data / name)
    monkeypatch.setenv("ACCESS_PROJECT_DATA", str(data))
    new_study("newham", boroughs=["Newham"], folder=data / "studies", counters=data / "counters" / "newham.csv")
    raw = tomllib.loads((data / "studies" / "newham.toml").read_text())
    assert raw["counters"]["table"] == "../counters/newham.csv"


def test_nothing_is_overwritten_and_a_failed_check_leaves_nothing(tmp_path):
    new_study("havering", boroughs=["Havering"], folder=tmp_path)
    before = {p: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(StudyError, match="already exists"):
        new_study("havering", boroughs=["Newham"], folder=tmp_path)
    assert {p: p.read_bytes() for p in tmp_path.iterdir()} == before
    with pytest.raises(StudyError, match="unknown borough 'Haverin'; did you mean 'Havering'"):
        new_study("typo", boroughs=["Haverin"], folder=tmp_path / "new" / "deeper")
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("kwargs, error, message", [
    ({"name": "../up", "boroughs": ["Havering"]}, StudyError, "not a plain name"),
    ({"name": "ok", "boroughs": []}, ArgumentError, "at least one London borough"),
    ({"name": "ok", "boroughs": ["Havering"], "reach_m": -1}, ArgumentError, "reach_m"),
    ({"name": "ok", "boroughs": ["Havering"], "counters": "counters.txt"}, StudyError, "must be a .csv"),
])
def test_bad_arguments_are_one_clear_error(tmp_path, kwargs, error, message):
    name = kwargs.pop("name")
    with pytest.raises(error, match=message):
        new_study(name, folder=tmp_path, **kwargs)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def synthetic_vale(publisher_files, tmp_path, monkeypatch):
    """Fetch the SYNTHETIC local authority (tests/publishers.py) from a loopback server into a data folder."""
    import warnings

    from access.inputs.datasets import fetch

    from publishers import PublisherServer

    monkeypatch.setenv("ACCESS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ACCESS_DOWNLOAD_RETRIES", "0")
    with PublisherServer(publisher_files["codepoint_open"].parent) as server:
        monkeypatch.setenv("ACCESS_DOWNLOAD_BASE_URL", server.url)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fetch(local_authorities=["E06999901"])
    table = tmp_path / "counters.csv"  # SYNTHETIC counters at the moved Ilford and Barkingside stations
    table.write_text("id,name,postcode,before,after,later\n"
                     "ilford,SYNTHETIC Ilford,ZZ1 1GT,24/7,24/7,Mo-Fr 10:00-22:00\n"
                     "barkingside,SYNTHETIC Barkingside,ZZ6 1QB,Mo-Fr 07:00-23:00,off,off\n", encoding="utf-8")
    return table


def test_a_study_of_a_local_authority_outside_london(synthetic_vale, tmp_path):
    from access.inputs.places import Places

    config = new_study("vale", local_authority="synthetic vale", table=synthetic_vale, folder=tmp_path / "my")
    assert config.local_authority == "SYNTHETIC Vale" and config.boroughs == ("SYNTHETIC Vale",)
    assert (config.before, config.after, config.extra_periods) == ("before", "after", ("later",))
    assert config.counters_table == synthetic_vale  # the user's table, named where it is
    assert "2011 Census (KS101EW)" in config.attribution
    places = Places.from_config(config)
    assert places.residents["population"].sum() == pytest.approx(278_970)  # Redbridge's 2011 Census, moved
    assert set(places.lsoas["borough"]) == {"SYNTHETIC Vale"} and len(places.lsoas) == 161
    ilford = places.counters.set_index("id").loc["ilford"]
    assert 53.4 < ilford["lat"] < 53.6 and -2.3 < ilford["lon"] < -2.0  # placed by its postcode, near Manchester
    assert not (tmp_path / "my" / "vale-counters.csv").exists()


def test_a_local_authority_needs_its_data_and_a_table(synthetic_vale, tmp_path):
    with pytest.raises(ArgumentError, match="needs your own counters table"):
        new_study("vale", local_authority="SYNTHETIC Vale", folder=tmp_path)
    from access.core.errors import MirrorFileMissing

    with pytest.raises(MirrorFileMissing, match="'Manchester' has no data.*access data fetch --local-authority "):
        new_study("man", local_authority="Manchester", table=synthetic_vale, folder=tmp_path / "man")
    assert not (tmp_path / "man" / "man.toml").exists()
    one = tmp_path / "one.csv"
    one.write_text("id,name,postcode,hours\nilford,Ilford,ZZ1 1GT,24/7\n", encoding="utf-8")
    with pytest.raises(StudyError, match="has 1 column\\(s\\) of hours \\(hours\\); a study compares two periods"):
        new_study("vale", local_authority="SYNTHETIC Vale", table=one, folder=tmp_path)
    both = tmp_path / "both.toml"
    counters = settings.project_data_dir() / "counters" / "redbridge-2017.csv"
    both.write_text(load_config("redbridge-2017").source.read_text(encoding="utf-8")
                    .replace('boroughs = ["Redbridge"]', 'boroughs = ["Redbridge"]\nlocal_authority = "Manchester"')
                    .replace('"../counters/redbridge-2017.csv"', f'"{counters}"'), encoding="utf-8")
    with pytest.raises(StudyError, match="has both boroughs and local_authority"):
        load_config(both)


def test_the_optional_tables_listed_in_a_new_study_load_when_uncommented(tmp_path):
    """The commented [transit], [drive] and [walk] a new study lists are valid as written, once uncommented."""
    from tests.cairns_study import CAIRNS

    new_study("havering", boroughs=["Havering"], folder=tmp_path)
    toml = tmp_path / "havering.toml"
    text = toml.read_text()
    commented = [line for line in text.splitlines() if line.startswith(("# [transit]", "# [drive]", "# [walk]"))]
    assert len(commented) == 3, text
    opened = "\n".join(line[2:] if line.startswith("# ") and ("=" in line or line.startswith("# [")) else line
                       for line in text.splitlines() if not line.startswith("# What if"))
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "buses.zip").write_bytes(CAIRNS.read_bytes())
    toml.write_text(opened.replace("date = 2024-03-12", "date = 2014-06-10") + "\n")
    config = load_config(toml)
    assert "transit" in config.modes
    assert [Path(feed) for feed in config.transit.feeds] == [tmp_path / "feeds" / "buses.zip"]
    assert config.drive.park_min == 3.0 and config.walk.older is True
