"""Travel modes: one row of a table each, not a branch of code."""

from __future__ import annotations

from dataclasses import dataclass

from access.core.arguments import choose
from access.core.errors import StudyError

__all__ = ["Mode", "MODES", "mode_name", "WALK_KMH", "WALK_M_PER_MIN", "UK_HIGHWAY_SPEEDS_KMH"]

WALK_KMH = 4.8
"""Walking speed, also used for every off-network leg (door to the nearest street node)."""
WALK_M_PER_MIN = WALK_KMH * 1000 / 60
"""Walking speed in metres per minute: the speed of every snap leg (point to street node)."""

UK_HIGHWAY_SPEEDS_KMH: dict[str, float] = {
    # Free-flow speeds for drive edges with no usable maxspeed tag: UK national
    # limits, with London's urban 30 mph (48 km/h) and common 20 mph (32 km/h) zones.
    "motorway": 96.0, "motorway_link": 64.0,
    "trunk": 64.0, "trunk_link": 48.0,
    "primary": 48.0, "primary_link": 48.0,
    "secondary": 48.0, "secondary_link": 48.0,
    "tertiary": 48.0, "tertiary_link": 48.0,
    "unclassified": 40.0, "residential": 32.0,
    "living_street": 16.0, "road": 32.0, "busway": 32.0,
}


@dataclass(frozen=True)
class Mode:
    """How one mode travels.

    Attributes
    ----------
    name
        ``walk``, ``cycle`` or ``drive``.
    network_type
        The OSMnx network type whose way filter defines the mode's streets.
    speed_kmh
        Constant speed on every edge, or ``None`` for speeds from ``maxspeed``.
    bidirectional
        True where one-way restrictions do not apply (walking).
    """

    name: str
    network_type: str
    speed_kmh: float | None
    bidirectional: bool
    label: str


MODES: dict[str, Mode] = {
    "walk": Mode("walk", "walk", WALK_KMH, True, "on foot"),
    "cycle": Mode("cycle", "bike", 15.0, False, "by bike"),
    "drive": Mode("drive", "drive", None, False, "by car"),
}


def mode_name(value: str) -> str:
    """Return the mode ``value`` names, without regard to case (``"Walk"`` → ``"walk"``).

    >>> mode_name("DRIVE")
    'drive'

    Raises
    ------
    StudyError
        ``value`` is not a mode (the message names the closest and lists them).
    """
    return choose(value, MODES, "mode", error=StudyError)
