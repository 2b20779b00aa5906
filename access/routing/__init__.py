"""Routing: OSM reading, street networks, the router, travel times, public transport (imports inputs and core)."""
