"""Every error access raises on purpose.

Each class has two bases: :class:`AccessError`, so that callers can catch
everything from this package in one place, and the built-in exception that
describes the kind of failure (``ValueError``, ``FileNotFoundError``, ...), so
that ordinary Python code keeps working.  Every message names the bad value
and says what to do about it.
"""

from __future__ import annotations

__all__ = [
    "AccessError",
    "StudyError",
    "DataError",
    "FeedError",
    "MirrorFileMissing",
    "ChecksumMismatch",
    "DownloadError",
    "HoursError",
    "NetworkError",
    "NetworkUnavailable",
    "NetworkFileMissing",
    "OutputError",
    "BrowserUnavailable",
    "OffNetworkError",
    "AccessWarning",
    "ScenarioError",
    "ArgumentError",
    "ResourceError",
    "SettingError",
]


class AccessError(Exception):
    """Base class of every error raised by access.

    Examples
    --------
    >>> import access
    >>> try:
    ...     access.load_study("atlantis")
    ... except access.AccessError as error:
    ...     print(type(error).__name__, isinstance(error, ValueError))
    StudyError True
    """


class StudyError(AccessError, ValueError):
    """A study definition is missing, malformed, or has a bad key or value."""


class DataError(AccessError, ValueError):
    """An input table or boundary file has unusable content."""


class FeedError(DataError):
    """A GTFS feed cannot be read or used: a file, column or value is missing or malformed.

    The message names the feed, the file and column, and what to do.
    """


class MirrorFileMissing(AccessError, FileNotFoundError):
    """A file listed in ``data/sources.toml`` is neither in the data folder nor in the data mirror."""


class ChecksumMismatch(AccessError, ValueError):
    """A data file's sha256 differs from the one recorded (``data/sources.toml``, or the data folder's manifest)."""


class DownloadError(AccessError, OSError):
    """A publisher's file could not be downloaded (HTTP error, timeout, cut short, wrong hash, disk full).

    Nothing already in the data folder is changed when it is raised.
    """


class HoursError(AccessError, ValueError):
    """An opening-hours string is not understood."""


class NetworkError(AccessError, RuntimeError):
    """A street network could not be read or built."""


class NetworkUnavailable(NetworkError):
    """No street network can be had: no cache, no local file, no Overpass."""


class OutputError(AccessError, OSError):
    """An output folder or file cannot be written."""


class BrowserUnavailable(AccessError, RuntimeError):
    """No headless Chromium to render a page with (``access screenshot``)."""


class NetworkFileMissing(NetworkError, FileNotFoundError):
    """A local OSM file named for the network does not exist."""


class OffNetworkError(NetworkError):
    """A counter lies too far from the street network to be routed to (an island, or outside it)."""


class AccessWarning(UserWarning):
    """Something went less than ideally but the run could go on (say, a damaged cache was rebuilt).

    Issued with :func:`warnings.warn`; the command line prints each one on stderr.
    """


class ScenarioError(AccessError, ValueError):
    """A scenario names an unknown counter, period or postcode, or a bad location."""


class ArgumentError(AccessError, TypeError):
    """A function of access was given a value of the wrong type (a number where a study name goes)."""


class ResourceError(AccessError, MemoryError):
    """A computation would need more memory than the budget (``ACCESS_MEMORY_BUDGET_MB``).

    The message says how much it would need and how to shrink it.
    """


class SettingError(AccessError, ValueError):
    """An ``ACCESS_*`` environment variable has a value access cannot use."""
