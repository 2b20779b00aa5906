"""A study, run end to end: places → networks → travel times → figures.

This is the library's front door::

    import access
    study = access.load_study("redbridge-2017")
    result = study.run(modes=["walk"], offline=True)
    result.summary            # pandas DataFrame, one row per period and mode
    result.origins            # GeoDataFrame, one row per origin
    access.write(result, "out/")   # summary.json, tables, GeoPackage, maps, report.html

A :class:`Study` routes through one :class:`~access.routing.router.Router` per
choice of network source, so each mode's network is loaded once however many
times it is asked for (the run, scenarios, siting, isochrones).  A
:class:`StudyResult` holds the travel times and gives every table as a pandas
object; every per-group figure comes from
:func:`access.analysis.figures.group_figures`.  Writing files is the job of
:mod:`access.outputs`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from access.analysis import areas
from access.analysis.distances import distance_summary
from access.analysis.equity import breakdown, origin_attributes
from access.analysis.figures import THRESHOLDS_MIN, change_figures, group_figures, nearest_open, switch_table
from access.core.arguments import choose, names
from access.core.defaults import PUBLIC_TRANSPORT_LIMITS_MIN
from access.core.errors import ArgumentError, StudyError
from access.core.modes import MODES
from access.core.tripcosts import drive_costs, walk_costs
from access.inputs.calibrations import DEFAULT_CALIBRATION
from access.inputs.config import ImportedMode, StudyConfig, frames_config, load_config
from access.inputs.frames import checked_frame, places_from_frames
from access.inputs.places import Places, availability, load_borough_polygons
from access.inputs.sources import mirror_file, sources
from access.inputs.transit_spec import TRANSIT_MODE, TransitSpec
from access.inputs.travel_tables import check_travel_table, read_travel_table
from access.routing.dijkstra import ChunkCallback
from access.routing.isochrones import ISOCHRONE_MIN
from access.routing.network import StreetNetwork, network_from_graph
from access.routing.router import Router
from access.routing.travel import MAX_GAP_M, TravelTimes, imported_times

__all__ = ["Study", "StudyResult", "load_study", "coverage_table"]

log = logging.getLogger(__name__)

StepCallback = Callable[[str], None]


def load_study(name_or_path: str | Path) -> Study:
    """Load a study by name (``"redbridge-2017"``) or from a ``.toml`` path.

    Raises
    ------
    StudyError
        The study is unknown or its definition is invalid.

    Examples
    --------
    >>> load_study("redbridge-2017").config.before
    '2013_2017'
    """
    return Study(load_config(name_or_path))


class Study:
    r"""A validated study, ready to run.

    Load one from a study file (:func:`load_study`), or build one from your own
    GeoDataFrames (:meth:`from_frames`).  Street networks come from the cache,
    an OSM file or Overpass, or can be given per mode (an OSMnx graph or a
    :class:`~access.routing.network.StreetNetwork`); a mode's travel times can
    also be imported from a table computed elsewhere (:meth:`import_times`).

    Parameters
    ----------
    config
        The study definition (see :func:`access.inputs.config.load_config`).
    places
        Its places, when already made (otherwise loaded from the mirror on first use).
    networks
        Street networks to use as they are, by mode: OSMnx ``MultiDiGraph``\ s
        (unprojected, as OSMnx makes them) or :class:`~access.routing.network.StreetNetwork`\ s.

    Examples
    --------
    >>> study = load_study("redbridge-2017")
    >>> study.name, len(study.places.counters)
    ('redbridge-2017', 10)
    >>> round(float(study.run(modes=["walk"], offline=True).summary.loc[("2018_2025", "walk"), "mean_min"]), 1)
    45.4
    """

    def __init__(self, config: StudyConfig, *, places: Places | None = None,
                 networks: Mapping[str, Any] | None = None) -> None:
        self.config = config
        self._routers: dict[tuple[str | None, bool, bool], Router] = {}
        self._networks: dict[str, StreetNetwork] = {}
        self._tables: dict[str, pd.DataFrame] = {}
        if places is not None:
            self.__dict__["places"] = places
        if networks:
            self._networks.update(self._checked_networks(networks))

    def _copy(self) -> Study:
        """Return a new study with this one's definition, places (once loaded), networks and imported tables."""
        twin = Study(self.config, places=self.__dict__.get("places"))
        twin._networks = dict(self._networks)
        twin._tables = dict(self._tables)
        return twin

    @classmethod
    def from_frames(cls, name: str, *, residents: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame,
                    boundary: gpd.GeoDataFrame, before: str, after: str, extra: Sequence[str] = (),
                    population: str = "population", origin_id: str | None = None,
                    wards: gpd.GeoDataFrame | None = None, ward_name: str | None = None,
                    areas: gpd.GeoDataFrame | None = None, area_id: str | None = None,
                    area_name: str | None = None, title: str | None = None,
                    modes: Sequence[str] | str = ("walk", "cycle", "drive"), crs: str | None = None,
                    buffer_m: float = 3000.0, counter_max_m: float = 10_000.0, max_snap_m: float = 500.0,
                    networks: Mapping[str, Any] | None = None, calibration: str = DEFAULT_CALIBRATION,
                    drive: Mapping[str, Any] | None = None, walk: Mapping[str, Any] | None = None,
                    transit: Mapping[str, Any] | TransitSpec | None = None) -> Study:
        """Build a study from your own GeoDataFrames: residents, facilities with hours, a boundary.

        Parameters
        ----------
        name
            A plain name (letters, digits, '-', '_'): it names the output folder.
        residents
            Points or polygons with a ``population`` column; polygons become their
            representative points, and the maps' areas.
        facilities
            Points with ``id``, ``name`` and one column of opening hours per period.
        boundary
            Where the residents live (polygons).
        before, after, extra
            The periods: names of the facilities' hours columns.
        population, origin_id
            The residents' population column, and an id column (default: row numbers).
        wards, ward_name
            Optional ward polygons, and their name column (default: the first text column).
        areas, area_id, area_name
            Optional areas to group residents by on the maps, their id and name columns.
        title
            How the study is called on its pages (default: ``name``).
        modes
            Modes to route (``walk``, ``cycle``, ``drive``).
        crs
            A projected CRS in metres to measure in and to give results in (default: measured in the first of
            the residents', facilities' and boundary's CRS projected in metres, else the boundary's UTM zone;
            results given in the residents' own CRS: :attr:`StudyResult.crs`).
        buffer_m, counter_max_m, max_snap_m
            As in a study file's ``[area]`` and ``[residents]``.
        networks
            Street networks by mode, as for :class:`Study`.
        calibration
            The straight-line estimate's calibration, for modes with no network
            (a name in ``data/detour_factors.toml``, as a study file's ``[network] calibration``).
        drive, walk
            The trip-cost model's numbers, as a study file's ``[drive]`` and ``[walk]`` tables
            (:func:`access.core.tripcosts.drive_costs`), e.g. ``drive={"park_min": 5}``.
        transit
            The ``transit`` mode, walking and public transport from GTFS timetables: the keys of a study
            file's ``[transit]`` table (:mod:`access.inputs.transit_spec`), e.g. ``{"feeds": ["buses.zip"],
            "date": "2024-03-12", "window": ["08:00", "09:00"]}``, with feed paths from the current folder.
            The mode is added to ``modes``.

        Raises
        ------
        StudyError
            A name, period, number, CRS or trip-cost number is not valid.
        DataError, HoursError, ArgumentError
            A frame lacks a column, holds an impossible value, or is not a GeoDataFrame.

        Examples
        --------
        >>> import geopandas as gpd
        >>> from shapely.geometry import Point, box
        >>> residents = gpd.GeoDataFrame({"population": [120.0, 80.0]},
        ...                              geometry=[Point(530500, 180500), Point(533500, 181500)], crs="EPSG:27700")
        >>> counters = gpd.GeoDataFrame({"id": ["a"], "name": ["A"], "then": ["24/7"], "now": ["Mo-Fr 09:00-17:00"]},
        ...                             geometry=[Point(531000, 181000)], crs="EPSG:27700")
        >>> area = gpd.GeoDataFrame({"name": ["Toytown"]}, geometry=[box(530000, 180000, 534000, 182000)],
        ...                         crs="EPSG:27700")
        >>> study = Study.from_frames("toytown", residents=residents, facilities=counters, boundary=area,
        ...                           before="then", after="now", modes="walk")
        >>> round(float(study.run(offline=True).summary.loc[("now", "walk"), "mean_min"]), 1)  # straight-line estimate
        24.2
        """
        residents, facilities, boundary = (checked_frame(frame, what) for frame, what in
                                           ((residents, "residents"), (facilities, "facilities"),
                                            (boundary, "boundary")))
        config = frames_config(name, boundary=boundary, before=before, after=after, extra=extra, title=title,
                               modes=modes, crs=crs, buffer_m=buffer_m, counter_max_m=counter_max_m,
                               max_snap_m=max_snap_m, calibration=calibration, residents=residents,
                               facilities=facilities, drive=drive_costs(drive, where="drive"),
                               walk=walk_costs(walk, where="walk"), transit=transit)
        places = places_from_frames(config, residents=residents, facilities=facilities, boundary=boundary,
                                    population=population, origin_id=origin_id, wards=wards,
                                    ward_name=ward_name, areas=areas,
                                    area_id=area_id, area_name=area_name)
        return cls(config, places=places, networks=networks)

    def use_networks(self, networks: Mapping[str, Any]) -> Study:
        r"""Return a new study that routes on these street networks, by mode: OSMnx graphs or ``StreetNetwork``\ s.

        This study is left as it was (as a pandas method returns a new frame).

        Returns
        -------
        Study
            A new study: this one's definition and places, with these networks.

        Raises
        ------
        StudyError
            A key is not a mode access routes.
        ArgumentError
            A value is neither a graph nor a network.
        """
        twin = self._copy()
        twin._networks.update(self._checked_networks(networks))
        return twin

    def _checked_networks(self, networks: Mapping[str, Any]) -> dict[str, StreetNetwork]:
        """Return ``networks`` as street networks by mode, each checked."""
        if not isinstance(networks, Mapping):
            raise ArgumentError(f"networks are given as a mapping of mode to network, e.g. {{'walk': G}}, not "
                                f"{type(networks).__name__}")
        checked: dict[str, StreetNetwork] = {}
        for mode, network in networks.items():
            if mode not in MODES:
                raise StudyError(f"networks are given for walk, cycle and drive, not {mode!r}")
            if not isinstance(network, StreetNetwork):
                if not hasattr(network, "edges") or not hasattr(network, "graph"):
                    raise ArgumentError(f"the {mode} network must be an OSMnx MultiDiGraph or a StreetNetwork, "
                                        f"not {type(network).__name__}")
                network = network_from_graph(network, MODES[mode], self.config.crs, "an OSMnx graph given in Python")
            checked[mode] = network
        return checked

    def import_times(self, mode: str, table: pd.DataFrame, *, label: str, note: str) -> Study:
        """Add a mode whose travel times were computed elsewhere (r5py, OpenTripPlanner, …).

        Parameters
        ----------
        mode
            Its name, e.g. ``"transit"`` (not walk, cycle or drive).
        table
            ``from_id`` (the origin: a postcode, or the residents' id), ``to_id``
            (the counter id) and ``travel_time`` (minutes; empty where unreachable),
            as r5py's ``TravelTimeMatrix``.  :meth:`StudyResult.travel_times` writes
            the same layout.
        label
            How it reads after "travel": ``"by public transport"``.
        note
            Where the times came from; every output that shows them says so.

        Returns
        -------
        Study
            A new study with the mode added to its modes; this study is left as it was.

        Raises
        ------
        StudyError
            The name is not plain, or is a mode access routes itself.
        DataError
            The table is not a travel-time table, or names origins or counters the study lacks.
        """
        if not isinstance(mode, str) or not mode or not all(c.isalnum() or c in "-_" for c in mode):
            raise StudyError(f"mode {mode!r} is not a plain name; use letters, digits, '-' and '_'")
        if mode in MODES or (mode == TRANSIT_MODE and self.config.transit is not None):
            raise StudyError(f"{mode!r} is a mode access routes itself; give imported times another name")
        checked = check_travel_table(table, f"the {mode} travel times")
        imported = tuple(m for m in self.config.imported if m.name != mode) + (ImportedMode(mode, label, note),)
        modes = self.config.modes if mode in self.config.modes else (*self.config.modes, mode)
        twin = self._copy()
        twin.config = dataclasses.replace(self.config, imported=imported, modes=modes)
        twin._tables[mode] = checked
        return twin

    def __repr__(self) -> str:
        config = self.config
        return (f"Study({config.name!r}: {len(config.boroughs)} borough(s), periods {config.before} → "
                f"{config.after}{' + ' + str(len(config.extra_periods)) + ' more' if config.extra_periods else ''}, "
                f"modes {', '.join(config.modes)})")

    @property
    def name(self) -> str:
        """The study's name."""
        return self.config.name

    def mode(self, value: str) -> str:
        """Return the mode of this study that ``value`` names, without regard to case (walk, transit, imported ones).

        >>> load_study("redbridge-2017").mode("Walk")
        'walk'

        Raises
        ------
        StudyError
            The study has no such mode (``transit`` needs a ``[transit]`` table); the message names the closest.
        """
        known = self.config.known_modes
        if isinstance(value, str) and value.strip().lower() == TRANSIT_MODE and TRANSIT_MODE not in known:
            raise StudyError(f"study {self.name!r} has no public-transport mode: 'transit' needs GTFS timetables, "
                             f"a [transit] table in the study file (or transit= in Study.from_frames)")
        return choose(value, known, "mode", error=StudyError)

    @cached_property
    def places(self) -> Places:
        """Boundary, counters, LSOAs, wards and residents (loaded on first use)."""
        return Places.from_config(self.config)

    @cached_property
    def lsoa_names(self) -> pd.DataFrame:
        """Each 2011 LSOA's name, and the ward where most of its residents live.

        Indexed by ``lsoa11``: ``lsoa11_name`` (ONS, e.g. ``"Redbridge 019H"``),
        ``ward_code`` and ``ward_name`` (the ward of the LSOA's origins that hold
        most of its 2011 residents; an LSOA may straddle wards drawn later).
        Without a ward file the ward name is the postcodes' ward code.

        >>> load_study("redbridge-2017").lsoa_names.loc["E01003638"].tolist()
        ['Redbridge 017A', 'E05011234', 'Aldborough']
        """
        places = self.places
        residents = pd.DataFrame(places.residents[["lsoa11", "ward_code", "ward_name", "population"]])
        residents["ward_code"] = residents["ward_code"].astype(object).fillna("unknown")
        residents["ward_name"] = residents["ward_name"].astype(object).fillna(residents["ward_code"])
        weights = (residents.groupby(["lsoa11", "ward_code", "ward_name"], dropna=False)["population"].sum()
                   .reset_index().sort_values(["lsoa11", "population", "ward_name"], ascending=[True, False, True]))
        wards = weights.drop_duplicates("lsoa11").set_index("lsoa11")[["ward_code", "ward_name"]]
        names = places.lsoas.set_index("lsoa11")[["lsoa11_name"]]
        return names.join(wards, how="left").fillna({"ward_code": "unknown", "ward_name": "unknown"})

    @cached_property
    def ward_codes(self) -> pd.Series:
        """Ward name → ward code, for the wards the residents live in.

        >>> load_study("redbridge-2017").ward_codes["Fullwell"]
        'E05011243'
        """
        residents = pd.DataFrame(self.places.residents[["ward_code", "ward_name"]]).dropna()
        return residents.drop_duplicates("ward_name").set_index("ward_name")["ward_code"].sort_index()

    @cached_property
    def area_wgs84(self):  # noqa: ANN201 - a shapely geometry
        """The network area in WGS84 (longitude, latitude)."""
        return gpd.GeoSeries([self.places.area], crs=self.config.crs).to_crs("EPSG:4326").iloc[0]

    def router(self, *, offline: bool = False, osm_file: Path | str | None = None, use_cache: bool = True) -> Router:
        """Return the router for one choice of network source, made once and kept: each network is loaded once.

        ``osm_file`` is a path or a ``data/sources.toml`` key; by default the study's own.
        """
        chosen = osm_file if osm_file is not None else self.config.osm_file
        key = (None if chosen is None else str(chosen), offline, use_cache)
        if key not in self._routers:
            path, sha = None, None
            if chosen is not None:
                if str(chosen) in sources():
                    path, sha = mirror_file(str(chosen)), sources()[str(chosen)].sha256
                else:
                    path = Path(chosen)
            transit = self.config.transit
            feeds = [mirror_file(feed) if feed in sources() else Path(feed)
                     for feed in (transit.feeds if transit is not None else ())]
            self._routers[key] = Router(crs=self.config.crs, area_wgs84=self.area_wgs84,
                                        origin_xy=self.places.origin_xy, max_snap_m=self.config.max_snap_m,
                                        osm_file=path, osm_file_sha256=sha, offline=offline, use_cache=use_cache,
                                        networks=self._networks,
                                        imported={m.name: m.note for m in self.config.imported},
                                        calibration=self.config.calibration, drive=self.config.drive,
                                        walk=self.config.walk, transit=transit, transit_feeds=feeds)
        return self._routers[key]

    def network(self, mode: str, *, offline: bool = False, osm_file: Path | str | None = None,
                use_cache: bool = True) -> StreetNetwork:
        """Return the mode's street network over the study area, priced by the study's trip-cost model.

        Each edge's time is what the study's ``[drive]`` or ``[walk]`` model makes of it
        (:meth:`access.routing.router.Router.priced`); see :meth:`router`.

        Raises
        ------
        NetworkUnavailable
            None can be had (for example offline with nothing cached).
        """
        return self.router(offline=offline, osm_file=osm_file, use_cache=use_cache).priced(mode)

    def travel_times(self, mode: str, *, offline: bool = False, osm_file: Path | str | None = None,
                     use_cache: bool = True, counter_xy: np.ndarray | None = None,
                     counter_names: Sequence[str] | None = None, on_chunk: ChunkCallback | None = None) -> TravelTimes:
        """Counter × origin times for one mode: the study's counters, or the points ``counter_xy``.

        On the street network when one can be had, else the straight-line
        estimate (``times.unavailable`` says why).  ``counter_xy`` (n × 2, study
        CRS) routes to these points instead, e.g. hypothetical counters, named
        ``counter_names`` in errors.  ``on_chunk`` is called with (chunks done,
        chunks in all) as the counters are routed.
        """
        router = self.router(offline=offline, osm_file=osm_file, use_cache=use_cache)
        if counter_xy is None and mode in {m.name for m in self.config.imported}:
            return self._imported_times(mode)
        if counter_xy is None:
            return router.times(mode, self.places.counter_xy, counter_names=list(self.places.counters["id"]),
                                on_chunk=on_chunk)
        return router.times(mode, counter_xy, counter_names=counter_names, on_chunk=on_chunk)

    def _imported_times(self, mode: str) -> TravelTimes:
        spec = next(m for m in self.config.imported if m.name == mode)
        if mode not in self._tables:
            self._tables[mode] = read_travel_table(spec.table)
        return imported_times(self._tables[mode], mode=mode, origin_ids=list(self.places.residents["origin"]),
                              counter_ids=list(self.places.counters["id"]), note=spec.note)

    def far_population(self, times: TravelTimes) -> float:
        """Residents whose origin lies farther than ``max_snap_m`` from ``times``' network."""
        return float(self.places.residents["population"][times.far_from_network].sum())

    def excluded_population(self, times: TravelTimes) -> float:
        """Residents whose origin lies farther than :data:`~access.routing.travel.MAX_GAP_M` from the network."""
        return float(self.places.residents["population"][times.excluded].sum())

    def run(
        self,
        *,
        modes: Sequence[str] | None = None,
        offline: bool = False,
        osm_file: Path | str | None = None,
        use_cache: bool = True,
        networks: Mapping[str, Any] | None = None,
        on_step: StepCallback | None = None,
        on_chunk: ChunkCallback | None = None,
    ) -> StudyResult:
        """Run the study.

        Parameters
        ----------
        modes
            Modes to run (default: the study's).
        offline
            Do not download; without an OSM file, use the straight-line estimate.
        osm_file
            A local ``.osm``/``.osm.pbf`` file (or a source key) for the network,
            overriding the study's.
        use_cache
            Read and write cached networks.
        networks
            Street networks for this run only, by mode: OSMnx graphs or StreetNetworks (see
            :meth:`use_networks`); the study itself is not changed.
        on_step
            Called with a short description before each step (for progress bars).
        on_chunk
            Called with (chunks done, chunks in all) as each mode's counters are
            routed on a street network, chunk by chunk (for a progress bar).

        Returns
        -------
        StudyResult
        """
        modes = [self.mode(mode) for mode in names(modes, "modes", at_least_one=True)] or list(self.config.modes)
        if networks:  # the networks belong to this run: it runs on a new study, and this one is left as it was
            return self.use_networks(networks).run(modes=modes, offline=offline, osm_file=osm_file,
                                                   use_cache=use_cache, on_step=on_step, on_chunk=on_chunk)
        report = on_step or (lambda _description: None)

        def step(description: str) -> None:
            log.info("%s: %s", self.name, description)
            report(description)

        step("loading counters, boundaries and residents")
        _ = self.places
        times: dict[str, TravelTimes] = {}
        for mode in modes:
            step(f"{mode}: street network and travel times")
            times[mode] = self.travel_times(mode, offline=offline, osm_file=osm_file, use_cache=use_cache,
                                            on_chunk=on_chunk)
        step("measuring")
        return StudyResult(study=self, times=times,
                           router=self.router(offline=offline, osm_file=osm_file, use_cache=use_cache))


def coverage_table(study: Study, times: dict[str, TravelTimes]) -> pd.DataFrame:
    """Per mode, how well the study counters' times cover the study: the facts behind every warning.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``mode``: ``model``, ``detail``, ``unavailable`` (why no
        street network, for the estimate), ``calibration`` (the estimate's
        :class:`~access.inputs.calibrations.Calibration`, else ``None``), ``far_counters`` (counters more
        than ``max_snap_m`` from the network, with the distance),
        ``far_origins`` and ``far_population`` (flagged), ``excluded_origins``
        and ``excluded_population`` (more than ``max_gap_m`` away: left out of
        every figure), ``max_snap_m`` and ``max_gap_m``.
    """
    counters = study.places.counters
    limit = study.config.max_snap_m
    rows = []
    for mode, mode_times in times.items():
        far = [f"{cid} ({metres:,.0f} m)" for cid, metres in zip(counters["id"], mode_times.counter_snap_m, strict=True)
               if metres > limit]
        rows.append({"mode": mode, "model": mode_times.model, "detail": mode_times.detail,
                     "unavailable": mode_times.unavailable, "calibration": mode_times.calibration,
                     "far_counters": "; ".join(far),
                     "far_origins": int(mode_times.far_from_network.sum()),
                     "far_population": study.far_population(mode_times),
                     "excluded_origins": int(mode_times.excluded.sum()),
                     "excluded_population": study.excluded_population(mode_times),
                     "max_snap_m": limit, "max_gap_m": MAX_GAP_M})
    return pd.DataFrame(rows).set_index("mode")


@dataclass(repr=False)
class StudyResult:
    """The answers of one study run, as pandas objects.

    Attributes
    ----------
    study
        The study that was run.
    times
        Counter × origin travel times per mode.
    router
        The router the times came from (it routes any counter added later, such as a
        scenario's new site, on the same networks); ``None`` when the times were given.

    Examples
    --------
    >>> result = load_study("redbridge-2017").run(modes=["walk"], offline=True)
    >>> result  # doctest: +ELLIPSIS
    StudyResult('redbridge-2017': walk (straight-line estimate); 4,599 origins, 278,970 residents; ...)
    >>> round(float(result.changes.loc["walk", "mean_min_change"]), 1)
    11.6
    """

    study: Study
    times: dict[str, TravelTimes]
    router: Router | None = dataclasses.field(default=None, compare=False)

    def __repr__(self) -> str:
        models = ", ".join(f"{mode} ({t.model})" for mode, t in self.times.items())
        residents = self.study.places.residents["population"].sum()
        return (f"StudyResult({self.config.name!r}: {models}; {len(self.study.places.residents):,} origins, "
                f"{residents:,.0f} residents; {self.config.before} → {self.config.after})")

    @property
    def config(self) -> StudyConfig:
        """The study definition."""
        return self.study.config

    @property
    def modes(self) -> list[str]:
        """The modes run."""
        return list(self.times)

    @property
    def crs(self) -> str:
        """The CRS of the geometries this result gives (:attr:`origins`, :meth:`isochrones`, :meth:`catchments`).

        A study file's CRS; for a study made from GeoDataFrames, the ``crs`` asked for, else the residents' own.
        """
        return self.config.output_crs or self.config.crs

    @property
    def working_crs(self) -> str:
        """The projected CRS (metres) the study was measured in."""
        return self.config.crs

    @property
    def models(self) -> dict[str, str]:
        """Which model made each mode's times."""
        return {mode: t.model for mode, t in self.times.items()}

    @cached_property
    def available(self) -> pd.DataFrame:
        """Counters (rows) × periods (columns): True where the counter is available (the one rule)."""
        return availability(self.study.places.counters, self.config.periods)

    @cached_property
    def coverage(self) -> pd.DataFrame:
        """Per mode, how well the times cover the study: the facts behind its warnings (:func:`coverage_table`)."""
        return coverage_table(self.study, self.times)

    @cached_property
    def origins(self) -> gpd.GeoDataFrame:
        """One row per origin: who lives there, and their nearest open counter and time.

        Columns per mode and period: ``<mode>_<period>_min`` (``NaN`` for an
        excluded origin, ``inf`` with no counter in reach) and
        ``<mode>_<period>_counter``; per mode: ``<mode>_change_min`` (after −
        before), ``<mode>_snap_m`` and ``<mode>_far_from_network``.
        """
        places = self.study.places
        ids = places.counters["id"].to_numpy()
        frame = places.residents.copy()
        columns: dict[str, np.ndarray] = {}
        for mode, times in self.times.items():
            for period in self.config.periods:
                time, row = nearest_open(times.minutes, self.available[period].to_numpy(), times.excluded)
                columns[f"{mode}_{period}_min"] = time
                columns[f"{mode}_{period}_counter"] = np.where(row >= 0, ids[np.maximum(row, 0)], None)
            columns[f"{mode}_change_min"] = (columns[f"{mode}_{self.config.after}_min"]
                                             - columns[f"{mode}_{self.config.before}_min"])
            columns[f"{mode}_snap_m"] = times.origin_snap_m
            columns[f"{mode}_far_from_network"] = times.far_from_network
        extra = pd.DataFrame(columns, index=frame.index)
        geometry = frame.pop("geometry")
        origins = gpd.GeoDataFrame(pd.concat([frame, extra], axis=1), geometry=geometry, crs=self.config.crs)
        return origins if self.crs == self.working_crs else origins.to_crs(self.crs)

    def travel_times(self, mode: str) -> pd.DataFrame:
        """Every origin's minutes to every counter for ``mode``, as a long table in r5py's layout.

        Columns ``from_id`` (the origin: its postcode), ``to_id`` (the counter's id)
        and ``travel_time`` (minutes; NaN where unreachable), one row per pair.  An
        origin too far from the network to be measured (``excluded``) has no rows.
        The same table can be given back to a study with :meth:`Study.import_times`,
        and gives the same figures.

        Raises
        ------
        StudyError
            ``mode`` was not run.

        Examples
        --------
        >>> result = load_study("redbridge-2017").run(modes=["walk"], offline=True)
        >>> table = result.travel_times("walk")
        >>> list(table.columns), len(table) == 10 * 4599
        (['from_id', 'to_id', 'travel_time'], True)
        """
        self._check_mode(mode)
        times = self.times[mode]
        measured = ~times.excluded
        minutes = times.minutes[:, measured]
        counters = self.study.places.counters["id"].to_numpy()
        origins = self.study.places.residents["origin"].to_numpy()[measured]
        return pd.DataFrame({"from_id": np.tile(origins, len(counters)), "to_id": np.repeat(counters, len(origins)),
                             "travel_time": np.where(np.isfinite(minutes), minutes, np.nan).ravel()})

    def _minutes(self, mode: str, period: str) -> np.ndarray:
        return self.origins[f"{mode}_{period}_min"].to_numpy(float)

    @property
    def transit_modes(self) -> list[str]:
        """The modes run whose times are public transport from GTFS timetables."""
        return [mode for mode, times in self.times.items() if times.is_transit]

    def at_least(self, mode: str, *, minutes: Sequence[float] = PUBLIC_TRANSPORT_LIMITS_MIN,
                 by: str | None = "ward_name") -> pd.DataFrame:
        """Residents ``minutes`` or more from their nearest open counter, before and after: MOPAC's criterion.

        MOPAC's decision PCD 284 (2017) counted the communities 60 minutes or more from a counter by public
        transport; its July 2017 consultation used 45.  The counts come from
        :func:`~access.analysis.figures.group_figures` (``at_least_<T>``): a resident whose time is exactly
        ``T`` counts, so does one with no counter in reach; excluded ones never do.

        Parameters
        ----------
        mode
            A mode run (``transit`` for MOPAC's criterion; any mode gives its own counts).
        minutes
            The thresholds.
        by
            A column of :attr:`origins` to group by (``ward_name``), or ``None`` for everyone.

        Returns
        -------
        pandas.DataFrame
            Indexed by (group, ``minutes``): ``residents`` (counted: not excluded), ``before``, ``after``
            and ``change`` (residents at least that far), ``share_before`` and ``share_after`` (of ``residents``).

        Examples
        --------
        >>> result = load_study("redbridge-2017").run(modes=["walk"], offline=True)
        >>> table = result.at_least("walk", by=None)
        >>> table.index.tolist(), bool(table.loc[("all", 60), "after"] >= table.loc[("all", 60), "before"])
        ([('all', 60), ('all', 45)], True)
        """
        self._check_mode(mode)
        groups = None if by is None else self.origins[by]
        table = change_figures(self._minutes(mode, self.config.before), self._minutes(mode, self.config.after),
                               self._population, groups, thresholds=(), quantiles=False, at_least=minutes)
        rows = []
        for group, row in table.iterrows():
            counted = row["population_before"] + row["unreachable_before"]
            for limit in minutes:
                before, after = row[f"at_least_{limit:g}_before"], row[f"at_least_{limit:g}_after"]
                rows.append({by or "group": group, "minutes": limit, "residents": counted, "before": before,
                             "after": after, "change": after - before,
                             "share_before": before / counted if counted else np.nan,
                             "share_after": after / counted if counted else np.nan})
        return pd.DataFrame(rows).set_index([by or "group", "minutes"])

    @property
    def _population(self) -> np.ndarray:
        return self.origins["population"].to_numpy(float)

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Population-weighted figures, one row per (period, mode).

        Columns: ``role`` (before / after / extra), ``model``, ``far_from_network``
        (residents flagged as far from the network), then the figures of
        :func:`~access.analysis.figures.group_figures`: ``population``
        (residents counted in the times), ``unreachable``, ``excluded``
        (residents more than 1 km from the network, left out of every figure),
        ``mean_min``, ``median_min``, ``p90_min`` and ``within_10`` …
        ``within_60`` (shares, 0–1).
        """
        rows = []
        for period in self.config.periods:
            role = {self.config.before: "before", self.config.after: "after"}.get(period, "extra")
            for mode, times in self.times.items():
                figures = group_figures(self._minutes(mode, period), self._population).iloc[0]
                rows.append({"period": period, "mode": mode, "role": role, "model": times.model,
                             "far_from_network": self.study.far_population(times), **figures.to_dict()})
        return pd.DataFrame(rows).set_index(["period", "mode"])

    @cached_property
    def changes(self) -> pd.DataFrame:
        """Before → after per mode: the change in each figure, and who switched counter."""
        before = self.summary.xs(self.config.before, level="period")
        after = self.summary.xs(self.config.after, level="period")
        figures = ["mean_min", "median_min", "p90_min", *[f"within_{t}" for t in THRESHOLDS_MIN]]
        table = pd.DataFrame(index=pd.Index(self.modes, name="mode"))
        table["model"] = after["model"]
        for figure in figures:
            table[f"{figure}_before"] = before[figure]
            table[f"{figure}_after"] = after[figure]
            table[f"{figure}_change"] = after[figure] - before[figure]
        origins = self.origins
        for mode in self.modes:
            was = origins[f"{mode}_{self.config.before}_counter"]
            now = origins[f"{mode}_{self.config.after}_counter"]
            switched = (was != now) & was.notna() & now.notna()
            change = origins[f"{mode}_change_min"].to_numpy(float)
            moved = group_figures(change, self._population, pd.Series(switched.to_numpy()).where(switched.to_numpy()),
                                  thresholds=(), quantiles=False)
            table.loc[mode, "population_switched"] = moved["population"].sum()
            table.loc[mode, "mean_change_min_switched"] = moved["mean_min"].iloc[0] if len(moved) else 0.0
            table.loc[mode, "max_change_min"] = float(np.nanmax(change)) if np.isfinite(change).any() else np.nan
        return table

    @cached_property
    def switches(self) -> pd.DataFrame:
        """Residents whose nearest counter changed from before to after, by mode and counter pair."""
        origins, tables = self.origins, []
        for mode in self.modes:
            table = switch_table(origins[f"{mode}_{self.config.before}_counter"],
                                 origins[f"{mode}_{self.config.after}_counter"],
                                 origins[f"{mode}_change_min"], origins["population"])
            table.insert(0, "mode", mode)
            tables.append(table)
        return pd.concat(tables, ignore_index=True)

    def compared(self, by: str | None, *, thresholds: Sequence[float] = THRESHOLDS_MIN) -> pd.DataFrame:
        """Before and after figures per group of origins and mode: :func:`~access.analysis.figures.change_figures`.

        Parameters
        ----------
        by
            A column of :attr:`origins` to group by (``ward_name``, ``lsoa11``,
            ``borough``), or ``None`` for everyone.
        thresholds
            Minutes of the ``within_<T>`` shares.

        Returns
        -------
        pandas.DataFrame
            Indexed by (group, ``mode``).
        """
        groups = None if by is None else self.origins[by]
        tables = []
        for mode in self.modes:
            table = change_figures(self._minutes(mode, self.config.before), self._minutes(mode, self.config.after),
                                   self._population, groups, thresholds=thresholds)
            table.index.name = by or "group"
            table.insert(0, "mode", mode)
            tables.append(table.reset_index())
        return pd.concat(tables, ignore_index=True).set_index([by or "group", "mode"]).sort_index()

    def _area_table(self, by: str) -> pd.DataFrame:
        table = self.compared(by, thresholds=(30,))
        return pd.DataFrame({
            "population": table["population_before"] + table["unreachable_before"],
            "before_min": table["mean_min_before"], "after_min": table["mean_min_after"],
            "change_min": table["mean_change_min"],
            "within_30_before": table["within_30_before"], "within_30_after": table["within_30_after"],
        })

    def by_ward(self) -> pd.DataFrame:
        """Population-weighted before/after minutes and 30-minute shares per ward and mode.

        Columns: ``population`` (residents counted: everyone not excluded),
        ``before_min``, ``after_min``, ``change_min`` (means, residents with a
        counter in reach), ``within_30_before``, ``within_30_after``.
        """
        return self._area_table("ward_name")

    @cached_property
    def _by_lsoa(self) -> pd.DataFrame:
        return self._area_table("lsoa11")

    def by_lsoa(self) -> pd.DataFrame:
        """Population-weighted before/after minutes and 30-minute shares per 2011 LSOA and mode (as :meth:`by_ward`)."""
        return self._by_lsoa

    @cached_property
    def _by_borough(self) -> pd.DataFrame:
        table = self.compared("borough", thresholds=(30, 45)).reset_index()
        out = pd.DataFrame({"mode": table["mode"], "borough": table["borough"],
                            "residents": table["population_before"] + table["unreachable_before"]})
        for role in ("before", "after"):
            for figure in ("mean_min", "median_min", "p90_min", "within_30", "within_45"):
                out[f"{figure}_{role}"] = table[f"{figure}_{role}"]
        out["residents_worse"] = table["worse"]
        out["mean_change_min"] = table["mean_change_min"]
        out["within_30_change"] = table["within_30_change"]
        tables = []
        for mode in self.modes:
            part = out[out["mode"] == mode].sort_values(["mean_change_min", "borough"], ascending=[False, True])
            part.insert(2, "rank", np.arange(1, len(part) + 1))
            tables.append(part)
        return pd.concat(tables, ignore_index=True).set_index(["mode", "borough"])

    def by_borough(self) -> pd.DataFrame:
        """Population-weighted before/after figures per borough and mode, the biggest loss first.

        Indexed by (``mode``, ``borough``); within a mode the borough whose mean
        time rose most comes first (``rank`` 1).  Columns: ``residents``
        (counted); ``mean_min``, ``median_min``, ``p90_min``, ``within_30`` and
        ``within_45`` (shares, 0–1), each ``_before`` and ``_after``;
        ``residents_worse`` (whose nearest open counter is farther after);
        ``mean_change_min`` (after − before) and ``within_30_change``.
        """
        return self._by_borough

    @cached_property
    def borough_polygons(self) -> gpd.GeoDataFrame:
        """The study's boroughs, one polygon each."""
        return load_borough_polygons(self.config)

    @cached_property
    def distances(self) -> pd.DataFrame:
        """Population-weighted straight-line distance to the nearest available counter, per period.

        Computed from coordinates, not from travel times (columns ``counters``,
        ``mean_km``, ``mean_miles``, ``median_km``, ``p90_km``); see
        :func:`access.analysis.distances.distance_summary`.
        """
        places = self.study.places
        return distance_summary(places.counter_xy, places.origin_xy, places.residents["population"].to_numpy(float),
                                self.available[list(self.config.periods)])

    @cached_property
    def origin_groups(self) -> pd.DataFrame:
        """Each origin's households and its LSOA's groups (see :func:`access.analysis.equity.origin_attributes`)."""
        places = self.study.places
        return origin_attributes(self.origins, places.lsoas, with_wards=places.ward_names_known)

    @cached_property
    def breakdowns(self) -> pd.DataFrame:
        """Before/after figures by car ownership, income, PTAL and ward (:func:`access.analysis.equity.breakdown`).

        With the study's ``[walk] older = true``, walking again at the older pace (mode ``walk-older``).
        """
        walk = self.config.walk
        return breakdown(self.origins, self.origin_groups, self.modes, self.config.before, self.config.after,
                         older_ratio=walk.older_ratio if walk.older else None)

    def _roles(self) -> dict[tuple[str, str], str]:
        return {(self.config.before, "before"): self.config.before, (self.config.after, "after"): self.config.after}

    def isochrones(self, mode: str, thresholds: tuple[int, ...] = ISOCHRONE_MIN, *,
                   crs: str | None = None) -> gpd.GeoDataFrame:
        """Areas within each threshold of an open counter, before and after (see :mod:`access.analysis.areas`).

        In :attr:`crs` unless another ``crs`` is asked for (:attr:`working_crs` for metres).
        """
        return _in_crs(self._working_isochrones(mode, thresholds), crs or self.crs)

    def _working_isochrones(self, mode: str, thresholds: tuple[int, ...]) -> gpd.GeoDataFrame:
        self._check_mode(mode)
        key = (mode, thresholds)
        if key not in self._isochrones:
            places = self.study.places
            self._isochrones[key] = areas.isochrones(
                self.times[mode], places.counter_xy,
                {pr: self.available[period].to_numpy() for pr, period in self._roles().items()},
                places.boundary.geometry.iloc[0], self.config.crs, thresholds)
        return self._isochrones[key]

    def catchments(self, mode: str, *, crs: str | None = None) -> gpd.GeoDataFrame:
        """Each counter's catchment before and after (:func:`access.analysis.areas.catchments`).

        In :attr:`crs` unless another ``crs`` is asked for (:attr:`working_crs` for metres).
        """
        self._check_mode(mode)
        if mode not in self._catchments:
            places, origins = self.study.places, self.origins
            self._catchments[mode] = areas.catchments(
                places.origin_xy, self._population,
                {pr: (origins[f"{mode}_{period}_counter"].to_numpy(object), self._minutes(mode, period))
                 for pr, period in self._roles().items()},
                places.counters.set_index("id")["name"].to_dict(), places.boundary.geometry.iloc[0], self.config.crs)
        return _in_crs(self._catchments[mode], crs or self.crs)

    @cached_property
    def _isochrones(self) -> dict[tuple[str, tuple[int, ...]], gpd.GeoDataFrame]:
        return {}

    @cached_property
    def _catchments(self) -> dict[str, gpd.GeoDataFrame]:
        return {}

    def _check_mode(self, mode: str) -> None:
        if mode not in self.times:
            raise StudyError(f"mode {mode!r} was not run; run it first (modes run: {', '.join(self.times)})")


def _in_crs(frame: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    """``frame`` in ``crs`` (itself when it already is)."""
    return frame if frame.crs is not None and frame.crs == pyproj.CRS.from_user_input(crs) else frame.to_crs(crs)
