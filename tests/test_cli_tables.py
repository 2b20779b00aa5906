"""What commands print: no number cut at any width, a stacked layout when a table cannot fit, csv and json."""

import io
import json
import os
import re
import subprocess
import sys

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from access.cli import app
from access.cli.tables import Column, Printed, fits, render
from access.outputs.formats import count, minutes, percent, points

from browser import chromium

SCENARIOS = {
    "closing Ilford": ["scenario", "redbridge-2017", "--from", "2018_2025", "--close", "ilford", "-m", "walk",
                       "--offline"],
    "Gants Hill for Ilford": ["scenario", "redbridge-2017", "--from", "2018_2025", "--open",
                              "Gants Hill=51.5765,0.0661", "--close", "ilford", "-m", "walk", "--offline"],
}


def _access(args: list[str], columns: int, tmp_path) -> subprocess.CompletedProcess:
    """Run the command as a real process in a terminal ``columns`` wide."""
    env = {**os.environ, "COLUMNS": str(columns)}
    done = subprocess.run([sys.executable, "-m", "access", *args, "--out", str(tmp_path)], capture_output=True,
                          text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return done


def _whole(number: str, text: str) -> bool:
    """Whether ``number`` appears in ``text`` as a whole, not as part of a longer or cut number."""
    return re.search(rf"(?<![\d.,]){re.escape(number)}(?![\d,]|\.\d)", text) is not None


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_cuts_no_number_at_80_or_60_columns(name, tmp_path):
    """The figures the command computes (its --format json) all appear whole in the terminal at 80 and 60 columns."""
    figures = json.loads(_access([*SCENARIOS[name], "--format", "json"], 80, tmp_path / "json").stdout)["tables"]
    expected, optional = [], []
    for row in figures["summary"]:
        expected += [minutes(row["mean_min"]), minutes(row["median_min"]), minutes(row["p90_min"]),
                     percent(row["within_30"])]
        optional += [percent(row["within_10"])]
    for row in figures["differences"]:
        expected += [minutes(row["mean_min_change"], signed=True), minutes(row["median_min_change"], signed=True),
                     minutes(row["p90_min_change"], signed=True), points(row["within_30_change"]),
                     count(row["population_worse"]), count(row["population_better"])]
    assert any("," in n for n in expected), "the check includes counts with thousands separators"
    for columns in (80, 60):
        out = _access(SCENARIOS[name], columns, tmp_path / str(columns)).stdout
        assert "…" not in out, f"{columns} columns: something was cut:\n{out}"
        laid_out = [line for line in out.splitlines() if not line.startswith(("wrote ", "open "))]  # whole lines
        assert max(len(line) for line in laid_out) <= columns  # (the files and the page are never broken in a path)
        missing = [n for n in expected if not _whole(n, out)]
        assert not missing, f"{columns} columns: {missing} not whole in\n{out}"
        # a secondary column may give way on a narrow terminal, and the table says so
        assert all(_whole(n, out) for n in optional) or "≤10: not shown at this width" in out, out
        assert "estimate" in out.lower()


def test_narrow_terminals_get_a_stacked_layout_and_wide_ones_a_table(tmp_path):
    out = _access(SCENARIOS["closing Ilford"], 60, tmp_path / "60").stdout
    differences = out.split("change against", 1)[1]
    assert "┏" not in differences.split("worse/better off", 1)[0], "below the width a table needs, it is stacked"
    assert re.search(r"^  worse off +203,375", differences, re.MULTILINE)
    wide = _access(SCENARIOS["closing Ilford"], 120, tmp_path / "120").stdout
    assert wide.count("┏") == 2 and re.search(r"│ +203,375 │", wide)


def test_render_never_cuts_a_number_at_any_width():
    block = Printed("t", "a title long enough to wrap at narrow widths", [
        Column("name", "scenario", key=True, wrap=True),
        Column("n", "residents worse off", kind="count"),
        Column("m", "mean change", kind="change"),
        Column("s", "≤30", kind="percent", optional=True),
    ], [{"name": "2018–25: Ilford 24/7, Barkingside closed", "n": 104372.4, "m": -5.06, "s": 0.3249},
        {"name": "what-if", "n": 140334.0, "m": 33.94, "s": 1.0}])
    for width in range(12, 121):
        console = Console(width=width, file=io.StringIO(), color_system=None)
        console.print(render(block, width))
        text = console.file.getvalue()
        for number in ("104,372", "140,334", "-5.1", "+33.9"):
            assert _whole(number, text), f"{number} at width {width}:\n{text}"
        assert "…" not in text
    assert fits(block, 80) and not fits(block, 30)


COMMANDS = {
    "run": (["run", "redbridge-2017", "-m", "walk", "--offline", "--no-maps"], ["summary", "changes"]),
    "studies": (["studies"], ["studies"]),
    "scenario": (SCENARIOS["closing Ilford"], ["summary", "differences"]),
    "compare": (["compare", "redbridge-2017", "2018_2025", "2013_2017", "gants-hill", "-m", "walk", "--offline",
                 "--no-maps"], ["summary", "differences"]),
    "hours": (["hours", "redbridge-2017", "-m", "walk", "--offline", "--period", "2013_2017", "--period",
               "2018_2025"], ["hours"]),
    "sweep": (["sweep", "redbridge-2017", "-m", "walk", "--offline", "--among", "ilford,barkingside"],
              ["best", "real"]),
    "site": (["site", "redbridge-2017", "-m", "walk", "--offline", "--spacing", "1500", "-p", "1", "--no-maps"],
             ["sites", "p_median"]),
    "explore": (["explore", "redbridge-2017", "-m", "walk", "--offline"], ["explorer"]),
    "calibrate": (["calibrate", "--osm-file", "city_of_london_osm", "--sources", "3"], ["calibrations"]),
    "new-study": (["new-study", "mine", "--boroughs", "Havering"], ["counters"]),
}
"""Every command with a table: its arguments and its tables, the main one (printed by --format csv) first."""


def _out(command: str, tmp_path) -> list[str]:
    if command == "calibrate":
        return ["--out", str(tmp_path / "factors.toml")]
    return [] if command == "studies" else ["--out", str(tmp_path / command)]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_prints_one_csv_table_that_pandas_reads_and_one_json_document(command, tmp_path):
    args, tables = COMMANDS[command]
    runner = CliRunner()
    done = runner.invoke(app, [*args, *_out(command, tmp_path), "--format", "json"], env={"COLUMNS": "80"})
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert document["command"] == command and list(document["tables"]) == tables
    assert all(document["tables"][name] for name in tables), "every table has rows"
    if command == "new-study":
        (tmp_path / command / "mine.toml").unlink()  # nothing is overwritten: start again
        (tmp_path / command / "mine-counters.csv").unlink()
    done = runner.invoke(app, [*args, *_out(command, tmp_path), "--format", "csv"], env={"COLUMNS": "80"})
    assert done.exit_code == 0, done.output
    frame = pd.read_csv(io.StringIO(done.stdout))  # one table: what a program reads
    main = tables[0]
    assert set(frame["table"]) == {main} and len(frame) == len(document["tables"][main])
    if "mode" in frame and command != "calibrate":  # detour factors are measured on a network, not modelled
        assert "model" in frame, f"{command}: each row says which model made it"
    assert "┏" not in done.stdout and "STRAIGHT-LINE ESTIMATE" not in done.stdout, "only the table goes to stdout"
    for other in tables[1:]:  # the rest are named on stderr, with the file that holds each
        assert other in done.stderr, done.stderr


def test_the_readmes_csv_example_loads_in_pandas(tmp_path):
    """`access run redbridge-2017 -m walk --offline --no-maps --format csv > redbridge-walk.csv`, as a shell runs it."""
    target = tmp_path / "redbridge-walk.csv"
    with target.open("w") as stdout:
        done = subprocess.run([sys.executable, "-m", "access", "run", "redbridge-2017", "-m", "walk", "--offline",
                               "--no-maps", "--format", "csv", "--out", str(tmp_path / "out")], stdout=stdout,
                              stderr=subprocess.PIPE, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    frame = pd.read_csv(target)
    assert list(frame["mode"].unique()) == ["walk"] and {"mean_min", "model", "period"} <= set(frame)
    assert "warning:" in done.stderr  # the estimate's warning: on stderr, never in the table


def test_screenshot_prints_csv_and_json(tmp_path):
    chromium()
    page = tmp_path / "page.html"
    page.write_text("<!DOCTYPE html><h1>a page</h1>")
    done = CliRunner().invoke(app, ["screenshot", str(page), str(tmp_path / "page.png"), "--height", "300",
                                    "--format", "json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["wrote"] == [str(tmp_path / "page.png")]
    done = CliRunner().invoke(app, ["screenshot", str(page), str(tmp_path / "page.png"), "--height", "300",
                                    "--format", "csv"])
    assert done.exit_code == 0, done.output
    assert pd.read_csv(io.StringIO(done.stdout))["file"].tolist() == [str(tmp_path / "page.png")]


@pytest.mark.parametrize("command", ["run", "studies", "calibrate", "screenshot", "scenario", "compare", "hours",
                                     "sweep", "site"])
def test_every_command_takes_format(command):
    done = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert done.exit_code == 0 and "--format" in done.output and "table" in done.output
    bad = CliRunner().invoke(app, [command, "--format", "xml"], env={"COLUMNS": "200"})
    assert bad.exit_code == 2 and "xml" in bad.output
