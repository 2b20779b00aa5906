"""Colours and classes shared by the maps and the report: one legend, one palette.

Examples
--------
>>> class_colour(12, TIME_BINS_MIN, TIME_COLOURS) == TIME_COLOURS[2]
True
>>> class_labels((0, 2, 5))
['≤ 0', '0–2', '2–5', '> 5']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from access.outputs.formats import finite

__all__ = ["TIME_BINS_MIN", "TIME_COLOURS", "CHANGE_BINS_MIN", "CHANGE_COLOURS", "ISOCHRONE_COLOURS",
           "CATCHMENT_COLOURS", "NO_DATA_COLOUR", "COUNTER_STYLES", "class_colour", "class_labels"]

TIME_BINS_MIN: tuple[float, ...] = (5, 10, 15, 20, 30, 45, 60)
"""Upper edges (minutes, inclusive) of the travel-time classes; the last class is open-ended."""

TIME_COLOURS: tuple[str, ...] = (
    "#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84",
)
"""One colour per travel-time class (ColorBrewer YlGnBu), shortest first."""

CHANGE_BINS_MIN: tuple[float, ...] = (0, 2, 5, 10, 20)
"""Upper edges (minutes, inclusive) of the change classes; the last class is open-ended."""

CHANGE_COLOURS: tuple[str, ...] = ("#92c5de", "#fddbc7", "#f4a582", "#d6604d", "#b2182b", "#67001f")
"""One colour per change class: blue for no worse, reds for longer trips."""

ISOCHRONE_COLOURS: dict[int, str] = {15: "#006d2c", 30: "#31a354", 45: "#a1d99b"}
"""Fill of the areas within 15, 30 and 45 minutes of an open counter (other thresholds are grey)."""

CATCHMENT_COLOURS: tuple[str, ...] = (
    "#1f78b4", "#e31a1c", "#33a02c", "#ff7f00", "#6a3d9a", "#b15928", "#a6cee3", "#fb9a99", "#b2df8a",
    "#fdbf6f", "#cab2d6", "#ffff99",
)
"""Catchment fills, one per counter in the order of the counter table (ColorBrewer Paired)."""

NO_DATA_COLOUR = "#bdbdbd"
"""Fill of a polygon whose value is missing or not finite."""

# Counter symbols: (key, fill, outline, radius, legend label)
COUNTER_STYLES: dict[str, tuple[str, str, int, str]] = {
    "kept": ("#1a9641", "#0b3d1a", 8, "open before and after"),
    "opened": ("#1a9641", "#2b83ba", 8, "open after, not before"),
    "closed": ("#bdbdbd", "#d7191c", 8, "closed: open before, not after"),
    "neither": ("#ffffff", "#737373", 5, "open in neither period"),
}


def class_colour(value: Any, edges: Sequence[float], colours: Sequence[str]) -> str:
    """Return the colour of ``value``'s class (upper edges inclusive); :data:`NO_DATA_COLOUR` when not a number."""
    number = finite(value)
    if number is None:
        return NO_DATA_COLOUR
    return colours[int(np.searchsorted(np.asarray(edges, dtype=float), number, side="left"))]



def class_labels(edges: Sequence[float], lowest: str | None = None) -> list[str]:
    """Legend labels of the classes cut at ``edges``: ``≤ a``, ``a–b`` …, ``> z``.

    >>> class_labels((0, 2, 5))
    ['≤ 0', '0–2', '2–5', '> 5']
    """

    def fmt(x: float) -> str:
        return f"{x:g}"

    labels = [lowest if lowest is not None else f"≤ {fmt(edges[0])}"]
    labels += [f"{fmt(lo)}–{fmt(hi)}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
    labels.append(f"> {fmt(edges[-1])}")
    return labels
