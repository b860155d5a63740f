"""Suspicious data is named: negative and huge weights, a time column mixing seconds and
milliseconds, and rows of another delimiter each get one warning line with their counts, in the
log's report (what the Data page shows) and on the CLI."""

from __future__ import annotations

from embedlab.core.logs import prepare
from tests.hardening_support import assert_contract, run_cli

ROWS = [
    "user,item,rating,time",
    "u1,i1,5,1600000000",
    "u1,i2,-3,1600000100",  # negative weight
    "u2,i1,1e300,1600000000000",  # huge weight; milliseconds
    "u2,i2,4,1600000200000",  # milliseconds
    "u3,i1,-1,1600000300",  # negative weight
    "u3;i2;4;1600000400",  # another delimiter: no item
    "u4;i1;4;1600000500",  # another delimiter: no item
    "u4,i2,3,1600000600",
]


def _log(tmp_path, rows=ROWS):
    path = tmp_path / "log.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_each_suspicion_is_one_warning_with_its_counts(tmp_path):
    report = prepare(_log(tmp_path), user_col="user", item_col="item").report
    weight, time, delimiters = report.warnings
    assert "2 negative (e.g. -3, -1)" in weight and "1 above 1e+09 (e.g. 1e+300)" in weight
    assert "4 values look like seconds and 2 like milliseconds" in time
    assert "2 rows without an item hold a ';'" in delimiters and "','-separated" in delimiters
    assert report.dropped == {"missing item id": 2}


def test_a_clean_log_has_no_warning(tmp_path):
    clean = ["user,item,rating,time", "u1,i1,5,1600000000", "u1,i2,3,1600000100"]
    clean += ["u2,i1,4,1600000200", "u2,i2,1,1600000300"]
    assert prepare(_log(tmp_path, clean), user_col="user", item_col="item").report.warnings == []


def test_the_cli_prints_the_warnings_one_line_each(tmp_path):
    run = run_cli(
        "train",
        "--log",
        str(_log(tmp_path)),
        "--method",
        "svd",
        "--param",
        "factors=1",
        "--out",
        str(tmp_path / "out"),
        cpu_seconds=60,
    )
    assert_contract(run)
    warnings = [line for line in run.stdout.splitlines() if line.strip().startswith("warning:")]
    assert len(warnings) == 3, run.stdout


def test_the_data_page_shows_the_warnings_with_the_report(tmp_path):
    from streamlit.testing.v1 import AppTest

    from tests.paths import ROOT

    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=180)
    at.run()
    at.switch_page("views/data.py").run()
    rows = ROWS[:5] + ROWS[7:] + [f"u{i},i{i % 2 + 1},3,{1600000000 + i}" for i in range(5, 40)]
    at.file_uploader(key="data.log_upload").upload("log.csv", "\n".join(rows).encode(), "text/csv")
    at.run()
    at.button[[b.label for b in at.button].index("Validate log")].click().run()
    assert not at.exception and any("ready to train" in s.value for s in at.success)
    shown = [w.value for w in at.warning]
    assert any("1 negative" in w for w in shown) and any("mixes units" in w for w in shown)


JUNK = ["user,item,rating,time", "1,10,5,1600000000", "1,11,3,1600000100", "2,10,4,1600000200"]
JUNK += ["2,11,2,1600000300", "0,10,5,1600000400", "0,12,0,1600000500", "3,null,4,1600000600"]
JUNK += ["3,10,1,1600000700"]


def test_zero_weights_and_placeholder_ids_are_named_with_counts_not_dropped(tmp_path):
    report = prepare(_log(tmp_path, JUNK), user_col="user", item_col="item").report
    assert report.rows_kept == len(JUNK) - 1 and not report.dropped  # named, not dropped
    zero, ids = report.warnings
    assert "weight column 'rating': 1 row of weight 0" in zero
    assert "user id '0' (2 rows)" in ids and "item id 'null' (1 row)" in ids


def test_zeros_as_the_usual_weight_are_not_named(tmp_path):
    rows = ["user,item,clicked", "u1,i1,0", "u1,i2,0", "u2,i1,1", "u2,i2,0"]
    report = prepare(_log(tmp_path, rows), user_col="user", weight_col="clicked").report
    assert report.columns["weight"] == "clicked" and report.warnings == []


def test_the_cli_names_junk_rows_under_no_row_dropped(tmp_path):
    run = run_cli(
        "train", "--log", str(_log(tmp_path, JUNK)), "--method", "svd", "--param", "factors=1",
        "--out", str(tmp_path / "out"), cpu_seconds=60,
    )  # fmt: skip
    assert_contract(run)
    lines = run.stdout.splitlines()
    assert any("no row was dropped" in line for line in lines), run.stdout
    assert any(
        line.strip().startswith("warning:") and "user id '0' (2 rows)" in line for line in lines
    ), run.stdout
