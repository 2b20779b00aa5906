"""The core: errors, settings, files (atomic writes, staged sets), modes, version; it imports nothing of access."""
