"""How a log is opened before anything is validated (core.logs.open_detected): the Data page's
preview and ``prepare`` read a file the same way, baskets included."""

from embedlab.core.logs import open_detected, prepare
from tests.paths import BASKETS, SAMPLE_LOG


def test_a_padded_file_without_known_columns_opens_as_baskets(tmp_path):
    path = tmp_path / "groceries.csv"
    path.write_text("milk,bread,,\nbeer,,,\ncoffee,milk,sugar,\n", encoding="utf-8")
    log = open_detected(path)
    assert log.baskets
    assert sorted(log.first["item"]) == ["beer", "bread", "coffee", "milk", "milk", "sugar"]
    assert prepare(path).baskets  # validating reads it the same way


def test_a_table_stays_a_table():
    log = open_detected(SAMPLE_LOG)
    assert not log.baskets and log.columns[:2] == ["user_id", "item_id"]


def test_a_format_or_a_named_column_keeps_the_file_a_table(tmp_path):
    assert open_detected(BASKETS).baskets
    assert not open_detected(BASKETS, "csv").baskets  # the user said csv
    named = open_detected(BASKETS, user_col="x")  # naming a column means: this is a table
    assert not named.baskets and len(named.columns) > 2
    assert open_detected(BASKETS, "baskets").baskets
