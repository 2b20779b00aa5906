"""Benchmark: sweeps, many scenarios evaluated on one counter × origin matrix.

* Redbridge: all 1,024 subsets of the study's 10 counters, per mode.
* London-wide: random subsets of the 73 counters of mid-2017, each the size of the
  real after-2017 set, over every London postcode.

Times come from the offline (straight-line) studies; a sweep never routes, so the
network model would not change them.  Each case times the block evaluation
(:func:`access.whatif.sweep.evaluate_subsets`, every figure of every subset) against the
naive baseline in the same process: one :func:`access.analysis.figures.nearest_open` and
one :func:`access.analysis.figures.summarise` per subset.  Both must give the same figures
(checked, and said in ``notes``).

Run alone with ``.venv/bin/python -m bench.sweep [--quick]``, or through
``python3 dev.py bench``.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import numpy as np
import pandas as pd

from bench.common import best_time, frame, in_child

BASELINE = "nearest_open + summarise per subset"
METHOD = "access.whatif.sweep.evaluate_subsets"
LONDON_SUBSETS = 200


def _compare(minutes: np.ndarray, population: np.ndarray, masks: np.ndarray, case: str) -> list[dict[str, Any]]:
    from access.analysis.figures import nearest_open, summarise
    from access.whatif.sweep import evaluate_subsets

    swept_s, table = best_time(lambda: evaluate_subsets(minutes, population, masks), repeats=3)
    naive_s, naive = best_time(lambda: [summarise(nearest_open(minutes, m)[0], population) for m in masks],
                               repeats=1)
    expected = pd.DataFrame(naive)[table.columns]
    same = bool(np.allclose(table.to_numpy(float), expected.to_numpy(float), rtol=1e-12, atol=1e-9, equal_nan=True))
    shape = {"n_origins": minutes.shape[1], "n_counters": minutes.shape[0]}
    return [
        {"case": case, "method": METHOD, **shape, "seconds": swept_s,
         "notes": f"{len(masks) / swept_s:,.0f} scenarios/s; same figures as the baseline: {'yes' if same else 'NO'}"},
        {"case": case, "method": BASELINE, **shape, "seconds": naive_s,
         "notes": f"{len(masks) / naive_s:,.0f} scenarios/s"},
    ]


def measure_redbridge(quick: bool) -> dict[str, Any]:
    """All subsets of the 10 Redbridge counters (the first 32 when quick), per mode."""
    from access import load_study
    from access.whatif.sweep import subset_masks

    logging.disable(logging.WARNING)  # the straight-line fallback is expected here
    study = load_study("redbridge-2017")
    population = study.places.residents["population"].to_numpy(float)
    masks = subset_masks(len(study.places.counters))
    masks = masks[:32] if quick else masks
    rows = []
    for mode in ["walk"] if quick else list(study.config.modes):
        minutes = study.travel_times(mode, offline=True).minutes
        rows += _compare(minutes, population, masks,
                         f"Redbridge, all {len(masks):,} subsets of the {minutes.shape[0]} counters, {mode}")
    return {"rows": rows}


def measure_london(quick: bool) -> dict[str, Any]:
    """Random subsets of London's 73 mid-2017 counters, the size of the real after-2017 set, on foot."""
    from access import load_study

    logging.disable(logging.WARNING)
    study = load_study("london-2017")
    counters = study.places.counters
    before = counters[study.config.before].astype(str) != "off"
    kept = int((counters[study.config.after].astype(str) != "off").sum())
    minutes = study.travel_times("walk", offline=True).minutes[before.to_numpy()]
    population = study.places.residents["population"].to_numpy(float)
    n_subsets = 8 if quick else LONDON_SUBSETS
    rng = np.random.default_rng(2017)
    masks = np.zeros((n_subsets, minutes.shape[0]), dtype=bool)
    for mask in masks:
        mask[rng.choice(minutes.shape[0], size=min(kept, minutes.shape[0]), replace=False)] = True
    return {"rows": _compare(minutes, population, masks,
                             f"London-wide, {n_subsets:,} random {kept}-counter subsets of "
                             f"{minutes.shape[0]}, walk")}


def run(quick: bool = False) -> pd.DataFrame:
    """Redbridge and London-wide sweeps, each area in its own process."""
    rows = []
    for target in (measure_redbridge, measure_london):
        result = in_child(target, quick)
        if "error" in result:
            rows.append({"benchmark": "sweep", "case": target.__name__, "method": METHOD,
                         "notes": f"failed: {result['error']}"})
            continue
        for row in result["rows"]:
            rows.append({"benchmark": "sweep", "baseline": BASELINE, "peak_mb": result["peak_mb"], **row})
    return frame(rows)


def _markdown(table: pd.DataFrame) -> str:
    lines = ["| case | method | seconds | ratio | notes |", "|---|---|---|---|---|"]
    for _, row in table.iterrows():
        lines.append(f"| {row['case']} | {row['method']} | {row['seconds']:.3f} | {row['ratio']:.2f}× | "
                     f"{row['notes']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(_markdown(run(quick="--quick" in sys.argv[1:])))
