"""The trip-cost model on a street network: each edge's time as the drive and walk models price it.

A :class:`~access.routing.network.StreetNetwork` holds each edge's free-flow time
(its length at the street's speed limit, as OSMnx sets it), its road class and
each node's traffic signals.  :func:`costed_network` turns that into the time
a trip takes, by the numbers of :mod:`access.core.tripcosts`:

* **drive**: each edge at the typical speed of its road class in free-flowing
  traffic, never faster than its limit, plus the delay of the node it enters:
  ``signal_s`` at a node with signals; ``junction_s`` at another node where
  three or more streets meet, when the edge is of a lesser road class than
  the best road there (giving way; traffic along the main road does not stop).  The once-per-trip overhead (starting and
  parking) is added to every trip by :func:`access.routing.travel.network_times`,
  and the traffic at a moment by :meth:`access.core.tripcosts.DriveCosts.at`;
* **walk**: each edge at walking speed, plus ``signal_s`` entering a node
  with signals (a signalised junction or crossing);
* **cycle**: unchanged.

The straight-line estimate prices the same way, from what its calibration
measured along routed trips (:func:`access.routing.detour.measure_calibration`).

Example
-------
>>> from access.inputs.sources import mirror_file
>>> from access.routing.network import get_network
>>> drive = get_network("drive", crs="EPSG:27700", osm_file=mirror_file("city_of_london_osm"), use_cache=False)
>>> costed = costed_network(drive, drive=DriveCosts(), walk=WalkCosts())
>>> bool((costed.time_s.data >= drive.time_s.data).all())  # never faster than the limit
True
>>> round(float(costed.time_s.sum() / drive.time_s.sum()), 1)  # the City's signals: 40% more time
1.4
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy import sparse

from access.core.tripcosts import DriveCosts, WalkCosts
from access.routing.network import StreetNetwork

__all__ = ["costed_network", "edge_delays", "give_way", "junctions", "drive_edge_seconds"]


def junctions(network: StreetNetwork) -> np.ndarray:
    """Return, per node, whether three or more streets meet there (three or more distinct neighbours).

    >>> from access.routing.network import StreetNetwork
    >>> star = sparse.csr_matrix((np.ones(6), ([0, 0, 0, 1, 2, 3], [1, 2, 3, 0, 0, 0])), shape=(4, 4))
    >>> net = StreetNetwork("drive", "a star", "EPSG:27700", np.zeros(4), np.zeros(4), np.arange(4), star, star)
    >>> junctions(net).tolist()
    [True, False, False, False]
    """
    pattern = network.time_s.copy()
    pattern.data = np.ones_like(pattern.data)
    both = ((pattern + pattern.T) > 0).astype(np.int8)
    both.setdiag(0)
    both.eliminate_zeros()
    return np.diff(both.indptr) >= 3


def give_way(network: StreetNetwork) -> np.ndarray:
    """Return, per edge (in the order of ``time_s.data``), whether it ends giving way at a junction without signals.

    True where its end node is a junction (:func:`junctions`) without signals and some street there is
    of a better road class than the edge's own.
    """
    classes = network.classes().astype(np.int64)
    csr = network.time_s
    tail = np.repeat(np.arange(network.n_nodes), np.diff(csr.indptr))
    best = np.full(network.n_nodes, np.iinfo(np.int64).max)
    np.minimum.at(best, tail, classes)
    np.minimum.at(best, csr.indices, classes)
    head = csr.indices
    return junctions(network)[head] & ~network.signal_flags()[head] & (classes > best[head])


def edge_delays(network: StreetNetwork, *, signal_s: float, junction_s: float = 0.0) -> np.ndarray:
    """Seconds lost at the end of each edge (in the order of ``time_s.data``): signals, or giving way."""
    return np.where(network.signal_flags()[network.time_s.indices], signal_s,
                    np.where(give_way(network), junction_s, 0.0))


def drive_edge_seconds(network: StreetNetwork, costs: DriveCosts) -> np.ndarray:
    """Each edge's moving seconds by car (in the order of ``time_s.data``), junction delays not included.

    The typical speed of the edge's road class, or its free-flow speed (its limit) when that is lower.
    """
    length = network.length_m.data
    free_kmh = length / network.time_s.data * 3.6
    speed = np.minimum(costs.class_speeds()[network.classes()], free_kmh)
    return length / (speed / 3.6)


def costed_network(network: StreetNetwork, *, drive: DriveCosts, walk: WalkCosts) -> StreetNetwork:
    """Return the network with each edge's time as its mode's model prices it (see the module's description).

    The cycle network is returned as it is.
    """
    if network.mode == "drive":
        seconds = drive_edge_seconds(network, drive) + edge_delays(network, signal_s=drive.signal_s,
                                                                    junction_s=drive.junction_s)
    elif network.mode == "walk":
        seconds = network.time_s.data + edge_delays(network, signal_s=walk.signal_s)
    else:
        return network
    time_s = sparse.csr_matrix((seconds, network.time_s.indices.copy(), network.time_s.indptr.copy()),
                               shape=network.time_s.shape)
    return replace(network, time_s=time_s)
