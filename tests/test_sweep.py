import logging
import math

import numpy as np
import pandas as pd
import pytest

from access.analysis.figures import nearest_open, summarise
from access.core.errors import ScenarioError
from access.whatif.board import build_board
from access.whatif.scenario import period_scenario
from access.whatif.sweep import evaluate_subsets, subset_masks, sweep


@pytest.fixture(scope="module")
def board(redbridge):
    logging.disable(logging.WARNING)
    try:
        return build_board(redbridge, [], modes=["walk", "cycle"], offline=True)
    finally:
        logging.disable(logging.NOTSET)


def test_subset_masks_enumerate_each_subset_once():
    masks = subset_masks(10)
    assert masks.shape == (1024, 10)
    assert len({tuple(m) for m in masks}) == 1024
    two = subset_masks(10, sizes=[2, 1])
    assert two.shape == (45 + 10, 10) and set(two.sum(axis=1)) == {1, 2}
    with pytest.raises(ScenarioError, match="1,024, more than the cap of 1,000"):
        subset_masks(10, max_subsets=1000)
    with pytest.raises(ScenarioError, match=r"size\(s\) \[11\]"):
        subset_masks(10, sizes=[11])


def test_every_subset_equals_the_per_subset_computation(redbridge, board):
    """All 1,024 subsets of the 10 Redbridge counters: the block evaluation equals nearest_open + summarise."""
    population = redbridge.places.residents["population"].to_numpy()
    masks = subset_masks(10)
    minutes = board.minutes["walk"]
    table = evaluate_subsets(minutes, population, masks)
    for i, mask in enumerate(masks):
        expected = summarise(nearest_open(minutes, mask)[0], population)
        row = table.iloc[i]
        for key in ("mean_min", "median_min", "p90_min", "within_10", "within_30", "within_60", "unreachable"):
            if math.isnan(expected[key]):
                assert math.isnan(row[key]), (i, key)
            else:
                assert row[key] == pytest.approx(expected[key], rel=1e-12, abs=1e-9), (i, key)


def test_fixed_counters_fold_into_one_row(redbridge, board):
    population = redbridge.places.residents["population"].to_numpy()
    minutes = board.minutes["walk"]
    masks = subset_masks(4, sizes=[1, 2])
    folded = evaluate_subsets(minutes[:4], population, masks, fixed_min=minutes[6:].min(axis=0))
    full = np.zeros((len(masks), 10), dtype=bool)
    full[:, :4], full[:, 6:] = masks, True
    direct = evaluate_subsets(minutes, population, full)
    np.testing.assert_allclose(folded.to_numpy(), direct.to_numpy())


def test_sweep_ranks_the_real_decision(redbridge, board):
    result = sweep(board)
    walk = result.table[result.table["mode"] == "walk"]
    assert len(walk) == 1024 and result.fixed == []
    real = result.real.loc["walk"]
    # the real 2018-2025 set: every counter not 'off' in that period
    counters = redbridge.places.counters
    expected_set = [cid for cid, h in zip(counters["id"], counters["2018_2025"], strict=True) if h != "off"]
    assert real["subset"] == "+".join(expected_set) and real["k"] == len(expected_set)
    same_size = walk[walk["k"] == real["k"]]
    assert real["of"] == math.comb(10, real["k"])
    assert real["rank"] == 1 + (same_size["mean_min"] < real["mean_min"]).sum()
    assert real["mean_min"] == pytest.approx(
        summarise(board.nearest(period_scenario("2018_2025"), "walk")[0],
                  redbridge.places.residents["population"].to_numpy())["mean_min"])
    best = result.best.loc[("walk", real["k"])]
    assert best["mean_min"] == same_size["mean_min"].min() and best["subsets"] == real["of"]
    # more counters never make the best mean worse
    means = result.best.loc["walk"]["mean_min"].dropna().to_numpy()
    assert np.all(np.diff(means) <= 1e-9)


def test_sweep_among_a_few_keeps_the_others_as_in_the_base_period(board):
    result = sweep(board, among=["ilford", "barkingside", "woodford", "wanstead"], sizes=[1, 2], by="within_30")
    assert set(result.fixed) == {"chingford", "forest-gate", "dagenham", "barking", "romford"}
    assert result.real_subset == ["ilford"]
    walk = result.table[result.table["mode"] == "walk"]
    assert len(walk) == 4 + 6
    top = walk[(walk["k"] == 1) & (walk["rank"] == 1)]
    assert top["within_30"].iloc[0] == walk[walk["k"] == 1]["within_30"].max()
    with pytest.raises(ScenarioError, match="unknown counter id"):
        sweep(board, among=["hainault"])
    with pytest.raises(ScenarioError, match="cannot rank by 'speed'"):
        sweep(board, by="speed")


def test_ties_unreachable_origins_and_zero_weights_match_summarise():
    """Whole-minute times (many ties), counters that reach only some origins, weightless origins."""
    rng = np.random.default_rng(11)
    minutes = np.round(rng.uniform(0, 40, size=(6, 900)))
    minutes[rng.random(minutes.shape) < 0.3] = np.inf
    population = np.where(rng.random(900) < 0.2, 0.0, rng.integers(1, 50, 900).astype(float))
    fixed = np.where(rng.random(900) < 0.5, 25.0, np.inf)
    masks = subset_masks(6)
    for fixed_min in (None, fixed):
        table = evaluate_subsets(minutes, population, masks, fixed_min=fixed_min, block=7)
        full = minutes if fixed_min is None else np.vstack([minutes, fixed_min])
        for i, mask in enumerate(masks):
            available = mask if fixed_min is None else np.r_[mask, True]
            expected = summarise(nearest_open(full, available)[0], population)
            assert expected["excluded"] == 0  # excluded origins reach the sweep as zero weights
            for key, value in expected.items():
                if key in ("population", "excluded"):
                    continue
                got = table.iloc[i][key]
                assert (math.isnan(got) and math.isnan(value)) or got == pytest.approx(value, abs=1e-9), (i, key)


def test_a_short_list_of_subsets_gives_the_same_figures_one_by_one():
    """Few subsets are evaluated one by one; their figures equal the block evaluation's, row for row."""
    rng = np.random.default_rng(5)
    minutes = np.round(rng.uniform(0, 70, size=(8, 700)), 1)
    minutes[rng.random(minutes.shape) < 0.2] = np.inf
    population = rng.integers(0, 40, 700).astype(float)
    fixed = np.where(rng.random(700) < 0.3, 50.0, np.inf)
    masks = subset_masks(8)  # 256 subsets: the block evaluation
    for fixed_min in (None, fixed):
        block = evaluate_subsets(minutes, population, masks, fixed_min=fixed_min)
        picked = [0, 3, 77, 128, 255]  # 5 ≤ 2 × 8 counters: one by one
        short = evaluate_subsets(minutes, population, masks[picked], fixed_min=fixed_min)
        assert list(short.columns) == list(block.columns)
        pd.testing.assert_frame_equal(short, block.iloc[picked].reset_index(drop=True), rtol=1e-12, atol=1e-12)
