"""Study definitions: ``data/studies/<name>.toml``, validated on load.

A study file looks like this (every key is checked; an unknown key is an error)::

    name = "redbridge-2017"
    title = "Police front counters in Redbridge, before and after the 2017 closures"
    crs = "EPSG:27700"                    # a projected CRS in metres

    [area]
    boroughs = ["Redbridge"]              # residents live here; "all" for London's 33
    buffer_m = 3000                       # the network reaches this far beyond boroughs and counters
    counter_max_m = 10000                 # a counter farther than this from the boroughs is an error

    [residents]
    wards = "redbridge_wards"             # optional: a ward-boundary source key
    max_snap_m = 500                      # origins farther than this from the network are flagged

    [counters]
    table = "counters/redbridge-2017.csv" # under data/, one column of hours per period
    # or, instead of table: source = "london-met" (an adapter in access.inputs.counter_sources)

    [periods]
    before = "2013_2017"
    after = "2018_2025"
    extra = ["until_2013", "from_2026"]

    [modes]
    use = ["walk", "cycle", "drive"]

    [network]
    osm_file = ""                         # optional: a source key or a path to .osm/.osm.pbf
    calibration = "city-of-london"        # optional: the straight-line estimate's calibration, one of those
                                          # in data/detour_factors.toml (access calibrate): pick the one whose
                                          # streets are most like the study's; default "city-of-london"

    [scenarios.gants-hill]                # optional, any number: "what if" (see access.whatif.scenario)
    description = "A counter at Gants Hill instead of Ilford"
    base = "2018_2025"                    # start from this period's counters and hours
    close = ["ilford"]                    # counter ids closed (hours 'off')
    open = [{ name = "Gants Hill", lat = 51.5765, lon = 0.0661, hours = "24/7" }]  # or postcode = "IG2 6UA"
    hours = { romford = "Mo-Fr 10:00-22:00" }   # hours overrides, by counter id
    at = "Sat 23:30"                      # optional: evaluate at this moment of the week
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from access.core import settings
from access.core.errors import HoursError, StudyError
from access.core.modes import MODES
from access.inputs.calibrations import DEFAULT_CALIBRATION, calibration_names
from access.inputs.counter_sources import ADAPTERS
from access.inputs.hours import parse_moment

__all__ = ["StudyConfig", "ScenarioSpec", "OpenedSpec", "load_config", "list_studies", "studies_dir",
           "LONDON_BOROUGHS"]

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
         "modes": dict, "network": dict, "scenarios": dict},
    "area": {"boroughs": (list, str), "buffer_m": (int, float), "counter_max_m": (int, float)},
    "residents": {"wards": str, "max_snap_m": (int, float)},
    "counters": {"table": str, "source": str},
    "periods": {"before": str, "after": str, "extra": list},
    "modes": {"use": list},
    "network": {"osm_file": str, "calibration": str},
    "scenario": {"description": str, "base": str, "close": list, "open": list, "hours": dict, "at": str},
    "opened": {"name": str, "id": str, "lat": (int, float), "lon": (int, float), "postcode": str, "hours": str},
}
_REQUIRED = {"": ("name", "title", "area", "counters", "periods"), "scenario": ("base",), "opened": ("name",),
             "area": ("boroughs",), "periods": ("before", "after")}


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
        Boroughs whose residents are the study's origins (names as in ``london_boroughs``).
    buffer_m
        How far beyond the boroughs and counters the network reaches.
    counter_max_m
        A counter farther than this from the boroughs is taken for a mistake.
    wards_source
        Source key of a ward-boundary file, or ``None`` to use the postcodes' ward codes.
    max_snap_m
        Origins farther than this from the street network are flagged.
    counters_table
        Path of the counter table (under ``data/``), or ``None`` with ``counters_source``.
    before, after
        The periods compared.
    extra_periods
        Further periods reported alongside.
    modes
        Travel modes, names from :data:`access.core.modes.MODES`.
    osm_file
        Optional local OSM file (source key or path) for the network.
    calibration
        The calibration of the straight-line estimate, used for modes with no
        street network (:mod:`access.inputs.calibrations`).
    counters_source
        Name of a counter source adapter (:mod:`access.inputs.counter_sources`) that
        builds the counter table from mirror files, instead of ``counters_table``.
    scenarios
        The study's named "what if" scenarios, in file order.
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
    periods: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "periods", (self.before, self.after, *self.extra_periods))


def studies_dir() -> Path:
    """Return the folder of shipped study definitions (``data/studies``)."""
    return settings.project_data_dir() / "studies"


def list_studies() -> list[str]:
    """Names of the shipped studies, sorted."""
    return sorted(p.stem for p in studies_dir().glob("*.toml"))


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
    for key in _REQUIRED.get(section, ()):
        if key not in table:
            raise StudyError(f"{where}: {label} is missing the required key {key!r}")


def _string_list(value: list[Any], key: str, where: Path) -> tuple[str, ...]:
    if not all(isinstance(v, str) and v for v in value):
        raise StudyError(f"{where}: {key} must be a list of non-empty strings, not {value!r}")
    return tuple(value)


def _resolve(name_or_path: str | Path) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml":
        if not candidate.is_file():
            raise StudyError(f"study file {str(candidate)!r} does not exist; give a path to a .toml study")
        return candidate
    path = studies_dir() / f"{name_or_path}.toml"
    if not path.is_file():
        known = ", ".join(list_studies()) or "(none)"
        raise StudyError(f"unknown study {str(name_or_path)!r}; known studies: {known}")
    return path


def load_config(name_or_path: str | Path) -> StudyConfig:
    """Read and validate a study definition.

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
    """
    path = _resolve(name_or_path)
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise StudyError(f"{path}: not valid TOML ({exc}); fix the syntax at that line") from exc

    _check_table(raw, "", path)
    for section in ("area", "residents", "counters", "periods", "modes", "network"):
        _check_table(raw.get(section, {}), section, path)

    area, residents = raw["area"], raw.get("residents", {})
    periods, modes = raw["periods"], raw.get("modes", {})
    mode_names = _string_list(modes.get("use", ["walk", "cycle", "drive"]), "[modes] use", path)
    for mode in mode_names:
        if mode not in MODES:
            raise StudyError(f"{path}: unknown mode {mode!r} in [modes] use; choose from {', '.join(MODES)}")
    if len(set(mode_names)) != len(mode_names) or not mode_names:
        raise StudyError(f"{path}: [modes] use must list each mode once, not {list(mode_names)!r}")

    buffer_m = float(area.get("buffer_m", 3000))
    if not 0 <= buffer_m <= 50_000:
        raise StudyError(f"{path}: [area] buffer_m = {buffer_m} is outside 0 to 50000 metres")
    counter_max_m = float(area.get("counter_max_m", 10_000))
    if counter_max_m <= 0:
        raise StudyError(f"{path}: [area] counter_max_m = {counter_max_m} must be positive")
    max_snap_m = float(residents.get("max_snap_m", 500))
    if max_snap_m <= 0:
        raise StudyError(f"{path}: [residents] max_snap_m = {max_snap_m} must be positive")

    extra = _string_list(periods.get("extra", []), "[periods] extra", path)
    all_periods = (periods["before"], periods["after"], *extra)
    if len(set(all_periods)) != len(all_periods):
        raise StudyError(f"{path}: [periods] names a period twice: {list(all_periods)!r}")

    table, source = _counters(raw["counters"], path)
    calibration = raw.get("network", {}).get("calibration", DEFAULT_CALIBRATION)
    known = calibration_names()
    if calibration not in known:
        raise StudyError(f"{path}: [network] calibration {calibration!r} is not in data/detour_factors.toml; "
                         f"choose from {', '.join(known)}, or measure it with 'access calibrate --osm-file FILE "
                         f"--name {calibration}'")
    boroughs = area["boroughs"]
    if isinstance(boroughs, str):
        if boroughs != "all":
            raise StudyError(f"{path}: [area] boroughs = {boroughs!r}; give a list of borough names or \"all\"")
        boroughs = list(LONDON_BOROUGHS)

    return StudyConfig(
        name=raw["name"],
        title=raw["title"],
        description=raw.get("description", ""),
        source=path,
        crs=raw.get("crs", "EPSG:27700"),
        boroughs=_string_list(boroughs, "[area] boroughs", path),
        buffer_m=buffer_m,
        counter_max_m=counter_max_m,
        wards_source=residents.get("wards") or None,
        max_snap_m=max_snap_m,
        counters_table=table,
        before=periods["before"],
        after=periods["after"],
        extra_periods=extra,
        modes=mode_names,
        osm_file=raw.get("network", {}).get("osm_file") or None,
        calibration=calibration,
        counters_source=source,
        scenarios=tuple(_scenario(name, table, all_periods, path)
                        for name, table in raw.get("scenarios", {}).items()),
    )


def _counters(section: dict[str, Any], path: Path) -> tuple[Path | None, str | None]:
    """Return the counter table's path, or the counter source adapter's name: exactly one of them."""
    if ("table" in section) == ("source" in section):
        raise StudyError(f"{path}: [counters] needs exactly one of 'table' (a CSV under data/) or "
                         f"'source' (a counter source adapter, e.g. \"london-met\")")
    if "source" in section:
        if section["source"] not in ADAPTERS:
            raise StudyError(f"{path}: [counters] source {section['source']!r} is unknown; "
                             f"choose from {', '.join(ADAPTERS)}")
        return None, section["source"]
    table = settings.project_data_dir() / section["table"]
    if not table.is_file():
        raise StudyError(f"{path}: [counters] table {section['table']!r} not found under data/ ({table})")
    return table, None


def _scenario(name: str, table: Any, periods: tuple[str, ...], where: Path) -> ScenarioSpec:
    label = f"[scenarios.{name}]"
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
        opened.append(OpenedSpec(name=item["name"], id=item.get("id"), postcode=item.get("postcode"),
                                 lat=float(item["lat"]) if "lat" in item else None,
                                 lon=float(item["lon"]) if "lon" in item else None,
                                 hours=item.get("hours", "24/7")))
    hours = table.get("hours", {})
    if not all(isinstance(v, str) for v in hours.values()):
        raise StudyError(f"{where}: {label} hours must map counter ids to hours strings, not {hours!r}")
    if "at" in table:
        try:
            parse_moment(table["at"])
        except HoursError as exc:
            raise StudyError(f"{where}: {label} at: {exc}") from exc
    return ScenarioSpec(name=name, base=table["base"], description=table.get("description", ""),
                        close=_string_list(table.get("close", []), f"{label} close", where),
                        open=tuple(opened), hours=tuple(hours.items()), at=table.get("at"))
