"""Getting the data: fetch the publishers' files, derive the tables, check them (``access data``).

:func:`fetch` downloads each publisher's file a table needs (with pooch: retries, hash checks,
progress bars) and derives the table with :mod:`access.inputs.derivations`; :func:`status` says
where every table is and whether it is intact; :func:`verify` hashes everything again.

The data folder (:func:`access.core.settings.data_dir`) holds::

    downloads/<file>          the publishers' files as published (kept, so a later fetch reuses them)
    <path of the table>       each derived table, at the same path as in the mirror
    local/<LAD code>/...      the tables of a study of one local authority (boundary, postcodes, LSOAs)
    local/authorities.csv     the local authorities fetched: code, name
    manifest.json             every file's sha256, and each download's, recorded when it was written

**All or nothing.** A fetch works in a hidden staging folder inside the data folder: the
downloads, the derived tables and the new manifest are written there, and moved into place
only when every one is done (:func:`access.core.files.staged_folder`).  A download that fails
(HTTP error, timeout, cut short, wrong hash, a full disk) raises :class:`DownloadError` in one
line and leaves the data folder exactly as it was.

**Hashes.** A download whose sha256 ``data/sources.toml`` knows is checked against it.  Where it
is not known (these machines cannot reach the publishers), the first fetch pins the file's
sha256 in the manifest and later fetches are checked against that pin; ``--refresh`` downloads
again and pins anew (a publisher's new release).  Every derived table is compared with the
project's copy (the sha256 in ``data/sources.toml``, the mirror's): a table that differs is kept,
with a warning that says so (Code-Point Open is updated every quarter, so a later release makes a
different postcode table), and ``access data status`` shows it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from access.core import settings
from access.core.errors import AccessWarning, DownloadError, OutputError, StudyError
from access.core.files import staged_folder
from access.inputs.sources import (
    MANIFEST,
    Download,
    download_mb,
    downloads,
    downloads_of,
    local_authority_downloads,
    manifest,
    sha256_of,
    sources,
)

__all__ = ["fetch", "Fetched", "status", "verify", "Check", "fetchable", "local_authority_code",
           "local_authority_file", "AUTHORITIES"]

AUTHORITIES = "local/authorities.csv"
"""The data folder's list of the local authorities fetched (``code``, ``name``)."""


MIRROR_ONLY = "mirror only: "
"""How :func:`status` begins the note of a table no publisher serves (read from the mirror only)."""


@dataclass(frozen=True)
class Fetched:
    """One file a fetch wrote: its path in the data folder, sha256, and whether it equals the project's copy."""

    name: str
    path: str
    sha256: str
    matches_project: bool | None = None


@dataclass(frozen=True)
class Check:
    """One line of :func:`status` or :func:`verify`: a table or a download, where it is, and whether it is intact."""

    name: str
    kind: str  # "table", "download" or "local"
    where: str  # "data folder", "mirror", "missing", "cached", "not downloaded"
    ok: bool | None  # True: sha256 as recorded; False: it differs; None: nothing to check
    size_mb: float
    licence: str
    url: str
    note: str = ""
    path: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def fetchable() -> list[str]:
    """Return the keys of the tables ``access data fetch`` can make, in ``data/sources.toml``'s order.

    >>> fetchable()
    ['boroughs', 'redbridge_wards', 'lsoa_polygons', 'lsoa_census', 'postcodes', 'ward_names']
    """
    return [key for key, source in sources().items() if source.fetchable]


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _download(item: Download, folder: Path, stage: Path, pins: dict[str, Any], *, refresh: bool,
              progress: Any) -> tuple[Path, str]:
    """Return a download's path (cached in the data folder, or fetched into the staging folder) and its sha256."""
    cached = folder / "downloads" / item.file
    pinned = pins.get(item.name, {}).get("sha256", "")
    known = item.sha256 or ("" if refresh else pinned)
    if cached.is_file() and not refresh:
        actual = sha256_of(cached)
        if not known or actual == known:
            return cached, actual
    import pooch
    import requests

    pooch.get_logger().setLevel("WARNING")  # its "Downloading file ..." lines: the command line says what it does
    where = stage / "downloads"
    base_url = settings.download_base_url()
    url = f"{base_url}/{item.file}" if base_url else item.url
    store = pooch.create(path=where, base_url="", registry={item.file: known or None}, urls={item.file: url},
                         retry_if_failed=settings.download_retries())
    bar = progress(item.file) if callable(progress) else bool(progress)
    downloader = pooch.HTTPDownloader(progressbar=bar, timeout=settings.download_timeout_s())
    said = f"download of {item.name} ({item.file}) from {url}"
    nothing = "nothing in the data folder was changed"
    try:
        path = Path(store.fetch(item.file, downloader=downloader))
    except requests.HTTPError as exc:
        code = exc.response.status_code if exc.response is not None else "?"
        reason = exc.response.reason if exc.response is not None else ""
        raise DownloadError(f"{said} failed: HTTP {code} {reason}".rstrip() + f"; check the address (the publisher "
                            f"may have moved the file: see {item.page or 'its page'}), or try again later; "
                            f"{nothing}") from None
    except (requests.Timeout, requests.ConnectionError) as exc:
        if isinstance(exc, requests.Timeout) or "timed out" in str(exc):  # (a stall mid-body: a ConnectionError)
            raise DownloadError(f"{said} failed: the server sent nothing for {settings.download_timeout_s():g} s "
                                f"(ACCESS_DOWNLOAD_TIMEOUT); try again later, or raise ACCESS_DOWNLOAD_TIMEOUT; "
                                f"{nothing}") from None
        raise DownloadError(f"{said} failed: {_unreachable(url, exc)}; check the internet connection, or "
                            f"use the mirror on a machine without internet (ACCESS_DATA_MIRROR); {nothing}") from None
    except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as exc:
        raise DownloadError(f"{said} was cut short ({_short(exc)}); try again; {nothing}") from None
    except requests.RequestException as exc:
        raise DownloadError(f"{said} failed ({_short(exc)}); try again later; {nothing}") from None
    except ValueError as exc:  # pooch: the hash differs
        whose = "data/sources.toml records" if item.sha256 else f"was pinned in {folder / MANIFEST} on first fetch"
        got = str(exc).split("but got ")[-1].split(".")[0] if "but got " in str(exc) else "another"
        raise DownloadError(f"{said} has sha256 {got}, not the {known} that {whose}: the file was damaged on the "
                            f"way, or the publisher has released a new version; run 'access data fetch --refresh' "
                            f"to accept a new release; {nothing}") from None
    except OSError as exc:
        raise DownloadError(f"cannot save the {said} into {folder} ({exc.strerror or exc}); free some space, or "
                            f"set ACCESS_DATA_DIR to a folder with room for about {item.size_mb:,.0f} MB; "
                            f"{nothing}") from None
    return path, sha256_of(path)


def _unreachable(url: str, exc: BaseException) -> str:
    """Say in a few words why ``url``'s server could not be reached (``exc``: what requests raised).

    >>> _unreachable("https://example.org/a.zip", OSError("... Failed to resolve 'example.org' ..."))
    'cannot connect to example.org (its name does not resolve: no internet, or no DNS)'
    """
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or url
    text = str(exc)
    reasons = {"Failed to resolve": "its name does not resolve: no internet, or no DNS",
               "Name or service not known": "its name does not resolve: no internet, or no DNS",
               "Connection refused": "the connection was refused",
               "Network is unreachable": "the network is unreachable",
               "No route to host": "there is no route to it",
               "CERTIFICATE_VERIFY_FAILED": "its certificate could not be verified"}
    reason = next((said for key, said in reasons.items() if key in text), _short(exc))
    return f"cannot connect to {host} ({reason})"


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 160 else text[:157] + "..."


def local_authority_code(name: str, authorities: Any) -> tuple[str, str]:
    """Return the (code, name) of a local authority named by its name or its ONS code (case and spaces ignored).

    ``authorities`` is a frame of ``code`` and ``name``.

    Raises
    ------
    StudyError
        No authority has that name or code (the message suggests the nearest names).
    """
    wanted = " ".join(str(name).split()).casefold()
    for code, label in zip(authorities["code"], authorities["name"], strict=True):
        if wanted in (str(code).casefold(), " ".join(str(label).split()).casefold()):
            return str(code), str(label)
    folded = {str(n).casefold(): str(n) for n in authorities["name"]}
    near = [folded[n] for n in difflib.get_close_matches(wanted, list(folded), n=3, cutoff=0.6)]
    hint = f"did you mean {', '.join(repr(n) for n in near)}?" if near else "give its name as ONS writes it " \
        "(e.g. 'Manchester', 'Cardiff', 'Bristol, City of') or its code (e.g. E08000003)"
    raise StudyError(f"local authority {name!r} is not one of the {len(authorities)} in England and Wales; {hint}")


def _la_hint(name: str) -> str:
    return (f"run 'access data fetch --local-authority \"{name}\"' (downloads about "
            f"{download_mb(local_authority_downloads()):,.0f} MB)")


def local_authority_file(name: str, file: str) -> tuple[Path, str, str]:
    """Return the checked path of one table of a fetched local authority, with its (code, name).

    Raises
    ------
    MirrorFileMissing
        The local authority was not fetched (the message says how to fetch it).
    StudyError
        The name is not one of the authorities fetched.
    """
    import pandas as pd

    from access.core.errors import MirrorFileMissing
    from access.inputs.sources import find_file

    try:
        listed = pd.read_csv(find_file(AUTHORITIES), dtype=str, keep_default_na=False)
    except MirrorFileMissing:
        raise MirrorFileMissing(f"no local authority's data is in the data folder ({settings.data_dir()}) or the "
                                f"mirror; {_la_hint(name)}") from None
    try:
        code, label = local_authority_code(name, listed)
    except StudyError:
        raise MirrorFileMissing(f"local authority {name!r} has no data in the data folder ({settings.data_dir()}) "
                                f"(fetched: {', '.join(listed['name']) or 'none'}); {_la_hint(name)}") from None
    try:
        return find_file(f"local/{code}/{file}", what=f'--local-authority "{label}"'), code, label
    except MirrorFileMissing:
        raise MirrorFileMissing(f"local authority {label!r} lacks {file} in the data folder ({settings.data_dir()}); "
                                f"{_la_hint(label)}") from None


def fetch(keys: Sequence[str] | None = None, *, local_authorities: Sequence[str] = (), refresh: bool = False,
          progress: Any = False) -> list[Fetched]:
    """Download the publishers' files, derive the tables, and write them into the data folder as one set.

    Parameters
    ----------
    keys
        Tables of ``data/sources.toml`` to make (:func:`fetchable`); by default every one, unless
        ``local_authorities`` are given.
    local_authorities
        Local authorities of England and Wales (names or ONS codes) to make study tables for.
    refresh
        Download every file again, even one already in the data folder, and pin its new sha256.
    progress
        ``True``: pooch's progress bar per download (tqdm, on stderr); or a function of the
        download's name returning a progress bar object as pooch takes one (``total``,
        ``update``, ``reset``, ``close``), as the command line gives.

    Returns
    -------
    list of Fetched
        Every table written, with its sha256 and whether it equals the project's copy.

    Raises
    ------
    StudyError
        A key is unknown, or names a table that no publisher's file makes.
    DownloadError
        A download failed (the data folder is then unchanged).
    DataError
        A publisher's file is not in the format expected.
    OutputError
        The data folder cannot be written.
    """
    listed = sources()
    chosen = list(dict.fromkeys(keys if keys else ([] if local_authorities else fetchable())))
    for key in chosen:
        if key not in listed:
            raise StudyError(f"{key!r} is not a table of data/sources.toml; fetch one of: {', '.join(fetchable())}")
        if not listed[key].fetchable:
            raise StudyError(f"{key!r} cannot be fetched: {listed[key].fetch}")
    needed = downloads_of(chosen)
    if local_authorities:
        needed = list(dict.fromkeys([*needed, *local_authority_downloads()]))
    folder = _data_folder()
    record = manifest(folder)
    written: list[Fetched] = []
    try:
        with staged_folder(folder) as stage:
            raw: dict[str, Path] = {}
            for name in needed:
                raw[name], digest = _download(downloads()[name], folder, stage, record["downloads"], refresh=refresh,
                                              progress=progress)
                if raw[name].is_relative_to(stage) or name not in record["downloads"]:
                    record["downloads"][name] = {"sha256": digest, "file": f"downloads/{downloads()[name].file}",
                                                 "fetched": _now()}
            for key in chosen:
                written.append(_derive(key, raw, stage, record))
            for name in local_authorities:
                written += _derive_local_authority(name, raw, stage, folder, record)
            _write(stage / MANIFEST, json.dumps(record, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    except OutputError as exc:  # the staging helpers' own messages speak of --out
        raise OutputError(str(exc).replace("choose another with --out", "set ACCESS_DATA_DIR to another folder")
                          .replace("or choose another with --out", "or set ACCESS_DATA_DIR to another folder")) \
            from None
    return written


def _data_folder() -> Path:
    folder = settings.data_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the data folder {str(folder)!r} ({exc.strerror or exc}); set "
                          f"ACCESS_DATA_DIR to a writable folder") from exc
    if not folder.is_dir():
        raise OutputError(f"the data folder {str(folder)!r} is not a folder; set ACCESS_DATA_DIR to a folder")
    return folder


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write {path.name} into the data folder ({exc.strerror or exc}); free some space, "
                          f"or set ACCESS_DATA_DIR to another folder; nothing in the data folder was changed") \
            from None


def _save(table: Any, path: Path, layer: str | None) -> str:
    from access.inputs.derivations import write_table

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_table(table, path, layer=layer)
    except OSError as exc:
        raise OutputError(f"cannot write {path.name} into the data folder ({exc.strerror or exc}); free some space, "
                          f"or set ACCESS_DATA_DIR to another folder; nothing in the data folder was changed") \
            from None
    return sha256_of(path)


def _derive(key: str, raw: dict[str, Path], stage: Path, record: dict[str, Any]) -> Fetched:
    from access.inputs.derivations import DERIVATIONS

    source = sources()[key]
    function, layer = DERIVATIONS[source.derive]
    table = function(*(raw[name] for name in source.downloads))
    digest = _save(table, stage / source.path, layer)
    same: bool | None = digest == source.sha256 if source.sha256 else None  # (no project copy to compare with)
    if same is False:
        warnings.warn(f"{key}: the table made from the publishers' files differs from the project's copy "
                      f"(sha256 {digest[:12]}…, not {source.sha256[:12]}…): the publisher has probably released "
                      f"a newer version ({', '.join(downloads()[n].vintage for n in source.downloads)}); figures "
                      f"made from it may differ slightly from the project's", AccessWarning, stacklevel=3)
    record["files"][source.path] = {"sha256": digest, "key": key, "matches_project": same, "fetched": _now(),
                                    "from": {n: record["downloads"].get(n, {}).get("sha256", "")
                                             for n in source.downloads}}
    return Fetched(key, source.path, digest, same)


def _derive_local_authority(name: str, raw: dict[str, Path], stage: Path, folder: Path,
                            record: dict[str, Any]) -> list[Fetched]:
    import pandas as pd

    from access.inputs.derivations import local_authorities, local_authority_tables

    every = local_authorities(raw["lad_dec2024"])
    every = every[every["code"].str[0].isin(["E", "W"])]
    code, label = local_authority_code(name, every)
    tables = local_authority_tables(code, **{n: raw[n] for n in local_authority_downloads()})
    written = []
    for file, table in tables.items():
        path = f"local/{code}/{file}"
        digest = _save(table, stage / path, None)
        record["files"][path] = {"sha256": digest, "key": f"local:{code}", "fetched": _now(),
                                 "from": {n: record["downloads"].get(n, {}).get("sha256", "")
                                          for n in local_authority_downloads()}}
        written.append(Fetched(f"{label} ({code}): {file.split('.')[0]}", path, digest))
    known = stage / AUTHORITIES
    previous = known if known.is_file() else folder / AUTHORITIES
    listed = (pd.read_csv(previous, dtype=str, keep_default_na=False) if previous.is_file()
              else pd.DataFrame(columns=["code", "name"]))
    listed = pd.concat([listed[listed["code"] != code], pd.DataFrame({"code": [code], "name": [label]})])
    digest = _save(listed.sort_values("code").reset_index(drop=True), known, None)
    record["files"][AUTHORITIES] = {"sha256": digest}
    return written


def _mirror_state(source: Any) -> tuple[str, bool | None, str]:
    path = settings.mirror_dir() / source.path
    if not path.is_file():
        return "missing", None, ""
    return "mirror", sha256_of(path) == source.sha256, str(path)


def status(*, check: bool = True) -> list[Check]:
    """Return where every table, download and fetched local authority is, and whether each is intact.

    With ``check`` (the default) every file is hashed; it is quick (the largest table is 16 MB).
    """
    folder = settings.data_dir()
    record = manifest(folder)
    listed = downloads()
    found: list[Check] = []
    for key, source in sources().items():
        items = [listed[n] for n in source.downloads]
        licence = "; ".join(dict.fromkeys(i.licence for i in items)) or "see the attribution"
        url = " ".join(i.url for i in items)
        fetched = folder / source.path
        entry = record["files"].get(source.path, {})
        if fetched.is_file():
            digest = sha256_of(fetched) if check else ""
            ok = None if not check else digest in (entry.get("sha256"), source.sha256)
            differs = entry.get("matches_project") is False
            found.append(Check(key, "table", "data folder", ok, source.size_mb, licence, url, path=str(fetched),
                               note="differs from the project's copy (a newer release)" if differs else ""))
            continue
        where, ok, path = _mirror_state(source)
        if not check and where == "mirror":
            ok = None
        note = "" if source.fetchable else MIRROR_ONLY + source.fetch.split(";")[0]
        if where == "missing" and source.fetchable:
            note = f"access data fetch {key}: downloads about {download_mb(source.downloads, folder):,.0f} MB"
        found.append(Check(key, "table", where, ok, source.size_mb, licence or "see the attribution", url, note,
                           path))
    for name, item in listed.items():
        cached = folder / "downloads" / item.file
        pinned = record["downloads"].get(name, {}).get("sha256", "")
        expected = item.sha256 or pinned
        ok = (sha256_of(cached) == expected) if (check and cached.is_file() and expected) else None
        note = ("sha256 known" if item.sha256 else f"sha256 pinned {pinned[:12]}… on first fetch" if pinned
                else "sha256 not known: the first fetch pins it")
        found.append(Check(name, "download", "cached" if cached.is_file() else "not downloaded", ok, item.size_mb,
                           item.licence, item.url, note, str(cached) if cached.is_file() else "",
                           details={"publisher": item.publisher, "vintage": item.vintage}))
    authorities = folder / AUTHORITIES
    if authorities.is_file():
        import pandas as pd

        for code, label in pd.read_csv(authorities, dtype=str, keep_default_na=False).itertuples(index=False):
            files = sorted((folder / "local" / code).glob("*"))
            bad = [f.name for f in files
                   if check and record["files"].get(f"local/{code}/{f.name}", {}).get("sha256") != sha256_of(f)]
            size = sum(f.stat().st_size for f in files) / 1e6
            ok = None if not check else (not bad and len(files) == 4)
            found.append(Check(f"{label} ({code})", "local", "data folder", ok, round(size, 2),
                               "Open Government Licence v3.0", "", ", ".join(bad) and f"damaged: {', '.join(bad)}",
                               str(folder / "local" / code)))
    return found


def verify() -> list[Check]:
    """Hash every table, download and local authority again; return those whose sha256 is not the one recorded.

    A table missing everywhere is not counted (``access data status`` lists it).
    """
    return [item for item in status(check=True) if item.ok is False]
