from pathlib import Path

import pytest

from access.core.errors import StudyError
from access.inputs.config import list_studies, load_config


def test_shipped_studies_load():
    assert {"redbridge-2017", "city-of-london"} <= set(list_studies())
    config = load_config("redbridge-2017")
    assert (config.before, config.after) == ("2013_2017", "2018_2025")
    assert config.periods == ("2013_2017", "2018_2025", "until_2013", "from_2026")
    assert config.modes == ("walk", "cycle", "drive")
    assert config.boroughs == ("Redbridge",) and config.buffer_m == 3000


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = load_config("redbridge-2017").source.read_text()
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
    ('table = "counters/redbridge-2017.csv"', 'table = "counters/none.csv"', "'counters/none.csv' not found"),
    ('[periods]', '[periods\n', "not valid TOML"),
    ('after = "2018_2025"\n', '', "missing the required key 'after'"),
    ('calibration = "city-of-london"', 'calibration = "suburbia"',
     "calibration 'suburbia' is not in data/detour_factors.toml; choose from city-of-london, helsinki"),
])
def test_bad_study_gives_one_clear_error(tmp_path, old, new, message):
    with pytest.raises(StudyError, match=message):
        load_config(_variant(tmp_path, old, new))


def test_london_studies_cover_every_borough_with_mirror_counters():
    from access.inputs.config import LONDON_BOROUGHS

    for name, after, extra in (("london-2017", "after_2017", ()), ("london-2024", "c2024", ("after_2017",))):
        config = load_config(name)
        assert config.boroughs == LONDON_BOROUGHS and len(set(config.boroughs)) == 33
        assert config.counters_source == "london-met" and config.counters_table is None
        assert (config.before, config.after, config.extra_periods) == ("mid_2017", after, extra)
        assert config.wards_source is None


@pytest.mark.parametrize(("old", "new", "message"), [
    ('boroughs = ["Redbridge"]', 'boroughs = "everywhere"', "boroughs = 'everywhere'.*\"all\""),
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


def test_a_study_chooses_its_calibration(tmp_path):
    assert load_config("redbridge-2017").calibration == "city-of-london"
    assert load_config(_variant(tmp_path, 'calibration = "city-of-london"', 'calibration = "helsinki"')).calibration \
        == "helsinki"
    assert load_config("city-of-london").calibration == "city-of-london"  # the default
