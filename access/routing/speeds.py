"""Drive speeds per edge: its ``maxspeed`` tag, or a default for its highway type, as OSMnx sets them.

:func:`clean_maxspeed` reads one ``maxspeed`` value (``"30 mph"``, ``"50"``,
``"40|30"`` per lane, or an implicit value such as ``"UK:nsl_single"``) as
OSMnx's ``add_edge_speeds`` does; :func:`edge_speeds` then gives every edge a
speed: its own ``maxspeed`` where it has a readable one, else the speed of its
highway type in the table given (for London, :data:`access.core.modes.UK_HIGHWAY_SPEEDS_KMH`),
else the mean ``maxspeed`` of the network's edges of that type, else the fallback.
``tests/test_speeds.py`` checks both against OSMnx.

Example
-------
>>> clean_maxspeed("20 mph"), clean_maxspeed("50"), clean_maxspeed("UK:nsl_single"), clean_maxspeed("signals")
(32.1868, 50.0, 96.56, None)
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["clean_maxspeed", "merged_maxspeed", "edge_speeds", "IMPLICIT_MAXSPEEDS"]

MILES_TO_KM = 1.60934
"""OSMnx's factor for ``mph`` values."""

_PATTERN = re.compile(r"^([0-9][\.,0-9]*?)(?:[ ]?(?:km/h|kmh|kph|mph|knots))?$")

IMPLICIT_MAXSPEEDS: dict[str, float] = {
    "AR:rural": 110.0, "AR:urban": 40.0, "AR:urban:primary": 60.0, "AR:urban:secondary": 60.0,
    "AT:bicycle_road": 30.0, "AT:motorway": 130.0, "AT:rural": 100.0, "AT:trunk": 100.0, "AT:urban": 50.0,
    "BE-BRU:rural": 70.0, "BE-BRU:urban": 30.0, "BE-VLG:rural": 70.0, "BE-VLG:urban": 50.0, "BE-WAL:rural": 90.0,
    "BE-WAL:urban": 50.0, "BE:cyclestreet": 30.0, "BE:living_street": 20.0, "BE:motorway": 120.0, "BE:trunk": 120.0,
    "BE:zone30": 30.0, "BG:living_street": 20.0, "BG:motorway": 140.0, "BG:rural": 90.0, "BG:trunk": 120.0,
    "BG:urban": 50.0, "BY:living_street": 20.0, "BY:motorway": 110.0, "BY:rural": 90.0, "BY:urban": 60.0,
    "CA-AB:rural": 90.0, "CA-AB:urban": 65.0, "CA-BC:rural": 80.0, "CA-BC:urban": 50.0, "CA-MB:rural": 90.0,
    "CA-MB:urban": 50.0, "CA-ON:rural": 80.0, "CA-ON:urban": 50.0, "CA-QC:motorway": 100.0, "CA-QC:rural": 75.0,
    "CA-QC:urban": 50.0, "CA-SK:nsl": 80.0, "CH:motorway": 120.0, "CH:rural": 80.0, "CH:trunk": 100.0,
    "CH:urban": 50.0, "CZ:living_street": 20.0, "CZ:motorway": 130.0, "CZ:pedestrian_zone": 20.0, "CZ:rural": 90.0,
    "CZ:trunk": 110.0, "CZ:urban": 50.0, "CZ:urban_motorway": 80.0, "CZ:urban_trunk": 80.0, "DE:bicycle_road": 30.0,
    "DE:living_street": 15.0, "DE:motorway": 120.0, "DE:rural": 80.0, "DE:urban": 50.0, "DK:motorway": 130.0,
    "DK:rural": 80.0, "DK:urban": 50.0, "EE:rural": 90.0, "EE:urban": 50.0, "ES:living_street": 20.0,
    "ES:motorway": 120.0, "ES:rural": 90.0, "ES:trunk": 90.0, "ES:urban": 50.0, "ES:zone30": 30.0,
    "FI:motorway": 120.0, "FI:rural": 80.0, "FI:trunk": 100.0, "FI:urban": 50.0, "FR:motorway": 120.0,
    "FR:rural": 80.0, "FR:urban": 50.0, "FR:zone30": 30.0, "GB:nsl_restricted": 48.28, "GR:motorway": 130.0,
    "GR:rural": 90.0, "GR:trunk": 110.0, "GR:urban": 50.0, "HU:living_street": 20.0, "HU:motorway": 130.0,
    "HU:rural": 90.0, "HU:trunk": 110.0, "HU:urban": 50.0, "IT:motorway": 130.0, "IT:rural": 90.0, "IT:trunk": 110.0,
    "IT:urban": 50.0, "JP:express": 100.0, "JP:nsl": 60.0, "LT:rural": 90.0, "LT:urban": 50.0, "NO:rural": 80.0,
    "NO:urban": 50.0, "PH:express": 100.0, "PH:rural": 80.0, "PH:urban": 30.0, "PT:motorway": 120.0,
    "PT:rural": 90.0, "PT:trunk": 100.0, "PT:urban": 50.0, "RO:motorway": 130.0, "RO:rural": 90.0, "RO:trunk": 100.0,
    "RO:urban": 50.0, "RS:living_street": 10.0, "RS:motorway": 130.0, "RS:rural": 80.0, "RS:trunk": 100.0,
    "RS:urban": 50.0, "RU:living_street": 20.0, "RU:motorway": 110.0, "RU:rural": 90.0, "RU:urban": 60.0,
    "SE:rural": 70.0, "SE:urban": 50.0, "SI:motorway": 130.0, "SI:rural": 90.0, "SI:trunk": 110.0, "SI:urban": 50.0,
    "SK:living_street": 20.0, "SK:motorway": 130.0, "SK:motorway_urban": 90.0, "SK:rural": 90.0, "SK:trunk": 90.0,
    "SK:urban": 50.0, "TR:living_street": 20.0, "TR:motorway": 130.0, "TR:rural": 90.0, "TR:trunk": 110.0,
    "TR:urban": 50.0, "TR:zone30": 30.0, "UA:living_street": 20.0, "UA:motorway": 130.0, "UA:rural": 90.0,
    "UA:trunk": 110.0, "UA:urban": 50.0, "UK:motorway": 112.65, "UK:nsl_dual": 112.65, "UK:nsl_single": 96.56,
    "UZ:living_street": 30.0, "UZ:motorway": 110.0, "UZ:rural": 100.0, "UZ:urban": 70.0,
}
"""Implicit ``maxspeed`` values in km/h, as OSMnx 2 reads them (its ``routing._IMPLICIT_MAXSPEEDS``, MIT licence)."""


def clean_maxspeed(value: str) -> float | None:
    """Return a ``maxspeed`` tag's value in km/h, or ``None`` when it is not a speed.

    Values per lane (``"40|30"``) give their mean; ``mph`` is converted; other
    units are taken as km/h, as OSM's default.  A value that is not a number is
    looked up in :data:`IMPLICIT_MAXSPEEDS`.
    """
    try:
        cleaned = []
        for part in value.split("|"):
            match = _PATTERN.match(part)
            number = float(match.group(1).replace(",", "."))  # type: ignore[union-attr]
            if "mph" in value.lower():
                number = number * MILES_TO_KM
            cleaned.append(number)
        return float(np.mean(cleaned))
    except (ValueError, AttributeError):
        return IMPLICIT_MAXSPEEDS.get(value)


def merged_maxspeed(values: Sequence[str]) -> float:
    """Return the speed (km/h) of an edge merged from segments with these distinct ``maxspeed`` values (NaN for none).

    One value is read as it is; several give the mean of those readable, as
    OSMnx's simplified edges do.  OSMnx keeps several values in the order of a
    Python set, which depends on string hashing; here they are taken sorted, one
    of those orders, so the result never depends on the process.
    """
    if not values:
        return math.nan
    if len(values) == 1:
        speed = clean_maxspeed(values[0])
        return math.nan if speed is None else speed
    readable = [speed for speed in (clean_maxspeed(v) for v in sorted(values)) if speed is not None]
    if not readable:
        return math.nan
    mean = float(np.mean(readable))
    speed = clean_maxspeed(str(mean))  # OSMnx writes the mean as text and reads it again
    return math.nan if speed is None else speed


def edge_speeds(highway: np.ndarray, maxspeed_kmh: np.ndarray, hwy_speeds: Mapping[str, float],
                fallback: float) -> np.ndarray:
    """Return every edge's speed in km/h, as ``osmnx.routing.add_edge_speeds(hwy_speeds=..., fallback=...)`` sets it.

    Parameters
    ----------
    highway
        Each edge's highway type (strings).
    maxspeed_kmh
        Each edge's readable ``maxspeed`` in km/h, NaN where it has none.
    hwy_speeds
        Speeds of highway types, for edges without a ``maxspeed``.
    fallback
        The speed of a type neither in ``hwy_speeds`` nor with any ``maxspeed`` in the network.

    Examples
    --------
    >>> edge_speeds(np.array(["residential", "residential", "service", "service", "track"]),
    ...             np.array([48.0, np.nan, 20.0, np.nan, np.nan]), {"residential": 32.0}, 25.0).tolist()
    [48.0, 32.0, 20.0, 20.0, 25.0]
    """
    highway = np.asarray(highway, dtype=object)
    speed = np.asarray(maxspeed_kmh, dtype=float).copy()
    types, of_edge = np.unique(highway.astype(str), return_inverse=True)
    by_type = np.empty(len(types))
    for i, kind in enumerate(types):
        if kind in hwy_speeds and not math.isnan(hwy_speeds[kind]):
            by_type[i] = hwy_speeds[kind]
            continue
        seen = speed[of_edge == i]
        seen = seen[~np.isnan(seen)]
        by_type[i] = seen.mean() if len(seen) else fallback
    missing = np.isnan(speed)
    speed[missing] = by_type[of_edge[missing]]
    return speed
