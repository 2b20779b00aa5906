"""Checking what a library caller passed: one name where a list of names is expected, and numbers.

Examples
--------
>>> names("walk", "modes"), names(["walk", "drive"], "modes")
(('walk',), ('walk', 'drive'))
>>> positive(250, "spacing_m")
250.0
>>> is_plain_name("redbridge-2017"), is_plain_name("../x"), is_plain_name("[/]")
(True, False, False)
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from access.core.errors import ArgumentError

__all__ = ["names", "positive", "is_plain_name", "PLAIN_NAME"]

PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
"""A plain name: letters, digits, '-' and '_', starting with a letter or digit, at most 64 characters.

Study, period, scenario and calibration names are plain: they become folder names, column names and TOML keys.
"""


def is_plain_name(value: Any) -> bool:
    """Return whether ``value`` is a plain name (:data:`PLAIN_NAME`)."""
    return isinstance(value, str) and PLAIN_NAME.match(value) is not None


def names(value: str | Iterable[str] | None, what: str) -> tuple[str, ...]:
    """``value`` as a tuple of names: a single string is a list of one (``"walk"`` → ``("walk",)``).

    Raises
    ------
    ArgumentError
        ``value`` is neither a string nor an iterable of strings.
    """
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    try:
        items = tuple(value)
    except TypeError:
        raise ArgumentError(f"{what} must be a name or a list of names, not {value!r}") from None
    bad = [item for item in items if not isinstance(item, str)]
    if bad:
        raise ArgumentError(f"{what} must be a name or a list of names; {bad[0]!r} is a {type(bad[0]).__name__}")
    return items


def positive(value: Any, what: str) -> float:
    """``value`` as a finite positive float.

    Raises
    ------
    ArgumentError
        ``value`` is not a number, or is NaN, infinite, zero or negative.
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ArgumentError(f"{what} must be a positive number, not {value!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise ArgumentError(f"{what} must be a finite positive number, not {value!r}")
    return number
