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
