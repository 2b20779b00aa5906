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
import re
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyproj
import requests
from scipy import sparse
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from access.core import settings
from access.core.errors import AccessWarning, NetworkError, NetworkUnavailable
from access.core.files import atomic_path
from access.core.modes import MODES, UK_HIGHWAY_SPEEDS_KMH, Mode

if TYPE_CHECKING:
    import networkx as nx

# OSMnx (and through it NetworkX, scikit-learn, matplotlib) takes seconds to import and is needed
# only to build a network, not to load one from the cache: it is imported where it is used.

__all__ = ["StreetNetwork", "get_network", "graph_from_osm_file", "graph_from_overpass",
           "network_from_graph", "way_filter"]

log = logging.getLogger(__name__)

CACHE_FORMAT = 1
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
    """

    mode: str
    source: str
    crs: str
    x: np.ndarray
    y: np.ndarray
    osmid: np.ndarray
    time_s: sparse.csr_matrix
    length_m: sparse.csr_matrix

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.x)

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return int(self.time_s.nnz)

    @cached_property
    def _kdtree(self) -> cKDTree:
        return cKDTree(np.column_stack([self.x, self.y]))

    def snap(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest node of each point and the straight-line distance to it (metres)."""
        distance, node = self._kdtree.query(np.column_stack([x, y]))  # the tree is built once per network
        return node.astype(np.int64), distance

    def save(self, path: Path) -> None:
        """Write the network to ``path`` (``.npz``), atomically."""
        with atomic_path(path) as tmp, tmp.open("wb") as fh:
            np.savez_compressed(
                fh, meta=np.array(json.dumps({"mode": self.mode, "source": self.source,
                                              "crs": self.crs, "format": CACHE_FORMAT})),
                x=self.x, y=self.y, osmid=self.osmid,
                indptr=self.time_s.indptr, indices=self.time_s.indices,
                time_s=self.time_s.data, length_m=self.length_m.data,
            )

    @classmethod
    def load(cls, path: Path) -> StreetNetwork:
        """Read a network written by :meth:`save`."""
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
            return cls(
                mode=meta["mode"], source=meta["source"], crs=meta["crs"],
                x=npz["x"], y=npz["y"], osmid=npz["osmid"],
                time_s=sparse.csr_matrix((npz["time_s"], *structure), shape=shape),
                length_m=sparse.csr_matrix((npz["length_m"], *structure), shape=shape),
            )


# --- OSM way filters -------------------------------------------------------------

_CLAUSE = re.compile(r'\["([^"]+)"(?:(!?~)"([^"]*)")?\]')


def way_filter(network_type: str) -> Callable[[dict[str, str]], bool]:
    """A predicate on a way's tags, equal to OSMnx's Overpass filter for ``network_type``.

    OSMnx defines each network type as an Overpass way filter, such as
    ``["highway"]["area"!~"yes"]["foot"!~"no"]``.  Reading that same string
    keeps a local OSM file's network identical to what Overpass would return.
    """
    import osmnx as ox

    text = ox._overpass._get_network_filter(network_type)
    clauses = [(key, op, re.compile(value) if op else None) for key, op, value in _CLAUSE.findall(text)]
    if "".join(m.group(0) for m in _CLAUSE.finditer(text)) != text:
        raise NetworkError(f"OSMnx's filter for {network_type!r} uses syntax access cannot read: {text}")

    def keep(tags: dict[str, str]) -> bool:
        for key, op, pattern in clauses:
            value = tags.get(key)
            if op == "":
                if value is None:
                    return False
            elif op == "~":
                if value is None or not pattern.search(value):
                    return False
            elif value is not None and pattern.search(value):
                return False
        return True

    return keep


# --- building graphs --------------------------------------------------------------

def graph_from_osm_file(path: Path, mode: Mode, area_wgs84: BaseGeometry | None = None) -> nx.MultiDiGraph:
    """An OSMnx graph of ``mode``'s streets from a local ``.osm`` or ``.osm.pbf`` file.

    pyosmium reads the file (either format) with node locations, keeps the
    ways that pass the mode's OSMnx way filter, and writes them with their
    nodes to a temporary OSM XML file for :func:`osmnx.graph_from_xml`.
    Node references missing from the file (an extract clipped mid-way) are
    dropped, so a clipped way ends at its last node inside the extract.

    With ``area_wgs84``, only ways that reach into the area's bounding box are
    read, and the graph is then cut to the area as OSMnx cuts an Overpass
    download, so a city-wide file (say Geofabrik's Greater London) gives the
    same network as Overpass would for the study.

    Raises
    ------
    NetworkError
        The file cannot be read, or holds no street of this mode.
    """
    import osmium
    import osmnx as ox

    path = Path(path)
    if not path.is_file():
        raise NetworkError(f"OSM file {str(path)!r} does not exist; give the path to a .osm or .osm.pbf file")
    keep = way_filter(mode.network_type)
    # Ways reaching into the area's bounding box, grown by ~1 km, are read; the rest are skipped.
    west, south, east, north = (area_wgs84.buffer(0.015).bounds if area_wgs84 is not None
                                else (-180, -90, 180, 90))
    nodes: dict[int, tuple[float, float]] = {}
    ways: list[tuple[int, list[int], dict[str, str]]] = []
    try:
        reader = osmium.FileProcessor(str(path)).with_locations()
        # Cheap filters in C++ first (ways with a highway tag), the mode's full filter in Python.
        reader = reader.with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        for way in reader.with_filter(osmium.filter.KeyFilter("highway")):
            tags = {tag.k: tag.v for tag in way.tags}
            if not keep(tags):
                continue
            located = [(n.ref, n.location.lat, n.location.lon) for n in way.nodes if n.location.valid()]
            if len(located) < 2 or not any(west <= lon <= east and south <= lat <= north
                                           for _, lat, lon in located):
                continue
            for ref, lat, lon in located:
                nodes[ref] = (lat, lon)
            ways.append((way.id, [ref for ref, _, _ in located], tags))
    except (RuntimeError, ValueError, OSError) as exc:
        raise NetworkError(
            f"cannot read OSM file {str(path)!r} ({exc}); check that it is a complete "
            f".osm or .osm.pbf file, e.g. with 'osmium fileinfo'"
        ) from exc
    if not ways:
        where = " inside the study area" if area_wgs84 is not None else ""
        raise NetworkError(f"OSM file {str(path)!r} has no {mode.name} streets{where}; check that "
                           f"it covers the study area with streets, not just buildings or points")
    graph = _graph_from_osm_elements(nodes, ways, mode.bidirectional)
    if area_wgs84 is None:
        return ox.simplification.simplify_graph(graph)
    # Cut as graph_from_polygon does: to the area plus 500 m, simplify, then to the area.
    projected, utm = ox.projection.project_geometry(area_wgs84)
    buffered, _ = ox.projection.project_geometry(projected.buffer(500), crs=utm, to_latlong=True)
    try:
        graph = ox.truncate.truncate_graph_polygon(graph, buffered)
        graph = ox.simplification.simplify_graph(graph)
        return ox.truncate.truncate_graph_polygon(graph, area_wgs84)
    except ValueError as exc:  # OSMnx: "Found no graph nodes within the requested polygon"
        raise NetworkError(f"OSM file {str(path)!r} has no {mode.name} streets inside the study "
                           f"area; check that the file covers it") from exc


def _graph_from_osm_elements(nodes: dict[int, tuple[float, float]],
                             ways: list[tuple[int, list[int], dict[str, str]]], bidirectional: bool) -> nx.MultiDiGraph:
    """The unsimplified OSMnx graph of these nodes and ways, as :func:`osmnx.graph_from_xml` builds it.

    ``graph_from_xml`` parses the XML into Overpass-style JSON elements and
    hands them to OSMnx's graph builder; the same elements are given to that
    builder here directly, which skips writing and parsing the XML (about a
    fifth of a cold network build).  If OSMnx no longer has that builder, the
    XML route is taken.
    """
    import osmnx as ox

    create_graph = getattr(ox.graph, "_create_graph", None)
    if create_graph is None:
        with tempfile.TemporaryDirectory(prefix="access-osm-") as tmp:
            xml = Path(tmp) / "ways.osm"
            _write_osm_xml(xml, nodes, ways)
            return ox.graph_from_xml(xml, bidirectional=bidirectional, simplify=False, retain_all=True)
    elements = [{"type": "node", "tags": {}, "id": ref, "lat": lat, "lon": lon} for ref, (lat, lon) in nodes.items()]
    elements += [{"type": "way", "tags": tags, "id": way_id, "nodes": refs} for way_id, refs, tags in ways]
    return create_graph([{"elements": elements}], bidirectional)


def _write_osm_xml(path: Path, nodes: dict[int, tuple[float, float]],
                   ways: list[tuple[int, list[int], dict[str, str]]]) -> None:
    from xml.sax.saxutils import quoteattr

    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="access">\n')
        for ref, (lat, lon) in nodes.items():
            out.write(f'<node id="{ref}" lat="{lat:.7f}" lon="{lon:.7f}"/>\n')
        for way_id, refs, tags in ways:
            out.write(f'<way id="{way_id}">')
            out.write("".join(f'<nd ref="{ref}"/>' for ref in refs))
            out.write("".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items()))
            out.write("</way>\n")
        out.write("</osm>\n")


def graph_from_overpass(area_wgs84: BaseGeometry, mode: Mode) -> nx.MultiDiGraph:
    """Download ``mode``'s streets inside ``area_wgs84`` through OSMnx and Overpass.

    The endpoint is :func:`access.core.settings.overpass_url` (``ACCESS_OVERPASS_URL``).

    Raises
    ------
    NetworkUnavailable
        Overpass cannot be reached or answers with an error.
    """
    import osmnx as ox

    url = settings.overpass_url()
    try:  # a quick look first: OSMnx waits a minute before its first query when it gets no status
        requests.get(f"{url}/status", timeout=10).raise_for_status()
    except requests.RequestException as exc:
        raise NetworkUnavailable(
            f"Overpass at {url} cannot be reached ({type(exc).__name__}); pass --osm-file with "
            f"a local .osm/.osm.pbf, or set ACCESS_OVERPASS_URL to a reachable Overpass server"
        ) from exc
    ox.settings.overpass_url = url
    ox.settings.use_cache = False
    ox.settings.log_console = False
    ox.settings.requests_timeout = 300  # a borough-sized query can take minutes on the public server
    try:
        return ox.graph_from_polygon(area_wgs84, network_type=mode.network_type,
                                     simplify=True, retain_all=True)
    except (requests.RequestException, ConnectionError, ox._errors.InsufficientResponseError) as exc:
        raise NetworkUnavailable(
            f"could not download the {mode.name} network from Overpass at {url} ({exc}); "
            f"check the connection, pass --osm-file with a local .osm/.osm.pbf, or use --offline"
        ) from exc


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
    graph = ox.truncate.largest_component(graph, strongly=True)
    if graph.number_of_edges() == 0:
        raise NetworkError(f"the {mode.name} network from {source} has no strongly connected part")
    if mode.speed_kmh is None:
        graph = ox.routing.add_edge_speeds(graph, hwy_speeds=UK_HIGHWAY_SPEEDS_KMH,
                                           fallback=DRIVE_FALLBACK_KMH)
    nodes = sorted(graph.nodes)  # by OSM id, so arrays do not depend on how the file was read
    index = {node: i for i, node in enumerate(nodes)}
    u, v, length, speed = [], [], [], []
    for a, b, data in graph.edges(data=True):
        u.append(index[a])
        v.append(index[b])
        length.append(float(data["length"]))
        speed.append(float(data["speed_kph"]) if mode.speed_kmh is None else mode.speed_kmh)
    u_arr, v_arr = np.asarray(u, np.int64), np.asarray(v, np.int64)
    length_arr = np.asarray(length)
    time_arr = length_arr / (np.asarray(speed) / 3.6)
    # Keep the fastest of parallel edges: sort by (u, v, time), take the first of each pair.
    order = np.lexsort((time_arr, v_arr, u_arr))
    u_arr, v_arr, length_arr, time_arr = u_arr[order], v_arr[order], length_arr[order], time_arr[order]
    first = np.ones(len(u_arr), dtype=bool)
    first[1:] = (u_arr[1:] != u_arr[:-1]) | (v_arr[1:] != v_arr[:-1])
    u_arr, v_arr, length_arr, time_arr = u_arr[first], v_arr[first], length_arr[first], time_arr[first]
    # A zero weight would read as "no edge" in scipy's sparse graphs.
    time_arr = np.maximum(time_arr, 1e-3)
    length_arr = np.maximum(length_arr, 1e-3)
    n = len(nodes)
    time_s = sparse.csr_matrix((time_arr, (u_arr, v_arr)), shape=(n, n))
    length_m = sparse.csr_matrix((length_arr, (u_arr, v_arr)), shape=(n, n))
    lon = np.array([graph.nodes[node]["x"] for node in nodes])
    lat = np.array([graph.nodes[node]["y"] for node in nodes])
    x, y = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    return StreetNetwork(mode=mode.name, source=source, crs=crs, x=np.asarray(x), y=np.asarray(y),
                         osmid=np.asarray(nodes, dtype=np.int64), time_s=time_s, length_m=length_m)


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
) -> StreetNetwork:
    """The street network for one mode: from the cache, a local file, or Overpass.

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

    Raises
    ------
    NetworkUnavailable
        No file, no cache, and no download allowed or possible.
    NetworkError
        The file or downloaded data cannot be turned into a network.
    """
    mode = MODES[mode_name]
    if osm_file is not None:
        osm_file = Path(osm_file)
        if osm_file_sha256 is None:
            from access.inputs.sources import sha256_of
            if not osm_file.is_file():
                raise NetworkError(f"OSM file {str(osm_file)!r} does not exist; "
                                   f"give the path to a .osm or .osm.pbf file")
            osm_file_sha256 = sha256_of(osm_file)
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
        graph = graph_from_osm_file(osm_file, mode, area_wgs84)
    elif not allow_download:
        raise NetworkUnavailable(
            f"no {mode.name} network is cached and downloading is off; "
            f"pass --osm-file with a local .osm/.osm.pbf, or run once online"
        )
    else:
        graph = graph_from_overpass(area_wgs84, mode)
    network = network_from_graph(graph, mode, crs, source)
    if use_cache:
        try:
            network.save(path)
        except OSError as exc:
            message = f"could not cache the {mode.name} network at {path} ({exc}); the next run will rebuild it"
            log.warning(message)
            warnings.warn(AccessWarning(message), stacklevel=2)
    return network
