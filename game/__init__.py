"""Daylights: a terminal story engine and the story of The Living Daylights."""

__version__ = "0.1.0"
