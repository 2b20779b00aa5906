"""Colours stay distinct where they are seen together: measured in CIEDE2000 (access.outputs.styles.delta_e)."""

import itertools

import pytest

from access.outputs.styles import (
    AFTER_COLOUR,
    BEFORE_COLOUR,
    CATCHMENT_COLOURS,
    CHANGE_COLOURS,
    COUNTER_STYLES,
    DISTINCT_IN_LEGEND,
    DISTINCT_OVER,
    EXPLORER_COUNTER_STYLES,
    ISOCHRONE_COLOURS,
    NO_DATA_COLOUR,
    TIME_COLOURS,
    delta_e,
)

LEGENDS = {
    "time (with no data)": [*TIME_COLOURS, NO_DATA_COLOUR],
    "change (with no data)": [*CHANGE_COLOURS, NO_DATA_COLOUR],
    "isochrones, before and after": [*ISOCHRONE_COLOURS["before"].values(), *ISOCHRONE_COLOURS["after"].values()],
    "catchments": list(CATCHMENT_COLOURS),
    "counters on the maps (fills)": [fill for fill, _line, _r, _label in COUNTER_STYLES.values()],
    "counters in the explorer (fills)": [fill for fill, _line, _label in EXPLORER_COUNTER_STYLES.values()],
    "report curves": [BEFORE_COLOUR, AFTER_COLOUR],
}


def test_delta_e_on_published_test_data():
    """Sharma, Wu and Dalal (2005), 'The CIEDE2000 color-difference formula', table 1: a few of its 34 pairs."""
    pairs = [((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
             ((50.0, -1.3802, -84.2814), (50.0, 0.0, -82.7485), 1.0000),
             ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
             ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
             ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
             ((90.8027, -2.0831, 1.4410), (91.1528, -1.6435, 0.0447), 1.4441)]
    for first, second, expected in pairs:
        assert delta_e(first, second) == pytest.approx(expected, abs=1e-4)
        assert delta_e(second, first) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("legend", list(LEGENDS))
def test_every_legend_entry_differs_from_every_other(legend):
    colours = LEGENDS[legend]
    closest = min(itertools.combinations(colours, 2), key=lambda pair: delta_e(*pair))
    assert delta_e(*closest) >= DISTINCT_IN_LEGEND, f"{legend}: {closest} are {delta_e(*closest):.1f} apart"


def test_isochrones_stay_distinct_over_the_base_maps():
    """The 15/30/45-minute areas are drawn over the time and change maps: no isochrone colour is near any of theirs."""
    isochrones = [*ISOCHRONE_COLOURS["before"].values(), *ISOCHRONE_COLOURS["after"].values()]
    for base in (TIME_COLOURS, CHANGE_COLOURS):
        closest = min(itertools.product(isochrones, base), key=lambda pair: delta_e(*pair))
        assert delta_e(*closest) >= DISTINCT_OVER, f"{closest} are {delta_e(*closest):.1f} apart"


def test_a_counter_open_by_assumption_is_not_drawn_like_one_with_known_hours():
    known, assumed = EXPLORER_COUNTER_STYLES["open"][0], EXPLORER_COUNTER_STYLES["assumed"][0]
    assert delta_e(known, assumed) >= 2 * DISTINCT_IN_LEGEND
