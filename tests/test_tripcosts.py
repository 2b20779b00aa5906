"""The trip-cost model's numbers (access/core/tripcosts.py): defaults, the traffic of an hour, and study tables."""

import math

import numpy as np
import pytest

from access.core.errors import StudyError
from access.core.tripcosts import (
    DEFAULT_DRIVE,
    ROAD_CLASSES,
    WEEKDAY_TRAFFIC,
    WEEKEND_TRAFFIC,
    DriveCosts,
    drive_costs,
    road_class,
    walk_costs,
)


def test_every_default_is_in_range_and_the_profiles_cover_the_day():
    assert drive_costs({key: getattr(DEFAULT_DRIVE, key) for key in ("start_min", "park_min", "signal_s",
                                                                     "junction_s")}) == DEFAULT_DRIVE
    assert list(DEFAULT_DRIVE.speeds_kmh) == list(ROAD_CLASSES)
    assert np.all(np.diff(DEFAULT_DRIVE.class_speeds()) <= 0)  # the road classes run fastest first
    for profile in (WEEKDAY_TRAFFIC, WEEKEND_TRAFFIC):
        assert len(profile) == 24 and max(profile) == 1.0 and 0.5 <= min(profile) < 1
    assert min(WEEKDAY_TRAFFIC) < min(WEEKEND_TRAFFIC)  # the weekday peaks are the slowest


def test_the_night_is_free_flowing_and_the_evening_peak_slowest():
    costs = DriveCosts()
    night, peak, noon_sunday = (1, 3 * 60), (1, 17 * 60 + 30), (6, 12 * 60)
    assert costs.traffic(None) == costs.traffic(night) == 1.0
    assert costs.traffic(peak) < costs.traffic(noon_sunday) < 1.0
    minutes = np.array([costs.overhead_min, 10.0, np.inf, np.nan])
    at_peak = costs.at(minutes, peak)
    assert at_peak[0] == costs.overhead_min  # starting and parking do not stretch with traffic
    assert at_peak[1] == pytest.approx(costs.overhead_min + (10 - costs.overhead_min) / costs.traffic(peak))
    assert math.isinf(at_peak[2]) and math.isnan(at_peak[3])


def test_slip_roads_join_their_class_and_everything_else_is_minor():
    assert [ROAD_CLASSES[road_class(h)] for h in ("motorway_link", "trunk", "secondary_link", "service", "")] == \
        ["motorway", "trunk", "secondary", "minor", "minor"]


@pytest.mark.parametrize(("table", "message"), [
    ({"park_min": float("nan")}, r"\[drive\]: park_min = nan must be a number from 0 to 30"),
    ({"park_min": float("inf")}, "park_min = inf"),
    ({"start_min": -1}, "start_min = -1 must be"),
    ({"signal_s": "ten"}, "signal_s = 'ten' must be a number"),
    ({"signal_s": True}, "signal_s = True must be a number"),
    ({"parking": 3}, "unknown key 'parking'; choose from"),
    ({"speeds_kmh": {"primary": 0}}, r"speeds_kmh.primary = 0 must be a number from 3 to 130"),
    ({"speeds_kmh": {"a_road": 40}}, "unknown road class 'a_road'; choose from motorway"),
    ({"speeds_kmh": 40}, "speeds_kmh must be a table"),
    ({"weekday": [1.0] * 23}, "weekday must be a list of 24 numbers"),
    ({"weekend": [1.0] * 23 + [0.0]}, r"weekend\[23\] = 0.0 must be a number from 0.1 to 1.5"),
])
def test_a_damaged_drive_table_is_refused_in_one_line_naming_the_key(table, message):
    with pytest.raises(StudyError, match=message) as caught:
        drive_costs(table)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(("table", "message"), [
    ({"older_kmh": 0.5}, "older_kmh = 0.5 must be a number from 1 to 4.8"),
    ({"older_kmh": 6.0}, "older_kmh = 6.0 must be a number from 1 to 4.8"),
    ({"older": "yes"}, "older = 'yes' must be true or false"),
    ({"signal_s": float("nan")}, "signal_s = nan"),
    ({"speed_kmh": 5}, "unknown key 'speed_kmh'"),
])
def test_a_damaged_walk_table_is_refused_in_one_line_naming_the_key(table, message):
    with pytest.raises(StudyError, match=message) as caught:
        walk_costs(table)
    assert "\n" not in str(caught.value)


def test_a_table_changes_only_what_it_names():
    costs = drive_costs({"speeds_kmh": {"primary": 30.0}, "park_min": 6})
    assert costs.speeds_kmh["primary"] == 30.0 and costs.speeds_kmh["trunk"] == DEFAULT_DRIVE.speeds_kmh["trunk"]
    assert costs.overhead_min == DEFAULT_DRIVE.start_min + 6
    assert walk_costs({"older": True, "older_kmh": 2.4}).older_ratio == pytest.approx(2.0)
