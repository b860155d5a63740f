"""Experiments over logs: the catalog-size sweep."""

from .shrink import AXES, ITEM_MODES, default_values, parse_grid, shrink
from .sweep import SweepResult, driver, interval, reading, run_sweep, summarise

__all__ = [
    "AXES",
    "ITEM_MODES",
    "shrink",
    "default_values",
    "parse_grid",
    "run_sweep",
    "SweepResult",
    "summarise",
    "interval",
    "reading",
    "driver",
]
