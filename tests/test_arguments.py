"""The one rule for names typed by a person: exact, then without regard to case or dash, then by alias."""

import pytest

from access.core.arguments import choose, folded
from access.core.errors import ArgumentError, ScenarioError

BOROUGHS = ["Barking and Dagenham", "Havering", "Redbridge", "Waltham Forest"]


@pytest.mark.parametrize("typed, meant", [("Havering", "Havering"), ("havering", "Havering"),
                                          ("WALTHAM  forest", "Waltham Forest"), ("barking and dagenham",
                                                                                   "Barking and Dagenham")])
def test_names_match_without_regard_to_case_or_spacing(typed, meant):
    assert choose(typed, BOROUGHS, "borough") == meant


def test_an_alias_names_its_choice_with_any_dash():
    labels = {"2013–17": "2013_2017", "2018–25": "2018_2025"}
    for typed in ("2018–25", "2018-25", "2018—25"):
        assert choose(typed, ["2013_2017", "2018_2025"], "period", aliases=labels) == "2018_2025"


def test_a_near_miss_names_the_closest_and_the_error_class_is_the_callers():
    with pytest.raises(ScenarioError, match=r"unknown borough 'Havring'; did you mean 'Havering'\?"):
        choose("Havring", BOROUGHS, "borough", error=ScenarioError)
    with pytest.raises(ArgumentError, match=r"unknown mode 'boat' \(choose from walk, cycle, drive\)"):
        choose("boat", ["walk", "cycle", "drive"], "mode")


def test_a_name_that_fits_two_choices_is_refused():
    with pytest.raises(ArgumentError, match="could be any of"):
        choose("ilford", ["Ilford", "ILFORD"], "counter")


def test_folded():
    assert folded(" Forest–Gate ") == "forest-gate"
