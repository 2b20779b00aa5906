r"""Writing files so that a failure never leaves a half-written file or a mixed set behind.

Two guarantees, used by every writer in :mod:`access.outputs` and by the network cache:

* :func:`atomic_path` writes one file: a temporary name beside the target, renamed onto it
  only when the writer finished.
* :func:`staged_folder` writes a whole *set* of files (a run's tables, maps and report): into a
  hidden staging folder inside the output folder, then moved into place only when every file
  is written.  If a move fails part-way (a file made immutable, a folder where a file should
  go), the files already moved are put back, so the previous set is whole again, and the error
  names the file that could not be written.  A staging folder left behind by a run that was
  killed (SIGKILL, a power cut) is rolled back and removed by the next run into that folder.

Example
-------
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> with staged_folder(out) as stage:
...     _ = write_text_atomic(stage / "a.txt", "new\n")
>>> (out / "a.txt").read_text()
'new\n'
"""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from access.core.errors import AccessError, OutputError

__all__ = ["atomic_path", "write_text_atomic", "write_json_atomic", "json_value", "ensure_folder", "staged_folder",
           "STAGING_PREFIX"]

STAGING_PREFIX = ".access-staging-"
"""Name prefix of the hidden staging folders; the writing process's id follows it."""

_PREVIOUS = ".previous"  # inside a staging folder: the files the set replaces, while they are being replaced
_MANIFEST = ".moving.json"  # inside a staging folder: which files are being moved (for a killed run's rollback)


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a fresh temporary path beside ``target``, renamed onto it when the block succeeds.

    If the block raises (or is interrupted), the temporary file is removed and
    ``target`` keeps its previous content.

    Raises
    ------
    OutputError
        The folder cannot be created or written.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=target.suffix)
        os.close(fd)
        os.unlink(tmp)  # some writers (GDAL) refuse to write over an existing file
    except OSError as exc:
        raise OutputError(f"cannot write {target} ({exc.strerror or exc}); "
                          f"check that its folder is writable, or choose another") from exc
    try:
        yield Path(tmp)
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise OutputError(f"cannot write {str(target)!r} ({exc.strerror or exc}); it was left as it was. "
                              f"Check that it is a file that can be changed (not a folder, read-only or "
                              f"immutable), or choose another") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def json_value(value: Any) -> Any:
    """Make a figure JSON-ready: floats rounded to 6 decimals, NaN and infinity as ``None``, numpy ints as ints.

    Examples
    --------
    >>> json_value(float("nan")), json_value(np.int64(3)), json_value(1 / 3)
    (None, 3, 0.333333)
    """
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return None if math.isnan(value) or math.isinf(value) else round(value, 6)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def write_json_atomic(target: Path, payload: Any) -> Path:
    """Write ``payload`` as indented UTF-8 JSON, ending in a newline, to ``target`` atomically."""
    return write_text_atomic(target, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


def write_text_atomic(target: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` atomically; return ``target``."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def ensure_folder(folder: Path) -> Path:
    """Create the output ``folder`` (and its parents) unless it exists; return it.

    Raises
    ------
    OutputError
        ``folder`` is a file, cannot be created, or is not writable.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"output folder {str(folder)!r} is a file, not a folder; choose another with --out")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create output folder {str(folder)!r} ({exc.strerror or exc}); "
                          f"choose another with --out") from exc
    if not os.access(folder, os.W_OK):
        raise OutputError(f"output folder {str(folder)!r} is not writable; choose another with --out")
    return folder


@contextmanager
def staged_folder(folder: Path) -> Iterator[Path]:
    """Yield a hidden staging folder inside ``folder``; its files replace ``folder``'s when the block succeeds.

    Write a whole set of outputs (subfolders included) into the staging folder.
    Only when the block finishes without an error are the files moved into
    ``folder``, with Ctrl-C and SIGTERM held back during those few renames:
    first every file the set replaces is moved aside, then every new file is
    moved in.  If a move fails, every move already made is undone in reverse,
    so ``folder`` holds exactly its previous files again.  If the block raises
    or is interrupted, nothing in ``folder`` is touched.  Files in ``folder``
    that the set does not write are left alone.

    Raises
    ------
    OutputError
        ``folder`` cannot be created or written, or a file of the set cannot be
        put in place (the message names it; the previous set is then whole).
    """
    folder = ensure_folder(folder)
    _recover_stale(folder)
    try:
        stage = Path(tempfile.mkdtemp(dir=folder, prefix=f"{STAGING_PREFIX}{os.getpid()}-"))
    except OSError as exc:
        raise OutputError(f"cannot write to output folder {str(folder)!r} ({exc.strerror or exc}); "
                          f"check that it is a writable folder, or choose another with --out") from exc
    try:
        yield stage
        _commit(stage, folder)
    except AccessError:  # its own message already says what went wrong (a download, a table, a file of the set)
        raise
    except OSError as exc:
        raise OutputError(f"cannot write to output folder {str(folder)!r} ({exc.strerror or exc}); "
                          f"check that it is writable, or choose another with --out") from exc
    finally:
        shutil.rmtree(stage, ignore_errors=True)  # (a staging folder kept for a rollback was renamed first)


def _relative_files(stage: Path) -> list[Path]:
    """Every file under ``stage`` (its bookkeeping left out), relative to it, in a stable order."""
    found = []
    for root, dirs, files in os.walk(stage):
        dirs[:] = sorted(d for d in dirs if not (Path(root) == stage and d == _PREVIOUS))
        here = Path(root).relative_to(stage)
        found += [here / name for name in sorted(files) if not (Path(root) == stage and name == _MANIFEST)]
    return found


def _commit(stage: Path, folder: Path) -> None:
    """Move every staged file into ``folder``; on any failure undo what was moved, and say which file failed.

    Before a file is replaced, the file it replaces is kept as a hard link (a copy where links are not
    possible) in the staging folder, so the replacement itself is one atomic rename onto the old name,
    and undoing it is one rename back.
    """
    names = _relative_files(stage)
    for name in names:  # a folder (or other non-file) where a file should go: refuse before moving anything
        target = folder / name
        for parent in reversed(name.parents[:-1]):
            if (folder / parent).exists() and not (folder / parent).is_dir():
                raise OutputError(f"cannot write {str(folder / name)!r}: {str(folder / parent)!r} is a file, not "
                                  f"a folder; move it away and run again (the previous outputs are unchanged)")
        if target.exists() and not target.is_file() or target.is_symlink() and target.is_dir():
            raise OutputError(f"cannot write {str(target)!r}: a folder (or other non-file) has that name; "
                              f"move it away and run again (the previous outputs are unchanged)")
    previous = stage / _PREVIOUS
    write_text_atomic(stage / _MANIFEST, json.dumps([str(n) for n in names]))
    replaced: list[Path] = []  # names moved into ``folder``, to undo in reverse
    made: list[Path] = []  # folders created inside ``folder``
    current = ""
    with _signals_held():
        try:
            for name in names:  # 1. keep the files being replaced (the originals stay in place)
                current = str(folder / name)
                if (folder / name).exists():
                    (previous / name).parent.mkdir(parents=True, exist_ok=True)
                    _keep(folder / name, previous / name)
            for name in names:  # 2. the new files, in
                current = str(folder / name)
                for parent in reversed(name.parents[:-1]):
                    if not (folder / parent).exists():
                        (folder / parent).mkdir()
                        made.append(folder / parent)
                os.replace(stage / name, folder / name)
                replaced.append(name)
        except OSError as exc:
            stuck = _undo(stage, folder, replaced, made)
            if stuck:  # keep the previous files, under a name the next run will recover from
                kept = stage.with_name(f"{STAGING_PREFIX}kept-{stage.name.rsplit('-', 1)[-1]}")
                os.rename(stage, kept)
                raise OutputError(f"cannot write {current!r} ({exc.strerror or exc}), and {len(stuck)} previous "
                                  f"file(s) could not be put back ({', '.join(stuck)}); they are kept in "
                                  f"{str(kept / _PREVIOUS)!r}, and the next run into this folder puts them "
                                  f"back") from exc
            raise OutputError(f"cannot write {current!r} ({exc.strerror or exc}); the previous outputs were put "
                              f"back as they were. Check that the file and its folder can be changed "
                              f"(not read-only or immutable), then run again") from exc
        (stage / _MANIFEST).unlink()


def _keep(original: Path, copy: Path) -> None:
    """Keep ``original`` at ``copy``: a hard link (instant, no space), or a copy where links are refused."""
    try:
        os.link(original, copy)
    except OSError:  # a file system without hard links, or a file that may not be linked (immutable)
        shutil.copy2(original, copy)


def _undo(stage: Path, folder: Path, replaced: list[Path], made: list[Path]) -> list[str]:
    """Put back the previous file of every name already replaced; return those that could not be."""
    stuck = []
    for name in reversed(replaced):
        try:
            if (stage / _PREVIOUS / name).exists():
                os.replace(stage / _PREVIOUS / name, folder / name)
            else:
                (folder / name).unlink()
        except OSError:
            stuck.append(str(name))
    for path in reversed(made):
        try:
            path.rmdir()
        except OSError:  # not empty: someone else wrote there meanwhile
            pass
    return stuck


def _recover_stale(folder: Path) -> None:
    """Roll back and remove staging folders left in ``folder`` by runs that are no longer alive."""
    for stage in folder.glob(f"{STAGING_PREFIX}*"):
        pid = stage.name[len(STAGING_PREFIX):].split("-", 1)[0]
        if not stage.is_dir() or (pid.isdigit() and _alive(int(pid))):
            continue
        manifest = stage / _MANIFEST
        if manifest.is_file():  # killed while moving files: put the previous set back
            try:
                names = [Path(n) for n in json.loads(manifest.read_text(encoding="utf-8"))]
            except (OSError, ValueError):
                names = []
            for name in names:
                old = stage / _PREVIOUS / name
                if old.exists():
                    os.replace(old, folder / name)
                elif (folder / name).exists() and not (stage / name).exists():
                    (folder / name).unlink()  # a new file moved in where there was none: take it out
        shutil.rmtree(stage, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold back Ctrl-C (SIGINT) and SIGTERM while the block runs.

    A signal that arrives during the block is dropped: the block is the last
    step of a write, so when it ends the outputs are complete and the run is done.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = [signal.SIGINT, signal.SIGTERM]
    previous = {s: signal.signal(s, signal.SIG_IGN) for s in held}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
