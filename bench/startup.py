"""Start-up: how long the command line takes to answer ``--help``, against Python itself.

Each command is run as a whole process, as a person runs it, several times; the row is the
quickest run (start-up varies with the disk cache and the machine's load, and the quickest is
the least disturbed).  The baseline is ``python -c pass`` (the interpreter alone), run in
the same loop; ``import geopandas`` is shown beside it for what loading the library stack
costs, which ``--help`` must not pay.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from bench.common import frame

BASELINE = "python -c pass"
ACCESS = str(Path(sys.executable).parent / "access")


def commands() -> dict[str, list[str]]:
    """Return the commands measured, by name."""
    return {
        BASELINE: [sys.executable, "-c", "pass"],
        "python -c 'import geopandas' (for reference)": [sys.executable, "-c", "import geopandas"],
        "access --help": [ACCESS, "--help"],
        "access run --help": [ACCESS, "run", "--help"],
        "access scenario --help": [ACCESS, "scenario", "--help"],
    }


def _once(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def run(quick: bool = False) -> pd.DataFrame:
    """Return the quickest of several runs of each command, run in turn so that drift hits each alike."""
    repeats = 3 if quick else 9
    measured = commands()
    best = {name: float("inf") for name in measured}
    for _ in range(repeats):
        for name, argv in measured.items():
            best[name] = min(best[name], _once(argv))
    rows = [{"benchmark": "start-up", "case": "command-line help", "method": name, "seconds": seconds,
             "baseline": BASELINE, "notes": f"quickest of {repeats} runs"} for name, seconds in best.items()]
    return frame(rows)
