"""Writing files so that a failure never leaves a half-written one behind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from access.errors import OutputError

__all__ = ["atomic_path", "write_text_atomic"]


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


def write_text_atomic(target: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` atomically; return ``target``."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)
