"""Reading OpenStreetMap: a local ``.osm``/``.osm.pbf`` file, or a download from Overpass through OSMnx.

Both give an OSMnx ``MultiDiGraph`` of one mode's streets, cut to the study area
the way OSMnx cuts an Overpass download, so a file and a download of the same
area give the same network.  :func:`access.routing.network.network_from_graph`
then packs the graph as arrays.

OSMnx (and through it NetworkX, scikit-learn, matplotlib) takes seconds to
import and is needed only to build a network, not to load one from the cache:
it is imported where it is used.
"""

from __future__ import annotations

import re
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import requests
from shapely.geometry.base import BaseGeometry

from access.core import settings
from access.core.errors import NetworkError, NetworkUnavailable
from access.core.modes import Mode
from access.routing.osm_read import existing_osm_file

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["way_filter", "graph_from_osm_file", "graph_from_overpass"]

# --- OSM way filters -------------------------------------------------------------

_CLAUSE = re.compile(r'\["([^"]+)"(?:(!?~)"([^"]*)")?\]')


def way_filter(network_type: str) -> Callable[[dict[str, str]], bool]:
    """Return a predicate on a way's tags, equal to OSMnx's Overpass filter for ``network_type``.

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
    """Return an OSMnx graph of ``mode``'s streets from a local ``.osm`` or ``.osm.pbf`` file.

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

    path = existing_osm_file(path)
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
    """Return the unsimplified OSMnx graph of these nodes and ways, as :func:`osmnx.graph_from_xml` builds it.

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


_OVERPASS_FAILED: dict[str, str] = {}
"""Overpass endpoints that failed in this process, with why: later modes fall back at once, not after another wait."""


def graph_from_overpass(area_wgs84: BaseGeometry, mode: Mode) -> nx.MultiDiGraph:
    """Download ``mode``'s streets inside ``area_wgs84`` through OSMnx and Overpass, within a bounded time.

    The endpoint is :func:`access.core.settings.overpass_url` (``ACCESS_OVERPASS_URL``); the whole
    download may take :func:`access.core.settings.overpass_timeout_s` (``ACCESS_OVERPASS_TIMEOUT``)
    seconds.  Any fault (no answer, an HTTP error, a slow server, an answer with no streets in the
    area) is :class:`~access.core.errors.NetworkUnavailable`, so that the study falls back to the
    labelled estimate; an endpoint that failed once is not asked again in the same process.

    Raises
    ------
    NetworkUnavailable
        Overpass cannot be reached, answers with an error, too slowly, or with no streets here.
    """
    url = settings.overpass_url()
    if url in _OVERPASS_FAILED:
        raise NetworkUnavailable(_OVERPASS_FAILED[url])
    limit = settings.overpass_timeout_s()
    try:  # a quick look first: OSMnx waits a minute before its first query when it gets no status
        requests.get(f"{url}/status", timeout=min(10.0, limit)).raise_for_status()
    except requests.RequestException as exc:
        return _overpass_failed(url, f"Overpass at {url} cannot be reached ({type(exc).__name__})", exc)
    found: dict[str, object] = {}

    def download() -> None:
        import osmnx as ox

        ox.settings.overpass_url = url
        ox.settings.overpass_rate_limit = False  # no waiting for a slot: the time is bounded here
        ox.settings.use_cache = False
        ox.settings.log_console = False
        ox.settings.requests_timeout = limit
        try:
            found["graph"] = ox.graph_from_polygon(area_wgs84, network_type=mode.network_type, simplify=True,
                                                   retain_all=True)
        except Exception as exc:  # noqa: BLE001 - any fault of a download means: no network from Overpass
            found["error"] = exc

    worker = threading.Thread(target=download, name=f"overpass-{mode.name}", daemon=True)
    worker.start()
    worker.join(limit)
    if worker.is_alive():  # OSMnx retries some answers forever; the daemon thread is left to end with the process
        return _overpass_failed(url, f"Overpass at {url} gave no answer within {limit:g} s "
                                     f"(ACCESS_OVERPASS_TIMEOUT)", None)
    if "error" in found:
        exc = found["error"]
        assert isinstance(exc, Exception)
        reason = " ".join(str(exc).split())[:300] or type(exc).__name__
        return _overpass_failed(url, f"could not download a network from Overpass at {url} "
                                     f"({type(exc).__name__}: {reason})", exc)
    return found["graph"]


def _overpass_failed(url: str, reason: str, cause: BaseException | None) -> nx.MultiDiGraph:
    message = (f"{reason}; pass --osm-file with a local .osm/.osm.pbf, or set ACCESS_OVERPASS_URL to a "
               f"reachable Overpass server")
    _OVERPASS_FAILED[url] = message
    raise NetworkUnavailable(message) from cause
