"""Reading the street ways of a local OpenStreetMap file into numpy arrays, once for every mode.

pyosmium reads the file (``.osm`` or ``.osm.pbf``) with node locations; its C++
filters pass on only the ways with a ``highway`` tag, and for each of them this
module keeps the node ids, their coordinates and the few tags the modes' way
filters and speeds read (:data:`TAG_KEYS`).  Everything after that is numpy:
:mod:`access.routing.osm_graph` builds each mode's graph from the same
:class:`OsmWays`, so a file is read once however many modes are built from it.

Node references missing from the file (an extract clipped mid-way) are dropped,
so a clipped way ends at its last node inside the extract; a way left with
fewer than two nodes is dropped, as OSMnx's file reader does.

Example
-------
>>> from access.inputs.sources import mirror_file
>>> ways = read_ways(mirror_file("city_of_london_osm"))
>>> ways
OsmWays(city_of_london_2020.osm.pbf: 3,141 highway ways, 12,678 way nodes)
>>> sorted(ways.values("highway"))[:3]
['construction', 'cycleway', 'footway']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from access.core.errors import NetworkError, NetworkFileMissing
from access.routing.osm_filters import FILTER_KEYS

__all__ = ["OsmWays", "read_ways", "existing_osm_file", "TAG_KEYS", "COORDINATE_SCALE"]

TAG_KEYS: tuple[str, ...] = (*FILTER_KEYS, "oneway", "junction", "maxspeed")
"""The tags kept per way: what the filters read, one-way rules and ``maxspeed``."""

COORDINATE_SCALE = 10_000_000
"""OSM coordinates are fixed-point: degrees × 10⁷, as integers (as osmium stores them)."""

_UNDEFINED = 2_147_483_647  # osmium's coordinate of a node that is not in the file


@dataclass(frozen=True, repr=False)
class OsmWays:
    """The highway ways of one OSM file, as arrays.

    Attributes
    ----------
    source
        The file's name, for messages.
    way_id
        OSM id of each way, in file order.
    offsets
        Way *i*'s nodes are ``node_id[offsets[i]:offsets[i + 1]]``.
    node_id
        OSM node ids, way after way (only nodes the file has a location for).
    x_e7, y_e7
        Longitude and latitude of each of those nodes, in degrees × 10⁷ (integers).
    combo
        Each way's combination of the tags kept (a row of ``tags``' codes).
    tags
        Per key of :data:`TAG_KEYS`: each combination's value as a code (``-1``
        where it has no such tag), and the distinct values the codes point to.
    signal_x_e7, signal_y_e7
        Where the file's traffic signals are (nodes tagged ``highway=traffic_signals``
        or ``crossing=traffic_signals``), in degrees × 10⁷; read only within ``bbox``.
    """

    source: str
    way_id: np.ndarray
    offsets: np.ndarray
    node_id: np.ndarray
    x_e7: np.ndarray
    y_e7: np.ndarray
    combo: np.ndarray
    tags: dict[str, tuple[np.ndarray, tuple[str, ...]]]
    signal_x_e7: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    signal_y_e7: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))

    def __repr__(self) -> str:
        return (f"OsmWays({self.source}: {self.n_ways:,} highway ways, {len(self.node_id):,} way nodes)")

    @property
    def n_ways(self) -> int:
        """Number of ways."""
        return len(self.way_id)

    def values(self, key: str) -> tuple[str, ...]:
        """Return the distinct values of tag ``key`` among the ways."""
        return self.tags[key][1]

    def codes(self, key: str) -> np.ndarray:
        """Return each way's value of tag ``key``, as a code into :meth:`values` (``-1`` where it has none)."""
        return self.tags[key][0][self.combo]

    def way_of_node(self) -> np.ndarray:
        """Return the way (row) each entry of ``node_id`` belongs to."""
        return np.repeat(np.arange(self.n_ways), np.diff(self.offsets))


def existing_osm_file(path: Path | str) -> Path:
    """Return ``path`` if it is a file, else raise :class:`NetworkFileMissing` (a ``FileNotFoundError``).

    >>> existing_osm_file("/")
    Traceback (most recent call last):
    ...
    access.core.errors.NetworkFileMissing: OSM file '/' is a folder; give the path to a .osm or .osm.pbf file
    """
    path = Path(path)
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        raise NetworkFileMissing(f"OSM file {str(path)!r} {what}; give the path to a .osm or .osm.pbf file")
    return path


def read_ways(path: Path, bbox: tuple[float, float, float, float] | None = None) -> OsmWays:
    """Read the ways with a ``highway`` tag, and the traffic signals, from a local ``.osm`` or ``.osm.pbf`` file.

    Parameters
    ----------
    path
        The file.
    bbox
        ``(west, south, east, north)`` in degrees: only ways with a node inside are kept.

    Raises
    ------
    NetworkError
        The file does not exist or cannot be read.
    """
    import osmium

    path = existing_osm_file(path)
    keys = TAG_KEYS
    way_ids: list[int] = []
    counts: list[int] = []
    refs: list[int] = []
    xs: list[int] = []
    ys: list[int] = []
    combos: dict[tuple[str | None, ...], int] = {}
    combo_of_way: list[int] = []
    signals: list[tuple[int, int]] = []
    try:
        reader = (osmium.FileProcessor(str(path)).with_locations()
                  .with_filter(osmium.filter.EntityFilter(osmium.osm.NODE | osmium.osm.WAY))
                  .with_filter(osmium.filter.KeyFilter("highway", "crossing")))
        add_ref, add_x, add_y = refs.append, xs.append, ys.append
        for way in reader:
            if way.is_node():
                tags = way.tags
                if tags.get("highway") == "traffic_signals" or tags.get("crossing") == "traffic_signals":
                    signals.append((way.location.x, way.location.y))
                continue
            if "highway" not in way.tags:
                continue
            nodes = way.nodes
            for node in nodes:
                add_ref(node.ref)
                location = node.location
                add_x(location.x)
                add_y(location.y)
            counts.append(len(nodes))
            way_ids.append(way.id)
            get = way.tags.get
            combo_of_way.append(combos.setdefault(tuple([get(key) for key in keys]), len(combos)))
    except (RuntimeError, ValueError, OSError) as exc:
        raise NetworkError(
            f"cannot read OSM file {str(path)!r} ({exc}); check that it is a complete "
            f".osm or .osm.pbf file, e.g. with 'osmium fileinfo'"
        ) from exc

    node_id = np.asarray(refs, dtype=np.int64)
    x = np.asarray(xs, dtype=np.int64)
    y = np.asarray(ys, dtype=np.int64)
    del refs, xs, ys
    way_of = np.repeat(np.arange(len(counts)), counts)
    located = ((x != _UNDEFINED) & (y != _UNDEFINED) & (np.abs(x) <= 180 * COORDINATE_SCALE)
               & (np.abs(y) <= 90 * COORDINATE_SCALE))
    n_located = np.bincount(way_of[located], minlength=len(counts))
    keep_way = n_located >= 2
    if bbox is not None:
        west, south, east, north = bbox
        inside = located & (x >= west * COORDINATE_SCALE) & (x <= east * COORDINATE_SCALE) \
            & (y >= south * COORDINATE_SCALE) & (y <= north * COORDINATE_SCALE)
        keep_way &= np.bincount(way_of[inside], minlength=len(counts)) > 0
    keep_node = located & keep_way[way_of]
    kept_counts = n_located[keep_way]
    offsets = np.zeros(len(kept_counts) + 1, dtype=np.int64)
    np.cumsum(kept_counts, out=offsets[1:])

    table = np.array(list(combos), dtype=object).reshape(len(combos), len(keys))
    tags = {}
    for column, key in enumerate(keys):
        codes, uniques = pd.factorize(table[:, column], use_na_sentinel=True)
        tags[key] = (codes.astype(np.int64), tuple(str(value) for value in uniques))
    signal = np.asarray(signals, dtype=np.int64).reshape(-1, 2)
    if bbox is not None:
        west, south, east, north = bbox
        signal = signal[(signal[:, 0] >= west * COORDINATE_SCALE) & (signal[:, 0] <= east * COORDINATE_SCALE)
                        & (signal[:, 1] >= south * COORDINATE_SCALE) & (signal[:, 1] <= north * COORDINATE_SCALE)]
    return OsmWays(source=path.name, way_id=np.asarray(way_ids, dtype=np.int64)[keep_way], offsets=offsets,
                   node_id=node_id[keep_node], x_e7=x[keep_node].astype(np.int32), y_e7=y[keep_node].astype(np.int32),
                   combo=np.asarray(combo_of_way, dtype=np.int32)[keep_way], tags=tags,
                   signal_x_e7=signal[:, 0].astype(np.int32), signal_y_e7=signal[:, 1].astype(np.int32))
