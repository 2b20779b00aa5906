"""access: how far residents are from a police front counter, and what closures did to it.

Quick start::

    import access
    study = access.load_study("redbridge-2017")
    result = study.run()
    result.summary          # figures per period and mode (pandas DataFrame)
    result.origins          # per-origin times (GeoDataFrame)
    result.write("out/")    # summary.json, tables, GeoPackage, maps
"""

from __future__ import annotations

from access.core.version import __version__  # noqa: E402

from access.inputs.config import list_studies  # noqa: E402
from access.core.errors import AccessError  # noqa: E402
from access.analysis.study import Study, StudyResult, load_study  # noqa: E402

__all__ = ["AccessError", "Study", "StudyResult", "list_studies", "load_study", "__version__"]
