"""Inputs: studies, the data mirror, places, postcodes, counter sources, opening hours, GTFS (imports core)."""
