"""One grid parser for every face: ``embedlab sweep --values`` and the Catalog page's Grid box read
the same text the same way and refuse a bad grid with the same one-line ParameterError."""

import pytest
from streamlit.testing.v1 import AppTest

from embedlab.core.cli import main
from embedlab.core.errors import ParameterError
from embedlab.core.experiments import parse_grid
from tests.paths import ROOT

BAD = "96, x"
MESSAGE = "grid '96, x' must be comma-separated numbers ('x' is not a number)"


def test_numbers_spaces_and_empty_entries():
    assert parse_grid("50,200,1000") == [50.0, 200.0, 1000.0]
    assert parse_grid(" 50 , 200,, 1e3 ,") == [50.0, 200.0, 1000.0]
    assert parse_grid("0.1,0.3,1") == [0.1, 0.3, 1.0]
    assert parse_grid("1000, 50") == [1000.0, 50.0]  # the order typed (the sweep sorts)
    assert parse_grid("") == [] and parse_grid(" , ") == []


@pytest.mark.parametrize(
    "text, entry", [(BAD, "x"), ("1,nan", "nan"), ("inf", "inf"), ("1;2", "1;2")]
)
def test_an_entry_that_is_not_a_finite_number_is_named(text, entry):
    with pytest.raises(ParameterError) as err:
        parse_grid(text)
    assert str(err.value) == (
        f"grid '{text}' must be comma-separated numbers ('{entry}' is not a number)"
    )


def test_the_cli_refuses_a_bad_grid_with_the_message_before_any_work(capsys, tmp_path):
    out = tmp_path / "rows.csv"
    code = main(
        ["sweep", "--log", str(tmp_path / "missing.csv"), "--values", BAD, "--out", str(out)]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2 and err == f"embedlab: error: {MESSAGE}"  # not the missing log: the grid first
    assert not out.exists()


def test_the_catalog_page_shows_the_same_message_and_keeps_the_rest_of_the_page():
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=300)
    at.run()
    at.switch_page("views/catalog.py").run()
    at.text_input(key="catalog.grid.items").set_value(BAD).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [e.value.replace("\\", "") for e in at.error]  # (Markdown-escaped on the page)
    assert shown == [MESSAGE]
    assert not any("Something went wrong" in s for s in shown)
    assert not any(b.label == "Run sweep" for b in at.button)  # nothing to run
    assert at.file_uploader(key="catalog.sweep_csv") is not None  # the other tab still drawn
