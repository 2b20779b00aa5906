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
from typing import Any

__all__ = ["CSV_FLOAT_FORMAT", "NOT_A_NUMBER", "finite", "minutes", "percent", "points", "count", "signed", "escape"]

CSV_FLOAT_FORMAT = "%.10g"
"""How every CSV writes floats: ten significant digits, so counts of residents (London: 8,173,941)
stay exact and the same numbers give the same bytes."""

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


def escape(value: Any) -> str:
    """Any value as text safe inside HTML (element content or a quoted attribute).

    >>> escape('<b class="x">')
    '&lt;b class=&quot;x&quot;&gt;'
    """
    return html.escape(str(value), quote=True)
