"""The manual (``docs/``, built with MkDocs) stays true and builds.

* every Python example of every page runs, as written, on the real data (a block that needs data these
  machines do not have is marked ``<!-- skip: why -->`` just before it, and its page says so);
* printed examples are what the commands print;
* the site builds with warnings as errors (``mkdocs build --strict``), API pages included (mkdocstrings);
* the command-line reference is what the commands' ``--help`` prints;
* every public name of ``access.__all__`` is on the API page, with an example in its docstring.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import access

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
WHAT_IF = DOCS / "how-to" / "what-if.md"
PAGES = sorted(DOCS.rglob("*.md"))
_BLOCK = re.compile(r"(?:<!-- skip: ([^>]+?) -->\n)?```python\n(.*?)```", re.DOTALL)
BLOCKS = [(page, number, skip, code) for page in PAGES
          for number, (skip, code) in enumerate(_BLOCK.findall(page.read_text(encoding="utf-8")))]


def test_the_manual_has_its_pages_and_python_examples():
    names = {p.relative_to(DOCS).as_posix() for p in PAGES}
    for page in ("index.md", "tutorial/redbridge.md", "how-to/own-borough.md", "how-to/python.md",
                 "how-to/travel-times.md", "how-to/what-if.md", "how-to/explorer.md", "how-to/data.md",
                 "how-to/transit.md", "reference/cli.md", "reference/study-file.md", "reference/api.md",
                 "explanation/model.md", "explanation/estimate.md", "explanation/limits.md",
                 "explanation/sources.md", "explanation/transit.md"):
        assert page in names, page
    assert sum(1 for *_rest, skip, _code in BLOCKS if not skip) >= 4


@pytest.mark.parametrize("page,number,skip,code", BLOCKS,
                         ids=[f"{p.relative_to(DOCS).as_posix()}#{n + 1}" for p, n, _s, _c in BLOCKS])
def test_each_python_example_of_the_manual_runs(page, number, skip, code, tmp_path, monkeypatch):
    if skip:
        text = page.read_text(encoding="utf-8")
        assert "not in this repository" in text or "not here" in text, f"{page.name} says why its examples are skipped"
        pytest.skip(f"{page.name} block {number + 1}: {skip}")
    monkeypatch.chdir(tmp_path)  # examples write "out/" beside them
    monkeypatch.setenv("ACCESS_OVERPASS_URL", os.environ.get("ACCESS_OVERPASS_URL", "http://127.0.0.1:9/api"))
    exec(compile(code, f"{page.relative_to(ROOT)} python block {number + 1}", "exec"), {})  # noqa: S102


def test_the_site_builds_with_warnings_as_errors(tmp_path):
    """`mkdocs build --strict`: every page, link and API entry (mkdocstrings reads the docstrings)."""
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode == 0, done.stderr[-4000:]
    api = (tmp_path / "site" / "reference" / "api" / "index.html").read_text(encoding="utf-8")
    for name in ("load_study", "StudyResult", "build_board", "explorer_html", "NetworkFileMissing"):
        assert 'id="access.' in api and name in api, name


def test_the_command_line_reference_is_what_the_commands_print():
    from access.cli.reference import cli_reference

    page = (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")
    assert page == cli_reference(), ("docs/reference/cli.md is stale: run "
                                     "`python -m access.cli.reference docs/reference/cli.md` (python3 dev.py docs)")


def test_every_public_name_is_on_the_api_page_with_an_example():
    page = (DOCS / "reference" / "api.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^::: [\w.]+\.(\w+)$", page, re.M))
    public = set(access.__all__) - {"__version__"}
    assert listed == public, listed ^ public
    missing = [name for name in public if ">>>" not in (getattr(access, name).__doc__ or "")]
    assert not missing, f"no example in the docstring of {missing}"


def test_the_gants_hill_postcode_is_the_place_and_gives_the_same_figure():
    """The manual and the study offer a postcode for Gants Hill: it is the postcode nearest the coordinates."""
    from pyproj import Transformer

    from access import load_study
    from access.inputs.postcodes import nearest_postcodes
    from access.whatif.board import build_board
    from access.whatif.comparison import compare
    from access.whatif.scenario import Scenario, parse_opened, period_scenario

    text = WHAT_IF.read_text(encoding="utf-8")
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
    assert re.search(rf"│ gants-hill +│ +7† │ {point:.1f} │", text), "the manual's compare table says so too"


def test_the_printed_scenario_example_is_what_the_command_prints(tmp_path):
    """Every line of the manual's scenario table is what `access scenario` shows in a 100-column terminal."""
    from terminal import access_command, run_in_terminal

    command = re.search(r"`access (scenario redbridge-2017 --from 2018_2025 --open \"Gants Hill=51.5765,0.0661\" "
                        r"--close ilford -m walk --offline)`", WHAT_IF.read_text(encoding="utf-8")).group(1)
    block = WHAT_IF.read_text(encoding="utf-8").split(f"`access {command}`", 1)[1].split("```\n", 1)[1]
    block = block.split("```", 1)[0]
    args = ["scenario", "redbridge-2017", "--from", "2018_2025", "--open", "Gants Hill=51.5765,0.0661", "--close",
            "ilford", "-m", "walk", "--offline", "--no-maps", "--out", str(tmp_path / "out")]
    session = run_in_terminal([access_command(), *args], columns=100, cwd=tmp_path, timeout_s=300)
    assert session.code == 0, session
    shown = session.lines
    for line in block.strip("\n").splitlines():
        assert line.rstrip() in shown, f"manual line not shown in the terminal: {line!r}"
