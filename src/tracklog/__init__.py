"""Tracklog: learner-progress tracking that loses nothing."""

__version__ = "0.1.0"
