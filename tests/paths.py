"""Data the tests read, found from this file rather than from the working directory."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_LOG = ROOT / "sample_data" / "interactions.csv"
SAMPLE_ITEMS = ROOT / "sample_data" / "items.csv"
BASKETS = (
    ROOT / "sample_data" / "baskets.csv"
)  # 1,500 real invoices, one basket per line (see its README)
ROWS = sum(1 for _ in open(SAMPLE_LOG, encoding="utf-8")) - 1  # events in the committed sample log
