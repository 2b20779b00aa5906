"""The data mirror: find an input file by its key in ``data/sources.toml`` and check it."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from access.core import settings
from access.core.errors import ChecksumMismatch, MirrorFileMissing, StudyError

__all__ = ["Source", "sources", "mirror_file", "sha256_of", "ATTRIBUTION"]

ATTRIBUTION = (
    "Street network © OpenStreetMap contributors (ODbL). "
    "Postcodes: contains OS data © Crown copyright and database right 2025; contains Royal Mail "
    "data © Royal Mail copyright and database right 2025. Population, LSOAs and wards: contains "
    "National Statistics data © Crown copyright and database right (OGL v3.0); 2011 Census via "
    "the London Datastore. Boundaries contain OS data © Crown copyright and database right."
)
"""The attribution every output of a study made from the mirror carries: OpenStreetMap (ODbL), OS and ONS (OGL)."""

OWN_DATA_ATTRIBUTION = (
    "Street network © OpenStreetMap contributors (ODbL), where routed on OpenStreetMap. Residents, "
    "facilities and the study area: as supplied with the study, under their own terms."
)
"""The attribution of a study built in Python from the user's own data (:meth:`access.Study.from_frames`)."""

SHORT_ATTRIBUTION = "© Crown copyright (ONS, OS); © OpenStreetMap contributors"
""":data:`ATTRIBUTION` in a line, for a map's corner (the page carries the whole text too)."""

OWN_DATA_SHORT_ATTRIBUTION = "© OpenStreetMap contributors; the study's own data"
""":data:`OWN_DATA_ATTRIBUTION` in a line."""

SOURCES_FILE = "sources.toml"


@dataclass(frozen=True)
class Source:
    """One input file of the data mirror, as listed in ``data/sources.toml``."""

    key: str
    path: str
    sha256: str
    what: str
    attribution: str
    kind: str = ""


@lru_cache(maxsize=1)
def _read_sources(toml_path: Path) -> dict[str, Source]:
    try:
        with toml_path.open("rb") as fh:
            table = tomllib.load(fh)
        return {
            key: Source(key=key, path=entry["path"], sha256=entry["sha256"], what=entry.get("what", ""),
                        attribution=entry.get("attribution", ""), kind=entry.get("kind", ""))
            for key, entry in table.get("files", {}).items()
        }
    except FileNotFoundError as exc:
        raise StudyError(f"{toml_path} is missing: ACCESS_PROJECT_DATA must name a folder holding the project's "
                         f"data (studies/, counters/, sources.toml, detour_factors.toml), like the repository's "
                         f"data/; unset it to use that one") from exc
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise StudyError(f"{toml_path} cannot be read ({exc}); restore the repository's data/sources.toml") from exc


def sources() -> dict[str, Source]:
    """Every file listed in ``data/sources.toml``, by key."""
    return _read_sources(settings.project_data_dir() / SOURCES_FILE)


@lru_cache(maxsize=64)
def _hash_file(path: Path, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_of(path: Path) -> str:
    """Return the sha256 of a file, remembered while its size and mtime stay the same."""
    stat = path.stat()
    return _hash_file(path, stat.st_size, stat.st_mtime_ns)


def mirror_file(key: str) -> Path:
    """Return the checked path of the mirror file listed under ``key``.

    Raises
    ------
    StudyError
        ``key`` is not in ``data/sources.toml``.
    MirrorFileMissing
        The file is not in the mirror.
    ChecksumMismatch
        The file's sha256 is not the one recorded.
    """
    listed = sources()
    if key not in listed:
        raise StudyError(
            f"data source {key!r} is not listed in data/sources.toml; "
            f"use one of: {', '.join(sorted(listed))}"
        )
    source = listed[key]
    path = settings.mirror_dir() / source.path
    if not path.is_file():
        raise MirrorFileMissing(
            f"mirror file {source.path!r} not found at {path}; set ACCESS_DATA_MIRROR "
            f"to the folder that holds the data mirror (now {settings.mirror_dir()})"
        )
    actual = sha256_of(path)
    if actual != source.sha256:
        raise ChecksumMismatch(
            f"mirror file {path} has sha256 {actual}, but data/sources.toml expects "
            f"{source.sha256}; restore the original file, or if the new one is intended, "
            f"update its entry in data/sources.toml"
        )
    return path
