"""Where access looks for things: data mirror, project data, cache, Overpass.

Each setting is read from the environment when it is asked for, so a test or
a user can change it between runs without re-importing the package.

=====================  ==========================================  ==================================
variable               meaning                                     default
=====================  ==========================================  ==================================
``ACCESS_DATA_MIRROR``  the source-data mirror (read only)          ``../shared/data`` beside the repo
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

__all__ = ["repo_root", "project_data_dir", "study_path", "mirror_dir", "cache_dir", "overpass_url",
           "overpass_timeout_s", "memory_budget_mb"]

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
