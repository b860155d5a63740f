"""The one report both engines write next to their vectors (``report.json``)."""

from __future__ import annotations

import json
from pathlib import Path

from ..jsonify import to_json_value_or_text
from ..logs import LogReport
from .base import Trained


def training_report(
    trained: Trained,
    engine_info: dict,
    log: LogReport,
    timings: dict,
    files: list[str],
    evaluation: dict | None = None,
    tuning: dict | None = None,
) -> dict:
    """The report of one training run, in one key order for every engine.

    Parameters
    ----------
    trained : Trained
    engine_info : dict
        Engine fields placed after ``method`` (empty for the local engine).
    log : LogReport
    timings : dict
        Seconds per phase (``ingest_s``, ``train_s``, ``total_s``, ...).
    files : list of str
        Names of the files written (``report.json`` aside).
    evaluation : dict, optional
        The leave-last-out evaluation.
    tuning : dict, optional
        The tuning record: every trial, the chosen parameters, validation vs test.

    Returns
    -------
    dict
    """
    summary = trained.summary()
    report = {
        "method": summary.pop("method"),
        **engine_info,
        **summary,
        "log": log.to_dict(),
        "timings": timings,
        "provenance": trained.provenance.to_dict(),
        "files": files,
    }
    if evaluation is not None:
        report["evaluation"] = evaluation
    if tuning is not None:
        report["tuning"] = tuning
    return report


def write_report(out: str | Path, report: dict) -> Path:
    """Write ``report`` as ``out/report.json`` (indented UTF-8 JSON) and return the path."""
    path = Path(out) / "report.json"
    path.write_text(json.dumps(report, indent=2, default=to_json_value_or_text), encoding="utf-8")
    return path
