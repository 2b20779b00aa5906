"""The [transit] table: every key checked once, a bad value refused in one line that names its key."""

from __future__ import annotations

import datetime as dt

import pytest

from access.core.errors import ArgumentError, StudyError
from access.inputs.transit_spec import (
    DEFAULT_BOARD_SLACK_S,
    DEFAULT_MAX_MINUTES,
    DEFAULT_MAX_WALK_M,
    TransitSpec,
    check_parameters,
    check_window,
    transit_model,
    transit_spec,
)

WHERE = "study.toml: [transit]"


def spec(**table) -> TransitSpec:
    return transit_spec({"feeds": ["buses.zip"], "date": "2014-06-10", **table}, where=WHERE,
                        resolve=lambda value: f"/feeds/{value}")


def test_defaults_are_r5pys_and_the_projects():
    found = spec()
    assert found.feeds == ("/feeds/buses.zip",) and found.feed_names == ("buses.zip",)
    assert found.date == dt.date(2014, 6, 10) and found.window == ("08:00", "09:00") and found.percentile == 50
    assert (found.walk_speed_kmh, found.max_walk_m, found.max_transfer_m, found.max_minutes, found.board_slack_s) == (
        4.8, DEFAULT_MAX_WALK_M, None, DEFAULT_MAX_MINUTES, DEFAULT_BOARD_SLACK_S)
    assert found.describe() == "GTFS: buses.zip, Tue 2014-06-10, 08:00–09:00, median"
    assert transit_model(found.feed_names, found.date, found.window, 90) == (
        "public transport (GTFS: buses.zip, Tue 2014-06-10, 08:00–09:00, 90th percentile)")


def test_every_value_is_taken_as_written():
    found = spec(feeds="rail", date=dt.date(2024, 3, 12), window=["7:30", "25:00"], percentile=90,
                 walk_speed_kmh=4, max_walk_m=500, max_transfer_m=250.5, max_minutes=90, board_slack_s=30,
                 attribution="  © TfL,\n OGL ")
    assert found.feeds == ("/feeds/rail",) and found.window == ("07:30", "25:00") and found.percentile == 90
    assert found.options() == {"date": dt.date(2024, 3, 12), "window": ("07:30", "25:00"), "percentiles": (90,),
                               "walk_speed_kmh": 4.0, "max_walk_m": 500.0, "max_transfer_m": 250.5,
                               "max_minutes": 90.0, "board_slack_s": 30}
    assert found.attribution == "© TfL, OGL"
    assert transit_spec(found, where=WHERE, resolve=str) == found  # a spec checks again as written


@pytest.mark.parametrize(("table", "message"), [
    ({"feeds": ["a.zip"]}, "is missing the required key 'date'"),
    ({"date": "2014-06-10"}, "is missing the required key 'feeds'"),
    ({"feeds": [], "date": "2014-06-10"}, "feeds must list GTFS feeds"),
    ({"feeds": ["a.zip", "a.zip"], "date": "2014-06-10"}, "feeds names a feed twice"),
    ({"feeds": [3], "date": "2014-06-10"}, "feeds must list GTFS feeds"),
    ({"feeds": ["a.zip"], "date": "10/06/2014"}, "date must be a service date such as"),
    ({"feeds": ["a.zip"], "date": dt.datetime(2014, 6, 10, 8)}, "date must be a date"),
    ({"feeds": ["a.zip"], "date": "2014-06-10", "window": "08:00"}, "window must be two times of day"),
    ({"feeds": ["a.zip"], "date": "2014-06-10", "window": ["09:00", "08:00"]}, "must end at least a minute"),
    ({"feeds": ["a.zip"], "date": "2014-06-10", "window": ["08:00", "8am"]}, "window must be two times of day"),
    ({"feeds": ["a.zip"], "date": "2014-06-10", "window": ["00:00", "30:00"]}, "at most a day after"),
    ({"feeds": ["a.zip"], "date": "2014-06-10", "percentile": 0}, "percentile must be a whole number from 1"),
    ({"feeds": ["a.zip"], "date": "2014-06-10", "percentile": 50.5}, "percentile must be a whole number"),
    ({"feeds": ["a.zip"], "date": "2014-06-10", "percentile": [50, 90]}, "percentile is one whole number"),
    ({"feeds": ["a.zip"], "date": "2014-06-10", "walk_speed_kmh": 0}, "walk_speed_kmh must be a number of km/h"),
    ({"feeds": ["a.zip"], "date": "2014-06-10", "max_walk_m": "far"}, "max_walk_m must be a number of metres"),
    ({"feeds": ["a.zip"], "date": "2014-06-10", "max_transfer_m": 9000}, "max_transfer_m must be a number of me"),
    ({"feeds": ["a.zip"], "date": "2014-06-10", "max_minutes": True}, "max_minutes must be a number of minutes"),
    ({"feeds": ["a.zip"], "date": "2014-06-10", "board_slack_s": 1.5}, "board_slack_s must be a whole number"),
    ({"feeds": ["a.zip"], "date": "2014-06-10", "attribution": 5}, "attribution must be text"),
    ({"feeds": ["a.zip"], "date": "2014-06-10", "percentiles": [50]}, "unknown key 'percentiles'"),
    ({"feeds": ["a.zip"], "date": "2014-06-10", "attribution": "a\x07b"}, "control character"),
])
def test_a_bad_value_is_one_line_naming_its_key(table, message):
    with pytest.raises(StudyError, match=message) as caught:
        transit_spec(table, where=WHERE, resolve=str)
    assert str(caught.value).startswith(f"{WHERE} ") and "\n" not in str(caught.value)


def test_the_router_uses_the_same_rule():
    assert check_parameters(percentiles=(90, 50, 90), walk_speed_kmh=4.8, max_walk_m=0, max_transfer_m=None,
                            max_minutes=1440, board_slack_s=1) == (50, 90)
    with pytest.raises(ArgumentError, match="^percentiles must be whole numbers from 1 to 100"):
        check_parameters(percentiles=(101,), walk_speed_kmh=4.8, max_walk_m=0, max_transfer_m=None,
                         max_minutes=60, board_slack_s=1)
    assert check_window(("23:30", "24:30")) == ("23:30", "24:30")
