"""The "what if" commands: ``scenario``, ``compare``, ``hours``, ``sweep`` and ``site``.

Each routes the study's counters once per mode (or reads the straight-line
estimate) and evaluates everything else on those times; each writes its
files as one set (:func:`access.outputs.writers.write`).
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.text import Text

from access.cli.common import (
    PlainTable,
    app,
    console,
    model_text,
    open_study,
    plain_name,
    print_warnings,
    progress,
    reported,
    split,
)
from access.core.errors import ScenarioError
from access.inputs.hours import HOURS_RULE, parse_moment
from access.outputs.formats import count, minutes, percent, points
from access.outputs.notes import run_warnings
from access.outputs.writers import write
from access.whatif.board import build_board
from access.whatif.comparison import Comparison, compare
from access.whatif.scenario import Scenario, parse_opened, period_scenario, study_scenarios
from access.whatif.siting import DEFAULT_MAX_CANDIDATES, DEFAULT_SPACING_M, search_sites
from access.whatif.sweep import DEFAULT_MAX_SUBSETS, RANK_BY, sweep
from access.whatif.week import DEFAULT_WITHIN_MIN, week_table

__all__ = ["scenario", "compare_command", "hours_command", "sweep_command", "site_command"]

Mode = Annotated[Optional[list[str]], typer.Option(
    "--mode", "-m", help="Mode to evaluate; repeat for several. Default: the study's modes.")]
Offline = Annotated[bool, typer.Option(
    help="Do not download a street network. Without --osm-file or a cached network the times are a "
         "straight-line estimate, labelled as such.")]
OsmFile = Annotated[Optional[Path], typer.Option("--osm-file", help="A local .osm or .osm.pbf file for the network.")]
Out = Annotated[Optional[Path], typer.Option("--out", "-o", help="Output folder. Default: maps/<study>/<command>.")]
Cache = Annotated[bool, typer.Option(help="Use and fill the network cache (ACCESS_CACHE_DIR).")]
At = Annotated[Optional[str], typer.Option(
    "--at", help="Evaluate at this moment of the week, e.g. 'Sat 23:30': counters closed then do not count.")]


def _summary_table(comparison: Comparison, title: str) -> PlainTable:
    table = PlainTable(title=title, title_justify="left")
    for column in ("scenario", "mode", "model", "open", "mean", "median", "p90", "≤10", "≤30", "unreachable"):
        table.add_column(column, justify="left" if column in ("scenario", "mode", "model") else "right")
    for (label, mode), row in comparison.summary.iterrows():
        open_text = f"{row['counters_open']}" + ("†" if row["assumed_hours"] else "")
        table.add_row(label, mode, model_text(row["model"]), open_text, minutes(row["mean_min"]),
                      minutes(row["median_min"]), minutes(row["p90_min"]), percent(row["within_10"]),
                      percent(row["within_30"]), count(row["unreachable"]))
    table.caption = "open: counters available († = some only by assumption: hours 'open' or 'unknown')"
    table.caption_justify = "left"
    return table


def _differences_table(comparison: Comparison) -> PlainTable:
    table = PlainTable(title=f"change against {comparison.reference.label} (minutes; ≤30 in points)",
                       title_justify="left")
    for column in ("scenario", "mode", "mean", "median", "p90", "≤30", "worse off", "better off", "max loss",
                   "max gain"):
        table.add_column(column, justify="left" if column in ("scenario", "mode") else "right")
    for (label, mode), row in comparison.differences.iterrows():
        table.add_row(label, mode, minutes(row["mean_min_change"], signed=True),
                      minutes(row["median_min_change"], signed=True), minutes(row["p90_min_change"], signed=True),
                      points(row["within_30_change"]), count(row["population_worse"]),
                      count(row["population_better"]), minutes(max(row["max_worse_min"], 0), signed=True),
                      minutes(-max(row["max_better_min"], 0), signed=True))
    table.caption = "worse/better off: residents whose time rose/fell; max loss/gain: the largest rise/fall"
    table.caption_justify = "left"
    return table


def _print_comparison(comparison: Comparison, folder: Path, paths: dict, started: float) -> None:
    for item in comparison.scenarios:
        line = Text.assemble((item.label, "bold"), f": {item.explain()}")
        if item.description:
            line.append(f" — {item.description}")
        console.print(line)
    console.print(_summary_table(comparison, f"{comparison.board.study.config.title}\nminutes to the nearest "
                                             f"available counter, population-weighted"))
    if not comparison.differences.empty:
        console.print(_differences_table(comparison))
    console.print(f"hours: {HOURS_RULE}")
    print_warnings(run_warnings(comparison.board.coverage), {m: t.model for m, t in comparison.board.times.items()})
    console.print(f"wrote {len(paths)} files to {folder}/ in {time.perf_counter() - started:.1f} s")


@app.command()
def scenario(
    study: Annotated[str, typer.Argument(help="A study name or a path to a study .toml.")],
    name: Annotated[Optional[str], typer.Argument(
        help="A scenario of the study's TOML ([scenarios.NAME]); the options below add to it.")] = None,
    base: Annotated[Optional[str], typer.Option(
        "--from", help="The period to start from. Default: the named scenario's, else the study's 'after'.")] = None,
    close: Annotated[Optional[list[str]], typer.Option(
        "--close", help="Counter id to close; repeat, or separate ids with commas.")] = None,
    open_: Annotated[Optional[list[str]], typer.Option(
        "--open", help="A hypothetical counter: 'NAME=LAT,LON' or 'NAME=POSTCODE', optionally '@HOURS' "
                       "(default 24/7), e.g. 'Gants Hill=51.5765,0.0661'. Repeat for several.")] = None,
    hours: Annotated[Optional[list[str]], typer.Option(
        "--hours", help="Override a counter's hours: 'ID=HOURS' in opening_hours syntax, "
                        "e.g. 'barkingside=Mo-Fr 07:00-23:00'. Repeat for several.")] = None,
    at: At = None,
    label: Annotated[Optional[str], typer.Option("--name", help="Name for a scenario made on the command line.")]
    = None,
    mode: Mode = None, offline: Offline = False, osm_file: OsmFile = None, out: Out = None,
    maps: Annotated[bool, typer.Option(help="Write the HTML maps.")] = True, cache: Cache = True,
) -> None:
    """Evaluate a what-if scenario against its base period: figures, differences and maps.

    Example: access scenario redbridge-2017 --from 2018_2025 --open "Gants Hill=51.5765,0.0661" --close ilford
    """
    started = time.perf_counter()
    with reported():
        chosen = open_study(study)
        known = study_scenarios(chosen)
        if name is not None and name not in known:
            raise ScenarioError(f"study {chosen.name!r} has no scenario {name!r}; its scenarios: "
                                f"{', '.join(known) or '(none)'}; or describe one with --from/--close/--open")
        if label is not None:
            plain_name(label, "--name")
        what = known[name] if name else Scenario(name=label or "what-if", base=base or chosen.config.after)
        extra_hours = []
        for item in hours or []:
            cid, sep, text = item.partition("=")
            if not sep or not cid.strip() or not text.strip():
                raise ScenarioError(f"--hours {item!r} not understood; write ID=HOURS, e.g. 'ilford=24/7'")
            extra_hours.append((cid.strip(), text.strip()))
        what = replace(what, name=label or what.name, base=base or what.base,
                       close=what.close + tuple(split(close)),
                       open=what.open + tuple(parse_opened(o) for o in open_ or []),
                       hours=what.hours + tuple(extra_hours), at=parse_moment(at) if at else what.at)
        if what.base not in chosen.config.periods:
            raise ScenarioError(f"unknown period {what.base!r}; choose from {', '.join(chosen.config.periods)}")
        folder = out or Path("maps") / chosen.name / what.name
        with progress(f"{chosen.name}: {what.name}") as step:
            board = build_board(chosen, [what], modes=mode, offline=offline, osm_file=osm_file,
                                use_cache=cache, on_step=step)
            comparison = compare(board, [period_scenario(what.base, what.at), what], name=what.name)
            step("writing tables and maps")
            paths = write(comparison, folder, maps=maps)
    _print_comparison(comparison, folder, paths, started)


@app.command(name="compare")
def compare_command(
    study: Annotated[str, typer.Argument(help="A study name or a path to a study .toml.")],
    names: Annotated[list[str], typer.Argument(
        help="Periods and/or the study's scenarios to compare; the first is the reference.")],
    at: At = None,
    mode: Mode = None, offline: Offline = False, osm_file: OsmFile = None, out: Out = None,
    maps: Annotated[bool, typer.Option(help="Write the HTML maps of the differences.")] = True, cache: Cache = True,
) -> None:
    """Compare periods and scenarios in one table, with maps of each one's difference from the first.

    Example: access compare redbridge-2017 2018_2025 2013_2017 gants-hill barkingside-not-ilford
    """
    started = time.perf_counter()
    with reported():
        chosen = open_study(study)
        moment = parse_moment(at) if at else None
        known = study_scenarios(chosen)
        items = []
        for item in names:
            if item in chosen.config.periods:
                items.append(period_scenario(item, moment))
            elif item in known:
                items.append(replace(known[item], at=moment) if moment else known[item])
            else:
                raise ScenarioError(f"{item!r} is neither a period ({', '.join(chosen.config.periods)}) nor a "
                                    f"scenario ({', '.join(known) or 'none'}) of {chosen.name}")
        folder = out or Path("maps") / chosen.name / "compare"
        with progress(f"{chosen.name}: compare") as step:
            board = build_board(chosen, items, modes=mode, offline=offline, osm_file=osm_file,
                                use_cache=cache, on_step=step)
            comparison = compare(board, items)
            step("writing tables and maps")
            paths = write(comparison, folder, maps=maps)
    _print_comparison(comparison, folder, paths, started)


@app.command(name="hours")
def hours_command(
    study: Annotated[str, typer.Argument(help="A study name or a path to a study .toml.")] = "redbridge-2017",
    at: Annotated[Optional[list[str]], typer.Option(
        "--at", help="A moment of the week, e.g. 'Sat 23:30'; repeat for several. "
                     "Default: Tue 12:00, Tue 20:00, Sat 23:30 and Tue 03:00.")] = None,
    period: Annotated[Optional[list[str]], typer.Option(
        "--period", help="Period to show; repeat. Default: every period of the study.")] = None,
    within: Annotated[float, typer.Option(help="Travel-time limit (minutes) for the shares.")] = DEFAULT_WITHIN_MIN,
    mode: Mode = None, offline: Offline = False, osm_file: OsmFile = None, out: Out = None, cache: Cache = True,
) -> None:
    """Time of day: periods side by side at daytime, evening and night, and over the whole week.

    The week column is, per resident, the share of the week's 168 hours (to the minute) with an open
    counter within --within minutes, population-weighted.
    """
    started = time.perf_counter()
    with reported():
        chosen = open_study(study)
        moments = {m.label: m for m in (parse_moment(a) for a in at)} if at else None
        folder = out or Path("maps") / chosen.name / "hours"
        with progress(f"{chosen.name}: hours") as step:
            board = build_board(chosen, [], modes=mode, offline=offline, osm_file=osm_file, use_cache=cache,
                                on_step=step)
            step("evaluating the week")
            week = week_table(board, periods=period, moments=moments, within_min=within)
            paths = write(week, folder)

    key = f"{week.within_min:g}"
    table = week.table
    result = PlainTable(title=f"{chosen.config.title}\nperiods side by side: population-weighted mean minutes to the "
                         f"nearest counter open at that moment (share within {key} min; counters open, † = some "
                         f"only assumed open)", title_justify="left")
    for column in ("mode", "when", *week.periods):
        result.add_column(column, justify="left" if column in ("mode", "when") else "right")
    for mode_name in board.modes:
        mode_label = Text(mode_name)
        if week.models[mode_name] != "street network":
            mode_label.append(" (estimate)", style="bold red")
        for label in week.moments:
            cells: list[Text | str] = []
            for period_name in week.periods:
                row = table.loc[(mode_name, period_name)]
                dagger = "†" if row[f"{label} assumed"] else ""
                if row[f"{label} open"] == 0:
                    cells.append(Text("none open", style="red"))
                else:
                    cells.append(f"{minutes(row[f'{label} mean_min'])} ({percent(row[f'{label} within_{key}'])}) "
                                 f"{int(row[f'{label} open'])}{dagger}")
            result.add_row(mode_label, label, *cells)
        result.add_row(mode_label, f"week: hours with a counter ≤{key} min",
                       *[f"{table.loc[(mode_name, p), f'week_within_{key}'] * 168:.0f} h "
                         f"({percent(table.loc[(mode_name, p), f'week_within_{key}'])})" for p in week.periods],
                       end_section=True)
    console.print(result)
    console.print(f"hours: {HOURS_RULE}")
    print_warnings(run_warnings(board.coverage), week.models)
    console.print(f"wrote {', '.join(sorted(paths))} to {folder}/ in {time.perf_counter() - started:.1f} s")


@app.command(name="sweep")
def sweep_command(
    study: Annotated[str, typer.Argument(help="A study name or a path to a study .toml.")] = "redbridge-2017",
    among: Annotated[Optional[list[str]], typer.Option(
        "--among", help="Counter ids that vary (repeat or comma-separate); the others keep their --base "
                        "availability. Default: every counter of the study.")] = None,
    k: Annotated[Optional[list[int]], typer.Option(
        "--k", help="Subset size to evaluate; repeat. Default: every size (all 2^n subsets).")] = None,
    base: Annotated[Optional[str], typer.Option(help="Period for the counters outside --among. Default: 'after'.")]
    = None,
    real: Annotated[Optional[str], typer.Option(
        help="Period whose counters are the real decision to rank. Default: the study's 'after'.")] = None,
    by: Annotated[str, typer.Option(help=f"Figure to rank by: {', '.join(RANK_BY)}.")] = "mean_min",
    max_subsets: Annotated[int, typer.Option(help="Refuse to evaluate more subsets than this.")]
    = DEFAULT_MAX_SUBSETS,
    mode: Mode = None, offline: Offline = False, osm_file: OsmFile = None, out: Out = None, cache: Cache = True,
) -> None:
    """Evaluate every subset of counters (or every k-subset) and rank the real decision.

    Uses the counter × origin times computed once per mode: no routing per subset.
    """
    started = time.perf_counter()
    with reported():
        chosen = open_study(study)
        folder = out or Path("maps") / chosen.name / "sweep"
        with progress(f"{chosen.name}: sweep") as step:
            board = build_board(chosen, [], modes=mode, offline=offline, osm_file=osm_file, use_cache=cache,
                                on_step=step)
            step("evaluating subsets")
            result = sweep(board, among=split(among) or None, base=base, real=real, sizes=k, by=by,
                           max_subsets=max_subsets)
            paths = write(result, folder)

    is_share = by.startswith("within")

    def fmt(value: float) -> str:
        return percent(value) if is_share else minutes(value)

    console.print(f"varying: {', '.join(result.among)}; always available ({base or chosen.config.after}): "
                  f"{', '.join(result.fixed) or 'none'}; ranked by {by}")
    for mode_name in board.modes:
        best = result.best.loc[mode_name]
        title = Text(f"{mode_name} (")
        title.append_text(model_text(board.times[mode_name].model, short=False))
        title.append(f"): best subset of each size, by {by}")
        table = PlainTable(title=title, title_justify="left")
        for column in ("k", "subsets", "best subset", by, "≤30", "worst"):
            table.add_column(column, justify="left" if column == "best subset" else "right")
        mode_rows = result.table[result.table["mode"] == mode_name]
        for size, row in best.iterrows():
            values = mode_rows[mode_rows["k"] == size][by]
            worst = values.min() if is_share else values.max()
            table.add_row(str(size), count(row["subsets"]), row["subset"], fmt(row[by]), percent(row["within_30"]),
                          fmt(worst))
        console.print(table)
    if not result.real.empty:
        chosen_set = "+".join(result.real_subset) or "(none)"
        table = PlainTable(title=f"the real decision ({result.real_period}): {chosen_set}", title_justify="left")
        for column in ("mode", "rank", by, "best of that size", "best subset"):
            table.add_column(column, justify="left" if column in ("mode", "best subset") else "right")
        for mode_name, row in result.real.iterrows():
            table.add_row(mode_name, f"{row['rank']} of {row['of']}", fmt(row[by]), fmt(row[f"best_{by}"]),
                          row["best_subset"])
        console.print(table)
    total = len(result.table) // max(len(board.modes), 1)
    console.print(f"{count(total)} subsets × {len(board.modes)} mode(s) evaluated in "
                  f"{sum(result.seconds.values()):.2f} s (no routing); wrote {', '.join(sorted(paths))} to "
                  f"{folder}/ in {time.perf_counter() - started:.1f} s")
    print_warnings(run_warnings(board.coverage), result.models)


@app.command(name="site")
def site_command(
    study: Annotated[str, typer.Argument(help="A study name or a path to a study .toml.")] = "redbridge-2017",
    p: Annotated[Optional[list[int]], typer.Option(
        "-p", help="How many new sites to choose (p-median); repeat. Default: 1, 2 and 3.")] = None,
    period: Annotated[Optional[str], typer.Option(
        help="Existing counters: those available in this period. Default: the study's 'after'.")] = None,
    alone: Annotated[bool, typer.Option(
        "--alone", help="Ignore the existing counters: the chosen sites are the only ones.")] = False,
    spacing: Annotated[float, typer.Option(help="Grid spacing (m) of candidates under the straight-line estimate.")]
    = DEFAULT_SPACING_M,
    max_candidates: Annotated[int, typer.Option(help="Thin network-node candidates to at most this many.")]
    = DEFAULT_MAX_CANDIDATES,
    top: Annotated[int, typer.Option(help="Show this many best single sites.")] = 5,
    mode: Mode = None, offline: Offline = False, osm_file: OsmFile = None, out: Out = None,
    maps: Annotated[bool, typer.Option(help="Map the best single site as a scenario.")] = True, cache: Cache = True,
) -> None:
    """Best new site(s): rank every candidate, and solve the p-median problem (greedy + Teitz–Bart).

    Candidates are every street-network node in the boroughs, or a regular grid under the straight-line estimate.
    """
    started = time.perf_counter()
    with reported():
        chosen = open_study(study)
        if top < 1:
            raise ScenarioError(f"--top {top} must be at least 1")
        folder = out or Path("maps") / chosen.name / "site"
        with progress(f"{chosen.name}: site") as step:
            found = search_sites(chosen, modes=mode, ps=p or [1, 2, 3], period=period, alone=alone, offline=offline,
                                 osm_file=osm_file, use_cache=cache, spacing_m=spacing, max_candidates=max_candidates,
                                 with_best=maps, on_step=step)
            step("writing tables and maps")
            write(found, folder, maps=maps)

    basis = "alone (no existing counters)" if alone else f"added to the counters of {found.period}"
    for mode_name, sites in found.modes.items():
        column = "alone_mean_min" if alone else "with_existing_mean_min"
        title = Text(f"{mode_name} (")
        title.append_text(model_text(sites.model, short=False))
        title.append(f"): best single sites {basis}; {sites.candidates.kind}"
                     + ("" if alone else f"; now {minutes(sites.existing_mean_min)} min"))
        table = PlainTable(title=title, title_justify="left")
        for name in ("rank", "lat", "lon", "mean min", "gain" if not alone else "alone"):
            table.add_column(name, justify="right")
        for rank, row in sites.ranking.head(top).iterrows():
            table.add_row(str(rank + 1), f"{row['lat']:.5f}", f"{row['lon']:.5f}", minutes(row[column], decimals=2),
                          minutes(row["gain_min"] if not alone else row["alone_mean_min"], decimals=2))
        console.print(table)
        table = PlainTable(title=f"{mode_name}: p-median, {basis}", title_justify="left")
        for name in ("p", "mean min", "greedy", "swaps", "sites (lat, lon)"):
            table.add_column(name, justify="left" if name.startswith("sites") else "right")
        lat, lon = sites.candidates.sites["lat"], sites.candidates.sites["lon"]
        for solution in sites.solutions:
            table.add_row(str(len(solution.sites)), minutes(solution.mean_min, decimals=2),
                          minutes(solution.greedy_mean_min, decimals=2), str(solution.swaps),
                          "; ".join(f"{lat[i]:.5f}, {lon[i]:.5f}" for i in solution.sites))
        console.print(table)
    print_warnings([], {m: s.model for m, s in found.modes.items()})
    console.print(f"wrote sites-<mode>.csv, sites.json{' and maps of the best site' if maps else ''} to {folder}/ "
                  f"in {time.perf_counter() - started:.1f} s")
