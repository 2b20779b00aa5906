"""Street networks per mode: from a cache, a local OSM file, or Overpass.

The result of every route is a :class:`StreetNetwork`: the largest strongly
connected component of the mode's OSMnx graph, as compact CSR arrays of
travel time (seconds) and length (metres), with node coordinates in the
study CRS.  That is all routing needs, so that is what is cached, as a
compressed ``.npz``: it loads in milliseconds, where GraphML takes seconds
to parse.
"""

from __future__ import annotations

import hashlib
import json
import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyproj
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from access.core import settings
from access.core.errors import AccessWarning, NetworkError, NetworkUnavailable
from access.core.files import atomic_path
from access.core.modes import MODES, UK_HIGHWAY_SPEEDS_KMH, Mode
from access.core.tripcosts import ROAD_CLASSES, road_class
from access.inputs.sources import sha256_of
from access.routing.osm import graph_from_overpass
from access.routing.osm_graph import StreetGraph, osm_bbox, street_graph
from access.routing.osm_read import OsmWays, existing_osm_file, read_ways
from access.routing.speeds import edge_speeds

if TYPE_CHECKING:
    import networkx as nx

# OSMnx (and through it NetworkX, scikit-learn, matplotlib) takes seconds to import and is needed
# only to build a network, not to load one from the cache: it is imported where it is used.

__all__ = ["StreetNetwork", "get_network", "network_from_graph", "network_from_street_graph", "network_from_osm_file"]

log = logging.getLogger(__name__)

CACHE_FORMAT = 3
"""Bump when the cached arrays change meaning, so old caches are rebuilt."""

DRIVE_FALLBACK_KMH = 32.0


@dataclass(frozen=True)
class StreetNetwork:
    """One mode's routable street network.

    Attributes
    ----------
    mode
        The mode's name.
    source
        Where the network came from, for the record (``"osm file …"``, ``"overpass …"``).
    crs
        CRS of ``x`` and ``y`` (metres).
    x, y
        Node coordinates.
    osmid
        OSM node ids.
    time_s
        CSR matrix: ``time_s[i, j]`` is the travel time in seconds from node i to node j.
    length_m
        CSR matrix of the same edges' lengths in metres.
    road_class
        Each edge's road class (a row of :data:`access.core.tripcosts.ROAD_CLASSES`), in the order of
        ``time_s.data``; ``None`` when unknown (every edge is then ``minor``).
    signals
        True for each node with traffic signals (:func:`access.routing.osm_graph.signal_nodes`);
        ``None`` when unknown (no signals).

    Examples
    --------
    >>> from access.routing.network import get_network
    >>> from access.inputs.sources import data_file
    >>> walk = get_network("walk", crs="EPSG:27700", osm_file=data_file("city_of_london_osm"), allow_download=False)
    >>> walk.mode, walk.n_nodes > 1000, walk.time_s.shape == (walk.n_nodes, walk.n_nodes)
    ('walk', True, True)
    """

    mode: str
    source: str
    crs: str
    x: np.ndarray
    y: np.ndarray
    osmid: np.ndarray
    time_s: sparse.csr_matrix
    length_m: sparse.csr_matrix
    road_class: np.ndarray | None = None
    signals: np.ndarray | None = None

    def classes(self) -> np.ndarray:
        """Each edge's road class, in the order of ``time_s.data`` (``minor`` where unknown)."""
        if self.road_class is None:
            return np.full(self.n_edges, ROAD_CLASSES.index("minor"), dtype=np.int8)
        return self.road_class

    def signal_flags(self) -> np.ndarray:
        """Each node's traffic-signal flag (all False where unknown)."""
        return np.zeros(self.n_nodes, dtype=bool) if self.signals is None else self.signals

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.x)

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return int(self.time_s.nnz)

    @cached_property
    def reverse(self) -> sparse.csr_matrix:
        """The travel-time matrix of the reversed graph (edges point back), built once per network.

        Routing *to* a counter runs Dijkstra from the counter on this matrix, so one-way
        streets are respected in the direction of travel.
        """
        return self.time_s.T.tocsr()

    @cached_property
    def _kdtree(self) -> cKDTree:
        return cKDTree(np.column_stack([self.x, self.y]))

    def snap(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest node of each point and the straight-line distance to it (metres)."""
        distance, node = self._kdtree.query(np.column_stack([x, y]))  # the tree is built once per network
        return node.astype(np.int64), distance

    def _arrays(self) -> dict[str, np.ndarray]:
        """Return the arrays a cached network holds, by name."""
        return {"x": self.x, "y": self.y, "osmid": self.osmid, "indptr": self.time_s.indptr,
                "indices": self.time_s.indices, "time_s": self.time_s.data, "length_m": self.length_m.data,
                "road_class": self.classes(), "signals": self.signal_flags()}

    def save(self, path: Path) -> None:
        """Write the network to ``path`` (``.npz``), atomically, with the sha256 of its arrays (see :meth:`load`)."""
        arrays = self._arrays()
        meta = {"mode": self.mode, "source": self.source, "crs": self.crs, "format": CACHE_FORMAT,
                "sha256": _digest(arrays)}
        with atomic_path(path) as tmp, tmp.open("wb") as fh:
            np.savez_compressed(fh, meta=np.array(json.dumps(meta)), **arrays)

    @classmethod
    def load(cls, path: Path) -> StreetNetwork:
        """Read a network written by :meth:`save`, checking its arrays' shapes and values.

        Raises
        ------
        NetworkError
            The file is from another format, or an array does not fit the others, or a travel
            time or length is not a finite positive number, or a coordinate is not a number, or
            its arrays are not the ones it was written with (their sha256, recorded at the build,
            differs: times halved by hand are found).
        """
        with np.load(path, allow_pickle=False) as npz:
            meta = json.loads(str(npz["meta"]))
            if meta.get("format") != CACHE_FORMAT:
                raise NetworkError(f"cached network {path} has format {meta.get('format')}, "
                                   f"expected {CACHE_FORMAT}; it will be rebuilt")
            n = len(npz["x"])
            shape = (n, n)
            structure = (npz["indices"], npz["indptr"])
            sizes = {len(npz["y"]), len(npz["osmid"]), len(npz["indptr"]) - 1}
            n_edges = len(npz["indices"])
            if (sizes != {n} or len(npz["time_s"]) != n_edges or len(npz["length_m"]) != n_edges
                    or (n_edges and not (0 <= npz["indices"].min() and npz["indices"].max() < n))):
                raise NetworkError(f"cached network {path} has arrays of inconsistent sizes; it will be rebuilt")
            indptr = npz["indptr"]
            if n_edges == 0 or indptr[0] != 0 or indptr[-1] != n_edges or (np.diff(indptr) < 0).any():
                raise NetworkError(f"cached network {path} has a broken edge index; it will be rebuilt")
            for name in ("time_s", "length_m"):
                values = npz[name]
                if not (np.isfinite(values).all() and (values > 0).all()):
                    bad = int((~np.isfinite(values) | (values <= 0)).sum())
                    raise NetworkError(f"cached network {path} has {bad:,} edge {name.split('_')[0]}s that are not "
                                       f"finite positive numbers; it will be rebuilt")
            if not (np.isfinite(npz["x"]).all() and np.isfinite(npz["y"]).all()):
                raise NetworkError(f"cached network {path} has node coordinates that are not numbers; it will be "
                                   f"rebuilt")
            if meta.get("sha256") != _digest({name: npz[name] for name in _CACHED}):
                raise NetworkError(f"cached network {path} is not what was built (its arrays' sha256 differs from the "
                                   f"one written with them: the file was changed); it will be rebuilt")
            road_class, signals = npz["road_class"], npz["signals"]
            if (len(road_class) != n_edges or len(signals) != n
                    or (n_edges and not (0 <= road_class.min() and road_class.max() < len(ROAD_CLASSES)))):
                raise NetworkError(f"cached network {path} has road classes or signals that do not fit its "
                                   f"edges and nodes; it will be rebuilt")
            return cls(
                mode=meta["mode"], source=meta["source"], crs=meta["crs"],
                x=npz["x"], y=npz["y"], osmid=npz["osmid"],
                time_s=sparse.csr_matrix((npz["time_s"], *structure), shape=shape),
                length_m=sparse.csr_matrix((npz["length_m"], *structure), shape=shape),
                road_class=road_class.astype(np.int8), signals=signals.astype(bool),
            )


_CACHED = ("x", "y", "osmid", "indptr", "indices", "time_s", "length_m", "road_class", "signals")
"""The arrays of a cached network, in the order their digest reads them."""


def _digest(arrays: dict[str, np.ndarray]) -> str:
    """Return the sha256 of the arrays' names, dtypes, shapes and bytes, in :data:`_CACHED` order."""
    digest = hashlib.sha256()
    for name in _CACHED:
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}:{array.dtype.str}:{array.shape}".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def network_from_graph(graph: nx.MultiDiGraph, mode: Mode, crs: str, source: str) -> StreetNetwork:
    """Keep the largest strongly connected component, time every edge, and pack it as CSR.

    Walk and cycle edges take length ÷ the mode's speed.  Drive edges take
    their ``maxspeed``, or the UK default for their highway type
    (:data:`access.core.modes.UK_HIGHWAY_SPEEDS_KMH`).  Where two edges join the
    same nodes, the faster is kept.
    """
    import osmnx as ox

    if graph.number_of_edges() == 0:
        raise NetworkError(f"the {mode.name} network from {source} has no edges")
    if not pyproj.CRS.from_user_input(graph.graph.get("crs", "EPSG:4326")).is_geographic:
        graph = ox.projection.project_graph(graph, to_latlong=True)  # a projected OSMnx graph: back to lon/lat
    graph = ox.truncate.largest_component(graph, strongly=True)
    if graph.number_of_edges() == 0:
        raise NetworkError(f"the {mode.name} network from {source} has no strongly connected part")
    if mode.speed_kmh is None:
        graph = ox.routing.add_edge_speeds(graph, hwy_speeds=UK_HIGHWAY_SPEEDS_KMH,
                                           fallback=DRIVE_FALLBACK_KMH)
    nodes = sorted(graph.nodes)  # by OSM id, so arrays do not depend on how the file was read
    index = {node: i for i, node in enumerate(nodes)}
    u, v, length, speed, classes = [], [], [], [], []
    for a, b, data in graph.edges(data=True):
        u.append(index[a])
        v.append(index[b])
        length.append(float(data["length"]))
        speed.append(float(data["speed_kph"]) if mode.speed_kmh is None else mode.speed_kmh)
        highway = data.get("highway", "")
        classes.append(road_class(highway[0] if isinstance(highway, list) else highway))
    length_arr = np.asarray(length)
    lon = np.array([graph.nodes[node]["x"] for node in nodes])
    lat = np.array([graph.nodes[node]["y"] for node in nodes])
    # OSMnx keeps a signal's tag only on the nodes simplification leaves (signals on junctions)
    signals = np.array([graph.nodes[node].get("highway") == "traffic_signals" for node in nodes], dtype=bool)
    return _pack(mode, crs, source, np.asarray(nodes, dtype=np.int64), lon, lat, np.asarray(u, np.int64),
                 np.asarray(v, np.int64), length_arr, length_arr / (np.asarray(speed) / 3.6),
                 np.asarray(classes, dtype=np.int8), signals)


def network_from_street_graph(graph: StreetGraph, mode: Mode, crs: str, source: str) -> StreetNetwork:
    """Keep the largest strongly connected part of a street graph, time every edge, and pack it as CSR.

    The same rules as :func:`network_from_graph`, on arrays: walk and cycle
    edges take length ÷ the mode's speed; drive edges their ``maxspeed``, or
    the UK default for their highway type (:func:`access.routing.speeds.edge_speeds`);
    of parallel edges the faster is kept.  Should two strongly connected parts
    tie for the largest, the one with the lowest OSM node id is kept.

    Examples
    --------
    >>> from access.core.modes import MODES
    >>> from access.inputs.sources import mirror_file
    >>> from access.routing.osm_graph import street_graph
    >>> from access.routing.osm_read import read_ways
    >>> graph = street_graph(read_ways(mirror_file("city_of_london_osm")), MODES["walk"])
    >>> network_from_street_graph(graph, MODES["walk"], "EPSG:27700", "the City extract").n_nodes
    2235
    """
    if len(graph.u) == 0:
        raise NetworkError(f"the {mode.name} network from {source} has no edges")
    n = len(graph.node_id)
    _, label = connected_components(sparse.coo_matrix((np.ones(len(graph.u)), (graph.u, graph.v)), shape=(n, n)),
                                    directed=True, connection="strong")
    largest = np.bincount(label).argmax()
    keep = label == largest
    edge = keep[graph.u] & keep[graph.v]
    if not edge.any():
        raise NetworkError(f"the {mode.name} network from {source} has no strongly connected part")
    row = np.cumsum(keep) - 1
    u_arr, v_arr, length_arr = row[graph.u[edge]], row[graph.v[edge]], graph.length_m[edge]
    if mode.speed_kmh is None:
        speed = edge_speeds(graph.highway[edge], graph.maxspeed_kmh[edge], UK_HIGHWAY_SPEEDS_KMH, DRIVE_FALLBACK_KMH)
    else:
        speed = np.full(len(u_arr), float(mode.speed_kmh))
    time_arr = length_arr / (speed / 3.6)
    classes = np.array([road_class(h) for h in graph.highway[edge]], dtype=np.int8)
    signals = None if graph.signals is None else graph.signals[keep]
    return _pack(mode, crs, source, graph.node_id[keep], graph.lon[keep], graph.lat[keep],
                 u_arr, v_arr, length_arr, time_arr, classes, signals)


def _pack(mode: Mode, crs: str, source: str, osmid: np.ndarray, lon: np.ndarray, lat: np.ndarray,
          u_arr: np.ndarray, v_arr: np.ndarray, length_arr: np.ndarray, time_arr: np.ndarray,
          classes: np.ndarray, signals: np.ndarray | None) -> StreetNetwork:
    """Keep the fastest of parallel edges and pack nodes (ascending OSM ids) and edges as a :class:`StreetNetwork`."""
    order = np.lexsort((time_arr, v_arr, u_arr))
    u_arr, v_arr, length_arr, time_arr = u_arr[order], v_arr[order], length_arr[order], time_arr[order]
    classes = classes[order]
    first = np.ones(len(u_arr), dtype=bool)
    first[1:] = (u_arr[1:] != u_arr[:-1]) | (v_arr[1:] != v_arr[:-1])
    u_arr, v_arr, length_arr, time_arr = u_arr[first], v_arr[first], length_arr[first], time_arr[first]
    classes = classes[first]  # (u, v) pairs now sorted and distinct: the order of the CSR data below
    # A zero weight would read as "no edge" in scipy's sparse graphs.
    time_arr = np.maximum(time_arr, 1e-3)
    length_arr = np.maximum(length_arr, 1e-3)
    n = len(osmid)
    time_s = sparse.csr_matrix((time_arr, (u_arr, v_arr)), shape=(n, n))
    length_m = sparse.csr_matrix((length_arr, (u_arr, v_arr)), shape=(n, n))
    x, y = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    return StreetNetwork(mode=mode.name, source=source, crs=crs, x=np.asarray(x), y=np.asarray(y),
                         osmid=np.asarray(osmid, dtype=np.int64), time_s=time_s, length_m=length_m,
                         road_class=classes.astype(np.int8),
                         signals=np.zeros(n, dtype=bool) if signals is None else np.asarray(signals, dtype=bool))


def network_from_osm_file(path: Path, mode: Mode, crs: str, area_wgs84: BaseGeometry | None = None, *,
                          source: str | None = None, ways: OsmWays | None = None) -> StreetNetwork:
    """Build one mode's network from a local ``.osm``/``.osm.pbf`` file, without OSMnx.

    The file's highway ways are read once (:func:`access.routing.osm_read.read_ways`,
    or ``ways`` when already read), the mode's graph is built from them as OSMnx
    would build it (:func:`access.routing.osm_graph.street_graph`) and packed
    (:func:`network_from_street_graph`): node for node and edge for edge the
    network :func:`network_from_graph` makes of OSMnx's graph.

    Raises
    ------
    NetworkError
        The file cannot be read, or holds no street of this mode (inside the area).
    """
    path = Path(path)
    if ways is None:
        ways = read_ways(path)
    graph = street_graph(ways, mode, area_wgs84)
    return network_from_street_graph(graph, mode, crs, source or f"OpenStreetMap file {path.name}")


# --- the cache and the choice of source ---------------------------------------------

def _cache_path(mode: Mode, crs: str, source_key: dict[str, str]) -> Path:
    key = json.dumps({"mode": mode.name, "crs": crs, "format": CACHE_FORMAT,
                      "osmnx": version("osmnx"), **source_key}, sort_keys=True)
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return settings.cache_dir() / "networks" / f"{mode.name}-{digest}.npz"


def get_network(
    mode_name: str,
    *,
    crs: str,
    area_wgs84: BaseGeometry | None = None,
    osm_file: Path | None = None,
    osm_file_sha256: str | None = None,
    allow_download: bool = True,
    use_cache: bool = True,
    osm_ways: Callable[[], OsmWays] | None = None,
) -> StreetNetwork:
    """Return the street network for one mode: from the cache, a local file, or Overpass.

    Parameters
    ----------
    mode_name
        ``walk``, ``cycle`` or ``drive``.
    crs
        Projected CRS for node coordinates.
    area_wgs84
        The study area (WGS84): what is downloaded, or what is cut from ``osm_file``
        (the whole file when ``None``).
    osm_file
        A local ``.osm`` or ``.osm.pbf`` file.
    osm_file_sha256
        The file's sha256 when already known (it keys the cache).
    allow_download
        If False and the network is not cached, raise instead of downloading.
    use_cache
        Read and write the cache under :func:`access.core.settings.cache_dir`.
    osm_ways
        Gives ``osm_file``'s highway ways already read (called only when the
        network must be built), so that several modes share one reading of a
        big file; by default the file is read for this mode alone.

    Raises
    ------
    NetworkUnavailable
        No file, no cache, and no download allowed or possible.
    NetworkError
        The file or downloaded data cannot be turned into a network.

    Examples
    --------
    >>> from access.inputs.sources import data_file
    >>> drive = get_network("drive", crs="EPSG:27700", osm_file=data_file("city_of_london_osm"), allow_download=False)
    >>> drive.mode, drive.crs
    ('drive', 'EPSG:27700')
    """
    mode = MODES[mode_name]
    if osm_file is not None:
        osm_file = Path(osm_file)
        if osm_file_sha256 is None:
            osm_file_sha256 = sha256_of(existing_osm_file(osm_file))
        source = f"OpenStreetMap file {osm_file.name}"
        key = {"file_sha256": osm_file_sha256, "area": area_wgs84.wkt if area_wgs84 is not None else ""}
    else:
        if area_wgs84 is None:
            raise NetworkUnavailable("no OSM file and no area to download were given")
        source = f"OpenStreetMap via Overpass ({settings.overpass_url()})"
        key = {"overpass": settings.overpass_url(), "area": area_wgs84.wkt}

    path = _cache_path(mode, crs, key)
    if use_cache and path.is_file():
        try:
            network = StreetNetwork.load(path)
            log.info("loaded the %s network from the cache %s", mode.name, path)
            return network
        except Exception as exc:  # a damaged cache is rebuilt, never trusted
            message = f"cached {mode.name} network {path} is damaged ({exc}); rebuilding it"
            log.warning(message)
            warnings.warn(AccessWarning(message), stacklevel=2)
    if osm_file is not None:
        ways = osm_ways() if osm_ways is not None else read_ways(osm_file, bbox=osm_bbox(area_wgs84))
        network = network_from_osm_file(osm_file, mode, crs, area_wgs84, source=source, ways=ways)
    elif not allow_download:
        raise NetworkUnavailable(
            f"no {mode.name} network is cached and downloading is off; "
            f"pass --osm-file with a local .osm/.osm.pbf, or run once online"
        )
    else:
        network = network_from_graph(graph_from_overpass(area_wgs84, mode), mode, crs, source)
    if use_cache:
        try:
            network.save(path)
        except OSError as exc:
            message = f"could not cache the {mode.name} network at {path} ({exc}); the next run will rebuild it"
            log.warning(message)
            warnings.warn(AccessWarning(message), stacklevel=2)
    return network
