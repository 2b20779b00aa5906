from pathlib import Path

import pytest

import access
from access.core.errors import StudyError
from access.inputs.config import list_studies, load_config


def test_shipped_studies_load():
    assert {"redbridge-2017", "city-of-london"} <= set(list_studies())
    config = load_config("redbridge-2017")
    assert (config.before, config.after) == ("2013_2017", "2018_2025")
    assert config.periods == ("2013_2017", "2018_2025", "until_2013", "from_2026")
    assert config.modes == ("walk", "cycle", "drive")
    assert config.boroughs == ("Redbridge",) and config.buffer_m == 3000


COUNTERS = 'table = "counters/redbridge-2017.csv"'


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    """Write the Redbridge study with ``old`` replaced by ``new``, in ``tmp_path``, its counter table beside it."""
    config = load_config("redbridge-2017")
    text = config.source.read_text().replace('table = "../counters/redbridge-2017.csv"', COUNTERS)
    (tmp_path / "counters").mkdir(exist_ok=True)
    (tmp_path / "counters" / "redbridge-2017.csv").write_bytes(config.counters_table.read_bytes())
    assert old in text
    path = tmp_path / "variant.toml"
    path.write_text(text.replace(old, new))
    return path


def test_unknown_study_lists_known_ones():
    with pytest.raises(StudyError, match="unknown study 'nowhere'.*redbridge-2017"):
        load_config("nowhere")


@pytest.mark.parametrize(("old", "new", "message"), [
    ('buffer_m = 3000', 'bufer_m = 3000', "unknown key 'bufer_m' in \\[area\\]"),
    ('buffer_m = 3000', 'buffer_m = "far"', "'buffer_m' has value 'far'"),
    ('use = ["walk", "cycle", "drive"]', 'use = ["walk", "hover"]', "unknown mode 'hover'"),
    ('before = "2013_2017"', 'before = "2018_2025"', "names a period twice"),
    ('table = "counters/redbridge-2017.csv"', 'table = "counters/none.csv"', "'counters/none.csv' is not a file"),
    ('table = "counters/redbridge-2017.csv"', 'table = "../../../etc/passwd"', "leads outside the study's folder"),
    ('table = "counters/redbridge-2017.csv"', 'table = "/etc/passwd"', "is not a .csv file"),
    ('name = "redbridge-2017"', 'name = "../../x"', "name '../../x' is not a plain name"),
    ('name = "redbridge-2017"', 'name = ""', "name '' is not a plain name"),
    ('name = "redbridge-2017"', 'name = "/tmp/x"', "is not a plain name"),
    ('crs = "EPSG:27700"', 'crs = "EPSG:4326"', "not a projected CRS in metres"),
    ('crs = "EPSG:27700"', 'crs = "garbage"', "not a coordinate reference system"),
    ('crs = "EPSG:27700"', 'crs = "EPSG:2272"', "not a projected CRS in metres.*US survey foot"),
    ('buffer_m = 3000', 'buffer_m = nan', "buffer_m = nan must be a number from 0 to 50000"),
    ('buffer_m = 3000', 'buffer_m = inf', "buffer_m = inf"),
    ('buffer_m = 3000', 'buffer_m = 3000\ncounter_max_m = nan', "counter_max_m = nan"),
    ('max_snap_m = 500', 'max_snap_m = nan', "max_snap_m = nan"),
    ('max_snap_m = 500', 'max_snap_m = -1', "max_snap_m = -1.0"),
    ('before = "2013_2017"', 'before = "change"', "period 'change' has the name of a column"),
    ('before = "2013_2017"', 'before = "lat"', "period 'lat' has the name of a column"),
    ('before = "2013_2017"', 'before = "2013/2017"', "period '2013/2017' is not a plain name"),
    ('wards = "redbridge_wards"', 'wards = "postcodes"', "wards = 'postcodes' is not a ward-boundary file"),
    ('boroughs = ["Redbridge"]', 'boroughs = ["Atlantis"]', "unknown borough 'Atlantis'"),
    ('title = "Redbridge', 'title = "\\u001b[31mRedbridge', "control character"),
    ('[scenarios.gants-hill]', '[scenarios."../up"]', "scenario name '../up' is not a plain name"),
    ('hours = { barkingside = "Mo-Fr 07:00-23:00" }', 'hours = { barkingside = "Mo-Fr 07:00-25:00" }',
     "hours of 'barkingside'"),
    ('lat = 51.5765, lon = 0.0661', 'lat = nan, lon = 0.0661', "lat nan, lon 0.0661 is not a place"),
    ('[periods]', '[periods\n', "not valid TOML"),
    ('after = "2018_2025"\n', '', "missing the required key 'after'"),
    ('calibration = "london"', 'calibration = "suburbia"',
     "calibration 'suburbia' is not in data/detour_factors.toml; choose from city-of-london, helsinki, london"),
])
def test_bad_study_gives_one_clear_error(tmp_path, old, new, message):
    with pytest.raises(StudyError, match=message):
        load_config(_variant(tmp_path, old, new))


def test_paths_are_relative_to_the_study_file_and_outside_files_are_named(tmp_path):
    config = load_config(_variant(tmp_path, "buffer_m = 3000", "buffer_m = 2000"))
    assert config.counters_table == tmp_path / "counters" / "redbridge-2017.csv" and not config.outside_files
    elsewhere = tmp_path / "elsewhere"
    (tmp_path / "study").mkdir()
    elsewhere.mkdir()
    (elsewhere / "c.csv").write_bytes(config.counters_table.read_bytes())
    text = _variant(tmp_path, COUNTERS, f'table = "{elsewhere / "c.csv"}"').read_text()
    (tmp_path / "study" / "s.toml").write_text(text)
    config = load_config(tmp_path / "study" / "s.toml")
    assert config.outside_files == (("counter table", elsewhere / "c.csv"),), "absolute paths elsewhere are named"
    with pytest.raises(StudyError, match="leads outside"):
        load_config(_variant(tmp_path, COUNTERS, 'table = "../elsewhere/c.csv"'))


def test_study_files_that_are_not_text_or_not_a_study(tmp_path):
    bad = tmp_path / "latin1.toml"
    bad.write_bytes('title = "Caf\xe9"'.encode("latin-1"))
    with pytest.raises(StudyError, match="not UTF-8"):
        load_config(bad)
    with pytest.raises(access.ArgumentError, match="not 123"):
        load_config(123)
    with pytest.raises(access.ArgumentError, match="not None"):
        load_config(None)
    assert issubclass(access.ArgumentError, TypeError)


def test_a_single_mode_is_a_list_of_one(tmp_path):
    config = load_config(_variant(tmp_path, 'use = ["walk", "cycle", "drive"]', 'use = "walk"'))
    assert config.modes == ("walk",)


def test_london_studies_cover_every_borough_with_mirror_counters():
    from access.inputs.config import LONDON_BOROUGHS

    for name, after, extra in (("london-2017", "after_2017", ()), ("london-2024", "c2024", ("after_2017",))):
        config = load_config(name)
        assert config.boroughs == LONDON_BOROUGHS and len(set(config.boroughs)) == 33
        assert config.counters_source == "london-met" and config.counters_table is None
        assert (config.before, config.after, config.extra_periods) == ("mid_2017", after, extra)
        assert config.wards_source is None


@pytest.mark.parametrize(("old", "new", "message"), [
    ('boroughs = ["Redbridge"]', 'boroughs = "everywhere"', "unknown borough 'everywhere'.*\"all\""),
    ('table = "counters/redbridge-2017.csv"', 'source = "nowhere"', "source 'nowhere' is unknown.*london-met"),
    ('table = "counters/redbridge-2017.csv"', 'table = "counters/redbridge-2017.csv"\nsource = "london-met"',
     "exactly one of 'table'"),
    ('table = "counters/redbridge-2017.csv"', '', "exactly one of 'table'"),
])
def test_bad_borough_or_counter_source(tmp_path, old, new, message):
    with pytest.raises(StudyError, match=message):
        load_config(_variant(tmp_path, old, new))


def test_boroughs_all(tmp_path):
    config = load_config(_variant(tmp_path, 'boroughs = ["Redbridge"]', 'boroughs = "all"'))
    assert len(config.boroughs) == 33 and "City of London" in config.boroughs


def test_scenarios_are_read_and_checked(tmp_path):
    config = load_config("redbridge-2017")
    named = {spec.name: spec for spec in config.scenarios}
    assert set(named) == {"barkingside-not-ilford", "gants-hill", "reduced-hours-saturday-night"}
    assert named["barkingside-not-ilford"].close == ("ilford",)
    assert named["gants-hill"].open[0].lat == 51.5765 and named["gants-hill"].open[0].hours == "24/7"
    assert named["reduced-hours-saturday-night"].at == "Sat 23:30"
    old = '[scenarios.gants-hill]\n'
    for extra, message in (
        ('color = "red"\n', r"unknown key 'color' in \[scenarios.gants-hill\]"),
        ('at = "Caturday 10:00"\n', r"\[scenarios.gants-hill\] at: .*'Caturday' is not a day"),
    ):
        with pytest.raises(StudyError, match=message):
            load_config(_variant(tmp_path, old, old + extra))
    with pytest.raises(StudyError, match=r"base '2030' is not a period"):
        load_config(_variant(tmp_path, 'base = "from_2026"', 'base = "2030"'))
    with pytest.raises(StudyError, match="needs either lat and lon, or a postcode"):
        load_config(_variant(tmp_path, 'lat = 51.5765, lon = 0.0661', 'lat = 51.5765, postcode = "IG2 6AA"'))
    with pytest.raises(StudyError, match="needs either lat and lon, or a postcode"):
        load_config(_variant(tmp_path, 'lat = 51.5765, lon = 0.0661', 'lat = 51.5765'))


def test_every_shipped_study_labels_every_period():
    for name in list_studies():
        config = load_config(name)
        assert set(config.labels) == set(config.periods), name
        assert all(label != period for period, label in config.labels.items()), f"{name}: a period shows its id"
    config = load_config("redbridge-2017")
    assert config.label("2013_2017") == "2013–17: Ilford 24/7, Barkingside weekdays"
    assert config.before == "2013_2017", "the ids stay the keys"


def test_a_period_without_a_label_shows_its_id(tmp_path):
    config = load_config(_variant(tmp_path, 'from_2026 = "From March 2026: reduced hours, Chingford and Barking '
                                             'closed"\n', ""))
    assert config.label("from_2026") == "from_2026"
    assert config.label("2013_2017") == "2013–17: Ilford 24/7, Barkingside weekdays"


@pytest.mark.parametrize(("old", "new", "message"), [
    ('2013_2017 = "2013–17', '2013_2016 = "2013–17', r"\[periods.labels\] names '2013_2016', which is not a period"),
    ('2013_2017 = "2013–17: Ilford 24/7, Barkingside weekdays"', '2013_2017 = "  "', "give a non-empty string"),
    ('2013_2017 = "2013–17: Ilford 24/7, Barkingside weekdays"', '2013_2017 = 2013', "'labels' has value|give a"),
    ('2013_2017 = "2013–17: Ilford 24/7, Barkingside weekdays"',
     '2013_2017 = "2018–25: Ilford 24/7, Barkingside closed"', "for two periods"),
    ('[periods.labels]', '[periods.label]', r"unknown key 'label' in \[periods\]"),
])
def test_bad_period_labels(tmp_path, old, new, message):
    with pytest.raises(StudyError, match=message):
        load_config(_variant(tmp_path, old, new))
def test_a_study_chooses_its_calibration(tmp_path):
    assert load_config("redbridge-2017").calibration == "london"
    assert load_config(_variant(tmp_path, 'calibration = "london"', 'calibration = "helsinki"')).calibration \
        == "helsinki"
    assert load_config("city-of-london").calibration == "city-of-london"
    assert load_config("newham-2017").calibration == "london"  # the default


def test_names_in_a_study_and_period_labels_match_without_regard_to_case(tmp_path):
    source = load_config("redbridge-2017").source
    text = source.read_text().replace('boroughs = ["Redbridge"]', 'boroughs = ["redbridge"]')
    variant = tmp_path / "variant.toml"
    variant.write_text(text.replace('table = "../counters/', f'table = "{source.parent.parent}/counters/'))
    config = load_config(variant)
    assert config.boroughs == ("Redbridge",)
    for typed in ("2018_2025", "2018-25", "2018–25", "2018–25: Ilford 24/7, Barkingside closed", "2018_2025".upper()):
        assert config.period_id(typed) == "2018_2025", typed
    with pytest.raises(StudyError, match=r"unknown period '2018-2025'; did you mean"):
        config.period_id("2018-2025")


def test_a_study_sets_its_drive_and_walk_models_and_a_damaged_table_is_refused(tmp_path):
    assert load_config("redbridge-2017").drive.overhead_min == 4.0  # the defaults
    path = _variant(tmp_path, "[modes]", '[drive]\npark_min = 6\nspeeds_kmh = { minor = 20 }\n\n'
                                         '[walk]\nolder = true\n\n[modes]')
    config = load_config(path)
    assert config.drive.park_min == 6 and config.drive.speeds_kmh["minor"] == 20 and config.walk.older
    for bad, message in (("park_min = nan", r"variant.toml: \[drive\]: park_min = nan must be a number from 0 to 30"),
                         ("park_min = 6\nhover = 1", r"\[drive\]: unknown key 'hover'"),
                         ("speeds_kmh = { primary = -5 }", r"\[drive\]: speeds_kmh.primary = -5 must be")):
        with pytest.raises(StudyError, match=message) as caught:
            load_config(_variant(tmp_path, "[modes]", f"[drive]\n{bad}\n\n[modes]"))
        assert "\n" not in str(caught.value)
