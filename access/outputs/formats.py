"""Number formats: the one way every page, map, table and terminal line writes a figure.

Every formatter rounds first and then drops the sign of a zero, so no output
reads ``-0%``, ``-0.0`` or ``--0.0``; a signed zero is written ``±0``.  A figure
that is missing or not finite reads ``n/a``.

Examples
--------
>>> minutes(12.345), minutes(-0.04, signed=True), percent(-0.001), points(0.052)
('12.3', '±0.0', '0%', '+5')
>>> count(278970.4), minutes(float("nan"))
('278,970', 'n/a')
"""

from __future__ import annotations

import html
import math
import re
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["CSV_FLOAT_FORMAT", "CSV_DECIMALS", "NOT_A_NUMBER", "finite", "minutes", "percent", "points", "count",
           "signed", "escape", "hours_words", "csv_decimals", "csv_rounded", "spreadsheet_safe", "csv_text",
           "FORMULA_STARTS"]

CSV_FLOAT_FORMAT = "%.15g"
"""How every CSV writes floats, once :func:`csv_rounded` has rounded them: enough digits that a rounded
value reads as it was rounded (``45.17``, ``0.5042``, ``278970``), and the same numbers give the same bytes."""

CSV_DECIMALS: dict[str, int] = {"minutes": 2, "share": 4, "km": 3, "metres": 2, "degrees": 6, "factor": 3}
"""Decimals kept in CSV tables by kind of figure: minutes to 0.01, shares (0–1) to 0.0001, kilometres and
miles to 0.001, metres to 0.01, longitude and latitude to 0.000001 (about 0.1 m), detour factors to 0.001.
Counts of residents and households take as many decimals as their table needs (:func:`csv_decimals`);
``summary.json`` keeps more (six decimals)."""

_TOKENS = re.compile(r"[_|\s]+")

NOT_A_NUMBER = "n/a"
"""What a missing or infinite figure reads as."""


def finite(value: Any) -> float | None:
    """``value`` as a float when it is a finite number, else ``None``."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _fixed(number: float, decimals: int, sign: bool) -> str:
    """Return ``number`` to ``decimals`` places; a zero after rounding loses its sign (``±0`` when ``sign``)."""
    text = f"{number:{'+' if sign else ''}.{decimals}f}"
    if float(text) == 0:
        return f"±{0:.{decimals}f}" if sign else f"{0:.{decimals}f}"
    return text


def signed(value: Any, decimals: int = 1) -> str:
    """Return a number with its sign: ``+1.2``, ``-0.5``, ``±0.0`` (zero after rounding)."""
    number = finite(value)
    return NOT_A_NUMBER if number is None else _fixed(number, decimals, True)


def minutes(value: Any, *, signed: bool = False, decimals: int = 1) -> str:
    """Minutes to one decimal: ``12.3``; with ``signed``, ``+1.2`` or ``±0.0``."""
    number = finite(value)
    return NOT_A_NUMBER if number is None else _fixed(number, decimals, signed)


def percent(share: Any) -> str:
    """Return a share (0–1) as a whole percentage: ``12%``."""
    number = finite(share)
    return NOT_A_NUMBER if number is None else _fixed(number * 100, 0, False) + "%"


def points(change: Any) -> str:
    """Return a change of share (0–1) in percentage points, signed: ``+5``, ``-12``, ``±0``."""
    number = finite(change)
    return NOT_A_NUMBER if number is None else _fixed(number * 100, 0, True)


def count(value: Any) -> str:
    """Return a count of residents or origins: ``278,970``."""
    number = finite(value)
    if number is None:
        return NOT_A_NUMBER
    text = f"{number:,.0f}"
    return "0" if text == "-0" else text


def csv_decimals(column: str, rows: int) -> int:
    """Decimals a CSV keeps in a float column, by what its name says it holds.

    Minutes (a ``min`` word: ``mean_min_before``, ``walk|what-if|change_min``), shares (``within``,
    ``over``), distances (``km``, ``miles``, ``_m``), coordinates (``lat``, ``lon``) and detour
    factors (``factor``) take
    :data:`CSV_DECIMALS`.  Anything else is a count of residents or households (``population``,
    ``residents_worse``, ``count``): it keeps ``d`` decimals with ``10**d >= rows`` (at least 2), so
    that rounding moves a column's total by at most ``rows × 0.5 × 10**-d <= 0.5``: totals still
    reconcile with the census within half a resident.

    >>> csv_decimals("mean_min_before", 66), csv_decimals("within_30_after", 66), csv_decimals("population", 66)
    (2, 4, 2)
    >>> csv_decimals("population", 4_599), csv_decimals("population", 180_754)
    (4, 6)
    """
    words = set(_TOKENS.split(column.lower()))
    if words & {"lat", "lon"}:
        return CSV_DECIMALS["degrees"]
    if words & {"km", "miles"}:
        return CSV_DECIMALS["km"]
    if "factor" in words:
        return CSV_DECIMALS["factor"]
    if "m" in words or words & {"x", "y"}:
        return CSV_DECIMALS["metres"]
    if "min" in words:
        return CSV_DECIMALS["minutes"]
    if words & {"within", "over", "share"}:
        return CSV_DECIMALS["share"]
    return max(2, math.ceil(math.log10(max(rows, 1))))


def csv_rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every float column rounded by :func:`csv_decimals` (and no ``-0``), for a CSV file.

    Integers, text and booleans are left as they are; so are ``inf`` and missing values.

    >>> csv_rounded(pd.DataFrame({"mean_min": [7.240978062, -0.001], "within_30": [0.50422985, 1.0],
    ...                           "population": [128930.7549, 1.0]})).to_dict("list")
    {'mean_min': [7.24, 0.0], 'within_30': [0.5042, 1.0], 'population': [128930.75, 1.0]}
    """
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            decimals = csv_decimals(str(column), len(out))
            out[column] = np.round(out[column].to_numpy(float), decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    return out


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A text cell starting with one of these is a formula to a spreadsheet (``=HYPERLINK(…)``, ``@SUM(…)``)."""


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell that a spreadsheet would run as a formula prefixed with ``'``.

    The usual guard against formula injection: a counter named ``=HYPERLINK(…)`` in a
    counters file reaches the CSV as ``'=HYPERLINK(…)``, which a spreadsheet shows as text.
    Numbers are left as they are (a negative minute is a number, not text).

    >>> spreadsheet_safe(pd.DataFrame({"name": ["=1+1", "Ilford", "@SUM(A1)", "-x"], "n": [-1, 2, 3, 4]})
    ...                  ).to_dict("list")
    {'name': ["'=1+1", 'Ilford', "'@SUM(A1)", "'-x"], 'n': [-1, 2, 3, 4]}
    """
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v)
    return out


def csv_text(frame: pd.DataFrame) -> str:
    """Return ``frame`` as CSV text, the one way every table becomes CSV.

    Floats rounded (:func:`csv_rounded`), formulas guarded (:func:`spreadsheet_safe`),
    written with :data:`CSV_FLOAT_FORMAT`, no index.

    >>> print(csv_text(pd.DataFrame({"name": ["=cmd"], "mean_min": [7.2409]})), end="")
    name,mean_min
    '=cmd,7.24
    """
    return spreadsheet_safe(csv_rounded(frame)).to_csv(index=False, float_format=CSV_FLOAT_FORMAT)


def escape(value: Any) -> str:
    """Any value as text safe inside HTML (element content or a quoted attribute).

    >>> escape('<b class="x">')
    '&lt;b class=&quot;x&quot;&gt;'
    """
    return html.escape(str(value), quote=True)


_DAY_WORDS = {"Mo": "Mon", "Tu": "Tue", "We": "Wed", "Th": "Thu", "Fr": "Fri", "Sa": "Sat", "Su": "Sun",
              "PH": "public holidays"}
_HOURS_WORDS = {"off": "closed", "closed": "closed", "open": "open, hours not known",
                "unknown": "not known", "24/7": "24 hours, every day", "": "not known"}


def hours_words(text: Any) -> str:
    """Return a counter's hours as a reader reads them: days spelt out, ``off`` as closed, ``open`` as hours not known.

    Only the words change; the times are as written.

    >>> hours_words("Mo-Fr 07:00-23:00; Sa 10:00-18:00")
    'Mon–Fri 07:00–23:00; Sat 10:00–18:00'
    >>> hours_words("off"), hours_words("open"), hours_words("24/7"), hours_words(None)
    ('closed', 'open, hours not known', '24 hours, every day', 'not known')
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return _HOURS_WORDS["unknown"]
    raw = " ".join(str(text).split())
    if raw.lower() in _HOURS_WORDS:
        return _HOURS_WORDS[raw.lower()]
    words = re.sub(r"\b(Mo|Tu|We|Th|Fr|Sa|Su|PH)\b", lambda m: _DAY_WORDS[m.group(1)], raw)
    return re.sub(r"(?<=[\w:])-(?=[\w])", "–", words).replace(" off", " closed")
