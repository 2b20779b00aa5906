"""Counter × origin travel times for one mode: on a street network, or estimated.

Both models return a :class:`TravelTimes`: a matrix of minutes with one row
per counter and one column per origin.  Everything afterwards (any period,
any scenario) is a masked minimum over its rows, so routing runs once per
mode, never once per scenario.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse.csgraph import dijkstra

from access.detour import DetourFactor
from access.errors import OffNetworkError
from access.modes import MODES, WALK_KMH
from access.network import StreetNetwork

__all__ = ["TravelTimes", "network_times", "straight_line_times", "NETWORK_MODEL", "STRAIGHT_LINE_MODEL",
           "MAX_GAP_M"]

NETWORK_MODEL = "street network"
STRAIGHT_LINE_MODEL = "straight-line estimate"

_WALK_M_PER_MIN = WALK_KMH * 1000 / 60

MAX_GAP_M = 1000.0
"""Farthest a counter or origin may be from the routed network.

A counter farther than this is an error (:class:`access.errors.OffNetworkError`);
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
        ``"street network"`` or ``"straight-line estimate"``.
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

    def __post_init__(self) -> None:
        if self.excluded is None:
            object.__setattr__(self, "excluded", np.zeros(self.minutes.shape[1], dtype=bool))

    @property
    def is_estimate(self) -> bool:
        """True when the times are a straight-line estimate, not routed."""
        return self.model == STRAIGHT_LINE_MODEL


def network_times(
    network: StreetNetwork,
    counter_xy: np.ndarray,
    origin_xy: np.ndarray,
    *,
    max_snap_m: float,
    max_gap_m: float = MAX_GAP_M,
    counter_names: Sequence[str] | None = None,
) -> TravelTimes:
    """Route every origin to every counter on ``network``.

    Each counter's times to all nodes come from one Dijkstra run on the
    reversed graph (so one-way streets are respected in the direction of
    travel, origin to counter), all counters in one ``scipy`` call.  Origins
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
    reverse = network.time_s.T.tocsr()
    unique_nodes, row_of_counter = np.unique(counter_node, return_inverse=True)
    seconds = dijkstra(reverse, directed=True, indices=unique_nodes)
    to_counter = seconds[row_of_counter][:, origin_node] / 60.0
    minutes = to_counter + origin_snap[None, :] / _WALK_M_PER_MIN + counter_snap[:, None] / _WALK_M_PER_MIN
    detail = (f"{network.source}: {network.n_nodes:,} nodes, {network.n_edges:,} edges "
              f"(largest strongly connected part)")
    return TravelTimes(mode=network.mode, model=NETWORK_MODEL, minutes=minutes,
                       origin_snap_m=origin_snap, counter_snap_m=counter_snap,
                       far_from_network=origin_snap > max_snap_m, detail=detail,
                       excluded=origin_snap > max_gap_m, network=network)


def straight_line_times(
    mode_name: str, counter_xy: np.ndarray, origin_xy: np.ndarray, factor: DetourFactor
) -> TravelTimes:
    """Estimate times as straight-line distance × detour factor ÷ speed.

    Used when no street network can be had.  The factor and the speed were
    measured on a real OSM network (see :mod:`access.detour`).
    """
    if factor.mode != mode_name or mode_name not in MODES:
        raise ValueError(f"detour factor for {factor.mode!r} given for mode {mode_name!r}")
    dx = counter_xy[:, 0][:, None] - origin_xy[:, 0][None, :]
    dy = counter_xy[:, 1][:, None] - origin_xy[:, 1][None, :]
    metres = np.hypot(dx, dy) * factor.factor
    minutes = metres / (factor.speed_kmh * 1000 / 60)
    detail = (f"straight line × {factor.factor:.2f} (detour factor measured on {factor.measured_on}; "
              f"p10–p90 {factor.p10:.2f}–{factor.p90:.2f}) at {factor.speed_kmh:.1f} km/h")
    zeros_o, zeros_c = np.zeros(origin_xy.shape[0]), np.zeros(counter_xy.shape[0])
    return TravelTimes(mode=mode_name, model=STRAIGHT_LINE_MODEL, minutes=minutes,
                       origin_snap_m=zeros_o, counter_snap_m=zeros_c,
                       far_from_network=np.zeros(origin_xy.shape[0], dtype=bool), detail=detail)
