"""GTFS timetables for a service date: the calendar, overnight runs, frequencies, and clear errors for bad feeds."""

from __future__ import annotations

import shutil
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from gtfs_feeds import EVERY_DAY, Feed

from access.core.errors import AccessWarning, FeedError
from access.inputs.gtfs import CAIRNS, DAY_S, parse_clock, parse_date, timetable

WEEKDAY = "CNS2014-CNS_MUL-Weekday-00"
SUNDAY = "CNS2014-CNS_MUL-Sunday-00"


def services(table) -> set[str]:
    """Return the services of a timetable's runs (trips.txt read separately, with pandas)."""
    with zipfile.ZipFile(CAIRNS) as archive, archive.open("trips.txt") as trips:
        service = pd.read_csv(trips, dtype=str).set_index("trip_id")["service_id"]
    return set(service[[run.split("@")[0] for run in table.run_id]])


def test_the_real_calendar_and_its_exceptions() -> None:
    """Cairns, 2014: a Monday runs the weekday timetable; Queen's Birthday (9 June) runs Sunday's instead."""
    monday = timetable([CAIRNS], "2014-06-02", start_s=parse_clock("10:00"), end_s=parse_clock("11:00"))
    holiday = timetable([CAIRNS], "2014-06-09", start_s=parse_clock("10:00"), end_s=parse_clock("11:00"))
    assert services(monday) == {WEEKDAY}
    assert services(holiday) == {SUNDAY}  # calendar_dates removes the weekday service and adds Sunday's
    # the Friday-only night buses run 24:40–27:39 of Friday's service day: early on Saturday, not on Friday
    saturday_night = timetable([CAIRNS], "2014-06-07", start_s=parse_clock("01:00"), end_s=parse_clock("02:00"))
    friday_night = [run for run in saturday_night.run_id if run.endswith("@-1d")]
    assert services(saturday_night) >= {WEEKDAY + "-0000100"} and len(friday_night) >= 2
    with pytest.raises(FeedError, match=r"no GTFS feed runs a vehicle on 2014-06-06 \(Friday\).*2014-05-26 to "):
        timetable([CAIRNS], "2014-06-06", start_s=parse_clock("01:00"), end_s=parse_clock("02:00"))  # Thursday's: none
    assert monday.stop.max() < monday.n_stops and (np.diff(monday.run_start) >= 2).all()


def test_times_between_timepoints_are_interpolated() -> None:
    table = timetable([CAIRNS], "2014-06-02", start_s=parse_clock("18:20"), end_s=parse_clock("18:40"))
    run = list(table.run_id).index("CNS2014-CNS_MUL-Weekday-00-4165903")
    times = table.arrival[table.run_start[run]:table.run_start[run + 1]]
    stops = table.stop_id[table.stop[table.run_start[run]:table.run_start[run + 1]]]
    at = list(stops).index("750015")  # empty in the feed, between 18:28 (750012) and 18:32 (750041)
    assert times[at] == parse_clock("18:30") and (np.diff(times) >= 0).all()


def test_runs_past_midnight_count_on_both_service_days(tmp_path: Path) -> None:
    feed = Feed(stops={"A": (0, 0), "B": (500, 0)}, calendar=[("mon", (1, 0, 0, 0, 0, 0, 0), "20240101", "20241231")])
    feed.add_trip("night", "mon", [("A", parse_clock("23:50"), parse_clock("23:50")),
                                   ("B", parse_clock("25:10"), parse_clock("25:10"))])
    feed.add_trip("dawn", "mon", [("A", parse_clock("00:20"), parse_clock("00:20")),
                                  ("B", parse_clock("00:40"), parse_clock("00:40"))])
    path = feed.write(tmp_path)
    tuesday_early = timetable([path], "2024-03-12", start_s=parse_clock("00:30"), end_s=parse_clock("01:00"))
    assert list(tuesday_early.run_id) == ["night@-1d"]
    assert tuesday_early.arrival.tolist() == [parse_clock("23:50") - DAY_S, parse_clock("01:10")]
    sunday_late = timetable([path], "2024-03-10", start_s=parse_clock("24:00"), end_s=parse_clock("24:30"))
    assert list(sunday_late.run_id) == ["dawn@+1d"] and sunday_late.departure[0] == parse_clock("00:20") + DAY_S
    with pytest.raises(FeedError, match=r"no GTFS feed runs a vehicle on 2024-03-12 \(Tuesday\).*2024-01-01 to "
                                        r"2024-12-31"):
        timetable([path], "2024-03-12", start_s=parse_clock("08:00"), end_s=parse_clock("09:00"))


def test_frequencies_make_runs_up_to_but_not_at_the_end_time(tmp_path: Path) -> None:
    feed = Feed(stops={"A": (0, 0), "B": (500, 0)}, calendar=[("daily", EVERY_DAY, "20240101", "20241231")],
                frequencies=[("f", parse_clock("08:00"), parse_clock("08:30"), 600, 0)])
    feed.add_trip("f", "daily", [("A", parse_clock("05:00"), parse_clock("05:00")),
                                 ("B", parse_clock("05:07"), parse_clock("05:07"))])
    table = timetable([feed.write(tmp_path)], "2024-03-12")
    first = table.departure[table.run_start[:-1]]
    day = first[(first >= 0) & (first < DAY_S)]
    assert sorted(day.tolist()) == [parse_clock("08:00"), parse_clock("08:10"), parse_clock("08:20")]
    assert set((table.arrival[table.run_start[1:] - 1] - first).tolist()) == {420}


def test_several_feeds_keep_their_stops_apart(tmp_path: Path) -> None:
    feed = Feed(stops={"A": (0, 0), "B": (500, 0)}, calendar=[("daily", EVERY_DAY, "20240101", "20241231")])
    feed.add_trip("t", "daily", [("A", parse_clock("08:00"), parse_clock("08:00")),
                                 ("B", parse_clock("08:05"), parse_clock("08:05"))])
    other = Feed(stops={"A": (900, 0)}, calendar=[("never", EVERY_DAY, "20300101", "20301231")])
    other.add_trip("u", "never", [("A", parse_clock("08:00"), parse_clock("08:00")),
                                  ("A", parse_clock("08:05"), parse_clock("08:05"))])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = timetable([feed.write(tmp_path / "one"), other.write(tmp_path / "two")], "2024-03-12")
    assert list(table.stop_id) == ["0:A", "0:B", "1:A"] and table.sources == ("one", "two")
    assert any(isinstance(w.message, AccessWarning) and "two" in str(w.message) for w in caught)


def test_dates_and_clock_times() -> None:
    assert parse_date("2014-06-02") == parse_date("20140602")
    assert parse_clock("24:30") == DAY_S + 1800
    with pytest.raises(FeedError, match="'8h' is not a time of day"):
        parse_clock("8h")
    with pytest.raises(FeedError, match="service date '2014/06/02' is not a date; write it as YYYY-MM-DD"):
        parse_date("2014/06/02")


def broken(tmp_path: Path, file: str, edit) -> Path:
    """Return a copy of the Cairns feed, as a folder, with ``file`` changed by ``edit(text) -> text`` (or removed)."""
    folder = tmp_path / "feed"
    with zipfile.ZipFile(CAIRNS) as archive:
        archive.extractall(folder)
    if edit is None:
        (folder / file).unlink()
    else:
        (folder / file).write_text(edit((folder / file).read_text()))
    return folder


@pytest.mark.parametrize(("file", "edit", "message"), [
    ("stop_times.txt", None, "has no stop_times.txt"),
    ("stops.txt", lambda t: t.replace("stop_lat", "latitude", 1), "stops.txt lacks column(s) stop_lat"),
    ("stop_times.txt", lambda t: t.replace("05:50:00", "5.50", 1), "column arrival_time has 1 value(s) that are not "
                                                                  "HH:MM:SS times, the first '5.50'"),
    ("stop_times.txt", lambda t: t.replace(",750337,1,", ",nowhere,1,", 1), "names stop_id 'nowhere' that stops.txt"),
    ("stops.txt", lambda t: t.replace("-16.74359", "", 1), "'750000' no valid stop_lat/stop_lon"),
    ("stops.txt", lambda t: t.replace("-16.74359", "95", 1), "'750000' no valid stop_lat/stop_lon (a latitude"),
    ("stop_times.txt", lambda t: t.replace("05:50:00,05:50:00,750000", "05:40:00,05:40:00,750000", 1),
     "goes back in time"),
    ("trips.txt", lambda t: "\n".join(t.splitlines()[:1] + t.splitlines()[2:]), "names trip_id"),
])
def test_bad_feeds_name_the_file_and_what_to_do(tmp_path: Path, file: str, edit, message: str) -> None:
    with pytest.raises(FeedError, match=message.replace("(", r"\(").replace(")", r"\)")):
        timetable([broken(tmp_path, file, edit)], "2014-06-02")


def test_a_missing_or_unreadable_feed(tmp_path: Path) -> None:
    with pytest.raises(FeedError, match="does not exist; give the path of a GTFS .zip"):
        timetable([tmp_path / "nowhere.zip"], "2014-06-02")
    (tmp_path / "junk.zip").write_bytes(b"not a zip at all")
    with pytest.raises(FeedError, match="cannot read GTFS feed junk.zip"):
        timetable([tmp_path / "junk.zip"], "2014-06-02")
    folder = shutil.copytree(broken(tmp_path, "calendar.txt", None), tmp_path / "nocal")
    (folder / "calendar_dates.txt").unlink()
    with pytest.raises(FeedError, match="neither calendar.txt nor calendar_dates.txt"):
        timetable([folder], "2014-06-02")


# --- the cache ----------------------------------------------------------------------------------

def _same(a, b) -> None:
    assert (a.date, a.sources) == (b.date, b.sources)
    for name in ("stop_id", "stop_lon", "stop_lat", "run_id", "run_start", "stop", "arrival", "departure", "pickup",
                 "dropoff"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def test_a_cached_timetable_is_not_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second reading of a feed for the same date and span comes from the cache: gtfs-kit is not called."""
    import gtfs_kit

    from access.inputs.gtfs import cached_timetable

    monkeypatch.setenv("ACCESS_CACHE_DIR", str(tmp_path / "cache"))
    feed = shutil.copy(CAIRNS, tmp_path / "cairns_gtfs.zip")
    span = {"start_s": parse_clock("08:00"), "end_s": parse_clock("11:00")}
    fresh = timetable([feed], "2014-06-10", **span)
    first = cached_timetable([feed], "2014-06-10", **span)
    _same(first, fresh)
    cached = sorted((tmp_path / "cache" / "timetables").glob("*.npz"))
    assert len(cached) == 1 and cached[0].name.startswith("2014-06-10-")

    def refuse(*args, **kwargs):
        raise AssertionError("the feed was read again")

    with monkeypatch.context() as patch:
        patch.setattr(gtfs_kit, "read_feed", refuse)
        _same(cached_timetable([feed], "2014-06-10", **span), fresh)
        with pytest.raises(FeedError, match="read again"):  # another span is another timetable
            cached_timetable([feed], "2014-06-10", start_s=span["start_s"], end_s=span["end_s"] + 60)
    # a changed feed is read again (its hash keys the cache), and so is a damaged cache file
    with zipfile.ZipFile(CAIRNS) as source, zipfile.ZipFile(tmp_path / "changed.zip", "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data.replace(b"08:00:00", b"08:00:30") if item.filename == "stop_times.txt"
                            else data)
    changed = cached_timetable([tmp_path / "changed.zip"], "2014-06-10", **span)
    assert len(list((tmp_path / "cache" / "timetables").glob("*.npz"))) == 2
    assert not np.array_equal(changed.departure, fresh.departure)
    cached[0].write_bytes(b"not a timetable")
    with pytest.warns(AccessWarning, match="is damaged"):
        _same(cached_timetable([feed], "2014-06-10", **span), fresh)
    _same(cached_timetable([feed], "2014-06-10", **span, use_cache=False), fresh)


def test_a_folder_feed_is_hashed_by_its_files(tmp_path: Path) -> None:
    from access.inputs.gtfs import feed_sha256

    with zipfile.ZipFile(CAIRNS) as archive:
        archive.extractall(tmp_path / "cairns")
    before = feed_sha256(tmp_path / "cairns")
    assert before == feed_sha256(tmp_path / "cairns") and len(before) == 64
    (tmp_path / "cairns" / "stops.txt").write_text((tmp_path / "cairns" / "stops.txt").read_text() + "\n")
    assert feed_sha256(tmp_path / "cairns") != before
    with pytest.raises(FeedError, match="does not exist"):
        feed_sha256(tmp_path / "nowhere.zip")
