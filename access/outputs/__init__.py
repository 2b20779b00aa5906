"""Outputs: every file written (writers), maps, the report page, notes, formats, styles (imports whatif and below)."""
