import numpy as np
import pandas as pd
import pytest

from access.core.errors import DataError
from access.inputs.travel_tables import TRAVEL_TABLE_COLUMNS, check_travel_table, read_travel_table


def test_a_table_exported_by_a_run_reads_back_the_same(redbridge, tmp_path):
    table = redbridge.run(modes=["walk"], offline=True).travel_times("walk")
    assert tuple(table.columns) == TRAVEL_TABLE_COLUMNS
    table.to_csv(tmp_path / "walk.csv", index=False)
    back = read_travel_table(tmp_path / "walk.csv")
    assert back[["from_id", "to_id"]].equals(table[["from_id", "to_id"]].astype(str))
    np.testing.assert_allclose(back["travel_time"], table["travel_time"], rtol=1e-15)


def test_an_empty_time_is_unreachable_and_ids_are_text():
    table = check_travel_table(pd.DataFrame({"from_id": [1, " IG1 1GT "], "to_id": ["a", "a"],
                                             "travel_time": ["", "4.5"]}), "t")
    assert table["from_id"].tolist() == ["1", "IG1 1GT"]
    assert np.isnan(table["travel_time"].iloc[0]) and table["travel_time"].iloc[1] == 4.5


@pytest.mark.parametrize("table, message", [
    ({"from_id": ["a"], "to_id": ["x"]}, "lacks column"),
    ({"from_id": ["a"], "to_id": ["x"], "travel_time": [-1.0]}, "'-1.0'"),
    ({"from_id": ["a"], "to_id": ["x"], "travel_time": [np.inf]}, "'inf'"),
    ({"from_id": ["a", "a"], "to_id": ["x", "x"], "travel_time": [1.0, 2.0]}, "more than once"),
    ({"from_id": [None], "to_id": ["x"], "travel_time": [1.0]}, "row 1 has no from_id"),
    ({"from_id": ["a"], "to_id": [" "], "travel_time": [1.0]}, "row 1 has no to_id"),
])
def test_a_bad_table_is_one_clear_error(table, message):
    with pytest.raises(DataError, match=message):
        check_travel_table(pd.DataFrame(table), "t")


def test_a_file_that_is_not_a_table_is_one_clear_error(tmp_path):
    (tmp_path / "x.csv").write_bytes(b"\xff\xfe\x00 not text")
    with pytest.raises(DataError, match="cannot be read"):
        read_travel_table(tmp_path / "x.csv")
    with pytest.raises(DataError, match="cannot be read"):
        read_travel_table(tmp_path / "missing.csv")


def test_durations_are_read_as_minutes():
    table = pd.DataFrame({"from_id": ["a", "b", "c"], "to_id": ["x", "x", "x"],
                          "travel_time": pd.to_timedelta(["12min", "1h 30min", None])})
    checked = check_travel_table(table, "a table of durations")
    assert checked["travel_time"].tolist()[:2] == [12.0, 90.0] and np.isnan(checked["travel_time"].iloc[2])


@pytest.mark.parametrize("times, warning", [
    ([0.0, 0.0, 0.0], "every travel_time is 0 minutes"),
    ([600.0, 1800.0, 2400.0], "median travel_time is 1,800 minutes.*if these are seconds"),
])
def test_implausible_times_are_warned_about(times, warning):
    from access.core.errors import AccessWarning

    table = pd.DataFrame({"from_id": ["a", "b", "c"], "to_id": ["x", "x", "x"], "travel_time": times})
    with pytest.warns(AccessWarning, match=warning):
        check_travel_table(table, "a table")
