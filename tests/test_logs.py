"""Ingestion: formats, column guessing, validation that counts what it drops, sessions, filters."""

import numpy as np
import pandas as pd
import pytest

from embedlab.core import DataError, FormatError, ParameterError, UnsafeFileError
from embedlab.core.logs import guess_columns, parse_duration, prepare, read_log, sessions
from tests.paths import BASKETS


def write(tmp_path, name, text, mode="w"):
    p = tmp_path / name
    if mode == "wb":
        p.write_bytes(text)
    else:
        p.write_text(text)
    return p


def test_csv_tsv_jsonl_parquet_read_the_same(tmp_path):
    df = pd.DataFrame(
        {
            "userId": ["u1", "u1", "u2", "u2"],
            "movieId": ["a", "b", "a", "c"],
            "timestamp": [1, 2, 3, 4],
            "rating": [5, 4, 3, 5],
        }
    )
    df.to_csv(tmp_path / "l.csv", index=False)
    df.to_csv(tmp_path / "l.tsv", index=False, sep="\t")
    df.to_csv(tmp_path / "semi.txt", index=False, sep=";")
    df.to_json(tmp_path / "l.jsonl", orient="records", lines=True)
    df.to_parquet(tmp_path / "l.parquet")
    for name in ["l.csv", "l.tsv", "semi.txt", "l.jsonl", "l.parquet"]:
        inter = prepare(tmp_path / name)
        assert inter.report.columns == {
            "user": "userId",
            "item": "movieId",
            "time": "timestamp",
            "weight": "rating",
            "session": None,
        }, name
        assert sorted(inter.items.tolist()) == ["a", "b", "c"] and len(inter) == 4


def test_basket_file_is_detected():
    inter = prepare(BASKETS)
    assert inter.baskets and inter.n_items == 98 and inter.n_users == 1500
    assert inter.report.rows_kept == 7543  # every non-empty field of the file
    assert inter.items[inter.item[0]] == "ASSORTED COLOUR BIRD ORNAMENT"


def test_guess_and_override():
    df = pd.DataFrame(
        {"customer_id": ["1"], "sku": ["x"], "event_time": ["2024-01-01"], "qty": ["2"]}
    )
    cols = guess_columns(df)
    assert (cols.user, cols.item, cols.time, cols.weight) == (
        "customer_id",
        "sku",
        "event_time",
        "qty",
    )
    assert guess_columns(df, item="qty").item == "qty"
    with pytest.raises(DataError, match="column 'nope'"):
        guess_columns(df, user="nope")
    with pytest.raises(DataError, match="which column is the user id"):
        guess_columns(pd.DataFrame({"a": [1], "sku": ["x"]}))


def test_an_optional_role_given_as_empty_is_off_and_not_guessed(tmp_path):
    """The dashboard's "(none)" and the CLI's --weight-col "": a quantity column beside the ids is
    not used as weights (it used to be guessed back in)."""
    df = pd.DataFrame(
        {"CustomerID": ["1"], "StockCode": ["x"], "InvoiceDate": ["2024-01-01"], "Quantity": ["-2"]}
    )
    cols = guess_columns(df, weight="", time="")
    assert (cols.user, cols.item, cols.time, cols.weight) == ("CustomerID", "StockCode", None, None)
    assert guess_columns(df).weight == "Quantity"
    log = write(
        tmp_path, "retail.csv", "CustomerID,StockCode,Quantity\nu1,a,-3\nu1,b,2\nu2,a,1\nu2,b,5\n"
    )
    inter = prepare(log, weight_col="")
    assert inter.report.columns["weight"] is None and inter.report.rows_kept == 4


def test_partial_garbage_is_dropped_and_counted(tmp_path):
    text = (
        "user_id,item_id,timestamp,rating\n"
        "u1,a,1700000000,5\n"
        ",b,1700000001,4\n"  # line 3: missing user
        "u1,c,not-a-time,4\n"  # line 4: bad timestamp
        "u1,d,1700000100,five\n"  # line 5: bad rating
        "u2,a,1700000000,3\n"
        "u2,b,1700000050,2\n"
    )
    inter = prepare(write(tmp_path, "l.csv", text))
    rep = inter.report
    assert rep.rows_read == 6 and rep.rows_kept == 3
    assert rep.dropped == {
        "missing user id": 1,
        "unparsable timestamp in 'timestamp'": 1,
        "unparsable weight in 'rating'": 1,
    }
    assert rep.sample_rows == {
        "missing user id": [3],
        "unparsable timestamp in 'timestamp'": [4],
        "unparsable weight in 'rating'": [5],
    }
    assert any("line" not in line and "rows 4" in line for line in rep.lines())


@pytest.mark.parametrize(
    "content,error,match",
    [
        ("", DataError, "empty"),
        ("user_id\nu1\nu1\n", FormatError, "only one column"),
        ("user,thing\nu1,a\nu1,b\n", DataError, "which column is the item id"),
        (b"\x00\x01\x02garbage\xff\xfe", FormatError, "not a text log"),
        (
            "user_id,item_id,timestamp\nu1,a,x\nu1,b,y\n",
            DataError,
            "no usable rows.*2 unparsable timestamp",
        ),
        ("user_id,item_id\nu1,a\nu1,a\n", DataError, "1 distinct item"),
        ("user_id,item_id\nu1,a\nu2,b\n", DataError, "no user .* two or more events"),
    ],
)
def test_malformed_logs_give_clear_errors(tmp_path, content, error, match):
    mode = "wb" if isinstance(content, bytes) else "w"
    path = write(tmp_path, "bad.csv", content, mode)
    with pytest.raises(error, match=match) as err:
        prepare(path)
    assert err.value.path == str(path) and str(path) in str(err.value)  # the message names the file


def test_pipe_delimiter_is_sniffed(tmp_path):
    assert prepare(write(tmp_path, "l.csv", "user_id|item_id\nu1|a\nu1|b\n")).n_items == 2


def test_bytes_not_in_the_chosen_encoding_name_the_line_and_auto_falls_back(tmp_path):
    path = write(tmp_path, "l.csv", b"user_id,item_id\nu1,a\nu1,\xff\xfe\n", "wb")
    with pytest.raises(FormatError, match="line 3") as err:
        prepare(path, encoding="utf-8")
    assert "0xFF is not valid utf-8" in str(err.value) and err.value.options == ("encoding",)
    inter = prepare(path)  # auto: not UTF-8, and cp1252 defines both bytes
    assert sorted(inter.items) == ["a", "ÿþ"]
    assert inter.report.reading["encoding"] == "cp1252"
    assert inter.report.reading["encoding_note"] == (
        "not UTF-8: byte 0xFF on line 3; cp1252 reads every byte"
    )


def test_timestamps_seconds_milliseconds_and_dates(tmp_path):
    base = pd.DataFrame({"user_id": ["u"] * 3, "item_id": ["a", "b", "c"]})
    for name, times, unit in [
        ("s", [1700000000, 1700000600, 1700010000], "epoch s"),
        ("ms", [1700000000000, 1700000600000, 1700010000000], "epoch ms"),
        (
            "d",
            ["2023-11-14 22:13:20", "2023-11-14 22:23:20", "2023-11-15 01:00:00"],
            "date strings",
        ),
    ]:
        base.assign(timestamp=times).to_csv(tmp_path / f"{name}.csv", index=False)
        inter = prepare(tmp_path / f"{name}.csv")
        assert inter.report.time_unit == unit
        # 10 minutes then ~2.6 h: two sessions with the default 30-minute gap
        assert inter.session.tolist() == [0, 0, 1], name


def test_sessions_follow_time_not_file_order(tmp_path):
    df = pd.DataFrame(
        {
            "user_id": ["u1", "u2", "u1", "u1", "u2"],
            "item_id": ["c", "x", "a", "b", "y"],
            "timestamp": [300, 10, 100, 200, 20],
        }
    )
    df.to_csv(tmp_path / "l.csv", index=False)
    inter = prepare(tmp_path / "l.csv")
    seqs = [inter.items[s].tolist() for s in sessions(inter)]
    assert seqs == [["a", "b", "c"], ["x", "y"]]
    short = prepare(tmp_path / "l.csv", session_gap="90s")
    assert [inter.items[s].tolist() for s in sessions(short)] == [["x", "y"]]


def test_session_column_wins(tmp_path):
    df = pd.DataFrame(
        {
            "user_id": ["u"] * 4,
            "item_id": list("abcd"),
            "session_id": ["s1", "s1", "s2", "s2"],
            "timestamp": [1, 2, 3, 4],
        }
    )
    df.to_csv(tmp_path / "l.csv", index=False)
    assert prepare(tmp_path / "l.csv").session.tolist() == [0, 0, 1, 1]


def test_filters_are_reported(tmp_path):
    df = pd.DataFrame(
        {
            "user_id": ["u1"] * 4 + ["u2"] * 3 + ["u3"],
            "item_id": list("aabb") + list("abc") + ["a"],
            "rating": [5, 4, 2, 5, 5, 5, 1, 5],
        }
    )
    df.to_csv(tmp_path / "l.csv", index=False)
    inter = prepare(tmp_path / "l.csv", min_weight=4, min_item_count=2, min_user_count=2)
    assert inter.report.filtered == {"rating below 4": 2, "users with fewer than 2 events": 1}
    assert sorted(inter.items.tolist()) == ["a", "b"] and inter.n_users == 2


def test_metadata_join(tmp_path):
    pd.DataFrame({"user_id": ["u", "u", "v", "v"], "movieId": ["1", "2", "2", "3"]}).to_csv(
        tmp_path / "l.csv", index=False
    )
    pd.DataFrame(
        {
            "movieId": ["1", "2", "2"],
            "title": ["A", "B", "B2"],
            "genres": ["Adventure|Comedy", "Drama", "x"],
        }
    ).to_csv(tmp_path / "m.csv", index=False)
    inter = prepare(tmp_path / "l.csv", metadata=tmp_path / "m.csv")
    meta = inter.item_metadata
    assert meta.title.tolist() == ["A", "B", ""]
    assert inter.report.metadata["items_without_metadata"] == 1
    assert inter.report.metadata["duplicate_metadata_rows_dropped"] == 1


def test_pickled_log_is_refused(tmp_path):
    import pickle

    p = tmp_path / "log.pkl"
    p.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(
        UnsafeFileError, match=r"refusing to open a '\.pkl' file: it is a Python pickle"
    ) as err:
        read_log(p)
    assert err.value.path == str(p) and str(p) in str(err.value)
    p.rename(tmp_path / "log.csv")  # a pickle by its bytes, whatever its name says
    with pytest.raises(UnsafeFileError, match="its bytes are a Python pickle"):
        read_log(tmp_path / "log.csv")


def test_parse_duration():
    assert [parse_duration(x) for x in ["30m", "2h", "90s", "1d", "45", 10]] == [
        1800,
        7200,
        90,
        86400,
        45,
        10,
    ]
    with pytest.raises(ParameterError):
        parse_duration("soon")


def test_million_rows_are_vectorised(tmp_path):
    rng = np.random.default_rng(0)
    n = 1_000_000
    df = pd.DataFrame(
        {
            "user_id": rng.integers(0, 50_000, n),
            "item_id": rng.integers(0, 5_000, n),
            "timestamp": rng.integers(1_600_000_000, 1_700_000_000, n),
        }
    )
    df.to_parquet(tmp_path / "big.parquet")
    inter = prepare(tmp_path / "big.parquet")
    assert len(inter) == n and np.all(np.diff(inter.user) >= 0)
    same_user = inter.user[1:] == inter.user[:-1]
    assert np.all(np.diff(inter.time)[same_user] >= 0)


def test_interactions_are_immutable_and_derived_logs_own_their_report():
    from dataclasses import FrozenInstanceError

    inter = prepare(BASKETS)
    before = inter.report.to_dict()
    with pytest.raises(FrozenInstanceError):
        inter.session = inter.session
    with pytest.raises(ValueError, match="read-only"):
        inter.item[0] = 1
    mask = inter.user < inter.n_users // 2
    sub = inter.select(mask, {"first half of the baskets": int((~mask).sum())})
    split = inter.keep_rows(mask)
    for derived in (sub, split):
        assert derived.report is not inter.report and derived.report.rows_kept == int(mask.sum())
    assert sub.report.users == sub.n_users < inter.n_users and sub.report.filtered == {
        "first half of the baskets": int((~mask).sum())
    }
    assert inter.report.to_dict() == before  # the shared log is untouched


def test_metadata_join_strips_ids_keeps_first_row_and_counts_the_rest(tmp_path):
    log = write(tmp_path, "l.csv", "user_id,item_id\nu1,a\nu1,b\nu2,b\nu2,c\n")
    meta = write(tmp_path, "m.csv", "item_id,genre\n a ,x\nb,y\nb,z\nzz,w\n")
    inter = prepare(log, metadata=meta)
    genres = dict(zip(inter.items, inter.item_metadata.genre))
    assert genres == {"a": "x", "b": "y", "c": ""}
    report = inter.report.metadata
    assert {k: report[k] for k in list(report)[:5]} == {
        "file": str(meta),
        "item_column": "item_id",
        "columns": ["genre"],
        "items_without_metadata": 1,
        "duplicate_metadata_rows_dropped": 1,
    }
    assert report["items_with_metadata"] == 2 and report["unmatched_metadata_ids"] == 1  # zz
    assert report["label_column"] == "genre" and report["title_column"] is None
