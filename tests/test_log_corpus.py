"""A corpus of odd-but-real delimited files (``tests/data/corpus/``), each with the report it must
give: columns, header or not, encoding, separator, rows read, kept and dropped by reason (with the
file lines of the dropped ones).  The expectations are written by hand from the files' bytes."""

from dataclasses import dataclass, field

import numpy as np
import pytest

from embedlab.core import DataError, FormatError, ParameterError
from embedlab.core.logs import prepare, read_log
from embedlab.core.logs.dialect import detect_header
from tests.paths import ROOT

CORPUS = ROOT / "tests" / "data" / "corpus"
NAMED = {"columns": "user,item,rating,time"}
WIDE3, WIDE4 = "more fields than the 3 columns", "more fields than the 4 columns"


@dataclass
class Case:
    file: str
    options: dict
    names: tuple
    header: bool
    encoding: str
    separator: str
    read: int
    kept: int
    dropped: dict = field(default_factory=dict)  # reason -> (count, first lines)
    decimal: str = "."
    items: tuple = ()  # the item ids (sorted), where the bytes make them worth checking
    weights: tuple = ()  # the weights in file order, where the decimal mark matters


CASES = [
    Case("bom.csv", {}, ("user_id", "item_id", "rating"), True, "utf-8", ",", 6, 6),
    Case("crlf.csv", {}, ("user_id", "item_id", "rating"), True, "utf-8", ",", 6, 6,
         weights=(5, 4, 3, 4, 2, 5)),
    Case("trailing.tsv", NAMED, ("user", "item", "rating", "time"), False, "utf-8", "\t", 8, 8),
    Case("quoted.csv", {}, ("user_id", "item_id", "comment"), True, "utf-8", ",", 5, 5),
    Case("semicolon.csv", {}, ("user_id", "item_id", "rating"), True, "utf-8", ";", 6, 6,
         decimal=",", weights=(4.5, 3.0, 2.5, 5.0, 1.5, 4.0)),
    Case("headerless.csv", NAMED, ("user", "item", "rating", "time"), False, "utf-8", ",", 6, 6,
         items=("242", "302", "377", "51")),
    Case("latin1.csv", {"item_col": "title"}, ("user_id", "item_id", "title"), True, "cp1252",
         ",", 4, 4, items=("Café Müller", "Déjà vu", "Straße")),
    Case("latin1_c1.csv", {"item_col": "title"}, ("user_id", "item_id", "title"), True,
         "latin-1", ",", 4, 4, items=("Café", "x\x90y")),
    Case("cp1252.csv", {"item_col": "title"}, ("user_id", "item_id", "title"), True, "cp1252",
         ",", 4, 4, items=("5 €", "“Heat”")),
    Case("ratings.dat", NAMED, ("user", "item", "rating", "time"), False, "utf-8", "::", 6, 6,
         items=("1193", "661", "914")),
    Case("ragged.csv", {}, ("user_id", "item_id", "rating"), True, "utf-8", ",", 30, 29,
         {WIDE3: (1, [11])}),
    Case("mixed.csv", {}, ("user_id", "item_id", "title", "rating"), True, "utf-8", ";", 6, 5,
         {WIDE4: (1, [7])}, decimal=",", weights=(4.5, 3.0, 5.0, 2.5, 3.5)),
    Case("space.txt", {}, ("user", "item", "rating"), True, "utf-8", " ", 4, 4),
    Case("pipe.txt", {}, ("userId", "movieId", "rating"), True, "utf-8", "|", 4, 4,
         weights=(2.5, 3.0, 4.0, 5.0)),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_each_odd_file_reads_as_its_bytes_say(case):
    inter = prepare(CORPUS / case.file, **case.options)
    report, reading = inter.report, inter.report.reading
    assert tuple(reading["names"]) == case.names
    assert (reading["header"], reading["encoding"], reading["separator"]) == (
        case.header,
        case.encoding,
        case.separator,
    )
    assert (report.rows_read, report.rows_kept, reading["decimal"]) == (
        case.read,
        case.kept,
        case.decimal,
    )
    assert report.dropped == {why: n for why, (n, _) in case.dropped.items()}
    assert report.sample_rows == {why: lines for why, (_, lines) in case.dropped.items()}
    assert report.rows_read == report.rows_kept + sum(report.dropped.values())
    if case.items:
        assert tuple(sorted(inter.items)) == case.items
    if case.weights:
        assert inter.weight[np.argsort(inter.rows, kind="stable")].tolist() == list(case.weights)


def test_the_report_says_how_the_file_was_read_in_one_line_without_escapes():
    report = prepare(CORPUS / "mixed.csv").report
    assert report.reading["described"] == (
        "semicolon-separated (sniffed) · header (its fields are not values like those below "
        "them) · utf-8 (with a byte-order mark) · decimal comma"
    )
    lines = report.lines()
    assert lines[1] == f"  read as {report.reading['described']}"
    assert lines[2] == f"  dropped 1 rows: {WIDE4} (e.g. rows 7)"
    assert "no row was dropped" not in "\n".join(lines)
    clean = prepare(CORPUS / "bom.csv").report.lines()
    assert clean[-1] == "  no row was dropped"
    encoded = prepare(CORPUS / "latin1_c1.csv", item_col="title").report.reading
    assert encoded["encoding_note"] == (
        "not UTF-8: byte 0xE9 on line 2, nor cp1252: byte 0x90 on line 3; latin-1 reads any"
    )


def test_a_data_row_is_never_taken_as_a_header():
    """MovieLens u.data's first row, and rows of ids of one length, are data; names are not."""
    udata = [["196", "242", "3", "881250949"], ["186", "302", "3", "891717742"]]
    assert detect_header(udata)[0] is False
    assert detect_header([["u0001", "i01"], ["u0002", "i02"], ["u0003", "i07"]])[0] is False
    assert (
        detect_header([["1", "Toy Story (1995)", "0", "1"], ["2", "Heat (1995)", "1", "0"]])[0]
        is False
    )
    assert detect_header([["user_id", "item_id"], ["u0002", "i02"]])[0] is True
    assert detect_header([["when", "who"], ["2024-01-02", "x"], ["2024-01-03", "y"]])[0] is True


def test_without_names_a_headerless_rating_log_has_its_roles_guessed_from_its_rows():
    report = prepare(CORPUS / "headerless.csv").report
    assert report.guessed == {
        "user": "column1", "item": "column2", "weight": "column3", "time": "column4"
    }  # fmt: skip
    assert report.rows_kept == 6  # the first row is data, kept as such


def test_without_names_a_headerless_log_that_cannot_be_guessed_says_to_name_its_columns(tmp_path):
    path = tmp_path / "headerless.csv"
    path.write_text("".join(f"{k},a note {k},3,881250949\n" for k in range(6)))
    with pytest.raises(DataError) as err:
        prepare(path)
    assert "no header" in str(err.value) and "column1, column2, column3, column4" in str(err.value)
    assert err.value.options[0] == "columns"


def test_a_header_can_be_forced_either_way():
    forced = read_log(CORPUS / "headerless.csv", header="yes")
    assert list(forced.columns) == ["196", "242", "3", "881250949"] and len(forced) == 5
    none = read_log(CORPUS / "bom.csv", header="no", columns="user,item")
    assert list(none.columns) == ["user", "item", "column3"] and none.iloc[0].tolist() == [
        "user_id",
        "item_id",
        "rating",
    ]


def test_too_many_ragged_rows_fail_with_the_share_and_lines(tmp_path):
    rows = [f"u{k % 4},i{k % 9},{k % 5}" + (",x,y" if k % 3 == 0 else "") for k in range(60)]
    path = tmp_path / "bad.csv"
    path.write_text("user_id,item_id,rating\n" + "\n".join(rows) + "\n")
    with pytest.raises(DataError) as err:
        prepare(path)
    text = str(err.value)
    assert (
        "20 of 60 rows (33%) have more fields than the 3 columns (e.g. lines 2, 5, 8, 11, 14)"
        in (text)
    )
    assert "1% of its rows" in text and "\\n" not in text and "tokeniz" not in text.lower()
    assert err.value.options == ("separator", "max_ragged")
    allowed = prepare(path, max_ragged=0.5)  # a larger share, chosen
    assert allowed.report.dropped == {WIDE3: 20} and allowed.report.rows_read == 60


def test_chosen_options_that_cannot_hold_are_one_clear_error(tmp_path):
    with pytest.raises(FormatError, match="line 2: byte 0xE9 is not valid utf-8"):
        prepare(CORPUS / "latin1.csv", encoding="utf-8", item_col="title")
    with pytest.raises(FormatError, match="5 column names given"):
        prepare(CORPUS / "pipe.txt", columns="a,b,c,d,e")
    with pytest.raises(ParameterError, match="must be distinct"):
        prepare(CORPUS / "pipe.txt", columns="a,a")
    with pytest.raises(ParameterError, match="nonsense"):
        prepare(CORPUS / "pipe.txt", encoding="nonsense")


def test_a_chosen_separator_of_any_character_is_used(tmp_path):
    path = tmp_path / "caret.txt"
    path.write_text("user_id^item_id\nu1^a\nu1^b\nu2^a\n")
    assert prepare(path, separator="^").report.reading["separator"] == "^"
    assert prepare(path).report.reading["separator"] == "^"  # sniffed as a last resort
    tabbed = prepare(CORPUS / "trailing.tsv", separator="tab", **NAMED)
    assert tabbed.report.reading["separator_note"] == "chosen"


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--sep", ""], "separator '' must be characters"),
        (["--encoding", "nonsense"], "nonsense"),
        (["--columns", "a,a"], "must be distinct"),
        (["--encoding", "utf-8"], "line 2: byte 0xE9 is not valid utf-8"),
        (["--columns", "a,b,c,d,e,f"], "6 column names given"),
    ],
)
def test_bad_reading_options_are_one_line_on_the_cli(tmp_path, args, needle):
    from tests.hardening_support import run_cli

    log = CORPUS / "latin1.csv"
    run = run_cli("train", "--log", str(log), *args, "--method", "svd", "--out", str(tmp_path))
    assert run.code == 2 and len(run.lines) == 1 and needle in run.stderr, run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(
    "content,error,needle",
    [
        (b",,,\n,,,\n", DataError, "no rows with a value"),
        (b"\xef\xbb\xbf\n\n", DataError, "the log is empty"),
        (b'user_id,item_id\nu1,"a\nu1,b\n', FormatError, "a quoted field is never closed"),
        (b"a\n", FormatError, "found only one column ('a') with the separator comma"),
    ],
)
def test_unreadable_text_is_one_typed_error(tmp_path, content, error, needle):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(error) as err:
        prepare(path)
    assert needle in str(err.value) and str(path) in str(err.value)
