"""Study definitions: ``data/studies/<name>.toml``, validated on load.

A study file looks like this (every key is checked; an unknown key is an error)::

    name = "redbridge-2017"
    title = "Police front counters in Redbridge, before and after the 2017 closures"
    crs = "EPSG:27700"                    # a projected CRS in metres

    [area]
    boroughs = ["Redbridge"]              # residents live here; "all" for London's 33
    # or, instead of boroughs: local_authority = "Manchester"  (any in England and Wales, once its data
    # is fetched with: access data fetch --local-authority "Manchester"; residents: 2011 Census)
    buffer_m = 3000                       # the network reaches this far beyond boroughs and counters
    counter_max_m = 10000                 # a counter farther than this from the boroughs is an error

    [residents]
    wards = "redbridge_wards"             # optional: a ward-boundary source key
    max_snap_m = 500                      # origins farther than this from the network are flagged

    [counters]
    table = "../counters/redbridge-2017.csv"  # relative to this file; one column of hours per period
    # or, instead of table: source = "london-met" (an adapter in access.inputs.counter_sources)

    [periods]
    before = "2013_2017"
    after = "2018_2025"
    extra = ["until_2013", "from_2026"]

    [periods.labels]                      # optional: how maps, the report, the CLI and CSVs name each period
    2013_2017 = "2013–17: Ilford 24/7, Barkingside weekdays"   # a period without a label is shown by its id
    2018_2025 = "2018–25: Ilford 24/7, Barkingside closed"      # ids stay the keys in the data (summary.json …)

    [modes]
    use = ["walk", "cycle", "drive"]

    [transit]                             # optional: the 'transit' mode, walking and public transport from
    feeds = ["feeds/buses.zip"]           # GTFS timetables (see access.inputs.transit_spec for every key)
    date = "2024-03-12"
    window = ["08:00", "09:00"]

    [network]
    osm_file = ""                         # optional: a source key or a path to .osm/.osm.pbf
    calibration = "london"                # optional: the straight-line estimate's calibration, one of those
                                          # in data/detour_factors.toml (access calibrate): pick the one whose
                                          # streets are most like the study's ("city-of-london" for the
                                          # centre); default "london"

    [drive]                               # optional: the drive model's numbers (access.core.tripcosts)
    park_min = 3.0                        # start_min, park_min, signal_s, junction_s, weekday, weekend
    speeds_kmh = { primary = 48.0 }       # typical speeds in free-flowing traffic, by road class

    [walk]                                # optional: signal_s (wait at a signalised crossing), older_kmh,
    older = true                          # and older = true: walking figures at an older pace in the groups

    [scenarios.gants-hill]                # optional, any number: "what if" (see access.whatif.scenario)
    description = "A counter at Gants Hill instead of Ilford"
    base = "2018_2025"                    # start from this period's counters and hours
    close = ["ilford"]                    # counter ids closed (hours 'off')
    open = [{ name = "Gants Hill", lat = 51.5765, lon = 0.0661, hours = "24/7" }]  # or postcode = "IG2 6UD"
    hours = { romford = "Mo-Fr 10:00-22:00" }   # hours overrides, by counter id
    at = "Sat 23:30"                      # optional: evaluate at this moment of the week
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyproj

from access.core import settings
from access.core.arguments import choose, is_plain_name, names
from access.core.errors import AccessError, ArgumentError, HoursError, StudyError
from access.core.modes import MODES
from access.core.tripcosts import DEFAULT_DRIVE, DEFAULT_WALK, DriveCosts, WalkCosts, drive_costs, walk_costs
from access.inputs.calibrations import DEFAULT_CALIBRATION, calibration_names
from access.inputs.counter_sources import ADAPTER_FILES, ADAPTERS
from access.inputs.hours import parse_hours, parse_moment
from access.inputs.sources import (
    ATTRIBUTION,
    LOCAL_AUTHORITY_ATTRIBUTION,
    OWN_DATA_ATTRIBUTION,
    OWN_DATA_SHORT_ATTRIBUTION,
    SHORT_ATTRIBUTION,
    sources,
)
from access.inputs.study_files import find_study, list_studies, studies_dir
from access.inputs.transit_spec import TRANSIT_LABEL, TRANSIT_MODE, TransitSpec, transit_spec

__all__ = ["StudyConfig", "ScenarioSpec", "OpenedSpec", "ImportedMode", "load_config", "list_studies", "studies_dir",
           "study_file", "frames_config", "check_scale", "LONDON_BOROUGHS", "RESERVED_PERIODS", "MAX_SCALE_ERROR"]

LONDON_BOROUGHS: tuple[str, ...] = (
    "Barking and Dagenham", "Barnet", "Bexley", "Brent", "Bromley", "Camden", "City of London",
    "Croydon", "Ealing", "Enfield", "Greenwich", "Hackney", "Hammersmith and Fulham", "Haringey",
    "Harrow", "Havering", "Hillingdon", "Hounslow", "Islington", "Kensington and Chelsea",
    "Kingston upon Thames", "Lambeth", "Lewisham", "Merton", "Newham", "Redbridge",
    "Richmond upon Thames", "Southwark", "Sutton", "Tower Hamlets", "Waltham Forest", "Wandsworth",
    "Westminster",
)
"""The 33 London boroughs (the City counted as one), as named in ``london_boroughs.geojson``;
``boroughs = "all"`` in a study means these."""

_SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "": {"name": str, "title": str, "description": str, "crs": str,
         "area": dict, "residents": dict, "counters": dict, "periods": dict,
         "modes": dict, "network": dict, "scenarios": dict, "travel_times": dict, "drive": dict, "walk": dict,
         "transit": dict},
    "travel_times": {"table": str, "label": str, "note": str},
    "area": {"boroughs": (list, str), "local_authority": str, "buffer_m": (int, float),
             "counter_max_m": (int, float)},
    "residents": {"wards": str, "max_snap_m": (int, float)},
    "counters": {"table": str, "source": str, "crs": str},
    "periods": {"before": str, "after": str, "extra": list, "labels": dict},
    "modes": {"use": (list, str)},
    "network": {"osm_file": str, "calibration": str},
    "scenario": {"description": str, "base": str, "close": (list, str), "open": list, "hours": dict, "at": str},
    "opened": {"name": str, "id": str, "lat": (int, float), "lon": (int, float), "postcode": str, "hours": str},
}
_REQUIRED = {"": ("name", "title", "area", "counters", "periods"), "scenario": ("base",), "opened": ("name",),
             "periods": ("before", "after")}


@dataclass(frozen=True)
class OpenedSpec:
    """A hypothetical counter named in a scenario: a location (lat/lon or postcode) and its hours."""

    name: str
    id: str | None = None
    lat: float | None = None
    lon: float | None = None
    postcode: str | None = None
    hours: str = "24/7"


@dataclass(frozen=True)
class ImportedMode:
    """A mode whose travel times were computed elsewhere (``[travel_times.<mode>]``): r5py, OpenTripPlanner.

    Attributes
    ----------
    name
        The mode's name, e.g. ``transit``.
    label
        How it reads after "travel", e.g. ``"by public transport"``.
    note
        Where the times came from; every output that shows them says so.
    table
        The table's file (``from_id``, ``to_id``, ``travel_time``), or ``None`` when given in Python.
    """

    name: str
    label: str
    note: str
    table: Path | None = None


@dataclass(frozen=True)
class ScenarioSpec:
    """A ``[scenarios.<name>]`` table, checked for shape (see :mod:`access.whatif.scenario` for its meaning)."""

    name: str
    base: str
    description: str = ""
    close: tuple[str, ...] = ()
    open: tuple[OpenedSpec, ...] = ()
    hours: tuple[tuple[str, str], ...] = ()
    at: str | None = None


@dataclass(frozen=True)
class StudyConfig:
    """A validated study definition.

    Attributes
    ----------
    name, title, description
        How the study is called and described.
    source
        The TOML file it was read from.
    crs
        Projected CRS (metres) used for distances.
    boroughs
        Boroughs whose residents are the study's origins (names as in ``london_boroughs``); for a
        study of a local authority, its name.
    local_authority
        For a study of a local authority of England and Wales (``[area] local_authority``), its
        name as given; its tables come from ``access data fetch --local-authority``.
    buffer_m
        How far beyond the boroughs and counters the network reaches.
    counter_max_m
        A counter farther than this from the boroughs is taken for a mistake.
    wards_source
        Source key of a ward-boundary file, or ``None`` to use the postcodes' ward codes.
    max_snap_m
        Origins farther than this from the street network are flagged.
    counters_table
        Path of the counter table (resolved beside the TOML), or ``None`` with ``counters_source``.
    before, after
        The periods compared.
    extra_periods
        Further periods reported alongside.
    modes
        Travel modes, names from :data:`access.core.modes.MODES`.
    osm_file
        Optional local OSM file for the network: a ``data/sources.toml`` key, or the file's resolved path.
    calibration
        The calibration of the straight-line estimate, used for modes with no
        street network (:mod:`access.inputs.calibrations`).
    counters_source
        Name of a counter source adapter (:mod:`access.inputs.counter_sources`) that
        builds the counter table from mirror files, instead of ``counters_table``.
    scenarios
        The study's named "what if" scenarios, in file order.
    outside_files
        Files the study reads from outside its folder and the project's data/
        (given by absolute path), as (what, path): the run names them.
    counters_crs
        The CRS of the counter table's ``x``/``y`` columns (``[counters] crs``), when it has them.
    built_from
        For a study made in Python (:meth:`access.Study.from_frames`), what it was built from.
    imported
        Modes whose travel times come from a table computed elsewhere (``[travel_times.<mode>]``).
    period_labels
        ``(period, label)`` pairs from ``[periods.labels]``: how a period is
        shown to readers (:meth:`label`); the ids stay the keys in the data.
    output_crs
        The CRS results are given in, when it is not ``crs`` (a study made from
        GeoDataFrames in a geographic CRS is measured in metres but answered in its own).
    drive, walk
        The trip-cost model's numbers (``[drive]`` and ``[walk]``; :mod:`access.core.tripcosts`).
    transit
        The ``transit`` mode's timetables and parameters (``[transit]``), or ``None``.
    """

    name: str
    title: str
    source: Path
    boroughs: tuple[str, ...]
    counters_table: Path | None
    before: str
    after: str
    description: str = ""
    crs: str = "EPSG:27700"
    buffer_m: float = 3000.0
    counter_max_m: float = 10_000.0
    wards_source: str | None = None
    max_snap_m: float = 500.0
    extra_periods: tuple[str, ...] = ()
    modes: tuple[str, ...] = ("walk", "cycle", "drive")
    osm_file: str | None = None
    calibration: str = DEFAULT_CALIBRATION
    counters_source: str | None = None
    scenarios: tuple[ScenarioSpec, ...] = ()
    outside_files: tuple[tuple[str, Path], ...] = ()
    counters_crs: str | None = None
    built_from: str = ""
    imported: tuple[ImportedMode, ...] = ()
    period_labels: tuple[tuple[str, str], ...] = ()
    output_crs: str | None = None
    local_authority: str | None = None
    drive: DriveCosts = DEFAULT_DRIVE
    walk: WalkCosts = DEFAULT_WALK
    transit: TransitSpec | None = None
    periods: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "periods", (self.before, self.after, *self.extra_periods))

    def mode_label(self, mode: str) -> str:
        """How ``mode`` reads after "travel": ``"on foot"``, or an imported mode's own label.

        >>> load_config("redbridge-2017").mode_label("walk")
        'on foot'
        """
        if mode in MODES:
            return MODES[mode].label
        if mode == "walk-older":  # the equity option (access.analysis.equity.OLDER_WALK)
            return f"on foot at an older pace ({self.walk.older_kmh:g} km/h)"
        if mode == TRANSIT_MODE and self.transit is not None:
            return TRANSIT_LABEL
        return next((m.label for m in self.imported if m.name == mode), mode)

    @property
    def known_modes(self) -> tuple[str, ...]:
        """Every mode this study can run: walk, cycle, drive, ``transit`` with a ``[transit]`` table, and imported ones.

        >>> load_config("redbridge-2017").known_modes
        ('walk', 'cycle', 'drive')
        """
        return (*MODES, *([TRANSIT_MODE] if self.transit is not None else []), *(m.name for m in self.imported))

    def label(self, period: str) -> str:
        """How a period is shown to readers: its ``[periods.labels]`` label, else its id.

        >>> load_config("redbridge-2017").label("2013_2017")
        '2013–17: Ilford 24/7, Barkingside weekdays'
        >>> load_config("redbridge-2017").label("not-a-period")
        'not-a-period'
        """
        return dict(self.period_labels).get(period, period)

    @property
    def data_keys(self) -> tuple[str, ...]:
        """The data tables (``data/sources.toml`` keys) the study reads: what ``access data fetch --study`` gets.

        A London study reads the boroughs, the LSOA polygons and census, the postcodes, its wards and its
        counter source's tables; a study of a local authority reads that authority's own tables instead
        (``access data fetch --local-authority``).

        >>> load_config("redbridge-2017").data_keys
        ('boroughs', 'lsoa_polygons', 'lsoa_census', 'postcodes', 'redbridge_wards')
        """
        if self.local_authority is not None:
            keys: list[str] = []
        else:
            keys = ["boroughs", "lsoa_polygons", "lsoa_census", "postcodes"]
        keys += [key for key in (self.wards_source,) if key]
        keys += list(ADAPTER_FILES.get(self.counters_source or "", ()))
        if self.osm_file and self.osm_file in sources():
            keys.append(self.osm_file)
        return tuple(dict.fromkeys(keys))

    def period_id(self, value: str, *, error: type[AccessError] = StudyError) -> str:
        """Return the id of the period ``value`` names: its id, or its label as printed, without regard to case.

        A label's short form (the part before its first colon, ``2018–25``) counts too, with any dash.

        >>> config = load_config("redbridge-2017")
        >>> config.period_id("2018_2025"), config.period_id("2018-25"), config.period_id("UNTIL_2013")
        ('2018_2025', '2018_2025', 'until_2013')

        Raises
        ------
        error (StudyError unless another is given)
            ``value`` names no period (the message names the closest).
        """
        return choose(value, self.periods, "period", aliases=self.period_aliases, error=error)

    @property
    def period_aliases(self) -> dict[str, str]:
        """Other names of the periods: each label as printed, and its short form before the colon → the period id."""
        aliases: dict[str, str] = {}
        for period, label in self.period_labels:
            aliases[label] = period
            short = label.split(":", 1)[0].strip()
            if short and short != label:
                aliases.setdefault(short, period)
        return aliases

    @property
    def attribution(self) -> str:
        """The data attribution its pages carry: the mirror's sources, a local authority's, or the user's own data's."""
        if self.built_from:
            return OWN_DATA_ATTRIBUTION
        return LOCAL_AUTHORITY_ATTRIBUTION if self.local_authority else ATTRIBUTION

    @property
    def short_attribution(self) -> str:
        """:attr:`attribution` in a line, for a map's corner."""
        return OWN_DATA_SHORT_ATTRIBUTION if self.built_from else SHORT_ATTRIBUTION

    @property
    def labels(self) -> dict[str, str]:
        """Every period's label (:meth:`label`), by id, in the order of :attr:`periods`."""
        return {period: self.label(period) for period in self.periods}


RESERVED_PERIODS = frozenset({
    "id", "name", "address", "postcode", "borough", "lon", "lat", "latitude", "longitude", "x", "y", "geometry",
    "coord_note", "source", "sources", "notes", "change", "all",
})
"""Names a period may not have: they are columns of the counter table or of the outputs (``<mode>_change_min``)."""

_RANGES: dict[str, tuple[float, float, float]] = {  # key: (default, smallest, largest)
    "buffer_m": (3000.0, 0.0, 50_000.0),
    "counter_max_m": (10_000.0, 1.0, 100_000.0),
    "max_snap_m": (500.0, 1.0, 1000.0),
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _check_table(table: dict[str, Any], section: str, where: Path, label: str | None = None) -> None:
    schema = _SCHEMA[section]
    label = label or (f"[{section}]" if section else "top level")
    for key, value in table.items():
        if key not in schema:
            raise StudyError(
                f"{where}: unknown key {key!r} in {label}; allowed keys are {', '.join(schema)}"
            )
        expected = schema[key]
        if not isinstance(value, expected) or isinstance(value, bool):
            kinds = expected if isinstance(expected, tuple) else (expected,)
            raise StudyError(
                f"{where}: {label} key {key!r} has value {value!r}; it must be "
                f"{' or '.join(k.__name__ for k in kinds)}"
            )
        if isinstance(value, str) and _CONTROL.search(value):
            raise StudyError(f"{where}: {label} key {key!r} has a control character in {value!r}; remove it")
    for key in _REQUIRED.get(section, ()):
        if key not in table:
            raise StudyError(f"{where}: {label} is missing the required key {key!r}")


def _string_list(value: Any, key: str, where: Path) -> tuple[str, ...]:
    if isinstance(value, str):  # one name where a list is expected: a list of one
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise StudyError(f"{where}: {key} must be a list of non-empty strings, not {value!r}")
    if any(_CONTROL.search(v) for v in value):
        raise StudyError(f"{where}: {key} has a control character in {value!r}; remove it")
    return tuple(value)


def _slug(value: str, what: str, where: Path) -> str:
    if not is_plain_name(value):
        raise StudyError(f"{where}: {what} {value!r} is not a plain name; use letters, digits, '-' and '_' only "
                         f"(at most 64, starting with a letter or digit), e.g. 'redbridge-2017' or '2013_2017'")
    return value


def study_name(value: Any, *, where: str) -> str:
    """Return ``value`` if it is a valid study name (letters, digits, ``-``, ``_``; at most 64).

    >>> study_name("havering-2017", where="new study")
    'havering-2017'
    """
    if not isinstance(value, str):
        raise StudyError(f"{where}: a study name is text such as 'havering-2017', not {value!r}")
    return _slug(value, "name", Path(where))


def _periods(periods: tuple[Any, ...], where: Path) -> tuple[str, ...]:
    """Check a study's periods: plain names, none named like a column, none twice."""
    for period in periods:
        if not isinstance(period, str):
            raise StudyError(f"{where}: period {period!r} must be the name of a column of hours")
        _slug(period, "period", where)
        if period.lower() in RESERVED_PERIODS:
            raise StudyError(f"{where}: period {period!r} has the name of a column of the counter table or the "
                             f"outputs ({', '.join(sorted(RESERVED_PERIODS))}); rename it, e.g. '{period}_period'")
    if len(set(periods)) != len(periods):
        raise StudyError(f"{where}: [periods] names a period twice: {list(periods)!r}")
    return periods


def _number(section: dict[str, Any], key: str, label: str, where: Path) -> float:
    default, low, high = _RANGES[key]
    value = float(section.get(key, default))
    if not math.isfinite(value) or not low <= value <= high:
        raise StudyError(f"{where}: {label} {key} = {value!r} must be a number from {low:g} to {high:g} metres")
    return value


MAX_SCALE_ERROR = 0.005
"""A study's CRS may stretch or shrink distances in its area by at most this share (0.5%)."""


def check_scale(crs: str, centre: Any, *, where: str, area: str) -> None:
    """Refuse a CRS that distorts distances at ``centre`` (a WGS84 point): the one check of every study's CRS.

    Web Mercator stretches London's distances by 60%, so every time would be 60% too long.
    A study file and a study made from GeoDataFrames are checked alike.

    >>> from shapely.geometry import Point
    >>> check_scale("EPSG:27700", Point(0.07, 51.58), where="x", area="Redbridge")
    >>> try:
    ...     check_scale("EPSG:3857", Point(0.07, 51.58), where="x", area="Redbridge")
    ... except StudyError as exc:
    ...     print(str(exc).split(";")[0])
    x: crs = 'EPSG:3857' stretches distances in Redbridge by 61.0%

    Raises
    ------
    StudyError
        The CRS stretches or shrinks distances there by more than :data:`MAX_SCALE_ERROR`.
    """
    geod = pyproj.Geod(ellps="WGS84")
    to_crs = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    for azimuth in (0.0, 90.0):
        lon, lat, _ = geod.fwd(centre.x, centre.y, azimuth, 1000.0)
        (x0, x1), (y0, y1) = to_crs.transform([centre.x, lon], [centre.y, lat])
        scale = float(math.hypot(x1 - x0, y1 - y0)) / 1000.0
        if not math.isfinite(scale) or abs(scale - 1) > MAX_SCALE_ERROR:
            raise StudyError(f"{where}: crs = {crs!r} {'stretches' if scale > 1 else 'shrinks'} distances in {area} "
                             f"by {abs(scale - 1):.1%}; use a local projected CRS in metres, e.g. \"EPSG:27700\" "
                             f"(British National Grid) or the UTM zone")


def _crs(value: str, where: Path) -> str:
    try:
        crs = pyproj.CRS.from_user_input(value)
    except pyproj.exceptions.CRSError as exc:
        raise StudyError(f"{where}: crs = {value!r} is not a coordinate reference system pyproj knows; give a "
                         f"projected CRS in metres, e.g. \"EPSG:27700\" (British National Grid)") from exc
    units = {axis.unit_name for axis in crs.axis_info}
    if not crs.is_projected or units != {"metre"}:
        raise StudyError(f"{where}: crs = {value!r} is not a projected CRS in metres (it is "
                         f"{'geographic' if crs.is_geographic else 'in ' + ', '.join(sorted(units))}); distances "
                         f"and the network need metres, e.g. \"EPSG:27700\" (British National Grid)")
    return value


def _any_crs(value: str, where: Path) -> str:
    try:
        pyproj.CRS.from_user_input(value)
    except pyproj.exceptions.CRSError as exc:
        raise StudyError(f"{where}: [counters] crs = {value!r} is not a coordinate reference system pyproj knows, "
                         f"e.g. \"EPSG:27700\"") from exc
    return value


def _within(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def study_file(value: str | Path, folder: Path, what: str, where: Path) -> tuple[Path, bool]:
    """Return the file a study names, and whether it lies outside the study's folder and the project's data/.

    A relative path is resolved beside the study's TOML (``folder``) and must stay
    inside that folder or the project's ``data/``; a path elsewhere must be given
    absolute, so that a study cannot reach a file by accident.

    Raises
    ------
    StudyError
        The path leaves those folders without being absolute, or names no file.
    """
    raw = Path(value).expanduser()
    data = settings.project_data_dir().resolve()
    path = (raw if raw.is_absolute() else folder / raw).resolve()
    outside = not (_within(path, folder.resolve()) or _within(path, data))
    if outside and not raw.is_absolute():
        raise StudyError(f"{where}: {what} {str(value)!r} leads outside the study's folder ({folder}) and the "
                         f"project's data/ ({data}); give the file's absolute path if you mean it")
    if not path.is_file():
        raise StudyError(f"{where}: {what} {str(value)!r} is not a file ({path}); paths in a study are relative "
                         f"to its TOML file")
    return path, outside


def _resolve(name_or_path: str | Path) -> Path:
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise ArgumentError(f"a study is a name such as 'redbridge-2017' or a path to a .toml file, not "
                            f"{name_or_path!r} ({type(name_or_path).__name__})")
    candidate = Path(name_or_path).expanduser()
    if candidate.is_dir():
        raise StudyError(f"{str(candidate)!r} is a folder, not a study file; give the path of a study's .toml "
                         f"(or its name: access studies lists them)")
    if candidate.suffix == ".toml" or os.sep in str(name_or_path) or candidate.is_file():
        if not candidate.is_file():
            raise StudyError(f"study file {str(candidate)!r} does not exist; give a path to a .toml study, or a "
                             f"study's name (access studies lists them)")
        return candidate
    return find_study(str(name_or_path))


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StudyError(f"{path}: not UTF-8 text (byte {exc.start}); save the study file as UTF-8") from exc
    except OSError as exc:
        raise StudyError(f"{path}: cannot be read ({exc.strerror or exc}); check the path and its permissions") \
            from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StudyError(f"{path}: not valid TOML ({exc}); fix the syntax at that line") from exc


def load_config(name_or_path: str | Path) -> StudyConfig:
    """Read and validate a study definition: every key, value, name and path.

    Parameters
    ----------
    name_or_path
        A shipped study's name (``"redbridge-2017"``) or a path to a ``.toml`` file.

    Returns
    -------
    StudyConfig

    Raises
    ------
    StudyError
        The study is unknown, the TOML is malformed, or a key or value is wrong.
    ArgumentError
        ``name_or_path`` is not a string or a path.

    Examples
    --------
    >>> load_config("redbridge-2017").periods
    ('2013_2017', '2018_2025', 'until_2013', 'from_2026')
    """
    path = _resolve(name_or_path)
    folder = path.resolve().parent
    raw = _read(path)

    _check_table(raw, "", path)
    for section in ("area", "residents", "counters", "periods", "modes", "network", "transit"):
        if section in raw and not isinstance(raw[section], dict):
            raise StudyError(f"{path}: [{section}] must be a table of keys, not {raw[section]!r}")
        if section != "transit":  # (its keys are checked by access.inputs.transit_spec)
            _check_table(raw.get(section, {}), section, path)
    name = _slug(raw["name"], "name", path)
    crs = _crs(raw.get("crs", "EPSG:27700"), path)

    area, residents = raw["area"], raw.get("residents", {})
    periods, modes = raw["periods"], raw.get("modes", {})
    imported = _imported(raw.get("travel_times", {}), folder, path)
    transit = _transit(raw["transit"], folder, path) if "transit" in raw else None
    if transit is not None and TRANSIT_MODE in {m.name for m in imported}:
        raise StudyError(f"{path}: [travel_times.{TRANSIT_MODE}] and [transit] both define the mode "
                         f"{TRANSIT_MODE!r}; give the imported times another name, e.g. '{TRANSIT_MODE}-imported'")
    mode_names = _string_list(modes.get("use", ["walk", "cycle", "drive"]), "[modes] use", path)
    for mode in mode_names:
        if mode == TRANSIT_MODE and transit is None and mode not in {m.name for m in imported}:
            raise StudyError(f"{path}: [modes] use lists {TRANSIT_MODE!r} but the study has no [transit] table; "
                             f"add one naming the GTFS feeds and the service date (feeds = [\"buses.zip\"], "
                             f"date = \"2024-03-12\")")
        if mode not in MODES and mode != TRANSIT_MODE and mode not in {m.name for m in imported}:
            raise StudyError(f"{path}: unknown mode {mode!r} in [modes] use; choose from {', '.join(MODES)}, "
                             f"{TRANSIT_MODE} (with a [transit] table), or give its travel times in a "
                             f"[travel_times.{mode}] table")
    if len(set(mode_names)) != len(mode_names) or not mode_names:
        raise StudyError(f"{path}: [modes] use must list each mode once, not {list(mode_names)!r}")
    mode_names = (*mode_names, *(m.name for m in imported if m.name not in mode_names))  # imported: run too
    if transit is not None and TRANSIT_MODE not in mode_names:  # a [transit] table: its mode is run too
        mode_names = (*mode_names, TRANSIT_MODE)

    buffer_m = _number(area, "buffer_m", "[area]", path)
    counter_max_m = _number(area, "counter_max_m", "[area]", path)
    max_snap_m = _number(residents, "max_snap_m", "[residents]", path)

    extra = _string_list(periods.get("extra", []), "[periods] extra", path)
    all_periods = _periods((periods["before"], periods["after"], *extra), path)

    labels = _period_labels(periods.get("labels", {}), all_periods, path)
    table, source, outside = _counters(raw["counters"], folder, path)
    calibration = _calibration(raw.get("network", {}).get("calibration", DEFAULT_CALIBRATION), path)
    local_authority = area.get("local_authority")
    if "boroughs" in area and local_authority is not None:
        raise StudyError(f"{path}: [area] has both boroughs and local_authority; keep one")
    if "boroughs" not in area and local_authority is None:
        raise StudyError(f"{path}: [area] is missing the required key 'boroughs' (London boroughs, or \"all\"); or "
                         f"give local_authority instead (any in England and Wales, e.g. \"Manchester\")")
    if local_authority is not None:
        local_authority = " ".join(local_authority.split())
        if not local_authority:
            raise StudyError(f"{path}: [area] local_authority is empty; name one, e.g. \"Manchester\"")
        boroughs: Any = (local_authority,)
    else:
        boroughs = area["boroughs"]
        if isinstance(boroughs, str) and boroughs == "all":
            boroughs = list(LONDON_BOROUGHS)
        boroughs = _string_list(boroughs, "[area] boroughs", path)
        if not boroughs:
            raise StudyError(f'{path}: [area] boroughs = [] names no borough; list at least one, or write "all"')
        try:
            boroughs = tuple(choose(b, LONDON_BOROUGHS, "borough", error=StudyError) for b in boroughs)
        except StudyError as exc:
            raise StudyError(f"{path}: [area] boroughs: {exc}; use names as in london_boroughs.geojson "
                             f"({', '.join(LONDON_BOROUGHS)}), or \"all\"; for a local authority outside London, "
                             f"give [area] local_authority instead") from None
    wards = residents.get("wards") or None
    if wards is not None:
        kind = sources().get(wards, None)
        if kind is None or kind.kind != "wards":
            ward_keys = [k for k, s in sources().items() if s.kind == "wards"]
            raise StudyError(f"{path}: [residents] wards = {wards!r} is not a ward-boundary file of "
                             f"data/sources.toml; use one of: {', '.join(ward_keys) or '(none)'}, or leave it out")
    osm_file = raw.get("network", {}).get("osm_file") or None
    if osm_file is not None and osm_file not in sources():
        osm_path, osm_outside = study_file(osm_file, folder, "[network] osm_file", path)
        osm_file = str(osm_path)
        if osm_outside:
            outside = (*outside, ("OSM file", osm_path))

    return StudyConfig(
        name=name,
        title=raw["title"],
        description=raw.get("description", ""),
        source=path,
        crs=crs,
        boroughs=boroughs,
        buffer_m=buffer_m,
        counter_max_m=counter_max_m,
        wards_source=wards,
        max_snap_m=max_snap_m,
        counters_table=table,
        before=periods["before"],
        after=periods["after"],
        extra_periods=extra,
        modes=mode_names,
        osm_file=osm_file,
        calibration=calibration,
        counters_source=source,
        scenarios=tuple(_scenario(scenario, spec, all_periods, path)
                        for scenario, spec in raw.get("scenarios", {}).items()),
        outside_files=outside,
        counters_crs=_any_crs(raw["counters"]["crs"], path) if "crs" in raw["counters"] else None,
        imported=imported,
        period_labels=labels,
        local_authority=local_authority,
        drive=drive_costs(raw.get("drive"), where=f"{path}: [drive]"),
        walk=walk_costs(raw.get("walk"), where=f"{path}: [walk]"),
        transit=transit,
    )


def _transit(table: Any, folder: Path, path: Path) -> TransitSpec:
    """Read the ``[transit]`` table: feeds relative to the study file (or source keys), the rest checked once."""
    def resolve(value: str) -> str:
        if value in sources():
            return value
        return str(_feed_path(value, folder, path))

    return transit_spec(table, where=f"{path}: [transit]", resolve=resolve)


def _feed_path(value: str, folder: Path, where: Path) -> Path:
    """Return the GTFS feed a study names: a ``.zip`` (by :func:`study_file`'s rule) or a folder of ``.txt`` files."""
    raw = Path(value).expanduser()
    candidate = (raw if raw.is_absolute() else folder / raw).resolve()
    if candidate.is_dir():
        if not raw.is_absolute() and not (_within(candidate, folder.resolve())
                                          or _within(candidate, settings.project_data_dir().resolve())):
            raise StudyError(f"{where}: [transit] feeds {value!r} leads outside the study's folder ({folder}) and "
                             f"the project's data/; give the folder's absolute path if you mean it")
        return candidate
    return study_file(value, folder, "[transit] feeds", where)[0]


def _imported(section: dict[str, Any], folder: Path, path: Path) -> tuple[ImportedMode, ...]:
    """Read the ``[travel_times.<mode>]`` tables: modes whose times were computed elsewhere."""
    found = []
    for name, spec in section.items():
        label = f"[travel_times.{name}]"
        _slug(name, "mode", path)
        if name in MODES:
            raise StudyError(f"{path}: {label}: {name!r} is a mode access routes itself; give imported times "
                             f"another name, e.g. '{name}-imported'")
        if not isinstance(spec, dict):
            raise StudyError(f"{path}: {label} must be a table with table, label and note")
        _check_table(spec, "travel_times", path, label)
        if "table" not in spec:
            raise StudyError(f"{path}: {label} is missing the required key 'table' (a CSV of from_id, to_id, "
                             f"travel_time)")
        table, _outside = study_file(spec["table"], folder, f"{label} table", path)
        found.append(ImportedMode(name=name, label=spec.get("label") or f"({name})",
                                  note=spec.get("note") or f"travel times from {table.name}", table=table))
    return tuple(found)


def _metric_crs(frame: Any, centre: Any) -> str | None:
    """Return the frame's CRS when it is projected in metres and measures true at ``centre``, else ``None``.

    Web Mercator is projected in metres but stretches distances (by 60% in London): a frame in it is
    not a CRS to measure in, and the study picks another.
    """
    own = getattr(frame, "crs", None)
    if own is None or not own.is_projected or {axis.unit_name for axis in own.axis_info} != {"metre"}:
        return None
    try:
        check_scale(own.to_string(), centre, where="", area="")
    except StudyError:
        return None
    return own.to_string()


def frames_config(name: str, *, boundary: Any, before: str, after: str, extra: Sequence[str] = (),
                  title: str | None = None, modes: Sequence[str] | str = ("walk", "cycle", "drive"),
                  crs: str | None = None, buffer_m: float = 3000.0, counter_max_m: float = 10_000.0,
                  max_snap_m: float = 500.0, calibration: str = DEFAULT_CALIBRATION,
                  residents: Any = None, facilities: Any = None, drive: DriveCosts = DEFAULT_DRIVE,
                  walk: WalkCosts = DEFAULT_WALK, transit: dict[str, Any] | TransitSpec | None = None) -> StudyConfig:
    """Define a study made in Python from GeoDataFrames, checked as a study file's definition is.

    The study is measured in ``crs`` when given (refused if it distorts distances there,
    as Web Mercator does); else in the first of the residents', the facilities' and the
    boundary's CRS that is projected in metres and measures true there; else in the
    boundary's UTM zone.  Results come back in ``crs`` when given, else in the residents'
    own CRS (``StudyConfig.output_crs``), whatever CRS they were measured in.

    Raises
    ------
    StudyError
        A name, period, mode, number or CRS is not valid.
    """
    where = Path(f"<study {name!r} from GeoDataFrames>")
    if not isinstance(name, str):
        raise ArgumentError(f"a study's name is text, not {name!r}")
    _slug(name, "name", where)
    given = crs
    centre = boundary.to_crs("EPSG:4326").union_all().centroid
    if crs is None:
        crs = next((found for frame in (residents, facilities, boundary) if (found := _metric_crs(frame, centre))),
                   None) or boundary.estimate_utm_crs().to_string()
    crs = _crs(crs, where)
    check_scale(crs, centre, where=str(where), area=title or name)
    own = getattr(residents if getattr(residents, "crs", None) is not None else boundary, "crs", None)
    output_crs = crs if given is not None else (own.to_string() if own is not None else crs)
    _periods((before, after, *extra), where)
    mode_names = _string_list(list(names(modes, "modes", at_least_one=True)), "modes", where)
    spec = None
    if transit is not None:
        spec = transit_spec(transit, where=f"{where}: transit", resolve=lambda value: _frames_feed(value, where))
        if TRANSIT_MODE not in mode_names:
            mode_names = (*mode_names, TRANSIT_MODE)
    unknown = [m for m in mode_names if m not in MODES and not (m == TRANSIT_MODE and spec is not None)]
    if unknown:
        hint = (" (give transit= the GTFS feeds and the service date)" if unknown[0] == TRANSIT_MODE
                else " (import others with Study.import_times)")
        raise StudyError(f"{where}: unknown mode {unknown[0]!r}; choose from {', '.join(MODES)}, "
                         f"{TRANSIT_MODE}{hint}")
    numbers = {"buffer_m": buffer_m, "counter_max_m": counter_max_m, "max_snap_m": max_snap_m}
    checked = {key: _number(numbers, key, "", where) for key in numbers}
    return StudyConfig(name=name, title=title or name, source=where, boroughs=(title or name,), counters_table=None,
                       before=before, after=after, extra_periods=tuple(extra), crs=crs, modes=mode_names,
                       built_from="GeoDataFrames given in Python (Study.from_frames)",
                       calibration=_calibration(calibration, where), output_crs=output_crs, drive=drive, walk=walk,
                       transit=spec, **checked)


def _frames_feed(value: str, where: Path) -> str:
    """Return a feed given in Python: a path (from the current folder) to a GTFS .zip or folder, or a source key."""
    if value in sources():
        return value
    path = Path(value).expanduser().resolve()
    if not path.exists():
        raise StudyError(f"{where}: transit feeds {value!r} is not a file or folder ({path}); give the path of a "
                         f"GTFS .zip (or a folder of GTFS .txt files)")
    return str(path)


def _calibration(name: str, path: Path) -> str:
    """Check that a study's calibration is one of those stored in data/detour_factors.toml."""
    known = calibration_names()
    if name not in known:
        raise StudyError(f"{path}: [network] calibration {name!r} is not in data/detour_factors.toml; "
                         f"choose from {', '.join(known)}, or measure it with 'access calibrate --osm-file FILE "
                         f"--name {name if is_plain_name(name) else 'NAME'}'")
    return name


def _period_labels(table: dict[str, Any], periods: tuple[str, ...], path: Path) -> tuple[tuple[str, str], ...]:
    """Check ``[periods.labels]``: each key a period of the study, each value a distinct non-empty string."""
    for period, label in table.items():
        if period not in periods:
            raise StudyError(f"{path}: [periods.labels] names {period!r}, which is not a period of the study; "
                             f"its periods are {', '.join(periods)}")
        if not isinstance(label, str) or not label.strip():
            raise StudyError(f"{path}: [periods.labels] {period} = {label!r}; give a non-empty string, e.g. "
                             f"\"2013–17: Ilford 24/7\"")
    shown = [" ".join(table.get(p, p).split()) for p in periods]
    twice = sorted({label for label in shown if shown.count(label) > 1})
    if twice:
        raise StudyError(f"{path}: [periods.labels] shows {twice[0]!r} for two periods; give each its own label")
    return tuple((p, " ".join(table[p].split())) for p in periods if p in table)


def _counters(section: dict[str, Any], folder: Path,
              path: Path) -> tuple[Path | None, str | None, tuple[tuple[str, Path], ...]]:
    """Return the counter table's path or the counter source adapter's name (exactly one), and files outside."""
    if ("table" in section) == ("source" in section):
        raise StudyError(f"{path}: [counters] needs exactly one of 'table' (a CSV, relative to the study file) or "
                         f"'source' (a counter source adapter, e.g. \"london-met\")")
    if "source" in section:
        if section["source"] not in ADAPTERS:
            raise StudyError(f"{path}: [counters] source {section['source']!r} is unknown; "
                             f"choose from {', '.join(ADAPTERS)}")
        return None, section["source"], ()
    table, outside = study_file(section["table"], folder, "[counters] table", path)
    if table.suffix.lower() not in (".csv", ".txt"):
        raise StudyError(f"{path}: [counters] table {section['table']!r} is not a .csv file; give the counter "
                         f"table as CSV (columns id, name, lon, lat and one column of hours per period)")
    return table, None, ((("counter table", table),) if outside else ())


def _scenario(name: str, table: Any, periods: tuple[str, ...], where: Path) -> ScenarioSpec:
    label = f"[scenarios.{name}]"
    _slug(name, "scenario name", where)
    if not isinstance(table, dict):
        raise StudyError(f"{where}: {label} must be a table of keys (base, close, open, hours, at), not {table!r}")
    _check_table(table, "scenario", where, label)
    if table["base"] not in periods:
        raise StudyError(f"{where}: {label} base {table['base']!r} is not a period; choose from {', '.join(periods)}")
    opened = []
    for item in table.get("open", []):
        if not isinstance(item, dict):
            raise StudyError(f"{where}: {label} open must list tables like {{ name = ..., lat = ..., lon = ... }}, "
                             f"not {item!r}")
        _check_table(item, "opened", where, f"{label} open")
        has_point = "lat" in item or "lon" in item
        if has_point == ("postcode" in item) or (has_point and not ("lat" in item and "lon" in item)):
            raise StudyError(f"{where}: {label} opened counter {item['name']!r} needs either lat and lon, "
                             f"or a postcode")
        if has_point and not (math.isfinite(item["lat"]) and math.isfinite(item["lon"])
                              and -90 <= item["lat"] <= 90 and -180 <= item["lon"] <= 180):
            raise StudyError(f"{where}: {label} opened counter {item['name']!r}: lat {item['lat']!r}, lon "
                             f"{item['lon']!r} is not a place; give latitude (-90…90) and longitude (-180…180)")
        opened.append(OpenedSpec(name=item["name"], id=item.get("id"), postcode=item.get("postcode"),
                                 lat=float(item["lat"]) if "lat" in item else None,
                                 lon=float(item["lon"]) if "lon" in item else None,
                                 hours=item.get("hours", "24/7")))
    hours = table.get("hours", {})
    if not all(isinstance(v, str) for v in hours.values()):
        raise StudyError(f"{where}: {label} hours must map counter ids to hours strings, not {hours!r}")
    for cid, text in hours.items():
        try:
            parse_hours(text)
        except HoursError as exc:
            raise StudyError(f"{where}: {label} hours of {cid!r}: {exc}") from exc
    if "at" in table:
        try:
            parse_moment(table["at"])
        except HoursError as exc:
            raise StudyError(f"{where}: {label} at: {exc}") from exc
    return ScenarioSpec(name=name, base=table["base"], description=table.get("description", ""),
                        close=_string_list(table.get("close", []), f"{label} close", where),
                        open=tuple(opened), hours=tuple(hours.items()), at=table.get("at"))
