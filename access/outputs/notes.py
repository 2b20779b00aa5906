"""The words every output uses about the model: which model made the times, and what went less than ideally.

Maps, the report, ``summary.json``, index pages and the terminal all take their
sentences from here, so the straight-line estimate is described the same way
everywhere.  The facts come from the results (``StudyResult.coverage``,
:class:`~access.routing.travel.TravelTimes`); only the wording lives here.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from access.analysis.study import StudyResult
from access.routing.detour import load_detour_factors
from access.routing.isochrones import STREET_BUFFER_M
from access.routing.travel import IMPORTED_MODEL, NETWORK_MODEL, STRAIGHT_LINE_MODEL, TravelTimes

__all__ = ["ESTIMATE", "ESTIMATE_ADVICE", "model_note", "result_model_note", "models_note", "fallback_warning",
           "coverage_warning", "run_warnings", "page_warnings", "isochrone_note"]

ESTIMATE = "STRAIGHT-LINE ESTIMATE"
"""How the estimate is named, loudly, wherever it appears."""

ESTIMATE_ADVICE = ("Run online, or pass --osm-file with a local .osm/.osm.pbf, for street-network times.")
"""What a user can do about the estimate; for the terminal, not for a page meant to be shared."""


def model_note(times: TravelTimes, *, far_population: float = 0.0, excluded_population: float = 0.0,
               max_snap_m: float = 500.0, max_gap_m: float = 1000.0) -> str:
    """One paragraph saying which model made one mode's times, loudly for the estimate.

    Examples
    --------
    >>> import numpy as np
    >>> from access.routing.travel import IMPORTED_MODEL, NETWORK_MODEL, STRAIGHT_LINE_MODEL, TravelTimes
    >>> times = TravelTimes("walk", "straight-line estimate", np.zeros((1, 1)), np.zeros(1), np.zeros(1),
    ...                     np.zeros(1, bool), "straight line × 1.32 at 4.8 km/h")
    >>> print(model_note(times))
    STRAIGHT-LINE ESTIMATE, not a street-network result: no street network was available, so times are straight
    line × 1.32 at 4.8 km/h.
    """
    if times.is_estimate:
        return (f"{ESTIMATE}, not a street-network result: no street network was available, so times are "
                f"{times.detail}.")
    if times.model == IMPORTED_MODEL:
        note = f"Imported travel times, not computed by access: {times.detail}."
        if times.excluded.any():
            note += (f" {excluded_population:,.0f} residents have no times in the table and are left out of the "
                     f"figures.")
        return note
    note = f"Street-network model: {times.detail}."
    if times.far_from_network.any():
        note += (f" {far_population:,.0f} residents live more than {max_snap_m:g} m from this "
                 f"network (flagged; the gap is walked in a straight line).")
    if times.excluded.any():
        note += (f" {excluded_population:,.0f} of them live more than {max_gap_m:,.0f} m from it and are left out "
                 f"of the figures.")
    return note


def result_model_note(result: StudyResult, mode: str) -> str:
    """:func:`model_note` of one mode of a run, with its residents far from the network."""
    row = result.coverage.loc[mode]
    return model_note(result.times[mode], far_population=row["far_population"],
                      excluded_population=row["excluded_population"], max_snap_m=row["max_snap_m"],
                      max_gap_m=row["max_gap_m"])


def models_note(estimated: Sequence[str], imported: Sequence[str] = ()) -> str:
    """One sentence for a page that covers several modes: which of them are the estimate, which imported.

    >>> models_note([])
    'Street-network model (OpenStreetMap) for every mode.'
    >>> models_note([], ["transit"])
    'Street-network model (OpenStreetMap) for every mode but transit, whose travel times were imported.'
    """
    imported_text = ", whose travel times were imported" if imported else ""
    if not estimated:
        others = f" but {', '.join(imported)}" if imported else ""
        return f"Street-network model (OpenStreetMap) for every mode{others}{imported_text}."
    note = (f"{ESTIMATE} for {', '.join(estimated)}: no street network was available, so these times are "
            f"straight-line distance × a detour factor measured on a real OpenStreetMap network ÷ speed. They are "
            f"not routed; treat them as an estimate.")
    if imported:
        note += f" Travel times for {', '.join(imported)} were imported."
    return note


def fallback_warning(mode: str, reason: str | None) -> str:
    """Return the warning of a mode that fell back to the estimate."""
    return (f"{mode}: NO STREET NETWORK ({reason or 'none could be had'}). Times are a {ESTIMATE}: "
            f"distance × measured detour factor ÷ speed.")


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
            warnings.append(fallback_warning(str(mode), row["unavailable"]))
        else:
            found = coverage_warning(str(mode), row)
            if found:
                warnings.append(found)
    return warnings


def page_warnings(coverage: pd.DataFrame) -> list[str]:
    """Return the warnings of a run for a page meant to be shared (the report): facts for readers, no advice.

    Why a network could not be had, and what to configure about it (``--osm-file``,
    ``ACCESS_OVERPASS_URL``), is for the person running access: the terminal and
    ``summary.json`` carry it (:func:`run_warnings`).  The page says which modes are
    the estimate in its model banner, and here only what the network left out.
    """
    return [found for mode, row in coverage.iterrows() if row["model"] in (NETWORK_MODEL, IMPORTED_MODEL)
            and (found := coverage_warning(str(mode), row))]


def isochrone_note(times: TravelTimes) -> str:
    """How one mode's isochrones were drawn, in one sentence."""
    if times.model == IMPORTED_MODEL:
        return "Imported travel times come without a street network, so no isochrones are drawn for them"
    if times.is_estimate:
        factor = load_detour_factors()[times.mode]
        return (f"Straight-line estimate: discs of radius T × {factor.speed_kmh:.1f} km/h ÷ detour factor "
                f"{factor.factor:.2f} around each open counter; real streets, rivers and railways are not seen")
    return (f"Street network: streets from which the nearest open counter is within T minutes, "
            f"{STREET_BUFFER_M:g} m either side, plus the counter's own walk to the street")
