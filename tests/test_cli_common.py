"""Every command as a person runs it, in a real (pseudo-)terminal.

Each finishes, draws its progress, leaves the cursor shown and stops at Ctrl-C, on any terminal
type, colour setting, width and encoding.
"""

import io
import os
import re
import subprocess
import sys

import pytest
from rich.console import Console
from rich.file_proxy import FileProxy

from access.cli import common

from terminal import ERASE_LINE, access_command, run_in_terminal

ACCESS = access_command()
WALK = ["--offline", "-m", "walk"]

COMMANDS = {
    "run": ["run", "redbridge-2017", *WALK, "--no-maps"],
    "scenario": ["scenario", "redbridge-2017", "gants-hill", *WALK, "--no-maps"],
    "compare": ["compare", "redbridge-2017", "2018_2025", "2013_2017", *WALK, "--no-maps"],
    "hours": ["hours", "redbridge-2017", *WALK],
    "sweep": ["sweep", "redbridge-2017", *WALK],
    "site": ["site", "redbridge-2017", *WALK, "--no-maps", "-p", "1"],
    "explore": ["explore", "redbridge-2017", *WALK],
    "calibrate": ["calibrate", "--osm-file", "city_of_london_osm", "--name", "city", "--sources", "5"],
}
"""Every command that computes, with the smallest real work that still shows a progress bar."""


def _out(command: str, tmp_path) -> list[str]:
    return ["--out", str(tmp_path / ("detour_factors.toml" if command == "calibrate" else command))]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_finishes_in_a_terminal_with_its_progress_and_the_cursor_shown(command, tmp_path):
    session = run_in_terminal([ACCESS, *COMMANDS[command], *_out(command, tmp_path)], cwd=tmp_path, timeout_s=240)
    assert session.code == 0, session
    label = "calibrate" if command == "calibrate" else "redbridge-2017"
    assert f"{label}:" in session.text, session  # the bar's description
    assert session.output.count(ERASE_LINE) >= 2, session  # the bar was redrawn: frames, not one line
    assert session.cursor_shown, session
    assert "Traceback" not in session.text


def test_ctrl_c_typed_during_a_london_wide_run_stops_it_at_once(tmp_path):
    session = run_in_terminal([ACCESS, "run", "london-2017", "--offline", "--out", str(tmp_path / "london")],
                              cwd=tmp_path, interrupt_on=b"travel times", interrupt_after_s=1.0, timeout_s=240)
    assert session.interrupted_at is not None, session
    assert session.code == 130, session
    assert session.seconds_after_interrupt < 5, session
    lines = [line for line in session.text.splitlines() if line.startswith("error:")]
    assert lines == ["error: interrupted; outputs already in place were left as they were"], session
    assert "Traceback" not in session.text and "KeyboardInterrupt" not in session.text
    assert session.cursor_shown
    assert not (tmp_path / "london" / "summary.json").exists()  # nothing half-written took its place


TERMINALS = {
    "dumb": ({"TERM": "dumb"}, 100),
    "no-colour": ({"NO_COLOR": "1"}, 100),
    "60 columns": ({"COLUMNS": "60"}, 60),
    "ascii locale": ({"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}, 100),
    "latin-1": ({"PYTHONIOENCODING": "latin-1"}, 100),
}


@pytest.mark.parametrize("kind", TERMINALS)
def test_a_run_finishes_on_every_kind_of_terminal(kind, tmp_path):
    env, columns = TERMINALS[kind]
    session = run_in_terminal([ACCESS, *COMMANDS["run"], "--out", str(tmp_path / "out")], env=env, columns=columns,
                              cwd=tmp_path, timeout_s=240)
    assert session.code == 0, session
    assert "Traceback" not in session.text
    assert (tmp_path / "out" / "summary.json").is_file()
    text = session.text
    assert "redbridge-2017: " in text, session  # progress shown, as frames or as lines
    if kind == "dumb":  # a terminal that cannot redraw a line: one line per step, no cursor movement
        assert ERASE_LINE not in session.output
        assert re.search(r"redbridge-2017: .* \[\d/\d\]", text), session
    if kind == "no-colour":
        sgr = [params.split(b";") for params in re.findall(rb"\x1b\[([0-9;]*)m", session.output)]
        colours = [p for params in sgr for p in params if p and (30 <= int(p) <= 49 or 90 <= int(p) <= 107)]
        assert not colours, session  # bold may stay (NO_COLOR is about colour), colour may not
    if kind == "60 columns":
        printed = session.output.split(b"\x1b[2K")[-1].decode("utf-8", "replace")  # after the last bar frame
        lines = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", printed).replace("\r", "").splitlines()
        widths = [len(line) for line in lines if not line.startswith(("wrote ", "open "))]  # paths: whole lines
        assert max(widths) <= 60, session
    if kind in ("ascii locale", "latin-1"):
        encoding = "ascii" if kind == "ascii locale" else "latin-1"
        session.output.decode(encoding)  # every byte is the terminal's own encoding
        assert "<=30" in text and "->" in text, session  # ≤ and → in plain characters, not '?'


def test_the_stream_looks_through_a_live_display_to_the_real_stream(monkeypatch):
    """The loop that hung every command in a terminal.

    A Rich live display swaps sys.stderr for a proxy that prints through a console; the console's
    stream must not write back into that proxy.
    """
    real = io.StringIO()
    monkeypatch.setattr(sys, "stderr", real)
    stream = common._Stream("stderr")
    console = Console(file=stream, force_terminal=True, width=40)
    monkeypatch.setattr(sys, "stderr", FileProxy(console, real))
    assert stream.stream is real
    stream.write("one line\n")
    sys.stderr.write("through the proxy\n")
    sys.stderr.flush()
    assert "one line" in real.getvalue() and "through the proxy" in real.getvalue()


def test_progress_never_hides_the_cursor_nor_swaps_the_streams(monkeypatch):
    terminal = io.StringIO()
    terminal.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setenv("TERM", "xterm-256color")
    before = sys.stdout, sys.stderr
    with common.progress("demo", total=2) as step:
        assert (sys.stdout, sys.stderr) == before
        step("first")
        step("second")
    assert "\x1b[?25l" not in terminal.getvalue()
    assert "demo: second" in terminal.getvalue()


def test_a_dumb_terminal_gets_one_line_per_step(monkeypatch):
    terminal = io.StringIO()
    terminal.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setenv("TERM", "dumb")
    with common.progress("demo", total=2) as step:
        step("first")
        step("second")
    assert terminal.getvalue().splitlines() == ["demo: first [1/2]", "demo: second [2/2]"]


def test_piped_output_shows_no_progress(monkeypatch):
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    with common.progress("demo", total=1) as step:
        step("first")
    assert piped.getvalue() == ""


HELP_COMMANDS = ["", "run", "studies", "new-study", "calibrate", "screenshot", "scenario", "compare", "hours", "sweep",
                 "site", "explore"]


@pytest.mark.parametrize("command", HELP_COMMANDS)
def test_help_at_80_columns_cuts_nothing_and_shows_no_type_names(command):
    done = subprocess.run([ACCESS, *command.split(), "--help"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    text = done.stdout
    described = "\n".join(line for line in text.splitlines() if not line.startswith("Usage:"))
    assert "…" not in text and not re.search(r"\.\.\.$", described, re.M), text  # nothing cut short
    assert not re.search(r"<(bool|str|int|float|path|list\[str\]|list\[int\])>", text), text
    assert max(len(line) for line in text.splitlines()) <= 80, text


def test_help_loads_no_heavy_library():
    """`access --help` and `access run --help` answer without pandas, geopandas, numpy, folium or OSMnx."""
    script = ("import sys\nfrom access.cli import entry\nsys.argv = ['access', *sys.argv[1:]]\n"
              "try:\n    entry()\nexcept SystemExit:\n    pass\n"
              "heavy = sorted({'numpy', 'pandas', 'geopandas', 'folium', 'osmnx', 'scipy', 'shapely', 'pyproj'}"
              " & set(sys.modules))\nprint('HEAVY', heavy)\n")
    for args in ([], ["run"], ["scenario"]):
        done = subprocess.run([sys.executable, "-c", script, *args, "--help"], capture_output=True, text=True,
                              timeout=60)
        assert "HEAVY []" in done.stdout, (args, done.stdout[-300:], done.stderr[-2000:])


USAGE_ERRORS = {
    "a bad choice": (["run", "redbridge-2017", "--format", "xml"],
                     "invalid value for --format: 'xml' is not one of 'table', 'csv', 'json'; see 'access run --help'"),
    "not a number": (["hours", "--within", "abc"],
                     "invalid value for --within: 'abc' is not a number; see 'access hours --help'"),
    "not a whole number": (["site", "-p", "x"],
                           "invalid value for -p: 'x' is not a whole number; see 'access site --help'"),
    "a missing value": (["run", "--mode"], "Option '--mode' requires an argument; see 'access run --help'"),
    "a missing argument": (["scenario"], "Missing argument 'STUDY'; see 'access scenario --help'"),
    "an unknown option": (["sweep", "--bogus"], "No such option: --bogus; see 'access sweep --help'"),
}


@pytest.mark.parametrize("case", USAGE_ERRORS)
def test_a_usage_error_is_one_plain_line_pointing_at_the_commands_help(case):
    args, line = USAGE_ERRORS[case]
    done = subprocess.run([ACCESS, *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"error: {line}"]
    assert "Value error" not in done.stderr and "Input should" not in done.stderr


@pytest.mark.parametrize("after_s", [0.3, 0.6, 1.2])
def test_ctrl_c_while_the_command_starts_is_one_line(after_s, tmp_path):
    """Ctrl-C typed while the command is still loading (before any progress shows) is answered with one line.

    (Before the first line of access runs, CPython is starting itself: that first moment, tens of
    milliseconds, is CPython's to answer.)
    """
    session = run_in_terminal([ACCESS, "run", "redbridge-2017", "--offline", "--out", str(tmp_path / "out")],
                              cwd=tmp_path, interrupt_on=b"", interrupt_after_s=after_s, timeout_s=120)
    assert session.code == 130, session
    assert "Traceback" not in session.text and "Fatal Python error" not in session.text, session
    assert session.text.count("error: ") == 1 and "error: interrupted" in session.text, session


def test_printing_to_a_full_disk_is_one_line():
    with open("/dev/full", "w") as full:
        done = subprocess.run([ACCESS, "studies"], stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["error: cannot print the results to standard output (No space left on "
                                        "device)"], done.stderr
