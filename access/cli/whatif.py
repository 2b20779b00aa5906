"""The "what if" commands: ``scenario``, ``compare``, ``hours``, ``sweep``, ``site`` and ``explore``.

Each routes the study's counters once per mode (or reads the straight-line
estimate) and evaluates everything else on those times; each writes its
files as one set (:func:`access.outputs.writers.write`).
"""

from __future__ import annotations

import time
from dataclasses import replace
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
    plain_name,
    progress,
    reported,
    shown,
    split,
    warning_panels,
)
from access.cli.tables import Column, Format, Printed
from access.core.arguments import choose
from access.core.defaults import (
    DEFAULT_MAX_CANDIDATES,
    DEFAULT_MAX_SUBSETS,
    DEFAULT_NEAREST,
    DEFAULT_SPACING_M,
    DEFAULT_WITHIN_MIN,
    EXPLORER_NAME,
    RANK_BY,
    STRAIGHT_LINE_MODEL,
)
from access.core.errors import ScenarioError

if TYPE_CHECKING:
    from access.whatif.comparison import Comparison

__all__ = ["scenario", "compare_command", "hours_command", "sweep_command", "site_command", "explore"]

Mode = Annotated[Optional[list[str]], typer.Option(
    "--mode", "-m", metavar="MODE", help="Mode to evaluate; repeat for several. Default: the study's modes.")]
Offline = Annotated[bool, typer.Option(
    help="Do not download a street network. Without --osm-file or a cached network the times are a "
         "straight-line estimate, labelled as such.")]
OsmFile = Annotated[Optional[Path], typer.Option("--osm-file", metavar="FILE",
                                                               help="A local .osm or .osm.pbf file for the network.")]
Out = Annotated[Optional[str], typer.Option(
    "--out", "-o", metavar="FOLDER", help="Output folder. Default: maps/STUDY/COMMAND beside the study.")]
Cache = Annotated[bool, typer.Option(help="Use and fill the network cache (ACCESS_CACHE_DIR).")]
At = Annotated[Optional[str], typer.Option(
    "--at", metavar="MOMENT",
            help="Evaluate at this moment of the week, e.g. 'Sat 23:30': counters closed then do not count.")]


def _comparison_blocks(comparison: Comparison) -> list[Printed]:
    """Return the figures of each scenario and, against the first, their changes."""
    from access.outputs.formats import minutes

    config = comparison.board.study.config
    titles = {s.label: s.title(config.labels) for s in comparison.scenarios}
    rows = [{"scenario": label, "scenario_label": titles[label], "mode": mode, **row.to_dict()}
            for (label, mode), row in comparison.summary.iterrows()]
    columns = [
        Column("scenario", "scenario", key=True, wrap=True, cell=lambda r: r["scenario_label"]),
        Column("mode", "mode", key=True, fold=True),
        Column("model", "model", fold=True, cell=lambda r: model_text(r["model"], short=False)),
        Column("counters_open", "open", cell=lambda r: f"{r['counters_open']}" + ("†" if r["assumed_hours"] else "")),
        Column("mean_min", "mean", kind="minutes"),
        Column("median_min", "median", kind="minutes"),
        Column("p90_min", "p90", kind="minutes"),
        Column("within_10", "≤10", kind="percent", optional=True),
        Column("within_30", "≤30", kind="percent"),
        Column("unreachable", "out of reach", kind="count"),
    ]
    blocks = [Printed("summary", f"{config.title}\nminutes to the nearest available counter, population-weighted",
                      columns, rows,
                      caption="open: counters available († = some only by assumption: hours 'open' or 'unknown')")]
    if not comparison.differences.empty:
        rows = [{"scenario": label, "scenario_label": titles[label], "mode": mode,
                 "model": comparison.board.times[mode].model, **row.to_dict(),
                 "reference_label": titles[row["reference"]]}
                for (label, mode), row in comparison.differences.iterrows()]
        columns = [
            Column("scenario", "scenario", key=True, wrap=True, cell=lambda r: r["scenario_label"]),
            Column("mode", "mode", key=True, fold=True),
            Column("mean_min_change", "mean", kind="change"),
            Column("median_min_change", "median", kind="change", optional=True),
            Column("p90_min_change", "p90", kind="change"),
            Column("within_30_change", "≤30", kind="points"),
            Column("population_worse", "worse off", kind="count"),
            Column("population_better", "better off", kind="count"),
            Column("max_worse_min", "max loss", cell=lambda r: minutes(max(r["max_worse_min"], 0), signed=True)),
            Column("max_better_min", "max gain", cell=lambda r: minutes(-max(r["max_better_min"], 0), signed=True)),
        ]
        reference = titles[comparison.reference.label]
        blocks.append(Printed("differences", f"change against {reference} (minutes; ≤30 in points)", columns, rows,
                              caption="worse/better off: residents whose time rose/fell; max loss/gain: the "
                                      "largest rise/fall", file="differences.csv"))
    return blocks


def _print_comparison(comparison: Comparison, folder: Path, paths: dict, started: float, fmt: Format,
                      command: str) -> None:
    from access.inputs.hours import HOURS_RULE
    from access.outputs.notes import run_warnings

    config = comparison.board.study.config
    names = dict(zip(comparison.board.counters["id"], comparison.board.counters["name"], strict=True))
    out = output(command, fmt)
    for item in comparison.scenarios:
        if item.is_period and item.at is None:
            continue  # a period as recorded: its label says it all
        line = Text.assemble((item.title(config.labels), "bold"), f": {item.explain(config.labels, names)}")
        if item.description:
            line.append(f" — {item.description}")
        out.note(line)
    for block in _comparison_blocks(comparison):
        out.table(block)
    out.note(f"hours: {HOURS_RULE}")
    out.warnings(*warning_panels(run_warnings(comparison.board.coverage),
                                 {m: t.model for m, t in comparison.board.times.items()}))
    out.files(f"wrote {len(paths)} files to {shown(folder)}/ in {time.perf_counter() - started:.1f} s",
              [str(path) for path in paths.values()])
    out.page(shown(paths["index.html"]) if "index.html" in paths else None)
    out.emit()


@command("scenario", short_help="What if: close, open or re-time counters, against a period.")
def scenario(
    study: Annotated[str, typer.Argument(metavar="STUDY", help="A study name or a path to a study .toml.")],
    name: Annotated[Optional[str], typer.Argument(
        metavar="SCENARIO",
        help="A scenario of the study's TOML ([scenarios.NAME]); the options below add to it.")] = None,
    base: Annotated[Optional[str], typer.Option(
        "--from", metavar="PERIOD",
                  help="The period to start from. Default: the named scenario's, else the study's 'after'.")] = None,
    close: Annotated[Optional[list[str]], typer.Option(
        "--close", metavar="ID", help="Counter id to close; repeat, or separate ids with commas.")] = None,
    open_: Annotated[Optional[list[str]], typer.Option(
        "--open", metavar="NAME=PLACE",
                  help="A hypothetical counter: 'NAME=LAT,LON' or 'NAME=POSTCODE', optionally '@HOURS' "
                       "(default 24/7), e.g. 'Gants Hill=51.5765,0.0661'. Repeat for several.")] = None,
    hours: Annotated[Optional[list[str]], typer.Option(
        "--hours", metavar="ID=HOURS", help="Override a counter's hours: 'ID=HOURS' in opening_hours syntax, "
                        "e.g. 'barkingside=Mo-Fr 07:00-23:00'. Repeat for several.")] = None,
    at: At = None,
    label: Annotated[Optional[str], typer.Option("--name", metavar="NAME",
                                                           help="Name for a scenario made on the command line.")]
    = None,
    mode: Mode = None, offline: Offline = False, osm_file: OsmFile = None, out: Out = None,
    maps: Annotated[bool, typer.Option(help="Write the HTML maps.")] = True, cache: Cache = True,
    fmt: FormatOption = Format.table,
) -> None:
    """Evaluate a what-if scenario against its base period: figures, differences and maps.

    Example: access scenario redbridge-2017 --from 2018_2025 --open "Gants Hill=51.5765,0.0661" --close ilford
    """
    from access.inputs.hours import parse_moment
    from access.outputs.writers import write
    from access.whatif.board import build_board
    from access.whatif.comparison import compare
    from access.whatif.scenario import Scenario, parse_opened, period_scenario, study_scenarios

    started = time.perf_counter()
    with reported():
        chosen = open_study(study)
        known = study_scenarios(chosen)
        if name is not None:
            if not known:
                raise ScenarioError(f"study {chosen.name!r} has no scenarios; describe one with --from, --close, "
                                    f"--open and --hours")
            name = choose(name, known, f"scenario of {chosen.name}", error=ScenarioError)
        if label is not None:
            plain_name(label, "--name")
        what = known[name] if name else Scenario(name=label or "what-if", base=base or chosen.config.after)
        extra_hours = []
        for item in hours or []:
            cid, sep, text = item.partition("=")
            if not sep or not cid.strip() or not text.strip():
                raise ScenarioError(f"--hours {item!r} not understood; write ID=HOURS, e.g. 'ilford=24/7'")
            extra_hours.append((cid.strip(), text.strip()))
        what = replace(what, name=label or what.name,
                       base=chosen.config.period_id(base or what.base, error=ScenarioError),
                       close=what.close + tuple(split(close, "--close", "counter ids, e.g. ilford")),
                       open=what.open + tuple(parse_opened(o) for o in open_ or []),
                       hours=what.hours + tuple(extra_hours), at=parse_moment(at) if at is not None else what.at)
        folder = output_folder(chosen, out, what.name)
        with progress(f"{chosen.name}: {what.name}") as step:
            board = build_board(chosen, [what], modes=mode, offline=offline, osm_file=osm_file,
                                use_cache=cache, on_step=step)
            comparison = compare(board, [period_scenario(what.base, what.at), what], name=what.name)
            step("writing tables and maps")
            paths = write(comparison, folder, maps=maps)
    _print_comparison(comparison, folder, paths, started, fmt, "scenario")


@command("compare", short_help="Compare periods and scenarios in one table, with maps.")
def compare_command(
    study: Annotated[str, typer.Argument(metavar="STUDY", help="A study name or a path to a study .toml.")],
    names: Annotated[list[str], typer.Argument(
        metavar="NAME", help="Periods and/or the study's scenarios to compare; the first is the reference.")],
    at: At = None,
    mode: Mode = None, offline: Offline = False, osm_file: OsmFile = None, out: Out = None,
    maps: Annotated[bool, typer.Option(help="Write the HTML maps of the differences.")] = True, cache: Cache = True,
    fmt: FormatOption = Format.table,
) -> None:
    """Compare periods and scenarios in one table, with maps of each one's difference from the first.

    Example: access compare redbridge-2017 2018_2025 2013_2017 gants-hill barkingside-not-ilford
    """
    from access.inputs.hours import parse_moment
    from access.outputs.writers import write
    from access.whatif.board import build_board
    from access.whatif.comparison import compare
    from access.whatif.scenario import period_scenario, study_scenarios

    started = time.perf_counter()
    with reported():
        chosen = open_study(study)
        moment = parse_moment(at) if at is not None else None
        known = study_scenarios(chosen)
        items = []
        for given in names:
            item = choose(given, [*chosen.config.periods, *known], f"period or scenario of {chosen.name}",
                          aliases=chosen.config.period_aliases, error=ScenarioError)
            if item in chosen.config.periods:
                items.append(period_scenario(item, moment))
            else:
                items.append(replace(known[item], at=moment) if moment else known[item])
        folder = output_folder(chosen, out, "compare")
        with progress(f"{chosen.name}: compare") as step:
            board = build_board(chosen, items, modes=mode, offline=offline, osm_file=osm_file,
                                use_cache=cache, on_step=step)
            comparison = compare(board, items)
            step("writing tables and maps")
            paths = write(comparison, folder, maps=maps)
    _print_comparison(comparison, folder, paths, started, fmt, "compare")


@command("hours", short_help="Time of day: periods side by side, day, night and week.")
def hours_command(
    study: Annotated[str, typer.Argument(metavar="STUDY",
                                         help="A study name or a path to a study .toml.")] = "redbridge-2017",
    at: Annotated[Optional[list[str]], typer.Option(
        "--at", metavar="MOMENT", help="A moment of the week, e.g. 'Sat 23:30'; repeat for several. "
                     "Default: Tue 12:00, Tue 20:00, Sat 23:30 and Tue 03:00.")] = None,
    period: Annotated[Optional[list[str]], typer.Option(
        "--period", metavar="PERIOD", help="Period to show; repeat. Default: every period of the study.")] = None,
    within: Annotated[float, typer.Option(metavar="MINUTES",
                                          help="Travel-time limit (minutes) for the shares.")] = DEFAULT_WITHIN_MIN,
    mode: Mode = None, offline: Offline = False, osm_file: OsmFile = None, out: Out = None, cache: Cache = True,
    fmt: FormatOption = Format.table,
) -> None:
    """Time of day: periods side by side at daytime, evening and night, and over the whole week.

    The week column is, per resident, the share of the week's 168 hours (to the minute) with an open
    counter within --within minutes, population-weighted.
    """
    from access.inputs.hours import HOURS_RULE, parse_moment
    from access.outputs.formats import minutes, percent
    from access.outputs.notes import run_warnings
    from access.outputs.writers import write
    from access.whatif.board import build_board
    from access.whatif.week import week_table

    started = time.perf_counter()
    with reported():
        chosen = open_study(study)
        moments = {m.label: m for m in (parse_moment(a) for a in at)} if at else None
        folder = output_folder(chosen, out, "hours")
        with progress(f"{chosen.name}: hours") as step:
            board = build_board(chosen, [], modes=mode, offline=offline, osm_file=osm_file, use_cache=cache,
                                on_step=step)
            step("evaluating the week")
            week = week_table(board, periods=period, moments=moments, within_min=within)
            paths = write(week, folder)

    key = f"{week.within_min:g}"
    table = week.table
    labels = week.labels
    rows, data = [], []
    for mode_name in board.modes:
        model = week.models[mode_name]
        for label in [*week.moments, "week"]:
            row: dict[str, Any] = {"mode": mode_name, "model": model, "when": label}
            for period_name in week.periods:
                figures = table.loc[(mode_name, period_name)]
                if label == "week":
                    share = figures[f"week_within_{key}"]
                    row[period_name] = f"{share * 168:.0f} h ({percent(share)})"
                    data.append({"mode": mode_name, "model": model, "period": period_name,
                                 "period_label": labels[period_name], "when": "week",
                                 f"week_within_{key}": share, "hours_within": share * 168})
                    continue
                open_now, mean = int(figures[f"{label} open"]), figures[f"{label} mean_min"]
                share, dagger = figures[f"{label} within_{key}"], "†" if figures[f"{label} assumed"] else ""
                row[period_name] = (Text("none open", style="red") if open_now == 0 else
                                    f"{minutes(mean)} ({percent(share)}) {open_now}{dagger}")
                data.append({"mode": mode_name, "model": model, "period": period_name,
                             "period_label": labels[period_name], "when": label, "mean_min": mean,
                             f"within_{key}": share, "open": open_now, "assumed": int(figures[f"{label} assumed"])})
            rows.append(row)
    columns = [Column("mode", "mode", key=True, fold=True,
                      cell=lambda r: Text.assemble(r["mode"], (" (estimate)", "bold red")
                                                   if r["model"] == STRAIGHT_LINE_MODEL else "")),
               Column("when", "when", key=True, wrap=True,
                      cell=lambda r: f"week: hours with a counter ≤{key} min" if r["when"] == "week" else r["when"]),
               *[Column(p, labels[p], cell=lambda r, p=p: r[p]) for p in week.periods]]
    title = (f"{chosen.config.title}\nperiods side by side: population-weighted mean minutes to the nearest counter "
             f"open at that moment (share within {key} min; counters open, † = some only assumed open)")
    report = output("hours", fmt)
    report.table(Printed("hours", title, columns, rows, data=data))
    report.note(f"hours: {HOURS_RULE}")
    report.warnings(*warning_panels(run_warnings(board.coverage), week.models))
    report.files(f"wrote {', '.join(sorted(paths))} to {shown(folder)}/ in {time.perf_counter() - started:.1f} s",
                 [str(path) for path in paths.values()])
    report.emit()


@command("sweep", short_help="Evaluate every subset of counters and rank the real decision.")
def sweep_command(
    study: Annotated[str, typer.Argument(metavar="STUDY",
                                         help="A study name or a path to a study .toml.")] = "redbridge-2017",
    among: Annotated[Optional[list[str]], typer.Option(
        "--among", metavar="ID", help="Counter ids that vary (repeat or comma-separate); the others keep their --base "
                        "availability. Default: every counter of the study.")] = None,
    k: Annotated[Optional[list[int]], typer.Option(
        "--k", metavar="K", help="Subset size to evaluate; repeat. Default: every size (all 2^n subsets).")] = None,
    base: Annotated[Optional[str], typer.Option(metavar="PERIOD",
                                                help="Period for the counters outside --among. Default: 'after'.")]
    = None,
    real: Annotated[Optional[str], typer.Option(
        metavar="PERIOD",
        help="Period whose counters are the real decision to rank. Default: the study's 'after'.")] = None,
    by: Annotated[str, typer.Option(metavar="FIGURE", help=f"Figure to rank by: {', '.join(RANK_BY)}.")] = "mean_min",
    max_subsets: Annotated[int, typer.Option(metavar="N", help="Refuse to evaluate more subsets than this.")]
    = DEFAULT_MAX_SUBSETS,
    mode: Mode = None, offline: Offline = False, osm_file: OsmFile = None, out: Out = None, cache: Cache = True,
    fmt: FormatOption = Format.table,
) -> None:
    """Evaluate every subset of counters (or every k-subset) and rank the real decision.

    Uses the counter × origin times computed once per mode: no routing per subset.
    """
    from access.outputs.formats import count
    from access.outputs.notes import run_warnings
    from access.outputs.writers import write
    from access.whatif.board import build_board
    from access.whatif.sweep import sweep

    started = time.perf_counter()
    with reported():
        chosen = open_study(study)
        folder = output_folder(chosen, out, "sweep")
        with progress(f"{chosen.name}: sweep") as step:
            board = build_board(chosen, [], modes=mode, offline=offline, osm_file=osm_file, use_cache=cache,
                                on_step=step)
            step("evaluating subsets")
            among_ids = split(among, "--among", "counter ids, e.g. ilford,barkingside")
            result = sweep(board, among=among_ids or None, base=base, real=real, sizes=k, by=by,
                           max_subsets=max_subsets)
            paths = write(result, folder)

    is_share = by.startswith("within")
    kind = "percent" if is_share else "minutes"
    report = output("sweep", fmt)
    fixed_period = chosen.config.label(base or chosen.config.after)
    report.note(f"varying: {', '.join(result.among)}; always available ({fixed_period}): "
                f"{', '.join(result.fixed) or 'none'}; ranked by {by}")
    for mode_name in board.modes:
        best = result.best.loc[mode_name]
        title = Text(f"{mode_name} (")
        title.append_text(model_text(board.times[mode_name].model, short=False))
        title.append(f"): best subset of each size, by {by}")
        mode_rows = result.table[result.table["mode"] == mode_name]
        rows = []
        for size, row in best.iterrows():
            values = mode_rows[mode_rows["k"] == size][by]
            rows.append({"mode": mode_name, "model": result.models[mode_name], "k": size, "subsets": row["subsets"],
                         "subset": row["subset"], by: row[by], "within_30": row["within_30"],
                         f"worst_{by}": values.min() if is_share else values.max()})
        columns = [Column("k", "k", kind="int"), Column("subsets", "subsets", kind="count"),
                   Column("subset", "best subset", key=True, wrap=True,
                          cell=lambda r: r["subset"].replace("+", " + ")),
                   Column(by, by.replace("_", " "), kind=kind), Column("within_30", "≤30", kind="percent"),
                   Column(f"worst_{by}", "worst", kind=kind, optional=True)]
        report.table(Printed("best", title, columns, rows))
    if not result.real.empty:
        rows = [{"mode": mode_name, "model": result.models[mode_name], **row.to_dict()}
                for mode_name, row in result.real.iterrows()]
        columns = [Column("mode", "mode", key=True), Column("rank", "rank", cell=lambda r: f"{r['rank']} of {r['of']}"),
                   Column(by, by.replace("_", " "), kind=kind), Column(f"best_{by}", "best of that size", kind=kind),
                   Column("best_subset", "best subset", wrap=True, cell=lambda r: r["best_subset"].replace("+", " + "))]
        subset = " + ".join(result.real_subset) or "(none)"
        report.table(Printed("real", f"the real decision ({chosen.config.label(result.real_period)}): {subset}",
                             columns, rows, file="real.csv"))
    total = len(result.table) // max(len(board.modes), 1)
    report.warnings(*warning_panels(run_warnings(board.coverage), result.models))
    report.files(f"{count(total)} subsets × {len(board.modes)} mode(s) evaluated in "
                 f"{sum(result.seconds.values()):.2f} s (no routing); wrote {', '.join(sorted(paths))} to "
                 f"{shown(folder)}/ in {time.perf_counter() - started:.1f} s", [str(path) for path in paths.values()])
    report.emit()


@command("site", short_help="Best new site(s) for a counter: a ranking and the p-median.")
def site_command(
    study: Annotated[str, typer.Argument(metavar="STUDY",
                                         help="A study name or a path to a study .toml.")] = "redbridge-2017",
    p: Annotated[Optional[list[int]], typer.Option(
        "-p", metavar="P", help="How many new sites to choose (p-median); repeat. Default: 1, 2 and 3.")] = None,
    period: Annotated[Optional[str], typer.Option(
        metavar="PERIOD",
        help="Existing counters: those available in this period. Default: the study's 'after'.")] = None,
    alone: Annotated[bool, typer.Option(
        "--alone", help="Ignore the existing counters: the chosen sites are the only ones.")] = False,
    spacing: Annotated[float, typer.Option(metavar="METRES",
                                           help="Grid spacing (m) of candidates under the straight-line estimate.")]
    = DEFAULT_SPACING_M,
    max_candidates: Annotated[int, typer.Option(metavar="N", help="Thin network-node candidates to at most this many.")]
    = DEFAULT_MAX_CANDIDATES,
    top: Annotated[int, typer.Option(metavar="N", help="Show this many best single sites.")] = 5,
    mode: Mode = None, offline: Offline = False, osm_file: OsmFile = None, out: Out = None,
    maps: Annotated[bool, typer.Option(help="Map the best single site as a scenario.")] = True, cache: Cache = True,
    fmt: FormatOption = Format.table,
) -> None:
    """Best new site(s): rank every candidate, and solve the p-median problem (greedy + Teitz–Bart).

    Candidates are every street-network node in the boroughs, or a regular grid under the straight-line estimate.
    """
    from access.outputs.formats import minutes
    from access.outputs.writers import write
    from access.whatif.siting import search_sites

    started = time.perf_counter()
    with reported():
        chosen = open_study(study)
        if top < 1:
            raise ScenarioError(f"--top {top} must be at least 1")
        folder = output_folder(chosen, out, "site")
        with progress(f"{chosen.name}: site") as step:
            found = search_sites(chosen, modes=mode, ps=p or [1, 2, 3], period=period, alone=alone, offline=offline,
                                 osm_file=osm_file, use_cache=cache, spacing_m=spacing, max_candidates=max_candidates,
                                 with_best=maps, on_step=step)
            step("writing tables and maps")
            paths = write(found, folder, maps=maps)

    config = chosen.config
    basis = ("alone (no existing counters)" if alone
             else f"added to the counters of {config.label(found.period)}")
    report = output("site", fmt)

    def near(row: dict[str, Any]) -> str:
        return f"{row['postcode']}, {row['ward']}"

    for mode_name, sites in found.modes.items():
        column = "alone_mean_min" if alone else "with_existing_mean_min"
        title = Text(f"{mode_name} (")
        title.append_text(model_text(sites.model, short=False))
        title.append(f"): best single sites {basis}; {sites.candidates.kind}"
                     + ("" if alone else f"; now {minutes(sites.existing_mean_min)} min"))
        rows = [{"mode": mode_name, "model": sites.model, "rank": rank + 1, **row.to_dict()}
                for rank, row in sites.ranking.head(top).iterrows()]
        columns = [Column("rank", "rank", kind="int"),
                   Column("near", "nearest postcode, ward", key=True, wrap=True, cell=near),
                   Column("postcode_m", "m away", kind="int", optional=True),
                   Column("lat", "lat", cell=lambda r: f"{r['lat']:.5f}", optional=True),
                   Column("lon", "lon", cell=lambda r: f"{r['lon']:.5f}", optional=True),
                   Column(column, "mean min", kind="minutes2"),
                   Column("gain_min" if not alone else "alone_mean_min", "gain" if not alone else "alone",
                          kind="minutes2")]
        report.table(Printed("sites", title, columns, rows))
        candidates = sites.candidates.sites
        rows = []
        for solution in sites.solutions:
            chosen_sites = candidates.iloc[list(solution.sites)]
            rows.append({"mode": mode_name, "model": sites.model, "p": len(solution.sites),
                         "mean_min": solution.mean_min, "greedy_mean_min": solution.greedy_mean_min,
                         "swaps": solution.swaps,
                         "sites": "; ".join(f"{r.postcode} ({r.ward}) {r.lat:.5f}, {r.lon:.5f}"
                                            for r in chosen_sites.itertuples())})
        columns = [Column("p", "p", kind="int"), Column("mean_min", "mean min", kind="minutes2"),
                   Column("greedy_mean_min", "greedy", kind="minutes2", optional=True),
                   Column("swaps", "swaps", kind="int", optional=True),
                   Column("sites", "sites: nearest postcode (ward) lat, lon", wrap=True,
                          cell=lambda r: r["sites"])]
        report.table(Printed("p_median", f"{mode_name}: p-median, {basis}", columns, rows, file="sites.json"))
    report.warnings(*warning_panels([], {m: s.model for m, s in found.modes.items()}))
    report.files(f"wrote sites-<mode>.csv, sites.json{' and maps of the best site' if maps else ''} to "
                 f"{shown(folder)}/ in {time.perf_counter() - started:.1f} s", [str(path) for path in paths.values()])
    report.page(shown(paths["index.html"]) if "index.html" in paths else None)
    report.emit()


@command("explore", short_help="Write explorer.html: close and open counters in a browser.")
def explore(
    study: Annotated[str, typer.Argument(metavar="STUDY",
                                         help="A study name or a path to a study .toml.")] = "redbridge-2017",
    nearest: Annotated[int, typer.Option(
        metavar="N",
        help="Counters kept per origin when the study has more (each origin's nearest, plus every counter its "
             "periods and scenarios need); beyond them the page shows ranges.")] = DEFAULT_NEAREST,
    mode: Mode = None, offline: Offline = False, osm_file: OsmFile = None,
    out: Annotated[Optional[str], typer.Option(
        "--out", "-o", metavar="FOLDER",
        help="Output folder. Default: maps/STUDY beside the study, with its maps.")] = None,
    cache: Cache = True, fmt: FormatOption = Format.table,
) -> None:
    """Write explorer.html: a page where anyone can close and open counters.

    One self-contained file: no server, nothing fetched, it opens offline by
    double-click. The reader picks a mode, starts from a period or a scenario
    of the study (hypothetical sites included), switches counters on and off,
    picks a moment of the week and a reference, and sees the figures, who is
    worse and better off, the map and the rank of the set (up to 14 counters).
    'access run' writes the same page beside the maps.
    """
    from access.outputs.notes import run_warnings
    from access.outputs.writers import write
    from access.whatif.board import build_board
    from access.whatif.scenario import study_scenarios

    started = time.perf_counter()
    with reported():
        chosen = open_study(study)
        if nearest < 1:
            raise ScenarioError(f"--nearest {nearest} must be at least 1 (counters kept per origin)")
        folder = output_folder(chosen, out)
        scenarios = list(study_scenarios(chosen).values())
        with progress(f"{chosen.name}: explore") as step:
            board = build_board(chosen, scenarios, modes=mode, offline=offline, osm_file=osm_file,
                                use_cache=cache, on_step=step)
            step("writing the explorer")
            paths = write(board, folder, nearest=nearest)
    page = paths[EXPLORER_NAME]
    size = page.stat().st_size
    kept = board.study.places.counters.shape[0] + len(board.opened)
    rows = [{"mode": m, "model": t.model, "counters": kept,
             "kept": "all (exact)" if kept <= nearest else f"{nearest} nearest + what the presets need",
             "bytes": size} for m, t in board.times.items()]
    columns = [Column("mode", "mode", key=True),
               Column("model", "model", cell=lambda r: model_text(r["model"], short=False)),
               Column("counters", "counters", kind="int"),
               Column("kept", "kept per origin", wrap=True)]
    report = output("explore", fmt)
    report.table(Printed("explorer", f"{chosen.config.title}\nwhat-if explorer: presets are the "
                                     f"{len(chosen.config.periods)} periods and "
                                     f"{len(scenarios)} scenario(s) of the study", columns, rows))
    report.warnings(*warning_panels(run_warnings(board.coverage), {m: t.model for m, t in board.times.items()}))
    report.files(f"wrote {shown(page)} ({size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s",
                 [str(page)])
    report.page(shown(page))
    report.emit()
