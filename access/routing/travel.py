"""Counter × origin travel times for one mode: on a street network, or estimated.

Both models return a :class:`TravelTimes`: a matrix of minutes with one row
per counter and one column per origin.  Everything afterwards (any period,
any scenario) is a masked minimum over its rows, so routing runs once per
mode, never once per scenario.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from access.core.defaults import IMPORTED_MODEL, NETWORK_MODEL, STRAIGHT_LINE_MODEL, TRANSIT_MODEL_PREFIX
from access.core.errors import AccessWarning, DataError, OffNetworkError
from access.core.modes import MODES, WALK_M_PER_MIN
from access.core.tripcosts import DriveCosts
from access.inputs.calibrations import Calibration
from access.routing.dijkstra import ChunkCallback, source_target_times
from access.routing.network import StreetNetwork

__all__ = ["TravelTimes", "network_times", "nearest_times", "nearest_node_times", "straight_line_times",
           "imported_times", "NETWORK_MODEL", "STRAIGHT_LINE_MODEL", "IMPORTED_MODEL", "MAX_GAP_M"]



MAX_GAP_M = 1000.0
"""Farthest a counter or origin may be from the routed network.

A counter farther than this is an error (:class:`access.core.errors.OffNetworkError`);
an origin farther than this is left out of every figure and counted as excluded.
Only the largest strongly connected part of a network is kept, so a point on a
disconnected island is measured to that part: an island far from it trips this rule.
"""


@dataclass(frozen=True)
class TravelTimes:
    """Travel times from every origin to every counter, for one mode.

    Attributes
    ----------
    mode
        ``walk``, ``cycle`` or ``drive``.
    model
        ``"street network"``, ``"straight-line estimate"``, ``"imported travel times"``, or
        ``"public transport (GTFS: …)"`` naming the feeds, date, window and percentile.
    minutes
        Array (counters × origins) of minutes from the origin to the counter.
    origin_snap_m
        Distance from each origin to its network node (zero for the estimate).
    counter_snap_m
        Distance from each counter to its network node (zero for the estimate).
    far_from_network
        True for origins farther than the study's ``max_snap_m`` from the network.
    detail
        How the times were made: the network's source and size, or the detour factor used.
    network
        The street network routed on (``None`` for the estimate), for isochrones.
    excluded
        True for origins farther than :data:`MAX_GAP_M` from the network: their
        times are not trusted, so the figures leave them out and count them.
    unavailable
        For the estimate: why no street network could be had (the reason
        :class:`~access.core.errors.NetworkUnavailable` gave), else ``None``.
    calibration
        For the estimate: the calibration that made it, else ``None``.
    drive
        For drive times: the drive model that priced them (its overhead is in ``minutes``,
        and :meth:`at` re-times them to the traffic at a moment), else ``None``.

    Examples
    --------
    >>> import access
    >>> result = access.load_study("redbridge-2017").run(modes=["walk"], offline=True)
    >>> times = result.times["walk"]
    >>> times.model, times.minutes.shape, times.is_estimate
    ('straight-line estimate', (10, 4599), True)
    """

    mode: str
    model: str
    minutes: np.ndarray
    origin_snap_m: np.ndarray
    counter_snap_m: np.ndarray
    far_from_network: np.ndarray
    detail: str
    network: StreetNetwork | None = None
    excluded: np.ndarray = field(default=None)  # type: ignore[assignment]
    unavailable: str | None = None
    calibration: Calibration | None = None
    drive: DriveCosts | None = None

    def __post_init__(self) -> None:
        if self.excluded is None:
            object.__setattr__(self, "excluded", np.zeros(self.minutes.shape[1], dtype=bool))

    @property
    def is_estimate(self) -> bool:
        """True when the times are a straight-line estimate, not routed."""
        return self.model == STRAIGHT_LINE_MODEL

    def at(self, moment: object | None, minutes: np.ndarray | None = None) -> np.ndarray:
        """Return the minutes (or ``minutes``, a matrix of this mode's) re-timed to the traffic at ``moment``.

        Drive times stretch with the traffic of the hour (:meth:`access.core.tripcosts.DriveCosts.at`);
        other modes, and no moment, are returned as they are.

        >>> from access.core.tripcosts import DriveCosts
        >>> times = TravelTimes("drive", NETWORK_MODEL, np.array([[4.0, 14.0]]), np.zeros(2), np.zeros(1),
        ...                     np.zeros(2, bool), "example", drive=DriveCosts())
        >>> times.at((0, 3 * 60)).tolist(), times.at((1, 17 * 60 + 30)).round(2).tolist()
        ([[4.0, 14.0]], [[4.0, 20.67]])
        """
        minutes = self.minutes if minutes is None else minutes
        if self.drive is None or moment is None:
            return minutes
        return self.drive.at(minutes, moment)

    @property
    def is_transit(self) -> bool:
        """True for public-transport times from GTFS timetables (:mod:`access.routing.transit`).

        Their ``calibration`` is set when their walks are the walking straight-line estimate.
        """
        return self.model.startswith(TRANSIT_MODEL_PREFIX)

    @property
    def uses_estimate(self) -> bool:
        """True when any part of the times is the straight-line estimate: the estimate, or transit's walks."""
        return self.is_estimate or (self.is_transit and self.calibration is not None)


def network_times(
    network: StreetNetwork,
    counter_xy: np.ndarray,
    origin_xy: np.ndarray,
    *,
    max_snap_m: float,
    max_gap_m: float = MAX_GAP_M,
    counter_names: Sequence[str] | None = None,
    workers: int | None = None,
    on_chunk: ChunkCallback | None = None,
    drive: DriveCosts | None = None,
) -> TravelTimes:
    """Route every origin to every counter on ``network``.

    Each counter's times come from one Dijkstra run on the reversed graph (so
    one-way streets are respected in the direction of travel, origin to
    counter).  The counters run in chunks that keep only the origins' nodes, on
    one core or several (:func:`access.routing.dijkstra.source_target_times`),
    so memory stays bounded however many counters and nodes there are.  Origins
    and counters join the network at their nearest node; that leg is added at
    walking speed.

    Parameters
    ----------
    network
        The mode's network.
    counter_xy, origin_xy
        Arrays (n × 2) of coordinates in the network's CRS.
    max_snap_m
        Origins farther than this from the network are flagged.
    max_gap_m
        Origins farther than this are marked ``excluded``; a counter farther
        than this is an error.
    counter_names
        Counter names for error messages (default: their row numbers).
    workers
        Processes for the Dijkstra runs: ``None`` chooses (one core for small
        networks), 1 runs them in this process.
    on_chunk
        Called with (chunks done, chunks in all) as the counters' chunks finish.
    drive
        For a drive network priced by the drive model (:func:`access.routing.costs.costed_network`):
        the model, whose overhead (starting and parking) every trip pays.

    Raises
    ------
    OffNetworkError
        A counter is farther than ``max_gap_m`` from the network.
    """
    counter_node, counter_snap = network.snap(counter_xy[:, 0], counter_xy[:, 1])
    origin_node, origin_snap = network.snap(origin_xy[:, 0], origin_xy[:, 1])
    off = np.flatnonzero(counter_snap > max_gap_m)
    if off.size:
        names = list(counter_names) if counter_names is not None else [f"#{i}" for i in range(len(counter_xy))]
        listed = ", ".join(f"{names[i]!r} ({counter_snap[i]:,.0f} m)" for i in off)
        raise OffNetworkError(
            f"counter(s) {listed} lie more than {max_gap_m:,.0f} m from the {network.mode} network "
            f"({network.source}, largest connected part): on a disconnected island or outside the "
            f"network's coverage, so no route to them can be trusted. Check their lon/lat, or use an "
            f"OSM file (--osm-file) that covers them."
        )
    unique_nodes, row_of_counter = np.unique(counter_node, return_inverse=True)
    unique_origins, column_of_origin = np.unique(origin_node, return_inverse=True)
    seconds = source_target_times(network.reverse, unique_nodes, unique_origins, workers=workers, on_chunk=on_chunk)
    to_counter = seconds[row_of_counter][:, column_of_origin] / 60.0
    minutes = to_counter + origin_snap[None, :] / WALK_M_PER_MIN + counter_snap[:, None] / WALK_M_PER_MIN
    if drive is not None:
        minutes = minutes + drive.overhead_min
    detail = (f"{network.source}: {network.n_nodes:,} nodes, {network.n_edges:,} edges "
              f"(largest strongly connected part)")
    return TravelTimes(mode=network.mode, model=NETWORK_MODEL, minutes=minutes,
                       origin_snap_m=origin_snap, counter_snap_m=counter_snap,
                       far_from_network=origin_snap > max_snap_m, detail=detail,
                       excluded=origin_snap > max_gap_m, network=network, drive=drive)


def nearest_node_times(
    network: StreetNetwork,
    counter_node: np.ndarray,
    *,
    counter_leg_s: np.ndarray | None = None,
    limit_s: float = np.inf,
) -> tuple[np.ndarray, np.ndarray]:
    """Every node's travel time to its nearest counter node, and which counter that is: one Dijkstra.

    A virtual source joined to every counter's node (by that counter's
    ``counter_leg_s``) is routed once on the reversed graph, so one-way
    streets are respected from the node to the counter, and the cost is one
    Dijkstra however many counters there are.

    Parameters
    ----------
    network
        The mode's network.
    counter_node
        Each counter's node (as :meth:`StreetNetwork.snap` gives).
    counter_leg_s
        Seconds from each counter's node to the counter itself (default zero).
    limit_s
        Stop searching beyond this many seconds; nodes farther get ``inf`` and ``-1``.

    Returns
    -------
    seconds, counter
        Arrays over the network's nodes: seconds to the nearest counter
        (its leg included), and that counter's position in ``counter_node``
        (``-1`` when none is within reach).  Ties between counters may go to either.
    """
    counter_node = np.asarray(counter_node, dtype=np.int64)
    leg = np.zeros(len(counter_node)) if counter_leg_s is None else np.asarray(counter_leg_s, dtype=float)
    n = network.n_nodes
    # Per node, the counter with the shortest leg; a tiny floor keeps zero legs as edges.
    order = np.lexsort((leg, counter_node))
    first = np.ones(len(order), dtype=bool)
    first[1:] = counter_node[order][1:] != counter_node[order][:-1]
    best = order[first]
    floored = np.maximum(leg[best], 1e-6)
    reverse = network.reverse
    graph = sparse.csr_matrix(
        (np.concatenate([reverse.data, floored]),
         np.concatenate([reverse.indices, counter_node[best]]),
         np.append(reverse.indptr, reverse.indptr[-1] + len(best))),
        shape=(n + 1, n + 1))
    seconds, predecessor = dijkstra(graph, directed=True, indices=n, return_predecessors=True, limit=limit_s)
    # Which counter each node's shortest path starts from: follow predecessors back to a node
    # entered straight from the virtual source, by pointer doubling (log2(path length) steps).
    starts = predecessor[:n] == n
    root = np.where((predecessor[:n] < 0) | starts, np.arange(n), predecessor[:n])
    while True:
        jumped = root[root]
        if np.array_equal(jumped, root):
            break
        root = jumped
    counter_of_start = np.full(n, -1, dtype=np.int64)
    counter_of_start[counter_node[best]] = best
    floor_of_start = np.zeros(n)
    floor_of_start[counter_node[best]] = floored - leg[best]
    reached = starts[root]
    counter = np.where(reached, counter_of_start[root], -1)
    return np.where(reached, seconds[:n] - floor_of_start[root], np.inf), counter


def nearest_times(
    network: StreetNetwork,
    counter_xy: np.ndarray,
    origin_xy: np.ndarray,
    *,
    limit_min: float = np.inf,
) -> tuple[np.ndarray, np.ndarray]:
    """Each origin's minutes to its nearest counter, and that counter's row: one Dijkstra.

    The same answer as :func:`network_times` followed by
    :func:`access.analysis.figures.nearest_open` with every counter available, for
    one fixed set of counters, without the counters × origins matrix (see
    :func:`nearest_node_times`).  Use :func:`network_times` when scenarios
    open and close counters.

    Parameters
    ----------
    network
        The mode's network.
    counter_xy, origin_xy
        Arrays (n × 2) of coordinates in the network's CRS.
    limit_min
        Stop searching beyond this many minutes (network time plus the
        counter's snap leg); origins farther get ``inf`` and counter ``-1``.

    Returns
    -------
    time, counter
        Minutes to the nearest counter (``inf`` when none is within reach),
        and its row in ``counter_xy`` (``-1`` when none is).  Ties between
        counters may go to either.
    """
    counter_node, counter_snap = network.snap(counter_xy[:, 0], counter_xy[:, 1])
    origin_node, origin_snap = network.snap(origin_xy[:, 0], origin_xy[:, 1])
    seconds, counter = nearest_node_times(network, counter_node, counter_leg_s=counter_snap / WALK_M_PER_MIN * 60,
                                          limit_s=limit_min * 60.0)
    network_min = seconds[origin_node] / 60.0
    reached = np.isfinite(network_min)
    time = np.where(reached, network_min + origin_snap / WALK_M_PER_MIN, np.inf)
    return time, np.where(reached, counter[origin_node], -1)


def straight_line_times(
    mode_name: str, counter_xy: np.ndarray, origin_xy: np.ndarray, calibration: Calibration, *,
    unavailable: str | None = None,
) -> TravelTimes:
    """Estimate times from straight-line distances, by a calibration measured on a real network.

    Used when no street network can be had: the trip-cost model's overhead, plus each
    distance × its band's rate (:meth:`access.inputs.calibrations.Calibration.minutes`;
    the calibration is priced by the study's model with :meth:`~access.inputs.calibrations.Calibration.priced`).

    Examples
    --------
    >>> from access.inputs.calibrations import get_calibration
    >>> times = straight_line_times("walk", np.array([[0.0, 0.0]]), np.array([[0.0, 800.0], [0.0, 2000.0]]),
    ...                             get_calibration("city-of-london", "walk"))
    >>> times.model, times.detail, times.minutes.shape
    ('straight-line estimate', "straight line, calibration 'city-of-london'", (1, 2))
    """
    if calibration.mode != mode_name or mode_name not in MODES:
        raise ValueError(f"calibration of {calibration.mode!r} given for mode {mode_name!r}")
    metres = np.hypot(counter_xy[:, 0][:, None] - origin_xy[:, 0][None, :],
                      counter_xy[:, 1][:, None] - origin_xy[:, 1][None, :])
    zeros_o, zeros_c = np.zeros(origin_xy.shape[0]), np.zeros(counter_xy.shape[0])
    return TravelTimes(mode=mode_name, model=STRAIGHT_LINE_MODEL, minutes=calibration.minutes(metres),
                       origin_snap_m=zeros_o, counter_snap_m=zeros_c,
                       far_from_network=np.zeros(origin_xy.shape[0], dtype=bool),
                       detail=f"straight line, calibration {calibration.name!r}", unavailable=unavailable,
                       calibration=calibration, drive=calibration.drive if mode_name == "drive" else None)


def imported_times(table: pd.DataFrame, *, mode: str, origin_ids: Sequence[str], counter_ids: Sequence[str],
                   note: str) -> TravelTimes:
    """Counter × origin minutes from travel times computed elsewhere (a checked long table).

    Parameters
    ----------
    table
        ``from_id`` (origin), ``to_id`` (counter), ``travel_time`` (minutes; NaN
        where unreachable), as :func:`access.inputs.travel_tables.check_travel_table` gives it.
    mode
        The mode's name (e.g. ``transit``).
    origin_ids, counter_ids
        The study's origins and counters, in row order.
    note
        Where the times came from, for every output that shows them.

    Returns
    -------
    TravelTimes
        A pair with an empty time, or missing for an origin the table has, is
        unreachable (``inf``); an origin with no row at all was not measured and
        is ``excluded`` (left out of every figure, and counted).

    Raises
    ------
    DataError
        The table names an origin or a counter the study does not have.

    Examples
    --------
    >>> import pandas as pd
    >>> times = imported_times(pd.DataFrame({"from_id": ["a", "b"], "to_id": ["x", "x"], "travel_time": [3.0, None]}),
    ...                        mode="transit", origin_ids=["a", "b"], counter_ids=["x"], note="made by hand")
    >>> times.minutes.tolist(), times.model
    ([[3.0, inf]], 'imported travel times')
    >>> imported_times(pd.DataFrame({"from_id": ["a"], "to_id": ["x"], "travel_time": [3.0]}), mode="transit",
    ...                origin_ids=["a", "b"], counter_ids=["x"], note="made by hand").excluded.tolist()
    [False, True]
    """
    origins = pd.Index(origin_ids)
    counters = pd.Index(counter_ids)
    unknown_counters = sorted(set(table["to_id"]) - set(counters))
    if unknown_counters:
        raise DataError(f"the {mode} travel times name counter(s) {', '.join(unknown_counters[:5])} that the study "
                        f"does not have; to_id must be a counter id ({', '.join(counters[:5])}, …)")
    unknown_origins = sorted(set(table["from_id"]) - set(origins))
    if unknown_origins:
        raise DataError(f"the {mode} travel times name {len(unknown_origins):,} origin(s) the study does not have "
                        f"({', '.join(unknown_origins[:3])}, …); from_id must be an origin of the study (a postcode)")
    minutes = np.full((len(counters), len(origins)), np.inf)
    rows, cols = counters.get_indexer(table["to_id"]), origins.get_indexer(table["from_id"])
    values = table["travel_time"].to_numpy(float)
    minutes[rows, cols] = np.where(np.isnan(values), np.inf, values)
    zeros_o, zeros_c = np.zeros(len(origins)), np.zeros(len(counters))
    unmeasured = ~origins.isin(table["from_id"])
    absent = [c for c in counters if c not in set(table["to_id"])]
    if absent:
        warnings.warn(f"the {mode} travel times have no row for counter(s) {', '.join(absent[:5])}"
                      f"{', …' if len(absent) > 5 else ''}: unreachable from every origin in this mode; add their "
                      f"rows (to_id) if they should count", AccessWarning, stacklevel=2)
    return TravelTimes(mode=mode, model=IMPORTED_MODEL, minutes=minutes, origin_snap_m=zeros_o, counter_snap_m=zeros_c,
                       far_from_network=np.zeros(len(origins), dtype=bool), detail=note, excluded=unmeasured)
