"""Write a training result as a folder every vector-accepting place can open.

``items.parquet`` (vectors + item metadata), ``items.txt`` (word2vec text for other tools),
``users.parquet`` (MF user vectors, same space) and ``report.json`` (parameters, data summary,
dropped rows by reason, timings).
"""

from __future__ import annotations

import json
from pathlib import Path

from .. import io
from ..io.atomic import atomic_folder
from ..jsonify import to_json_value_or_text
from ..logs import Interactions
from .base import TrainResult


def write_result(result: TrainResult, inter: Interactions, out: str | Path, timings: dict | None = None,
                 evaluation: dict | None = None, tuning: dict | None = None, force: bool = False) -> dict:
    """Write the folder whole: a new sibling folder swapped in, so it is complete or absent."""
    with atomic_folder(Path(out), force) as tmp:
        files = io.save(result.items, tmp / "items.parquet") + io.save(result.items, tmp / "items.txt")
        if result.users is not None:
            files += io.save(result.users, tmp / "users.parquet")
        report = {**result.report(), "log": inter.report.to_dict(), "timings": timings or {},
                  "provenance": result.items.provenance.to_dict(), "files": [p.name for p in files]}
        if evaluation is not None:
            report["evaluation"] = evaluation
        if tuning is not None:  # every trial, the chosen parameters, validation vs test
            report["tuning"] = tuning
        (tmp / "report.json").write_text(json.dumps(report, indent=2, default=to_json_value_or_text),
                                         encoding="utf-8")
    return report
