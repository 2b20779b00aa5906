"""Checking what a library caller passed: one name where a list of names is expected, and numbers.

Examples
--------
>>> names("walk", "modes"), names(["walk", "drive"], "modes")
(('walk',), ('walk', 'drive'))
>>> positive(250, "spacing_m")
250.0
>>> is_plain_name("redbridge-2017"), is_plain_name("../x"), is_plain_name("[/]")
(True, False, False)
>>> choose("WALK", ["walk", "cycle", "drive"], "mode")
'walk'
>>> choose("2018-25", ["2013_2017", "2018_2025"], "period", aliases={"2013–17": "2013_2017", "2018–25": "2018_2025"})
'2018_2025'
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from access.core.errors import AccessError, ArgumentError

__all__ = ["names", "positive", "is_plain_name", "PLAIN_NAME", "choose", "folded"]

PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
"""A plain name: letters, digits, '-' and '_', starting with a letter or digit, at most 64 characters.

Study, period, scenario and calibration names are plain: they become folder names, column names and TOML keys.
"""


def is_plain_name(value: Any) -> bool:
    """Return whether ``value`` is a plain name (:data:`PLAIN_NAME`)."""
    return isinstance(value, str) and PLAIN_NAME.match(value) is not None


def names(value: str | Iterable[str] | None, what: str, *, at_least_one: bool = False) -> tuple[str, ...]:
    """``value`` as a tuple of names: a single string is a list of one (``"walk"`` → ``("walk",)``).

    ``None`` is "not given" (an empty tuple, for the caller's default).  With ``at_least_one``,
    an empty list is refused rather than read as "not given": ``modes=[]`` names no mode.

    Raises
    ------
    ArgumentError
        ``value`` is neither a string nor an iterable of strings, or is empty when it may not be.
    """
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    try:
        items = tuple(value)
    except TypeError:
        raise ArgumentError(f"{what} must be a name or a list of names, not {value!r}") from None
    if at_least_one and not items:
        raise ArgumentError(f"{what}=[] names nothing; give at least one, or leave {what} out (None) for the default")
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


_DASHES = str.maketrans({"–": "-", "—": "-", "−": "-", "‐": "-", "‑": "-"})


def folded(text: str) -> str:
    """``text`` as names are compared: case folded, dashes made plain, spaces collapsed.

    >>> folded("  Barking  and Dagenham "), folded("2018–25")
    ('barking and dagenham', '2018-25')
    """
    return " ".join(str(text).translate(_DASHES).casefold().split())


def choose(value: Any, choices: Iterable[str], what: str, *, aliases: Mapping[str, str] | None = None,
           error: type[AccessError] = ArgumentError) -> str:
    """Return the one of ``choices`` that ``value`` names; refuse anything else with a "did you mean".

    ``value`` may be a choice as written, the same without regard to case (and with any
    dash for a dash), or an alias of one (a period's label as printed, ``"2018–25"`` for
    ``2018_2025``; a counter's name for its id).  This is the one rule by which the
    command line and the library match the names of studies, boroughs, modes, periods,
    scenarios and counters.

    Raises
    ------
    error (ArgumentError unless another is given)
        ``value`` names none of ``choices`` (the message names the closest, and every choice
        when there are few), or a folded name or alias fits more than one.
    """
    options = list(dict.fromkeys(choices))
    text = str(value)
    if text in options:
        return text
    key = folded(text)
    found = {option for option in options if folded(option) == key}
    found |= {target for alias, target in (aliases or {}).items() if folded(alias) == key and target in options}
    if len(found) == 1:
        return found.pop()
    if len(found) > 1:
        raise error(f"{what} {text!r} could be any of {', '.join(sorted(found))}; give one exactly")
    spelled = {folded(option): option for option in options}
    spelled.update({folded(alias): alias for alias in aliases or {} if aliases[alias] in options})
    close = [spelled[m] for m in difflib.get_close_matches(key, list(spelled), n=3, cutoff=0.6)]
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    listing = f" (choose from {', '.join(options)})" if len(options) <= 12 else ""
    raise error(f"unknown {what} {text!r}{hint}{listing}".rstrip())
