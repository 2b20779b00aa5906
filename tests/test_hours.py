import numpy as np
import pytest

from access.core.errors import AccessError, HoursError
from access.inputs.hours import MINUTES_PER_WEEK, Moment, available, parse_hours, parse_moment


def test_words_mean_what_the_docs_say():
    assert parse_hours("off").available is False
    assert parse_hours("open").available and parse_hours("open").assumed
    assert parse_hours("unknown").available and parse_hours("unknown").assumed
    assert parse_hours("24/7").weekly_minutes() == MINUTES_PER_WEEK
    assert not parse_hours("24/7").assumed


def test_weekday_counter_is_closed_at_the_weekend_and_at_night():
    barkingside = parse_hours("Mo-Fr 07:00-23:00")
    assert barkingside.is_open_at(0, 7 * 60)
    assert barkingside.is_open_at(4, 22 * 60 + 59)
    assert not barkingside.is_open_at(4, 23 * 60)
    assert not barkingside.is_open_at(0, 6 * 60 + 59)
    assert not barkingside.is_open_at(5, 12 * 60)
    assert barkingside.weekly_minutes() == 5 * 16 * 60


def test_two_rules_and_day_lists():
    hours = parse_hours("Mo-Fr 10:00-22:00; Sa,Su 09:00-19:00")
    assert hours.weekly_minutes() == (5 * 12 + 2 * 10) * 60
    assert hours.is_open_at(6, 9 * 60) and not hours.is_open_at(6, 19 * 60)


def test_later_rule_replaces_earlier_days_and_overnight_wraps():
    hours = parse_hours("Mo-Su 08:00-20:00; Su off")
    assert not hours.is_open_at(6, 12 * 60)
    assert hours.weekly_minutes() == 6 * 12 * 60
    night = parse_hours("Su 22:00-02:00")
    assert night.is_open_at(6, 23 * 60) and night.is_open_at(0, 60)
    assert int(night.week.sum()) == 4 * 60
    assert np.array_equal(parse_hours("08:00-09:00").week, parse_hours("Mo-Su 08:00-09:00").week)


@pytest.mark.parametrize("text", ["", "sometimes", "Mo-Fr 7-23", "Mo-Xx 07:00-23:00", "Mo-Fr",
                                  "Mo-Fr 25:00-26:00", "Mo 10:00-10:00"])
def test_bad_hours_name_the_string(text):
    with pytest.raises(HoursError) as err:
        parse_hours(text)
    assert isinstance(err.value, AccessError) and isinstance(err.value, ValueError)
    assert repr(text) in str(err.value) or "empty" in str(err.value)


def test_parse_moment_reads_days_and_times():
    assert parse_moment("Sat 23:30") == Moment(5, 23 * 60 + 30)
    assert parse_moment("Sa 23:30") == parse_moment("saturday 23:30")
    assert parse_moment("Mon 0:05").week_minute == 5
    for bad, fragment in (("Sat", "not understood"), ("Caturday 10:00", "'Caturday' is not a day"),
                          ("Sat 24:00", "not a time of day"), ("Sat 12:60", "not a time of day")):
        with pytest.raises(HoursError, match=fragment):
            parse_moment(bad)


def test_available_applies_hours_and_the_generous_rule():
    hours = ["Mo-Fr 07:00-23:00", "off", "open", "unknown", "24/7", "Mo-Su off", ";"]
    assert available(hours).tolist() == [True, False, True, True, True, False, False]
    assert available(hours, parse_moment("Sat 23:30")).tolist() == [False, False, True, True, True, False, False]
    assert available(hours, parse_moment("Tue 22:59")).tolist() == [True, False, True, True, True, False, False]
    assert available(hours, parse_moment("Tue 23:00")).tolist() == [False, False, True, True, True, False, False]
