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

__version__ = "0.1.0"

from access.config import list_studies  # noqa: E402
from access.errors import AccessError  # noqa: E402
from access.study import Study, StudyResult, load_study  # noqa: E402

__all__ = ["AccessError", "Study", "StudyResult", "list_studies", "load_study", "__version__"]
