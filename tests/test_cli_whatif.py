import json
import os
import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from access.cli import app

from browser import render
from faults import FAULTS, check_failed_write_keeps_the_previous_set

runner = CliRunner()
ENV = {"COLUMNS": "200"}


def _invoke(*args: str):
    return runner.invoke(app, list(args), env=ENV)


def test_help_lists_the_what_if_commands():
    result = _invoke("--help")
    for command in ("scenario", "compare", "hours", "sweep", "site", "explore"):
        assert command in result.output
    explore_help = _invoke("explore", "--help").output
    for option in ("--nearest", "--offline", "--out", "explorer.html", "double-click"):
        assert option in explore_help
    scenario_help = _invoke("scenario", "--help").output
    for option in ("--from", "--close", "--open", "--hours", "--at", "--offline", "--out"):
        assert option in scenario_help


@pytest.mark.browser
def test_scenario_command_from_the_readme(tmp_path):
    """The README's example, run as a real process."""
    out = tmp_path / "gants"
    done = subprocess.run([sys.executable, "-m", "access", "scenario", "redbridge-2017", "--from", "2018_2025",
                           "--open", "Gants Hill=51.5765,0.0661", "--close", "ilford", "--offline", "-m", "walk",
                           "--out", str(out)], capture_output=True, text=True, env={**os.environ, **ENV}, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "close Ilford Police Station; open Gants Hill" in done.stdout
    assert "against 2018–25: Ilford 24/7, Barkingside closed" in done.stdout
    assert "STRAIGHT-LINE ESTIMATE" in done.stdout and "'unknown'" in done.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert [s["label"] for s in summary["scenarios"]] == ["2018_2025", "what-if"]
    assert (out / "index.html").is_file()
    # the scenario's own map draws in a real browser: Redbridge's LSOAs, 11 counters (Gants Hill too), the boundary
    dom = render(out / "walk.html")
    assert dom.count("leaflet-interactive") >= 160 + 11 + 1
    assert "Gants Hill" in dom and "what-if against 2018–25: Ilford 24/7, Barkingside closed" in dom
    assert "STRAIGHT-LINE ESTIMATE" in dom


def test_scenario_on_the_city_network_with_a_postcode(tmp_path):
    result = _invoke("scenario", "city-of-london", "--from", "bishopsgate_only", "--open", "Guildhall=EC2V 7HH",
                     "--at", "Sun 03:00", "--name", "guildhall", "-m", "walk", "--no-maps", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "guildhall @ Sun 03:00" in result.output and "estimate" not in result.output
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["models"]["walk"]["model"] == "street network"
    walk = {r["scenario"]: r for r in summary["results"]}
    assert walk["guildhall @ Sun 03:00"]["mean_min"] < walk["bishopsgate_only @ Sun 03:00"]["mean_min"]


def test_compare_hours_sweep_and_site(tmp_path):
    result = _invoke("compare", "redbridge-2017", "2018_2025", "2013_2017", "gants-hill", "--offline", "-m",
                     "drive", "--out", str(tmp_path / "compare"))
    assert result.exit_code == 0, result.output
    assert {"drive-2013-2017.html", "drive-gants-hill.html", "differences.csv"} <= set(
        os.listdir(tmp_path / "compare"))

    result = _invoke("hours", "redbridge-2017", "--offline", "-m", "walk", "--period", "2013_2017",
                     "--period", "2018_2025", "--period", "from_2026", "--out", str(tmp_path / "hours"))
    assert result.exit_code == 0, result.output
    assert "night (Sat) Sat 23:30" in result.output and "week: hours with a counter" in result.output
    assert "hours_rule" in json.loads((tmp_path / "hours" / "hours.json").read_text())

    result = _invoke("sweep", "redbridge-2017", "--offline", "-m", "walk", "--out", str(tmp_path / "sweep"))
    assert result.exit_code == 0, result.output
    assert "1,024 subsets" in result.output
    assert "the real decision (2018–25: Ilford 24/7, Barkingside closed)" in result.output
    assert sum(1 for _ in open(tmp_path / "sweep" / "sweep.csv")) == 1 + 1024

    result = _invoke("site", "city-of-london", "-m", "walk", "-p", "1", "-p", "2", "--out", str(tmp_path / "site"))
    assert result.exit_code == 0, result.output
    assert "street-network nodes inside City of London" in result.output
    sites = json.loads((tmp_path / "site" / "sites.json").read_text())
    assert [s["p"] for s in sites["modes"]["walk"]["p_median"]] == [1, 2]
    assert (tmp_path / "site" / "best-walk" / "walk.html").is_file()


@pytest.mark.parametrize("args, message", [
    (("scenario", "redbridge-2017", "--close", "hainault"), "unknown counter id 'hainault'"),
    (("scenario", "redbridge-2017", "--open", "Far=151.2,0.06"), "lat 151.2"),
    (("scenario", "redbridge-2017", "--open", "Nowhere=ZZ9 9ZZ"), "postcode 'ZZ9 9ZZ'"),
    (("scenario", "redbridge-2017", "--from", "2030"), "unknown period '2030'"),
    (("scenario", "redbridge-2017", "--at", "Caturday 10:00"), "'Caturday' is not a day"),
    (("scenario", "redbridge-2017", "no-such-scenario"), "unknown scenario of redbridge-2017 'no-such-scenario'"),
    (("scenario", "redbridge-2017", "--hours", "ilford"), "--hours 'ilford' not understood"),
    (("compare", "redbridge-2017", "2018_2025", "2099"), "unknown period or scenario of redbridge-2017 '2099'"),
    (("hours", "redbridge-2017", "--at", "Sat 25:00"), "not a time of day"),
    (("sweep", "redbridge-2017", "--among", "hainault"), "unknown counter id 'hainault'"),
    (("sweep", "redbridge-2017", "--max-subsets", "10"), "more than the cap of 10"),
    (("site", "redbridge-2017", "--period", "2030"), "unknown period '2030'"),
    (("explore", "redbridge-2017", "--nearest", "0"), "--nearest 0 must be at least 1"),
    (("explore", "nowhere-2017"), "nowhere-2017"),
])
def test_bad_values_exit_2_with_one_line(args, message):
    result = _invoke(*args, "--offline", "-m", "walk")
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def _run(args: list[str]) -> tuple[int, str]:
    done = runner.invoke(app, args, env=ENV)
    return done.exit_code, done.stderr


WHATIF_SETS = {
    "scenario": (["scenario", "redbridge-2017", "--from", "2018_2025", "--close", "ilford"],
                 ["scenario", "redbridge-2017", "--from", "2018_2025", "--close", "barkingside"], "summary.csv"),
    "compare": (["compare", "redbridge-2017", "2018_2025", "2013_2017"],
                ["compare", "redbridge-2017", "2018_2025", "from_2026"], "differences.csv"),
    "hours": (["hours", "redbridge-2017", "--period", "2013_2017"],
              ["hours", "redbridge-2017", "--period", "from_2026"], "hours.json"),
    "sweep": (["sweep", "redbridge-2017", "--among", "ilford,barkingside"],
              ["sweep", "redbridge-2017", "--among", "ilford,romford"], "sweep.csv"),
    "site": (["site", "redbridge-2017", "--spacing", "1500", "-p", "1"],
             ["site", "redbridge-2017", "--spacing", "1500", "-p", "2"], "best-walk/summary.json"),
    "explore": (["explore", "redbridge-2017"], ["explore", "redbridge-2017", "--nearest", "3"], "explorer.html"),
}


def test_explore_writes_the_page_and_says_what_it_holds(tmp_path):
    done = _invoke("explore", "redbridge-2017", "-m", "walk", "-m", "drive", "--offline", "--out", str(tmp_path))
    assert done.exit_code == 0, done.output
    assert (tmp_path / "explorer.html").is_file() and [p.name for p in tmp_path.iterdir()] == ["explorer.html"]
    assert "4 periods and 3 scenario(s)" in done.stdout and "all (exact)" in done.stdout
    assert "STRAIGHT-LINE ESTIMATE" in done.stdout and "explorer.html" in done.stdout
    data = json.loads(_invoke("explore", "redbridge-2017", "-m", "walk", "--offline", "--nearest", "4",
                              "--out", str(tmp_path), "--format", "json").stdout)
    assert data["tables"]["explorer"][0]["kept"] == "4 nearest + what the presets need"


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("command", WHATIF_SETS)
def test_a_failed_write_leaves_the_previous_set_of_every_command(tmp_path, command, fault):
    first, second, victim = WHATIF_SETS[command]
    common = ["-m", "walk", "--offline", "--out", str(tmp_path)]
    check_failed_write_keeps_the_previous_set(_run, [*first, *common], [*second, *common], tmp_path, victim, fault)


def test_no_negative_zero_and_no_double_sign(tmp_path):
    """A scenario equal to its base: every change is zero, written ±0, never -0, -0% or --0.0."""
    done = _invoke("scenario", "redbridge-2017", "--from", "2018_2025", "--at", "Sat 23:30", "-m", "walk",
                   "--offline", "--out", str(tmp_path))
    assert done.exit_code == 0, done.output
    assert "±0.0" in done.output
    assert not re.search(r"--\d|(?<![\w.-])-0(\.0+)?%?(?![\d.])", done.output), done.output


def test_names_in_any_case_and_period_labels_as_printed(tmp_path):
    """Modes, counters, scenarios and periods typed as a person reads them give the same figures."""
    exact = CliRunner().invoke(app, ["compare", "redbridge-2017", "2018_2025", "2013_2017", "gants-hill", "-m", "walk",
                                     "--offline", "--no-maps", "--out", str(tmp_path / "a"), "--format", "json"])
    loose = CliRunner().invoke(app, ["compare", "redbridge-2017", "2018–25", "2013-17", "Gants-Hill", "-m", "WALK",
                                     "--offline", "--no-maps", "--out", str(tmp_path / "b"), "--format", "json"])
    assert exact.exit_code == 0 and loose.exit_code == 0, loose.output
    assert json.loads(exact.stdout)["tables"] == json.loads(loose.stdout)["tables"]
    closed = CliRunner().invoke(app, ["scenario", "redbridge-2017", "--from", "2018-25", "--close", "ILFORD", "-m",
                                      "walk", "--offline", "--no-maps", "--out", str(tmp_path / "c")])
    assert closed.exit_code == 0, closed.output
    missed = CliRunner().invoke(app, ["scenario", "redbridge-2017", "--close", "ilfrod", "-m", "walk", "--offline"])
    assert missed.exit_code == 2 and "did you mean 'ilford'" in missed.output


def test_every_what_if_command_takes_the_transit_mode_of_a_study_file(tmp_path):
    """A study file with a [transit] table: scenario (one more profile search), hours, sweep, site and explore."""
    from cairns_study import write_transit_study

    study = str(write_transit_study(tmp_path / "study"))
    label = "public transport (GTFS: cairns_gtfs.zip, Tue 2014-06-10, 08:00–09:00, median)"
    result = _invoke("scenario", study, "--from", "one", "--open", "Guildhall=51.5155,-0.0920", "-m", "transit",
                     "--no-maps", "--out", str(tmp_path / "scenario"), "--format", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "scenario" / "summary.json").read_text())
    assert summary["models"]["transit"]["model"] == label
    assert {r["mode"] for r in summary["results"]} == {"transit"}
    for command, extra in (("hours", []), ("sweep", []), ("site", ["--max-candidates", "20", "--no-maps"]),
                           ("explore", [])):
        result = _invoke(command, study, "-m", "transit", *extra, "--out", str(tmp_path / command))
        assert result.exit_code == 0, f"{command}: {result.output}"
    assert label in (tmp_path / "explore" / "explorer.html").read_text()
    hours = json.loads((tmp_path / "hours" / "hours.json").read_text())
    assert hours["models"] == {"transit": label}
