"""Rebuild ``sample_data/baskets.csv``: a small real basket file for tests and examples.

A slice of the UCI Online Retail set (Chen, Sain & Guo 2012, CC BY 4.0): the first invoices
(in time order) of a UK gift shop, keeping only the 120 most sold descriptions and invoices with
2 to 12 of them; one basket per line, comma separated, padded with empty fields like the classic
groceries file.

    python scripts/make_basket_sample.py /path/to/online-retail.csv.gz sample_data/baskets.csv
"""

from __future__ import annotations

import csv
import sys

import pandas as pd

TOP_ITEMS, BASKETS, MIN_LEN, MAX_LEN = 120, 1500, 2, 12


def baskets(source: str) -> list[list[str]]:
    df = pd.read_csv(source, dtype=str)
    df = df[~df.InvoiceNo.str.startswith("C") & df.Description.notna()]
    df = df.assign(Description=df.Description.str.strip(), t=pd.to_datetime(df.InvoiceDate))
    top = df.Description.value_counts().index[:TOP_ITEMS]
    df = df[df.Description.isin(top)].sort_values(["t", "InvoiceNo"], kind="stable")
    out = []
    for _, g in df.groupby("InvoiceNo", sort=False):
        items = list(dict.fromkeys(g.Description))
        if MIN_LEN <= len(items) <= MAX_LEN:
            out.append(items)
        if len(out) == BASKETS:
            break
    return out


def main(source: str, target: str) -> None:
    rows = baskets(source)
    width = max(len(r) for r in rows)
    with open(target, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(r + [""] * (width - len(r)) for r in rows)


if __name__ == "__main__":
    main(*sys.argv[1:3])
