"""The data registry: every file access reads, by key, where it is found and where it comes from.

``data/sources.toml`` lists each table a study reads (``[files.KEY]``: path, sha256, what it is,
attribution, and the publishers' downloads it is derived from) and each publisher's file
(``[downloads.NAME]``: publisher, URL, licence, vintage, size, sha256 where known).

A table is looked for in two places, in this order:

1. the **data folder** (:func:`access.core.settings.data_dir`: ``ACCESS_DATA_DIR``, by default
   the user's data folder), where ``access data fetch`` writes the tables it derives from the
   publishers' files; each is checked against the sha256 recorded in the folder's
   ``manifest.json`` when it was written;
2. the **data mirror** (``ACCESS_DATA_MIRROR``, by default ``../shared/data`` beside the
   repository), a read-only copy for machines without internet; each file is checked against
   the sha256 in ``data/sources.toml``.

A table in neither place is refused in one line that names the command that fetches it and
how much that downloads.  Everything above ``inputs/`` asks for a table by its key, so the
mirror, the data folder and a fresh download look the same from there.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from access.core import settings
from access.core.errors import ChecksumMismatch, MirrorFileMissing, StudyError

__all__ = ["Source", "Download", "sources", "downloads", "downloads_of", "local_authority_downloads", "data_file",
           "mirror_file", "find_file", "sha256_of", "manifest", "MANIFEST", "download_mb", "ATTRIBUTION",
           "LOCAL_AUTHORITY_ATTRIBUTION"]

ATTRIBUTION = (
    "Street network © OpenStreetMap contributors (ODbL). "
    "Postcodes: contains OS data © Crown copyright and database right 2025; contains Royal Mail "
    "data © Royal Mail copyright and database right 2025. Population, LSOAs and wards: contains "
    "National Statistics data © Crown copyright and database right (OGL v3.0); 2011 Census via "
    "the London Datastore. Boundaries contain OS data © Crown copyright and database right."
)
"""The attribution every output of a study made from the mirror carries: OpenStreetMap (ODbL), OS and ONS (OGL)."""

LOCAL_AUTHORITY_ATTRIBUTION = (
    "Street network © OpenStreetMap contributors (ODbL). Postcodes: contains OS data © Crown copyright and "
    "database right; contains Royal Mail data © Royal Mail copyright and database right (OS Code-Point Open). "
    "Postcode lookup, LSOA and local authority boundaries: contains National Statistics data © Crown copyright and "
    "database right (OGL v3.0). Residents: 2011 Census (KS101EW), Office for National Statistics, through Nomis."
)
"""The attribution of a study of a local authority made from ``access data fetch --local-authority``."""

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
MANIFEST = "manifest.json"
"""The data folder's record of what ``access data fetch`` wrote: each file's sha256, and each download's."""


@dataclass(frozen=True)
class Source:
    """One table access reads, as listed in ``data/sources.toml`` (``[files.KEY]``).

    ``downloads`` names the publishers' files it is derived from and ``derive`` the function of
    :mod:`access.inputs.derivations` that does it; a table with neither has ``fetch``: why it is
    read from the mirror only.
    """

    key: str
    path: str
    sha256: str
    what: str
    attribution: str
    kind: str = ""
    size_mb: float = 0.0
    downloads: tuple[str, ...] = ()
    derive: str = ""
    fetch: str = ""

    @property
    def fetchable(self) -> bool:
        """Whether ``access data fetch`` can make this table from the publishers' files."""
        return bool(self.downloads and self.derive)


@dataclass(frozen=True)
class Download:
    """One publisher's file as published (``[downloads.NAME]``).

    ``sha256`` is empty where the raw file's hash is not known: the first fetch pins it in the
    data folder's manifest.
    """

    name: str
    title: str
    publisher: str
    page: str
    url: str
    file: str
    licence: str
    attribution: str
    vintage: str
    size_mb: float
    sha256: str = ""
    format: str = ""
    updates: str = ""


def _text(entry: dict[str, Any], key: str) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str):
        raise TypeError(f"{key} must be text, not {value!r}")
    return value


@lru_cache(maxsize=1)
def _read_registry(toml_path: Path) -> tuple[dict[str, Source], dict[str, Download], tuple[str, ...]]:
    try:
        with toml_path.open("rb") as fh:
            table = tomllib.load(fh)
        found = {
            key: Source(key=key, path=entry["path"], sha256=entry["sha256"], what=_text(entry, "what"),
                        attribution=_text(entry, "attribution"), kind=_text(entry, "kind"),
                        size_mb=float(entry.get("size_mb", 0.0)), downloads=tuple(entry.get("from", ())),
                        derive=_text(entry, "derive"), fetch=_text(entry, "fetch"))
            for key, entry in table.get("files", {}).items()
        }
        published = {
            name: Download(name=name, title=entry["title"], publisher=entry["publisher"], page=_text(entry, "page"),
                           url=entry["url"], file=entry["file"], licence=entry["licence"],
                           attribution=entry["attribution"], vintage=entry["vintage"],
                           size_mb=float(entry["size_mb"]), sha256=_text(entry, "sha256"),
                           format=_text(entry, "format"), updates=_text(entry, "updates"))
            for name, entry in table.get("downloads", {}).items()
        }
        local = tuple(table.get("local_authority", {}).get("from", ()))
    except FileNotFoundError as exc:
        raise StudyError(f"{toml_path} is missing: ACCESS_PROJECT_DATA must name a folder holding the project's "
                         f"data (studies/, counters/, sources.toml, detour_factors.toml), like the repository's "
                         f"data/; unset it to use that one") from exc
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError, UnicodeDecodeError) as exc:
        raise StudyError(f"{toml_path} cannot be read ({exc}); restore the repository's data/sources.toml") from exc
    unknown = sorted(({name for s in found.values() for name in s.downloads} | set(local)) - set(published))
    if unknown:
        raise StudyError(f"{toml_path}: download(s) {', '.join(unknown)} are named but not listed under "
                         f"[downloads]; restore the repository's data/sources.toml")
    return found, published, local


def _registry() -> tuple[dict[str, Source], dict[str, Download], tuple[str, ...]]:
    return _read_registry(settings.project_data_dir() / SOURCES_FILE)


def sources() -> dict[str, Source]:
    """Every table listed in ``data/sources.toml``, by key.

    >>> sources()["postcodes"].downloads
    ('codepoint_open', 'ons_postcode_lookup')
    """
    return _registry()[0]


def downloads() -> dict[str, Download]:
    """Every publisher's file listed in ``data/sources.toml``, by name.

    >>> downloads()["codepoint_open"].publisher
    'Ordnance Survey'
    """
    return _registry()[1]


def downloads_of(keys: Sequence[str]) -> list[str]:
    """Return the publishers' downloads the tables ``keys`` are derived from, each once, in order.

    >>> downloads_of(["postcodes", "postcodes"]) == list(sources()["postcodes"].downloads)
    True
    """
    listed = sources()
    return list(dict.fromkeys(name for key in keys for name in listed[key].downloads))


def local_authority_downloads() -> tuple[str, ...]:
    """Return the downloads a study of any local authority in England and Wales is made from (``[local_authority]``)."""
    return _registry()[2]


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


def manifest(folder: Path | None = None) -> dict[str, Any]:
    """Return the data folder's manifest: ``{"files": {path: record}, "downloads": {name: record}}``.

    A record holds at least ``sha256``.  A missing or unreadable manifest reads as empty (then
    nothing in the folder counts as fetched).
    """
    path = (folder if folder is not None else settings.data_dir()) / MANIFEST
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"files": {}, "downloads": {}}
    if not isinstance(loaded, dict):
        return {"files": {}, "downloads": {}}
    return {"files": dict(loaded.get("files") or {}), "downloads": dict(loaded.get("downloads") or {})}


def download_mb(names: tuple[str, ...] | list[str], folder: Path | None = None) -> float:
    """Return how many MB fetching ``names`` downloads: those not yet in the data folder's ``downloads/``."""
    folder = folder if folder is not None else settings.data_dir()
    listed = downloads()
    return sum(listed[n].size_mb for n in dict.fromkeys(names) if not (folder / "downloads" / listed[n].file).is_file())


def _fetch_hint(source: Source) -> str:
    if not source.fetchable:
        return f"it is not published anywhere to download ({source.fetch or 'no publisher file'})"
    return (f"run 'access data fetch {source.key}' (downloads about {download_mb(source.downloads):,.0f} MB into "
            f"{settings.data_dir()})")


def find_file(relative: str, *, expected: str = "", what: str = "") -> Path:
    """Return the checked path of a data file by its path under the data folder or the mirror.

    The data folder is looked in first (the file is checked against the sha256 its manifest
    recorded), then the mirror (checked against ``expected``, when given).

    Raises
    ------
    MirrorFileMissing
        The file is in neither place.
    ChecksumMismatch
        The file's sha256 is not the one recorded.
    """
    folder = settings.data_dir()
    fetched = folder / relative
    if fetched.is_file():
        recorded = manifest(folder)["files"].get(relative, {}).get("sha256", "")
        actual = sha256_of(fetched)
        if actual != recorded and actual != expected:  # (a copy of the project's own file is fine too)
            raise ChecksumMismatch(
                f"data file {fetched} has sha256 {actual}, but {folder / MANIFEST} "
                f"{'records ' + recorded if recorded else 'has no record of it'}; fetch it again with "
                f"'access data fetch{' ' + what if what else ''}' to restore the original file, or delete it to "
                f"read the mirror's copy")
        return fetched
    path = settings.mirror_dir() / relative
    if not path.is_file():
        raise MirrorFileMissing(f"data file {relative!r} not found in the data folder ({folder}) or the mirror "
                                f"({settings.mirror_dir()}); fetch it with 'access data fetch"
                                f"{' ' + what if what else ''}', or set ACCESS_DATA_MIRROR to a copy of the mirror")
    if expected:
        actual = sha256_of(path)
        if actual != expected:
            raise ChecksumMismatch(
                f"mirror file {path} has sha256 {actual}, but data/sources.toml expects "
                f"{expected}; restore the original file, or if the new one is intended, "
                f"update its entry in data/sources.toml")
    return path


def data_file(key: str) -> Path:
    """Return the checked path of the table listed under ``key``: from the data folder, else the mirror.

    Raises
    ------
    StudyError
        ``key`` is not in ``data/sources.toml``.
    MirrorFileMissing
        The file is neither in the data folder nor in the mirror (the message says which command fetches it,
        and how much it downloads).
    ChecksumMismatch
        The file's sha256 is not the one recorded.

    Examples
    --------
    >>> data_file("lsoa_census").name
    'london_lsoa2011_census.csv'
    """
    listed = sources()
    if key not in listed:
        raise StudyError(
            f"data source {key!r} is not listed in data/sources.toml; "
            f"use one of: {', '.join(sorted(listed))}"
        )
    source = listed[key]
    try:
        return find_file(source.path, expected=source.sha256, what=key)
    except MirrorFileMissing:
        raise MirrorFileMissing(
            f"data file {source.path!r} not found in the data folder ({settings.data_dir()}) or the mirror "
            f"({settings.mirror_dir()}); {_fetch_hint(source)}, or set ACCESS_DATA_MIRROR to a copy of the mirror"
        ) from None


mirror_file = data_file
"""The former name of :func:`data_file` (the mirror was once the only place), kept for its callers."""
