"""jaminan: core system for Indonesian employment social security."""

__version__ = "0.1.0"
