"""Inputs: study definitions, the data mirror, places, postcodes, counter sources and opening hours (imports core)."""
