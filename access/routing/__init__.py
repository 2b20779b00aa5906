"""Routing: OpenStreetMap reading, street networks, the router and travel times (imports inputs and core)."""
