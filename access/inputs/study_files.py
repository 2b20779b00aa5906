"""Where studies are found by name, and where their outputs go by default.

A study is a TOML file.  ``access run NAME`` (and :func:`access.load_study`) looks for
``NAME.toml`` in these folders, in this order, and takes the first:

1. the current folder;
2. each folder of ``ACCESS_STUDY_PATH`` (separated by ``:``, or ``;`` on Windows);
3. the project's own studies, ``data/studies`` (``ACCESS_PROJECT_DATA``).

A TOML file counts as a study when it has an ``[area]`` and a ``[periods]`` table, so
``pyproject.toml`` and other TOML files beside one's studies are not mistaken for one.
Names are matched without regard to case, and a near miss gets "did you mean".

Outputs go to ``maps/NAME`` beside the study: beside the project's ``data/`` for the
project's own studies (the repository's ``maps/``), beside the study file for one's own
(``~/work/waltham-forest.toml`` writes ``~/work/maps/waltham-forest/``).

Examples
--------
>>> sorted(study_paths())[:2]
['city-of-london', 'london-2017']
>>> find_study("Redbridge-2017").name
'redbridge-2017.toml'
>>> default_output_folder(find_study("redbridge-2017")).relative_to(settings.repo_root()).as_posix()
'maps/redbridge-2017'
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from access.core import settings
from access.core.arguments import choose
from access.core.errors import StudyError

__all__ = ["studies_dir", "study_folders", "study_paths", "list_studies", "find_study", "is_study_file",
           "default_output_folder"]


def studies_dir() -> Path:
    """Return the folder of the project's own study definitions (``data/studies``)."""
    return settings.project_data_dir() / "studies"


def study_folders() -> list[Path]:
    """Return the folders searched for a study by name, first first (see the module's docstring)."""
    folders = [Path.cwd(), *settings.study_path(), studies_dir()]
    seen: dict[Path, Path] = {}
    for folder in folders:
        seen.setdefault(folder.resolve(), folder)
    return list(seen.values())


def is_study_file(path: Path) -> bool:
    """Whether ``path`` is a TOML file with the tables every study has (``[area]`` and ``[periods]``)."""
    if path.suffix != ".toml" or not path.is_file():
        return False
    try:
        table = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return path.parent.resolve() == studies_dir().resolve()  # a damaged study of the project's still counts
    return isinstance(table.get("area"), dict) and isinstance(table.get("periods"), dict)


def study_paths() -> dict[str, Path]:
    """Return every study that can be named: its name (the file's stem) → its file, the first found of each name."""
    found: dict[str, Path] = {}
    for folder in study_folders():
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            if path.stem not in found and is_study_file(path):
                found[path.stem] = path
    return found


def list_studies() -> list[str]:
    """Return the names of the studies that can be run by name, sorted.

    >>> "redbridge-2017" in list_studies()
    True
    """
    return sorted(study_paths())


def find_study(name: str) -> Path:
    """Return the study file ``name`` names (matched without regard to case).

    Raises
    ------
    StudyError
        No study has that name; the message names the closest and the folders searched.
    """
    paths = study_paths()
    if not paths:
        folders = ", ".join(str(f) for f in study_folders())
        raise StudyError(f"unknown study {name!r}: no study files in {folders} (the last is the project's: check "
                         f"ACCESS_PROJECT_DATA); give a path to a study .toml, or write one with 'access new-study'")
    try:
        return paths[choose(name, paths, "study", error=StudyError)]
    except StudyError as exc:
        raise StudyError(f"{exc}; studies are found by name in the current folder, ACCESS_STUDY_PATH and "
                         f"{studies_dir()} (access studies lists them), or give a path to a .toml") from None


def default_output_folder(study_file: Path) -> Path:
    """Return where a study's outputs go unless told otherwise: ``maps/NAME`` beside the study.

    For the project's own studies (in ``data/studies``) that is the project's ``maps/``;
    for any other study file, a ``maps/`` folder beside it.
    """
    path = Path(study_file).resolve()
    own = studies_dir().resolve()
    root = settings.project_data_dir().parent if path.parent == own else path.parent
    return root / "maps" / path.stem
