"""access: how far residents are from a police front counter, and what closures did to it.

``__all__`` is the public API.  Names load on first use, so ``import access``
stays light (OSMnx and folium are imported only when a network is built or a
map drawn).

Examples
--------
>>> import access
>>> study = access.load_study("redbridge-2017")
>>> result = study.run(modes=["walk"], offline=True)   # offline: the labelled straight-line estimate
>>> round(float(result.summary.loc[("2013_2017", "walk"), "mean_min"]), 1)
33.7
>>> gants = access.Scenario("gants-hill", "2018_2025", open=(access.parse_opened("Gants Hill=51.5765,0.0661"),))
>>> board = access.build_board(study, [gants], modes=["walk"], offline=True)
>>> access.compare(board, [access.period_scenario("2018_2025"), gants]).summary["mean_min"].round(1).tolist()
[45.4, 34.8]
"""

from __future__ import annotations

from importlib import import_module

from access.core.version import __version__

TYPE_CHECKING = False  # typing is not imported: `import access` (and the command's start) stays quick

__all__ = [
    "__version__",
    # a study and its answers
    "load_study", "list_studies", "Study", "StudyResult",
    # what if
    "Scenario", "OpenedCounter", "parse_opened", "period_scenario", "study_scenarios", "parse_moment",
    "Board", "build_board", "board_from_result", "Comparison", "compare", "sweep", "SweepResult", "week_table",
    "WeekResult",
    "search_sites", "SiteSearch", "candidate_sites", "p_median", "rank_sites",
    # networks and times
    "StreetNetwork", "get_network", "TravelTimes", "Router",
    # files and pages
    "write", "write_maps", "explorer_html",
    # errors and warnings (the last names: they all live in access.core.errors)
    "AccessError", "StudyError", "DataError", "HoursError", "ScenarioError", "NetworkError", "NetworkUnavailable",
    "NetworkFileMissing", "OffNetworkError", "OutputError", "MirrorFileMissing", "ChecksumMismatch",
    "DownloadError", "BrowserUnavailable", "ArgumentError", "ResourceError", "AccessWarning",
]

_HOME = {
    "load_study": "access.analysis.study", "Study": "access.analysis.study", "StudyResult": "access.analysis.study",
    "list_studies": "access.inputs.study_files", "parse_moment": "access.inputs.hours",
    "Scenario": "access.whatif.scenario", "OpenedCounter": "access.whatif.scenario",
    "parse_opened": "access.whatif.scenario", "period_scenario": "access.whatif.scenario",
    "study_scenarios": "access.whatif.scenario",
    "Board": "access.whatif.board", "build_board": "access.whatif.board", "board_from_result": "access.whatif.board",
    "Comparison": "access.whatif.comparison", "compare": "access.whatif.comparison",
    "sweep": "access.whatif.sweep", "SweepResult": "access.whatif.sweep",
    "week_table": "access.whatif.week", "WeekResult": "access.whatif.week",
    "search_sites": "access.whatif.siting", "SiteSearch": "access.whatif.siting",
    "candidate_sites": "access.whatif.siting", "p_median": "access.whatif.siting", "rank_sites": "access.whatif.siting",
    "StreetNetwork": "access.routing.network", "get_network": "access.routing.network",
    "TravelTimes": "access.routing.travel", "Router": "access.routing.router",
    "write": "access.outputs.writers", "write_maps": "access.outputs.writers",
    "explorer_html": "access.outputs.explorer",
    **{name: "access.core.errors" for name in __all__[__all__.index("AccessError"):]},
}


def __getattr__(name: str) -> object:
    if name in _HOME:
        value = getattr(import_module(_HOME[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'access' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # for type checkers and IDEs: the same names, imported eagerly
    from access.analysis.study import Study, StudyResult, load_study
    from access.core.errors import (
        AccessError,
        AccessWarning,
        ArgumentError,
        BrowserUnavailable,
        ChecksumMismatch,
        DataError,
        DownloadError,
        HoursError,
        MirrorFileMissing,
        NetworkError,
        NetworkFileMissing,
        NetworkUnavailable,
        OffNetworkError,
        OutputError,
        ResourceError,
        ScenarioError,
        StudyError,
    )
    from access.inputs.hours import parse_moment
    from access.inputs.study_files import list_studies
    from access.outputs.explorer import explorer_html
    from access.outputs.writers import write, write_maps
    from access.routing.network import StreetNetwork, get_network
    from access.routing.router import Router
    from access.routing.travel import TravelTimes
    from access.whatif.board import Board, board_from_result, build_board
    from access.whatif.comparison import Comparison, compare
    from access.whatif.scenario import OpenedCounter, Scenario, parse_opened, period_scenario, study_scenarios
    from access.whatif.siting import SiteSearch, candidate_sites, p_median, rank_sites, search_sites
    from access.whatif.sweep import SweepResult, sweep
    from access.whatif.week import WeekResult, week_table
