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

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from access.outputs.formats import finite

__all__ = ["TIME_BINS_MIN", "TIME_COLOURS", "NO_CHANGE_MIN", "CHANGE_BINS_MIN", "CHANGE_COLOURS", "CHANGE_LABELS",
           "BEFORE_COLOUR", "AFTER_COLOUR", "ISOCHRONE_COLOURS", "CATCHMENT_COLOURS", "NO_DATA_COLOUR",
           "COUNTER_STYLES", "EXPLORER_COUNTER_STYLES", "DISTINCT_IN_LEGEND",
           "DISTINCT_OVER", "delta_e", "class_index", "class_colour", "class_labels"]

TIME_BINS_MIN: tuple[float, ...] = (5, 10, 15, 20, 30, 45, 60)
"""Upper edges (minutes, inclusive) of the travel-time classes; the last class is open-ended."""

TIME_COLOURS: tuple[str, ...] = (
    "#ffffd9", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#253494", "#081d58",
)
"""One colour per travel-time class (eight of ColorBrewer's nine-class YlGnBu, shortest first): its second class
is left out, being too close to the first for a legend (CIEDE2000 8.2)."""

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
    "before": {15: "#762a83", 30: "#9970ab", 45: "#d8b2d8"},
    "after": {15: "#543005", 30: "#8c510a", 45: "#bf812d"},
}
"""Outline and fill of the areas within 15, 30 and 45 minutes of an open counter, before (purples) and after
(browns); other thresholds are grey.  Browns, not oranges: drawn over the change map, oranges ran into its reds
(every pair is at least :data:`DISTINCT_OVER` apart in CIEDE2000, :func:`delta_e`)."""

CATCHMENT_COLOURS: tuple[str, ...] = (
    "#1f78b4", "#e31a1c", "#33a02c", "#ff7f00", "#6a3d9a", "#b15928", "#a6cee3", "#fb9a99", "#b2df8a",
    "#fdbf6f", "#cab2d6", "#ffff99",
)
"""Catchment fills, one per counter in the order of the counter table (ColorBrewer Paired)."""

NO_DATA_COLOUR = "#bdbdbd"
"""Fill of a polygon whose value is missing or not finite."""

COUNTER_STYLES: dict[str, tuple[str, str, int, str]] = {
    "kept": ("#1a9641", "#0b3d1a", 8, "open before and after"),
    "opened": ("#2b83ba", "#08306b", 8, "open after, not before"),
    "closed": ("#bdbdbd", "#d7191c", 8, "closed: open before, not after"),
    "neither": ("#ffffff", "#737373", 5, "open in neither period"),
}
"""Counter symbols on the maps and in the report, by status before → after: (fill, outline, radius, legend label).
Every fill differs from every other (a new counter is blue, not a second green)."""

EXPLORER_COUNTER_STYLES: dict[str, tuple[str, str, str]] = {
    "open": ("#1a9641", "#0b3d1a", "open now (hours known)"),
    "assumed": ("#fee08b", "#0b3d1a", "open now only by assumption: hours not known"),
    "closed_now": ("#ffffff", "#1a9641", "on, but closed at this moment"),
    "off": ("#bdbdbd", "#d7191c", "switched off"),
}
"""Counter symbols of the what-if explorer: (fill, outline, legend label).  A counter counted as open only because
its hours are ``open`` or ``unknown`` is yellow, not the green of a counter whose hours are known."""

DISTINCT_IN_LEGEND = 10.0
"""Least CIEDE2000 difference between any two entries of one legend (the tests check every palette)."""

DISTINCT_OVER = 15.0
"""Least CIEDE2000 difference between an overlay's colour (the isochrones) and any colour of the base maps
(travel time, change) it is drawn over."""


def _lab(colour: str) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of a ``#rrggbb`` sRGB colour."""
    hexa = colour.lstrip("#")
    rgb = [int(hexa[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)
    xyz = ((0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047,
           0.2126729 * r + 0.7151522 * g + 0.0721750 * b,
           (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883)
    fx, fy, fz = (t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29 for t in xyz)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e(first: str | tuple[float, float, float], second: str | tuple[float, float, float]) -> float:
    """CIEDE2000 colour difference between two colours (``#rrggbb``, or L*a*b* triples).

    About 1 is the least difference people notice side by side; legends here keep at least
    :data:`DISTINCT_IN_LEGEND`.

    Examples
    --------
    The first pair of Sharma, Wu and Dalal's test data (2005):

    >>> round(delta_e((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485)), 4)
    2.0425
    >>> round(delta_e("#ffffff", "#000000"), 1)
    100.0
    """
    l1, a1, b1 = _lab(first) if isinstance(first, str) else first
    l2, a2, b2 = _lab(second) if isinstance(second, str) else second
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean ** 7 / (c_mean ** 7 + 25 ** 7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    h1 = math.degrees(math.atan2(b1, a1)) % 360 if c1 else 0.0
    h2 = math.degrees(math.atan2(b2, a2)) % 360 if c2 else 0.0
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    d_l, d_c, d_h = l2 - l1, c2 - c1, 2 * math.sqrt(c1 * c2) * math.sin(math.radians(dh / 2))
    l_mean, c_mean = (l1 + l2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        h_mean = h1 + h2
    elif abs(h1 - h2) <= 180:
        h_mean = (h1 + h2) / 2
    else:
        h_mean = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(h_mean - 30)) + 0.24 * math.cos(math.radians(2 * h_mean))
         + 0.32 * math.cos(math.radians(3 * h_mean + 6)) - 0.20 * math.cos(math.radians(4 * h_mean - 63)))
    rotation = 30 * math.exp(-(((h_mean - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(c_mean ** 7 / (c_mean ** 7 + 25 ** 7))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    s_c, s_h = 1 + 0.045 * c_mean, 1 + 0.015 * c_mean * t
    r_t = -math.sin(math.radians(2 * rotation)) * r_c
    return math.sqrt((d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2 + r_t * (d_c / s_c) * (d_h / s_h))


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
