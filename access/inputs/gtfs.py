"""Public-transport timetables from GTFS feeds, for one service date (feeds read with gtfs-kit).

A :class:`Timetable` is every vehicle run that can be used on one service
date, as flat arrays: the stops (id, lon/lat) and, run after run, each run's
stop times (stop, arrival and departure in seconds, whether one may board and
alight).  The router (:mod:`access.routing.transit`) needs nothing else.

The rules, each written here once:

- **Files.** Each feed is a GTFS ``.zip`` or folder, read by gtfs-kit
  (:func:`read_feed`).  ``stops.txt``, ``trips.txt`` and ``stop_times.txt`` are
  required, and ``calendar.txt`` or ``calendar_dates.txt``; ``transfers.txt``,
  shapes and fares are not used (changes between vehicles are walks, see the router).
- **Calendar.** A service runs on a date when ``calendar.txt`` says so (between
  ``start_date`` and ``end_date``, on that weekday) or ``calendar_dates.txt``
  adds the date (``exception_type`` 1), unless ``calendar_dates.txt`` removes it
  (``exception_type`` 2): gtfs-kit's :func:`gtfs_kit.get_active_services`.
- **Times.** ``HH:MM:SS`` since the service day's start (noon minus 12 hours;
  daylight-saving days are not special-cased), so ``25:10:00`` is 01:10 the next
  morning.  A run of the service day before the date counts with its times less
  24 hours (a night bus of yesterday at ``24:30:00`` runs at 00:30 today), and a
  run of the day after with its times plus 24 hours: every run of the date's day
  before, the date and the day after that meets the asked span of time is kept.
  A stop time with only one of its two times takes it for both; one with neither
  is given one by linear interpolation, by stop count, between the timed stop
  times around it (whole seconds, rounded down); a run with no time at its first
  or last stop is refused (:func:`_interpolated`).
- **Frequencies.** A trip in ``frequencies.txt`` is a template: it is expanded
  into runs departing at ``start_time``, ``start_time + headway_secs``, … strictly
  before ``end_time``, each keeping the template's times between stops
  (gtfs-kit's :func:`gtfs_kit.expand_frequencies`).  ``exact_times=0`` (headway
  only, no published schedule) is expanded the same way as ``exact_times=1``:
  as if vehicles left exactly on those times, which is one possible schedule,
  not the average over all of them that R5 draws at random.
- **Boarding and alighting.** ``pickup_type=1`` forbids boarding at a stop time
  and ``drop_off_type=1`` forbids alighting; any other value (or none) allows it.
- **Several feeds** are read together; their stop ids are prefixed with the
  feed's position (``0:…``, ``1:…``) so they cannot clash.

A feed that breaks a rule raises :class:`~access.core.errors.FeedError`, which
names the feed, the file, the column and what to do.

Example
-------
>>> from access.inputs.gtfs import timetable, parse_clock
>>> table = timetable([CAIRNS], "2014-06-02", start_s=parse_clock("08:00"), end_s=parse_clock("09:00"))
>>> table.n_stops, table.n_runs > 50, table.date.isoformat()
(416, True, '2014-06-02')
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from access.core import settings
from access.core.errors import AccessError, AccessWarning, FeedError

if TYPE_CHECKING:
    import gtfs_kit

__all__ = ["Timetable", "read_feed", "timetable", "cached_timetable", "feed_sha256", "parse_clock", "parse_date",
           "CAIRNS", "DAY_S", "CACHE_FORMAT"]

DAY_S = 86_400
"""Seconds in a service day."""

CACHE_FORMAT = 1
"""Bump when the cached timetables' arrays change meaning, so old caches are made again."""

CAIRNS = settings.repo_root() / "tests" / "data" / "cairns_gtfs.zip"
"""The tests' real bus feed (Cairns, Australia, 2014; in a source checkout): see ``tests/data/README.md``."""

_CLOCK = re.compile(r"^\s*(\d{1,3}):([0-5]\d)(?::([0-5]\d))?\s*$")
_REQUIRED = {"stops": ("stop_id", "stop_lat", "stop_lon"), "trips": ("trip_id", "service_id"),
             "stop_times": ("trip_id", "stop_id", "stop_sequence", "arrival_time", "departure_time")}


@dataclass(frozen=True)
class Timetable:
    """The vehicle runs usable on one service date, as flat arrays.

    Attributes
    ----------
    date
        The service date.
    sources
        The feeds, by name.
    stop_id
        Every stop's id (prefixed ``k:`` by feed when there are several feeds).
    stop_lon, stop_lat
        Every stop's position (WGS84 degrees).
    run_id
        Each run's trip id, with ``@-1d`` or ``@+1d`` for a run of the day before or after.
    run_start
        Offsets (runs + 1): run ``r``'s stop times are ``run_start[r]`` … ``run_start[r + 1] - 1``, in stop order.
    stop
        Each stop time's stop (a row of ``stop_id``).
    arrival, departure
        Each stop time's times, in seconds since the date's start (negative the day before, past
        86,400 the day after).
    pickup, dropoff
        Whether one may board, and alight, at each stop time.
    """

    date: dt.date
    sources: tuple[str, ...]
    stop_id: np.ndarray
    stop_lon: np.ndarray
    stop_lat: np.ndarray
    run_id: np.ndarray
    run_start: np.ndarray
    stop: np.ndarray
    arrival: np.ndarray
    departure: np.ndarray
    pickup: np.ndarray
    dropoff: np.ndarray

    @property
    def n_stops(self) -> int:
        """Number of stops."""
        return len(self.stop_id)

    @property
    def n_runs(self) -> int:
        """Number of vehicle runs."""
        return len(self.run_id)

    @property
    def n_stop_times(self) -> int:
        """Number of stop times, over every run."""
        return len(self.stop)

    def describe(self) -> str:
        """Say what the timetable holds: feeds, date, runs and stop times.

        >>> timetable([CAIRNS], "2014-06-02", start_s=parse_clock("08:00"), end_s=parse_clock("09:00")).describe()
        'GTFS cairns_gtfs.zip, service date 2014-06-02 (Monday): 416 stops, 83 runs, 2,316 stop times'
        """
        return (f"GTFS {', '.join(self.sources)}, service date {self.date.isoformat()} ({self.date:%A}): "
                f"{self.n_stops:,} stops, {self.n_runs:,} runs, {self.n_stop_times:,} stop times")


def parse_clock(value: str | int) -> int:
    """Return seconds since the day's start for ``HH:MM`` or ``HH:MM:SS`` (hours may pass 24), or seconds as given.

    >>> parse_clock("08:00"), parse_clock("25:10:30"), parse_clock(3600)
    (28800, 90630, 3600)

    Raises
    ------
    FeedError
        The text is not a time of day.
    """
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return int(value)
    found = _CLOCK.match(str(value))
    if not found:
        raise FeedError(f"time {value!r} is not a time of day; write it as HH:MM or HH:MM:SS (e.g. '08:00', or "
                        f"'24:30' for half past midnight after the service day)")
    hours, minutes, seconds = (int(part or 0) for part in found.groups())
    return hours * 3600 + minutes * 60 + seconds


def parse_date(value: str | dt.date) -> dt.date:
    """Return a service date from a :class:`datetime.date`, ``YYYY-MM-DD`` or ``YYYYMMDD``.

    >>> parse_date("2014-06-02"), parse_date("20140602")
    (datetime.date(2014, 6, 2), datetime.date(2014, 6, 2))
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for form in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise FeedError(f"service date {value!r} is not a date; write it as YYYY-MM-DD (e.g. '2024-03-12')")


def _gtfs_kit() -> Any:
    try:
        import gtfs_kit
    except ImportError as exc:  # pragma: no cover - the transit extra is installed with the tests
        raise FeedError("reading GTFS feeds needs gtfs-kit; install it with "
                        "pip install 'frontcounter-access[transit]'") from exc
    return gtfs_kit


def read_feed(path: str | Path) -> gtfs_kit.Feed:
    """Read one GTFS feed (a ``.zip`` or a folder) with gtfs-kit, and check what routing needs of it.

    Raises
    ------
    FeedError
        The path does not exist or is not a GTFS feed, or a required file or column is missing.
    """
    path = Path(path)
    if not path.exists():
        raise FeedError(f"GTFS feed {path} does not exist; give the path of a GTFS .zip or of a folder of "
                        f"GTFS .txt files")
    gk = _gtfs_kit()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # gtfs-kit warns about units and optional files
            feed = gk.read_feed(path, dist_units="km")
    except Exception as exc:
        raise FeedError(f"cannot read GTFS feed {path.name} ({type(exc).__name__}: {exc}); check that it is a "
                        f"complete GTFS .zip (or folder) of comma-separated .txt files") from exc
    for table, columns in _REQUIRED.items():
        frame = getattr(feed, table)
        if frame is None:
            raise FeedError(f"GTFS feed {path.name} has no {table}.txt (or it is empty); every feed needs "
                            f"stops.txt, trips.txt and stop_times.txt: use the publisher's complete feed")
        missing = [column for column in columns if column not in frame.columns]
        if missing:
            raise FeedError(f"GTFS feed {path.name}: {table}.txt lacks column(s) {', '.join(missing)}; "
                            f"it must have {', '.join(columns)}")
    if feed.calendar is None and feed.calendar_dates is None:
        raise FeedError(f"GTFS feed {path.name} has neither calendar.txt nor calendar_dates.txt, so no trip has a "
                        f"date to run on; use the publisher's complete feed")
    return feed


def _seconds(values: pd.Series, feed: str, column: str, trips: pd.Series) -> np.ndarray:
    """``HH:MM:SS`` strings as seconds (NaN where empty); a malformed one is a :class:`FeedError`."""
    text = values.astype("string")
    parts = text.str.extract(r"^\s*(\d{1,3}):([0-5]\d):([0-5]\d)\s*$")
    bad = text.notna() & parts[0].isna()
    if bad.any():
        first = int(np.flatnonzero(bad.to_numpy())[0])
        raise FeedError(f"GTFS feed {feed}: stop_times.txt column {column} has {int(bad.sum()):,} value(s) that are "
                        f"not HH:MM:SS times, the first {text.iloc[first]!r} (trip {trips.iloc[first]}); fix the "
                        f"feed or ask its publisher for a valid one")
    numbers = parts.astype("float64").to_numpy()
    return numbers[:, 0] * 3600 + numbers[:, 1] * 60 + numbers[:, 2]


@dataclass(frozen=True)
class _Runs:
    """One feed's trips with their stop times parsed, before any date is chosen (sorted by trip, sequence)."""

    name: str
    trip_id: np.ndarray
    service_id: np.ndarray
    start: np.ndarray
    stop_key: np.ndarray
    arrival: np.ndarray
    departure: np.ndarray
    pickup: np.ndarray
    dropoff: np.ndarray
    stop_ids: pd.Index
    stop_lon: np.ndarray
    stop_lat: np.ndarray
    feed: Any


def _runs(feed: gtfs_kit.Feed, name: str) -> _Runs:
    gk = _gtfs_kit()
    if feed.frequencies is not None and len(feed.frequencies):
        headway = pd.to_numeric(feed.frequencies["headway_secs"], errors="coerce")
        if headway.isna().any() or (headway <= 0).any():
            raise FeedError(f"GTFS feed {name}: frequencies.txt has headway_secs that are not positive whole "
                            f"seconds; fix the feed")
        feed = gk.expand_frequencies(feed)
    stops = feed.stops
    stop_ids = pd.Index(stops["stop_id"].astype(str))
    if stop_ids.has_duplicates:
        raise FeedError(f"GTFS feed {name}: stops.txt lists stop_id {stop_ids[stop_ids.duplicated()][0]!r} more "
                        f"than once; stop ids must be unique")
    times = feed.stop_times
    trips = feed.trips.drop_duplicates("trip_id")
    trip_col = times["trip_id"].astype(str)
    unknown_trip = ~trip_col.isin(trips["trip_id"].astype(str))
    if unknown_trip.any():
        raise FeedError(f"GTFS feed {name}: stop_times.txt names trip_id {trip_col[unknown_trip].iloc[0]!r} that "
                        f"trips.txt does not have ({int(unknown_trip.sum()):,} rows); fix the feed")
    stop_index = stop_ids.get_indexer(times["stop_id"].astype(str))
    if (stop_index < 0).any():
        first = times["stop_id"].astype(str)[stop_index < 0].iloc[0]
        raise FeedError(f"GTFS feed {name}: stop_times.txt names stop_id {first!r} that stops.txt does not have; "
                        f"fix the feed")
    lon = pd.to_numeric(stops["stop_lon"], errors="coerce").to_numpy(float)
    lat = pd.to_numeric(stops["stop_lat"], errors="coerce").to_numpy(float)
    used = np.unique(stop_index)
    bad = used[~(np.isfinite(lon[used]) & np.isfinite(lat[used]) & (np.abs(lat[used]) <= 90)
                 & (np.abs(lon[used]) <= 180))]
    if bad.size:
        more = f" (and {bad.size - 1:,} more stop{'s' if bad.size > 2 else ''} with stop times)" if bad.size > 1 else ""
        raise FeedError(f"GTFS feed {name}: stops.txt gives stop {stop_ids[bad[0]]!r}{more} no valid "
                        f"stop_lat/stop_lon (a latitude from -90 to 90 and a longitude from -180 to 180); every stop "
                        f"a vehicle calls at needs its position in decimal degrees")
    arrival = _seconds(times["arrival_time"], name, "arrival_time", trip_col)
    departure = _seconds(times["departure_time"], name, "departure_time", trip_col)
    arrival = np.where(np.isnan(arrival), departure, arrival)
    departure = np.where(np.isnan(departure), arrival, departure)
    sequence = pd.to_numeric(times["stop_sequence"], errors="coerce")
    if sequence.isna().any():
        raise FeedError(f"GTFS feed {name}: stop_times.txt has stop_sequence values that are not whole numbers; "
                        f"fix the feed")
    pickup = times["pickup_type"].fillna(0).to_numpy() != 1 if "pickup_type" in times else np.ones(len(times), bool)
    dropoff = (times["drop_off_type"].fillna(0).to_numpy() != 1 if "drop_off_type" in times
               else np.ones(len(times), bool))
    trip_codes, trip_names = pd.factorize(trip_col, sort=True)
    order = np.lexsort((sequence.to_numpy(np.int64), trip_codes))
    trip_codes = trip_codes[order]
    starts = np.flatnonzero(np.r_[True, trip_codes[1:] != trip_codes[:-1]])
    arrival, departure = _interpolated(arrival[order], departure[order], starts, trip_names[trip_codes], name)
    same_trip = trip_codes[1:] == trip_codes[:-1]
    backwards = (departure < arrival) | np.r_[same_trip & (arrival[1:] < departure[:-1]), False]
    if backwards.any():
        first = trip_names[trip_codes[int(np.flatnonzero(backwards)[0])]]
        raise FeedError(f"GTFS feed {name}: in stop_times.txt, trip {first!r} goes back in time (a departure before "
                        f"its arrival, or an arrival before the previous stop's departure); fix the feed")
    service = trips.set_index(trips["trip_id"].astype(str))["service_id"].astype(str)
    return _Runs(name=name, trip_id=np.asarray(trip_names[trip_codes[starts]], dtype=object),
                 service_id=service.reindex(trip_names[trip_codes[starts]]).to_numpy(dtype=object),
                 start=np.r_[starts, len(order)].astype(np.int64), stop_key=stop_index[order].astype(np.int64),
                 arrival=arrival, departure=departure, pickup=pickup[order], dropoff=dropoff[order],
                 stop_ids=stop_ids, stop_lon=lon, stop_lat=lat, feed=feed)


def _interpolated(arrival: np.ndarray, departure: np.ndarray, starts: np.ndarray, trip: np.ndarray,
                  name: str) -> tuple[np.ndarray, np.ndarray]:
    """Fill stop times without times linearly by stop count between the timed ones around them (whole seconds, down).

    >>> nan = float("nan")
    >>> _interpolated(np.array([0.0, nan, nan, 90.0]), np.array([0.0, nan, nan, 90.0]), np.array([0]),
    ...               np.array(["t"] * 4), "f")[0].tolist()
    [0, 30, 60, 90]
    """
    missing = np.isnan(arrival)
    if missing.any():
        ends = np.r_[starts[1:], len(arrival)] - 1
        if missing[starts].any() or missing[ends].any():
            first = trip[starts[missing[starts]][0] if missing[starts].any() else ends[missing[ends]][0]]
            raise FeedError(f"GTFS feed {name}: in stop_times.txt, trip {first!r} has no time at its first or last "
                            f"stop; GTFS requires both (times between them may be left empty)")
        position = np.arange(len(arrival))
        before = np.maximum.accumulate(np.where(missing, -1, position))
        after = np.minimum.accumulate(np.where(missing, len(arrival), position)[::-1])[::-1]
        gap = np.where(missing, after - before, 1)
        filled = np.floor(departure[before] + (arrival[after] - departure[before]) * (position - before) / gap)
        arrival = np.where(missing, filled, arrival)
        departure = np.where(missing, filled, departure)
    return arrival.astype(np.int64), departure.astype(np.int64)


def _date_range(feed: Any) -> str:
    dates = []
    if feed.calendar is not None:
        dates += list(feed.calendar["start_date"].astype(str)) + list(feed.calendar["end_date"].astype(str))
    if feed.calendar_dates is not None:
        dates += list(feed.calendar_dates["date"].astype(str))
    dates = sorted(d for d in dates if d and d != "<NA>")
    if not dates:
        return "no dates"
    return f"{parse_date(dates[0]).isoformat()} to {parse_date(dates[-1]).isoformat()}"


def timetable(feeds: Sequence[str | Path | gtfs_kit.Feed], date: str | dt.date, *, start_s: int | None = None,
              end_s: int | None = None, names: Sequence[str] | None = None) -> Timetable:
    """Return the runs of ``feeds`` usable on service date ``date``, between ``start_s`` and ``end_s``.

    Parameters
    ----------
    feeds
        GTFS feeds: paths (``.zip`` or folders) or feeds gtfs-kit has read.
    date
        The service date (``YYYY-MM-DD`` or a :class:`datetime.date`).
    start_s, end_s
        Keep only runs that are under way at some moment between these times
        (seconds since the date's start; default: the whole of the three days).
    names
        The feeds' names for messages and records (default: file names).

    Raises
    ------
    FeedError
        A feed breaks a rule of the module docstring, or no feed runs anything on the date.
    """
    day = parse_date(date)
    if isinstance(feeds, str | Path):
        feeds = [feeds]
    if not feeds:
        raise FeedError("no GTFS feed was given; give the path of at least one GTFS .zip")
    labels = list(names) if names is not None else [
        Path(f).name if isinstance(f, str | Path) else f"feed {i}" for i, f in enumerate(feeds)]
    low = -DAY_S if start_s is None else start_s
    high = 2 * DAY_S + DAY_S if end_s is None else end_s
    pieces, stop_ids, lons, lats, unused = [], [], [], [], []
    n_stops = 0
    gk = _gtfs_kit()
    for k, (feed, label) in enumerate(zip(feeds, labels, strict=True)):
        runs = _runs(read_feed(feed) if isinstance(feed, str | Path) else feed, label)
        prefix = f"{k}:" if len(feeds) > 1 else ""
        found = 0
        for offset in (-1, 0, 1):
            active = set(gk.get_active_services(runs.feed, (day + dt.timedelta(days=offset)).strftime("%Y%m%d")))
            keep_run = np.isin(runs.service_id, list(active))
            first = runs.departure[runs.start[:-1]] + offset * DAY_S
            last = runs.arrival[runs.start[1:] - 1] + offset * DAY_S
            keep_run &= (last >= low) & (first <= high)
            found += int(keep_run.sum())
            pieces.append((runs, np.flatnonzero(keep_run), offset, n_stops))
        if not found:
            unused.append(f"{label} (its calendar runs {_date_range(runs.feed)})")
        stop_ids.append(prefix + runs.stop_ids.to_numpy(dtype=object).astype(str).astype(object))
        lons.append(runs.stop_lon)
        lats.append(runs.stop_lat)
        n_stops += len(runs.stop_ids)
    if len(unused) == len(feeds):
        raise FeedError(f"no GTFS feed runs a vehicle on {day.isoformat()} ({day:%A}) at the times asked: "
                        f"{'; '.join(unused)}; choose a service date inside a feed's calendar")
    for note in unused:
        warnings.warn(AccessWarning(f"GTFS feed {note} runs nothing on {day.isoformat()} at the times asked"),
                      stacklevel=2)
    return _assemble(day, tuple(labels), pieces, np.concatenate(stop_ids), np.concatenate(lons),
                     np.concatenate(lats))


def _assemble(day: dt.date, sources: tuple[str, ...], pieces: list, stop_id: np.ndarray, lon: np.ndarray,
              lat: np.ndarray) -> Timetable:
    """Gather the chosen runs into flat arrays (runs ordered by feed, day, then trip id)."""
    run_ids, lengths, stop_parts = [], [], []
    arrival_parts, departure_parts, pickup_parts, dropoff_parts = [], [], [], []
    for runs, r, offset, base in pieces:
        begin, end = runs.start[r], runs.start[r + 1]
        count = end - begin
        index = np.repeat(begin - np.r_[0, np.cumsum(count)[:-1]], count) + np.arange(count.sum(), dtype=np.int64)
        stop_parts.append(runs.stop_key[index] + base)
        arrival_parts.append(runs.arrival[index] + offset * DAY_S)
        departure_parts.append(runs.departure[index] + offset * DAY_S)
        pickup_parts.append(runs.pickup[index])
        dropoff_parts.append(runs.dropoff[index])
        suffix = "" if offset == 0 else "@-1d" if offset < 0 else "@+1d"
        run_ids.append(np.array([f"{trip}{suffix}" for trip in runs.trip_id[r]], dtype=object))
        lengths.append(count)
    if not lengths:
        empty = np.zeros(0, np.int64)
        return Timetable(day, sources, stop_id, lon, lat, np.zeros(0, object), np.zeros(1, np.int64), empty, empty,
                         empty, np.zeros(0, bool), np.zeros(0, bool))
    count = np.concatenate(lengths)
    return Timetable(date=day, sources=sources, stop_id=stop_id, stop_lon=lon, stop_lat=lat,
                     run_id=np.concatenate(run_ids), run_start=np.r_[0, np.cumsum(count)].astype(np.int64),
                     stop=np.concatenate(stop_parts).astype(np.int64),
                     arrival=np.concatenate(arrival_parts).astype(np.int64),
                     departure=np.concatenate(departure_parts).astype(np.int64),
                     pickup=np.concatenate(pickup_parts).astype(bool),
                     dropoff=np.concatenate(dropoff_parts).astype(bool))


# --- the cache ------------------------------------------------------------------------------------

def feed_sha256(path: str | Path) -> str:
    """Return the sha256 of a feed: of its ``.zip``, or of a folder's ``.txt`` files (names and contents, in order).

    Raises
    ------
    FeedError
        The feed does not exist.
    """
    from access.inputs.sources import sha256_of

    path = Path(path)
    if path.is_file():
        return sha256_of(path)
    if not path.is_dir():
        raise FeedError(f"GTFS feed {path} does not exist; give the path of a GTFS .zip or of a folder of "
                        f"GTFS .txt files")
    digest = hashlib.sha256()
    for member in sorted(path.glob("*.txt")):
        digest.update(f"{member.name}\0{sha256_of(member)}\0".encode())
    return digest.hexdigest()


_ARRAYS = ("stop_lon", "stop_lat", "run_start", "stop", "arrival", "departure", "pickup", "dropoff")


def _save(table: Timetable, path: Path, notes: list[str]) -> None:
    from access.core.files import atomic_path

    meta = {"format": CACHE_FORMAT, "date": table.date.isoformat(), "sources": list(table.sources), "notes": notes}
    with atomic_path(path) as tmp, tmp.open("wb") as fh:
        np.savez(fh, meta=np.array(json.dumps(meta)), stop_id=table.stop_id.astype(str),
                 run_id=table.run_id.astype(str), **{name: getattr(table, name) for name in _ARRAYS})


def _load(path: Path) -> tuple[Timetable, list[str]]:
    with np.load(path, allow_pickle=False) as npz:
        meta = json.loads(str(npz["meta"]))
        if meta.get("format") != CACHE_FORMAT:
            raise FeedError(f"cached timetable {path} has format {meta.get('format')}, expected {CACHE_FORMAT}")
        arrays = {name: npz[name] for name in _ARRAYS}
        table = Timetable(date=parse_date(meta["date"]), sources=tuple(meta["sources"]),
                          stop_id=npz["stop_id"].astype(object), run_id=npz["run_id"].astype(object), **arrays)
    n_stop_times = len(table.stop)
    if (len(table.stop_lon) != table.n_stops or len(table.stop_lat) != table.n_stops
            or len(table.run_start) != table.n_runs + 1 or table.run_start[-1] != n_stop_times
            or any(len(getattr(table, name)) != n_stop_times for name in ("arrival", "departure", "pickup", "dropoff"))
            or (n_stop_times and not (0 <= table.stop.min() and table.stop.max() < table.n_stops))):
        raise FeedError(f"cached timetable {path} has arrays of inconsistent sizes")
    return table, list(meta.get("notes", []))


def cached_timetable(feeds: Sequence[str | Path], date: str | dt.date, *, start_s: int, end_s: int,
                     use_cache: bool = True) -> Timetable:
    """:func:`timetable` of feeds on disk, kept in the cache so that a second run does not read the feeds again.

    The cache (``timetables/`` under :func:`access.core.settings.cache_dir`, ``ACCESS_CACHE_DIR``) is keyed by
    each feed's sha256 (:func:`feed_sha256`) and name, the date, the span of time and gtfs-kit's version: a
    changed feed is read again.  A damaged cache file is made again, never trusted.

    Raises
    ------
    FeedError
        As :func:`timetable`.
    """
    from importlib.metadata import version

    day = parse_date(date)
    paths = [Path(feed) for feed in feeds]
    key = json.dumps({"feeds": [[p.name, feed_sha256(p)] for p in paths], "date": day.isoformat(),
                      "start_s": int(start_s), "end_s": int(end_s), "format": CACHE_FORMAT,
                      "gtfs_kit": version("gtfs-kit")}, sort_keys=True)
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    path = settings.cache_dir() / "timetables" / f"{day.isoformat()}-{digest}.npz"
    if use_cache and path.is_file():
        try:
            table, notes = _load(path)
        except Exception as exc:  # a damaged cache is made again, never trusted
            warnings.warn(AccessWarning(f"cached timetable {path} is damaged ({exc}); reading the feeds again"),
                          stacklevel=2)
        else:
            for note in notes:
                warnings.warn(AccessWarning(note), stacklevel=2)
            return table
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = timetable(paths, day, start_s=start_s, end_s=end_s)
    notes = [str(w.message) for w in caught if issubclass(w.category, AccessWarning)]
    for w in caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if use_cache:
        try:
            _save(table, path, notes)
        except (OSError, AccessError) as exc:
            warnings.warn(AccessWarning(f"could not cache the timetable at {path} ({exc}); the next run will read "
                                        f"the feeds again"), stacklevel=2)
    return table
