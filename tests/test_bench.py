"""The benchmark suite still runs: ``bench.run --quick`` on tiny inputs writes its three files.

Only the shape of the results is checked here, never a timing.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if str(ROOT) not in sys.path:  # bench/ is beside the package, not in it; its child processes need it too
        sys.path.insert(0, str(ROOT))
    from bench.run import main

    out = tmp_path_factory.mktemp("bench")
    assert main(["--quick", "--out", str(out)]) == 0
    return out


def test_quick_run_writes_markdown_json_and_png(quick_results: Path) -> None:
    from bench.common import COLUMNS
    from bench.run import MODULES

    result = json.loads((quick_results / "latest.json").read_text())
    assert result["meta"]["quick"] is True and result["meta"]["modules"] == MODULES
    rows = result["rows"]
    assert rows and all(set(row) == set(COLUMNS) for row in rows)
    benchmarks = {row["benchmark"] for row in rows}
    assert {"start-up", "nearest counter", "scenario", "scaling: network size", "scaling: counters", "end to end",
            "explorer", "OSM build", "routing", "transit: against the brute force", "transit: scaling",
            "transit: London-wide"} <= benchmarks
    startup = {row["method"]: row for row in rows if row["benchmark"] == "start-up"}
    assert startup["python -c pass"]["ratio"] == pytest.approx(1.0) and startup["access --help"]["seconds"] > 0
    assert any(t["target"] == "access --help ÷ import geopandas" for t in result["targets"])
    transit = [row for row in rows if row["benchmark"] == "transit: against the brute force"]
    assert any(str(row["notes"]).endswith("to the second: yes") for row in transit), transit
    failed = [row for row in rows if str(row["notes"]).startswith("failed")]
    assert not failed, failed

    nearest = {row["method"]: row for row in rows if row["benchmark"] == "nearest counter"}
    for method in ("access nearest_node_times", "access nearest_times", "access matrix + nearest_open",
                   "scipy min_only", "networkx multi_source"):
        assert nearest[method]["seconds"] > 0 and nearest[method]["peak_mb"] > 0
        assert "max |Δ| vs scipy" in nearest[method]["notes"]
    assert nearest["scipy min_only"]["ratio"] == pytest.approx(1.0)
    stages = {row["method"] for row in rows if row["benchmark"] == "end to end"}
    assert {"load", "network", "snap", "route", "measure", "maps", "write", "total"} <= stages
    warm = [row for row in rows if row["benchmark"] == "end to end" and row["method"] == "total"
            and row["case"].endswith("warm cache")]
    assert warm and "no network rebuilt" in warm[0]["notes"]
    explorer = {row["method"]: row for row in rows if row["benchmark"] == "explorer"}
    switch = explorer["explorer: one switch, figures + map repainted (Chromium)"]
    if str(switch["notes"]).startswith("skipped"):  # no Chromium here (on CI the browser tests insist on one)
        assert os.environ.get("CI") != "true", switch["notes"]
    else:
        assert switch["seconds"] > 0 and switch["ratio"] > 0 and "bytes" in explorer["page size"]["notes"]
    assert {target["target"] for target in result["targets"]}

    build = {row["method"]: row for row in rows if row["benchmark"] == "OSM build"}
    assert set(build) == {"access (pyosmium + numpy)", "before: OSMnx graph", "pyrosm + networkx graph"}
    assert all("SYNTHETIC" in row["case"] and row["seconds"] > 0 for row in build.values())
    assert build["access (pyosmium + numpy)"]["n_nodes"] == build["before: OSMnx graph"]["n_nodes"]
    routed = [row for row in rows if row["benchmark"] == "routing"]
    assert len({row["notes"].split("checksum")[1] for row in routed}) == 1  # every method the same answer

    markdown = (quick_results / "latest.md").read_text()
    assert "## Targets" in markdown and "## nearest counter" in markdown and "## end to end" in markdown
    assert (quick_results / "latest.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_merge_replaces_one_benchmark_and_keeps_the_others(quick_results: Path, tmp_path: Path) -> None:
    import shutil

    from bench.run import main

    for name in ("latest.json", "latest.md", "latest.png"):
        shutil.copy(quick_results / name, tmp_path / name)
    before = json.loads((tmp_path / "latest.json").read_text())
    assert main(["--quick", "--out", str(tmp_path), "--only", "sweep", "--merge"]) == 0
    after = json.loads((tmp_path / "latest.json").read_text())
    kept = [row for row in before["rows"] if row["benchmark"] != "sweep"]
    assert [row for row in after["rows"] if row["benchmark"] != "sweep"] == kept, "the other rows are untouched"
    assert {row["benchmark"] for row in after["rows"]} == {row["benchmark"] for row in before["rows"]}
    assert after["meta"]["module_runs"]["sweep"] >= before["meta"]["date"]
    assert "Merged runs" in (tmp_path / "latest.md").read_text() or len(set(after["meta"]["module_runs"].values())) == 1
    with pytest.raises(SystemExit):
        main(["--quick", "--out", str(tmp_path), "--merge"])  # --merge needs --only
