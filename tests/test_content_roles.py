"""A headerless log's roles guessed from its rows (user, item, weight, time), said in the report
and on the CLI, and overridable; files that do not fit are left as before."""

import pandas as pd
import pytest

from embedlab.core import DataError
from embedlab.core.cli.main import main
from embedlab.core.logs import guess_columns, prepare
from embedlab.core.logs.read import open_log

ROWS = [
    (user, item, 1 + (user + item) % 5, 881250949 + 60 * k)
    for k, (user, item) in enumerate(
        (u, i) for u in (196, 186, 22, 244) for i in (242, 302, 377, 51, 346) if (u + i) % 3
    )
]


def udata(tmp_path, rows=ROWS, name="u.data"):
    """A headerless tab-separated log shaped like MovieLens' u.data: user item rating time."""
    path = tmp_path / name
    path.write_text("".join("\t".join(map(str, r)) + "\n" for r in rows))
    return path


def test_a_headerless_rating_log_gets_all_four_roles_from_its_rows(tmp_path):
    inter = prepare(udata(tmp_path))
    cols = inter.report.columns
    assert (cols["user"], cols["item"], cols["weight"], cols["time"]) == (
        "column1", "column2", "column3", "column4"
    )  # fmt: skip
    assert inter.report.guessed == {
        "user": "column1", "item": "column2", "weight": "column3", "time": "column4"
    }  # fmt: skip
    assert len(inter) == len(ROWS) and inter.n_users == 4
    said = "\n".join(inter.report.lines())
    assert "guessed from content: user=column1, item=column2, weight=column3, time=column4" in said


def test_guessed_roles_give_way_to_the_roles_the_user_names(tmp_path):
    inter = prepare(udata(tmp_path), user_col="column2", item_col="column1", time_col="")
    cols = inter.report.columns
    assert (cols["user"], cols["item"], cols["time"]) == ("column2", "column1", None)
    assert cols["weight"] == "column3" and inter.report.guessed == {"weight": "column3"}


def test_named_columns_are_not_guessed(tmp_path):
    inter = prepare(udata(tmp_path), columns="user,item,rating,time")
    assert inter.report.columns["weight"] == "rating" and inter.report.guessed == {}
    assert not any("guessed" in line for line in inter.report.lines())


def test_dates_and_fractional_ratings_are_guessed_too():
    df = pd.DataFrame(
        [["u1", "i9", "4.5", "2024-05-01 10:00"], ["u2", "i3", "3.0", "2024-05-02 11:30"]],
        columns=["column1", "column2", "column3", "column4"],
    )
    df.attrs["header"] = False
    cols = guess_columns(df)
    assert (cols.user, cols.item, cols.weight, cols.time) == (
        "column1", "column2", "column3", "column4"
    )  # fmt: skip


def test_a_headerless_file_of_free_text_is_not_guessed(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("a long sentence\tmore words here\nanother line of text\tand more text\n")
    with pytest.raises(DataError, match="cannot tell which column"):
        prepare(path, format="tsv")


def test_the_first_data_row_is_never_taken_for_a_header(tmp_path):
    log = open_log(udata(tmp_path))
    assert log.frame().attrs["header"] is False
    assert list(log.first.iloc[0]) == list(map(str, ROWS[0]))


def test_a_file_with_a_header_keeps_name_guessing_only(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("userId,movieId,rating,timestamp\n1,2,3,881250949\n1,3,4,881250950\n")
    inter = prepare(path)
    assert inter.report.columns["item"] == "movieId" and inter.report.guessed == {}


def test_the_cli_says_which_roles_it_guessed(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["train", "--log", str(udata(tmp_path)), "--method", "svd", "--out", str(out),
                 "--param", "factors=2"])  # fmt: skip
    said = capsys.readouterr()
    assert code == 0, said.err
    assert (
        "guessed from content: user=column1, item=column2, weight=column3, time=column4"
        in said.out + said.err
    )
