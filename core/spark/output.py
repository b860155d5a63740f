"""Write a Spark training run in the same folder layout as the local engine."""

from __future__ import annotations

import json
import platform
from datetime import datetime, timezone
from pathlib import Path

from ..logs import LogReport
from ..jsonify import to_json_value_or_text

ITEMS_TEXT_LIMIT = 2_000_000  # items.txt is collected to the driver; skipped above this many items


def write(out: str | Path, items, users, report: LogReport, method: str, params: dict, seed: int,
          seconds: float, timings: dict, spark, force: bool = False) -> dict:
    """items.parquet/ and users.parquet/ (Parquet part files that core.io reads as one table),
    items.txt when the vocabulary fits the driver, and report.json."""
    from .. import io
    from ..io.atomic import atomic_folder
    with atomic_folder(Path(out), force) as tmp:
        return _write_into(tmp, items, users, report, method, params, seed, seconds, timings, spark, io)


def _write_into(out: Path, items, users, report, method, params, seed, seconds, timings, spark, io) -> dict:
    n_items = items.count()
    items.coalesce(1).write.mode("overwrite").parquet(str(out / "items.parquet"))
    files = ["items.parquet"]
    n_users = 0
    if users is not None:
        users.write.mode("overwrite").parquet(str(out / "users.parquet"))
        files.append("users.parquet")
        n_users = users.count()
    if n_items <= ITEMS_TEXT_LIMIT:
        io.save(io.load(out / "items.parquet"), out / "items.txt")
        files.append("items.txt")
    dim = len(items.select("vector").first()[0])
    result = {"method": method, "engine": "spark", "master": spark.sparkContext.master,
              "spark_version": spark.version, "params": params, "seed": seed, "seconds": round(seconds, 3),
              "items": int(n_items), "dim": dim, "users": int(n_users), "data": {},
              "log": report.to_dict(), "timings": timings,
              "provenance": {"source": f"{method} (spark) on {report.source}", "format": "trained",
                             "params": params, "seed": seed,
                             "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                             "versions": {"python": platform.python_version(), "spark": spark.version}},
              "files": files}
    (out / "report.json").write_text(json.dumps(result, indent=2, default=to_json_value_or_text), encoding="utf-8")
    return result
