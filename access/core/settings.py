"""Where access looks for things: data mirror, project data, cache, Overpass.

Each setting is read from the environment when it is asked for, so a test or
a user can change it between runs without re-importing the package.

=====================  ==========================================  ==================================
variable               meaning                                     default
=====================  ==========================================  ==================================
``ACCESS_DATA_MIRROR``  the source-data mirror (read only)          ``../shared/data`` beside the repo
``ACCESS_PROJECT_DATA`` studies, counters, sources, detour factors  ``data/`` in the repository
``ACCESS_CACHE_DIR``    built street networks                       ``$XDG_CACHE_HOME/access``
``ACCESS_OVERPASS_URL`` the Overpass API endpoint OSMnx queries     ``https://overpass-api.de/api``
=====================  ==========================================  ==================================
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["repo_root", "project_data_dir", "mirror_dir", "cache_dir", "overpass_url"]

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
