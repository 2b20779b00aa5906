"""The one routing entry point: travel times from a study's origins to any counters, per mode.

A :class:`Router` belongs to one study area and one choice of network source
(a local OSM file, the cache, Overpass, or none).  It loads each mode's
street network once and keeps it, and its :meth:`Router.times` serves every
caller: the study's own counters (``access run``), hypothetical counters
(scenarios), candidate sites (siting) and, through the network it keeps,
isochrones.  When no network can be had, the times are the labelled
straight-line estimate, and the reason is kept with them.

The ``transit`` mode (a study's ``[transit]`` table) is routed here too, by
:func:`access.routing.transit.transit_times`: its walks go on the walk network
when one can be had, else they are the walking straight-line estimate (and the
times say so); the timetable of the date is read once per router, and cached
on disk (:func:`access.inputs.gtfs.cached_timetable`), so a new counter costs
one more profile search, not another reading of the feeds.

Example
-------
>>> import numpy as np
>>> router = Router(crs="EPSG:27700", area_wgs84=None, origin_xy=np.array([[545000., 187000.]]),
...                 max_snap_m=500, offline=True)
>>> times = router.times("walk", np.array([[545000., 188000.]]))
>>> times.model, round(float(times.minutes[0, 0]), 1)
('straight-line estimate', 16.9)
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from shapely.geometry.base import BaseGeometry

from access.core.budget import FLOAT_BYTES, require
from access.core.errors import NetworkUnavailable, ScenarioError
from access.core.modes import mode_name
from access.core.tripcosts import DEFAULT_DRIVE, DEFAULT_WALK, DriveCosts, WalkCosts
from access.inputs.calibrations import DEFAULT_CALIBRATION, get_calibration
from access.inputs.gtfs import Timetable, cached_timetable, parse_clock
from access.inputs.transit_spec import TRANSIT_MODE, TransitSpec
from access.routing.costs import costed_network
from access.routing.dijkstra import ChunkCallback
from access.routing.network import StreetNetwork, get_network
from access.routing.osm_graph import osm_bbox
from access.routing.osm_read import OsmWays, read_ways
from access.routing.travel import TravelTimes, network_times, straight_line_times

__all__ = ["Router"]

log = logging.getLogger(__name__)


class Router:
    """Street networks for one study area, loaded once per mode, and travel times on them.

    Parameters
    ----------
    crs
        The study's projected CRS (metres); every coordinate given is in it.
    area_wgs84
        The network area in WGS84: what is downloaded, or cut from ``osm_file``.
    origin_xy
        The origins (n × 2), fixed for the router's life.
    max_snap_m
        Origins farther than this from a network are flagged.
    osm_file, osm_file_sha256
        A local ``.osm``/``.osm.pbf`` file for the networks, and its sha256 when known.
    offline
        Never download; without a file or a cached network, estimate.
    use_cache
        Read and write the network cache.
    networks
        Networks already built, by mode; they are used as they are.
    imported
        Modes whose times were imported (name → where from): nothing can be routed in them.
    calibration
        The straight-line estimate's calibration (``data/detour_factors.toml``),
        for modes with no network.
    drive, walk
        The trip-cost model's numbers (:mod:`access.core.tripcosts`): both the
        street networks (:func:`access.routing.costs.costed_network`) and the
        estimate are priced by them.
    transit, transit_feeds
        The ``transit`` mode's definition, and its feeds' files (the ``[transit]`` feeds resolved), if any.

    Examples
    --------
    >>> import access
    >>> study = access.load_study("redbridge-2017")
    >>> router = Router(crs=study.config.crs, area_wgs84=None, origin_xy=study.places.origin_xy, max_snap_m=500,
    ...                 offline=True)
    >>> router.times("walk", study.places.counter_xy).minutes.shape
    (10, 4599)
    """

    def __init__(self, *, crs: str, area_wgs84: BaseGeometry | None, origin_xy: np.ndarray, max_snap_m: float,
                 osm_file: Path | None = None, osm_file_sha256: str | None = None, offline: bool = False,
                 use_cache: bool = True, networks: dict[str, StreetNetwork] | None = None,
                 imported: dict[str, str] | None = None, calibration: str = DEFAULT_CALIBRATION,
                 drive: DriveCosts = DEFAULT_DRIVE, walk: WalkCosts = DEFAULT_WALK,
                 transit: TransitSpec | None = None, transit_feeds: Sequence[Path] = ()) -> None:
        self.crs = crs
        self.area_wgs84 = area_wgs84
        self.origin_xy = np.asarray(origin_xy, dtype=float)
        self.max_snap_m = max_snap_m
        self.osm_file = osm_file
        self.osm_file_sha256 = osm_file_sha256
        self.offline = offline
        self.use_cache = use_cache
        self.calibration = calibration
        self.drive = drive
        self.walk = walk
        self._priced: dict[str, StreetNetwork] = {}
        self._networks: dict[str, StreetNetwork | NetworkUnavailable] = dict(networks or {})
        self.imported = dict(imported or {})
        self.transit = transit
        self.transit_feeds = [Path(feed) for feed in transit_feeds] or (
            [Path(feed) for feed in transit.feeds] if transit is not None else [])
        self._ways: OsmWays | None = None
        self._timetable: Timetable | None = None

    def priced(self, mode: str) -> StreetNetwork:
        """Return the mode's street network with each edge's time as the trip-cost model prices it.

        Raises
        ------
        NetworkUnavailable
            None can be had (see :meth:`network`).
        """
        if mode not in self._priced:
            self._priced[mode] = costed_network(self.network(mode), drive=self.drive, walk=self.walk)
        return self._priced[mode]

    def __repr__(self) -> str:
        source = (f"file {self.osm_file.name}" if self.osm_file is not None
                  else "cache only" if self.offline else "cache or Overpass")
        loaded = ", ".join(f"{m}: {n.n_nodes:,} nodes" if isinstance(n, StreetNetwork) else f"{m}: none"
                           for m, n in self._networks.items())
        return f"Router({source}; {len(self.origin_xy):,} origins; {loaded or 'no network loaded yet'})"

    def network(self, mode: str) -> StreetNetwork:
        """Return the mode's street network, loaded (or built, or downloaded) on first use and kept.

        Raises
        ------
        NetworkUnavailable
            None can be had; the same answer is given again without retrying.
        """
        if mode in self.imported:
            raise ScenarioError(f"mode {mode!r} has imported travel times ({self.imported[mode]}): access cannot "
                                f"route new counters or candidate sites in it; use walk, cycle or drive for those")
        if mode == TRANSIT_MODE and self.transit is not None:
            raise NetworkUnavailable("public transport runs on timetables, not on a street network of its own "
                                     "(its walks use the walk network)")
        mode = mode_name(mode)
        if mode not in self._networks:
            try:
                self._networks[mode] = get_network(
                    mode, crs=self.crs, area_wgs84=self.area_wgs84, osm_file=self.osm_file,
                    osm_file_sha256=self.osm_file_sha256, allow_download=not self.offline,
                    use_cache=self.use_cache, osm_ways=self._file_ways)
            except NetworkUnavailable as exc:
                log.warning("%s: no street network (%s); using the straight-line estimate", mode, exc)
                self._networks[mode] = exc
        found = self._networks[mode]
        if isinstance(found, NetworkUnavailable):
            raise found
        return found

    def _file_ways(self) -> OsmWays:
        """Return the OSM file's highway ways near the area, read once for every mode built from the file."""
        if self._ways is None:
            self._ways = read_ways(self.osm_file, bbox=osm_bbox(self.area_wgs84))
        return self._ways

    def times(self, mode: str, counter_xy: np.ndarray, *, counter_names: Sequence[str] | None = None,
              on_chunk: ChunkCallback | None = None) -> TravelTimes:
        """Minutes from every origin to every point of ``counter_xy`` (counters × origins), for ``mode``.

        On the mode's street network when one can be had, else the
        straight-line estimate with the reason in ``unavailable``.  ``on_chunk``
        is called with (chunks done, chunks in all) as the counters are routed.

        Raises
        ------
        OffNetworkError
            A counter lies more than 1 km from the network (``counter_names`` name it).
        """
        counter_xy = np.asarray(counter_xy, dtype=float).reshape(-1, 2)
        require(len(counter_xy) * len(self.origin_xy) * FLOAT_BYTES * (5 if mode == TRANSIT_MODE else 3),
                f"the {mode} matrix of {len(counter_xy):,} counters × {len(self.origin_xy):,} origins",
                "route fewer counters or origins at a time")
        if mode == TRANSIT_MODE and self.transit is not None:
            return self._transit_times(counter_xy)
        try:
            network = self.priced(mode)  # (an imported mode: a ScenarioError saying why not)
        except NetworkUnavailable as exc:
            calibration = get_calibration(self.calibration, mode).priced(drive=self.drive, walk=self.walk)
            return straight_line_times(mode, counter_xy, self.origin_xy, calibration, unavailable=str(exc))
        return network_times(network, counter_xy, self.origin_xy, max_snap_m=self.max_snap_m,
                             counter_names=counter_names, on_chunk=on_chunk,
                             drive=self.drive if mode == "drive" else None)

    def timetable(self) -> Timetable:
        """Return the ``transit`` mode's timetable: read once per router, and from the cache when it holds it.

        It covers the window's start to its last departure plus ``max_minutes``, the span the router needs.

        Raises
        ------
        FeedError
            A feed cannot be read, or runs nothing on the date.
        """
        if self.transit is None:
            raise ScenarioError("this study has no [transit] table, so no timetable to read; add one")
        if self._timetable is None:
            spec = self.transit
            start, end = (parse_clock(value) for value in spec.window)
            last = start + 60 * ((end - start + 59) // 60 - 1)
            self._timetable = cached_timetable(self.transit_feeds, spec.date, start_s=start,
                                               end_s=last + int(round(spec.max_minutes * 60)),
                                               use_cache=self.use_cache)
        return self._timetable

    def _transit_times(self, counter_xy: np.ndarray) -> TravelTimes:
        """Public-transport minutes to ``counter_xy``: walks on the walk network, or the walking estimate."""
        from access.routing.transit import transit_times

        spec = self.transit
        # Public transport's walks are at a steady speed, with no waits at crossings (as R5's are), on the
        # network and in the estimate alike; the walk mode's own times wait at signals.
        try:
            walk, unavailable, calibration = self.network("walk"), None, None
        except NetworkUnavailable as exc:
            walk, unavailable = None, str(exc)
            steady = dataclasses.replace(self.walk, signal_s=0.0)
            calibration = get_calibration(self.calibration, "walk").priced(drive=self.drive, walk=steady)
        times = transit_times(self.timetable(), counter_xy, self.origin_xy, crs=self.crs, walk_network=walk,
                              calibration=calibration, **spec.options())
        return times.travel_times(spec.percentile, max_snap_m=self.max_snap_m, unavailable=unavailable)
