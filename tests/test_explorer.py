"""The what-if explorer page: its figures are the library's, in a real browser; it is safe, light and usable.

The page is driven in headless Chromium through its own entry point, ``window.accessExplorer``
(``set`` changes the reader's choices as the controls do, then returns what the page shows).  Every
figure it gives is checked against the library on the same board: every period and every named
scenario (against ``access.compare``'s summary and differences), and random sets of counters at random
moments of the week (against ``access.sweep``'s table and rank, and ``group_figures`` /
``change_figures``), for Redbridge (straight-line estimate, every counter kept: exact), the City of
London (the real street network, with origins too far from it excluded) and London-wide (each origin's
nearest counters kept: exact for the study's periods; the error of a reader's own sparse choice is
measured against the exact figures).  Tolerances: 0.01 minutes, 0.0001 in shares (and residents worse
or better off as a share of everyone).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import access
from access.analysis.figures import change_figures, group_figures, nearest_open
from access.analysis.timeofday import week_mask
from access.core.errors import OutputError
from access.inputs.hours import Moment, available
from access.outputs.explorer import DEFAULT_NEAREST, SHARE_THRESHOLDS_MIN, explorer_html
from access.whatif.board import build_board
from access.whatif.comparison import compare
from access.whatif.scenario import Scenario, period_scenario, study_scenarios
from access.whatif.sweep import sweep

from browser import Page, open_page

TOL_MIN = 0.01
TOL_SHARE = 1e-4
MINUTE_FIGURES = ("mean_min", "median_min", "p90_min")
SHARE_FIGURES = tuple(f"within_{t}" for t in SHARE_THRESHOLDS_MIN)


# --------------------------------------------------------------------------- helpers


def _write(folder: Path, board: access.Board, name: str = "explorer.html", **options) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(explorer_html(board, **options), encoding="utf-8")
    return path


@contextmanager
def _explorer(path: Path, width: int = 1280, height: int = 800) -> Iterator[Page]:
    with open_page(path, width, height, mobile=width < 500) as tab:
        tab.send("Runtime.enable")
        tab.evaluate("accessExplorer.ready.then(function () { return true; })")
        yield tab


def _set(tab: Page, changes: dict, areas: bool = False) -> dict:
    script = f"JSON.stringify(accessExplorer.set({json.dumps(changes)}, {{areas: {json.dumps(areas)}}}))"
    return json.loads(tab.evaluate(script))


def _moment(minute: int | None) -> Moment | None:
    return None if minute is None else Moment(minute // 1440, minute % 1440)


def _value(x) -> float:
    return math.nan if x is None else float(x)


def _agree(page: dict, library, what: str, population: float, minutes_tol: float = TOL_MIN) -> None:
    """Every figure of the page against the library's (NaN where nobody is counted)."""
    for key in MINUTE_FIGURES:
        expected, got = float(library[key]), _value(page[key])
        if math.isnan(expected):
            assert math.isnan(got), f"{what}: {key} is {got}, the library has none"
        else:
            assert abs(got - expected) <= minutes_tol, f"{what}: {key} {got} against the library's {expected}"
    for key in SHARE_FIGURES:
        expected, got = float(library[key]), _value(page[key])
        assert (math.isnan(expected) and math.isnan(got)) or abs(got - expected) <= TOL_SHARE, \
            f"{what}: {key} {got} against the library's {expected}"
    for key in ("population", "unreachable", "excluded"):
        assert abs(page[key] - float(library[key])) <= TOL_SHARE * population, \
            f"{what}: {key} {page[key]} against the library's {library[key]}"


def _people(page: float, library: float, what: str, population: float) -> None:
    assert abs(page - library) <= TOL_SHARE * population, f"{what}: {page} residents against the library's {library}"


class Library:
    """The library's answers on the board the page was built from."""

    def __init__(self, board: access.Board) -> None:
        self.board = board
        self.population = board.study.places.residents["population"].to_numpy(float)
        self.total = float(self.population.sum())
        self.scenarios = {s.name: s for s in study_scenarios(board.study).values()}
        self._sweep = None

    def preset(self, key: str) -> Scenario:
        kind, name = key.split(":", 1)
        return period_scenario(name) if kind == "period" else self.scenarios[name]

    def times(self, mode: str, hours: list[str], moment: Moment | None) -> np.ndarray:
        """Each origin's minutes to its nearest available counter at ``moment``, driving in that hour's traffic."""
        return nearest_open(self.board.minutes_at(mode, moment), available(hours, moment),
                            self.board.times[mode].excluded)[0]

    def retimed(self, mode: str, moment: Moment | None) -> bool:
        """Tell whether ``mode``'s times at ``moment`` differ from the free-flowing ones the sweep ranks by."""
        drive = self.board.times[mode].drive
        return drive is not None and drive.traffic(moment) != 1.0

    def figures(self, time: np.ndarray):
        return group_figures(time, self.population, thresholds=SHARE_THRESHOLDS_MIN).iloc[0]

    @property
    def swept(self) -> pd.DataFrame:
        if self._sweep is None:
            self._sweep = sweep(self.board, among=self.board.ids).table
        return self._sweep

    @property
    def swept_real(self) -> pd.DataFrame:
        """Every set of the study's own counters (no hypothetical site), as the page ranks a real set."""
        if getattr(self, "_sweep_real", None) is None:
            own = len(self.board.study.places.counters)
            self._sweep_real = sweep(self.board, among=self.board.ids[:own]).table
        return self._sweep_real


def _check_availability(reading: dict) -> list[str]:
    """Check that the page's availability of each counter is the library's rule applied to the hours it shows."""
    hours = [c["hours"] for c in reading["counters"]]
    expected = available(hours, _moment(reading["moment"])).tolist()
    assert [c["available"] for c in reading["counters"]] == expected, reading["counters"]
    return hours


def _check_preset(tab: Page, library: Library, mode: str, preset: str, reference: str,
                  moment: int | None) -> dict:
    """One period or named scenario against :func:`access.compare`: figures, changes, movers, LSOA and ward means."""
    reading = _set(tab, {"mode": mode, "preset": preset, "reference": reference, "moment": moment}, areas=True)
    assert reading["now"]["approximate"] == 0 and reading["reference_figures"]["approximate"] == 0
    _check_availability(reading)
    at = _moment(moment)
    scenario = library.preset(preset)
    scenario = Scenario(scenario.name, scenario.base, scenario.close, scenario.open, scenario.hours,
                        at if at is not None else scenario.at)
    base = library.preset(reference)
    base = Scenario(base.name, base.base, base.close, base.open, base.hours, at if at is not None else base.at)
    if base.label == scenario.label:
        base = Scenario(f"{base.name} (reference)", base.base, base.close, base.open, base.hours, base.at)
    comparison = compare(library.board, [base, scenario])
    what = f"{mode}, {preset} against {reference} at {moment}"
    summary = comparison.summary
    for key, label in (("now", scenario.label), ("reference_figures", base.label)):
        row = summary.loc[(label, mode)].copy()
        row["within_15"] = group_figures(comparison.origins[f"{mode}|{label}|min"], library.population,
                                         thresholds=(15,)).iloc[0]["within_15"]
        _agree(reading[key], row, f"{what} ({key})", library.total)
    differences = comparison.differences.loc[(scenario.label, mode)]
    _people(reading["worse"], differences["population_worse"], f"{what}: worse off", library.total)
    _people(reading["better"], differences["population_better"], f"{what}: better off", library.total)
    lsoas = comparison.by_lsoa(mode, scenario)
    page = pd.DataFrame(reading["lsoas"], index=["now", "reference"]).T.astype(float)
    joined = lsoas.join(page, how="inner")
    assert len(joined) == len(lsoas)
    for mine, theirs in (("now", "after_min"), ("reference", "before_min")):
        both = joined[[mine, theirs]].dropna()
        assert len(both) == joined[theirs].notna().sum(), f"{what}: LSOAs with a mean differ"
        assert (both[mine] - both[theirs]).abs().max() <= TOL_MIN, f"{what}: LSOA means"
    wards = group_figures(comparison.origins[f"{mode}|{scenario.label}|min"], library.population,
                          library.board.study.places.residents["ward_name"], thresholds=(), quantiles=False)
    for ward, row in wards.iterrows():
        if not math.isnan(row["mean_min"]):
            assert abs(_value(reading["wards"][ward][0]) - row["mean_min"]) <= TOL_MIN, f"{what}: ward {ward}"
    return reading


def _check_subset(reading: dict, library: Library, what: str) -> None:
    """Check a reader's own set of counters at a moment against the library.

    Against the sweep's row for that set when the study is small enough to sweep, else :func:`group_figures`;
    then the reference, and who is worse or better off.
    """
    mode = reading["mode"]
    hours = _check_availability(reading)
    mask = np.array([c["available"] for c in reading["counters"]])
    now = library.times(mode, hours, _moment(reading["moment"]))
    expected = library.figures(now)
    if reading["rank"] is not None:
        table = library.swept[library.swept["mode"] == mode].reset_index(drop=True)
        row = table.iloc[int(sum(1 << i for i, on in enumerate(mask) if on))].copy()
        assert row["subset"] == ("+".join(i for i, on in zip(library.board.ids, mask, strict=True) if on)
                                 or "(none)")
        for key in ("within_15", "population", "excluded"):
            row[key] = expected[key]
        if not library.retimed(mode, _moment(reading["moment"])):  # the sweep ranks free-flowing drives
            expected = row
        assert reading["rank"]["mean_min"] == pytest.approx(row["mean_min"]) or row["mean_min"] != row["mean_min"]
        own = len(library.board.study.places.counters)
        if mask.any() and not mask[own:].any() and own < len(mask):  # real counters only: ranked among real sets
            real = library.swept_real[library.swept_real["mode"] == mode].reset_index(drop=True)
            ranked = real.iloc[int(sum(1 << i for i, on in enumerate(mask[:own]) if on))]
            assert reading["rank"]["among"] == "real"
            assert reading["rank"]["rank"] == ranked["rank"] and ranked["mean_min"] == pytest.approx(row["mean_min"])
            assert reading["rank"]["of"] == math.comb(own, int(mask.sum()))
        elif mask.any():
            assert reading["rank"]["among"] == "all"
            assert reading["rank"]["rank"] == row["rank"]
            assert reading["rank"]["of"] == math.comb(len(mask), int(mask.sum()))
    _agree(reading["now"], expected, what, library.total)
    reference = library.preset(reading["reference"])
    before = library.times(mode, library.board.hours(reference), _moment(reading["reference_moment"]))
    _agree(reading["reference_figures"], library.figures(before), f"{what} (reference)", library.total)
    moves = change_figures(before, now, library.population, thresholds=(), quantiles=False).iloc[0]
    _people(reading["worse"], moves["worse"], f"{what}: worse off", library.total)
    _people(reading["better"], moves["better"], f"{what}: better off", library.total)


def _random_changes(rng: np.random.Generator, data: dict, p_on: float | None = None) -> dict:
    presets = [p["key"] for p in data["presets"]]
    p_on = rng.uniform(0.2, 0.9) if p_on is None else p_on
    return {"mode": str(rng.choice(list(data["modes"]))), "preset": str(rng.choice(presets)),
            "reference": str(rng.choice(presets)),
            "moment": None if rng.random() < 0.2 else int(rng.integers(0, 7 * 1440)),
            "on": {c["id"]: bool(rng.random() < p_on) for c in data["counters"]}}


def _data(tab: Page) -> dict:
    return json.loads(tab.evaluate("JSON.stringify(accessExplorer.data)"))


def _check_hours(tab: Page, data: dict) -> None:
    """Every hours text on the page is open at exactly the minutes the library says, and available as it says."""
    texts = [h["text"] for h in data["hours"]]
    masks = week_mask(texts)
    anytime = available(texts)
    for index, text in enumerate(texts):
        week = tab.evaluate(f"accessExplorer.week({index})")
        assert week == "".join("1" if m else "0" for m in masks[index]), f"hours {text!r}"
        assert data["hours"][index]["any"] == bool(anytime[index]), f"hours {text!r}"


# --------------------------------------------------------------------------- Redbridge


@pytest.fixture(scope="module")
def redbridge_page(redbridge, tmp_path_factory) -> tuple[Path, Library]:
    board = build_board(redbridge, list(study_scenarios(redbridge).values()), offline=True)
    return _write(tmp_path_factory.mktemp("explorer-redbridge"), board), Library(board)


@pytest.mark.browser
def test_redbridge_page_gives_the_library_figures(redbridge_page):
    path, library = redbridge_page
    rng = np.random.default_rng(2017)
    with _explorer(path) as tab:
        data = _data(tab)
        assert not data["approximate"] and all(m["complete"] for m in data["modes"].values())
        _check_hours(tab, data)
        periods = list(library.board.study.config.periods)
        for mode in data["modes"]:
            for index, period in enumerate(periods):  # every period, against the one before it in the list
                _check_preset(tab, library, mode, f"period:{period}", f"period:{periods[index - 1]}", None)
            for name, scenario in library.scenarios.items():  # every named scenario, against its base
                minute = scenario.at.week_minute if scenario.at else None
                _check_preset(tab, library, mode, f"scenario:{name}", f"period:{scenario.base}", minute)
        # a scenario as the reference, at a moment the reader picks
        _check_preset(tab, library, "walk", "period:2013_2017", "scenario:gants-hill", 5 * 1440 + 23 * 60 + 30)
        # driving at a moment: in that hour's traffic, as access.compare and 'access scenario --at' drive
        peak = _check_preset(tab, library, "drive", "period:2018_2025", "period:2013_2017", 1 * 1440 + 17 * 60 + 30)
        night = _check_preset(tab, library, "drive", "period:2018_2025", "period:2013_2017", 1 * 1440 + 3 * 60)
        assert peak["traffic"] == 0.6 and night["traffic"] == 1
        assert peak["now"]["mean_min"] > night["now"]["mean_min"] + 1
        caption = tab.evaluate('document.getElementById("x-caption").textContent')
        assert "Driving in the traffic of Tue 03:00: 100% of the free-flowing speed" in caption, caption
        for case in range(50):  # random sets of counters at random moments, against the sweep
            reading = _set(tab, _random_changes(rng, data))
            _check_subset(reading, library, f"random case {case}")


@pytest.mark.browser
def test_switching_one_counter_off_and_on_again(redbridge_page):
    """A switch changes the figures at once, as the library says, and switching back restores them."""
    path, library = redbridge_page
    with _explorer(path) as tab:
        start = _set(tab, {"mode": "walk", "preset": "period:2018_2025", "reference": "period:2018_2025",
                           "moment": None})
        assert start["worse"] == 0 and start["better"] == 0
        closed = json.loads(tab.evaluate('document.getElementById("x-c0").click(); '
                                         "JSON.stringify(accessExplorer.read())"))
        assert closed["counters"][0] == {"id": "ilford", "on": False, "hours": "off", "available": False}
        _check_subset(closed, library, "Ilford switched off by a click")
        assert closed["now"]["mean_min"] > start["now"]["mean_min"] and closed["worse"] > 0
        again = json.loads(tab.evaluate('document.getElementById("x-c0").click(); '
                                        "JSON.stringify(accessExplorer.read())"))
    assert again["now"] == start["now"] and again["counters"][0]["hours"] == "24/7"


def _crafted(rng: np.random.Generator, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """Return times in whole quanta (many ties, some exactly at each threshold, unreachable, excluded) and weights."""
    n = int(rng.integers(1, 60))
    quanta = rng.integers(0, 60 * resolution, n).astype(float)
    pick = rng.random(n)
    quanta[pick < 0.3] = rng.choice([t * resolution for t in SHARE_THRESHOLDS_MIN], (pick < 0.3).sum())
    ties = (pick >= 0.3) & (pick < 0.45)
    quanta[ties] = rng.choice(quanta[: max(1, n // 4)], ties.sum())
    quanta[(pick >= 0.45) & (pick < 0.52)] = np.inf
    quanta[(pick >= 0.52) & (pick < 0.57)] = np.nan
    kind = rng.integers(0, 4)  # equal weights (as in one LSOA) put cumulative weights exactly on q × total
    weights = (np.full(n, [1.0, 0.1, 53.322581][kind]) if kind < 3
               else rng.choice([1.0, 2.5, 53.322581, rng.uniform(0.1, 90)], n))
    return quanta, weights


@pytest.mark.browser
def test_the_page_rules_are_the_library_rules_on_crafted_times(redbridge_page):
    """Check the page's own functions against :func:`group_figures` and :func:`change_figures` on crafted times.

    300 random cases with ties, times exactly at 15, 30 and 45 minutes, unreachable and excluded origins.
    """
    path, _ = redbridge_page
    rng = np.random.default_rng(9)
    with _explorer(path) as tab:
        for case in range(300):
            resolution = int(rng.choice([1, 4, 128]))
            quanta, weights = _crafted(rng, resolution)
            other, _ = _crafted(rng, resolution)
            other = np.resize(other, quanta.size)
            groups = rng.integers(0, 4, quanta.size)
            args = json.dumps([quanta.tolist(), resolution, weights.tolist()], allow_nan=True)
            page = json.loads(tab.evaluate(f"JSON.stringify(accessExplorer.rules.figures(...{args}))"))
            time, before = quanta / resolution, other / resolution
            _agree(page, group_figures(time, weights, thresholds=SHARE_THRESHOLDS_MIN).iloc[0], f"case {case}",
                   float(weights.sum()), minutes_tol=1e-9)
            args = json.dumps([time.tolist(), before.tolist(), weights.tolist()], allow_nan=True)
            moves = json.loads(tab.evaluate(f"JSON.stringify(accessExplorer.rules.movers(...{args}))"))
            expected = change_figures(before, time, weights, thresholds=(), quantiles=False).iloc[0]
            assert moves["worse"] == pytest.approx(expected["worse"]) and \
                moves["better"] == pytest.approx(expected["better"]), f"case {case}"
            args = json.dumps([time.tolist(), groups.tolist(), 4, weights.tolist()], allow_nan=True)
            means = tab.evaluate(f"accessExplorer.rules.means(...{args})")
            by_group = group_figures(time, weights, groups, thresholds=(), quantiles=False)["mean_min"]
            for group in range(4):
                expected_mean = by_group.get(group, np.nan)
                if np.isnan(expected_mean):
                    assert means[group] is None, f"case {case}, group {group}"
                else:
                    assert means[group] == pytest.approx(expected_mean, abs=1e-9), f"case {case}, group {group}"


# --------------------------------------------------------------------------- the City, on the street network


@pytest.mark.browser
def test_city_page_on_the_street_network_gives_the_library_figures(city, city_walk_result, tmp_path):
    board = build_board(city, [], modes=["walk", "drive"])
    assert {t.model for t in board.times.values()} == {"street network"}
    assert board.times["walk"].excluded.any(), "the City has origins too far from the extract: they are excluded"
    library = Library(board)
    path = _write(tmp_path, board)
    rng = np.random.default_rng(14)
    with _explorer(path) as tab:
        data = _data(tab)
        assert "Street-network model" in data["modes"]["walk"]["note"]
        _check_hours(tab, data)
        for mode in data["modes"]:
            _check_preset(tab, library, mode, "period:bishopsgate_only", "period:both_open", None)
            _check_preset(tab, library, mode, "period:both_open", "period:bishopsgate_only", None)
        for case in range(50):
            reading = _set(tab, _random_changes(rng, data))
            assert reading["now"]["excluded"] > 0
            _check_subset(reading, library, f"City random case {case}")


@pytest.mark.browser
def test_a_study_of_ones_own_data_with_imported_times_gets_its_page(redbridge, tmp_path):
    """Check the page of a study built from frames, with a mode of imported times.

    Redbridge's residents and counters through Study.from_frames, and times imported from a table: the page
    names the model and the areas (1 km squares) as the maps do, and gives the library's figures.
    """
    places = redbridge.places
    periods = list(redbridge.config.periods)
    study = access.Study.from_frames("own-data", residents=places.residents[["origin", "population", "geometry"]],
                                     facilities=places.counters[["id", "name", *periods, "geometry"]],
                                     boundary=places.boundary, before="2013_2017", after="2018_2025",
                                     extra=periods[2:], origin_id="origin", modes="walk")
    table = redbridge.run(modes=["drive"], offline=True).travel_times("drive")
    study = study.import_times("transit", table, label="by bus", note="a table made elsewhere")
    result = study.run(offline=True)
    board = access.board_from_result(result)
    library = Library(board)
    path = _write(tmp_path, board)
    with _explorer(path) as tab:
        data = _data(tab)
        assert data["modes"]["transit"]["model"] == "imported travel times" and data["area_kind"] == "1 km square"
        assert "a table made elsewhere" in data["modes"]["transit"]["note"]
        for mode in ("walk", "transit"):
            _check_preset(tab, library, mode, "period:2018_2025", "period:2013_2017", None)
        reading = _set(tab, {"mode": "transit", "on": {"ilford": False}, "moment": 2 * 1440 + 20 * 60})
        _check_subset(reading, library, "imported times, Ilford off, Wed 20:00")
        tip = tab.evaluate("(function () { var a = accessExplorer.layers.lsoas[0]; "
                           "a.openTooltip(a.getBounds().getCenter()); "
                           "return a.getTooltip().getElement().textContent; })()")
    assert "(1 km square " in tip


# --------------------------------------------------------------------------- London-wide


@pytest.fixture(scope="module")
def london_board(london_2017):
    return build_board(london_2017, [], modes=["walk"], offline=True)


@pytest.mark.browser
def test_london_page_is_exact_for_its_periods_and_measures_its_approximation(london_board, tmp_path):
    library = Library(london_board)
    path = _write(tmp_path, london_board)
    rng = np.random.default_rng(73)
    errors = []
    with _explorer(path) as tab:
        data = _data(tab)
        assert data["approximate"] == ["walk"] and data["modes"]["walk"]["kept"] >= DEFAULT_NEAREST
        assert data["ranked"] is None
        _check_hours(tab, data)
        periods = list(london_board.study.config.periods)
        for index, period in enumerate(periods):
            _check_preset(tab, library, "walk", f"period:{period}", f"period:{periods[index - 1]}", None)
            for minute in (1 * 1440 + 12 * 60, 5 * 1440 + 23 * 60 + 30):  # the periods' timetables at a moment
                _check_preset(tab, library, "walk", f"period:{period}", f"period:{periods[index - 1]}", minute)
        for case in range(16):
            # half the cases as a reader might switch (about half the counters on), half very sparse, where an
            # origin's kept counters can all be off
            changes = _random_changes(rng, data, p_on=0.5 if case % 2 == 0 else 0.04)
            reading = _set(tab, changes)
            hours = _check_availability(reading)
            now = library.times("walk", hours, _moment(reading["moment"]))
            exact = library.figures(now)
            page = reading["now"]
            if page["approximate"] == 0 and reading["reference_figures"]["approximate"] == 0:
                _check_subset(reading, library, f"London case {case}")
                continue
            # some residents' times are known only between bounds: every figure lies in the range the page gives
            high = reading["now_high"]
            for key in MINUTE_FIGURES:
                assert _value(page[key]) - TOL_MIN <= float(exact[key]) <= _value(high[key]) + TOL_MIN, key
            for key in SHARE_FIGURES:
                assert _value(high[key]) - TOL_SHARE <= float(exact[key]) <= _value(page[key]) + TOL_SHARE, key
            errors.append({**{f"{key} range": abs(_value(high[key]) - _value(page[key]))
                              for key in (*MINUTE_FIGURES, *SHARE_FIGURES)},
                           **{f"{key} low error": abs(_value(page[key]) - float(exact[key]))
                              for key in (*MINUTE_FIGURES, *SHARE_FIGURES)},
                           "approximate_share": page["approximate"] / library.total})
    assert errors, "the sparse cases reach beyond some origins' kept counters"
    measured = pd.DataFrame(errors)
    print(f"\nLondon-wide explorer, {len(measured)} sparse cases beyond the kept counters; largest errors:\n"
          f"{measured.max().to_string()}")
    assert (measured["approximate_share"] > 0).all()


def test_london_page_with_every_mode_is_within_30_mb(london_2017, tmp_path):
    board = build_board(london_2017, [], offline=True)
    path = _write(tmp_path, board)
    size = path.stat().st_size
    assert size <= 30_000_000, f"the London-wide explorer is {size / 1e6:.1f} MB"
    assert "each origin keeps its 24 nearest counters" in path.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the file


def test_page_is_self_contained_and_labelled(redbridge_page):
    path, library = redbridge_page
    text = path.read_text(encoding="utf-8")
    assert path.stat().st_size <= 2_000_000
    assert not re.search(r"<script[^>]*\bsrc\s*=", text, re.IGNORECASE)
    assert not re.search(r"<link\b", text, re.IGNORECASE)
    assert not re.search(r"https?://(?!www\.w3\.org)", text.split("<script type=\"application/json\"")[1])
    assert "Leaflet 1.9.4" in text
    assert "STRAIGHT-LINE ESTIMATE" in text and "OpenStreetMap contributors" in text
    assert "Crown copyright" in text and "National Statistics" in text
    config = library.board.study.config
    for period in config.periods:
        assert config.label(period) in text
    assert "Gants Hill" in text


def test_same_board_gives_the_same_bytes(redbridge, tmp_path):
    board = build_board(redbridge, [], modes=["walk"], offline=True)
    assert explorer_html(board) == explorer_html(board)


def test_bad_nearest_is_refused(redbridge):
    board = build_board(redbridge, [], modes=["walk"], offline=True)
    for bad in (0, -3, 2.5, True):
        with pytest.raises(OutputError, match="nearest"):
            explorer_html(board, nearest=bad)


@pytest.mark.browser
def test_the_page_fetches_nothing(redbridge_page):
    path, _ = redbridge_page
    with open_page(path, 1280, 800) as tab:
        tab.send("Network.enable")
        tab.send("Page.reload")
        tab.wait_for_event("Page.loadEventFired")
        tab.evaluate("accessExplorer.ready.then(function () { return true; })")
        requested = [e["params"]["request"]["url"] for e in tab._events
                     if e.get("method") == "Network.requestWillBeSent"]
    assert requested and all(url.startswith(("file:", "data:", "blob:")) for url in requested), requested


# --------------------------------------------------------------------------- safe and usable

_HOSTILE = {
    "name": "<img src=x onerror=alert('name')>",
    "address": "</script><script>alert('address')</script>",
    "title": "<svg onload=alert('title')>",
    "label": "\"><img src=y onerror=alert('label')>",
    "scenario": "<script>alert('scenario')</script> & {{ 7*7 }}",
    "lsoa": "<img src=z onerror=alert('lsoa')>",
    "ward": "</b><img src=w onerror=alert('ward')>",
}
_HOOK = ("<script>window.__ran = []; window.alert = function (m) { window.__ran.push(String(m)); };"
         "window.addEventListener('error', function (e) { window.__ran.push('error: ' + e.message); });</script>")


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory) -> Path:
    """Return the Redbridge study's page with hostile names everywhere a name reaches it, as a reader opens it."""
    from access.inputs.config import load_config

    folder = tmp_path_factory.mktemp("hostile")
    base = load_config("redbridge-2017")
    text = base.source.read_text(encoding="utf-8").replace('"../counters/redbridge-2017.csv"', '"counters.csv"')
    text = text.replace(base.title, _HOSTILE["title"].replace('"', '\\"'))
    text = text.replace('2018_2025 = "2018–25: Ilford 24/7, Barkingside closed"',
                        f'2018_2025 = "{_HOSTILE["label"].replace(chr(34), chr(92) + chr(34))}"')
    text = text.replace('description = "A 24/7 counter at Gants Hill',
                        f'description = "{_HOSTILE["scenario"]} Gants Hill')
    (folder / "study.toml").write_text(text, encoding="utf-8")
    table = pd.read_csv(base.counters_table, dtype=str)
    table.loc[0, "name"], table.loc[1, "address"] = _HOSTILE["name"], _HOSTILE["address"]
    table.to_csv(folder / "counters.csv", index=False)
    study = access.load_study(folder / "study.toml")
    names = study.lsoa_names.copy()
    names.iloc[0, names.columns.get_loc("lsoa11_name")] = _HOSTILE["lsoa"]
    names.iloc[0, names.columns.get_loc("ward_name")] = _HOSTILE["ward"]
    study.__dict__["lsoa_names"] = names  # (the mirror's LSOA names are ONS's: a hostile one is put in here)
    board = build_board(study, list(study_scenarios(study).values()), modes=["walk"], offline=True)
    page = explorer_html(board)
    path = folder / "explorer.html"
    path.write_text(page.replace("<head>", "<head>" + _HOOK, 1), encoding="utf-8")
    return path


_OPEN_TIPS = r"""(function () {
  var api = window.accessExplorer, texts = [];
  api.layers.counters.forEach(function (m) { m.openTooltip(); texts.push(m.getTooltip().getElement().textContent); });
  var area = api.layers.lsoas[0];
  area.openTooltip(area.getBounds().getCenter());
  texts.push(area.getTooltip().getElement().textContent);
  return texts;
})()"""


@pytest.mark.browser
def test_hostile_names_show_as_text_and_never_run(hostile_page):
    with _explorer(hostile_page) as tab:
        tips = tab.evaluate(_OPEN_TIPS)
        page = json.loads(tab.evaluate("""JSON.stringify({ran: window.__ran, body: document.body.innerText,
          options: Array.prototype.map.call(document.querySelectorAll("option"), function (o) { return o.text; }),
          images: document.querySelectorAll("img").length, title: document.title,
          handlers: document.querySelectorAll("[onerror], [onload]").length})"""))
        scenario = "scenario:gants-hill"  # (its description is the hostile one)
        _set(tab, {"preset": scenario})
        described = tab.evaluate('document.getElementById("x-preset-note").textContent')
        reading = _set(tab, {"preset": "period:2018_2025", "on": {"ilford": False}})
    assert page["ran"] == [] and page["images"] == 0 and page["handlers"] == 0, page["ran"]
    assert _HOSTILE["title"] in page["body"] and _HOSTILE["title"] in page["title"]
    assert _HOSTILE["name"] in page["body"]  # the switch's label
    assert any(_HOSTILE["label"] in option for option in page["options"])
    assert _HOSTILE["scenario"] in described, "a scenario's description, beneath the list, as text"
    assert _HOSTILE["name"] in tips[0] and _HOSTILE["address"] in tips[1]
    assert _HOSTILE["lsoa"] in tips[-1] and _HOSTILE["ward"] in tips[-1]
    assert reading["counters"][0]["on"] is False and reading["now"]["mean_min"] is not None


_CONTROLS = r"""(function () {
  return Array.prototype.map.call(document.querySelectorAll("#x-panel input, #x-panel select, #x-panel button"),
    function (el) {
      var name = el.labels && el.labels.length ? Array.prototype.map.call(el.labels, function (l) {
        return l.textContent; }).join(" ")
        : (el.getAttribute("aria-label") || (el.tagName === "BUTTON" ? el.textContent : ""));
      return {id: el.id || el.name + ":" + el.value, name: name.trim(), tabindex: el.tabIndex, disabled: el.disabled};
    });
})()"""


def _key(tab: Page, key: str, code: str, keycode: int) -> None:
    for kind in ("rawKeyDown", "keyUp"):
        tab.send("Input.dispatchKeyEvent", {"type": kind, "key": key, "code": code, "windowsVirtualKeyCode": keycode})
    if key == " ":
        tab.send("Input.dispatchKeyEvent", {"type": "char", "text": " "})


@pytest.mark.browser
def test_every_control_has_a_label_and_works_from_the_keyboard(redbridge_page):
    path, library = redbridge_page
    with _explorer(path) as tab:
        controls = tab.evaluate(_CONTROLS)
        assert len(controls) >= 6 + len(library.board.ids)
        for control in controls:
            assert control["name"], f"{control['id']} has no label"
            assert control["tabindex"] >= 0, f"{control['id']} cannot be reached with Tab"
        # Tab from the top of the page reaches every enabled control, in order
        tab.evaluate("document.activeElement.blur(); document.body.focus(); 1")
        reached = []
        for _ in range(len(controls) + 8):
            _key(tab, "Tab", "Tab", 9)
            reached.append(tab.evaluate("document.activeElement.id || document.activeElement.name"))
        for control in controls:
            if not control["disabled"] and not control["id"].startswith("x-view:change"):
                assert control["id"].split(":")[0] in reached, f"Tab never reaches {control['id']}"
        start = _set(tab, {"mode": "walk", "preset": "period:2018_2025", "moment": None})
        # a switch, from the keyboard: focus it and press space
        tab.evaluate('document.getElementById("x-c0").focus(); 1')
        _key(tab, " ", "Space", 32)
        closed = json.loads(tab.evaluate("JSON.stringify(accessExplorer.read())"))
        assert closed["counters"][0]["on"] is False and closed["now"]["mean_min"] > start["now"]["mean_min"]
        # a list, from the keyboard: the mode, then the day of the week
        tab.evaluate('document.getElementById("x-mode").focus(); 1')
        _key(tab, "ArrowDown", "ArrowDown", 40)
        tab.evaluate('document.getElementById("x-day").focus(); 1')
        _key(tab, "ArrowDown", "ArrowDown", 40)
        moved = json.loads(tab.evaluate("JSON.stringify(accessExplorer.read())"))
    assert moved["mode"] == "cycle" and moved["moment"] == 12 * 60  # Monday, at the time shown (12:00)
    _check_subset(moved, library, "after keyboard changes")


_LAYOUT = r"""(function () {
  function box(el) { var r = el.getBoundingClientRect(); return {left: r.left, top: r.top, right: r.right,
                                                                 bottom: r.bottom}; }
  var map = accessExplorer.map, outline = null;
  map.eachLayer(function (l) { if (l.options && l.options.pane === "x-lines" && l.getBounds && !outline &&
                                   l.options.style && l.options.style.dashArray) { outline = l; } });
  var b = outline.getBounds(), origin = map.getContainer().getBoundingClientRect();
  var nw = map.latLngToContainerPoint(b.getNorthWest()), se = map.latLngToContainerPoint(b.getSouthEast());
  var clipped = Array.prototype.filter.call(document.querySelectorAll("#x-panel select, #x-panel input, #x-table"),
    function (el) { var r = el.getBoundingClientRect(); return r.width > 0 && r.right > window.innerWidth + 0.5; });
  return {width: window.innerWidth, height: window.innerHeight, scrollWidth: document.documentElement.scrollWidth,
          scrollHeight: document.documentElement.scrollHeight, map: box(map.getContainer()),
          panel: box(document.getElementById("x-panel")), summary: box(document.getElementById("x-summary")),
          area: {left: nw.x + origin.left, top: nw.y + origin.top, right: se.x + origin.left,
                 bottom: se.y + origin.top},
          clipped: clipped.map(function (el) { return el.id; }),
          fontSize: parseFloat(getComputedStyle(document.querySelector("#x-table td")).fontSize)};
})()"""


@pytest.mark.browser
@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_the_layout_works_on_a_laptop_and_a_phone(redbridge_page, width, height, tmp_path):
    path, _ = redbridge_page
    with _explorer(path, width, height) as tab:
        view = tab.evaluate(_LAYOUT)
        shot = tab.send("Page.captureScreenshot", {"format": "png"})
    assert view["scrollWidth"] <= width and view["scrollHeight"] <= height, "the page itself never scrolls"
    assert not view["clipped"], f"controls cut off at the right: {view['clipped']}"
    mapped, panel, area = view["map"], view["panel"], view["area"]
    assert mapped["right"] - mapped["left"] > 0.5 * width or mapped["bottom"] - mapped["top"] > 0.3 * height
    # the map and the panel share the window without covering each other, and the study area is on the map
    assert mapped["right"] <= panel["left"] + 0.5 or mapped["left"] >= panel["right"] - 0.5 or \
        mapped["bottom"] <= panel["top"] + 0.5
    assert area["left"] >= mapped["left"] - 1 and area["right"] <= mapped["right"] + 1
    assert area["top"] >= mapped["top"] - 1 and area["bottom"] <= mapped["bottom"] + 1
    assert view["fontSize"] >= 12
    if width < 700:
        assert mapped["bottom"] <= panel["top"] + 0.5, "on a phone the map is above the panel"
    (tmp_path / f"explorer-{width}x{height}.png").write_bytes(__import__("base64").b64decode(shot["data"]))


# --------------------------------------------------------------------------- public transport


@pytest.mark.browser
def test_a_transit_page_gives_the_library_figures_and_names_the_timetable(cairns_transit_result, tmp_path):
    """Check the SYNTHETIC Cairns study's page by public transport: the library's figures, and the timetable named.

    It says which feed, date and window made its minutes.
    """
    board = access.board_from_result(cairns_transit_result)
    library = Library(board)
    path = _write(tmp_path, board)
    with _explorer(path) as tab:
        data = _data(tab)
        model = "public transport (GTFS: cairns_gtfs.zip, Tue 2014-06-10, 08:00–09:00, median)"
        assert data["modes"]["transit"]["model"] == model and data["modes"]["transit"]["estimate"]
        assert "STRAIGHT-LINE ESTIMATE" in data["modes"]["transit"]["note"] and "State of Queensland" in \
            data["attribution"]
        for mode in ("walk", "transit"):
            _check_preset(tab, library, mode, "period:after", "period:before", None)
        reading = _set(tab, {"mode": "transit", "on": {"central": False}, "moment": 1 * 1440 + 10 * 60})
        _check_subset(reading, library, "transit, Cairns Central off, Tue 10:00")
        caption = tab.evaluate("document.getElementById('x-caption').textContent")
    assert "by public transport" in caption and model in caption


@pytest.mark.browser
def test_the_real_decision_is_ranked_among_real_counters_only(redbridge_page):
    """Redbridge's 2018–25 set ranks among the 210 sets of six of its ten real counters, not with Gants Hill."""
    path, library = redbridge_page
    real = library.swept_real
    expected = real[(real["mode"] == "walk") & (real["subset"] == "+".join(
        i for i, on in zip(library.board.ids, library.board.available(period_scenario("2018_2025")), strict=True)
        if on))].iloc[0]
    with _explorer(path) as tab:
        now = _set(tab, {"mode": "walk", "preset": "period:2018_2025", "moment": None})
        text = tab.evaluate('document.getElementById("x-rank").textContent')
        gants = _set(tab, {"preset": "scenario:gants-hill"})
    assert now["rank"]["among"] == "real" and now["rank"]["of"] == 210 == math.comb(10, 6)
    assert now["rank"]["rank"] == expected["rank"] == 177
    assert "real counters; hypothetical sites are ranked separately" in text
    assert gants["rank"]["among"] == "all" and gants["rank"]["of"] == math.comb(11, 7)


@pytest.mark.browser
def test_a_counter_open_only_by_assumption_is_drawn_apart_and_named(redbridge_page):
    """Saturday 23:30 from 2026: only Stratford, whose hours are not known, counts as open; the page says so."""
    from access.outputs.styles import EXPLORER_COUNTER_STYLES

    path, _library = redbridge_page
    with _explorer(path) as tab:
        reading = _set(tab, {"mode": "walk", "preset": "scenario:reduced-hours-saturday-night"})
        note = tab.evaluate('(() => { const e = document.getElementById("x-open"); '
                            'return [e.textContent, e.classList.contains("x-warn")]; })()')
        fills = tab.evaluate("accessExplorer.layers.counters.map(m => m.options.fillColor)")
    open_now = [c for c in reading["counters"] if c["available"]]
    assert [c["id"] for c in open_now] == ["stratford"] and open_now[0]["hours"] == "unknown"
    assert note[1] and "open only by assumption" in note[0] and "Stratford" in note[0]
    ids = [c["id"] for c in reading["counters"]]
    assert fills[ids.index("stratford")] == EXPLORER_COUNTER_STYLES["assumed"][0]
    assert EXPLORER_COUNTER_STYLES["open"][0] not in fills, "no counter has known hours open at this moment"


_FIRST_SCREEN = r"""(function () {
  var legend = document.getElementById("x-legend").getBoundingClientRect();
  var probe = document.createElement("span");
  document.body.appendChild(probe);
  var cut = Array.prototype.filter.call(document.querySelectorAll("#x-panel select"), function (select) {
    var style = getComputedStyle(select);
    probe.style.font = style.font;
    probe.style.whiteSpace = "pre";
    probe.textContent = select.options[select.selectedIndex].text;
    var room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;  // the arrow
    return probe.getBoundingClientRect().width > room;
  }).map(function (select) { return select.id + ": " + select.options[select.selectedIndex].text; });
  return {legend: [legend.top, legend.bottom], height: innerHeight, cut: cut};
})()"""


@pytest.mark.browser
@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)], ids=["laptop", "phone"])
def test_the_legend_is_in_the_first_screen_and_every_choice_shows_whole(redbridge_page, width, height):
    path, _library = redbridge_page
    with _explorer(path, width, height) as tab:
        for preset in ("period:2018_2025", "period:2013_2017", "scenario:barkingside-not-ilford"):
            _set(tab, {"preset": preset, "reference": "period:from_2026"})
            found = tab.evaluate(_FIRST_SCREEN)
            assert found["legend"][1] <= found["height"], f"the legend ends at {found['legend'][1]} px"
            assert not found["cut"], f"choices cut short: {found['cut']}"
