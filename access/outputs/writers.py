"""Writing results to disk: every output set of every command, each written all-or-nothing.

:func:`write` takes any result (a run, a comparison, the week's hours, a
sweep, a site search) and writes its whole set of files into a hidden staging
folder inside the output folder; only when every file is written are they
moved into place (:func:`access.core.files.staged_folder`).  A failed or
interrupted write leaves the previous set whole: all old, never a mix.

Each file format is written here and only here: CSV tables (:func:`_csv`:
every table of figures names the model that made each row, a period id has its
label beside it, and floats are rounded by
:func:`~access.outputs.formats.csv_rounded`: minutes to 0.01, shares to
0.0001, counts so that totals still reconcile with the census), ``summary.json``
and the other JSON files, the GeoPackage, and the HTML pages of
:mod:`access.outputs.maps`, :mod:`access.outputs.report_page` and :mod:`access.outputs.explorer`.

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
import os
from collections.abc import Mapping, Sequence
from functools import singledispatch
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from access.analysis.equity import DIMENSIONS, GROUP_NOTES
from access.analysis.figures import THRESHOLDS_MIN
from access.analysis.study import StudyResult
from access.core.defaults import PUBLIC_TRANSPORT_LIMITS_MIN
from access.core.errors import ArgumentError, OutputError
from access.core.files import json_value, staged_folder, write_json_atomic, write_text_atomic
from access.core.version import __version__
from access.inputs.hours import HOURS_RULE
from access.outputs.explorer import DEFAULT_NEAREST, EXPLORER_NAME, explorer_html, explorer_scenarios
from access.outputs.formats import csv_text, minutes
from access.outputs.maps import index_html, mode_map_html
from access.outputs.notes import (
    HOW_ANCHOR,
    PUBLIC_TRANSPORT_CRITERION,
    isochrone_note,
    model_note,
    models_note,
    plain_model_sentence,
    result_attribution,
    result_model_note,
    run_warnings,
    study_place,
)
from access.outputs.report_page import REPORT_NAME, report_html
from access.whatif.board import Board, board_from_result
from access.whatif.comparison import Comparison
from access.whatif.siting import SiteSearch
from access.whatif.sweep import SweepResult
from access.whatif.week import WeekResult

__all__ = ["write", "write_maps", "summary_json", "output_path"]


@singledispatch
def write(result: Any, folder: Path | str, **options: Any) -> dict[str, Path]:
    """Write a result's whole set of files to ``folder``, all or nothing; return them by name.

    ``result`` is a :class:`~access.analysis.study.StudyResult` (``maps=True``: the maps, and the what-if
    explorer beside them), a :class:`~access.whatif.comparison.Comparison` (``maps=True``), a
    :class:`~access.whatif.week.WeekResult`, a
    :class:`~access.whatif.sweep.SweepResult`, a
    :class:`~access.whatif.siting.SiteSearch` (``maps=True``) or a :class:`~access.whatif.board.Board`
    (its what-if explorer, ``explorer.html``, with the study's named scenarios; ``nearest=``).

    Raises
    ------
    OutputError
        The folder cannot be written, or a file of the set cannot be put in
        place (the previous set is then whole again, and the message names the file).
    TypeError
        ``result`` is none of these.

    Examples
    --------
    >>> import tempfile
    >>> import access
    >>> result = access.load_study("redbridge-2017").run(modes=["walk"], offline=True)
    >>> written = write(result, tempfile.mkdtemp(), maps=False)
    >>> sorted(written)[:4], "report.html" in written
    (['boroughs.csv', 'breakdowns.csv', 'changes.csv', 'distances.csv'], True)
    """
    raise TypeError(f"cannot write a {type(result).__name__}; give a result of access (a study run, a comparison, "
                    f"the week's hours, a sweep, a site search or a board)")


def output_path(folder: Any) -> Path:
    """Return ``folder`` as a path, after checking it names one: a string or path, not blank.

    >>> output_path("out/redbridge").as_posix()
    'out/redbridge'

    Raises
    ------
    ArgumentError
        ``folder`` is not a string or a path (``None``, a number), or is blank (``""`` would write into
        the current folder without saying so).
    """
    if not isinstance(folder, (str, os.PathLike)):
        raise ArgumentError(f"the output folder must be a path or a string, e.g. 'out/redbridge', not {folder!r} "
                            f"({type(folder).__name__})")
    if not str(os.fspath(folder)).strip():
        raise ArgumentError("the output folder is blank; name one, e.g. 'out/redbridge' (or '.' for the current "
                            "folder)")
    return Path(folder).expanduser()


def _staged(folder: Path | str, fill: Any) -> dict[str, Path]:
    folder = output_path(folder)
    with staged_folder(folder) as stage:
        try:
            fill(stage)
        except PermissionError as exc:
            raise OutputError(f"cannot write to {str(folder)!r} ({exc.strerror}); choose another with --out") from exc
        names = sorted(str(p.relative_to(stage)) for p in stage.rglob("*") if p.is_file())
    return {name: folder / name for name in names}


def _csv(frame: pd.DataFrame, path: Path, *, index: bool = True, models: Mapping[str, str] | str | None = None,
         labels: Mapping[str, Mapping[str, str]] | None = None) -> Path:
    """Write a table as CSV: the one way every CSV is written.

    ``index`` keeps the frame's (named) index as leading columns.  ``models``
    (mode → model, or one model for the whole table) adds a ``model`` column
    after ``mode`` (or first), so a file opened alone says which model made
    each row.  ``labels`` (column → {id: label}) adds ``<column>_label``
    beside a column of ids.  The text is
    :func:`~access.outputs.formats.csv_text`'s: floats rounded, and a text cell that a
    spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) prefixed with ``'``.
    """
    table = frame.reset_index() if index and any(name is not None for name in frame.index.names) else frame.copy()
    if models is not None and "model" not in table.columns:
        if isinstance(models, str):
            table.insert(0, "model", models)
        else:
            table.insert(list(table.columns).index("mode") + 1, "model", table["mode"].map(dict(models)))
    for column, names in (labels or {}).items():
        table.insert(list(table.columns).index(column) + 1, f"{column}_label",
                     table[column].map(lambda value, n=names: n.get(value, value)))
    return write_text_atomic(path, csv_text(table))


def _gpkg(frame: gpd.GeoDataFrame, path: Path, *, layer: str) -> Path:
    """Write a GeoPackage layer: the one way a GeoPackage is written.

    GDAL reports a failed write (a full disk, say) as its own error, not as ``OSError``;
    it becomes the one-line :class:`~access.core.errors.OutputError` here.
    """
    from pyogrio.errors import DataLayerError, DataSourceError, FeatureError, FieldError, GeometryError

    try:
        frame.to_file(path, layer=layer, driver="GPKG")
    except (OSError, DataSourceError, DataLayerError, FeatureError, FieldError, GeometryError) as exc:
        reason = " ".join(str(exc).split())[:200]
        raise OutputError(f"cannot write {path.name} ({reason}); check the free space and that the folder is "
                          f"writable (the previous outputs are unchanged)") from exc
    return path


def _wide_models(table: pd.DataFrame, models: Mapping[str, str], sep: str) -> pd.DataFrame:
    """Return a one-row-per-origin table with a ``model`` column before the first mode's columns.

    One model for every mode reads as that model; otherwise each mode's, as in
    ``"walk: street network; drive: straight-line estimate"``.
    """
    table = table.copy()
    named = set(models.values())
    model = next(iter(named)) if len(named) == 1 else "; ".join(f"{m}: {v}" for m, v in models.items())
    first = min(i for i, c in enumerate(table.columns) for m in models if str(c).startswith(f"{m}{sep}"))
    table.insert(first, "model", model)
    return table


def _with_names(table: pd.DataFrame, names: pd.DataFrame, after: str, columns: Sequence[str]) -> pd.DataFrame:
    """``table`` with ``columns`` of ``names`` (indexed by the values of ``after``) inserted after ``after``."""
    table = table.reset_index()
    position = list(table.columns).index(after) + 1
    for offset, column in enumerate(columns):
        table.insert(position + offset, column, table[after].map(names[column]))
    return table


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
        "period_labels": config.labels,
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
        **({"public_transport": _public_transport_json(result)} if result.transit_modes else {}),
        "attribution": result_attribution(result),
    }


def _public_transport_table(result: StudyResult) -> pd.DataFrame:
    """MOPAC's criterion per public-transport mode: residents 60 (and 45) minutes or more, everyone then by ward."""
    study, tables = result.study, []
    for mode in result.transit_modes:
        everyone = result.at_least(mode, by=None).reset_index()
        everyone = everyone.rename(columns={"group": "ward_name"}).assign(ward_name="all residents", ward_code="")
        wards = result.at_least(mode).reset_index()
        wards["ward_code"] = wards["ward_name"].map(study.ward_codes).fillna("")
        table = pd.concat([everyone, wards], ignore_index=True)
        table.insert(0, "mode", mode)
        tables.append(table[["mode", "minutes", "ward_code", "ward_name", "residents", "before", "after", "change",
                             "share_before", "share_after"]])
    return pd.concat(tables, ignore_index=True)


def _public_transport_json(result: StudyResult) -> dict[str, Any]:
    table = _public_transport_table(result)
    return {
        "criterion": PUBLIC_TRANSPORT_CRITERION,
        "thresholds_min": list(PUBLIC_TRANSPORT_LIMITS_MIN),
        "modes": {mode: {"model": result.times[mode].model,
                         "rows": [{k: json_value(v) for k, v in row.items()}
                                  for row in part.drop(columns="mode").to_dict("records")]}
                  for mode, part in table.groupby("mode", sort=False)},
    }


def _borough_layer(result: StudyResult, mode: str) -> Any:
    """Return the borough polygons with their figures, for a map's borough layer."""
    figures = result.by_borough().xs(mode, level="mode").rename(columns={
        "residents": "population", "mean_min_before": "before_min", "mean_min_after": "after_min",
        "mean_change_min": "change_min"})
    return result.borough_polygons.merge(
        figures[["population", "before_min", "after_min", "change_min", "within_30_before",
                 "within_30_after", "rank"]], left_on="borough", right_index=True)


def _lsoa_areas(study: Any, table: pd.DataFrame) -> Any:
    """Return the LSOA polygons with name, main ward, 2011 residents and ``table``'s minutes (indexed by lsoa11)."""
    names = study.lsoa_names.rename(columns={"lsoa11_name": "name", "ward_name": "ward"})[["name", "ward"]]
    polygons = study.places.lsoas[["lsoa11", "residents_2011", "geometry"]].rename(
        columns={"residents_2011": "population"})
    return (polygons.merge(names, left_on="lsoa11", right_index=True)
            .merge(table[["before_min", "after_min", "change_min"]], left_on="lsoa11", right_index=True))


def _study_maps(result: StudyResult, folder: Path, *, report: str | None = None, explorer: str | None = None) -> None:
    config, places = result.config, result.study.places
    lsoa_table = result.by_lsoa()
    available = result.available.reset_index(drop=True)
    links = {"The report": report, "All maps": "index.html"} if report else {"All maps": "index.html"}
    if explorer:
        links["What if"] = explorer
    place = study_place(config.boroughs, local_authority=config.local_authority, built_from=config.built_from)
    how = f"{report}#{HOW_ANCHOR}" if report else None
    for mode in result.modes:
        table = lsoa_table.xs(mode, level="mode")
        page = mode_map_html(
            title=config.title, mode_label=config.mode_label(mode), model_note=result_model_note(result, mode),
            is_estimate=result.times[mode].uses_estimate, boundary=places.boundary,
            areas=_lsoa_areas(result.study, table), counters=places.counters, available=available,
            periods=list(config.periods), before=config.before, after=config.after,
            attribution=result_attribution(result) if result.times[mode].is_transit else config.attribution,
            labels=config.labels, links=links,
            districts=_borough_layer(result, mode) if len(config.boroughs) > 1 else None,
            isochrones=result.isochrones(mode, crs=result.working_crs),
            catchments=result.catchments(mode, crs=result.working_crs),
            isochrone_note=isochrone_note(result.times[mode]), area_kind=places.area_kind,
            summary=plain_model_sentence({mode: result.times[mode]}, place=place,
                                         labels={mode: config.mode_label(mode)}), how=how)
        write_text_atomic(folder / f"{mode}.html", page)
    changes = result.changes
    pages = {
        (f"Travel time {config.mode_label(m)} ({result.times[m].model}): mean "
         f"{minutes(changes.loc[m, 'mean_min_before'])} → {minutes(changes.loc[m, 'mean_min_after'])} min, "
         f"{config.label(config.before)} → {config.label(config.after)}"): f"{m}.html"
        for m in result.modes
    }
    if explorer:
        pages["What if: close and open counters yourself, at any moment of the week (the explorer)"] = explorer
    write_text_atomic(folder / "index.html", index_html(title=config.title, pages=pages,
                                                        model_note=models_note(result.times),
                                                        is_estimate=any(t.uses_estimate for t in result.times.values()),
                                                        attribution=result_attribution(result), report=report,
                                                        summary=plain_model_sentence(
                                                            result.times, place=place,
                                                            labels={m: config.mode_label(m) for m in result.modes}),
                                                        how=how))


def _study_set(result: StudyResult, folder: Path, *, maps: bool) -> None:
    write_json_atomic(folder / "summary.json", summary_json(result))
    study, models, periods = result.study, result.models, {"period": result.config.labels}
    wards = _with_names(result.by_ward(), study.ward_codes.to_frame(), "ward_name", ["ward_code"])
    wards.insert(0, "ward_code", wards.pop("ward_code"))
    lsoas = _with_names(result.by_lsoa(), study.lsoa_names, "lsoa11", ["lsoa11_name", "ward_code", "ward_name"])
    _csv(result.summary, folder / "summary.csv", labels=periods)
    _csv(result.changes, folder / "changes.csv", models=models)
    _csv(result.switches, folder / "switches.csv", index=False, models=models)
    _csv(wards, folder / "wards.csv", index=False, models=models)
    _csv(lsoas, folder / "lsoas.csv", index=False, models=models)
    _csv(result.by_borough(), folder / "boroughs.csv", models=models)
    _csv(result.distances, folder / "distances.csv", labels=periods)
    _csv(result.breakdowns, folder / "breakdowns.csv", models=models)
    if result.transit_modes:
        _csv(_public_transport_table(result), folder / "public_transport.csv", index=False, models=models)
    origins = result.origins
    plain = pd.DataFrame(origins.drop(columns="geometry"))
    plain.insert(list(plain.columns).index("lsoa11") + 1, "lsoa11_name",
                 plain["lsoa11"].map(study.lsoa_names["lsoa11_name"]))
    decimals = 6 if origins.crs is not None and origins.crs.is_geographic else 2  # degrees, or metres
    plain["x"], plain["y"] = origins.geometry.x.round(decimals), origins.geometry.y.round(decimals)
    _csv(_wide_models(plain, models, "_"), folder / "origins.csv", index=False)
    _gpkg(origins, folder / "origins.gpkg", layer="origins")
    map_pages: list[str] = []
    if maps:
        _study_maps(result, folder, report=REPORT_NAME, explorer=EXPLORER_NAME)
        board, scenarios, notes = explorer_scenarios(board_from_result(result))
        write_text_atomic(folder / EXPLORER_NAME, explorer_html(
            board, scenarios, links={"The report": REPORT_NAME, "All maps": "index.html"}, notes=notes,
            how=f"{REPORT_NAME}#{HOW_ANCHOR}"))
        map_pages = ["index.html", *[f"{mode}.html" for mode in result.modes], EXPLORER_NAME]
    write_text_atomic(folder / REPORT_NAME, report_html(result, map_pages=map_pages))


@write.register
def _(result: StudyResult, folder: Path | str, *, maps: bool = True) -> dict[str, Path]:
    return _staged(folder, lambda stage: _study_set(result, stage, maps=maps))


def write_maps(result: StudyResult, folder: Path | str) -> dict[str, Path]:
    """Write one HTML map per mode and ``index.html`` to ``folder``, all or nothing.

    Examples
    --------
    >>> import tempfile
    >>> import access
    >>> result = access.load_study("redbridge-2017").run(modes=["walk"], offline=True)
    >>> sorted(write_maps(result, tempfile.mkdtemp()))
    ['index.html', 'walk.html']
    """
    return _staged(folder, lambda stage: _study_maps(result, stage))


@write.register
def _(board: Board, folder: Path | str, *, nearest: int = DEFAULT_NEAREST) -> dict[str, Path]:
    board, scenarios, notes = explorer_scenarios(board)
    page = explorer_html(board, scenarios, nearest=nearest, notes=notes)
    return _staged(folder, lambda stage: write_text_atomic(stage / EXPLORER_NAME, page))


# --------------------------------------------------------------------------- what if


def _comparison_json(comparison: Comparison) -> dict[str, Any]:
    config = comparison.board.study.config
    return {
        "study": config.name,
        "generated_by": f"access {__version__}",
        "reference": comparison.reference.label,
        "scenarios": [{"name": s.name, "label": s.label, "title": s.title(config.labels), "base": s.base,
                       "explain": s.explain(), "description": s.description} for s in comparison.scenarios],
        "hours_rule": HOURS_RULE,
        "models": {mode: {"model": t.model, "detail": t.detail} for mode, t in comparison.board.times.items()},
        "results": [{"scenario": s, "mode": m, **{k: json_value(v) for k, v in row.items()}}
                    for (s, m), row in comparison.summary.iterrows()],
        "differences": [{"scenario": s, "mode": m, **{k: json_value(v) for k, v in row.items()}}
                        for (s, m), row in comparison.differences.iterrows()],
        "warnings": run_warnings(comparison.board.coverage),
        "attribution": config.attribution,
    }


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")


def _comparison_maps(comparison: Comparison, folder: Path) -> None:
    board, config = comparison.board, comparison.board.study.config
    places = board.study.places
    counters = board.counters[["id", "name", "address", "geometry"]].copy()
    labels = [s.label for s in comparison.scenarios]
    titles = _titles(comparison)
    available = pd.DataFrame({s.label: board.available(s) for s in comparison.scenarios})
    for scenario in comparison.scenarios:
        counters[scenario.label] = board.hours(scenario)
    pages = {}
    reference = titles[comparison.reference.label]
    for scenario in comparison.scenarios[1:]:
        for mode in comparison.modes:
            times = board.times[mode]
            name = f"{mode}.html" if len(comparison.scenarios) == 2 else f"{mode}-{_slug(scenario.label)}.html"
            page = mode_map_html(
                title=f"{config.title}: {titles[scenario.label]} against {reference}",
                mode_label=config.mode_label(mode), model_note=f"{model_note(times)} Hours: {HOURS_RULE}.",
                is_estimate=times.uses_estimate, boundary=places.boundary,
                areas=_lsoa_areas(board.study, comparison.by_lsoa(mode, scenario)), counters=counters,
                available=available, periods=labels, before=comparison.reference.label, after=scenario.label,
                attribution=config.attribution, labels=titles, links={"All maps": "index.html"},
                area_kind=places.area_kind,
                summary=plain_model_sentence({mode: times}, place=_place(config),
                                             labels={mode: config.mode_label(mode)}))
            write_text_atomic(folder / name, page)
            diff = comparison.differences.loc[(scenario.label, mode)]
            pages[(f"{titles[scenario.label]} against {reference}, {config.mode_label(mode)} "
                   f"({times.model}): mean {minutes(diff['mean_min_change'], signed=True)} min")] = name
    write_text_atomic(folder / "index.html", index_html(
        title=f"{config.title}: what if", pages=pages,
        model_note=f"{models_note(board.times)} Hours: {HOURS_RULE}.",
        is_estimate=any(t.uses_estimate for t in board.times.values()), attribution=config.attribution,
        summary=plain_model_sentence(board.times, place=_place(config),
                                     labels={m: config.mode_label(m) for m in board.times})))


def _place(config: Any) -> str:
    """Return the study area in words (:func:`access.outputs.notes.study_place`)."""
    return study_place(config.boroughs, local_authority=config.local_authority, built_from=config.built_from)


def _titles(comparison: Comparison) -> dict[str, str]:
    """Scenario label → how readers see it (a period's label for a period as recorded)."""
    labels = comparison.board.study.config.labels
    return {s.label: s.title(labels) for s in comparison.scenarios}


def _comparison_set(comparison: Comparison, folder: Path, *, maps: bool) -> None:
    write_json_atomic(folder / "summary.json", _comparison_json(comparison))
    models = {mode: t.model for mode, t in comparison.board.times.items()}
    titles = _titles(comparison)
    _csv(comparison.summary, folder / "summary.csv", labels={"scenario": titles})
    if not comparison.differences.empty:
        _csv(comparison.differences, folder / "differences.csv", models=models,
             labels={"scenario": titles, "reference": titles})
    else:
        _csv(comparison.differences, folder / "differences.csv", index=False)
    counters = comparison.counters.rename(columns={f"{label} {what}": f"{title}: {what}" for label, title
                                                   in titles.items() for what in ("hours", "available")})
    _csv(counters, folder / "counters.csv")
    origins = pd.DataFrame(comparison.origins.drop(columns="geometry"))
    origins.insert(list(origins.columns).index("lsoa11") + 1, "lsoa11_name",
                   origins["lsoa11"].map(comparison.board.study.lsoa_names["lsoa11_name"]))
    _csv(_wide_models(origins, models, "|"), folder / "origins.csv", index=False)
    if maps:
        _comparison_maps(comparison, folder)


@write.register
def _(comparison: Comparison, folder: Path | str, *, maps: bool = True) -> dict[str, Path]:
    return _staged(folder, lambda stage: _comparison_set(comparison, stage, maps=maps))


@write.register
def _(week: WeekResult, folder: Path | str) -> dict[str, Path]:
    def fill(stage: Path) -> None:
        _csv(week.table, stage / "hours.csv", models=week.models, labels={"period": week.labels})
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
        _csv(sweep.table, stage / "sweep.csv", index=False, models=sweep.models)
        _csv(sweep.best, stage / "best.csv", models=sweep.models)
        _csv(sweep.real, stage / "real.csv", models=sweep.models)
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
                                     "lon": float(sites.candidates.sites.lon[i]),
                                     "postcode": str(sites.candidates.sites.postcode[i]),
                                     "postcode_m": float(sites.candidates.sites.postcode_m[i]),
                                     "ward": str(sites.candidates.sites.ward[i])} for i in s.sites]}
                         for s in sites.solutions]}
            for mode, sites in found.modes.items()},
    }


@write.register
def _(found: SiteSearch, folder: Path | str, *, maps: bool = True) -> dict[str, Path]:
    def fill(stage: Path) -> None:
        for mode, sites in found.modes.items():
            _csv(sites.ranking, stage / f"sites-{mode}.csv", index=False, models=sites.model)
            if maps and sites.best is not None:
                (stage / f"best-{mode}").mkdir()
                _comparison_set(sites.best, stage / f"best-{mode}", maps=True)
        write_json_atomic(stage / "sites.json", _sites_json(found))
    return _staged(folder, fill)
