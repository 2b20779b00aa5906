import numpy as np
import pytest

from access.analysis.timeofday import period_table, weekly_share
from access.inputs.hours import DEFAULT_MOMENTS, MINUTES_PER_DAY, parse_hours


def test_weekly_share_equals_a_minute_by_minute_count():
    rng = np.random.default_rng(7)
    minutes = rng.uniform(0, 60, size=(3, 40))
    hours = ["Mo-Fr 07:00-23:00", "Sa,Su 09:00-19:00; Mo 22:00-02:00", "off"]
    share = weekly_share(minutes, hours, within_min=30)
    parsed = [parse_hours(h) for h in hours]
    expected = np.zeros(40)
    for minute in range(0, 7 * MINUTES_PER_DAY):
        day, at = divmod(minute, MINUTES_PER_DAY)
        is_open = np.array([h.is_open_at(day, at) for h in parsed])
        expected += ((minutes <= 30) & is_open[:, None]).any(axis=0)
    np.testing.assert_allclose(share, expected / (7 * MINUTES_PER_DAY))


def test_period_table_matches_the_study_when_everything_is_open(redbridge):
    import logging

    logging.disable(logging.WARNING)
    try:
        result = redbridge.run(modes=["walk"], offline=True)
    finally:
        logging.disable(logging.NOTSET)
    counters = redbridge.places.counters
    table = period_table({"walk": result.times["walk"].minutes},
                         {p: list(counters[p]) for p in ("2013_2017", "from_2026")},
                         redbridge.places.residents["population"].to_numpy(), DEFAULT_MOMENTS)
    # Tue 12:00: every counter available in 2013-2017 is open, so the figure is the study's
    row = table.loc[("walk", "2013_2017")]
    assert row["daytime mean_min"] == pytest.approx(result.summary.loc[("2013_2017", "walk"), "mean_min"])
    assert row["daytime open"] == 8 and row["night (Sat) open"] == 6
    night = table.loc[("walk", "from_2026")]
    # at night in 2026 only Stratford, whose hours are 'unknown', counts, and it is flagged as assumed
    assert night["night (Sat) open"] == 1 and night["night (Sat) assumed"] == 1
    assert night["week_within_30"] < row["week_within_30"]


def test_drive_times_follow_the_moment_and_the_week_measures_each_hour_in_its_traffic():
    from access.core.tripcosts import DriveCosts
    from access.inputs.hours import parse_moment

    costs = DriveCosts()
    minutes = np.array([[20.0, 8.0], [40.0, 30.0]])  # counters × origins, free-flowing, overhead included
    moments = {"night": parse_moment("Tu 03:00"), "peak": parse_moment("Tu 17:30")}
    hours = {"p": ["24/7", "24/7"]}
    table = period_table({"drive": minutes}, hours, np.array([1.0, 1.0]), moments, within_min=25.0,
                         drive={"drive": costs})
    plain = period_table({"drive": minutes}, hours, np.array([1.0, 1.0]), moments, within_min=25.0)
    row, still = table.loc[("drive", "p")], plain.loc[("drive", "p")]
    assert row["night mean_min"] == still["night mean_min"] == pytest.approx(14.0)
    peak = costs.overhead_min + (np.array([20.0, 8.0]) - costs.overhead_min) / 0.6
    assert row["peak mean_min"] == pytest.approx(peak.mean()) and still["peak mean_min"] == pytest.approx(14.0)
    assert row["peak within_25"] == 0.5 and still["peak within_25"] == 1.0
    # over the week: the 20-minute origin is within 25 minutes only in the hours that keep 76.2% of the speed
    share = weekly_share(minutes[:, :1], ["24/7", "24/7"], 25.0, costs)
    fast_hours = sum(costs.traffic((day, hour * 60)) >= 16 / 21 for day in range(7) for hour in range(24))
    assert share[0] == pytest.approx(fast_hours / 168) and row["week_within_25"] == pytest.approx((share[0] + 1) / 2)
