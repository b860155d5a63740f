"""Turning numpy values and paths into plain JSON values: one converter for `--json` output and
the report.json files of both engines."""

from __future__ import annotations

from pathlib import Path


def to_json_value(value):
    """``json.dumps(default=to_json_value)``: numpy scalars and arrays, paths; anything else is a
    bug."""
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json_value_or_text(value):
    """For report files, where a value we cannot convert is still worth keeping as its text."""
    try:
        return to_json_value(value)
    except TypeError:
        return str(value)
