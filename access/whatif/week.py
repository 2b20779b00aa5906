"""Time of day on a board: the periods side by side at moments of the week, and over the whole week.

:func:`week_table` reads each counter's hours at every moment asked for (by the one
rule of :func:`access.inputs.hours.available`) and over the week's 10,080
minutes (:mod:`access.analysis.timeofday`), on the counter × origin minutes
already on the board: nothing is routed.

Example
-------
>>> from access import load_study
>>> from access.inputs.hours import parse_moment
>>> from access.whatif.board import build_board
>>> week = week_table(build_board(load_study("redbridge-2017"), [], modes=["walk"], offline=True),
...                   periods=["2013_2017"], moments={"night": parse_moment("Sat 23:30")})
>>> round(float(week.table.loc[("walk", "2013_2017"), "night mean_min"]), 1)
45.4
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from access.analysis.timeofday import period_table
from access.core.arguments import names
from access.core.defaults import DEFAULT_WITHIN_MIN
from access.core.errors import ScenarioError
from access.inputs.hours import DEFAULT_MOMENTS, Moment
from access.whatif.board import Board

__all__ = ["WeekResult", "week_table", "DEFAULT_WITHIN_MIN"]


@dataclass
class WeekResult:
    """The periods side by side at moments of the week, and over the week.

    Attributes
    ----------
    study
        The study's name.
    table
        :func:`access.analysis.timeofday.period_table`'s table, indexed by (mode, period).
    periods
        The periods, in order.
    moments
        Label → moment.
    within_min
        The travel-time limit of the shares.
    models
        The model of each mode's times.
    labels
        How readers see each period (the study's ``[periods.labels]``), by id.

    Examples
    --------
    >>> from access import load_study
    >>> from access.whatif.board import build_board
    >>> week = week_table(build_board(load_study("redbridge-2017"), [], modes=["walk"], offline=True),
    ...                   periods=["2018_2025"])
    >>> week  # doctest: +ELLIPSIS
    WeekResult('redbridge-2017': 2018_2025 at daytime Tue 12:00, evening Tue 20:00, ...; within 30 min)
    """

    study: str
    table: pd.DataFrame
    periods: list[str]
    moments: dict[str, Moment]
    within_min: float
    models: dict[str, str]
    labels: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"WeekResult({self.study!r}: {', '.join(self.periods)} at {', '.join(self.moments)}; "
                f"within {self.within_min:g} min)")


def week_table(board: Board, *, periods: Sequence[str] | None = None, moments: Mapping[str, Moment] | None = None,
               within_min: float = DEFAULT_WITHIN_MIN) -> WeekResult:
    """Return the periods of a board side by side at ``moments`` and over the week.

    Parameters
    ----------
    board
        Counter × origin minutes (:func:`access.whatif.board.build_board`).
    periods
        Periods to show (default: every period of the study).
    moments
        Label → moment (default: Tue 12:00, Tue 20:00, Sat 23:30 and Tue 03:00).
    within_min
        The travel-time limit of the shares, minutes.

    Raises
    ------
    ScenarioError
        An unknown period, or a limit that is not a positive number.

    Examples
    --------
    >>> from access import load_study
    >>> from access.whatif.board import build_board
    >>> board = build_board(load_study("redbridge-2017"), [], modes=["walk"], offline=True)
    >>> week = week_table(board, periods=["2018_2025", "from_2026"])
    >>> int(week.table.loc[("walk", "from_2026"), "night (Sat) Sat 23:30 open"])   # only Stratford, by assumption
    1
    """
    config = board.study.config
    periods = list(dict.fromkeys(config.period_id(p, error=ScenarioError) for p in names(periods, "periods"))) \
        or list(config.periods)
    if not (within_min > 0 and math.isfinite(within_min)):
        raise ScenarioError(f"--within {within_min!r} must be a positive number of minutes")
    moments = dict(moments) if moments else {f"{k} {v.label}": v for k, v in DEFAULT_MOMENTS.items()}
    counters = board.study.places.counters
    own = len(counters)
    table = period_table({m: board.minutes[m][:own] for m in board.modes}, {p: list(counters[p]) for p in periods},
                         board.study.places.residents["population"].to_numpy(float), moments, within_min,
                         excluded={m: t.excluded for m, t in board.times.items()},
                         drive={m: t.drive for m, t in board.times.items()})
    return WeekResult(study=config.name, table=table, periods=periods, moments=moments, within_min=within_min,
                      models={m: t.model for m, t in board.times.items()},
                      labels={p: config.label(p) for p in periods})

