"""Postcodes: the mirror's Code-Point Open table, and looking one up.

The table is read once per process (it is 180,754 rows) and shared by the
residents (:mod:`access.inputs.places`) and by postcode lookups (hypothetical
counters in scenarios).
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from access.core.errors import ScenarioError
from access.inputs.sources import mirror_file

__all__ = ["postcode_table", "lookup_postcode", "looks_like_postcode", "nearest_postcodes"]

_POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


@lru_cache(maxsize=1)
def _read(path: str) -> pd.DataFrame:
    table = pd.read_csv(path, dtype={"large_user": "float64"})
    return table


def postcode_table() -> pd.DataFrame:
    """Every live London postcode (Code-Point Open 2025 joined to the ONS lookup), as the mirror has it."""
    return _read(str(mirror_file("postcodes")))


def looks_like_postcode(text: str) -> bool:
    """Whether ``text`` has the shape of a UK postcode (``IG2 6AA``, ``ec1a2dp``).

    >>> looks_like_postcode("ig2 6aa"), looks_like_postcode("51.57,0.06")
    (True, False)
    """
    return bool(_POSTCODE_RE.match(text.strip().upper()))


@lru_cache(maxsize=1)
def _index(path: str) -> pd.DataFrame:
    table = _read(path)[["postcode", "lon", "lat"]].copy()
    table["key"] = table["postcode"].str.replace(" ", "", regex=False).str.upper()
    return table.set_index("key")


def lookup_postcode(postcode: str) -> tuple[float, float]:
    """Return ``(lon, lat)`` of a live London postcode, from the mirror's Code-Point Open table.

    Raises
    ------
    ScenarioError
        The postcode is not in the table.

    Examples
    --------
    >>> lon, lat = lookup_postcode("IG1 1GT")  # Ilford police station
    >>> round(lat, 2), round(lon, 2)
    (51.56, 0.08)
    """
    key = postcode.replace(" ", "").upper()
    table = _index(str(mirror_file("postcodes")))
    if key not in table.index:
        raise ScenarioError(f"postcode {postcode!r} is not a live London postcode in Code-Point Open 2025; "
                            f"check it, or give the site as NAME=LAT,LON")
    row = table.loc[key]
    return float(row["lon"]), float(row["lat"])


@lru_cache(maxsize=1)
def _tree(path: str) -> tuple[cKDTree, pd.DataFrame]:
    table = _read(path)[["postcode", "easting", "northing", "ward_code"]].reset_index(drop=True)
    return cKDTree(table[["easting", "northing"]].to_numpy(float)), table


def nearest_postcodes(easting: np.ndarray, northing: np.ndarray) -> pd.DataFrame:
    """Return the live London postcode nearest each point, with its distance and ward code.

    Parameters
    ----------
    easting, northing
        British National Grid (EPSG:27700) coordinates, metres.

    Returns
    -------
    pandas.DataFrame
        One row per point: ``postcode``, ``postcode_m`` (metres from the
        postcode's centroid) and ``ward_code`` (the postcode's 2025 ward).

    Examples
    --------
    >>> found = nearest_postcodes(np.array([544409.0]), np.array([188060.0]))
    >>> found.loc[0, "postcode"], float(found.loc[0, "postcode_m"]), found.loc[0, "ward_code"]
    ('IG2 6AA', 2.0, 'E05011250')
    """
    tree, table = _tree(str(mirror_file("postcodes")))
    distance, row = tree.query(np.column_stack([np.asarray(easting, float), np.asarray(northing, float)]))
    found = table.iloc[row]
    return pd.DataFrame({"postcode": found["postcode"].to_numpy(), "postcode_m": np.round(distance, 0),
                         "ward_code": found["ward_code"].to_numpy()})
