"""Run every benchmark and write the results: ``python3 dev.py bench [--quick] [--out DIR]``.

Each name in :data:`MODULES` is a module ``bench/<name>.py`` with ``run(quick: bool = False) ->
pandas.DataFrame`` (columns :data:`bench.common.COLUMNS`).  Adding a benchmark is adding its name.
The results go to ``DIR/latest.md`` (tables and the targets), ``DIR/latest.json`` (every row, the
targets, the machine) and ``DIR/latest.png`` (the plots); DIR defaults to ``bench/results``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import platform
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from bench.common import COLUMNS

MODULES = ["startup", "nearest", "scenarios", "sweep", "explorer", "scaling", "endtoend", "london", "transit"]
"""The benchmarks, in the order they run."""

DEFAULT_OUT = Path(__file__).resolve().parent / "results"


# --- targets -----------------------------------------------------------------------------------

def _seconds(table: pd.DataFrame, benchmark: str, case: str, method: str) -> float | None:
    rows = table[(table["benchmark"] == benchmark) & (table["case"] == case) & (table["method"] == method)]
    if rows.empty or pd.isna(rows["seconds"].iloc[0]):
        return None
    return float(rows["seconds"].iloc[0])


def targets(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the issue's targets, each checked against this run's rows (those it has)."""
    checks: list[dict[str, Any]] = []

    def check(name: str, value: float | None, goal: str, met: bool | None, unit: str = "") -> None:
        checks.append({"target": name, "value": value, "unit": unit, "goal": goal,
                       "met": None if value is None else bool(met)})

    # A subcommand's help pays for Typer's pydantic adapters (one per option, ~0.1 s), the root's does not;
    # neither loads numpy, pandas, geopandas or folium (tests/test_cli_common.py checks that).
    for name, of_python, of_heavy in (("access --help", 15, 0.5), ("access run --help", 25, 0.6)):
        seconds = _seconds(table, "start-up", "command-line help", name)
        python = _seconds(table, "start-up", "command-line help", "python -c pass")
        heavy = _seconds(table, "start-up", "command-line help", "python -c 'import geopandas' (for reference)")
        if seconds and python:
            check(f"{name} ÷ python -c pass", seconds / python, f"≤ {of_python}", seconds / python <= of_python, "×")
        if seconds and heavy:
            check(f"{name} ÷ import geopandas", seconds / heavy, f"≤ {of_heavy}", seconds / heavy <= of_heavy, "×")
    nearest = table[table["benchmark"] == "nearest counter"]
    for case in dict.fromkeys(nearest["case"]):
        fast = _seconds(table, "nearest counter", case, "access nearest_node_times")
        from_xy = _seconds(table, "nearest counter", case, "access nearest_times")
        matrix = _seconds(table, "nearest counter", case, "access matrix + nearest_open")
        scipy = _seconds(table, "nearest counter", case, "scipy min_only")
        networkx = _seconds(table, "nearest counter", case, "networkx multi_source")
        if fast and networkx:
            check(f"{case}: NetworkX ÷ access nearest_node_times", networkx / fast, "≥ 20", networkx / fast >= 20,
                  "×")
        if fast and scipy:
            check(f"{case}: access nearest_node_times ÷ scipy", fast / scipy, "≤ 3", fast / scipy <= 3, "×")
        if from_xy and scipy:
            check(f"{case}: access nearest_times (snapping included) ÷ scipy (for reference)", from_xy / scipy,
                  "-", None, "×")
            checks[-1]["met"] = None
        if matrix and scipy:
            check(f"{case}: access matrix + nearest_open ÷ scipy (for reference)", matrix / scipy, "-", None, "×")
            checks[-1]["met"] = None
    scenario = table[(table["benchmark"] == "scenario") & (table["method"] == "nearest_open")]
    for _, row in scenario.iterrows():
        if str(row["case"]).startswith("London-wide"):
            check(f"{row['case']}: one scenario, {int(row['n_origins']):,} origins", row["seconds"] * 1000,
                  "< 100 ms", row["seconds"] < 0.1, "ms")
        elif "subsets" in str(row["case"]):
            check(f"{row['case']} (nearest_open loop)", row["seconds"], "< 1 s", row["seconds"] < 1, "s")
    is_sweep = table["benchmark"].astype(str).str.contains("sweep")
    sweep = table[is_sweep & table["case"].astype(str).str.contains("1,024|1024")
                  & (table["method"] != table["baseline"])]  # the baseline loop is not a target
    for _, row in sweep.iterrows():
        check(f"sweep: {row['case']} ({row['method']})", row["seconds"], "< 1 s", row["seconds"] < 1, "s")
    explorer = table[table["benchmark"] == "explorer"]
    for _, row in explorer.iterrows():
        study = str(row["case"]).split(",")[0]
        limit_s, limit_mb = {"london-2017": (1.0, 30)}.get(study, (0.1, 2))
        if str(row["method"]).startswith("explorer: one switch") and pd.notna(row["seconds"]):
            check(f"explorer, {row['case']}: one switch, figures and map", row["seconds"] * 1000,
                  f"< {limit_s * 1000:.0f} ms", row["seconds"] < limit_s, "ms")
        found = re.search(r"\(([\d,]+) bytes", str(row["notes"]))
        if row["method"] == "page size" and found:
            size_mb = int(found.group(1).replace(",", "")) / 1e6
            check(f"explorer, {row['case']}: page size", size_mb, f"≤ {limit_mb} MB", size_mb <= limit_mb, "MB")
    e2e = table[table["benchmark"] == "end to end"]
    for _, row in e2e[e2e["method"] == "access run (CLI, wall)"].iterrows():
        if str(row["case"]).startswith("redbridge-2017"):
            check(f"access run {row['case']}, with maps", row["seconds"], "< 15 s", row["seconds"] < 15, "s")
    for _, row in e2e[(e2e["method"] == "total") & e2e["case"].astype(str).str.endswith("warm cache")].iterrows():
        rebuilt = "no network rebuilt" not in str(row["notes"])
        check(f"{row['case']}: second run rebuilds no network", 0.0 if not rebuilt else 1.0, "no rebuild",
              not rebuilt)
    checks += _london_targets(table)
    checks += _transit_targets(table)
    return checks


def _transit_targets(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the targets of public transport on the SYNTHETIC London feed (bench/transit.py)."""
    checks: list[dict[str, Any]] = []
    whole = table[(table["benchmark"] == "transit: London-wide") & (table["method"] == "total")
                  & table["seconds"].notna()]
    for _, row in whole.iterrows():
        checks.append({"target": f"transit, {row['case']}: read + route, wall", "value": row["seconds"] / 60,
                       "unit": "min", "goal": "< 10 min", "met": bool(row["seconds"] < 600)})
        checks.append({"target": f"transit, {row['case']}: peak RSS", "value": row["peak_mb"], "unit": "MB",
                       "goal": "< 8,000 MB", "met": bool(row["peak_mb"] < 8000)})
    brute = table[(table["benchmark"] == "transit: against the brute force") & table["ratio"].notna()
                  & (table["method"] != table["baseline"])]
    for _, row in brute.iterrows():
        equal = "answers equal" in str(row["notes"]) and str(row["notes"]).rstrip().endswith("yes")
        checks.append({"target": f"transit, {row['case']}: brute force ÷ router", "value": 1 / row["ratio"],
                       "unit": "×", "goal": "answers equal", "met": equal})
    return checks


def _london_targets(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the targets of London on real streets: build, memory, the London-wide run (bench/london.py)."""
    from bench.london import BUILD_BASELINE

    checks: list[dict[str, Any]] = []

    def check(name: str, value: float, goal: str, met: bool | None, unit: str) -> None:
        checks.append({"target": name, "value": value, "unit": unit, "goal": goal, "met": met})

    build = table[(table["benchmark"] == "OSM build") & table["seconds"].notna()]
    access_rows = build[build["method"] == "access (pyosmium + numpy)"]
    for _, row in access_rows.iterrows():
        others = build[build["case"] == row["case"]].set_index("method")["seconds"]
        nodes = f"{int(row['n_nodes']):,} nodes"
        if BUILD_BASELINE in others:
            speedup = others[BUILD_BASELINE] / row["seconds"]
            check(f"build {row['case']} ({nodes}): before ÷ access", speedup, "≥ 3", speedup >= 3, "×")
        if row["n_nodes"] >= 1_000_000:
            if "pyrosm + networkx graph" in others:
                share = row["seconds"] / others["pyrosm + networkx graph"]
                check(f"build {row['case']} ({nodes}): access ÷ pyrosm", share, "≤ 2", share <= 2, "×")
            check(f"build {row['case']} ({nodes}): access peak RSS", row["peak_mb"], "< 3,000 MB",
                  row["peak_mb"] < 3000, "MB")
    routing = table[(table["benchmark"] == "routing") & table["seconds"].notna()]
    for case, rows in routing.groupby("case", sort=False):
        by = rows.set_index("method")["seconds"]
        if {"access chunks, 1 process", "access chunks, 2 processes"} <= set(by.index):
            speedup = by["access chunks, 1 process"] / by["access chunks, 2 processes"]
            check(f"routing {case}: 2 processes' speed-up (for reference)", speedup, "-", None, "×")
    run = table[(table["benchmark"] == "London-wide run") & table["seconds"].notna()]
    for _, row in run.iterrows():
        check(f"{row['case']}: wall", row["seconds"] / 60, "< 10 min", row["seconds"] < 600, "min")
        check(f"{row['case']}: peak RSS", row["peak_mb"], "< 12,000 MB", row["peak_mb"] < 12_000, "MB")
    return checks


# --- writing -----------------------------------------------------------------------------------

def _cell(value: Any, column: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if column == "seconds":
        return f"{value:.4f}" if value < 1 else f"{value:.2f}"
    if column == "ratio":
        return f"{value:.2f}×"
    if column == "peak_mb":
        return f"{value:,.0f}"
    if column in ("n_nodes", "n_origins", "n_counters"):
        return f"{int(value):,}"
    return str(value).replace("|", "\\|")


def markdown(table: pd.DataFrame, checks: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    """Return the results as a markdown document: the targets, then one table per benchmark."""
    lines = ["# access benchmarks", "",
             f"{meta['date']} on {meta['machine']}{' — QUICK run (tiny inputs)' if meta['quick'] else ''}; "
             f"{meta['seconds']:.0f} s in all.{_merge_note(meta)} Timings are from one run on a shared machine: "
             f"compare ratios within the run. `peak_mb` is the peak RSS of the process that ran the case "
             f"(Python, imports and inputs included). Synthetic grids are SYNTHETIC street-like networks; "
             f"the tiled files are the real City of London extract copied over Greater London (SYNTHETIC).",
             "", "## Targets", "", "| target | value | goal | met |", "|---|---|---|---|"]
    for item in checks:
        value = "" if item["value"] is None else f"{item['value']:,.2f} {item['unit']}".strip()
        met = {True: "yes", False: "**no**", None: "-"}[item["met"]]
        lines.append(f"| {item['target']} | {value} | {item['goal']} | {met} |")
    columns = [c for c in COLUMNS if c != "benchmark"]
    for benchmark, rows in table.groupby("benchmark", sort=False):
        shown = [c for c in columns if rows[c].notna().any()]
        lines += ["", f"## {benchmark}", "", "| " + " | ".join(shown) + " |", "|" + "---|" * len(shown)]
        for _, row in rows.iterrows():
            lines.append("| " + " | ".join(_cell(row[c], c) for c in shown) + " |")
    return "\n".join(lines) + "\n"


def _merge_note(meta: dict[str, Any]) -> str:
    """Say when each module ran, when the results merge several runs (``--merge``)."""
    runs = meta.get("module_runs") or {}
    if len(set(runs.values())) <= 1:
        return ""
    return " Merged runs: " + ", ".join(f"{name} {date}" for name, date in runs.items()) + "."


def _wrapped(pivot: pd.DataFrame) -> pd.DataFrame:
    """Return the pivot with its row labels wrapped, so long case names leave room for the bars."""
    import textwrap

    pivot.index = [textwrap.fill(str(label), 28) for label in pivot.index]
    return pivot


def plot(table: pd.DataFrame, path: Path) -> None:
    """Panels: nearest-counter, scaling, counters, end to end, scenarios; build and routing on the tiled file; transit.

    The third row is the SYNTHETIC tiled OSM file's network build (time, memory) and routing, by size; the
    fourth, public transport on the SYNTHETIC London feed, by the feed's size and by the number of postcodes.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(4, 3, figsize=(20, 24))
    numeric = table.copy()

    def lines(ax, benchmark: str, x: str, y: str, title: str, ylabel: str) -> None:
        rows = numeric[(numeric["benchmark"] == benchmark) & numeric[y].notna() & numeric[x].notna()]
        for method, group in rows.groupby("method", sort=False):
            group = group.sort_values(x)
            ax.plot(group[x], group[y], marker="o", label=method)
        ax.set(xscale="log", yscale="log", title=title, xlabel=x.replace("n_", "number of "), ylabel=ylabel)
        if len(rows):
            ax.legend(fontsize=8)
        ax.grid(True, which="both", alpha=0.3)

    ax = axes[0, 0]
    rows = numeric[(numeric["benchmark"] == "nearest counter") & numeric["seconds"].notna()]
    if len(rows):
        pivot = _wrapped(rows.pivot_table(index="case", columns="method", values="seconds", sort=False))
        pivot.plot.barh(ax=ax, logx=True)
        ax.legend(fontsize=8)
    ax.set(title="Nearest-counter time for every origin", xlabel="seconds (log)", ylabel="")
    lines(axes[0, 1], "scaling: network size", "n_nodes", "seconds", "Time vs network size (SYNTHETIC grids)",
          "seconds")
    lines(axes[0, 2], "scaling: network size", "n_nodes", "peak_mb", "Peak RSS vs network size (SYNTHETIC grids)",
          "MB")
    lines(axes[1, 0], "scaling: counters", "n_counters", "seconds", "Time vs counters (SYNTHETIC grid)", "seconds")
    ax = axes[1, 1]
    stage = ~numeric["method"].isin(["total", "access run (CLI, wall)"])
    rows = numeric[(numeric["benchmark"] == "end to end") & stage]
    if len(rows):
        pivot = _wrapped(rows.pivot_table(index="case", columns="method", values="seconds", sort=False))
        pivot.plot.barh(ax=ax, stacked=True)
        ax.legend(fontsize=8)
    ax.set(title="End-to-end run by stage", xlabel="seconds", ylabel="")
    ax = axes[1, 2]
    rows = numeric[(numeric["benchmark"] == "scenario") & numeric["seconds"].notna()]
    if len(rows):
        pivot = _wrapped(rows.pivot_table(index="case", columns="method", values="seconds", sort=False))
        pivot.plot.barh(ax=ax, logx=True)
        ax.legend(fontsize=8)
    ax.set(title="Scenarios (once the times are computed)", xlabel="seconds (log)", ylabel="")
    lines(axes[2, 0], "OSM build", "n_nodes", "seconds", "Network build from a SYNTHETIC tiled OSM file", "seconds")
    lines(axes[2, 1], "OSM build", "n_nodes", "peak_mb", "Peak RSS of the build (SYNTHETIC tiled file)", "MB")
    lines(axes[2, 2], "routing", "n_nodes", "seconds", "77 counters × 180,754 origins (SYNTHETIC tiled file)",
          "seconds")
    scaling = numeric[(numeric["benchmark"] == "transit: scaling") & numeric["seconds"].notna()]
    by_size = scaling[scaling["n_origins"] == scaling["n_origins"].min()]
    by_origins = scaling[scaling["n_nodes"] == scaling["n_nodes"].max()]
    for ax, rows, x, title in ((axes[3, 0], by_size, "n_nodes", "Transit: time vs stop times (SYNTHETIC feed)"),
                               (axes[3, 1], by_origins, "n_origins", "Transit: time vs postcodes (SYNTHETIC feed)")):
        if len(rows):
            rows = rows.sort_values(x)
            ax.plot(rows[x], rows["seconds"], marker="o", label="access transit_times, 77 counters")
            ax.legend(fontsize=8)
        ax.set(xscale="log", yscale="log", title=title, ylabel="seconds",
               xlabel="stop times 08:00–11:00" if x == "n_nodes" else "postcodes")
        ax.grid(True, which="both", alpha=0.3)
    axes[3, 2].axis("off")
    for ax in axes.flat:
        ax.tick_params(labelsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=80)
    plt.close(figure)


def _json_ready(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def _merged(path: Path, table: pd.DataFrame, runs: dict[str, str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """Return the earlier results at ``path`` with the benchmarks in ``table`` replaced, and when each module ran."""
    earlier = json.loads(path.read_text(encoding="utf-8"))
    kept = pd.DataFrame(earlier["rows"]).reindex(columns=COLUMNS)
    kept = kept[~kept["benchmark"].isin(set(table["benchmark"]))]
    before = earlier["meta"].get("module_runs") or dict.fromkeys(earlier["meta"]["modules"], earlier["meta"]["date"])
    when = {name: runs.get(name, before.get(name, "")) for name in MODULES if name in before or name in runs}
    order = list(dict.fromkeys([row["benchmark"] for row in earlier["rows"]] + list(table["benchmark"])))
    merged = pd.concat([kept, table], ignore_index=True)
    merged = merged.iloc[merged["benchmark"].map(order.index).argsort(kind="stable")].reset_index(drop=True)
    return merged, when


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks named in :data:`MODULES` (or ``--only``) and write the results."""
    parser = argparse.ArgumentParser(prog="python3 dev.py bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny inputs: checks that the suite works")
    parser.add_argument("--out", type=Path, help="folder for latest.md/.json/.png (default bench/results, "
                                                 "bench/results/quick with --quick)")
    parser.add_argument("--only", nargs="+", choices=MODULES, help="run only these benchmarks")
    parser.add_argument("--merge", action="store_true",
                        help="with --only: replace only these benchmarks' rows in the existing latest.json, keeping "
                             "the others (each benchmark's ratios still come from one run; the header says when "
                             "each module last ran)")
    args = parser.parse_args(argv)
    if args.merge and not args.only:
        parser.error("--merge needs --only: it replaces the rows of the benchmarks named there")
    args.out = args.out or (DEFAULT_OUT / "quick" if args.quick else DEFAULT_OUT)
    os.environ.setdefault("ACCESS_OVERPASS_URL", "http://127.0.0.1:9/api")  # never download from a benchmark
    started = time.perf_counter()
    frames = []
    for name in args.only or MODULES:
        print(f"bench: {name} …", flush=True)
        began = time.perf_counter()
        result = importlib.import_module(f"bench.{name}").run(quick=args.quick)
        frames.append(result.reindex(columns=COLUMNS))
        print(f"bench: {name} done in {time.perf_counter() - began:.0f} s ({len(result)} rows)", flush=True)
    table = pd.concat(frames, ignore_index=True)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    runs = {name: now for name in args.only or MODULES}
    if args.merge:
        table, runs = _merged(args.out / "latest.json", table, runs)
    checks = targets(table)
    meta = {"date": now, "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
            "quick": args.quick, "seconds": time.perf_counter() - started, "modules": list(runs),
            "module_runs": runs}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.md").write_text(markdown(table, checks, meta), encoding="utf-8")
    records = [{k: _json_ready(v) for k, v in row.items()} for row in table.astype(object).to_dict("records")]
    (args.out / "latest.json").write_text(json.dumps({"meta": meta, "targets": checks, "rows": records},
                                                     indent=1, default=str) + "\n", encoding="utf-8")
    plot(table, args.out / "latest.png")
    print(markdown(table, checks, meta).split("\n## ", 2)[1].join(["## ", ""]) if checks else "", flush=True)
    print(f"bench: wrote {args.out / 'latest.md'}, latest.json and latest.png in {meta['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
