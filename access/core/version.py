"""The version of access."""

__version__ = "0.1.0"
