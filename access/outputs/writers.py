"""Writing results to disk: every output set of every command, each written all-or-nothing.

:func:`write` takes any result (a run, a comparison, the week's hours, a
sweep, a site search) and writes its whole set of files into a hidden staging
folder inside the output folder; only when every file is written are they
moved into place (:func:`access.core.files.staged_folder`).  A failed or
interrupted write leaves the previous set whole: all old, never a mix.

Each file format is written here and only here: CSV tables (:func:`_csv`,
floats as :data:`~access.outputs.formats.CSV_FLOAT_FORMAT`), ``summary.json``
and the other JSON files, the GeoPackage, and the HTML pages of
:mod:`access.outputs.maps` and :mod:`access.outputs.report_page`.

Example
-------
>>> import tempfile
>>> from access import load_study
>>> result = load_study("redbridge-2017").run(modes=["walk"], offline=True)
>>> written = write(result, tempfile.mkdtemp(), maps=False)
>>> sorted(written)[:4]
['boroughs.csv', 'breakdowns.csv', 'changes.csv', 'distances.csv']
"""

from __future__ import annotations

import json
from functools import singledispatch
from pathlib import Path
from typing import Any

import pandas as pd

from access.analysis.equity import DIMENSIONS, GROUP_NOTES
from access.analysis.figures import THRESHOLDS_MIN
from access.analysis.study import StudyResult
from access.core.errors import OutputError
from access.core.files import json_value, staged_folder, write_json_atomic, write_text_atomic
from access.core.modes import MODES
from access.core.version import __version__
from access.inputs.hours import HOURS_RULE
from access.inputs.sources import ATTRIBUTION
from access.outputs.formats import CSV_FLOAT_FORMAT, minutes
from access.outputs.maps import index_html, mode_map_html
from access.outputs.notes import isochrone_note, model_note, models_note, result_model_note, run_warnings
from access.outputs.report_page import REPORT_NAME, report_html
from access.whatif.comparison import Comparison
from access.whatif.siting import SiteSearch
from access.whatif.sweep import SweepResult
from access.whatif.week import WeekResult

__all__ = ["write", "write_maps", "summary_json"]


@singledispatch
def write(result: Any, folder: Path | str, **options: Any) -> dict[str, Path]:
    """Write a result's whole set of files to ``folder``, all or nothing; return them by name.

    ``result`` is a :class:`~access.analysis.study.StudyResult` (``maps=True``),
    a :class:`~access.whatif.comparison.Comparison` (``maps=True``), a
    :class:`~access.whatif.week.WeekResult`, a
    :class:`~access.whatif.sweep.SweepResult` or a
    :class:`~access.whatif.siting.SiteSearch` (``maps=True``).

    Raises
    ------
    OutputError
        The folder cannot be written, or a file of the set cannot be put in
        place (the previous set is then whole again, and the message names the file).
    TypeError
        ``result`` is none of these.
    """
    raise TypeError(f"cannot write a {type(result).__name__}; give a result of access (a study run, a comparison, "
                    f"the week's hours, a sweep or a site search)")


def _staged(folder: Path | str, fill: Any) -> dict[str, Path]:
    folder = Path(folder)
    with staged_folder(folder) as stage:
        try:
            fill(stage)
        except PermissionError as exc:
            raise OutputError(f"cannot write to {str(folder)!r} ({exc.strerror}); choose another with --out") from exc
        names = sorted(str(p.relative_to(stage)) for p in stage.rglob("*") if p.is_file())
    return {name: folder / name for name in names}


def _csv(frame: pd.DataFrame, path: Path, *, index: bool = True) -> Path:
    return write_text_atomic(path, frame.to_csv(index=index, float_format=CSV_FLOAT_FORMAT))


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """One JSON-ready dict per row, index levels first (integers stay integers)."""
    return [{k: json_value(v) for k, v in row.items()} for row in table.reset_index().to_dict("records")]


# --------------------------------------------------------------------------- a study run


def summary_json(result: StudyResult) -> dict[str, Any]:
    """Return the run's figures as a JSON-ready dict (no timestamps: two runs give the same bytes)."""
    config = result.config
    rows = []
    for (period, mode), row in result.summary.iterrows():
        rows.append({
            "period": period, "mode": mode, "role": row["role"], "model": row["model"],
            "population": json_value(row["population"]), "unreachable": json_value(row["unreachable"]),
            "excluded": json_value(row["excluded"]),
            "far_from_network": json_value(row["far_from_network"]),
            "mean_min": json_value(row["mean_min"]), "median_min": json_value(row["median_min"]),
            "p90_min": json_value(row["p90_min"]),
            "share_within_min": {str(t): json_value(row[f"within_{t}"]) for t in THRESHOLDS_MIN},
        })
    changes = [{"mode": mode, "model": row["model"], **{k: json_value(v) for k, v in row.items() if k != "model"}}
               for mode, row in result.changes.iterrows()]
    breakdowns = result.breakdowns.reset_index()
    return {
        "study": config.name,
        "title": config.title,
        "generated_by": f"access {__version__}",
        "before": config.before,
        "after": config.after,
        "periods": list(config.periods),
        "models": {mode: {"model": t.model, "detail": t.detail, "note": result_model_note(result, mode)}
                   for mode, t in result.times.items()},
        "hours_rule": HOURS_RULE,
        "population": json_value(float(result.origins["population"].sum())),
        "origins": int(len(result.origins)),
        "results": rows,
        "changes": changes,
        "distance_to_nearest_counter": _records(result.distances),
        "boroughs": _records(result.by_borough()),
        "warnings": run_warnings(result.coverage),
        "breakdowns": {
            "dimensions": {d: {"title": DIMENSIONS[d], "note": GROUP_NOTES.get(d)}
                           for d in breakdowns["dimension"].unique()},
            "rows": [{k: json_value(v) for k, v in row.items()} for row in breakdowns.to_dict("records")],
        },
        "attribution": ATTRIBUTION,
    }


def _borough_layer(result: StudyResult, mode: str) -> Any:
    """Return the borough polygons with their figures, for a map's borough layer."""
    figures = result.by_borough().xs(mode, level="mode").rename(columns={
        "residents": "population", "mean_min_before": "before_min", "mean_min_after": "after_min",
        "mean_change_min": "change_min"})
    return result.borough_polygons.merge(
        figures[["population", "before_min", "after_min", "change_min", "within_30_before",
                 "within_30_after", "rank"]], left_on="borough", right_index=True)


def _study_maps(result: StudyResult, folder: Path) -> None:
    config, places = result.config, result.study.places
    lsoa_table = result.by_lsoa()
    available = result.available.reset_index(drop=True)
    for mode in result.modes:
        table = lsoa_table.xs(mode, level="mode")[["before_min", "after_min", "change_min"]]
        areas = places.lsoas[["lsoa11", "residents_2011", "geometry"]].rename(
            columns={"residents_2011": "population"}).merge(table, left_on="lsoa11", right_index=True)
        page = mode_map_html(
            title=config.title, mode_label=MODES[mode].label, model_note=result_model_note(result, mode),
            is_estimate=result.times[mode].is_estimate, boundary=places.boundary, areas=areas,
            counters=places.counters, available=available, periods=list(config.periods), before=config.before,
            after=config.after, attribution=ATTRIBUTION,
            districts=_borough_layer(result, mode) if len(config.boroughs) > 1 else None,
            isochrones=result.isochrones(mode), catchments=result.catchments(mode),
            isochrone_note=isochrone_note(result.times[mode]))
        write_text_atomic(folder / f"{mode}.html", page)
    estimated = [mode for mode, t in result.times.items() if t.is_estimate]
    changes = result.changes
    pages = {
        (f"Travel time {MODES[m].label} ({result.times[m].model}): mean "
         f"{minutes(changes.loc[m, 'mean_min_before'])} → {minutes(changes.loc[m, 'mean_min_after'])} min, "
         f"{config.before} → {config.after}"): f"{m}.html"
        for m in result.modes
    }
    write_text_atomic(folder / "index.html", index_html(title=config.title, pages=pages,
                                                        model_note=models_note(estimated, _calibrations(result.times)),
                                                        is_estimate=bool(estimated), attribution=ATTRIBUTION))


def _calibrations(times: dict[str, Any]) -> dict[str, Any]:
    """Each mode's calibration of the straight-line estimate (``None`` for a street network)."""
    return {mode: t.calibration for mode, t in times.items()}


def _study_set(result: StudyResult, folder: Path, *, maps: bool) -> None:
    write_json_atomic(folder / "summary.json", summary_json(result))
    tables: dict[str, pd.DataFrame] = {
        "summary.csv": result.summary, "changes.csv": result.changes,
        "switches.csv": result.switches.set_index("mode"),
        "wards.csv": result.by_ward(), "lsoas.csv": result.by_lsoa(),
        "boroughs.csv": result.by_borough(), "distances.csv": result.distances,
        "breakdowns.csv": result.breakdowns,
    }
    for name, table in tables.items():
        _csv(table, folder / name)
    origins = result.origins
    plain = pd.DataFrame(origins.drop(columns="geometry"))
    plain["x"], plain["y"] = origins.geometry.x.round(2), origins.geometry.y.round(2)
    _csv(plain, folder / "origins.csv", index=False)
    origins.to_file(folder / "origins.gpkg", layer="origins", driver="GPKG")
    map_pages: list[str] = []
    if maps:
        _study_maps(result, folder)
        map_pages = ["index.html", *[f"{mode}.html" for mode in result.modes]]
    write_text_atomic(folder / REPORT_NAME, report_html(result, map_pages=map_pages))


@write.register
def _(result: StudyResult, folder: Path | str, *, maps: bool = True) -> dict[str, Path]:
    return _staged(folder, lambda stage: _study_set(result, stage, maps=maps))


def write_maps(result: StudyResult, folder: Path | str) -> dict[str, Path]:
    """Write one HTML map per mode and ``index.html`` to ``folder``, all or nothing."""
    return _staged(folder, lambda stage: _study_maps(result, stage))


# --------------------------------------------------------------------------- what if


def _comparison_json(comparison: Comparison) -> dict[str, Any]:
    config = comparison.board.study.config
    return {
        "study": config.name,
        "generated_by": f"access {__version__}",
        "reference": comparison.reference.label,
        "scenarios": [{"name": s.name, "label": s.label, "base": s.base, "explain": s.explain(),
                       "description": s.description} for s in comparison.scenarios],
        "hours_rule": HOURS_RULE,
        "models": {mode: {"model": t.model, "detail": t.detail} for mode, t in comparison.board.times.items()},
        "results": [{"scenario": s, "mode": m, **{k: json_value(v) for k, v in row.items()}}
                    for (s, m), row in comparison.summary.iterrows()],
        "differences": [{"scenario": s, "mode": m, **{k: json_value(v) for k, v in row.items()}}
                        for (s, m), row in comparison.differences.iterrows()],
        "warnings": run_warnings(comparison.board.coverage),
        "attribution": ATTRIBUTION,
    }


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")


def _comparison_maps(comparison: Comparison, folder: Path) -> None:
    board, config = comparison.board, comparison.board.study.config
    places = board.study.places
    counters = board.counters[["id", "name", "address", "geometry"]].copy()
    labels = [s.label for s in comparison.scenarios]
    available = pd.DataFrame({s.label: board.available(s) for s in comparison.scenarios})
    for scenario in comparison.scenarios:
        counters[scenario.label] = board.hours(scenario)
    pages = {}
    estimated = [m for m, t in board.times.items() if t.is_estimate]
    for scenario in comparison.scenarios[1:]:
        for mode in comparison.modes:
            times = board.times[mode]
            name = f"{mode}.html" if len(comparison.scenarios) == 2 else f"{mode}-{_slug(scenario.label)}.html"
            areas = places.lsoas[["lsoa11", "geometry"]].merge(comparison.by_lsoa(mode, scenario), left_on="lsoa11",
                                                               right_index=True)
            page = mode_map_html(
                title=f"{config.title}: {scenario.label} against {comparison.reference.label}",
                mode_label=MODES[mode].label, model_note=f"{model_note(times)} Hours: {HOURS_RULE}.",
                is_estimate=times.is_estimate, boundary=places.boundary, areas=areas, counters=counters,
                available=available, periods=labels, before=comparison.reference.label, after=scenario.label,
                attribution=ATTRIBUTION)
            write_text_atomic(folder / name, page)
            diff = comparison.differences.loc[(scenario.label, mode)]
            pages[(f"{scenario.label} against {comparison.reference.label}, {MODES[mode].label} "
                   f"({times.model}): mean {minutes(diff['mean_min_change'], signed=True)} min")] = name
    write_text_atomic(folder / "index.html", index_html(
        title=f"{config.title}: what if", pages=pages,
        model_note=f"{models_note(estimated, _calibrations(comparison.board.times))} Hours: {HOURS_RULE}.",
        is_estimate=bool(estimated), attribution=ATTRIBUTION))


def _comparison_set(comparison: Comparison, folder: Path, *, maps: bool) -> None:
    write_json_atomic(folder / "summary.json", _comparison_json(comparison))
    _csv(comparison.summary, folder / "summary.csv")
    _csv(comparison.differences, folder / "differences.csv")
    _csv(comparison.counters, folder / "counters.csv")
    _csv(pd.DataFrame(comparison.origins.drop(columns="geometry")), folder / "origins.csv", index=False)
    if maps:
        _comparison_maps(comparison, folder)


@write.register
def _(comparison: Comparison, folder: Path | str, *, maps: bool = True) -> dict[str, Path]:
    return _staged(folder, lambda stage: _comparison_set(comparison, stage, maps=maps))


@write.register
def _(week: WeekResult, folder: Path | str) -> dict[str, Path]:
    def fill(stage: Path) -> None:
        _csv(week.table, stage / "hours.csv")
        write_json_atomic(stage / "hours.json", {
            "study": week.study, "generated_by": f"access {__version__}", "hours_rule": HOURS_RULE,
            "within_min": week.within_min, "moments": {k: v.label for k, v in week.moments.items()},
            "week_measure": "share of the week's 10,080 minutes with an open counter within the limit, "
                            "per resident, population-weighted",
            "models": week.models,
            "rows": json.loads(week.table.reset_index().to_json(orient="records"))})
    return _staged(folder, fill)


@write.register
def _(sweep: SweepResult, folder: Path | str) -> dict[str, Path]:
    def fill(stage: Path) -> None:
        _csv(sweep.table, stage / "sweep.csv", index=False)
        _csv(sweep.best, stage / "best.csv")
        _csv(sweep.real, stage / "real.csv")
    return _staged(folder, fill)


def _sites_json(found: SiteSearch) -> dict[str, Any]:
    return {
        "study": found.study.name, "generated_by": f"access {__version__}", "period": found.period,
        "alone": found.alone,
        "modes": {mode: {
            "model": sites.model, "candidates": sites.candidates.kind, "existing_mean_min": sites.existing_mean_min,
            "p_median": [{"p": len(s.sites), "mean_min": round(s.mean_min, 4),
                          "greedy_mean_min": round(s.greedy_mean_min, 4), "swaps": s.swaps,
                          "sites": [{"site": int(i), "lat": float(sites.candidates.sites.lat[i]),
                                     "lon": float(sites.candidates.sites.lon[i])} for i in s.sites]}
                         for s in sites.solutions]}
            for mode, sites in found.modes.items()},
    }


@write.register
def _(found: SiteSearch, folder: Path | str, *, maps: bool = True) -> dict[str, Path]:
    def fill(stage: Path) -> None:
        for mode, sites in found.modes.items():
            _csv(sites.ranking, stage / f"sites-{mode}.csv", index=False)
            if maps and sites.best is not None:
                (stage / f"best-{mode}").mkdir()
                _comparison_set(sites.best, stage / f"best-{mode}", maps=True)
        write_json_atomic(stage / "sites.json", _sites_json(found))
    return _staged(folder, fill)
