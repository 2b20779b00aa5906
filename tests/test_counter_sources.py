import pandas as pd
import pytest

from access.core.errors import StudyError
from access.inputs.counter_sources import (
    FATE_HOURS,
    RULE_AS_RECORDED,
    RULE_FREE_TEXT,
    RULE_OPEN,
    counter_source,
    hours_from_status,
    london_met_counters,
)
from access.inputs.hours import parse_hours


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return london_met_counters()


@pytest.mark.parametrize(("text", "hours", "rule"), [
    ("24/7", "24/7", RULE_AS_RECORDED),
    ("24/7 (probable; 24-hour counter in 2020 and 2025)", "24/7", RULE_AS_RECORDED),
    ("24/7 (cut to daytime c.Sep 2017)", "24/7", RULE_AS_RECORDED),
    ("Mo-Fr 09:00-17:00 (from 2013)", "Mo-Fr 09:00-17:00", RULE_AS_RECORDED),
    ("Tu-Fr 09:00-17:00; Sa 12:00-20:00", "Tu-Fr 09:00-17:00; Sa 12:00-20:00", RULE_AS_RECORDED),
    ("open (hours not known)", "open", RULE_OPEN),
    ("open (c.1 visitor/day, no crime reports)", "open", RULE_OPEN),
    ("daytime", "open", RULE_FREE_TEXT),
    ("40 h/week (from 2013)", "open", RULE_FREE_TEXT),
    ("volunteer-run, limited hours (a 2013 'contact point')", "open", RULE_FREE_TEXT),
    ("part-time (not 24h)", "open", RULE_FREE_TEXT),
    ("off", "open", RULE_FREE_TEXT),  # every 2017 row was a counter: a status never makes it 'off'
])
def test_status_rules(text, hours, rule):
    assert hours_from_status(text) == (hours, rule)


def test_mirror_statuses_all_read_and_counted_available(table, mirror):
    raw = pd.read_csv(mirror / "stations" / "london_front_counters_2017.csv", dtype=str)
    read = table.set_index("id").loc[raw["id"]]
    assert (read["status_2013_2017"].to_numpy() == raw["status_2013_2017"].to_numpy()).all()
    assert all(parse_hours(h).available for h in read["mid_2017"])
    # MOPAC's published count: 33 of the 73 were open 24/7 before the strategy
    assert (read["mid_2017"] == "24/7").sum() == 33
    assert set(read["hours_rule"]) == {RULE_AS_RECORDED, RULE_OPEN, RULE_FREE_TEXT}


def test_period_counts(table, mirror):
    fates = table["fate_2017"].value_counts()
    assert (fates["kept-24/7"], fates["kept-reduced"], fates["closed"], fates["opened"]) == (32, 3, 38, 3)
    assert (table["mid_2017"] != "off").sum() == 73
    after = table[table["after_2017"] != "off"]
    # kept, less Paddington Green (moved to Church Street, PCD 155), plus the three opened
    assert len(after) == 32 + 3 - 1 + 3
    assert (after["after_2017"] == "24/7").sum() == 32
    moved = table[table["moved_to"] != ""]
    assert moved[["id", "moved_to", "after_2017"]].values.tolist() == [["paddington-green", "church-street", "off"]]
    assert set(after.loc[after["fate_2017"] == "opened", "id"]) == {
        "barking-learning-centre", "church-street", "royalty-studios"}
    assert table.loc[table["fate_2017"] == "closed", "after_2017"].eq("off").all()
    listed = pd.read_csv(mirror / "stations" / "met_front_counters_c2024.csv", dtype=str)
    c2024 = table[table["c2024"] == "open"]
    assert len(c2024) == len(listed) == 35
    assert set(c2024["postcode"]) == set(listed["postcode"])
    # matched by postcode; only Hammersmith (where Shepherd's Bush moved in 2020) is a new row
    assert table["id"].is_unique and len(table) == 73 + 3 + 1
    assert table.set_index("id").loc["hammersmith", ["mid_2017", "after_2017", "c2024"]].tolist() == [
        "off", "off", "open"]
    assert table.set_index("id").loc["hammersmith-shepherds-bush", "c2024"] == "off"


def test_fate_rules_are_complete():
    assert FATE_HOURS == {"kept-24/7": "24/7", "kept-reduced": "open", "closed": "off"}


def test_unknown_source():
    with pytest.raises(StudyError, match="unknown counter source 'nowhere'.*london-met"):
        counter_source("nowhere")
