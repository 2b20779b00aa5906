"""Scenarios (access/whatif/scenario.py): what they say, and hypothetical counters from text."""

import pytest

from access.core.errors import ScenarioError
from access.inputs.postcodes import lookup_postcode
from access.whatif.scenario import Scenario, parse_opened, study_scenarios


def test_postcodes_and_bad_values():
    lon, lat = lookup_postcode("ig2 6aa")
    assert (lon, lat) == pytest.approx((0.082414, 51.572901))
    assert parse_opened("Gants Hill=IG2 6AA").located_by == "postcode IG2 6AA"
    with pytest.raises(ScenarioError, match="'ZZ9 9ZZ'"):
        parse_opened("Nowhere=ZZ9 9ZZ")
    with pytest.raises(ScenarioError, match="lat 151.0"):
        parse_opened("Far=151,0.06")
    with pytest.raises(ScenarioError, match="neither LAT,LON nor a postcode"):
        parse_opened("Odd=somewhere")
    with pytest.raises(ScenarioError, match="NAME=LAT,LON"):
        parse_opened("no equals sign")


def test_study_scenarios_and_what_they_change(redbridge):
    named = study_scenarios(redbridge)
    assert set(named) == {"barkingside-not-ilford", "gants-hill", "reduced-hours-saturday-night"}
    assert named["reduced-hours-saturday-night"].label == "reduced-hours-saturday-night @ Sat 23:30"
    gants = parse_opened("Gants Hill=51.5765,0.0661@Mo 09:00-17:00")
    what = Scenario("x", "2018_2025", close=("ilford",), open=(gants,))
    assert what.explain() == ("from 2018_2025; close ilford; open Gants Hill (51.57650, 0.06610; lat/lon; "
                              "Mo 09:00-17:00)")
