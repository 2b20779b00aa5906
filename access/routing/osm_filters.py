"""Which OpenStreetMap ways make each mode's network: OSMnx's own way filters, as data.

OSMnx defines each network type (``walk``, ``bike``, ``drive``) as an Overpass way
filter such as ``["highway"]["area"!~"yes"]["foot"!~"no"]``.  The strings below
are OSMnx 2's, copied so that reading a local file needs no OSMnx at all;
``tests/test_osm_filters.py`` checks that they are still the installed OSMnx's.
Each clause is ``["key"]`` (the tag is present), ``["key"~"regex"]`` (present and
matching) or ``["key"!~"regex"]`` (absent or not matching); a way is kept when
every clause holds.  :func:`way_filter` tests one way's tags;
:func:`way_mask` tests many ways at once, each distinct tag value once.

Example
-------
>>> keep = way_filter("drive")
>>> keep({"highway": "residential"}), keep({"highway": "footway"}), keep({"highway": "service"})
(True, False, False)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from access.core.errors import NetworkError

__all__ = ["WAY_FILTERS", "FILTER_KEYS", "Clause", "clauses", "way_filter", "way_mask"]

WAY_FILTERS: dict[str, str] = {
    "walk": ('["highway"]["area"!~"yes"]["access"!~"private"]'
             '["highway"!~"abandoned|bus_guideway|construction|cycleway|motor|no|planned|platform|proposed|raceway|'
             'razed|rest_area|services"]["foot"!~"no"]["service"!~"private"]["sidewalk"!~"separate"]'
             '["sidewalk:both"!~"separate"]["sidewalk:left"!~"separate"]["sidewalk:right"!~"separate"]'),
    "bike": ('["highway"]["area"!~"yes"]["access"!~"private"]'
             '["highway"!~"abandoned|bus_guideway|construction|corridor|elevator|escalator|footway|motor|no|planned|'
             'platform|proposed|raceway|razed|rest_area|services|steps"]["bicycle"!~"no"]["service"!~"private"]'),
    "drive": ('["highway"]["area"!~"yes"]["access"!~"private"]'
              '["highway"!~"abandoned|bridleway|bus_guideway|construction|corridor|cycleway|elevator|escalator|'
              'footway|no|path|pedestrian|planned|platform|proposed|raceway|razed|rest_area|service|services|steps|'
              'track"]["motor_vehicle"!~"no"]["motorcar"!~"no"]'
              '["service"!~"alley|driveway|emergency_access|parking|parking_aisle|private"]'),
}
"""OSMnx 2's Overpass way filter per network type (``osmnx._overpass._get_network_filter``)."""

_CLAUSE = re.compile(r'\["([^"]+)"(?:(!?~)"([^"]*)")?\]')

Clause = tuple[str, str, "re.Pattern[str] | None"]
"""One clause: the key, the operator (``""`` present, ``"~"`` matches, ``"!~"`` does not match), the regex."""


def clauses(network_type: str) -> list[Clause]:
    """Return the clauses of ``network_type``'s filter.

    Raises
    ------
    NetworkError
        The network type is unknown, or its filter uses syntax this reader cannot follow.
    """
    if network_type not in WAY_FILTERS:
        raise NetworkError(f"unknown network type {network_type!r}; choose from {', '.join(WAY_FILTERS)}")
    text = WAY_FILTERS[network_type]
    if "".join(m.group(0) for m in _CLAUSE.finditer(text)) != text:
        raise NetworkError(f"the way filter for {network_type!r} uses syntax access cannot read: {text}")
    return [(key, op, re.compile(value) if op else None) for key, op, value in _CLAUSE.findall(text)]


FILTER_KEYS: tuple[str, ...] = tuple(dict.fromkeys(key for network_type in WAY_FILTERS
                                                   for key, _, _ in clauses(network_type)))
"""Every tag key some filter reads."""


def _holds(op: str, pattern: re.Pattern[str] | None, value: str | None) -> bool:
    if op == "":
        return value is not None
    if op == "~":
        return value is not None and bool(pattern.search(value))  # type: ignore[union-attr]
    return value is None or not pattern.search(value)  # type: ignore[union-attr]


def way_filter(network_type: str) -> Callable[[Mapping[str, str]], bool]:
    """Return a predicate on one way's tags: True when the way belongs to ``network_type``'s network."""
    checks = clauses(network_type)

    def keep(tags: Mapping[str, str]) -> bool:
        return all(_holds(op, pattern, tags.get(key)) for key, op, pattern in checks)

    return keep


def way_mask(network_type: str, tags: Mapping[str, tuple[np.ndarray, Sequence[str]]], n_ways: int) -> np.ndarray:
    """Return one boolean per way: True when it belongs to ``network_type``'s network.

    Parameters
    ----------
    network_type
        ``walk``, ``bike`` or ``drive``.
    tags
        Per key, the ways' values as codes (``-1`` where the way has no such tag)
        and the distinct values the codes point to.  A key missing here is
        taken as absent on every way.
    n_ways
        Number of ways.

    Examples
    --------
    >>> codes = {"highway": (np.array([0, 1, 0]), ["residential", "footway"]),
    ...          "access": (np.array([-1, -1, 0]), ["private"])}
    >>> way_mask("drive", codes, 3).tolist()
    [True, False, False]
    """
    keep = np.ones(n_ways, dtype=bool)
    for key, op, pattern in clauses(network_type):
        codes, values = tags.get(key, (np.full(n_ways, -1), ()))
        # one verdict per distinct value, the last slot for "no such tag" (code -1)
        verdict = np.array([_holds(op, pattern, value) for value in values] + [_holds(op, pattern, None)])
        keep &= verdict[codes]
    return keep
