"""Travel times computed elsewhere: a long table, one row per origin and counter, read and checked.

The layout is the one r5py's ``TravelTimeMatrix`` gives (and OpenTripPlanner
exports can be put in): ``from_id`` (the origin: a postcode, or the id a study
gives its residents), ``to_id`` (the counter's id) and ``travel_time`` in
minutes.  A pair whose time is empty (r5py writes NaN for a pair it cannot
connect), or that is missing for an origin the table has, is unreachable.  An
origin with no row at all was not measured: it is left out of every figure and
counted as excluded, as an origin too far from a street network is.

Example
-------
>>> import pandas as pd
>>> check_travel_table(pd.DataFrame({"from_id": ["IG1 1GT"], "to_id": ["ilford"], "travel_time": [4.5]}),
...                    "a table").dtypes["travel_time"]
dtype('float64')
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from access.core.errors import AccessWarning, DataError

__all__ = ["TRAVEL_TABLE_COLUMNS", "check_travel_table", "read_travel_table", "SECONDS_LIKE_MEDIAN_MIN"]

TRAVEL_TABLE_COLUMNS = ("from_id", "to_id", "travel_time")
"""The columns of a travel-time table, as r5py's ``TravelTimeMatrix`` names them."""

SECONDS_LIKE_MEDIAN_MIN = 300.0
"""A table whose median time is longer than this (five hours) is probably in seconds: it is warned about."""


def check_travel_table(table: pd.DataFrame, where: str) -> pd.DataFrame:
    """Check a travel-time table; return its three columns: ids as text, minutes (NaN where unreachable).

    A ``timedelta64`` column (pandas durations) is turned into minutes.  A table whose every
    time is zero, or whose median is longer than :data:`SECONDS_LIKE_MEDIAN_MIN` (seconds taken
    for minutes, say), is used but warned about (:class:`~access.core.errors.AccessWarning`).

    Raises
    ------
    DataError
        A column is missing, an id is blank, a time is negative or infinite or not a number, or a pair
        repeats.
    """
    if not isinstance(table, pd.DataFrame):
        raise DataError(f"{where} must be a pandas DataFrame with columns {', '.join(TRAVEL_TABLE_COLUMNS)}, "
                        f"not {type(table).__name__}")
    missing = [c for c in TRAVEL_TABLE_COLUMNS if c not in table.columns]
    if missing:
        raise DataError(f"{where} lacks column(s) {', '.join(missing)}; a travel-time table has "
                        f"{', '.join(TRAVEL_TABLE_COLUMNS)} (minutes), as r5py's TravelTimeMatrix")
    for column in ("from_id", "to_id"):
        blank = table[column].isna().to_numpy() | (table[column].astype(str).str.strip() == "").to_numpy()
        if blank.any():
            raise DataError(f"{where}: row {int(np.flatnonzero(blank)[0]) + 1} has no {column}; every row names "
                            f"an origin (from_id) and a counter (to_id)")
    frame = pd.DataFrame({"from_id": table["from_id"].astype(str).str.strip(),
                          "to_id": table["to_id"].astype(str).str.strip()})
    raw = table["travel_time"]
    if pd.api.types.is_timedelta64_dtype(raw) or (raw.dtype == object and raw.map(
            lambda v: isinstance(v, pd.Timedelta)).any()):
        raw = pd.to_timedelta(raw, errors="coerce").dt.total_seconds() / 60  # durations, as minutes
    elif pd.api.types.is_datetime64_any_dtype(raw):
        raise DataError(f"{where}: travel_time holds dates and times, not durations; give minutes (a number), "
                        f"or a duration (timedelta64)")
    times = pd.to_numeric(raw, errors="coerce").to_numpy(float)
    bad = (np.isnan(times) & raw.notna().to_numpy() & (raw.astype(str).str.strip() != "").to_numpy()) | \
          np.isinf(times) | (times < 0)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise DataError(f"{where}: travel_time '{raw.iloc[first]}' ({frame['from_id'].iloc[first]} → "
                        f"{frame['to_id'].iloc[first]}) is not a number of minutes; leave it empty where a pair "
                        f"is unreachable")
    frame["travel_time"] = times
    known = times[~np.isnan(times)]
    if len(known) and not known.any():
        warnings.warn(f"{where}: every travel_time is 0 minutes; check that the column holds the times",
                      AccessWarning, stacklevel=2)
    elif len(known) and float(np.median(known)) > SECONDS_LIKE_MEDIAN_MIN:
        warnings.warn(f"{where}: the median travel_time is {float(np.median(known)):,.0f} minutes; travel_time is "
                      f"in minutes: if these are seconds, divide them by 60", AccessWarning, stacklevel=2)
    twice = frame.duplicated(["from_id", "to_id"])
    if twice.any():
        pair = frame[twice].iloc[0]
        raise DataError(f"{where}: the pair {pair['from_id']} → {pair['to_id']} appears more than once; give one "
                        f"time per origin and counter")
    return frame


def read_travel_table(path: Path) -> pd.DataFrame:
    """Read a travel-time table from CSV and check it (:func:`check_travel_table`).

    Raises
    ------
    DataError
        The file cannot be read, or its content is not a travel-time table.
    """
    path = Path(path)
    try:
        table = pd.read_csv(path, dtype={"from_id": str, "to_id": str}, keep_default_na=True)
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataError(f"travel-time table {path} cannot be read ({' '.join(str(exc).split())})") from exc
    return check_travel_table(table, f"travel-time table {path}")
