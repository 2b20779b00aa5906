"""Analysis: figures, the study and its result, groups, areas and time of day (imports routing and below)."""
