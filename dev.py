#!/usr/bin/env python3
"""Set up and run the project on a machine that has only Python 3.

    python3 dev.py study   # create .venv, install, fetch any source data missing, run the Redbridge study
    python3 dev.py test    # create .venv, install with test extras, lint (ruff), run the tests
    python3 dev.py bench   # create .venv, install with bench extras, run the benchmarks (--quick: tiny)
    python3 dev.py docs    # create .venv with test extras, refresh the CLI reference, build the manual into site/

Extra arguments go to the command: `python3 dev.py study --offline`,
`python3 dev.py test -k network`.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_venv(extras: str) -> None:
    """Create .venv and install the package (editable) unless pyproject.toml is unchanged."""
    if not PYTHON.exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{extras or 'base'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    # an install with any extras holds the base install too: `study` after `test` installs nothing more
    enough = [stamp] if extras else [stamp, *VENV.glob(".installed-*")]
    if any(path.exists() and path.read_text() == digest for path in enough):
        return
    target = f".[{extras}]" if extras else "."
    print(f"installing frontcounter-access{f'[{extras}]' if extras else ''} into {VENV}", flush=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    # This project was once installed under the distribution name "access" (PySAL's name on PyPI); an
    # old .venv may still hold that install, which claims the same import package: remove it first.
    subprocess.run([str(PYTHON), "-m", "pip", "uninstall", "--quiet", "--yes", "access"], check=False,
                   capture_output=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", target], check=True, cwd=ROOT)
    stamp.write_text(digest)


def fetch_missing_data(study: str) -> int:
    """Fetch the source tables ``study`` reads that neither the data folder nor the mirror holds; return the code.

    With the data mirror beside the repository (or in ACCESS_DATA_MIRROR), or a data folder already filled,
    nothing is downloaded.  Without either, online, `access data fetch` downloads the publishers' files and
    derives the tables; offline, it says in one line what it could not reach.
    """
    return subprocess.run([str(BIN / "access"), "data", "fetch", "--study", study], cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    """Run ``study``, ``test``, ``bench`` or ``docs`` with the rest of ``argv``; return the exit code."""
    if not argv or argv[0] not in ("study", "test", "bench", "docs"):
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "study":
        ensure_venv("")
        fetched = fetch_missing_data("redbridge-2017")
        if fetched != 0:
            return fetched
        return subprocess.run([str(BIN / "access"), "run", "redbridge-2017", *rest], cwd=ROOT).returncode
    if command == "bench":
        ensure_venv("bench")
        return subprocess.run([str(PYTHON), "-m", "bench.run", *rest], cwd=ROOT).returncode
    ensure_venv("test")
    if command == "docs":  # the command-line reference is made from the commands' own --help, then the site
        reference = ROOT / "docs" / "reference" / "cli.md"
        made = subprocess.run([str(PYTHON), "-m", "access.cli.reference", str(reference)], cwd=ROOT)
        if made.returncode != 0:
            return made.returncode
        return subprocess.run([str(BIN / "mkdocs"), "build", "--strict", *rest], cwd=ROOT).returncode
    # Lint first (pycodestyle, pyflakes, isort, numpy docstrings, bugbear, pyupgrade; see pyproject.toml): the
    # suite fails on a lint error as on a failing test.  The layering is a test (tests/test_layers.py).
    lint = subprocess.run([str(BIN / "ruff"), "check", "access", "tests", "bench", "dev.py"], cwd=ROOT)
    if lint.returncode != 0:
        print("ruff found the problems above; fix them (ruff check --fix fixes some) and run again", flush=True)
        return lint.returncode
    # Two worker processes (pytest-xdist; "-p no:xdist" in the extra arguments runs in one): the suite's tests
    # are independent, and most of its time is one process computing while another could.
    workers = [] if any(arg.startswith(("-n", "--numprocesses", "-p")) for arg in rest) else ["-n", "2"]
    return subprocess.run([str(PYTHON), "-m", "pytest", *workers, *rest], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
