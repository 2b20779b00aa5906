"""Who loses access: the before/after change broken down by groups of residents and households.

Every origin takes the 2011 attributes of its LSOA (the LSOA Atlas columns of
``london_lsoa2011_census.csv``) and a share of the LSOA's households split the
same way as its residents: an origin holding a fraction *f* of the LSOA's
residents holds the same fraction *f* of its households, of its households
without a car or van, and of those with one.

Groups (each a ``dimension`` of :func:`breakdown`):

``all``
    Everyone, for reference.
``car``
    Households without a car or van against households with one.  The census
    counts cars per household, not per resident, so this dimension is
    household-weighted only: the no-car figure weighs each origin by its
    no-car households.
``no_car_share``
    The LSOA's share of households without a car or van, in bands
    (:data:`NO_CAR_SHARE_BANDS`).
``income``
    Quintile of the LSOA's median household income estimate (2011/12).  The
    quintile edges are London-wide (every London LSOA counts once), so Q1 is
    the poorest fifth of London's LSOAs in every study, and studies compare.
``ptal``
    PTAL band (2014).  The atlas's average score is the mean of its grid
    cells' PTAL levels coded 0 = 0, 1 = 1a, 2 = 1b, 3 = 2, 4 = 3, 5 = 4,
    6 = 5, 7 = 6a, 8 = 6b (the scores run from 0.3 to 8.0); the band is the
    level nearest the average (:func:`ptal_band`).
``ward``
    The ward, when the study has a ward file.
``borough``
    The borough, when the study covers more than one.

The equity option for older residents (a study's ``[walk] older = true``):
each group's walking figures are given again as mode :data:`OLDER_WALK`, every
walking time × :attr:`access.core.tripcosts.WalkCosts.older_ratio` (walking
speed ÷ the older pace, 4.8 ÷ 3.0 km/h by default; see
``docs/explanation/drive-and-walk.md`` for the source).  The census columns here
do not count residents by age, so these rows say what walking would take for
an older resident of each group, not how many older residents there are.

Figures per group, mode and weight (``residents`` or ``households``): the
weighted count, mean and median minutes before and after, the mean change,
and the share over 30 minutes before and after.  They come from
:func:`access.analysis.figures.change_figures`, so the rule is the headline's:
excluded origins (too far from the network) count nowhere, and residents with
no open counter in a period count as over every threshold and are left out of
the means.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

from access.analysis.figures import change_figures
from access.core.errors import DataError
from access.inputs.sources import mirror_file

__all__ = [
    "OVER_MIN",
    "OLDER_WALK",
    "NO_CAR_SHARE_BANDS",
    "PTAL_BANDS",
    "DIMENSIONS",
    "GROUP_NOTES",
    "ptal_band",
    "london_income_edges",
    "income_quintile",
    "origin_attributes",
    "breakdown",
]

OVER_MIN = 30
"""The threshold of the "share over" figures, in minutes."""

OLDER_WALK = "walk-older"
"""The mode of the older-pace walking rows of :func:`breakdown` (the equity option)."""

PTAL_BANDS: tuple[str, ...] = ("0", "1a", "1b", "2", "3", "4", "5", "6a", "6b")
"""TfL's PTAL bands, worst access first; band *i* is coded *i* in the LSOA Atlas's average score."""

NO_CAR_SHARE_BANDS: tuple[float, ...] = (0.2, 0.4, 0.6)
"""Edges of the LSOA no-car-household share bands (under 20%, 20–40%, 40–60%, 60% or more)."""

DIMENSIONS: dict[str, str] = {
    "all": "Everyone",
    "car": "Households with and without a car or van (2011)",
    "no_car_share": "LSOA share of households without a car or van (2011)",
    "income": "Median household income of the LSOA (2011/12), London-wide quintile",
    "ptal": "Public transport access level of the LSOA (PTAL 2014)",
    "ward": "Ward",
    "borough": "Borough",
}
"""Every dimension :func:`breakdown` can give, with a heading."""

GROUP_NOTES: dict[str, str] = {
    "car": ("Household-weighted only: the census counts cars per household. 'No car or van' weighs each "
            "origin by its LSOA's households without a car or van, shared like its residents."),
    "no_car_share": "Bands of the LSOA's share of households without a car or van.",
    "income": ("Quintiles of the LSOA Atlas's median household income estimate (2011/12), with London-wide "
               "edges: every one of London's 4,835 LSOAs counts once, Q1 is the poorest fifth."),
    "ptal": ("TfL PTAL band nearest the LSOA's average PTAL score (2014), the LSOA Atlas's mean of grid-cell "
             "levels coded 0=0, 1=1a, 2=1b, 3=2, 4=3, 5=4, 6=5, 7=6a, 8=6b. 0 and 1a are the worst access."),
}
"""How each dimension's groups are defined, for tables and the report."""

_CENSUS_COLUMNS = ("residents_2011", "households_2011", "households_no_car_2011",
                   "ptal_2014_avg_score", "median_household_income_2011")


def ptal_band(score: np.ndarray | pd.Series | float) -> np.ndarray:
    """Return the PTAL band nearest an LSOA Atlas average PTAL score.

    >>> ptal_band([0.3, 1.4, 1.6, 4.5, 7.4, 8.0]).tolist()
    ['0', '1a', '1b', '4', '6a', '6b']
    """
    values = np.asarray(score, dtype=float).reshape(-1)
    if np.isnan(values).any() or (values < 0).any() or (values > len(PTAL_BANDS) - 1).any():
        bad = values[np.isnan(values) | (values < 0) | (values > len(PTAL_BANDS) - 1)][0]
        raise DataError(f"average PTAL score {bad!r} is outside 0–8; check london_lsoa2011_census.csv")
    # Round half up (np.round would send 2.5 to 2).
    level = np.floor(values + 0.5).astype(int)
    return np.asarray(PTAL_BANDS, dtype=object)[level]


@lru_cache(maxsize=1)
def london_income_edges() -> tuple[float, ...]:
    """Return the four inner edges of the London-wide quintiles of LSOA median household income (£)."""
    census = pd.read_csv(mirror_file("lsoa_census"))
    incomes = census["median_household_income_2011"].astype(float)
    return tuple(float(q) for q in incomes.quantile([0.2, 0.4, 0.6, 0.8]))


def income_quintile(income: pd.Series, edges: Sequence[float] | None = None) -> pd.Series:
    """``Q1 (lowest)`` … ``Q5 (highest)`` for each income, on London-wide edges by default.

    An income equal to an edge falls in the lower quintile.
    """
    edges = list(edges if edges is not None else london_income_edges())
    labels = ["Q1 (lowest)", "Q2", "Q3", "Q4", "Q5 (highest)"]
    code = np.searchsorted(np.asarray(edges, float), income.to_numpy(float), side="left")
    return pd.Series(np.asarray(labels, dtype=object)[code], index=income.index)


def _no_car_share_band(share: pd.Series) -> pd.Series:
    edges = np.asarray(NO_CAR_SHARE_BANDS)
    percent = [f"{e * 100:.0f}%" for e in edges]
    labels = [f"under {percent[0]}", *[f"{a}–{b}" for a, b in zip(percent[:-1], percent[1:], strict=True)],
              f"{percent[-1]} or more"]
    code = np.searchsorted(edges, share.to_numpy(float), side="right")
    return pd.Series(np.asarray(labels, dtype=object)[code], index=share.index)


def origin_attributes(origins: pd.DataFrame, lsoas: pd.DataFrame, *, with_wards: bool = True) -> pd.DataFrame:
    """Each origin's households and its LSOA's groups.

    Parameters
    ----------
    origins
        One row per origin with ``lsoa11`` and ``population`` (see
        :func:`access.inputs.places.load_residents`); ``ward_name`` is carried over.
    lsoas
        The study's LSOAs with the census columns (``residents_2011``,
        ``households_2011``, ``households_no_car_2011``,
        ``ptal_2014_avg_score``, ``median_household_income_2011``) and
        ``lsoa11_name``.
    with_wards
        Carry ``ward_name`` over as ``ward``; ``False`` when the study has no
        ward file (its ``ward_name`` is then only the postcode file's ward code).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``origins``: ``residents``, ``households``,
        ``households_no_car``, ``households_car`` (shares of the LSOA's, split
        like its residents), ``ptal_score``, ``ptal``, ``income``,
        ``income_quintile``, ``no_car_share``, ``no_car_share_band``,
        ``ward``, ``borough``.  Origins outside every LSOA weigh nothing and
        have no groups.

    Raises
    ------
    DataError
        An LSOA lacks a census column or has households but no residents.
    """
    missing = [c for c in _CENSUS_COLUMNS if c not in lsoas.columns]
    if missing and len(missing) < len(_CENSUS_COLUMNS) - 1:
        raise DataError(f"the LSOA table lacks census column(s) {', '.join(missing)}; "
                        f"they come from london_lsoa2011_census.csv")
    table = pd.DataFrame(lsoas.drop(columns="geometry", errors="ignore")).set_index("lsoa11")
    for column in missing:  # a study made from your own frames: no census, so no households, cars, income or PTAL
        table[column] = np.nan
    residents = table["residents_2011"].astype(float)
    empty = table.index[(residents <= 0) & (table["households_2011"] > 0)].tolist()
    if empty:
        raise DataError(f"LSOA(s) {', '.join(empty[:5])} have households but no residents in the census table")
    per_resident = table[["households_2011", "households_no_car_2011"]].div(residents.where(residents > 0), axis=0)
    lsoa = origins["lsoa11"]
    population = origins["population"].astype(float)
    frame = pd.DataFrame(index=origins.index)
    frame["residents"] = population
    frame["households"] = (population * lsoa.map(per_resident["households_2011"])).fillna(0.0)
    frame["households_no_car"] = (population * lsoa.map(per_resident["households_no_car_2011"])).fillna(0.0)
    frame["households_car"] = frame["households"] - frame["households_no_car"]
    frame["ptal_score"] = lsoa.map(table["ptal_2014_avg_score"])
    frame["income"] = lsoa.map(table["median_household_income_2011"])
    share = table["households_no_car_2011"] / table["households_2011"].where(table["households_2011"] > 0)
    frame["no_car_share"] = lsoa.map(share)
    known = frame["ptal_score"].notna()
    frame["ptal"] = pd.Series(None, index=frame.index, dtype=object)
    frame.loc[known, "ptal"] = ptal_band(frame.loc[known, "ptal_score"])
    frame["income_quintile"] = pd.Series(None, index=frame.index, dtype=object)
    has_income = frame["income"].notna()
    frame.loc[has_income, "income_quintile"] = income_quintile(frame.loc[has_income, "income"])
    frame["no_car_share_band"] = pd.Series(None, index=frame.index, dtype=object)
    has_share = frame["no_car_share"].notna()
    frame.loc[has_share, "no_car_share_band"] = _no_car_share_band(frame.loc[has_share, "no_car_share"])
    frame["ward"] = origins["ward_name"] if with_wards and "ward_name" in origins else None
    if "borough" in origins:
        frame["borough"] = origins["borough"]
    elif "lsoa11_name" in table.columns:
        frame["borough"] = lsoa.map(table["lsoa11_name"].str.rsplit(" ", n=1).str[0])
    else:
        frame["borough"] = None
    return frame


def _group_order(dimension: str, groups: Sequence[str]) -> list[str]:
    if dimension == "ptal":
        return [g for g in PTAL_BANDS if g in groups]
    if dimension == "car":
        return [g for g in ("no car or van", "car or van") if g in groups]
    if dimension == "no_car_share":
        return sorted(groups, key=lambda g: (not g.startswith("under"), g))
    return sorted(groups)


def breakdown(
    origins: pd.DataFrame,
    attributes: pd.DataFrame,
    modes: Sequence[str],
    before: str,
    after: str,
    dimensions: Sequence[str] | None = None,
    *,
    older_ratio: float | None = None,
) -> pd.DataFrame:
    """Before/after figures per group of residents or households.

    Parameters
    ----------
    origins
        Per-origin results (:attr:`access.analysis.study.StudyResult.origins`) with
        ``<mode>_<period>_min`` columns.
    attributes
        :func:`origin_attributes` of the same origins.
    modes, before, after
        The modes and the two periods compared.
    dimensions
        Which of :data:`DIMENSIONS` to give; by default every one the data
        supports (``ward`` only when some origin has a known ward,
        ``borough`` only when there are several).
    older_ratio
        The equity option: with ``walk`` among the modes, give each group's walking
        figures again as mode :data:`OLDER_WALK`, every walking time × this ratio.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``dimension``, ``group``, ``weight``, ``mode``), where
        ``weight`` is ``residents`` or ``households``.  Columns: ``count``
        (weighted residents or households), ``origins``, ``mean_before_min``,
        ``mean_after_min``, ``mean_change_min``, ``median_before_min``,
        ``median_after_min``, ``over_30_before``, ``over_30_after`` (shares,
        0–1).  Groups keep a natural order (Q1 first, PTAL 0 first).
    """
    if dimensions is None:
        dimensions = ["all", *(d for d, column in (("car", "households_no_car"), ("no_car_share", "no_car_share"),
                                                    ("income", "income"), ("ptal", "ptal_score"))
                               if attributes[column].notna().any() and attributes[column].astype(float).sum() > 0)]
        wards = attributes["ward"].dropna()
        if len(wards) and not wards.isin(["unknown"]).all():
            dimensions.append("ward")
        if attributes["borough"].dropna().nunique() > 1:
            dimensions.append("borough")
    unknown = [d for d in dimensions if d not in DIMENSIONS]
    if unknown:
        raise DataError(f"unknown breakdown dimension(s) {', '.join(unknown)}; choose from {', '.join(DIMENSIONS)}")
    rows = []
    for dimension in dimensions:
        # (group label per origin, weight kind, weight column) triples
        weights_known = [w for w in ("residents", "households") if attributes[w].sum() > 0]
        if dimension == "all":
            parts = [(pd.Series("everyone", index=attributes.index), w, w) for w in weights_known]
        elif dimension == "car":
            parts = [(pd.Series("no car or van", index=attributes.index), "households", "households_no_car"),
                     (pd.Series("car or van", index=attributes.index), "households", "households_car")]
        else:
            column = {"no_car_share": "no_car_share_band", "income": "income_quintile"}.get(dimension, dimension)
            parts = [(attributes[column], w, w) for w in weights_known]
        found: dict[str, list[dict]] = {}
        for labels, weight_kind, weight_column in parts:
            weights = attributes[weight_column].to_numpy(float)
            grouped = labels.where(weights > 0)  # an origin of no weight is in no group
            older = [OLDER_WALK] if older_ratio is not None and "walk" in modes else []
            for mode in [*modes, *older]:
                source, ratio = ("walk", older_ratio) if mode == OLDER_WALK else (mode, 1.0)
                b = origins[f"{source}_{before}_min"].to_numpy(float) * ratio
                a = origins[f"{source}_{after}_min"].to_numpy(float) * ratio
                table = change_figures(b, a, weights, grouped, thresholds=(OVER_MIN,))
                counted = pd.Series(np.where(np.isnan(b), None, grouped), dtype=object).value_counts()
                for group, row in table.iterrows():
                    found.setdefault(str(group), []).append({
                        "dimension": dimension, "group": str(group), "weight": weight_kind, "mode": mode,
                        "count": row["population_before"] + row["unreachable_before"],
                        "origins": int(counted.get(group, 0)),
                        "mean_before_min": row["mean_min_before"], "mean_after_min": row["mean_min_after"],
                        "median_before_min": row["median_min_before"], "median_after_min": row["median_min_after"],
                        f"over_{OVER_MIN}_before": 1 - row[f"within_{OVER_MIN}_before"],
                        f"over_{OVER_MIN}_after": 1 - row[f"within_{OVER_MIN}_after"],
                        "mean_change_min": row["mean_change_min"]})
        for group in _group_order(dimension, list(found)):
            rows.extend(found[group])
    columns = ["dimension", "group", "weight", "mode", "count", "origins", "mean_before_min", "mean_after_min",
               "mean_change_min", "median_before_min", "median_after_min", f"over_{OVER_MIN}_before",
               f"over_{OVER_MIN}_after"]
    return pd.DataFrame(rows, columns=columns).set_index(["dimension", "group", "weight", "mode"])
