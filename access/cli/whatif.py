"""The "what if" commands: ``scenario``, ``hours``, ``compare``, ``sweep`` and ``site``.

They register on :data:`access.cli.app.app`.  Each routes the study's counters
once per mode (or reads the straight-line estimate) and evaluates everything
else on those times.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import pandas as pd
import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from access.core.version import __version__
from access.cli.app import _percent, _print_warnings, _reported, app, console, errors
from access.inputs.config import load_config
from access.core.errors import ScenarioError
from access.core.files import CSV_FLOAT_FORMAT, ensure_folder, write_json_atomic, write_text_atomic
from access.analysis.study import Study

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


@contextmanager
def _progress(label: str) -> Iterator[Callable[[str], None]]:
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=errors, transient=True, disable=not errors.is_terminal) as progress:
        task = progress.add_task(label, total=None)
        yield lambda description: progress.update(task, description=f"{label}: {description}")


def _model(text: str) -> str:
    return "network" if text == "street network" else "[bold red]estimate[/]"


def _summary_table(comparison, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("scenario", "mode", "model", "open", "mean", "median", "p90", "≤10", "≤30", "unreachable"):
        table.add_column(column, justify="left" if column in ("scenario", "mode", "model") else "right")
    for (scenario, mode), row in comparison.summary.iterrows():
        open_text = f"{row['counters_open']}" + ("†" if row["assumed_hours"] else "")
        table.add_row(scenario, mode, _model(row["model"]), open_text, f"{row['mean_min']:.1f}",
                      f"{row['median_min']:.1f}", f"{row['p90_min']:.1f}", _percent(row["within_10"]),
                      _percent(row["within_30"]), f"{row['unreachable']:,.0f}")
    table.caption = "open: counters available († = some only by assumption: hours 'open' or 'unknown')"
    table.caption_justify = "left"
    return table


def _differences_table(comparison) -> Table:
    table = Table(title=f"change against {comparison.reference.label} (minutes; ≤30 in points)", title_justify="left")
    for column in ("scenario", "mode", "mean", "median", "p90", "≤30", "worse off", "better off", "max loss",
                   "max gain"):
        table.add_column(column, justify="left" if column in ("scenario", "mode") else "right")
    for (scenario, mode), row in comparison.differences.iterrows():
        table.add_row(scenario, mode, f"{row['mean_min_change']:+.1f}", f"{row['median_min_change']:+.1f}",
                      f"{row['p90_min_change']:+.1f}", f"{row['within_30_change'] * 100:+.0f}",
                      f"{row['population_worse']:,.0f}", f"{row['population_better']:,.0f}",
                      f"+{max(row['max_worse_min'], 0):.1f}", f"-{max(row['max_better_min'], 0):.1f}")
    table.caption = "worse/better off: residents whose time rose/fell; max loss/gain: the largest rise/fall"
    table.caption_justify = "left"
    return table


def _print_comparison(comparison, folder: Path, paths: dict, started: float) -> None:
    from access.analysis.timeofday import HOURS_RULE

    for scenario in comparison.scenarios:
        console.print(f"[bold]{scenario.label}[/]: {scenario.explain()}"
                      + (f" — {scenario.description}" if scenario.description else ""), highlight=False)
    console.print(_summary_table(comparison, f"{comparison.board.study.config.title}\nminutes to the nearest "
                                             f"available counter, population-weighted"))
    if not comparison.differences.empty:
        console.print(_differences_table(comparison))
    console.print(f"hours: {HOURS_RULE}", highlight=False)
    _print_warnings(comparison.board.warnings, {m: t.model for m, t in comparison.board.times.items()})
    console.print(f"wrote {len(paths)} files to {folder}/ in {time.perf_counter() - started:.1f} s")


def _split(values: Optional[list[str]]) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


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
    from access.whatif.scenario import Scenario, build_board, compare, parse_opened, period_scenario, study_scenarios
    from access.analysis.timeofday import parse_moment

    started = time.perf_counter()
    with _reported():
        chosen = Study(load_config(study))
        known = study_scenarios(chosen)
        if name is not None and name not in known:
            raise ScenarioError(f"study {chosen.name!r} has no scenario {name!r}; its scenarios: "
                                f"{', '.join(known) or '(none)'}; or describe one with --from/--close/--open")
        what = known[name] if name else Scenario(name=label or "what-if", base=base or chosen.config.after)
        extra_hours = []
        for item in hours or []:
            cid, sep, text = item.partition("=")
            if not sep or not cid.strip() or not text.strip():
                raise ScenarioError(f"--hours {item!r} not understood; write ID=HOURS, e.g. 'ilford=24/7'")
            extra_hours.append((cid.strip(), text.strip()))
        what = replace(what, name=label or what.name, base=base or what.base,
                       close=what.close + tuple(_split(close)),
                       open=what.open + tuple(parse_opened(o) for o in open_ or []),
                       hours=what.hours + tuple(extra_hours), at=parse_moment(at) if at else what.at)
        if what.base not in chosen.config.periods:
            raise ScenarioError(f"unknown period {what.base!r}; choose from {', '.join(chosen.config.periods)}")
        folder = out or Path("maps") / chosen.name / what.name
        with _progress(f"{chosen.name}: {what.name}") as step:
            board = build_board(chosen, [what], modes=mode, offline=offline, osm_file=osm_file,
                                use_cache=cache, on_step=step)
            comparison = compare(board, [period_scenario(what.base, what.at), what], name=what.name)
            step("writing tables and maps")
            paths = comparison.write(folder, maps=maps)
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
    from access.whatif.scenario import build_board, compare, period_scenario, study_scenarios
    from access.analysis.timeofday import parse_moment

    started = time.perf_counter()
    with _reported():
        chosen = Study(load_config(study))
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
        with _progress(f"{chosen.name}: compare") as step:
            board = build_board(chosen, items, modes=mode, offline=offline, osm_file=osm_file,
                                use_cache=cache, on_step=step)
            comparison = compare(board, items)
            step("writing tables and maps")
            paths = comparison.write(folder, maps=maps)
    _print_comparison(comparison, folder, paths, started)


@app.command(name="hours")
def hours_command(
    study: Annotated[str, typer.Argument(help="A study name or a path to a study .toml.")] = "redbridge-2017",
    at: Annotated[Optional[list[str]], typer.Option(
        "--at", help="A moment of the week, e.g. 'Sat 23:30'; repeat for several. "
                     "Default: Tue 12:00, Tue 20:00, Sat 23:30 and Tue 03:00.")] = None,
    period: Annotated[Optional[list[str]], typer.Option(
        "--period", help="Period to show; repeat. Default: every period of the study.")] = None,
    within: Annotated[float, typer.Option(help="Travel-time limit (minutes) for the shares.")] = 30.0,
    mode: Mode = None, offline: Offline = False, osm_file: OsmFile = None, out: Out = None, cache: Cache = True,
) -> None:
    """Time of day: periods side by side at daytime, evening and night, and over the whole week.

    The week column is, per resident, the share of the week's 168 hours (to the minute) with an open
    counter within --within minutes, population-weighted.
    """
    from access.whatif.scenario import build_board
    from access.analysis.timeofday import DEFAULT_MOMENTS, HOURS_RULE, parse_moment, period_table

    started = time.perf_counter()
    with _reported():
        chosen = Study(load_config(study))
        moments = {m.label: m for m in (parse_moment(a) for a in at)} if at else {
            f"{k} {v.label}": v for k, v in DEFAULT_MOMENTS.items()}
        periods = period or list(chosen.config.periods)
        unknown = [p for p in periods if p not in chosen.config.periods]
        if unknown:
            raise ScenarioError(f"unknown period(s) {', '.join(unknown)}; choose from "
                                f"{', '.join(chosen.config.periods)}")
        if within <= 0:
            raise ScenarioError(f"--within {within:g} must be a positive number of minutes")
        folder = out or Path("maps") / chosen.name / "hours"
        with _progress(f"{chosen.name}: hours") as step:
            board = build_board(chosen, [], modes=mode, offline=offline, osm_file=osm_file, use_cache=cache,
                                on_step=step)
            step("evaluating the week")
            counters = chosen.places.counters
            table = pd.concat([period_table({m: board.minutes[m]}, {p: list(counters[p]) for p in periods},
                                            board.weights(m), moments, within) for m in board.modes])
            ensure_folder(folder)
            write_text_atomic(folder / "hours.csv", table.to_csv(float_format=CSV_FLOAT_FORMAT))
            payload = {"study": chosen.name, "generated_by": f"access {__version__}", "hours_rule": HOURS_RULE,
                       "within_min": within, "moments": {k: v.label for k, v in moments.items()},
                       "week_measure": "share of the week's 10,080 minutes with an open counter within the limit, "
                                       "per resident, population-weighted",
                       "models": {m: t.model for m, t in board.times.items()},
                       "rows": json.loads(table.reset_index().to_json(orient="records"))}
            write_json_atomic(folder / "hours.json", payload)

    key = f"{within:g}"
    models = {m: t.model for m, t in board.times.items()}
    result = Table(title=f"{chosen.config.title}\nperiods side by side: population-weighted mean minutes to the "
                         f"nearest counter open at that moment (share within {key} min; counters open, † = some "
                         f"only assumed open)", title_justify="left")
    for column in ("mode", "when", *periods):
        result.add_column(column, justify="left" if column in ("mode", "when") else "right")
    for mode_name in board.modes:
        mode_label = mode_name if models[mode_name] == "street network" else f"{mode_name} [bold red](estimate)[/]"
        for label in moments:
            cells = []
            for period_name in periods:
                row = table.loc[(mode_name, period_name)]
                dagger = "†" if row[f"{label} assumed"] else ""
                if row[f"{label} open"] == 0:
                    cells.append("[red]none open[/]")
                else:
                    cells.append(f"{row[f'{label} mean_min']:.1f} ({_percent(row[f'{label} within_{key}'])}) "
                                 f"{int(row[f'{label} open'])}{dagger}")
            result.add_row(mode_label, label, *cells)
        result.add_row(mode_label, f"week: hours with a counter ≤{key} min",
                       *[f"{table.loc[(mode_name, p), f'week_within_{key}'] * 168:.0f} h "
                         f"({_percent(table.loc[(mode_name, p), f'week_within_{key}'])})" for p in periods],
                       end_section=True)
    console.print(result)
    console.print(f"hours: {HOURS_RULE}", highlight=False)
    _print_warnings([], {m: t.model for m, t in board.times.items()})
    console.print(f"wrote hours.csv and hours.json to {folder}/ in {time.perf_counter() - started:.1f} s")


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
    by: Annotated[str, typer.Option(help="Figure to rank by: mean_min, median_min, p90_min, within_20/30/45.")]
    = "mean_min",
    max_subsets: Annotated[int, typer.Option(help="Refuse to evaluate more subsets than this.")] = 200_000,
    mode: Mode = None, offline: Offline = False, osm_file: OsmFile = None, out: Out = None, cache: Cache = True,
) -> None:
    """Evaluate every subset of counters (or every k-subset) and rank the real decision.

    Uses the counter × origin times computed once per mode: no routing per subset.
    """
    from access.whatif.scenario import build_board
    from access.whatif.sweep import sweep

    started = time.perf_counter()
    with _reported():
        chosen = Study(load_config(study))
        folder = out or Path("maps") / chosen.name / "sweep"
        with _progress(f"{chosen.name}: sweep") as step:
            board = build_board(chosen, [], modes=mode, offline=offline, osm_file=osm_file, use_cache=cache,
                                on_step=step)
            step("evaluating subsets")
            result = sweep(board, among=_split(among) or None, base=base, real=real, sizes=k, by=by,
                           max_subsets=max_subsets)
            ensure_folder(folder)
            write_text_atomic(folder / "sweep.csv", result.table.to_csv(index=False, float_format=CSV_FLOAT_FORMAT))
            write_text_atomic(folder / "best.csv", result.best.to_csv(float_format=CSV_FLOAT_FORMAT))
            write_text_atomic(folder / "real.csv", result.real.to_csv(float_format=CSV_FLOAT_FORMAT))

    is_share = by.startswith("within")

    def fmt(value: float) -> str:
        if value != value:  # NaN: no counter, so no time
            return "—"
        return _percent(value) if is_share else f"{value:.1f}"
    console.print(f"varying: {', '.join(result.among)}; always available ({base or chosen.config.after}): "
                  f"{', '.join(result.fixed) or 'none'}; ranked by {by}", highlight=False)
    for mode_name in board.modes:
        best = result.best.loc[mode_name]
        table = Table(title=f"{mode_name} ({board.times[mode_name].model}): best subset of each size, by {by}",
                      title_justify="left")
        for column in ("k", "subsets", "best subset", by, "≤30", "worst"):
            table.add_column(column, justify="left" if column == "best subset" else "right")
        mode_rows = result.table[result.table["mode"] == mode_name]
        for size, row in best.iterrows():
            values = mode_rows[mode_rows["k"] == size][by]
            worst = values.min() if is_share else values.max()
            table.add_row(str(size), f"{row['subsets']:,}", row["subset"], fmt(row[by]), _percent(row["within_30"]),
                          fmt(worst))
        console.print(table)
    if not result.real.empty:
        table = Table(title=f"the real decision ({result.real_period}): {'+'.join(result.real_subset) or '(none)'}",
                      title_justify="left")
        for column in ("mode", "rank", by, "best of that size", "best subset"):
            table.add_column(column, justify="left" if column in ("mode", "best subset") else "right")
        for mode_name, row in result.real.iterrows():
            table.add_row(mode_name, f"{row['rank']} of {row['of']}", fmt(row[by]), fmt(row[f"best_{by}"]),
                          row["best_subset"])
        console.print(table)
    total = len(result.table) // max(len(board.modes), 1)
    console.print(f"{total:,} subsets × {len(board.modes)} mode(s) evaluated in "
                  f"{sum(result.seconds.values()):.2f} s (no routing); wrote sweep.csv, best.csv, real.csv to "
                  f"{folder}/ in {time.perf_counter() - started:.1f} s")
    _print_warnings([], result.models)


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
    = 250.0,
    max_candidates: Annotated[int, typer.Option(help="Thin network-node candidates to at most this many.")] = 3000,
    top: Annotated[int, typer.Option(help="Show this many best single sites.")] = 5,
    mode: Mode = None, offline: Offline = False, osm_file: OsmFile = None, out: Out = None,
    maps: Annotated[bool, typer.Option(help="Map the best single site as a scenario.")] = True, cache: Cache = True,
) -> None:
    """Best new site(s): rank every candidate, and solve the p-median problem (greedy + Teitz–Bart).

    Candidates are every street-network node in the boroughs, or a regular grid under the straight-line estimate.
    """
    from access.whatif.scenario import OpenedCounter, build_board, compare, period_scenario
    from access.whatif.siting import candidate_sites, p_median, rank_sites

    started = time.perf_counter()
    ps = sorted(set(p or [1, 2, 3]))
    with _reported():
        chosen = Study(load_config(study))
        period = period or chosen.config.after
        if period not in chosen.config.periods:
            raise ScenarioError(f"unknown period {period!r}; choose from {', '.join(chosen.config.periods)}")
        if top < 1:
            raise ScenarioError(f"--top {top} must be at least 1")
        folder = out or Path("maps") / chosen.name / "site"
        payload: dict = {"study": chosen.name, "generated_by": f"access {__version__}", "period": period,
                         "alone": alone, "modes": {}}
        rankings: dict[str, pd.DataFrame] = {}
        with _progress(f"{chosen.name}: site") as step:
            board = build_board(chosen, [], modes=mode, offline=offline, osm_file=osm_file, use_cache=cache,
                                on_step=step)
            for mode_name in board.modes:
                step(f"{mode_name}: candidate sites and their times")
                candidates = candidate_sites(chosen, mode_name, offline=offline, osm_file=osm_file,
                                             use_cache=cache, spacing_m=spacing, max_candidates=max_candidates)
                # origins excluded from the mode's figures (> 1 km from its network) weigh nothing
                population = board.weights(mode_name)
                existing = None if alone else np.nan_to_num(board.nearest(period_scenario(period), mode_name)[0])
                step(f"{mode_name}: ranking {len(candidates.sites):,} candidates and solving p-median")
                ranking = rank_sites(candidates.minutes, population, existing)
                ranking = ranking.merge(candidates.sites[["site", "lat", "lon"]], on="site")
                rankings[mode_name] = ranking
                solutions = [p_median(candidates.minutes, population, n, fixed_min=existing) for n in ps
                             if n <= len(candidates.sites)]
                now = None if existing is None else float(np.average(existing, weights=population))
                payload["modes"][mode_name] = {
                    "model": candidates.times.model, "candidates": candidates.kind,
                    "existing_mean_min": now,
                    "p_median": [{"p": len(s.sites), "mean_min": round(s.mean_min, 4),
                                  "greedy_mean_min": round(s.greedy_mean_min, 4), "swaps": s.swaps,
                                  "sites": [{"site": int(i), "lat": float(candidates.sites.lat[i]),
                                             "lon": float(candidates.sites.lon[i])} for i in s.sites]}
                                 for s in solutions]}
                ensure_folder(folder)
                write_text_atomic(folder / f"sites-{mode_name}.csv",
                                  ranking.to_csv(index=False, float_format=CSV_FLOAT_FORMAT))
                if maps:
                    step(f"{mode_name}: mapping the best single site")
                    best = ranking.iloc[0]
                    site = OpenedCounter(id="best-site", name=f"Best site for {mode_name}", lon=float(best["lon"]),
                                         lat=float(best["lat"]), located_by=candidates.kind.split(" inside")[0])
                    what = replace(period_scenario(period), name=f"best-site-{mode_name}", open=(site,),
                                   close=tuple(chosen.places.counters["id"]) if alone else ())
                    one = build_board(chosen, [what], modes=[mode_name], offline=offline, osm_file=osm_file,
                                      use_cache=cache)
                    compare(one, [period_scenario(period), what]).write(folder / f"best-{mode_name}")
            write_json_atomic(folder / "sites.json", payload)

    basis = "alone (no existing counters)" if alone else f"added to the counters of {period}"
    for mode_name, ranking in rankings.items():
        info = payload["modes"][mode_name]
        column = "alone_mean_min" if alone else "with_existing_mean_min"
        title = (f"{mode_name} ({info['model']}): best single sites {basis}; {info['candidates']}"
                 + ("" if alone else f"; now {info['existing_mean_min']:.1f} min"))
        table = Table(title=title, title_justify="left")
        for name in ("rank", "lat", "lon", "mean min", "gain" if not alone else "alone"):
            table.add_column(name, justify="right")
        for rank, row in ranking.head(top).iterrows():
            table.add_row(str(rank + 1), f"{row['lat']:.5f}", f"{row['lon']:.5f}", f"{row[column]:.2f}",
                          f"{row['gain_min']:.2f}" if not alone else f"{row['alone_mean_min']:.2f}")
        console.print(table)
        table = Table(title=f"{mode_name}: p-median, {basis}", title_justify="left")
        for name in ("p", "mean min", "greedy", "swaps", "sites (lat, lon)"):
            table.add_column(name, justify="left" if name.startswith("sites") else "right")
        for solution in info["p_median"]:
            table.add_row(str(solution["p"]), f"{solution['mean_min']:.2f}", f"{solution['greedy_mean_min']:.2f}",
                          str(solution["swaps"]),
                          "; ".join(f"{s['lat']:.5f}, {s['lon']:.5f}" for s in solution["sites"]))
        console.print(table)
    _print_warnings([], {m: d["model"] for m, d in payload["modes"].items()})
    console.print(f"wrote sites-<mode>.csv, sites.json{' and maps of the best site' if maps else ''} to {folder}/ "
                  f"in {time.perf_counter() - started:.1f} s")
