"""The README stays true: every Python example in it runs, as written, on the real data."""

import os
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def test_the_readme_has_python_examples():
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("number", range(len(BLOCKS)))
def test_each_python_example_runs(number, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples write "out/" beside them
    monkeypatch.setenv("ACCESS_OVERPASS_URL", os.environ.get("ACCESS_OVERPASS_URL", "http://127.0.0.1:9/api"))
    exec(compile(BLOCKS[number], f"README.md python block {number + 1}", "exec"), {})  # noqa: S102


def test_the_gants_hill_postcode_is_the_place_and_gives_the_same_figure():
    """The README and the study offer a postcode for Gants Hill: it is the postcode nearest the coordinates."""
    from pyproj import Transformer

    from access import load_study
    from access.inputs.postcodes import nearest_postcodes
    from access.whatif.board import build_board
    from access.whatif.comparison import compare
    from access.whatif.scenario import Scenario, parse_opened, period_scenario

    text = README.read_text(encoding="utf-8")
    postcode = re.search(r'lat = 51\.5765, lon = 0\.0661, hours = "24/7" \}\]\s+# or postcode = "([A-Z0-9 ]+)"',
                         text).group(1)
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True).transform(0.0661, 51.5765)
    nearest = nearest_postcodes([x], [y])
    assert nearest.loc[0, "postcode"] == postcode and nearest.loc[0, "postcode_m"] < 50
    study = load_study("redbridge-2017")
    by_point = Scenario("point", "2018_2025", open=(parse_opened("Gants Hill=51.5765,0.0661"),))
    by_postcode = Scenario("postcode", "2018_2025", open=(parse_opened(f"Gants Hill by postcode={postcode}"),))
    board = build_board(study, [by_point, by_postcode], modes=["walk"], offline=True)
    summary = compare(board, [period_scenario("2018_2025"), by_point, by_postcode]).summary
    point, by_code = (summary.loc[(name, "walk"), "mean_min"] for name in ("point", "postcode"))
    assert round(point, 1) == round(by_code, 1)
    assert re.search(rf"│ gants-hill +│ +7† │ {point:.1f} │", text), "the README's compare table says so too"


def test_the_printed_scenario_example_is_what_the_command_prints(tmp_path):
    """Every line of the README's scenario table is what `access scenario` shows in a 100-column terminal."""
    from terminal import access_command, run_in_terminal

    command = re.search(r"`access (scenario redbridge-2017 --from 2018_2025 --open \"Gants Hill=51.5765,0.0661\" "
                        r"--close ilford -m walk --offline)`", README.read_text(encoding="utf-8")).group(1)
    block = README.read_text(encoding="utf-8").split(f"`access {command}`", 1)[1].split("```\n", 1)[1]
    block = block.split("```", 1)[0]
    args = ["scenario", "redbridge-2017", "--from", "2018_2025", "--open", "Gants Hill=51.5765,0.0661", "--close",
            "ilford", "-m", "walk", "--offline", "--no-maps", "--out", str(tmp_path / "out")]
    session = run_in_terminal([access_command(), *args], columns=100, cwd=tmp_path, timeout_s=300)
    assert session.code == 0, session
    shown = session.lines
    for line in block.strip("\n").splitlines():
        assert line.rstrip() in shown, f"README line not shown in the terminal: {line!r}"


def test_the_quick_start_study_command_runs_to_the_end_in_a_terminal(tmp_path):
    """`python3 dev.py study`, typed in a terminal, finishes and names the page to open (outputs into tmp)."""
    from terminal import run_in_terminal

    quick_start = README.read_text(encoding="utf-8").split("## Quick start", 1)[1].split("\n## ", 1)[0]
    command = re.search(r"^(python3 dev\.py study)\b", quick_start, re.M).group(1).split()
    root = README.parent
    session = run_in_terminal([*command, "--out", str(tmp_path / "redbridge")], cwd=root, timeout_s=900)
    assert session.code == 0, session
    assert (tmp_path / "redbridge" / "report.html").is_file()
    assert "redbridge-2017:" in session.text and session.cursor_shown
    assert session.text.rstrip().splitlines()[-1].startswith("open ") and "report.html" in session.text
