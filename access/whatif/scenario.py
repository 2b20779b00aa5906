"""What if: scenarios built from a period by closing, opening and re-timing counters.

A :class:`Scenario` starts from one of the study's periods (its counters and
hours), closes counters by id, opens hypothetical counters (a name with a
latitude/longitude or a postcode) and overrides hours; it may be read at one
moment of the week (``Sat 23:30``).  Scenarios come from ``[scenarios.<name>]``
tables in the study TOML or from the command line.  They are evaluated on a
:class:`~access.whatif.board.Board` (:mod:`access.whatif.board`) and compared
by :func:`~access.whatif.comparison.compare`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from access.analysis.study import Study
from access.core.arguments import choose, names
from access.core.errors import ArgumentError, ScenarioError
from access.inputs.config import ScenarioSpec
from access.inputs.hours import Moment, parse_hours, parse_moment
from access.inputs.postcodes import looks_like_postcode, lookup_postcode

__all__ = ["OpenedCounter", "Scenario", "parse_opened", "period_scenario", "scenario_from_spec", "study_scenarios",
           "counter_id"]

_LATLON_RE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class OpenedCounter:
    """A hypothetical counter.

    Attributes
    ----------
    id
        Its id (from its name: ``"Gants Hill"`` → ``"gants-hill"``).
    name
        Its name.
    lon, lat
        Where it is (WGS84).
    hours
        Its hours (default ``24/7``).
    located_by
        ``"lat/lon"`` or ``"postcode IG2 6UD"``.

    Examples
    --------
    >>> gants = parse_opened("Gants Hill=IG2 6UD@Mo-Fr 09:00-17:00")
    >>> gants.id, gants.located_by, gants.hours, round(gants.lat, 3)
    ('gants-hill', 'postcode IG2 6UD', 'Mo-Fr 09:00-17:00', 51.577)
    """

    id: str
    name: str
    lon: float
    lat: float
    hours: str = "24/7"
    located_by: str = "lat/lon"


@dataclass(frozen=True)
class Scenario:
    """A "what if": a period's counters with closures, openings and hours changed.

    Attributes
    ----------
    name
        How the scenario is called.
    base
        The period it starts from.
    close
        Ids of counters closed (hours ``off``).
    open
        Hypothetical counters opened.
    hours
        ``(counter id, hours)`` overrides, applied after ``close``.
    at
        When set, counters count only if open at this moment of the week.
    description
        Free text.

    Examples
    --------
    >>> from access.inputs.hours import parse_moment
    >>> night = Scenario("no-ilford-at-night", "2018_2025", close=("ilford",), at=parse_moment("Sat 23:30"))
    >>> night.label, night.explain()
    ('no-ilford-at-night @ Sat 23:30', 'from 2018_2025; close ilford; at Sat 23:30')
    """

    name: str
    base: str
    close: tuple[str, ...] = ()
    open: tuple[OpenedCounter, ...] = ()
    hours: tuple[tuple[str, str], ...] = ()
    at: Moment | None = None
    description: str = ""

    def __post_init__(self) -> None:
        # one id where a list is expected is a list of one; hours may come as a dict
        object.__setattr__(self, "close", names(self.close, "close"))
        opened = (self.open,) if isinstance(self.open, OpenedCounter) else tuple(self.open)
        if not all(isinstance(c, OpenedCounter) for c in opened):
            raise ArgumentError(f"open must be OpenedCounter(s) (see parse_opened), not {self.open!r}")
        object.__setattr__(self, "open", opened)
        hours = tuple(self.hours.items()) if isinstance(self.hours, dict) else tuple(self.hours)
        object.__setattr__(self, "hours", hours)
        if self.at is not None and not isinstance(self.at, Moment):
            object.__setattr__(self, "at", parse_moment(self.at))

    @property
    def label(self) -> str:
        """The name, with the moment when there is one (``"from_2026 @ Sat 23:30"``)."""
        return f"{self.name} @ {self.at.label}" if self.at else self.name

    @property
    def is_period(self) -> bool:
        """Whether the scenario is simply its base period as recorded (:func:`period_scenario`)."""
        return self.name == self.base and not (self.close or self.open or self.hours)

    def title(self, labels: Mapping[str, str] | None = None) -> str:
        """How readers see the scenario: a period's label (``labels``, by period id), else its :attr:`label`.

        >>> period_scenario("2018_2025").title({"2018_2025": "2018–25: Ilford 24/7"})
        '2018–25: Ilford 24/7'
        >>> Scenario("what-if", "2018_2025", close=("ilford",)).title({"2018_2025": "2018–25: Ilford 24/7"})
        'what-if'
        """
        if not self.is_period or not labels or self.base not in labels:
            return self.label
        return f"{labels[self.base]} @ {self.at.label}" if self.at else labels[self.base]

    def explain(self, labels: Mapping[str, str] | None = None, names: Mapping[str, str] | None = None) -> str:
        """One line saying what the scenario changes.

        ``labels`` (period id → label) and ``names`` (counter id → name) name the
        base period and the closed counters for readers; without them the ids are used.

        >>> what = Scenario("what-if", "2018_2025", close=("ilford",))
        >>> what.explain(), what.explain({"2018_2025": "2018–25"}, {"ilford": "Ilford Police Station"})
        ('from 2018_2025; close ilford', 'from 2018–25; close Ilford Police Station')
        """
        labels, names = labels or {}, names or {}
        parts = [f"from {labels.get(self.base, self.base)}"]
        if self.close:
            parts.append(f"close {', '.join(names.get(c, c) for c in self.close)}")
        for c in self.open:
            parts.append(f"open {c.name} ({c.lat:.5f}, {c.lon:.5f}; {c.located_by}; {c.hours})")
        for cid, text in self.hours:
            parts.append(f"{names.get(cid, cid)} hours {text}")
        if self.at:
            parts.append(f"at {self.at.label}")
        return "; ".join(parts)


def period_scenario(period: str, at: Moment | None = None) -> Scenario:
    """Return the scenario that is simply a period as recorded (optionally at a moment).

    Examples
    --------
    >>> scenario = period_scenario("2018_2025")
    >>> scenario.name, scenario.base, scenario.close, scenario.at is None
    ('2018_2025', '2018_2025', (), True)
    """
    return Scenario(name=period, base=period, at=at)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _opened(name: str, *, lat: float | None = None, lon: float | None = None, postcode: str | None = None,
            hours: str = "24/7", counter_id: str | None = None) -> OpenedCounter:
    name = name.strip()
    if not name:
        raise ScenarioError("an opened counter needs a name, as in 'Gants Hill=51.5765,0.0661'")
    parse_hours(hours)
    if postcode is not None:
        lon, lat = lookup_postcode(postcode)
        located_by = f"postcode {postcode.upper()}"
    else:
        located_by = "lat/lon"
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ScenarioError(f"opened counter {name!r}: lat {lat!r}, lon {lon!r} is not a location; "
                                f"give latitude (−90…90) then longitude (−180…180)")
    return OpenedCounter(id=counter_id or _slug(name), name=name, lon=float(lon), lat=float(lat), hours=hours,
                         located_by=located_by)


def parse_opened(text: str) -> OpenedCounter:
    """Parse ``"Gants Hill=51.5765,0.0661"`` or ``"Gants Hill=IG2 6UD"``; ``@HOURS`` may follow.

    Examples
    --------
    >>> parse_opened("Gants Hill=51.5765,0.0661").id
    'gants-hill'
    >>> parse_opened("Gants Hill=51.5765,0.0661@Mo-Fr 09:00-17:00").hours
    'Mo-Fr 09:00-17:00'
    """
    name, sep, where = text.rpartition("=")  # the last "=": a name may hold one, a place never does
    if not sep:
        raise ScenarioError(f"opened counter {text!r} not understood; write NAME=LAT,LON or NAME=POSTCODE, "
                            f"e.g. 'Gants Hill=51.5765,0.0661'")
    where, _, hours = where.partition("@")
    hours = hours.strip() or "24/7"
    match = _LATLON_RE.match(where)
    if match:
        return _opened(name, lat=float(match.group(1)), lon=float(match.group(2)), hours=hours)
    if looks_like_postcode(where):
        return _opened(name, postcode=where.strip(), hours=hours)
    raise ScenarioError(f"opened counter {text!r}: {where.strip()!r} is neither LAT,LON nor a postcode; "
                        f"write e.g. 'Gants Hill=51.5765,0.0661' or 'Gants Hill=IG2 6UD'")


def scenario_from_spec(spec: ScenarioSpec) -> Scenario:
    """Return a scenario from a ``[scenarios.<name>]`` table of the study TOML."""
    opened = tuple(_opened(o.name, lat=o.lat, lon=o.lon, postcode=o.postcode, hours=o.hours, counter_id=o.id)
                   for o in spec.open)
    return Scenario(name=spec.name, base=spec.base, close=spec.close, open=opened, hours=spec.hours,
                    at=parse_moment(spec.at) if spec.at else None, description=spec.description)


def study_scenarios(study: Study) -> dict[str, Scenario]:
    """Return the study's own scenarios, by name.

    Examples
    --------
    >>> from access import load_study
    >>> list(study_scenarios(load_study("redbridge-2017")))
    ['barkingside-not-ilford', 'gants-hill', 'reduced-hours-saturday-night']
    """
    return {spec.name: scenario_from_spec(spec) for spec in study.config.scenarios}


def counter_id(value: str, ids: Sequence[str], counter_names: Sequence[str], *, where: str = "") -> str:
    """Return the id of the counter ``value`` names: its id or its name, without regard to case.

    >>> counter_id("Ilford", ["ilford", "barkingside"], ["Ilford", "Barkingside"])
    'ilford'

    Raises
    ------
    ScenarioError
        ``value`` names no counter (the message names the closest), or a name shared by two.
    """
    by_name: dict[str, list[str]] = {}
    for cid, name in zip(ids, counter_names, strict=True):
        by_name.setdefault(str(name), []).append(cid)
    aliases = {name: found[0] for name, found in by_name.items() if len(found) == 1}
    try:
        return choose(value, ids, "counter id", aliases=aliases, error=ScenarioError)
    except ScenarioError as exc:
        raise ScenarioError(f"{where}{exc}" if where else str(exc)) from None
