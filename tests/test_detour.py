"""Calibrations of the straight-line estimate: measured, stored and read.

Measured on real networks by access/routing/detour.py; stored and read by access/inputs/calibrations.py.
"""

import dataclasses
import os
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from access.core.errors import DataError, StudyError
from access.core.modes import MODES
from access.inputs.calibrations import (
    BANDS_KM,
    DEFAULT_CALIBRATION,
    get_calibration,
    load_calibrations,
    write_calibrations,
)
from access.routing.detour import (
    band_fit,
    calibrate_file,
    london_calibration,
    measure_calibration,
    network_from_aequilibrae,
    real_extracts,
)


def test_shipped_calibrations_cover_every_mode_with_bands_and_spread():
    calibrations = load_calibrations()
    assert {"city-of-london", "helsinki"} <= set(calibrations) and DEFAULT_CALIBRATION in calibrations
    for modes in calibrations.values():
        assert set(modes) == set(MODES)
        for calibration in modes.values():
            assert [(b.from_km, b.to_km) for b in calibration.bands] == list(BANDS_KM)
            first = calibration.bands[0]
            assert first.measured and first.n_pairs > 1000 and 1.0 < first.p10 <= first.median <= first.p90 < 3.5
            assert 0.5 < calibration.p10 < 1 < calibration.p90 < 1.6
            for band in calibration.bands:
                if not band.measured:  # takes the rates of the band before
                    before = calibration.bands[calibration.bands.index(band) - 1]
                    assert (band.factor, band.speed_kmh) == (before.factor, before.speed_kmh)


def test_measuring_on_the_city_reproduces_the_stored_calibration(city_pbf):
    [walk, cycle, drive] = calibrate_file(city_pbf, name="city-of-london",
                                          measured_on="City of London OSM extract (2020-07-20)")
    stored = load_calibrations()["city-of-london"]
    for measured in (walk, cycle, drive):
        for band, kept in zip(measured.bands, stored[measured.mode].bands, strict=True):
            assert band.factor == pytest.approx(kept.factor, abs=1e-4)
            assert band.speed_kmh == pytest.approx(kept.speed_kmh, abs=1e-4)
            assert band.n_pairs == kept.n_pairs
    assert [b.measured for b in walk.bands] == [True, True, False, False]  # the extract is about 2 km across


def test_a_band_is_the_mean_ratio_of_its_trips(city_walk_network):
    """Recompute the first two walking bands by brute force on the real network (BNG metres)."""
    network = city_walk_network
    calibration = measure_calibration(network, name="x", n_sources=60, seed=5)
    rng = np.random.default_rng(5)
    sources = np.sort(rng.choice(network.n_nodes, size=60, replace=False))
    routed = dijkstra(network.length_m, directed=True, indices=sources)
    straight = np.hypot(network.x[sources][:, None] - network.x, network.y[sources][:, None] - network.y)
    usable = (straight >= 300) & np.isfinite(routed)
    ratio, km = routed[usable] / straight[usable], straight[usable] / 1000
    for band, (low, high) in zip(calibration.bands[:2], BANDS_KM[:2], strict=True):
        inside = (km >= low) & (km < high)
        assert band.factor == pytest.approx(ratio[inside].mean()) and band.n_pairs == inside.sum()
        assert band.speed_kmh == 4.8 and band.p10 == pytest.approx(np.percentile(ratio[inside], 10))


def test_the_estimate_never_shrinks_with_distance_and_its_inverse_is_the_radius():
    for modes in load_calibrations().values():
        for calibration in modes.values():
            metres = np.linspace(0, 20_000, 20_001)
            minutes = calibration.minutes(metres)
            assert np.all(np.diff(minutes) >= 0)
            for limit in (5.0, 15.0, 45.0, 120.0):
                radius = calibration.metres_within(limit)
                assert calibration.minutes(np.array([radius]))[0] == pytest.approx(limit)
                assert calibration.minutes(np.array([radius + 1]))[0] > limit


def test_write_and_read_back(tmp_path, city_pbf):
    measured = calibrate_file(city_pbf, name="again", measured_on="the City", n_sources=20)
    path = write_calibrations(measured, tmp_path / "calibrations.toml")
    again = load_calibrations(path)["again"]
    for calibration in measured:
        assert again[calibration.mode].bands[0].factor == pytest.approx(calibration.bands[0].factor, abs=1e-4)
        assert again[calibration.mode].measured_on == "the City"


def test_a_calibration_is_written_under_a_plain_name_and_any_label_reads_back(tmp_path):
    """Its name becomes a TOML table a study names: a name that is not plain is refused, nothing written."""
    stored = list(load_calibrations()["city-of-london"].values())
    labelled = [dataclasses.replace(c, name="mine", measured_on='a "quoted" [label]\\ é') for c in stored]
    assert load_calibrations(write_calibrations(labelled, tmp_path / "ok.toml"))["mine"]["walk"].measured_on == \
        'a "quoted" [label]\\ é'
    for name in ("../x", "[/]", "a b", ""):
        with pytest.raises(StudyError, match="is not a plain name"):
            write_calibrations([dataclasses.replace(c, name=name) for c in stored], tmp_path / "bad.toml")
        assert not (tmp_path / "bad.toml").exists()


def test_real_extracts_are_the_city_and_helsinki(helsinki_pbf):
    assert [name for name, _, _ in real_extracts()] == ["city-of-london", "helsinki"]


def test_missing_file_or_calibration_says_how_to_fix(tmp_path):
    with pytest.raises(DataError, match="access calibrate"):
        load_calibrations(tmp_path / "none.toml")
    with pytest.raises(StudyError, match="unknown calibration 'suburbia'.*city-of-london.*--name suburbia"):
        get_calibration("suburbia", "walk")


def test_the_london_calibration_drives_on_a_whole_city_and_longer_trips_are_quicker_per_km():
    london = load_calibrations()["london"]
    drive = london["drive"]
    assert all(band.measured and band.n_pairs > 50_000 for band in drive.bands)  # every band up to 30 km
    assert "AequilibraE" in drive.measured_on and "signals" in drive.measured_on
    factors = [band.factor for band in drive.bands]
    rates = [band.priced_minutes_per_km("drive", drive.drive, drive.walk) for band in drive.bands]
    assert factors == sorted(factors, reverse=True) and rates == sorted(rates, reverse=True)
    trunk = [band.shares[1] + band.shares[0] for band in drive.bands]
    assert trunk == sorted(trunk) and trunk[-1] > 0.4  # long trips take the trunk roads
    # walking and cycling are the City's: no London network beyond the City is available
    for mode in ("walk", "cycle"):
        assert london[mode].knots()[1].tolist() == load_calibrations()["city-of-london"][mode].knots()[1].tolist()


def test_band_fit_on_the_city_and_the_estimate_of_its_own_network(city_walk_network):
    [row] = band_fit(city_walk_network, load_calibrations()["city-of-london"]["walk"], n_sources=40)
    assert row["band"] == "under 3 km" and row["trips"] > 10_000
    assert 0.9 < row["median"] < 1.1 and row["p10"] < row["median"] < row["p90"]


@pytest.mark.skipif(not os.environ.get("ACCESS_AEQUILIBRAE_MODEL"),
                    reason="set ACCESS_AEQUILIBRAE_MODEL to AequilibraE's coquimbo.zip (pip download aequilibrae)")
def test_the_aequilibrae_model_reads_as_a_network_and_measures_the_stored_london_bands():
    network = network_from_aequilibrae(Path(os.environ["ACCESS_AEQUILIBRAE_MODEL"]))
    assert network.n_nodes > 15_000 and network.signal_flags().sum() == 0
    assert np.ptp(network.x) > 15_000 and np.ptp(network.y) > 20_000  # a whole city: trips up to 30 km
    [drive] = [c for c in london_calibration(list(load_calibrations()["city-of-london"].values()),
                                             Path(os.environ["ACCESS_AEQUILIBRAE_MODEL"])) if c.mode == "drive"]
    for band, kept in zip(drive.bands, load_calibrations()["london"]["drive"].bands, strict=True):
        assert band.factor == pytest.approx(kept.factor, abs=1e-4) and band.n_pairs == kept.n_pairs
