"""Names and defaults that the library and the command line share, in a module that imports nothing.

Each value is defined here once; the module that uses it (``access.analysis.figures``,
``access.whatif.sweep``, …) imports it from here and lists it in its own ``__all__``, so
``from access.whatif.sweep import RANK_BY`` still works.  The command line reads them from
here to show defaults in ``--help`` without loading pandas, geopandas or folium.

>>> THRESHOLDS_MIN
(10, 20, 30, 45, 60)
>>> STRAIGHT_LINE_MODEL
'straight-line estimate'
"""

from __future__ import annotations

__all__ = ["THRESHOLDS_MIN", "NETWORK_MODEL", "STRAIGHT_LINE_MODEL", "IMPORTED_MODEL", "TRANSIT_MODEL_PREFIX",
           "PUBLIC_TRANSPORT_LIMITS_MIN", "EXPLORER_NAME",
           "DEFAULT_NEAREST", "DEFAULT_SPACING_M", "DEFAULT_MAX_CANDIDATES", "DEFAULT_MAX_SUBSETS", "RANK_BY",
           "DEFAULT_WITHIN_MIN"]

THRESHOLDS_MIN = (10, 20, 30, 45, 60)
"""The thresholds (minutes) of the ``within_<T>`` shares."""

NETWORK_MODEL = "street network"
"""The model name of times routed on a street network."""
STRAIGHT_LINE_MODEL = "straight-line estimate"
"""The model name of times estimated from straight-line distances (no street network could be had)."""
IMPORTED_MODEL = "imported travel times"
"""The model name of times read from a table (r5py, Conveyal, …)."""
TRANSIT_MODEL_PREFIX = "public transport (GTFS"
"""How the model name of public-transport times starts; the rest names the feeds, the date, the window and the
percentile: ``public transport (GTFS: buses.zip, Tue 2024-03-12, 08:00–09:00, median)``."""
PUBLIC_TRANSPORT_LIMITS_MIN = (60, 45)
"""MOPAC's criterion for front counters: residents 60 minutes or more from the nearest open counter by public
transport (decision PCD 284, 2017); its July 2017 consultation used 45 minutes."""

EXPLORER_NAME = "explorer.html"
"""The what-if explorer page's file name, beside the maps."""

DEFAULT_NEAREST = 24
"""Counters the explorer keeps per origin when a study has more: each origin's nearest, plus any its periods and
scenarios need."""

DEFAULT_SPACING_M = 250.0
"""Grid spacing of straight-line candidate sites, metres."""

DEFAULT_MAX_CANDIDATES = 3000
"""More network nodes than this are thinned to an even subset of candidate sites (every n-th node)."""

DEFAULT_MAX_SUBSETS = 200_000
"""The most subsets a sweep evaluates unless told otherwise."""

RANK_BY = {"mean_min": True, "median_min": True, "p90_min": True, "within_30": False, "within_20": False,
           "within_45": False}
"""Figures a sweep can rank by, and whether smaller is better."""

DEFAULT_WITHIN_MIN = 30.0
"""The travel-time limit of the week's shares, minutes, unless another is asked for."""
