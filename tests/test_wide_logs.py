"""Logs are read in chunks bounded by bytes and fields, not by rows: a log of thousands of columns
is parsed a few hundred rows at a time, and, once its columns are mapped, for those columns only;
what is kept is the same as a whole-file parse; the Data page keeps a bounded preview."""

from __future__ import annotations

import numpy as np
import pandas as pd

from embedlab.core.logs import prepare
from embedlab.core.logs.columns import ColumnMap
from embedlab.core.logs.ingest import clean_log
from embedlab.core.logs.read import CHUNK_CELLS, CHUNK_ROWS, chunk_rows, open_log

COLUMNS = 3_000


def _wide(path, rows: int = 1_500):
    """A CSV of ``COLUMNS`` columns: user, item, rating, then filler; every 7th row ragged."""
    names = ["user", "item", "rating"] + [f"c{i}" for i in range(3, COLUMNS)]
    filler = ",".join(["0"] * (COLUMNS - 3))
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(names) + "\n")
        for i in range(rows):
            f.write(f"u{i % 40},i{i % 13},{1 + i % 5},{filler}\n")
    return path


def test_chunk_rows_follow_fields_and_bytes():
    assert chunk_rows(4, 30.0) == CHUNK_ROWS  # an ordinary log: as before
    assert chunk_rows(COLUMNS, 6_000.0) == CHUNK_CELLS // COLUMNS
    assert chunk_rows(2, 1_000_000.0) == 33  # 32 MB of 1 MB rows
    assert chunk_rows(10**9) == 16  # never fewer


def test_a_wide_log_is_parsed_in_small_chunks_of_the_mapped_columns(tmp_path):
    path = _wide(tmp_path / "wide.csv")
    log = open_log(path)
    assert log.first.shape[1] == COLUMNS and len(log.first) * COLUMNS <= CHUNK_CELLS
    seen = []
    for chunk in log.chunks(columns=["user", "item", "rating"]):
        seen.append(chunk.shape)
    assert {s[1] for s in seen} == {3} and sum(s[0] for s in seen) == 1_500


def test_what_a_wide_log_keeps_is_what_a_whole_parse_keeps(tmp_path):
    path = _wide(tmp_path / "wide.csv")
    inter = clean_log(open_log(path), ColumnMap("user", "item", weight="rating"), "wide")
    whole = pd.read_csv(path, usecols=["user", "item", "rating"], dtype=str)
    assert len(inter) == len(whole) == 1_500
    got = sorted(zip(inter.users[inter.user], inter.items[inter.item], inter.weight.tolist()))
    want = sorted(zip(whole.user, whole.item, whole.rating.astype(float)))
    assert got == want


def test_a_ragged_row_of_a_wide_log_is_still_counted(tmp_path):
    path = _wide(tmp_path / "wide.csv", rows=400)
    with open(path, "a", encoding="utf-8") as f:
        f.write("u1,i1,3," + ",".join(["0"] * (COLUMNS - 3)) + ",extra\n")
    inter = prepare(path, user_col="user", item_col="item", max_ragged=0.5)
    assert inter.report.rows_read == 401 and inter.report.rows_kept == 400


def test_the_data_page_keeps_a_bounded_preview_of_a_wide_log():
    from embedlab.dashboard.reading import PREVIEW_CELLS, preview_rows

    wide = pd.DataFrame(np.zeros((200, 10_000), dtype=np.int8))
    narrow = pd.DataFrame(np.zeros((1_000, 4), dtype=np.int8))
    assert preview_rows(wide).shape == (20, 10_000)  # 200,000 fields at most, 20 rows at least
    assert preview_rows(narrow).shape == (1_000, 4) and PREVIEW_CELLS == 200_000
