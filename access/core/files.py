"""Writing files so that a failure never leaves a half-written one behind."""

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

from access.core.errors import OutputError

__all__ = ["atomic_path", "write_text_atomic", "write_json_atomic", "json_value", "ensure_folder", "staged_folder",
           "CSV_FLOAT_FORMAT"]

CSV_FLOAT_FORMAT = "%.10g"
"""How every CSV writes floats: ten significant digits, so counts of residents (London: 8,173,941)
stay exact and the same numbers give the same bytes."""


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A fresh temporary path beside ``target``, renamed onto it when the block succeeds.

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
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def json_value(value: Any) -> Any:
    """A figure ready for JSON: floats rounded to 6 decimals, NaN and infinity as ``None``, numpy ints as ints."""
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return None if math.isnan(value) or math.isinf(value) else round(value, 6)
    if isinstance(value, np.integer):
        return int(value)
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
        raise OutputError(f"cannot create output folder {str(folder)!r} ({exc.strerror}); "
                          f"choose another with --out") from exc
    if not os.access(folder, os.W_OK):
        raise OutputError(f"output folder {str(folder)!r} is not writable; choose another with --out")
    return folder


@contextmanager
def staged_folder(folder: Path) -> Iterator[Path]:
    """A hidden staging folder inside ``folder``; its files replace ``folder``'s when the block succeeds.

    Write a whole set of outputs into the staging folder.  Only when the block
    finishes without an error is each file renamed into ``folder``
    (:func:`os.replace`, atomic per file, on the same file system), with Ctrl-C
    held back during those few renames.  If the block raises or is
    interrupted, the staging folder is removed and ``folder`` keeps every one
    of its previous files, unchanged.  Files in ``folder`` that the block does
    not write are left alone.

    Raises
    ------
    OutputError
        ``folder`` cannot be created or written.
    """
    folder = ensure_folder(folder)
    try:
        stage = Path(tempfile.mkdtemp(dir=folder, prefix=".access-staging-"))
    except OSError as exc:
        raise OutputError(f"cannot write to output folder {str(folder)!r} ({exc.strerror or exc}); "
                          f"check that it is a writable folder, or choose another with --out") from exc
    try:
        yield stage
        with _sigint_held():
            for path in sorted(stage.iterdir()):
                os.replace(path, folder / path.name)
    except OSError as exc:
        if isinstance(exc, OutputError):
            raise
        raise OutputError(f"cannot write to output folder {str(folder)!r} ({exc.strerror or exc}); "
                          f"check that it is writable, or choose another with --out") from exc
    finally:
        shutil.rmtree(stage, ignore_errors=True)


@contextmanager
def _sigint_held() -> Iterator[None]:
    """Hold back Ctrl-C (SIGINT) while the block runs.

    A Ctrl-C that arrives during the block is dropped: the block is the last
    step of a write, so when it ends the outputs are complete and the run is done.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
