"""Benchmark: the what-if explorer page, its size and how fast it answers a switch, in headless Chromium.

* Redbridge (10 counters and Gants Hill × 4,599 postcodes × 3 modes, every counter kept: exact) and
  London-wide (77 counters × 180,754 postcodes × 3 modes, each origin's 24 nearest kept), both from the
  offline (straight-line) studies: the page's work does not depend on the model.
* Per case: the page's size; building it (Python); opening it (decoding the data, the first figures and
  map); and a switch: one counter off, every figure, the table, the LSOA map restyled and repainted (the
  next animation frame), then on again.  The baseline, in the same process, is the library computing the
  same figures for the same sets of counters in Python (``nearest_open``, ``group_figures`` for everyone,
  by LSOA and by ward, ``change_figures`` against the reference): ratio = page ÷ library.

Run alone with ``.venv/bin/python -m bench.explorer [--quick]``, or through ``python3 dev.py bench``.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench.common import best_time, frame, in_child

BASELINE = "library: the same figures in Python"
SWITCH = "explorer: one switch, figures + map repainted (Chromium)"
LIMITS_MB = {"redbridge-2017": 2, "london-2017": 30}
UPDATE_TARGET_S = {"redbridge-2017": 0.1, "london-2017": 1.0}


class _Chromium:
    """Headless Chromium driven over the DevTools pipe (the standard library only), as tests/browser.py does."""

    def __init__(self, width: int = 1280, height: int = 800) -> None:
        from access.outputs.screenshot import CHROMIUM_FLAGS, find_chromium

        self.profile = tempfile.TemporaryDirectory(prefix="access-bench-chromium-")
        to_chromium, from_chromium = os.pipe(), os.pipe()

        def pipes() -> None:
            os.dup2(os.dup(to_chromium[0]), 3)
            os.dup2(os.dup(from_chromium[1]), 4)

        flags = [f for f in CHROMIUM_FLAGS if not f.startswith("--virtual-time-budget")]
        self.process = subprocess.Popen([find_chromium(), *flags, f"--user-data-dir={self.profile.name}",
                                         "--remote-debugging-pipe", "about:blank"], preexec_fn=pipes,
                                        close_fds=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chromium[0])
        os.close(from_chromium[1])
        self.write, self.read = to_chromium[1], from_chromium[0]
        self.buffer, self.id, self.session = b"", 0, None
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1,
                                                         "mobile": False})

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self.id += 1
        message = {"id": self.id, "method": method, "params": params or {}}
        if self.session:
            message["sessionId"] = self.session
        os.write(self.write, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self.buffer:
                chunk = os.read(self.read, 1 << 16)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self.buffer += chunk
            raw, self.buffer = self.buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self.id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"the page's JavaScript failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def close(self) -> None:
        try:
            self.session = None
            self.send("Browser.close")
        except (RuntimeError, OSError):
            pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.write)
        os.close(self.read)
        self.profile.cleanup()


# JavaScript run in the page: switch each counter off (timed to the next frame, when the map is repainted),
# then on again; return the times and the sets of counters that were open.
_SWITCHES = r"""(async function (ids) {
  var api = window.accessExplorer, out = [];
  function frame() { return new Promise(function (done) { requestAnimationFrame(function () { done(); }); }); }
  for (var i = 0; i < ids.length; i++) {
    var change = {}; change[ids[i]] = false;
    await frame();
    var started = performance.now();
    var seen = api.set({on: change});
    await frame();
    out.push({ms: performance.now() - started, update_ms: seen.ms,
              open: seen.counters.map(function (c) { return c.available; })});
    change[ids[i]] = true;
    api.set({on: change});
  }
  return out;
})(%s)"""


def _library_seconds(board: Any, mode: str, masks: list[np.ndarray], reference: np.ndarray) -> float:
    """Seconds per set of counters for the library to give the page's figures (the reference already known)."""
    from access.analysis.figures import change_figures, group_figures, nearest_open

    residents = board.study.places.residents
    population = residents["population"].to_numpy(float)
    excluded = board.times[mode].excluded
    before = nearest_open(board.minutes[mode], reference, excluded)[0]

    def figures() -> None:
        for mask in masks:
            time_now = nearest_open(board.minutes[mode], mask, excluded)[0]
            group_figures(time_now, population, thresholds=(15, 30, 45))
            group_figures(time_now, population, residents["lsoa11"], thresholds=(), quantiles=False)
            group_figures(time_now, population, residents["ward_name"], thresholds=(), quantiles=False)
            change_figures(before, time_now, population, thresholds=(), quantiles=False)

    seconds, _ = best_time(figures, repeats=3)
    return seconds / len(masks)


def measure(name: str, quick: bool) -> dict[str, Any]:
    """Build the study's page, open it in Chromium, time switches; time the library on the same sets."""
    from access import load_study
    from access.outputs.explorer import explorer_html
    from access.whatif.board import build_board
    from access.whatif.scenario import period_scenario, study_scenarios

    logging.disable(logging.WARNING)  # the straight-line fallback is expected here
    study = load_study(name)
    modes = ["walk"] if quick else list(study.config.modes)
    board = build_board(study, list(study_scenarios(study).values()), modes=modes, offline=True)
    started = time.perf_counter()
    page = explorer_html(board)
    build_s = time.perf_counter() - started
    folder = tempfile.TemporaryDirectory(prefix="access-bench-explorer-")
    path = Path(folder.name) / "explorer.html"
    path.write_text(page, encoding="utf-8")
    size = path.stat().st_size
    ids = board.ids[: 3 if quick else 20]
    browser = _Chromium()
    try:
        browser.send("Page.enable")
        browser.send("Page.navigate", {"url": path.as_uri()})
        ready_ms = browser.evaluate("new Promise(function (done) { var wait = function () { "
                                    "if (window.accessExplorer && window.accessExplorer.ready) { "
                                    "window.accessExplorer.ready.then(function () { done(performance.now()); }); }"
                                    " else { setTimeout(wait, 5); } }; wait(); })")
        start = browser.evaluate("JSON.stringify(accessExplorer.read())")
        switches = browser.evaluate(_SWITCHES % json.dumps(ids))
    finally:
        browser.close()
        folder.cleanup()
    reading = json.loads(start)
    mode = reading["mode"]
    kind, key = reading["reference"].split(":", 1)
    reference = board.available(study_scenarios(study)[key] if kind == "scenario" else period_scenario(key))
    masks = [np.array(s["open"], dtype=bool) for s in switches]
    library_s = _library_seconds(board, mode, masks, reference)
    switch_s = statistics.median(s["ms"] for s in switches) / 1000
    update_s = statistics.median(s["update_ms"] for s in switches) / 1000
    shape = {"n_origins": len(study.places.residents), "n_counters": len(board.ids)}
    case = f"{name}, {', '.join(modes)}, {len(board.ids)} counters"
    mb = size / 1e6
    return {"rows": [
        {"case": case, "method": "page size", **shape,
         "notes": f"{mb:.2f} MB ({size:,} bytes; limit {LIMITS_MB[name]} MB)"},
        {"case": case, "method": "build the page (Python)", **shape, "seconds": build_s,
         "notes": "explorer_html: sorting, encoding, the sweep's ranks, the polygons"},
        {"case": case, "method": "open the page: decode, first figures and map (Chromium)", **shape,
         "seconds": ready_ms / 1000, "notes": "from navigation start"},
        {"case": case, "method": SWITCH, **shape, "seconds": switch_s,
         "notes": f"median of {len(switches)} switches; the update itself {update_s * 1000:.0f} ms, the rest is "
                  f"the repaint and the wait for the frame; target < {UPDATE_TARGET_S[name] * 1000:.0f} ms"},
        {"case": case, "method": BASELINE, **shape, "seconds": library_s,
         "notes": "nearest_open, group_figures (everyone, LSOAs, wards), change_figures, per set of counters"},
    ]}


def run(quick: bool = False) -> pd.DataFrame:
    """Redbridge and (unless quick) London-wide, each in its own process."""
    from access.core.errors import BrowserUnavailable
    from access.outputs.screenshot import find_chromium

    try:
        find_chromium()
    except BrowserUnavailable as exc:
        return frame([{"benchmark": "explorer", "case": "every case", "method": SWITCH,
                       "notes": f"skipped: {exc}"}])
    rows = []
    for name in ["redbridge-2017"] if quick else ["redbridge-2017", "london-2017"]:
        result = in_child(measure, name, quick, timeout_s=900)
        if "error" in result:
            rows.append({"benchmark": "explorer", "case": name, "method": SWITCH,
                         "notes": f"failed: {result['error']}"})
            continue
        for row in result["rows"]:
            baseline = BASELINE if row["method"] == SWITCH else None
            rows.append({"benchmark": "explorer", "baseline": baseline, "peak_mb": result["peak_mb"], **row})
    return frame(rows)


def _markdown(table: pd.DataFrame) -> str:
    lines = ["| case | method | seconds | ratio | notes |", "|---|---|---|---|---|"]
    for _, row in table.iterrows():
        seconds = "" if pd.isna(row["seconds"]) else f"{row['seconds']:.4f}"
        ratio = "" if pd.isna(row["ratio"]) else f"{row['ratio']:.2f}×"
        lines.append(f"| {row['case']} | {row['method']} | {seconds} | {ratio} | {row['notes']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(_markdown(run(quick="--quick" in sys.argv[1:])))
