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
    """A study definition is missing, malformed, or has a bad key or value.

    Examples
    --------
    >>> import access
    >>> try:
    ...     access.load_study("atlantis")
    ... except access.StudyError as error:
    ...     print(str(error).split(" (")[0])
    unknown study 'atlantis'
    """


class DataError(AccessError, ValueError):
    """An input table or boundary file has unusable content.

    Examples
    --------
    >>> import access
    >>> issubclass(access.DataError, ValueError)   # catch it as a ValueError, or as any AccessError
    True
    """


class FeedError(DataError):
    """A GTFS feed cannot be read or used: a file, column or value is missing or malformed.

    The message names the feed, the file and column, and what to do.
    """


class MirrorFileMissing(AccessError, FileNotFoundError):
    """A file listed in ``data/sources.toml`` is neither in the data folder nor in the data mirror.

    Examples
    --------
    >>> import access
    >>> issubclass(access.MirrorFileMissing, FileNotFoundError)
    True
    """


class ChecksumMismatch(AccessError, ValueError):
    """A data file's sha256 differs from the one recorded (``data/sources.toml``, or the data folder's manifest).

    Examples
    --------
    >>> import access
    >>> issubclass(access.ChecksumMismatch, ValueError) and issubclass(access.ChecksumMismatch, access.AccessError)
    True
    """


class DownloadError(AccessError, OSError):
    """A publisher's file could not be downloaded (HTTP error, timeout, cut short, wrong hash, disk full).

    Nothing already in the data folder is changed when it is raised.

    Examples
    --------
    >>> import access
    >>> issubclass(access.DownloadError, OSError)
    True
    """


class HoursError(AccessError, ValueError):
    """An opening-hours string is not understood.

    Examples
    --------
    >>> import access
    >>> try:
    ...     access.parse_moment("Someday 25:00")
    ... except access.HoursError as error:
    ...     print(type(error).__name__, isinstance(error, ValueError))
    HoursError True
    """


class NetworkError(AccessError, RuntimeError):
    """A street network could not be read or built.

    Examples
    --------
    >>> import access
    >>> issubclass(access.NetworkFileMissing, access.NetworkError), issubclass(access.NetworkError, RuntimeError)
    (True, True)
    """


class NetworkUnavailable(NetworkError):
    """No street network can be had: no cache, no local file, no Overpass.

    Examples
    --------
    >>> import access
    >>> issubclass(access.NetworkUnavailable, access.NetworkError)
    True
    """


class OutputError(AccessError, OSError):
    """An output folder or file cannot be written.

    Examples
    --------
    >>> import access
    >>> result = access.load_study("redbridge-2017").run(modes=["walk"], offline=True)
    >>> try:
    ...     access.write(result, "/dev/null/out")
    ... except access.OutputError as error:
    ...     print(type(error).__name__, isinstance(error, OSError))
    OutputError True
    """


class BrowserUnavailable(AccessError, RuntimeError):
    """No headless Chromium to render a page with (``access screenshot``).

    Examples
    --------
    >>> import access
    >>> issubclass(access.BrowserUnavailable, RuntimeError)
    True
    """


class NetworkFileMissing(NetworkError, FileNotFoundError):
    """A local OSM file named for the network does not exist.

    Examples
    --------
    >>> import access
    >>> try:
    ...     access.get_network("walk", crs="EPSG:27700", osm_file="no-such-file.osm.pbf")
    ... except access.NetworkFileMissing as error:
    ...     print(type(error).__name__, isinstance(error, FileNotFoundError))
    NetworkFileMissing True
    """


class OffNetworkError(NetworkError):
    """A counter lies too far from the street network to be routed to (an island, or outside it).

    Examples
    --------
    >>> import access
    >>> issubclass(access.OffNetworkError, access.NetworkError)
    True
    """


class AccessWarning(UserWarning):
    """Something went less than ideally but the run could go on (say, a damaged cache was rebuilt).

    Issued with :func:`warnings.warn`; the command line prints each one on stderr.

    Examples
    --------
    >>> import warnings
    >>> import access
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.warn("a damaged cache was rebuilt", access.AccessWarning)
    >>> caught[0].category.__name__
    'AccessWarning'
    """


class ScenarioError(AccessError, ValueError):
    """A scenario names an unknown counter, period or postcode, or a bad location.

    Examples
    --------
    >>> import access
    >>> try:
    ...     access.parse_opened("Gants Hill=91,0.07")
    ... except access.ScenarioError as error:
    ...     print(type(error).__name__, isinstance(error, ValueError))
    ScenarioError True
    """


class ArgumentError(AccessError, TypeError):
    """A function of access was given a value of the wrong type (a number where a study name goes).

    Examples
    --------
    >>> import access
    >>> try:
    ...     access.load_study(None)
    ... except access.ArgumentError as error:
    ...     print(type(error).__name__, isinstance(error, TypeError))
    ArgumentError True
    """


class ResourceError(AccessError, MemoryError):
    """A computation would need more memory than the budget (``ACCESS_MEMORY_BUDGET_MB``).

    The message says how much it would need and how to shrink it.

    Examples
    --------
    >>> import access
    >>> issubclass(access.ResourceError, MemoryError)
    True
    """


class SettingError(AccessError, ValueError):
    """An ``ACCESS_*`` environment variable has a value access cannot use."""
