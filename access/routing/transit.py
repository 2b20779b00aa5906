"""Public transport from GTFS timetables: counter × origin minutes over a window of departure minutes.

The model, whose rules are written here once (``docs/explanation/transit.md`` explains them at length):

- **A trip** leaves home at a departure minute, walks to a stop, rides one or
  more vehicles, and walks to the counter; or walks all the way.  Walking
  straight to the counter always counts, whatever its length (nobody takes a
  bus when walking is quicker), limited only by ``max_minutes``.
- **Departure window.**  Residents leave home at every whole minute from the
  window's start up to (not including) its end: 08:00, 08:01, …, 08:59 for
  ``("08:00", "09:00")``.  Each origin–counter pair gets the earliest arrival
  for each minute; its travel times over the window give the percentiles.  A
  percentile is *nearest rank*, as R5 (and so r5py) computes it: of ``n`` times
  sorted, the ``ceil(p / 100 × n)``-th; the median of 60 minutes is the 30th.
- **Walking legs**, from home to a stop (access), from a stop to the counter
  (egress), and between stops when changing vehicles (transfer), are each one
  walk of at most ``max_walk_m`` (``max_transfer_m`` for transfers; the same by
  default).  On a walking network their length is the snap of each end plus the
  shortest path between the two nodes; without one it is the project's
  straight-line estimate (straight line × the walking calibration's detour
  factor, :mod:`access.inputs.calibrations`).  A leg's time is its length at
  ``walk_speed_kmh``, rounded up to a whole second: ``ceil(metres × 3.6 / km/h)``.
- **Boarding** needs the rider at the stop ``board_slack_s`` seconds (default
  60, as R5) before the vehicle leaves, at the first boarding and at every
  change; staying on a vehicle needs nothing.  Changing at one stop needs no walk.
- **Units.** Every time is whole seconds inside (GTFS times are whole seconds,
  walks are rounded up); the results are minutes = seconds ÷ 60, not rounded.
  A pair with no trip within ``max_minutes`` at a departure minute has an
  infinite time for that minute; a percentile that falls on such a minute is
  ``inf`` (unreachable, as for every mode: :mod:`access.analysis.figures`).
  Origins more than :data:`~access.routing.travel.MAX_GAP_M` from the walking
  network are ``excluded`` (NaN in the figures), as for the street modes.

The timetable rules (calendar, overnight runs, frequencies) are
:mod:`access.inputs.gtfs`'s.  The algorithm (a profile Connection Scan
backwards from each counter, then each origin combines the profiles of the
stops it can walk to) is in :mod:`access.routing._transit_kernel`.

Example
-------
>>> import numpy as np
>>> from access.inputs.gtfs import CAIRNS
>>> counter_xy = np.array([[369_344.0, 8_128_456.0]])           # central Cairns, in UTM zone 55S (EPSG:32755)
>>> origin_xy = np.array([[366_909.0, 8_124_446.0], [369_386.0, 8_128_500.0]])
>>> times = transit_times([CAIRNS], counter_xy, origin_xy, crs="EPSG:32755", date="2014-06-02",
...                       window=("08:00", "09:00"), percentiles=(50, 90))
>>> times.minutes(50).round(1).tolist(), times.minutes(90).round(1).tolist()
([[36.3, 1.1]], [[43.3, 1.1]])
>>> times.travel_times().model
'public transport (GTFS: cairns_gtfs.zip, Mon 2014-06-02, 08:00–09:00, median)'
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyproj
from scipy.spatial import cKDTree

from access.core.defaults import TRANSIT_MODEL_PREFIX
from access.core.errors import AccessWarning, ArgumentError, NetworkError, OffNetworkError
from access.core.modes import WALK_KMH, WALK_M_PER_MIN
from access.inputs.calibrations import DEFAULT_CALIBRATION, Calibration, get_calibration
from access.inputs.gtfs import Timetable, parse_clock, parse_date, timetable
from access.inputs.transit_spec import (
    DEFAULT_BOARD_SLACK_S,
    DEFAULT_MAX_MINUTES,
    DEFAULT_MAX_WALK_M,
    TRANSIT_MODE,
    check_parameters,
    percentile_label,
    transit_model,
)
from access.routing.dijkstra import source_target_times
from access.routing.network import StreetNetwork
from access.routing.travel import MAX_GAP_M, TravelTimes

__all__ = ["TransitTimes", "WalkLegs", "transit_times", "route_timetable", "walk_legs", "walk_seconds",
           "percentile_rank", "TRANSIT_MODEL", "TRANSIT_MODE", "DEFAULT_MAX_WALK_M", "DEFAULT_MAX_MINUTES",
           "DEFAULT_BOARD_SLACK_S"]

TRANSIT_MODEL = TRANSIT_MODEL_PREFIX + ")"
"""The model of public-transport times, in short; each run's label names its feeds, date, window and percentile
(:func:`access.inputs.transit_spec.transit_model`)."""

_INF = 2**62  # the kernel's "never" (access.routing._transit_kernel.INF), without importing numba here


def _kernel() -> Any:
    """Return the compiled kernel module, or say how to install numba."""
    try:
        from access.routing import _transit_kernel
    except ImportError as exc:  # pragma: no cover - the transit extra is installed with the tests
        raise NetworkError("routing public transport needs numba; install it with "
                           "pip install 'frontcounter-access[transit]'") from exc
    return _transit_kernel


def walk_seconds(metres: np.ndarray, walk_speed_kmh: float) -> np.ndarray:
    """Whole seconds to walk ``metres`` at ``walk_speed_kmh``, rounded up: ``ceil(metres × 3.6 / km/h)``.

    >>> walk_seconds(np.array([0.0, 80.0, 100.0]), 4.8).tolist()
    [0, 60, 75]
    """
    return np.ceil(np.asarray(metres, dtype=float) * 3.6 / walk_speed_kmh).astype(np.int64)


def percentile_rank(percentile: int, n: int) -> int:
    """Position (0-based) of the ``percentile``-th of ``n`` sorted times: nearest rank, ``ceil(p/100 × n) - 1``.

    >>> percentile_rank(50, 60), percentile_rank(90, 60), percentile_rank(100, 60), percentile_rank(1, 60)
    (29, 53, 59, 0)
    """
    return max(0, (percentile * n + 99) // 100 - 1)


@dataclass(frozen=True)
class WalkLegs:
    """The walks of a transit trip, in whole seconds, as CSR lists.

    Attributes
    ----------
    access_start, access_stop, access_s
        Origin ``o`` walks to stops ``access_stop[access_start[o]:access_start[o + 1]]`` in ``access_s`` seconds.
    egress_start, egress_stop, egress_s
        Counter ``c`` is reached from stops ``egress_stop[egress_start[c]:…]`` in ``egress_s`` seconds.
    transfer_start, transfer_stop, transfer_s
        Stop ``s`` leads on foot to the other stops ``transfer_stop[transfer_start[s]:…]`` in ``transfer_s`` seconds.
    direct_s
        Counters × origins: seconds walking straight from the origin to the counter (any length).
    origin_snap_m, counter_snap_m
        Distance from each origin and counter to the walking network (zero for the estimate).
    excluded
        Origins farther than :data:`~access.routing.travel.MAX_GAP_M` from the walking network.
    detail
        How the walks were measured, in words.
    calibration
        The walking calibration of the straight-line estimate, when the walks are that estimate (else ``None``).
    """

    access_start: np.ndarray
    access_stop: np.ndarray
    access_s: np.ndarray
    egress_start: np.ndarray
    egress_stop: np.ndarray
    egress_s: np.ndarray
    transfer_start: np.ndarray
    transfer_stop: np.ndarray
    transfer_s: np.ndarray
    direct_s: np.ndarray
    origin_snap_m: np.ndarray
    counter_snap_m: np.ndarray
    excluded: np.ndarray
    detail: str
    calibration: Calibration | None = None


def _csr(rows: np.ndarray, cols: np.ndarray, seconds: np.ndarray, n_rows: int) -> tuple[np.ndarray, ...]:
    order = np.lexsort((cols, rows))
    start = np.zeros(n_rows + 1, dtype=np.int64)
    np.add.at(start, rows + 1, 1)
    return np.cumsum(start), cols[order].astype(np.int64), seconds[order].astype(np.int64)


def _pairs_within(a_xy: np.ndarray, b_xy: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (i of a, j of b) no farther apart than ``radius`` in a straight line, and that distance (np.hypot)."""
    if len(a_xy) == 0 or len(b_xy) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    pairs = cKDTree(a_xy).sparse_distance_matrix(cKDTree(b_xy), radius + 1.0, output_type="ndarray")
    i, j = pairs["i"].astype(np.int64), pairs["j"].astype(np.int64)
    metres = np.hypot(a_xy[i, 0] - b_xy[j, 0], a_xy[i, 1] - b_xy[j, 1])
    keep = metres <= radius
    return i[keep], j[keep], metres[keep]


def walk_legs(stop_xy: np.ndarray, counter_xy: np.ndarray, origin_xy: np.ndarray, *,
              walk_speed_kmh: float = WALK_KMH, max_walk_m: float = DEFAULT_MAX_WALK_M,
              max_transfer_m: float | None = None, walk_network: StreetNetwork | None = None,
              calibration: Calibration | None = None, stop_used: np.ndarray | None = None,
              max_gap_m: float = MAX_GAP_M) -> WalkLegs:
    """Measure every walk a trip may take: access, egress, transfers, and the direct walk.

    Parameters
    ----------
    stop_xy, counter_xy, origin_xy
        Arrays (n × 2) in one projected CRS (metres): the walking network's when one is given.
    walk_speed_kmh, max_walk_m, max_transfer_m
        Walking speed, the longest access or egress walk, the longest transfer (default ``max_walk_m``).
    walk_network
        A walking :class:`~access.routing.network.StreetNetwork`; without one, the straight-line estimate.
    calibration
        The walking calibration of the estimate (default the project's default calibration).
    stop_used
        Which stops any vehicle calls at (default all): the others get no walks.

    Raises
    ------
    NetworkError
        ``walk_network`` is not a walking network.
    OffNetworkError
        A counter lies more than ``max_gap_m`` from the walking network.
    """
    max_transfer_m = max_walk_m if max_transfer_m is None else max_transfer_m
    n_stops, n_counters, n_origins = len(stop_xy), len(counter_xy), len(origin_xy)
    used = np.ones(n_stops, bool) if stop_used is None else np.asarray(stop_used, bool)
    if walk_network is None:
        calibration = calibration or get_calibration(DEFAULT_CALIBRATION, "walk")
        if calibration.mode != "walk":
            raise ArgumentError(f"the straight-line estimate of walks needs a walking calibration, not the "
                                f"{calibration.mode!r} one of {calibration.name!r}")

        def length(metres: np.ndarray) -> np.ndarray:
            return calibration.minutes(metres) * WALK_M_PER_MIN

        def legs(a_xy: np.ndarray, b_xy: np.ndarray, limit: float) -> tuple[np.ndarray, ...]:
            radius = calibration.metres_within(limit / WALK_M_PER_MIN)
            i, j, metres = _pairs_within(a_xy, b_xy, radius)
            walked = length(metres)
            keep = walked <= limit
            return i[keep], j[keep], walk_seconds(walked[keep], walk_speed_kmh)

        stops = np.flatnonzero(used)
        o, s, secs = legs(origin_xy, stop_xy[stops], max_walk_m)
        access = _csr(o, stops[s], secs, n_origins)
        c, s, secs = legs(counter_xy, stop_xy[stops], max_walk_m)
        egress = _csr(c, stops[s], secs, n_counters)
        a, b, secs = legs(stop_xy[stops], stop_xy[stops], max_transfer_m)
        other = a != b
        transfer = _csr(stops[a[other]], stops[b[other]], secs[other], n_stops)
        straight = np.hypot(counter_xy[:, 0][:, None] - origin_xy[:, 0][None, :],
                            counter_xy[:, 1][:, None] - origin_xy[:, 1][None, :])
        direct = walk_seconds(length(straight), walk_speed_kmh)
        zeros = np.zeros(n_origins)
        return WalkLegs(*access, *egress, *transfer, direct_s=direct, origin_snap_m=zeros,
                        counter_snap_m=np.zeros(n_counters), excluded=np.zeros(n_origins, bool),
                        detail=f"walks estimated from straight lines (calibration {calibration.name!r})",
                        calibration=calibration)
    return _network_legs(walk_network, stop_xy, counter_xy, origin_xy, used, walk_speed_kmh, max_walk_m,
                         max_transfer_m, max_gap_m)


def _network_legs(network: StreetNetwork, stop_xy: np.ndarray, counter_xy: np.ndarray, origin_xy: np.ndarray,
                  used: np.ndarray, walk_speed_kmh: float, max_walk_m: float, max_transfer_m: float,
                  max_gap_m: float) -> WalkLegs:
    """:func:`walk_legs` on a walking network: one bounded Dijkstra from each stop's node."""
    bounded_dijkstra = _kernel().bounded_dijkstra
    if network.mode != "walk":
        raise NetworkError(f"walks to and from stops need the walk network, not the {network.mode} network; "
                           f"pass the study's walk network as walk_network")
    n_stops, n_counters, n_origins = len(stop_xy), len(counter_xy), len(origin_xy)
    stop_node, stop_snap = network.snap(stop_xy[:, 0], stop_xy[:, 1])
    counter_node, counter_snap = network.snap(counter_xy[:, 0], counter_xy[:, 1])
    origin_node, origin_snap = network.snap(origin_xy[:, 0], origin_xy[:, 1])
    off = np.flatnonzero(counter_snap > max_gap_m)
    if off.size:
        raise OffNetworkError(f"counter(s) {', '.join(f'#{i} ({counter_snap[i]:,.0f} m)' for i in off)} lie more "
                              f"than {max_gap_m:,.0f} m from the walk network ({network.source}); check their "
                              f"positions or use a network that covers them")
    limit = max(max_walk_m, max_transfer_m)
    near = used & (stop_snap <= limit)
    sources = np.unique(stop_node[near])
    is_target = np.zeros(network.n_nodes, bool)
    is_target[stop_node[near]] = True
    is_target[counter_node] = True
    is_target[origin_node] = True
    graph = network.length_m  # walking networks are two-way: the same lengths both ways
    src, node, metres = bounded_dijkstra(graph.indptr.astype(np.int64), graph.indices.astype(np.int64),
                                         graph.data.astype(float), sources.astype(np.int64), float(limit), is_target)
    reached = pd.DataFrame({"from_node": sources[src], "node": node, "metres": metres})

    def join(points_node: np.ndarray, points_snap: np.ndarray, cap: float, n_rows: int,
             same_stops: bool = False) -> tuple[np.ndarray, ...]:
        stops = pd.DataFrame({"stop": np.flatnonzero(near), "from_node": stop_node[near], "stop_snap": stop_snap[near]})
        points = pd.DataFrame({"point": np.arange(len(points_node)), "node": points_node, "snap": points_snap})
        rows = stops.merge(reached, on="from_node").merge(points, on="node")
        walked = rows["stop_snap"].to_numpy() + rows["metres"].to_numpy() + rows["snap"].to_numpy()
        keep = walked <= cap
        if same_stops:
            keep &= rows["point"].to_numpy() != rows["stop"].to_numpy()
        return _csr(rows["point"].to_numpy()[keep], rows["stop"].to_numpy()[keep],
                    walk_seconds(walked[keep], walk_speed_kmh), n_rows)

    access = join(origin_node, origin_snap, max_walk_m, n_origins)
    egress = join(counter_node, counter_snap, max_walk_m, n_counters)
    stop_points = np.where(near, stop_node, -1)
    transfer = join(stop_points, stop_snap, max_transfer_m, n_stops, same_stops=True)
    unique_origins, column = np.unique(origin_node, return_inverse=True)
    network_m = source_target_times(graph, counter_node, unique_origins)[:, column]
    direct_m = network_m + counter_snap[:, None] + origin_snap[None, :]
    direct = np.where(np.isfinite(direct_m), walk_seconds(np.where(np.isfinite(direct_m), direct_m, 0.0),
                                                          walk_speed_kmh), _INF)
    return WalkLegs(*access, *egress, *transfer, direct_s=direct.astype(np.int64), origin_snap_m=origin_snap,
                    counter_snap_m=counter_snap, excluded=origin_snap > max_gap_m,
                    detail=f"walks on {network.source} ({network.n_nodes:,} nodes)")


@dataclass(frozen=True)
class TransitTimes:
    """Counter × origin public-transport times: one matrix per percentile over the departure window.

    Attributes
    ----------
    percentiles
        The percentiles computed, ascending.
    seconds
        Array (percentiles × counters × origins) of whole seconds; ``2**62`` where unreachable.
    detail
        Feeds, service date, window and walking rules, in words.
    legs
        The walking legs the trips were made of (snaps, exclusions).
    sources
        The feeds' names.
    date
        The service date.
    window
        The window's first and end departure times, ``HH:MM``.
    """

    percentiles: tuple[int, ...]
    seconds: np.ndarray
    detail: str
    legs: WalkLegs
    sources: tuple[str, ...] = ()
    date: dt.date | None = None
    window: tuple[str, str] = ("", "")

    def minutes(self, percentile: int = 50) -> np.ndarray:
        """Counters × origins minutes at ``percentile`` (``inf`` where unreachable; not rounded)."""
        if percentile not in self.percentiles:
            raise ArgumentError(f"percentile {percentile!r} was not computed; choose from "
                                f"{', '.join(map(str, self.percentiles))} or route again with it")
        values = self.seconds[self.percentiles.index(percentile)]
        return np.where(values >= _INF, np.inf, values / 60.0)

    def model(self, percentile: int = 50) -> str:
        """Return the model label of the times at ``percentile``: it names the feeds, date, window and percentile.

        >>> from access.inputs.gtfs import CAIRNS
        >>> times = transit_times([CAIRNS], np.array([[369_344.0, 8_128_456.0]]),
        ...                       np.array([[369_386.0, 8_128_500.0]]), crs="EPSG:32755", date="2014-06-02")
        >>> times.model(50)
        'public transport (GTFS: cairns_gtfs.zip, Mon 2014-06-02, 08:00–09:00, median)'
        """
        if self.date is None:
            return TRANSIT_MODEL
        return transit_model(self.sources, self.date, self.window, percentile)

    def travel_times(self, percentile: int = 50, *, max_snap_m: float | None = None,
                     unavailable: str | None = None) -> TravelTimes:
        """Return the times at ``percentile`` as the :class:`~access.routing.travel.TravelTimes` every mode gives.

        Parameters
        ----------
        percentile
            One of :attr:`percentiles`.
        max_snap_m
            Origins farther than this from the walking network are flagged (default: only the excluded ones).
        unavailable
            When the walks are the straight-line estimate: why no walking network could be had (the notes of
            every output say so, with the calibration that made them).
        """
        flagged = self.legs.excluded if max_snap_m is None else self.legs.origin_snap_m > max_snap_m
        return TravelTimes(mode=TRANSIT_MODE, model=self.model(percentile), minutes=self.minutes(percentile),
                           origin_snap_m=self.legs.origin_snap_m, counter_snap_m=self.legs.counter_snap_m,
                           far_from_network=flagged | self.legs.excluded, excluded=self.legs.excluded,
                           detail=f"{percentile_label(percentile)} over the departure window; {self.detail}",
                           unavailable=unavailable, calibration=self.legs.calibration)


def _window(window: tuple[str | int, str | int]) -> tuple[int, int]:
    try:
        start, end = (parse_clock(value) for value in window)
    except (TypeError, ValueError) as exc:
        raise ArgumentError(f"window must be (start, end) times such as ('08:00', '09:00'), not {window!r}") from exc
    if end - start < 60:
        raise ArgumentError(f"window {window!r} must end at least a minute after it starts (residents leave at "
                            f"every minute from the start up to the end)")
    return start, (end - start + 59) // 60


def route_timetable(table: Timetable, legs: WalkLegs, *, window_start_s: int, n_minutes: int,
                    percentiles: Sequence[int] = (50,), max_minutes: float = DEFAULT_MAX_MINUTES,
                    board_slack_s: int = DEFAULT_BOARD_SLACK_S, workers: int | None = None) -> np.ndarray:
    """Route a timetable with its walks: the core on arrays.

    Returns
    -------
    numpy.ndarray
        Percentiles × counters × origins, whole seconds (``2**62`` where unreachable).
    """
    kernel = _kernel()
    max_time = int(round(max_minutes * 60))
    last = window_start_s + 60 * (n_minutes - 1)
    run_of = np.repeat(np.arange(table.n_runs, dtype=np.int64), np.diff(table.run_start))
    i = np.arange(max(table.n_stop_times - 1, 0))
    i = i[run_of[i] == run_of[i + 1]] if len(i) else i
    keep = (table.departure[i] >= window_start_s) & (table.arrival[i + 1] <= last + max_time)
    i = i[keep]
    order = np.lexsort((-i, -table.departure[i]))  # latest departure first; along a run, later hops first
    i = i[order]
    ranks = np.array([percentile_rank(p, n_minutes) for p in percentiles], dtype=np.int64)
    out = np.empty((len(ranks), len(legs.egress_start) - 1, len(legs.access_start) - 1), dtype=np.int64)
    kernel.threads(workers)
    kernel.route_counters(
        table.departure[i].astype(np.int64), table.arrival[i + 1].astype(np.int64), table.stop[i].astype(np.int64),
        table.stop[i + 1].astype(np.int64), run_of[i], table.pickup[i], table.dropoff[i + 1], table.n_runs,
        table.n_stops, legs.transfer_start, legs.transfer_stop, legs.transfer_s, legs.egress_start, legs.egress_stop,
        legs.egress_s, legs.access_start, legs.access_stop, legs.access_s, legs.direct_s.astype(np.int64),
        np.int64(window_start_s), np.int64(n_minutes), np.int64(board_slack_s), np.int64(max_time), ranks, out)
    return out


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def transit_times(
    feeds: Sequence[str | Path | Any] | Timetable,
    counter_xy: np.ndarray,
    origin_xy: np.ndarray,
    *,
    crs: str,
    date: str | dt.date,
    window: tuple[str | int, str | int] = ("08:00", "09:00"),
    percentiles: Sequence[int] = (50,),
    walk_speed_kmh: float = WALK_KMH,
    max_walk_m: float = DEFAULT_MAX_WALK_M,
    max_transfer_m: float | None = None,
    max_minutes: float = DEFAULT_MAX_MINUTES,
    board_slack_s: int = DEFAULT_BOARD_SLACK_S,
    walk_network: StreetNetwork | None = None,
    calibration: Calibration | None = None,
    workers: int | None = None,
) -> TransitTimes:
    """Route every origin to every counter by public transport, at every minute of a departure window.

    Parameters
    ----------
    feeds
        GTFS feeds (paths of ``.zip`` files or folders, or feeds gtfs-kit has read), or a
        :class:`~access.inputs.gtfs.Timetable` already made for ``date``.
    counter_xy, origin_xy
        Arrays (n × 2) of coordinates in ``crs`` (metres).
    crs
        The projected CRS of the coordinates (the walking network's, when one is given).
    date
        The service date (``YYYY-MM-DD``).
    window
        First and end departure times (``HH:MM``; hours may pass 24): residents leave at every
        minute from the first up to, not including, the end.
    percentiles
        Percentiles of the travel times over the window (whole numbers, 50 the median).
    walk_speed_kmh, max_walk_m, max_transfer_m
        Walking speed; the longest walk to or from a stop; the longest walk between stops (default ``max_walk_m``).
    max_minutes
        The longest trip looked for; longer ones are unreachable (``inf``).
    board_slack_s
        Seconds at the stop before a vehicle leaves, at every boarding (at least 1).
    walk_network
        A walking network for the walks (default: the straight-line estimate, with ``calibration``).
    calibration
        The walking calibration of the estimate (default the project's default).
    workers
        Threads (one counter each at a time; default every core).

    Returns
    -------
    TransitTimes
        Its :meth:`TransitTimes.travel_times` is the ``TravelTimes`` every mode gives.

    Raises
    ------
    FeedError
        A feed cannot be read or runs nothing on the date.
    ArgumentError
        A parameter is out of range.
    """
    chosen = check_parameters(percentiles=percentiles, walk_speed_kmh=walk_speed_kmh, max_walk_m=max_walk_m,
                              max_transfer_m=max_transfer_m, max_minutes=max_minutes, board_slack_s=board_slack_s)
    start, n_minutes = _window(window)
    counter_xy = np.asarray(counter_xy, dtype=float).reshape(-1, 2)
    origin_xy = np.asarray(origin_xy, dtype=float).reshape(-1, 2)
    day = parse_date(date)
    max_time = int(round(max_minutes * 60))
    if isinstance(feeds, Timetable):
        table = feeds
        if table.date != day:
            raise ArgumentError(f"the timetable is for {table.date.isoformat()}, not {day.isoformat()}; make it "
                                f"for the date asked (access.inputs.gtfs.timetable)")
    else:
        table = timetable(feeds, day, start_s=start, end_s=start + 60 * (n_minutes - 1) + max_time)
    stop_x, stop_y = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(table.stop_lon,
                                                                                            table.stop_lat)
    stop_xy = np.column_stack([stop_x, stop_y])
    used = np.zeros(table.n_stops, bool)
    used[table.stop] = True
    used &= np.isfinite(stop_xy).all(axis=1)
    legs = walk_legs(stop_xy, counter_xy, origin_xy, walk_speed_kmh=walk_speed_kmh, max_walk_m=max_walk_m,
                     max_transfer_m=max_transfer_m, walk_network=walk_network, calibration=calibration,
                     stop_used=used)
    if len(origin_xy) and (not legs.access_stop.size or not legs.egress_stop.size):
        far = "resident (origin)" if not legs.access_stop.size else "counter"
        warnings.warn(AccessWarning(
            f"no {far} is within {max_walk_m:,.0f} m of a stop of {' + '.join(table.sources)}: the public-transport "
            f"times are walks only; check that the feeds cover the study area"), stacklevel=2)
    seconds = route_timetable(table, legs, window_start_s=start, n_minutes=n_minutes, percentiles=chosen,
                              max_minutes=max_minutes, board_slack_s=int(board_slack_s), workers=workers)
    transfer = max_walk_m if max_transfer_m is None else max_transfer_m
    detail = (f"{table.describe()}; leaving at every minute {_clock(start)}–{_clock(start + 60 * n_minutes)} "
              f"({n_minutes} departures); walking {walk_speed_kmh:g} km/h, at most {max_walk_m:,.0f} m to or from "
              f"a stop and {transfer:,.0f} m between stops ({legs.detail}); boarding {int(board_slack_s)} s after "
              f"reaching the stop; trips over {max_time // 60} min unreachable")
    return TransitTimes(percentiles=chosen, seconds=seconds, detail=detail, legs=legs, sources=table.sources,
                        date=table.date, window=(_clock(start), _clock(start + 60 * n_minutes)))
