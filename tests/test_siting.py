import itertools
import logging

import numpy as np
import pytest
import shapely

from access.core.errors import ScenarioError
from access.whatif.siting import candidate_sites, p_median, rank_sites

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # PuLP's notices of its 4.0 API

pulp = pytest.importorskip("pulp")
spopt_locate = pytest.importorskip("spopt.locate")


@pytest.fixture(scope="module")
def city_candidates(city):
    return candidate_sites(city, "walk")


@pytest.fixture(scope="module")
def redbridge_candidates(redbridge):
    logging.disable(logging.WARNING)
    try:
        return candidate_sites(redbridge, "walk", offline=True)
    finally:
        logging.disable(logging.NOTSET)


def _sample(candidates, study, n_sites, n_origins, seed):
    """Return a small real cost matrix: random candidate rows and populated origin columns."""
    rng = np.random.default_rng(seed)
    population = study.places.residents["population"].to_numpy()
    rows = rng.choice(len(candidates.sites), n_sites, replace=False)
    columns = rng.choice(np.flatnonzero(population > 0), n_origins, replace=False)
    return candidates.minutes[np.ix_(rows, columns)], population[columns]


def _spopt_objective(cost, weights, p):
    model = spopt_locate.PMedian.from_cost_matrix(cost.T, weights, p_facilities=p)
    model = model.solve(pulp.PULP_CBC_CMD(msg=False))
    chosen = sorted(j for j in range(cost.shape[0]) if model.fac2cli[j])
    return pulp.value(model.problem.objective), chosen


def test_candidates_are_network_nodes_or_a_grid_inside_the_boroughs(city, city_candidates, redbridge,
                                                                    redbridge_candidates):
    assert city_candidates.times.model == "street network" and "street-network nodes" in city_candidates.kind
    assert redbridge_candidates.times.model == "straight-line estimate" and "250 m grid" in redbridge_candidates.kind
    for study, candidates in ((city, city_candidates), (redbridge, redbridge_candidates)):
        boundary = study.places.boundary.geometry.iloc[0]
        assert shapely.contains(boundary, candidates.sites.geometry.values).all()
        assert candidates.minutes.shape == (len(candidates.sites), len(study.places.residents))
    # a 250 m grid over Redbridge's 56 km²: one candidate per 0.0625 km²
    area_km2 = redbridge.places.boundary.geometry.iloc[0].area / 1e6
    assert len(redbridge_candidates.sites) == pytest.approx(area_km2 / 0.0625, rel=0.02)


@pytest.mark.parametrize("study_name, seed", [("city", 1), ("city", 4), ("redbridge", 2), ("redbridge", 3)])
@pytest.mark.parametrize("p", [2, 3])
def test_p_median_reaches_spopts_exact_optimum(request, study_name, seed, p):
    study = request.getfixturevalue(study_name)
    candidates = request.getfixturevalue(f"{study_name}_candidates")
    cost, weights = _sample(candidates, study, n_sites=30, n_origins=120, seed=seed)
    optimum, chosen = _spopt_objective(cost, weights, p)
    ours = p_median(cost, weights, p)
    assert ours.objective == pytest.approx(optimum, rel=1e-9)
    assert len(set(ours.sites)) == p
    assert ours.objective <= ours.greedy_mean_min * weights.sum() + 1e-6


def test_p_median_with_existing_counters_is_the_best_pair_by_enumeration(redbridge, redbridge_candidates):
    cost, weights = _sample(redbridge_candidates, redbridge, n_sites=25, n_origins=300, seed=3)
    existing = cost[:3].min(axis=0) + 5  # three sites already served, a little farther
    brute = min((np.minimum(existing, cost[list(pair)].min(axis=0)) @ weights, pair)
                for pair in itertools.combinations(range(25), 2))
    ours = p_median(cost, weights, 2, fixed_min=existing)
    assert ours.objective == pytest.approx(brute[0])
    assert sorted(ours.sites) == sorted(brute[1])


def test_rank_sites_alone_and_added(redbridge, redbridge_candidates):
    population = redbridge.places.residents["population"].to_numpy()
    minutes = redbridge_candidates.minutes
    existing = minutes[:2].min(axis=0) + 10
    ranking = rank_sites(minutes, population, existing)
    best = ranking.iloc[0]
    site = int(best["site"])
    assert best["with_existing_mean_min"] == pytest.approx(
        np.average(np.minimum(existing, minutes[site]), weights=population))
    assert best["gain_min"] == pytest.approx(np.average(existing, weights=population) - best["with_existing_mean_min"])
    assert ranking["with_existing_mean_min"].is_monotonic_increasing
    alone = rank_sites(minutes, population)
    assert alone.iloc[0]["alone_mean_min"] == pytest.approx((minutes @ population / population.sum()).min())
    assert int(alone.iloc[0]["site"]) == p_median(minutes, population, 1).sites[0]


def test_bad_values():
    with pytest.raises(ScenarioError, match="p = 4 sites cannot be chosen among 3"):
        p_median(np.ones((3, 5)), np.ones(5), 4)


def test_candidates_name_their_nearest_postcode_and_ward(redbridge_candidates, city_candidates, redbridge):
    """Every candidate site says where it is in words a reader knows: the nearest live postcode and the ward."""
    from access.inputs.postcodes import postcode_table

    sites = redbridge_candidates.sites
    assert sites["postcode"].str.match(r"^(IG|E|RM)\d").all() and sites["postcode_m"].median() < 150
    assert sites["postcode_m"].max() < 1500, "parks and forest are the farthest from a postcode"
    wards = set(redbridge.places.wards["ward_name"])
    assert set(sites["ward"]) <= wards and len(set(sites["ward"])) == 22, "named wards, every one of them"
    # the nearest postcode really is the nearest: checked by brute force for a few sites
    table = postcode_table()
    bng = sites.geometry.to_crs("EPSG:27700")
    for i in (0, len(sites) // 2, len(sites) - 1):
        distance = np.hypot(table["easting"] - bng.x.iloc[i], table["northing"] - bng.y.iloc[i])
        assert table["postcode"].iloc[int(np.argmin(distance))] == sites["postcode"].iloc[i]
        assert float(distance.min()) == pytest.approx(sites["postcode_m"].iloc[i], abs=0.5)
    # without a ward file (the City), the ward is the postcode's ward code
    assert city_candidates.sites["ward"].str.match(r"^E05\d{6}$").all()
