"""Detour factors: how much longer than a straight line a trip on the street is.

The straight-line fallback needs, per mode, the ratio of network distance to
straight-line distance, and a speed.  Both are *measured* on a real OSM
network (the City of London extract in the data mirror) by
:func:`measure_detour_factors`, and stored with their spread in
``data/detour_factors.toml`` by ``access calibrate``.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from access.core import settings
from access.core.errors import DataError
from access.routing.network import StreetNetwork

__all__ = ["DetourFactor", "measure_detour_factors", "load_detour_factors", "write_detour_factors",
           "DETOUR_FILE"]

DETOUR_FILE = "detour_factors.toml"


@dataclass(frozen=True)
class DetourFactor:
    """One mode's measured detour factor.

    Attributes
    ----------
    mode
        The mode.
    factor
        Mean ratio of shortest network distance to straight-line distance.
    median, p10, p90, std
        The spread of that ratio over the measured pairs.
    n_pairs
        Number of origin–destination pairs measured.
    speed_kmh
        Speed for the estimate: the mode's own for walk and cycle; for drive
        the network's length-weighted mean speed (total length ÷ total time).
    measured_on
        The network the figures come from.
    """

    mode: str
    factor: float
    median: float
    p10: float
    p90: float
    std: float
    n_pairs: int
    speed_kmh: float
    measured_on: str


def measure_detour_factors(
    network: StreetNetwork,
    *,
    n_sources: int = 200,
    min_straight_m: float = 300.0,
    seed: int = 2017,
    measured_on: str | None = None,
) -> DetourFactor:
    """Measure one mode's detour factor on a real network.

    Shortest network distances run from ``n_sources`` random nodes to every
    node; each pair at least ``min_straight_m`` apart in a straight line gives
    one ratio (shorter pairs are dominated by where the nodes happen to sit).

    Parameters
    ----------
    network
        The mode's street network.
    n_sources
        Number of random source nodes.
    min_straight_m
        Pairs closer than this are left out.
    seed
        Random seed, so the figures can be reproduced.
    measured_on
        A label for the network (defaults to its source).
    """
    rng = np.random.default_rng(seed)
    sources = rng.choice(network.n_nodes, size=min(n_sources, network.n_nodes), replace=False)
    sources.sort()
    network_m = dijkstra(network.length_m, directed=True, indices=sources)
    straight_m = np.hypot(network.x[sources][:, None] - network.x[None, :],
                          network.y[sources][:, None] - network.y[None, :])
    usable = (straight_m >= min_straight_m) & np.isfinite(network_m)
    if not usable.any():
        raise DataError(f"the {network.mode} network from {network.source} has no node pairs "
                        f"{min_straight_m:g} m apart to measure a detour factor on")
    ratio = network_m[usable] / straight_m[usable]
    total_time_s = network.time_s.data.sum()
    speed_kmh = float(network.length_m.data.sum() / total_time_s * 3.6)
    return DetourFactor(
        mode=network.mode, factor=float(ratio.mean()), median=float(np.median(ratio)),
        p10=float(np.percentile(ratio, 10)), p90=float(np.percentile(ratio, 90)),
        std=float(ratio.std()), n_pairs=int(ratio.size), speed_kmh=speed_kmh,
        measured_on=measured_on or network.source,
    )


def _detour_path() -> Path:
    return settings.project_data_dir() / DETOUR_FILE


def write_detour_factors(factors: list[DetourFactor], path: Path | None = None) -> Path:
    """Write measured factors to ``data/detour_factors.toml`` (or ``path``)."""
    path = path or _detour_path()
    lines = ["# Detour factors for the straight-line fallback, measured by `access calibrate`.",
             "# factor = mean of (shortest network distance / straight-line distance) over n_pairs",
             "# node pairs at least 300 m apart; median, p10, p90 and std give the spread.", ""]
    for factor in factors:
        lines.append(f"[{factor.mode}]")
        for key, value in asdict(factor).items():
            if key == "mode":
                continue
            if isinstance(value, str):
                lines.append(f'{key} = "{value}"')
            elif isinstance(value, float):
                lines.append(f"{key} = {value:.4f}")
            else:
                lines.append(f"{key} = {value}")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def load_detour_factors(path: Path | None = None) -> dict[str, DetourFactor]:
    """Return the stored detour factors, by mode.

    Raises
    ------
    DataError
        The file is missing or lacks a field; run ``access calibrate``.
    """
    path = path or _detour_path()
    try:
        with path.open("rb") as fh:
            table = tomllib.load(fh)
        return {mode: DetourFactor(mode=mode, **values) for mode, values in table.items()}
    except (OSError, tomllib.TOMLDecodeError, TypeError) as exc:
        raise DataError(f"cannot read detour factors from {path} ({exc}); run 'access calibrate' "
                        f"to measure them again") from exc


def factors_table(factors: dict[str, DetourFactor]) -> pd.DataFrame:
    """Return the factors as a DataFrame indexed by mode."""
    return pd.DataFrame([asdict(f) for f in factors.values()]).set_index("mode")
