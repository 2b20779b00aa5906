"""PNG screenshots of the HTML pages access writes, with headless Chromium.

``access screenshot maps/redbridge-2017/report.html docs/report.png`` makes
the README's picture of the report.  Chromium runs with a throw-away profile,
no background networking and no name resolution (:data:`CHROMIUM_FLAGS`), so
background map tiles are not drawn; the page is opened from a ``file://`` URL.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from access.core.errors import BrowserUnavailable, OutputError
from access.core.files import atomic_path, ensure_folder

__all__ = ["find_chromium", "screenshot", "CHROMIUM_NAMES", "CHROMIUM_FLAGS"]

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
"""Executables tried, in order, after ``ACCESS_CHROMIUM``."""

CHROMIUM_FLAGS: tuple[str, ...] = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
    "--virtual-time-budget=5000", "--host-resolver-rules=MAP * ~NOTFOUND",
)
"""Flags of every headless Chromium run.  Pages are local files with Leaflet inlined, so no host name
is resolved (``--host-resolver-rules``): a map's tile requests fail at once instead of waiting on a
DNS lookup that, offline, can hold the virtual-time budget, and the screenshot, for good."""


def find_chromium() -> str:
    """Return the Chromium executable: ``ACCESS_CHROMIUM`` if set, else the first of :data:`CHROMIUM_NAMES` on PATH.

    Raises
    ------
    BrowserUnavailable
        None is found.
    """
    chosen = os.environ.get("ACCESS_CHROMIUM")
    if chosen:
        if shutil.which(chosen) is None:
            raise BrowserUnavailable(f"ACCESS_CHROMIUM={chosen!r} is not an executable; fix or unset it")
        return chosen
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserUnavailable("no Chromium found (tried " + ", ".join(CHROMIUM_NAMES) + "); install it "
                             "(apt-get install -y chromium) or set ACCESS_CHROMIUM to its path")


def screenshot(page: Path | str, png: Path | str, *, width: int = 1280, height: int = 1800, scale: float = 1.0,
               timeout_s: float = 90) -> Path:
    """Write a PNG of the top ``width`` × ``height`` CSS pixels of ``page``, zoomed by ``scale``.

    The PNG is ``width × scale`` by ``height × scale`` pixels: ``scale`` below
    1 makes a smaller file of the same view.

    Raises
    ------
    OutputError
        ``page`` does not exist, the numbers are out of range, or Chromium
        fails or writes no PNG.
    BrowserUnavailable
        No Chromium is found.
    """
    page, png = Path(page).resolve(), Path(png).resolve()
    if not page.is_file():
        raise OutputError(f"page {str(page)!r} does not exist; run `access run` first to write it")
    if not (100 <= width <= 8000 and 100 <= height <= 20000 and 0.1 <= scale <= 4):
        raise OutputError(f"screenshot size {width}x{height} at scale {scale:g} is out of range "
                          f"(width 100–8000, height 100–20000, scale 0.1–4)")
    if png.is_dir():
        raise OutputError(f"{str(png)!r} is a folder; give the screenshot's file name, ending .png (e.g. "
                          f"{str(png / 'report.png')!r})")
    if png.suffix.lower() != ".png":
        raise OutputError(f"{str(png)!r} does not end .png; screenshots are PNG files: give a name such as "
                          f"{str(png.with_suffix('.png'))!r}")
    ensure_folder(png.parent)
    exe = find_chromium()
    with tempfile.TemporaryDirectory(prefix="access-chromium-") as profile, atomic_path(png) as tmp:
        command = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--force-device-scale-factor={scale:g}",
                   f"--window-size={width},{height}", f"--screenshot={tmp}", page.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired as exc:
            raise OutputError(f"Chromium took longer than {timeout_s:g} s on {page}; try again or a smaller "
                              f"--height") from exc
        if done.returncode != 0 or not tmp.is_file():
            said = [line for line in done.stderr.splitlines() if line.strip() and "dbus" not in line.lower()]
            raise OutputError(f"Chromium wrote no screenshot of {page} to {png} (exit {done.returncode}): "
                              f"{' '.join(said[-2:])[-400:] or 'it said nothing'}")
    return png
