"""Colours and classes shared by the maps and the report: one legend, one palette.

Examples
--------
>>> class_colour(12, TIME_BINS_MIN, TIME_COLOURS) == TIME_COLOURS[2]
True
>>> class_labels((0, 2, 5))
['≤ 0', '0–2', '2–5', '> 5']
>>> [class_colour(m, CHANGE_BINS_MIN, CHANGE_LABELS) for m in (-3, 0.0, 0.04, 1.5, 25)]
['shorter', 'no change', 'no change', 'up to 2', 'more than 20']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from access.outputs.formats import finite

__all__ = ["TIME_BINS_MIN", "TIME_COLOURS", "NO_CHANGE_MIN", "CHANGE_BINS_MIN", "CHANGE_COLOURS", "CHANGE_LABELS",
           "BEFORE_COLOUR", "AFTER_COLOUR", "ISOCHRONE_COLOURS", "CATCHMENT_COLOURS", "NO_DATA_COLOUR",
           "COUNTER_STYLES", "class_index", "class_colour", "class_labels"]

TIME_BINS_MIN: tuple[float, ...] = (5, 10, 15, 20, 30, 45, 60)
"""Upper edges (minutes, inclusive) of the travel-time classes; the last class is open-ended."""

TIME_COLOURS: tuple[str, ...] = (
    "#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84",
)
"""One colour per travel-time class (ColorBrewer YlGnBu), shortest first."""

NO_CHANGE_MIN = 0.05
"""A change smaller than this either way (three seconds) is "no change": it reads as ±0.0 minutes."""

CHANGE_BINS_MIN: tuple[float, ...] = (-NO_CHANGE_MIN, NO_CHANGE_MIN, 2, 5, 10, 20)
"""Upper edges (minutes, inclusive) of the change classes: shorter, no change, then longer trips; the last class
is open-ended."""

CHANGE_COLOURS: tuple[str, ...] = ("#4393c3", "#f7f7f7", "#fddbc7", "#f4a582", "#d6604d", "#b2182b", "#67001f")
"""One colour per change class: blue for shorter, a neutral near-white for no change, reds for longer trips."""

CHANGE_LABELS: tuple[str, ...] = ("shorter", "no change", "up to 2", "2–5", "5–10", "10–20", "more than 20")
"""Legend labels of the change classes (minutes longer, after − before)."""

BEFORE_COLOUR = "#5e3c99"
"""The "before" period wherever the two are drawn together: report curves, isochrone outlines (purple)."""

AFTER_COLOUR = "#e66101"
"""The "after" period wherever the two are drawn together (orange): purple and orange stay apart for
colour-blind readers and from the blue–green travel-time and red change palettes."""

ISOCHRONE_COLOURS: dict[str, dict[int, str]] = {
    "before": {15: "#3f007d", 30: "#6a51a3", 45: "#bcbddc"},
    "after": {15: "#7f2704", 30: "#e66101", 45: "#fdb863"},
}
"""Fill of the areas within 15, 30 and 45 minutes of an open counter, before (purples) and after (oranges);
other thresholds are grey."""

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


def class_index(value: Any, edges: Sequence[float]) -> int | None:
    """Return the index of ``value``'s class (upper edges inclusive), or ``None`` when it is not a number.

    >>> class_index(12, TIME_BINS_MIN), class_index(float("nan"), TIME_BINS_MIN)
    (2, None)
    """
    number = finite(value)
    return None if number is None else int(np.searchsorted(np.asarray(edges, dtype=float), number, side="left"))


def class_colour(value: Any, edges: Sequence[float], colours: Sequence[str]) -> str:
    """Return the colour of ``value``'s class (upper edges inclusive); :data:`NO_DATA_COLOUR` when not a number."""
    index = class_index(value, edges)
    return NO_DATA_COLOUR if index is None else colours[index]


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
