"""Benchmark: the sweep of all 1,024 subsets of the 10 Redbridge-study counters, per mode.

Run from the repository root::

    .venv/bin/python bench/sweep.py            # all modes, best of 3 runs each
    .venv/bin/python bench/sweep.py --quick    # walk only, one run

Times come from the offline (straight-line) Redbridge study; the sweep itself
never routes, so the network model would not change them.  For each mode the
table gives the block evaluation (:func:`access.sweep.evaluate_subsets`) and, in
the same run, the naive baseline: one :func:`access.measure.nearest_open` and
one :func:`access.measure.summarise` per subset.  Both give the same figures
(checked here); the speed-up is their ratio.
"""

from __future__ import annotations

import logging
import sys
import time

import numpy as np
import pandas as pd

from access import load_study
from access.measure import nearest_open, summarise
from access.scenario import build_board
from access.sweep import evaluate_subsets, subset_masks


def _best_of(repeats: int, work) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        value = work()
        best = min(best, time.perf_counter() - started)
    return best, value


def run(quick: bool = False) -> pd.DataFrame:
    """Time the 1,024-subset sweep per mode against the per-subset loop.

    Parameters
    ----------
    quick
        Walk only, one run of each (instead of every mode, best of three).

    Returns
    -------
    pandas.DataFrame
        One row per mode: ``subsets``, ``counters``, ``origins``, ``model``,
        ``matrix_s`` (building the counter × origin matrix, once),
        ``sweep_s`` (all subsets, block evaluation), ``naive_s`` (per-subset
        loop), ``speedup`` and ``same_figures``.
    """
    logging.disable(logging.WARNING)
    try:
        study = load_study("redbridge-2017")
        modes = ["walk"] if quick else list(study.config.modes)
        repeats = 1 if quick else 3
        population = study.places.residents["population"].to_numpy(float)
        masks = subset_masks(len(study.places.counters))
        rows = []
        for mode in modes:
            started = time.perf_counter()
            board = build_board(study, [], modes=[mode], offline=True)
            matrix_s = time.perf_counter() - started
            minutes = board.minutes[mode]
            sweep_s, table = _best_of(repeats, lambda: evaluate_subsets(minutes, population, masks))
            naive_s, naive = _best_of(repeats, lambda: [summarise(nearest_open(minutes, m)[0], population)
                                                        for m in masks])
            expected = pd.DataFrame(naive)[table.columns]
            same = bool(np.allclose(table.to_numpy(), expected.to_numpy(), rtol=1e-12, atol=1e-9, equal_nan=True))
            rows.append({"mode": mode, "model": board.times[mode].model, "subsets": len(masks),
                         "counters": minutes.shape[0], "origins": minutes.shape[1], "matrix_s": matrix_s,
                         "sweep_s": sweep_s, "naive_s": naive_s, "speedup": naive_s / sweep_s,
                         "same_figures": same})
        return pd.DataFrame(rows)
    finally:
        logging.disable(logging.NOTSET)


def _markdown(table: pd.DataFrame) -> str:
    header = ("| mode | model | subsets | counters × origins | matrix (once) | sweep, all subsets | "
              "naive loop | speed-up | same figures |")
    lines = [header, "|" + "---|" * 9]
    for _, r in table.iterrows():
        lines.append(f"| {r['mode']} | {r['model']} | {r['subsets']:,} | {r['counters']} × {r['origins']:,} | "
                     f"{r['matrix_s']:.2f} s | {r['sweep_s']:.3f} s | {r['naive_s']:.3f} s | "
                     f"{r['speedup']:.1f}× | {'yes' if r['same_figures'] else 'NO'} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(_markdown(run(quick="--quick" in sys.argv[1:])))
