"""The ``access`` command line: run studies, list them, measure detour factors."""

from __future__ import annotations

import logging
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from access.core.version import __version__
from access.inputs.config import list_studies, load_config
from access.core.errors import AccessError, AccessWarning
from access.analysis.figures import THRESHOLDS_MIN
from access.core.modes import MODES
from access.analysis.study import Study, StudyResult

app = typer.Typer(
    help=(
        "access: how far residents are from a police front counter, on foot, by bike and by car, "
        "before and after closures. Studies live in data/studies/*.toml; source data is read from "
        "the mirror in ACCESS_DATA_MIRROR (default ../shared/data beside the repository)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        console.print(f"access {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                         help="Print the version and exit.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each step in detail.")] = False,
) -> None:
    """Accessibility of police front counters: figures, tables and maps."""
    logging.basicConfig(level=logging.INFO if verbose else logging.ERROR,
                        format="%(levelname)s %(name)s: %(message)s")
    warnings.showwarning = _show_warning


_default_showwarning = warnings.showwarning


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    """Print access's own warnings as one line on stderr; others as Python does."""
    if issubclass(category, AccessWarning):
        errors.print(f"[bold yellow]warning:[/] {message}", highlight=False, soft_wrap=True)
    else:
        _default_showwarning(message, category, filename, lineno, file, line)


INTERRUPTED = "interrupted; outputs already in place were left as they were"


def _fail(message: str, code: int = 2) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


@contextmanager
def _reported() -> Iterator[None]:
    """Turn access's own errors into one line and exit code 2, and Ctrl-C into one line and exit code 130."""
    try:
        yield
    except AccessError as exc:
        raise _fail(str(exc)) from None
    except KeyboardInterrupt:
        raise _fail(INTERRUPTED, 130) from None


def _merged_warnings(warnings: list[str], modes: list[str]) -> list[str]:
    """Warnings that differ only in their mode merged into one that names every mode.

    >>> _merged_warnings(["walk: no walk network.", "drive: no drive network.", "odd one"], ["walk", "drive"])
    ['walk, drive: no network.', 'odd one']
    """
    merged: dict[str, list[tuple[str, str]]] = {}
    for warning in warnings:
        mode, _, rest = warning.partition(": ")
        key = rest.replace(f" {mode} ", " ") if mode in modes and rest else warning
        merged.setdefault(key, []).append((mode, warning))
    return [f"{', '.join(m for m, _ in group)}: {key}" if len(group) > 1 else group[0][1]
            for key, group in merged.items()]


def _print_warnings(warnings: list[str], models: dict[str, str]) -> None:
    """One panel per warning (merged across modes), then a loud panel if any mode is the estimate.

    ``models`` maps each mode run to the model that made its times.
    """
    for warning in _merged_warnings(list(dict.fromkeys(warnings)), list(models)):
        console.print(Panel(warning, title="warning", border_style="red", expand=False))
    if any(model != "street network" for model in models.values()):
        console.print(Panel("Some or all times above are a STRAIGHT-LINE ESTIMATE, not street-network "
                            "routes. Run online, or pass --osm-file, for the network model.",
                            border_style="bold red", expand=False))


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def _summary_table(result: StudyResult) -> Table:
    """Figures per period and mode; on a narrow terminal only the 30- and 60-minute shares."""
    summary = result.summary
    residents, models = summary["population"].unique(), summary["model"].unique()
    same_residents, same_model = len(residents) == 1, len(models) == 1
    thresholds = THRESHOLDS_MIN if console.width >= 110 else tuple(t for t in THRESHOLDS_MIN if t in (30, 60))
    title = f"{result.config.title}\nminutes to the nearest open counter, population-weighted"
    if same_residents:
        title += f", {residents[0]:,.0f} residents"
    if same_model:
        title += (f"\nmodel: {models[0]}" if models[0] == "street network"
                  else f"\nmodel: [bold red]{models[0]}[/] (no street network)")
    table = Table(title=title, title_justify="left")
    columns = ["period", "mode", *([] if same_model else ["model"]), *([] if same_residents else ["residents"]),
               "mean", "median", "p90", *[f"≤{t}" for t in thresholds]]
    for column in columns:
        table.add_column(column, justify="left" if column in ("period", "mode", "model") else "right")
    for (period, mode), row in summary.iterrows():
        label = f"{period} ({row['role']})" if row["role"] != "extra" else period
        model = row["model"] if row["model"] == "street network" else f"[bold red]{row['model']}[/]"
        table.add_row(label, mode, *([] if same_model else [model]),
                      *([] if same_residents else [f"{row['population']:,.0f}"]),
                      f"{row['mean_min']:.1f}", f"{row['median_min']:.1f}", f"{row['p90_min']:.1f}",
                      *[_percent(row[f"within_{t}"]) for t in thresholds])
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
            f"{row['mean_min_before']:.1f} → {row['mean_min_after']:.1f} ({row['mean_min_change']:+.1f})",
            f"{row['median_min_before']:.1f} → {row['median_min_after']:.1f}",
            f"{row['p90_min_before']:.1f} → {row['p90_min_after']:.1f}",
            f"{_percent(row['within_30_before'])} → {_percent(row['within_30_after'])}",
            f"{row['population_switched']:,.0f}",
            f"{row['mean_change_min_switched']:+.1f} min",
        )
    return table


def _boroughs_table(result: StudyResult, mode: str, top: int = 10) -> Table:
    config = result.config
    table = Table(title=f"{mode}: the {top} boroughs whose mean time rose most, {config.before} → {config.after} "
                        f"(all {len(config.boroughs)} in boroughs.csv)", title_justify="left")
    for column in ("rank", "borough", "residents", "mean before → after", "within 30 min", "residents worse off"):
        table.add_column(column, justify="left" if column == "borough" else "right")
    for (_mode, borough), row in result.by_borough().xs(mode, level="mode", drop_level=False).head(top).iterrows():
        table.add_row(str(int(row["rank"])), borough, f"{row['residents']:,.0f}",
                      f"{row['mean_min_before']:.1f} → {row['mean_min_after']:.1f} ({row['mean_change_min']:+.1f})",
                      f"{_percent(row['within_30_before'])} → {_percent(row['within_30_after'])}",
                      f"{row['residents_worse']:,.0f}")
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
    """Run a study: print its figures and write maps, summary.json and tables.

    Networks come from --osm-file, the study's own OSM file, the cache, or Overpass
    (online), in that order. Offline with none of these, the run goes on with the
    straight-line estimate and says so on every output.
    """
    started = time.perf_counter()
    with _reported():
        chosen = Study(load_config(study))
        modes = mode or list(chosen.config.modes)  # Study.run refuses an unknown one, before any work
        folder = out or Path("maps") / chosen.name
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                      TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                      console=errors, transient=True, disable=not errors.is_terminal) as progress:
            task = progress.add_task(f"{chosen.name}", total=len(modes) + 3)
            first = True

            def step(description: str) -> None:
                nonlocal first
                if not first:
                    progress.advance(task)
                first = False
                progress.update(task, description=f"{chosen.name}: {description}")

            result = chosen.run(modes=modes, offline=offline, osm_file=osm_file, use_cache=cache, on_step=step)
            _ = result.summary
            step("writing maps and tables" if maps else "writing tables")
            paths = result.write(folder, maps=maps)
            progress.advance(task)

    console.print(_summary_table(result))
    console.print(_changes_table(result))
    if len(result.config.boroughs) > 1:
        console.print(_boroughs_table(result, result.modes[0]))
    _print_warnings(result.warnings, result.models)
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
            table.add_row(name, f"[red]invalid: {exc}[/]", "", "")
            continue
        table.add_row(name, config.title, ", ".join(config.periods), ", ".join(config.modes))
    console.print(table)


@app.command()
def calibrate(
    osm_file: Annotated[str, typer.Option(
        "--osm-file", help="OSM file (path or data/sources.toml key) to measure on.")] = "city_of_london_osm",
    label: Annotated[str, typer.Option(help="How to name the network in the stored figures.")]
    = "City of London OSM extract (2020-07-20)",
    out: Annotated[Optional[Path], typer.Option(
        "--out", help="Where to write the factors. Default: data/detour_factors.toml.")] = None,
    sources_count: Annotated[int, typer.Option("--sources", help="Random source nodes per mode.")] = 200,
) -> None:
    """Measure each mode's detour factor (network ÷ straight-line distance) on a real OSM network.

    The straight-line fallback uses these figures. The result is stored with its
    spread (median, p10, p90, standard deviation, number of pairs).
    """
    from access.routing.detour import measure_detour_factors, write_detour_factors
    from access.routing.network import get_network
    from access.inputs.sources import mirror_file, sources

    with _reported():
        path = mirror_file(osm_file) if osm_file in sources() else Path(osm_file)
        factors = []
        with console.status("measuring detour factors") as status:
            for name in MODES:
                status.update(f"{name}: building the network and measuring")
                network = get_network(name, crs="EPSG:27700", osm_file=path)
                factors.append(measure_detour_factors(network, n_sources=sources_count, measured_on=label))
        written = write_detour_factors(factors, out)
    table = Table("mode", "factor (mean)", "median", "p10", "p90", "std", "pairs", "speed km/h")
    for f in factors:
        table.add_row(f.mode, f"{f.factor:.3f}", f"{f.median:.3f}", f"{f.p10:.3f}", f"{f.p90:.3f}",
                      f"{f.std:.3f}", f"{f.n_pairs:,}", f"{f.speed_kmh:.1f}")
    console.print(table)
    console.print(f"wrote {written}")


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
    from access.outputs.screenshot import screenshot as take

    with _reported():
        written = take(page, png, width=width, height=height, scale=scale)
    console.print(f"wrote {written} ({written.stat().st_size / 1024:,.0f} KB)")


from access.cli import whatif  # noqa: E402,F401  (registers scenario, compare, hours, sweep, site)


def entry() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    sys.exit(entry())
