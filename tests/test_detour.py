import pytest

from access.core.errors import DataError
from access.core.modes import MODES
from access.routing.detour import load_detour_factors, measure_detour_factors, write_detour_factors


def test_shipped_factors_cover_every_mode_with_their_spread():
    factors = load_detour_factors()
    assert set(factors) == set(MODES)
    for factor in factors.values():
        assert 1.0 < factor.p10 <= factor.median <= factor.p90 < 3.0
        assert factor.n_pairs > 10_000 and factor.std > 0
        assert "City of London" in factor.measured_on


def test_measuring_on_the_city_reproduces_the_stored_walk_factor(city_walk_network, tmp_path):
    measured = measure_detour_factors(city_walk_network, measured_on="City of London OSM extract (2020-07-20)")
    stored = load_detour_factors()["walk"]
    assert measured.factor == pytest.approx(stored.factor, abs=1e-4)
    assert measured.n_pairs == stored.n_pairs
    assert measured.speed_kmh == pytest.approx(4.8)
    # a network distance is never shorter than the straight line
    assert measured.p10 >= 1.0
    path = write_detour_factors([measured], tmp_path / "factors.toml")
    assert load_detour_factors(path)["walk"].factor == pytest.approx(measured.factor, abs=1e-4)


def test_missing_factor_file_says_how_to_fix(tmp_path):
    with pytest.raises(DataError, match="access calibrate"):
        load_detour_factors(tmp_path / "none.toml")
