"""Writing a result to disk: summary.json, tables, GeoPackage and maps, atomically.

Every output of a run is first written into a hidden staging folder inside
the output folder; only when all of them are written are they renamed into
place (:func:`access.core.files.staged_folder`).  A failed or interrupted run so
leaves the previous set of outputs whole: all old, never a mix of old and new.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from access.core.version import __version__
from access.core.errors import OutputError
from access.core.files import CSV_FLOAT_FORMAT, atomic_path, json_value, staged_folder, write_json_atomic
from access.analysis.figures import THRESHOLDS_MIN

if TYPE_CHECKING:
    from access.analysis.study import StudyResult

__all__ = ["write_outputs", "write_maps", "map_layers", "summary_json"]


def _write(target: Path, writer: Callable[[Path], Any]) -> Path:
    with atomic_path(target) as tmp:
        writer(tmp)
    return target


def summary_json(result: StudyResult) -> dict[str, Any]:
    """The run's figures as a JSON-ready dict (no timestamps: two runs give the same bytes)."""
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
    changes = []
    for mode, row in result.changes.iterrows():
        changes.append({"mode": mode, "model": row["model"],
                        **{k: json_value(v) for k, v in row.items() if k != "model"}})
    return {
        "study": config.name,
        "title": config.title,
        "generated_by": f"access {__version__}",
        "before": config.before,
        "after": config.after,
        "periods": list(config.periods),
        "models": {mode: {"model": t.model, "detail": t.detail, "note": result.model_note(mode)}
                   for mode, t in result.times.items()},
        "hours_rule": ("a counter counts as available in a period unless its hours are 'off'; "
                       "'open' (hours not known) and 'unknown' count as available"),
        "population": json_value(float(result.origins["population"].sum())),
        "origins": int(len(result.origins)),
        "results": rows,
        "changes": changes,
        "distance_to_nearest_counter": _records(result.distances),
        "boroughs": _records(result.by_borough()),
        "warnings": list(result.warnings),
        "breakdowns": _breakdowns_json(result),
        "attribution": _attribution(),
    }


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """One JSON-ready dict per row, index levels first (integers stay integers)."""
    return [{k: json_value(v) for k, v in row.items()} for row in table.reset_index().to_dict("records")]


def _breakdowns_json(result: StudyResult) -> dict[str, Any]:
    """The equity breakdowns: how groups are defined, and one record per group, weight and mode."""
    from access.analysis.equity import DIMENSIONS, GROUP_NOTES

    table = result.breakdowns.reset_index()
    return {
        "dimensions": {d: {"title": DIMENSIONS[d], "note": GROUP_NOTES.get(d)}
                       for d in table["dimension"].unique()},
        "rows": [{k: json_value(v) for k, v in row.items()} for row in table.to_dict("records")],
    }


def _attribution() -> str:
    from access.analysis.study import ATTRIBUTION
    return ATTRIBUTION


def map_layers(result: StudyResult, *, with_catchments: bool = True) -> dict[str, dict[str, Any]]:
    """Per mode: its isochrones, catchments and isochrone note (see :mod:`access.routing.isochrones`).

    Catchments are drawn only on the maps; the report needs the isochrones alone.
    """
    from access.routing.isochrones import catchments, isochrone_note, isochrones

    return {mode: {"isochrones": isochrones(result, mode),
                   "catchments": catchments(result, mode) if with_catchments else None,
                   "isochrone_note": isochrone_note(result, mode)} for mode in result.modes}


def write_maps(result: StudyResult, folder: Path, layers: dict[str, dict[str, Any]] | None = None) -> list[Path]:
    """One map per mode (``<mode>.html``) and ``index.html`` in ``folder``, all or none.

    ``layers`` is :func:`map_layers` of the result, computed when not given.
    """
    with staged_folder(folder) as stage:
        written = _write_maps_into(result, stage, layers)
    return [folder / path.name for path in written]


def _write_maps_into(result: StudyResult, folder: Path,
                     layers: dict[str, dict[str, Any]] | None = None) -> list[Path]:
    from access.outputs.maps import write_index, write_mode_map
    from access.core.modes import MODES

    config, places = result.config, result.study.places
    lsoa_table = result.by_lsoa()
    borough_figures = _borough_layer(result) if len(config.boroughs) > 1 else None
    layers = layers if layers is not None else map_layers(result)
    written = []
    for mode in result.modes:
        table = lsoa_table.xs(mode, level="mode")[["before_min", "after_min", "change_min"]]
        areas = places.lsoas[["lsoa11", "residents_2011", "geometry"]].rename(
            columns={"residents_2011": "population"}).merge(table, left_on="lsoa11", right_index=True)
        written.append(write_mode_map(
            folder / f"{mode}.html", title=config.title, mode_label=MODES[mode].label,
            model_note=result.model_note(mode), is_estimate=result.times[mode].is_estimate,
            boundary=places.boundary, areas=areas, counters=places.counters,
            periods=list(config.periods), before=config.before, after=config.after,
            attribution=_attribution(),
            districts=None if borough_figures is None else borough_figures[mode],
            **layers[mode],
        ))
    estimated = [mode for mode, t in result.times.items() if t.is_estimate]
    if estimated:
        note = (f"STRAIGHT-LINE ESTIMATE for {', '.join(estimated)}: no street network was available, so "
                f"times are straight-line distance × a detour factor measured on a real OSM network ÷ "
                f"speed. Each map gives its factor.")
    else:
        note = "Street-network model (OpenStreetMap) for every mode; each map gives the network used."
    changes = result.changes
    pages = {
        (f"Travel time {MODES[m].label} ({result.times[m].model}): mean "
         f"{changes.loc[m, 'mean_min_before']:.1f} → {changes.loc[m, 'mean_min_after']:.1f} min, "
         f"{config.before} → {config.after}"): f"{m}.html"
        for m in result.modes
    }
    written.append(write_index(folder / "index.html", title=config.title, pages=pages, model_note=note,
                               is_estimate=bool(estimated), attribution=_attribution()))
    return written


def _borough_layer(result: StudyResult) -> dict[str, Any]:
    """Per mode: the borough polygons with their figures, for the maps' borough layer."""
    from access.inputs.places import load_borough_polygons

    polygons = load_borough_polygons(result.config)
    table = result.by_borough()
    layers = {}
    for mode in result.modes:
        figures = table.xs(mode, level="mode").rename(columns={
            "residents": "population", "mean_min_before": "before_min", "mean_min_after": "after_min",
            "mean_change_min": "change_min"})
        layers[mode] = polygons.merge(
            figures[["population", "before_min", "after_min", "change_min", "within_30_before",
                     "within_30_after", "rank"]], left_on="borough", right_index=True)
    return layers


def write_outputs(result: StudyResult, folder: Path, *, maps: bool = True) -> dict[str, Path]:
    """Write every output of a run to ``folder``.

    Files: ``summary.json``, ``summary.csv``, ``changes.csv``, ``switches.csv``,
    ``wards.csv``, ``lsoas.csv``, ``boroughs.csv``, ``distances.csv``, ``breakdowns.csv``,
    ``origins.csv``, ``origins.gpkg``, ``report.html`` and, with ``maps``, ``<mode>.html``
    and ``index.html``.

    Every file is written into a staging folder first and moved into ``folder``
    only when all are written, so a failure or Ctrl-C leaves the previous
    outputs whole.

    Raises
    ------
    OutputError
        The folder cannot be created or written.
    """
    with staged_folder(folder) as stage:
        written = _write_outputs_into(result, stage, maps=maps)
    return {name: folder / name for name in written}


def _write_outputs_into(result: StudyResult, folder: Path, *, maps: bool) -> dict[str, Path]:
    paths: dict[str, Path] = {}
    try:
        paths["summary.json"] = write_json_atomic(folder / "summary.json", summary_json(result))
        tables: dict[str, pd.DataFrame] = {
            "summary.csv": result.summary, "changes.csv": result.changes,
            "switches.csv": result.switches.set_index("mode"),
            "wards.csv": result.by_ward(), "lsoas.csv": result.by_lsoa(),
            "boroughs.csv": result.by_borough(), "distances.csv": result.distances,
            "breakdowns.csv": result.breakdowns,
        }
        for name, table in tables.items():
            paths[name] = _write(folder / name, lambda p, t=table: t.to_csv(p, float_format=CSV_FLOAT_FORMAT))
        origins = result.origins
        plain = pd.DataFrame(origins.drop(columns="geometry"))
        plain["x"], plain["y"] = origins.geometry.x.round(2), origins.geometry.y.round(2)
        paths["origins.csv"] = _write(folder / "origins.csv",
                                      lambda p: plain.to_csv(p, index=False, float_format=CSV_FLOAT_FORMAT))
        paths["origins.gpkg"] = _write(folder / "origins.gpkg",
                                       lambda p: origins.to_file(p, layer="origins", driver="GPKG"))
        layers = map_layers(result, with_catchments=maps)
        map_pages: list[str] = []
        if maps:
            for path in _write_maps_into(result, folder, layers):
                paths[path.name] = path
            map_pages = ["index.html", *[f"{mode}.html" for mode in result.modes]]
        from access.outputs.report_page import write_report
        paths["report.html"] = write_report(
            result, folder, map_pages=map_pages, isochrones={m: v["isochrones"] for m, v in layers.items()},
            isochrone_notes={m: v["isochrone_note"] for m, v in layers.items()})
    except PermissionError as exc:
        raise OutputError(f"cannot write to {str(folder)!r} ({exc.strerror}); choose another with --out") from exc
    return paths
