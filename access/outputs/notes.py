"""The words every output uses about the model: which model made the times, and what went less than ideally.

Maps, the report, ``summary.json``, index pages and the terminal all take their
sentences from here, so the straight-line estimate is described the same way
everywhere.  The facts come from the results (``StudyResult.coverage``,
:class:`~access.routing.travel.TravelTimes`); only the wording lives here.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from access.analysis.study import StudyResult
from access.core.defaults import TRANSIT_MODEL_PREFIX
from access.core.modes import MODES
from access.core.tripcosts import DriveCosts
from access.inputs.calibrations import Calibration
from access.inputs.config import StudyConfig
from access.inputs.transit_spec import TransitSpec
from access.routing.isochrones import ISOCHRONE_MIN, STREET_BUFFER_M
from access.routing.travel import IMPORTED_MODEL, NETWORK_MODEL, STRAIGHT_LINE_MODEL, TravelTimes

__all__ = ["ESTIMATE", "ESTIMATE_ADVICE", "HOW_HEADING", "HOW_ANCHOR", "ESTIMATE_REMEDY", "ASSUMED_HOURS",
           "model_note", "result_model_note", "models_note", "plain_model_sentence", "study_place", "fallback_warning",
           "coverage_warning", "run_warnings", "page_warnings", "isochrone_note", "calibration_label",
           "transit_walks_warning", "transit_attribution", "result_attribution", "times_attribution",
           "transit_statistic", "PUBLIC_TRANSPORT_CRITERION", "calibration_fit", "calibration_spread",
           "drive_model_note", "ward_names_note"]

ESTIMATE = "STRAIGHT-LINE ESTIMATE"
"""How the estimate is named, loudly, wherever it appears."""

ESTIMATE_ADVICE = ("Run online, or pass --osm-file with a local .osm/.osm.pbf, for street-network times.")
"""What a user can do about the estimate; for the terminal, not for a page meant to be shared."""


HOW_HEADING = "How these times were made"
"""The heading of the section of a page that explains the model; the page's one plain sentence points to it."""

HOW_ANCHOR = "how-times"
"""The ``id`` of that section in the report, so that the maps and the explorer can link to it."""

ESTIMATE_REMEDY = ("Street-network times need OpenStreetMap's streets for the area: the study run with an "
                   "internet connection, or given a downloaded extract of the streets.")
"""What would give street-network times, in one line, for readers of a page (no command-line options)."""

ASSUMED_HOURS = "open only by assumption: its hours are not known"
"""How a page describes a counter whose hours are ``open`` or ``unknown`` (counted as open at every moment)."""


def study_place(boroughs: tuple[str, ...] | list[str], *, local_authority: str | None = None,
                built_from: str = "") -> str:
    """Return the study area in words, for a sentence: one borough's name, a local authority's, or a general phrase.

    >>> study_place(("Redbridge",)), study_place(("Redbridge", "Havering")), study_place(("a",) * 33)
    ('Redbridge', 'Redbridge and Havering', 'London')
    >>> study_place((), built_from="GeoDataFrames")
    'the study area'
    """
    if built_from:
        return "the study area"
    if local_authority:
        return local_authority
    names = list(boroughs)
    if len(names) >= 33:
        return "London"
    if len(names) == 1:
        return names[0]
    if 1 < len(names) <= 3:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return "the study area"


def _joined(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def plain_model_sentence(times: Mapping[str, TravelTimes], *, place: str, labels: Mapping[str, str]) -> str:
    """Return, in one plain sentence for any reader, how a page's travel times were made.

    It is what a page says at its top; the numbers behind it (the calibration) belong in the
    page's section :data:`HOW_HEADING`.  ``labels`` gives each mode as it reads after "travel"
    (``"on foot"``).

    Examples
    --------
    >>> import numpy as np
    >>> from access.routing.travel import straight_line_times
    >>> from access.inputs.calibrations import get_calibration
    >>> calibration = get_calibration("city-of-london", "walk")
    >>> walk = straight_line_times("walk", np.zeros((1, 2)), np.zeros((1, 2)), calibration)
    >>> plain_model_sentence({"walk": walk}, place="Redbridge", labels={"walk": "on foot"})
    'Times are estimated from straight-line distances, because no street map of Redbridge was available here.'
    """
    estimated = [m for m, t in times.items() if t.is_estimate]
    imported = [m for m, t in times.items() if t.model == IMPORTED_MODEL]
    routed = [m for m, t in times.items() if t.model == NETWORK_MODEL]
    groups = [(estimated, f"are estimated from straight-line distances, because no street map of {place} was "
                          f"available here"),
              (routed, "are routed on OpenStreetMap's streets"),
              (imported, "were computed elsewhere and imported"
                         + (f" ({'; '.join(dict.fromkeys(times[m].detail for m in imported))})" if imported else "")),
              *[([m], f"are {t.model}") for m, t in times.items() if m not in (*estimated, *imported, *routed)]]
    parts = []
    for modes, how in groups:
        if modes:
            who = "times" if len(modes) == len(times) else "times " + _joined([labels.get(m, m) for m in modes])
            parts.append(f"{who} {how}")
    text = "; ".join(parts) or "times"
    return text[0].upper() + text[1:] + "."


def ward_names_note(known: bool) -> str | None:
    """Return the sentence a page shows when its wards are named by ONS code only, or ``None`` when they have names.

    >>> ward_names_note(True) is None
    True
    >>> print(ward_names_note(False))  # doctest: +ELLIPSIS
    Wards are shown by their ONS codes (E05…): the ward names lookup was not ...
    """
    if known:
        return None
    return ("Wards are shown by their ONS codes (E05…): the ward names lookup was not in the data when this page was "
            "made. 'access data fetch ward_names' downloads it from the ONS; run the study again afterwards.")


def calibration_fit(calibration: Calibration) -> str:
    """Return how well a calibration's estimate fits the trips it was measured on, in words.

    >>> from access.inputs.calibrations import get_calibration
    >>> print(calibration_fit(get_calibration("city-of-london", "walk")))  # doctest: +ELLIPSIS
    calibration 'city-of-london' (City of London OSM ...): routed times are 0.90–1.13 × the estimate (p10–p90 of ...)
    """
    return (f"calibration {calibration.name!r} ({calibration.measured_on}): routed times are "
            f"{calibration.p10:.2f}–{calibration.p90:.2f} × the estimate (p10–p90 of {calibration.n_pairs:,} trips)")


def calibration_label(calibration: Calibration) -> str:
    """Return one mode's straight-line estimate in words: factors and speeds by trip length, the choice, its spread.

    >>> from access.inputs.calibrations import get_calibration
    >>> print(calibration_label(get_calibration("city-of-london", "walk")))  # doctest: +ELLIPSIS
    straight line × 1.34 under 1 km, × 1.26 for 1–3 km and beyond (not measured beyond 3 km) at 4.8 km/h, each ...
    """
    measured = [band for band in calibration.bands if band.measured]
    one_speed = len({round(band.speed_kmh, 1) for band in measured}) == 1
    parts, spreads = [], []
    for i, band in enumerate(measured):
        where = (f"under {band.to_km:g} km" if band.from_km == 0 else f"for {band.from_km:g}–{band.to_km:g} km")
        if i == len(measured) - 1:
            where += " and beyond"
            if len(measured) < len(calibration.bands):
                where += f" (not measured beyond {band.to_km:g} km)"
        parts.append(f"× {band.factor:.2f}{'' if one_speed else f' at {band.speed_kmh:.1f} km/h'} {where}")
        spreads.append(f"{band.p10:.2f}–{band.p90:.2f} {where.split(' and beyond')[0]}")
    speed = f" at {measured[0].speed_kmh:.1f} km/h" if one_speed else ""
    between = ", each band's rate at its trips' mean length and interpolated between" if len(measured) > 1 else ""
    return (f"straight line {', '.join(parts)}{speed}{between}{_priced(calibration, measured)}; "
            f"detour factor p10–p90 {', '.join(spreads)}; {calibration_fit(calibration)}")


def _priced(calibration: Calibration, measured: list) -> str:
    """Return the trip-cost model's part of the estimate in words (drive: overhead, rates; walk: signals)."""
    if calibration.mode == "drive" and measured[0].shares:
        rates = ", ".join(f"{band.priced_minutes_per_km('drive', calibration.drive, calibration.walk):.2f}"
                          for band in measured)
        return (f", priced by the drive model ({drive_model_note(calibration.drive)}): {rates} min per "
                f"straight-line km by band")
    if calibration.mode == "walk" and any(band.signals_per_km for band in measured):
        per_km = ", ".join(f"{band.signals_per_km:.1f}" for band in measured)
        return f", plus {calibration.walk.signal_s:g} s at each traffic signal passed ({per_km} per km by band)"
    return ""


def drive_model_note(drive: DriveCosts) -> str:
    """Return the drive model in a clause: overhead, speeds and delays, and the traffic they are for.

    >>> print(drive_model_note(DriveCosts()))  # doctest: +ELLIPSIS
    4 min starting and parking, typical speeds by road class in free-flowing traffic (32–105 km/h, ...
    """
    speeds = drive.class_speeds()
    return (f"{drive.overhead_min:g} min starting and parking, typical speeds by road class in free-flowing "
            f"traffic ({speeds.min():g}–{speeds.max():g} km/h, never above a street's limit), {drive.signal_s:g} s "
            f"at each traffic signal and {drive.junction_s:g} s giving way at a junction; a figure without a "
            f"moment is for free-flowing traffic, one at a moment drives in that hour's traffic")


def model_note(times: TravelTimes, *, far_population: float = 0.0, excluded_population: float = 0.0,
               max_snap_m: float = 500.0, max_gap_m: float = 1000.0) -> str:
    """One paragraph saying which model made one mode's times, loudly for the estimate.

    Examples
    --------
    >>> import numpy as np
    >>> from access.routing.travel import straight_line_times
    >>> from access.inputs.calibrations import get_calibration
    >>> walk = get_calibration("city-of-london", "walk")
    >>> print(model_note(straight_line_times("walk", np.zeros((1, 2)), np.zeros((1, 2)), walk)))  # doctest: +ELLIPSIS
    STRAIGHT-LINE ESTIMATE, not a street-network result: no street network ... straight line × 1.34 under 1 km, ...
    """
    if times.is_estimate:
        how = calibration_label(times.calibration) if times.calibration is not None else times.detail
        return f"{ESTIMATE}, not a street-network result: no street network was available, so times are {how}."
    if times.model == IMPORTED_MODEL:
        note = f"Imported travel times, not computed by access: {times.detail}."
        if times.excluded.any():
            note += (f" {excluded_population:,.0f} residents have no times in the table and are left out of the "
                     f"figures.")
        return note
    if times.is_transit:
        note = (f"{times.model[0].upper()}{times.model[1:]}: walking and public transport from GTFS timetables; "
                f"residents leave home at every minute of the window, and the figures use the "
                f"{transit_statistic(times)} of their times. Timetable: "
                f"{times.detail.split(' over the departure window; ', 1)[-1]}.")
        if times.calibration is not None:
            return note + f" {transit_walks_warning(times)}"
        return note + _network_gaps(times, "the walk network", far_population, excluded_population, max_snap_m,
                                    max_gap_m)
    note = f"Street-network model: {times.detail}."
    if times.drive is not None:
        note += f" Drive times: {drive_model_note(times.drive)}."
    if times.mode == "walk" and times.network is not None and times.network.signals is not None:
        note += " Walking waits at each traffic signal passed (see the trip-cost model)."
    return note + _network_gaps(times, "this network", far_population, excluded_population, max_snap_m, max_gap_m)


def _network_gaps(times: TravelTimes, network: str, far_population: float, excluded_population: float,
                  max_snap_m: float, max_gap_m: float) -> str:
    """Say how many residents live beyond ``max_snap_m`` of ``network`` (flagged) and ``max_gap_m`` (left out)."""
    said = ""
    if times.far_from_network.any():
        said += (f" {far_population:,.0f} residents live more than {max_snap_m:g} m from {network} "
                 f"(flagged; the gap is walked in a straight line).")
    if times.excluded.any():
        said += (f" {excluded_population:,.0f} of them live more than {max_gap_m:,.0f} m from it and are left out "
                 f"of the figures.")
    return said


PUBLIC_TRANSPORT_CRITERION = (
    "MOPAC's criterion for front counters: residents whose time by public transport (walking and riding, from "
    "home to the nearest open counter) is 60 minutes or more. MOPAC's decision PCD 284 (2017) counted the "
    "communities 60 minutes or more from a counter by public transport; its July 2017 consultation used 45 minutes. "
    "A resident with no counter in reach within the trip limit counts as 60 (and 45) minutes or more; residents "
    "excluded from the figures (too far from the walk network) never count.")
"""MOPAC's criterion, in words, for every output that reports it."""


def transit_attribution(spec: TransitSpec) -> str:
    """Return the attribution of a study's GTFS feeds: the ``[transit]`` table's, or a reminder naming the feeds.

    >>> import datetime as dt
    >>> print(transit_attribution(TransitSpec(("buses.zip",), dt.date(2024, 3, 12))))
    Timetables: GTFS feed buses.zip; its publisher's licence applies (the study gives no attribution for it).
    """
    names = " + ".join(spec.feed_names)
    if spec.attribution:
        return f"Timetables: GTFS feed {names}: {spec.attribution}"
    return f"Timetables: GTFS feed {names}; its publisher's licence applies (the study gives no attribution for it)."


def times_attribution(config: StudyConfig, times: Mapping[str, TravelTimes]) -> str:
    """Return the attribution of a page showing ``times``: the study's, with its GTFS feeds' for public transport."""
    if config.transit is None or not any(t.is_transit for t in times.values()):
        return config.attribution
    return f"{config.attribution} {transit_attribution(config.transit)}"


def result_attribution(result: StudyResult) -> str:
    """Return the attribution of a run's pages: the study's, with its GTFS feeds' when a transit mode was run."""
    return times_attribution(result.config, result.times)


def transit_statistic(times: TravelTimes) -> str:
    """Return which statistic of the window's times public-transport figures use: ``"median"``, ``"90th percentile"``.

    (:meth:`access.routing.transit.TransitTimes.travel_times` starts their ``detail`` with it.)
    """
    return times.detail.split(" over the departure window")[0]


def transit_walks_warning(times: TravelTimes) -> str:
    """Say that public-transport times walk to, from and between stops by the straight-line estimate, and why.

    ``times`` are public-transport times whose ``calibration`` is set (no walk network could be had).  Why
    none could be had, and what to do about it, is for the terminal and ``summary.json`` (:func:`run_warnings`).
    """
    return (f"Its walks to, from and between stops are a {ESTIMATE}: no walk network was available, so each walk "
            f"is {calibration_label(times.calibration)}.")


def result_model_note(result: StudyResult, mode: str) -> str:
    """:func:`model_note` of one mode of a run, with its residents far from the network."""
    row = result.coverage.loc[mode]
    return model_note(result.times[mode], far_population=row["far_population"],
                      excluded_population=row["excluded_population"], max_snap_m=row["max_snap_m"],
                      max_gap_m=row["max_gap_m"])


def models_note(times: Mapping[str, TravelTimes]) -> str:
    """One sentence for a page that covers several modes: which are the estimate (and its calibration), which imported.

    ``times`` is each mode's :class:`~access.routing.travel.TravelTimes` (``StudyResult.times``, ``Board.times``).

    >>> import pandas as pd
    >>> from access.routing.travel import imported_times
    >>> models_note({})
    'Street-network model (OpenStreetMap) for every mode.'
    >>> transit = imported_times(pd.DataFrame({"from_id": ["a"], "to_id": ["x"], "travel_time": [3.0]}),
    ...                          mode="transit", origin_ids=["a"], counter_ids=["x"], note="made by hand")
    >>> models_note({"transit": transit})
    'Street-network model (OpenStreetMap) for every mode but transit, whose travel times were imported.'
    """
    estimated = [mode for mode, t in times.items() if t.is_estimate]
    imported = [mode for mode, t in times.items() if t.model == IMPORTED_MODEL]
    transit = [mode for mode, t in times.items() if t.is_transit]
    imported_text = ", whose travel times were imported" if imported else ""
    transit_text = "".join(
        f" {mode}: {times[mode].model}, walking and public transport from GTFS timetables"
        + (f", its walks to and from stops a {ESTIMATE}." if times[mode].calibration is not None
           else ", its walks on the street network.")
        for mode in transit)
    if not estimated:
        others = f" but {', '.join([*imported, *transit])}" if imported or transit else ""
        return f"Street-network model (OpenStreetMap) for every mode{others}{imported_text}.{transit_text}"
    fits = {mode: times[mode].calibration for mode in estimated if times[mode].calibration is not None}
    fit = f" ({calibration_spread(fits)})" if fits else ""
    note = (f"{ESTIMATE} for {', '.join(estimated)}: no street network was available, so these times are "
            f"straight-line distance × a detour factor ÷ a speed, both by trip length, measured on a real "
            f"OpenStreetMap network{fit}. They are not routed; treat them as an estimate.")
    if imported:
        note += f" Travel times for {', '.join(imported)} were imported."
    return note + transit_text


def calibration_spread(calibrations: Mapping[str, Calibration]) -> str:
    """Return, in one clause, the calibration of the estimated modes and how far routed times spread around it.

    >>> from access.inputs.calibrations import get_calibration
    >>> print(calibration_spread({m: get_calibration("city-of-london", m) for m in ("walk", "drive")}))
    ... # doctest: +ELLIPSIS
    calibration 'city-of-london', measured on City of London OSM ...: routed times are 0.90–1.13 × the estimate on ...
    """
    names = list(dict.fromkeys(c.name for c in calibrations.values()))
    first = next(iter(calibrations.values()))
    places: dict[str, list[str]] = {}  # where each mode was measured (the london calibration: driving elsewhere)
    for mode, calibration in calibrations.items():
        places.setdefault(calibration.measured_on, []).append(mode)
    where = (f"measured on {first.measured_on}" if len(places) == 1 else
             "; ".join(f"{', '.join(modes)} measured on {place}" for place, modes in places.items()))
    which = (f"calibration {first.name!r}, {where}" if len(names) == 1
             else f"calibrations {', '.join(repr(n) for n in names)}")
    return (f"{which}: routed times are "
            + ", ".join(f"{c.p10:.2f}–{c.p90:.2f} × the estimate {MODES[m].label}" for m, c in calibrations.items())
            + ", p10–p90")


def fallback_warning(mode: str, reason: str | None, calibration: Calibration | None = None) -> str:
    """Return the warning of a mode that fell back to the estimate, naming the calibration (the same for every mode).

    The calibration's spread, which differs by mode, is one warning of its own (:func:`run_warnings`).
    """
    which = f", calibration {calibration.name!r}" if calibration is not None else ""
    return (f"{mode}: NO STREET NETWORK ({reason or 'none could be had'}). Times are a {ESTIMATE}: "
            f"distance × measured detour factor ÷ speed{which}.")


def coverage_warning(mode: str, row: pd.Series) -> str | None:
    """Return the warning of a mode whose network leaves counters or residents far away, or ``None``.

    ``row`` is one row of ``StudyResult.coverage``.
    """
    notes = []
    if row["far_counters"]:
        notes.append(f"counter(s) {row['far_counters']} lie far from the network")
    if row["far_origins"]:
        notes.append(f"{row['far_origins']:,} origins ({row['far_population']:,.0f} residents) lie "
                     f"more than {row['max_snap_m']:g} m from the network and are flagged")
    if row["excluded_origins"] and row["model"] == IMPORTED_MODEL:
        return (f"{mode}: {row['excluded_origins']:,} origins ({row['excluded_population']:,.0f} residents) have no "
                f"times in the imported table and are EXCLUDED from the figures (counted as 'excluded' in "
                f"summary.json).")
    if row["excluded_origins"]:
        notes.append(f"{row['excluded_origins']:,} of them ({row['excluded_population']:,.0f} residents) lie more "
                     f"than {row['max_gap_m']:,.0f} m from it and are EXCLUDED from the figures (counted as "
                     f"'excluded' in summary.json)")
    if not notes:
        return None
    return (f"{mode}: {'; '.join(notes)}. The gap to the nearest street node is added "
            f"at walking speed; the network may not cover the whole area.")


def run_warnings(coverage: pd.DataFrame) -> list[str]:
    """Every warning of a run, from its ``coverage`` table (one row per mode)."""
    warnings = []
    for mode, row in coverage.iterrows():
        if row["model"] == STRAIGHT_LINE_MODEL:
            warnings.append(fallback_warning(str(mode), row["unavailable"], row.get("calibration")))
        elif str(row["model"]).startswith(TRANSIT_MODEL_PREFIX) and row.get("calibration") is not None:
            warnings.append(f"{mode}: NO WALK NETWORK ({row['unavailable'] or 'none could be had'}). Walks to, from "
                            f"and between stops are a {ESTIMATE}: distance × measured detour factor ÷ speed, "
                            f"calibration {row['calibration'].name!r}; the rides are the timetable's.")
        else:
            found = coverage_warning(str(mode), row)
            if found:
                warnings.append(found)
    calibrations = {str(mode): row["calibration"] for mode, row in coverage.iterrows()
                    if row["model"] == STRAIGHT_LINE_MODEL and row.get("calibration") is not None}
    if calibrations:
        spread = calibration_spread(calibrations)
        warnings.append(f"The {ESTIMATE}'s {spread}.")
    return warnings


def page_warnings(coverage: pd.DataFrame) -> list[str]:
    """Return the warnings of a run for a page meant to be shared (the report): facts for readers, no advice.

    Why a network could not be had, and what to configure about it (``--osm-file``,
    ``ACCESS_OVERPASS_URL``), is for the person running access: the terminal and
    ``summary.json`` carry it (:func:`run_warnings`).  The page says which modes are
    the estimate in its model banner, and here only what the network left out.
    """
    return [found for mode, row in coverage.iterrows()
            if (row["model"] in (NETWORK_MODEL, IMPORTED_MODEL) or str(row["model"]).startswith(TRANSIT_MODEL_PREFIX))
            and (found := coverage_warning(str(mode), row))]


def isochrone_note(times: TravelTimes) -> str:
    """How one mode's isochrones were drawn, in one sentence."""
    if times.model == IMPORTED_MODEL:
        return "Imported travel times come without a street network, so no isochrones are drawn for them"
    if times.is_transit:
        return ("Public-transport times are known at residents' homes only (from timetables, not along streets), "
                "so no isochrones are drawn for them; the areas' shading shows them")
    if times.is_estimate:
        calibration = times.calibration
        radii = ", ".join(f"{calibration.metres_within(limit) / 1000:.1f}" for limit in ISOCHRONE_MIN)
        minutes = "/".join(f"{limit}" for limit in ISOCHRONE_MIN)
        return (f"Straight-line estimate: discs around each open counter, of the distance the estimate covers in "
                f"T minutes ({radii} km for {minutes} min); real streets, rivers and railways are not seen")
    return (f"Street network: streets from which the nearest open counter is within T minutes, "
            f"{STREET_BUFFER_M:g} m either side, plus the counter's own walk to the street")
