"""A study, run end to end: places → networks → travel times → figures.

This is the library's front door::

    import access
    study = access.load_study("redbridge-2017")
    result = study.run(modes=["walk"], offline=True)
    result.summary            # pandas DataFrame, one row per period and mode
    result.origins            # GeoDataFrame, one row per origin
    result.write("out/")      # summary.json, tables, GeoPackage and maps
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from access.analysis.distances import borough_table, distance_summary
from access.inputs.config import StudyConfig, load_config
from access.routing.detour import load_detour_factors
from access.core.errors import NetworkUnavailable, StudyError
from access.analysis.figures import THRESHOLDS_MIN, group_table, nearest_open, summarise, switch_table
from access.core.modes import MODES
from access.routing.network import StreetNetwork, get_network
from access.inputs.places import Places, counter_hours
from access.inputs.sources import mirror_file, sources
from access.routing.travel import MAX_GAP_M, TravelTimes, network_times, straight_line_times

__all__ = ["Study", "StudyResult", "load_study", "ATTRIBUTION"]

log = logging.getLogger(__name__)

ATTRIBUTION = (
    "Street network © OpenStreetMap contributors (ODbL). "
    "Postcodes: contains OS data © Crown copyright and database right 2025; contains Royal Mail "
    "data © Royal Mail copyright and database right 2025. Population, LSOAs and wards: contains "
    "National Statistics data © Crown copyright and database right (OGL v3.0); 2011 Census via "
    "the London Datastore. Boundaries contain OS data © Crown copyright and database right."
)

StepCallback = Callable[[str], None]


def load_study(name_or_path: str | Path) -> Study:
    """Load a study by name (``"redbridge-2017"``) or from a ``.toml`` path.

    Raises
    ------
    StudyError
        The study is unknown or its definition is invalid.
    """
    return Study(load_config(name_or_path))


class Study:
    """A validated study, ready to run.

    Parameters
    ----------
    config
        The study definition (see :func:`access.inputs.config.load_config`).
    """

    def __init__(self, config: StudyConfig) -> None:
        self.config = config

    def __repr__(self) -> str:
        return f"Study({self.config.name!r}: {self.config.title})"

    @property
    def name(self) -> str:
        """The study's name."""
        return self.config.name

    @cached_property
    def places(self) -> Places:
        """Boundary, counters, LSOAs, wards and residents (loaded on first use)."""
        return Places(self.config)

    def _osm_file(self, osm_file: Path | str | None) -> tuple[Path | None, str | None]:
        chosen = osm_file if osm_file is not None else self.config.osm_file
        if chosen is None:
            return None, None
        if str(chosen) in sources():
            key = str(chosen)
            return mirror_file(key), sources()[key].sha256
        return Path(chosen), None

    def network(self, mode: str, *, offline: bool = False, osm_file: Path | str | None = None,
                use_cache: bool = True) -> StreetNetwork:
        """The mode's street network over the study area: from ``osm_file`` (or the study's), the cache or Overpass.

        Raises
        ------
        NetworkUnavailable
            None of these can be had (for example offline with nothing cached).
        """
        path, sha = self._osm_file(osm_file)
        area = gpd.GeoSeries([self.places.area], crs=self.config.crs).to_crs("EPSG:4326").iloc[0]
        return get_network(mode, crs=self.config.crs, area_wgs84=area, osm_file=path,
                           osm_file_sha256=sha, allow_download=not offline, use_cache=use_cache)

    def travel_times(self, mode: str, *, offline: bool = False, osm_file: Path | str | None = None,
                     use_cache: bool = True, counter_xy: np.ndarray | None = None,
                     counter_names: Sequence[str] | None = None) -> tuple[TravelTimes, str | None]:
        """Counter × origin times for one mode, and a warning when it fell back to the estimate.

        The network comes from ``osm_file`` (or the study's own), else the
        cache, else Overpass.  With ``offline`` or when none of these can be
        had, the times are a straight-line estimate and the warning says so.
        ``counter_xy`` (an n × 2 array in the study CRS) routes to these points
        instead of the study's counters, e.g. hypothetical new counters, named
        ``counter_names`` in errors.
        """
        if mode not in MODES:
            raise StudyError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
        places = self.places
        own_counters = counter_xy is None
        if own_counters:
            counter_xy = places.counter_xy
        origin_xy = places.origin_xy
        try:
            network = self.network(mode, offline=offline, osm_file=osm_file, use_cache=use_cache)
        except NetworkUnavailable as exc:
            warning = (f"{mode}: NO STREET NETWORK ({exc}). Times are a STRAIGHT-LINE ESTIMATE: "
                       f"distance × measured detour factor ÷ speed.")
            log.warning(warning)
            factor = load_detour_factors()[mode]
            return straight_line_times(mode, counter_xy, origin_xy, factor), warning
        times = network_times(network, counter_xy, origin_xy, max_snap_m=self.config.max_snap_m,
                              counter_names=list(places.counters["id"]) if own_counters else counter_names)
        return times, self._coverage_warning(times) if own_counters else None

    def far_population(self, times: TravelTimes) -> float:
        """Residents whose origin lies farther than ``max_snap_m`` from ``times``' network."""
        return float(self.places.residents["population"][times.far_from_network].sum())

    def excluded_population(self, times: TravelTimes) -> float:
        """Residents whose origin lies farther than :data:`~access.routing.travel.MAX_GAP_M` from ``times``' network."""
        return float(self.places.residents["population"][times.excluded].sum())

    def _coverage_warning(self, times: TravelTimes) -> str | None:
        """A warning naming counters and residents far from the network, or ``None``."""
        places, limit = self.places, self.config.max_snap_m
        notes = []
        far = [f"{cid} ({metres:,.0f} m)" for cid, metres
               in zip(places.counters["id"], times.counter_snap_m) if metres > limit]
        if far:
            notes.append(f"counter(s) {', '.join(far)} lie far from the network")
        if times.far_from_network.any():
            people = self.far_population(times)
            notes.append(f"{int(times.far_from_network.sum()):,} origins ({people:,.0f} residents) lie "
                         f"more than {limit:g} m from the network and are flagged")
        if times.excluded.any():
            people = self.excluded_population(times)
            notes.append(f"{int(times.excluded.sum()):,} of them ({people:,.0f} residents) lie more than "
                         f"{MAX_GAP_M:,.0f} m from it and are EXCLUDED from the figures (counted as "
                         f"'excluded' in summary.json)")
        if not notes:
            return None
        return (f"{times.mode}: {'; '.join(notes)}. The gap to the nearest street node is added "
                f"at walking speed; the network may not cover the whole area.")

    def run(
        self,
        *,
        modes: Sequence[str] | None = None,
        offline: bool = False,
        osm_file: Path | str | None = None,
        use_cache: bool = True,
        on_step: StepCallback | None = None,
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
        on_step
            Called with a short description before each step (for progress bars).

        Returns
        -------
        StudyResult
        """
        modes = list(modes) if modes else list(self.config.modes)
        for mode in modes:
            if mode not in MODES:
                raise StudyError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
        report = on_step or (lambda _description: None)

        def step(description: str) -> None:
            log.info("%s: %s", self.name, description)
            report(description)

        step("loading counters, boundaries and residents")
        _ = self.places
        times: dict[str, TravelTimes] = {}
        warnings: list[str] = []
        for mode in modes:
            step(f"{mode}: street network and travel times")
            times[mode], warning = self.travel_times(mode, offline=offline, osm_file=osm_file,
                                                     use_cache=use_cache)
            if warning:
                warnings.append(warning)
        step("measuring")
        return StudyResult(study=self, times=times, warnings=warnings)


@dataclass
class StudyResult:
    """The answers of one study run.

    Attributes
    ----------
    study
        The study that was run.
    times
        Counter × origin travel times per mode.
    warnings
        What went less than ideally (for example the straight-line fallback).
    """

    study: Study
    times: dict[str, TravelTimes]
    warnings: list[str] = field(default_factory=list)

    @property
    def config(self) -> StudyConfig:
        """The study definition."""
        return self.study.config

    @property
    def modes(self) -> list[str]:
        """The modes run."""
        return list(self.times)

    @property
    def models(self) -> dict[str, str]:
        """Which model made each mode's times."""
        return {mode: t.model for mode, t in self.times.items()}

    @cached_property
    def available(self) -> pd.DataFrame:
        """Counters (rows) × periods (columns): True where the counter is available."""
        counters = self.study.places.counters
        return pd.DataFrame({period: [h.available for h in counter_hours(counters, period)]
                             for period in self.config.periods}, index=counters["id"])

    @cached_property
    def origins(self) -> gpd.GeoDataFrame:
        """One row per origin: who lives there, and their nearest open counter and time.

        Columns per mode and period: ``<mode>_<period>_min`` and
        ``<mode>_<period>_counter``; per mode: ``<mode>_change_min`` (after −
        before), ``<mode>_snap_m`` and ``<mode>_far_from_network``.
        """
        places = self.study.places
        ids = places.counters["id"].to_numpy()
        frame = places.residents.copy()
        columns: dict[str, np.ndarray] = {}
        for mode, times in self.times.items():
            for period in self.config.periods:
                time, row = nearest_open(times.minutes, self.available[period].to_numpy())
                time, row = np.where(times.excluded, np.nan, time), np.where(times.excluded, -1, row)
                columns[f"{mode}_{period}_min"] = time
                columns[f"{mode}_{period}_counter"] = np.where(row >= 0, ids[np.maximum(row, 0)], None)
            columns[f"{mode}_change_min"] = (columns[f"{mode}_{self.config.after}_min"]
                                             - columns[f"{mode}_{self.config.before}_min"])
            columns[f"{mode}_snap_m"] = times.origin_snap_m
            columns[f"{mode}_far_from_network"] = times.far_from_network
        extra = pd.DataFrame(columns, index=frame.index)
        geometry = frame.pop("geometry")
        return gpd.GeoDataFrame(pd.concat([frame, extra], axis=1), geometry=geometry, crs=self.config.crs)

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Population-weighted figures, one row per (period, mode).

        Columns: ``role`` (before / after / extra), ``model``, ``population``
        (residents counted in the times), ``unreachable``, ``excluded``
        (residents more than 1 km from the network, left out of every figure),
        ``far_from_network`` (residents flagged as far from the network), ``mean_min``, ``median_min``, ``p90_min`` and
        ``within_10`` … ``within_60`` (shares, 0–1).
        """
        origins, population = self.origins, self.origins["population"].to_numpy(float)
        rows = []
        for period in self.config.periods:
            role = {self.config.before: "before", self.config.after: "after"}.get(period, "extra")
            for mode, times in self.times.items():
                figures = summarise(origins[f"{mode}_{period}_min"].to_numpy(), population)
                far = self.study.far_population(times)
                rows.append({"period": period, "mode": mode, "role": role, "model": times.model,
                             "far_from_network": far, **figures})
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
            switched = ((origins[f"{mode}_{self.config.before}_counter"]
                         != origins[f"{mode}_{self.config.after}_counter"])
                        & ~self.times[mode].excluded)
            weights = origins["population"][switched]
            table.loc[mode, "population_switched"] = weights.sum()
            table.loc[mode, "mean_change_min_switched"] = (
                float(np.average(origins[f"{mode}_change_min"][switched], weights=weights))
                if weights.sum() > 0 else 0.0)
            table.loc[mode, "max_change_min"] = float(origins[f"{mode}_change_min"].max())
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

    def _grouped(self, by: str) -> pd.DataFrame:
        origins, tables = self.origins, []
        for mode in self.modes:
            before = origins[f"{mode}_{self.config.before}_min"]
            after = origins[f"{mode}_{self.config.after}_min"]
            frame = pd.DataFrame({
                by: origins[by], "population": origins["population"],
                "before_min": before, "after_min": after, "change_min": after - before,
                "within_30_before": (before <= 30).astype(float),
                "within_30_after": (after <= 30).astype(float),
            })
            table = group_table(frame, by, ["before_min", "after_min", "change_min",
                                            "within_30_before", "within_30_after"])
            table.insert(0, "mode", mode)
            tables.append(table.reset_index())
        return pd.concat(tables, ignore_index=True).set_index([by, "mode"]).sort_index()

    def by_ward(self) -> pd.DataFrame:
        """Population-weighted before/after minutes and 30-minute shares per ward and mode."""
        return self._grouped("ward_name")

    def by_lsoa(self) -> pd.DataFrame:
        """Population-weighted before/after minutes and 30-minute shares per 2011 LSOA and mode."""
        return self._grouped("lsoa11")

    def by_borough(self) -> pd.DataFrame:
        """Population-weighted before/after figures per borough and mode, the biggest loss first.

        See :func:`access.analysis.distances.borough_table` for the columns.
        """
        return borough_table(self.origins, self.modes, self.config.before, self.config.after)

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
        from access.analysis.equity import origin_attributes
        places = self.study.places
        return origin_attributes(self.origins, places.lsoas, with_wards=places.wards is not None)

    @cached_property
    def breakdowns(self) -> pd.DataFrame:
        """Before/after figures by car ownership, income, PTAL and ward (see :func:`access.analysis.equity.breakdown`)."""
        from access.analysis.equity import breakdown
        return breakdown(self.origins, self.origin_groups, self.modes, self.config.before, self.config.after)

    def model_note(self, mode: str) -> str:
        """One line saying which model made ``mode``'s times, loudly for the estimate."""
        times = self.times[mode]
        if times.is_estimate:
            return (f"STRAIGHT-LINE ESTIMATE, not a street-network result: no street network was "
                    f"available, so times are {times.detail}.")
        note = f"Street-network model: {times.detail}."
        if times.far_from_network.any():
            people = self.study.far_population(times)
            note += (f" {people:,.0f} residents live more than {self.config.max_snap_m:g} m from this "
                     f"network (flagged; the gap is walked in a straight line).")
        if times.excluded.any():
            people = self.study.excluded_population(times)
            note += (f" {people:,.0f} of them live more than {MAX_GAP_M:,.0f} m from it and are left out "
                     f"of the figures.")
        return note

    def to_maps(self, folder: Path | str) -> list[Path]:
        """Write one HTML map per mode and an index page to ``folder``; return their paths."""
        from access.outputs.writers import write_maps
        return write_maps(self, Path(folder))

    def write(self, folder: Path | str, *, maps: bool = True) -> dict[str, Path]:
        """Write ``summary.json``, tables (CSV), per-origin results (CSV and GeoPackage) and maps."""
        from access.outputs.writers import write_outputs
        return write_outputs(self, Path(folder), maps=maps)
