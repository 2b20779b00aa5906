"""Where access looks for things: data mirror, project data, cache, Overpass.

Each setting is read from the environment when it is asked for, so a test or
a user can change it between runs without re-importing the package.

=====================  ==========================================  ==================================
variable               meaning                                     default
=====================  ==========================================  ==================================
``ACCESS_DATA_DIR``     data fetched from the publishers            the user data folder (platformdirs)
``ACCESS_DATA_MIRROR``  the source-data mirror (read only)          ``../shared/data`` beside the repo
``ACCESS_DOWNLOAD_TIMEOUT`` seconds a download may wait for the server  ``60``
``ACCESS_DOWNLOAD_RETRIES`` further tries after a failed download      ``2``
``ACCESS_DOWNLOAD_BASE_URL`` fetch the publishers' files from here      each file's own URL
``ACCESS_PROJECT_DATA`` studies, counters, sources, detour factors  ``data/`` in the repository
``ACCESS_STUDY_PATH``   more folders of study files, found by name  (none; the current folder first)
``ACCESS_CACHE_DIR``    built street networks                       ``$XDG_CACHE_HOME/access``
``ACCESS_OVERPASS_URL`` the Overpass API endpoint OSMnx queries     ``https://overpass-api.de/api``
``ACCESS_OVERPASS_TIMEOUT`` seconds one download may take, at most  ``180``
``ACCESS_MEMORY_BUDGET_MB`` the most memory one computation may ask  ``4096``
=====================  ==========================================  ==================================
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from access.core.errors import SettingError

__all__ = ["repo_root", "project_data_dir", "study_path", "mirror_dir", "data_dir", "cache_dir", "overpass_url",
           "overpass_timeout_s", "download_timeout_s", "download_retries", "download_base_url", "memory_budget_mb"]

DEFAULT_OVERPASS_URL = "https://overpass-api.de/api"


def repo_root() -> Path:
    """Return the repository that holds this package (``access/..``)."""
    return Path(__file__).resolve().parents[2]


def project_data_dir() -> Path:
    """Return the project's own ``data/`` folder: study definitions, counters, detour factors.

    ``ACCESS_PROJECT_DATA`` points elsewhere, for a non-editable install or your own studies.
    """
    configured = os.environ.get("ACCESS_PROJECT_DATA")
    if configured:
        return Path(configured).expanduser().resolve()
    return repo_root() / "data"


def study_path() -> list[Path]:
    """Return the folders of ``ACCESS_STUDY_PATH`` (``os.pathsep``-separated), where studies are found by name."""
    text = os.environ.get("ACCESS_STUDY_PATH", "")
    return [Path(part).expanduser() for part in text.split(os.pathsep) if part.strip()]


def mirror_dir() -> Path:
    """Return the source-data mirror: ``ACCESS_DATA_MIRROR`` or ``../shared/data`` beside the repo."""
    configured = os.environ.get("ACCESS_DATA_MIRROR")
    if configured:
        return Path(configured).expanduser().resolve()
    return (repo_root().parent / "shared" / "data").resolve()


def data_dir() -> Path:
    """Return the folder ``access data fetch`` writes to: ``ACCESS_DATA_DIR`` or the user's data folder.

    The user's data folder is platformdirs' ``user_data_dir("access")``: ``~/.local/share/access``
    on Linux, ``~/Library/Application Support/access`` on macOS, the local app-data folder on Windows.
    """
    configured = os.environ.get("ACCESS_DATA_DIR")
    if configured:
        return Path(configured).expanduser().resolve()
    import platformdirs  # only when asked: keeps ``import access`` light

    return Path(platformdirs.user_data_dir("access", appauthor=False))


def cache_dir() -> Path:
    """Where built street networks are cached: ``ACCESS_CACHE_DIR`` or the XDG cache."""
    configured = os.environ.get("ACCESS_CACHE_DIR")
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "access"


def overpass_url() -> str:
    """Return the Overpass API base URL (without ``/interpreter``)."""
    return os.environ.get("ACCESS_OVERPASS_URL", DEFAULT_OVERPASS_URL).rstrip("/")


def _positive(name: str, default: float) -> float:
    text = os.environ.get(name)
    if text is None or not text.strip():
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not math.isfinite(value) or value <= 0:
        raise SettingError(f"{name}={text!r} is not a positive number; set it to one, or unset it "
                           f"(default {default:g})")
    return value


def overpass_timeout_s() -> float:
    """Return the seconds one Overpass download may take before the estimate is used (``ACCESS_OVERPASS_TIMEOUT``).

    Raises
    ------
    SettingError
        The variable is set to something other than a positive number.
    """
    return _positive("ACCESS_OVERPASS_TIMEOUT", 180.0)


def download_timeout_s() -> float:
    """Return the seconds a download may wait for the server to answer or send more (``ACCESS_DOWNLOAD_TIMEOUT``).

    Raises
    ------
    SettingError
        The variable is set to something other than a positive number.
    """
    return _positive("ACCESS_DOWNLOAD_TIMEOUT", 60.0)


def download_retries() -> int:
    """Return how many more times a failed download is tried (``ACCESS_DOWNLOAD_RETRIES``, 0 to 10; default 2).

    Raises
    ------
    SettingError
        The variable is not a whole number from 0 to 10.
    """
    text = os.environ.get("ACCESS_DOWNLOAD_RETRIES", "").strip()
    if not text:
        return 2
    if not text.isdigit() or int(text) > 10:
        raise SettingError(f"ACCESS_DOWNLOAD_RETRIES={text!r} is not a whole number from 0 to 10; set it to one, "
                           f"or unset it (default 2)")
    return int(text)


def download_base_url() -> str:
    """Return ``ACCESS_DOWNLOAD_BASE_URL`` without its trailing slash, or ``""`` (each file's own URL).

    When set, ``access data fetch`` asks for every publisher's file at ``BASE/<file name>``
    instead: an organisation's own copy of the publishers' files, on its intranet.
    """
    return os.environ.get("ACCESS_DOWNLOAD_BASE_URL", "").strip().rstrip("/")


def memory_budget_mb() -> float:
    """Return the most memory (MB) one computation may ask for before it is refused (``ACCESS_MEMORY_BUDGET_MB``).

    A siting grid, a sweep or a matrix is estimated before it is made; one over the
    budget is refused with what to change.  Raise it on a large machine.

    Raises
    ------
    SettingError
        The variable is set to something other than a positive number.
    """
    return _positive("ACCESS_MEMORY_BUDGET_MB", 4096.0)
