"""A metadata file that matches no item of the log is named as a warning (report, CLI, Data
page), and a log validated twice with other options gets a name of its own in "Your sets"."""

from embedlab.core.cli.main import main
from embedlab.core.logs import prepare
from embedlab.core.runnames import distinct_name
from embedlab.dashboard.state import keys
from tests.test_dashboard import open_page

LOG = "user,item\n" + "".join(f"u{u},milk{(u + k) % 4}\n" for u in range(6) for k in range(3))
MOVIES = "movieId,title\n1,Toy Story\n2,Jumanji\n3,Heat\n"
MATCHING = "item,title\nmilk0,Whole milk\nmilk1,Skim milk\n"


def files(tmp_path, meta=MOVIES):
    log, items = tmp_path / "baskets.csv", tmp_path / "movies.csv"
    log.write_text(LOG)
    items.write_text(meta)
    return log, items


def test_a_join_that_matches_nothing_is_a_warning_in_the_report(tmp_path):
    log, items = files(tmp_path)
    lines = prepare(log, metadata=items).report.lines()
    warned = [line for line in lines if "warning:" in line]
    assert len(warned) == 1 and "movies.csv matched no item of the log" in warned[0]
    assert "none of its 3 ids in column 'movieId'" in warned[0]
    assert "check its item-id column or remove the file" in warned[0]


def test_a_join_that_matches_some_items_is_not_warned(tmp_path):
    log, items = files(tmp_path, MATCHING)
    report = prepare(log, metadata=items).report
    assert report.metadata["items_with_metadata"] == 2
    assert not any("warning" in line for line in report.lines())


def test_the_cli_warns_of_metadata_that_matched_nothing(tmp_path, capsys):
    log, items = files(tmp_path)
    out = tmp_path / "out"
    code = main(["train", "--log", str(log), "--metadata", str(items), "--method", "svd",
                 "--param", "factors=1", "--out", str(out)])  # fmt: skip
    said = capsys.readouterr()
    assert code == 0, said.err
    assert "warning: the metadata file movies.csv matched no item" in said.out + said.err


def validate(at):
    at.button[[b.label for b in at.button].index("Validate log")].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


def test_the_data_page_warns_when_the_metadata_matched_nothing(tmp_path):
    log, items = files(tmp_path)
    at = open_page("data")
    at.file_uploader(key="data.log_upload").upload("baskets.csv", log.read_bytes(), "text/csv")
    at.file_uploader(key="data.log_metadata").upload("movies.csv", items.read_bytes(), "text/csv")
    validate(at.run())
    said = [w.value.replace("\\", "") for w in at.warning]
    assert any("movies.csv matched no item of the log" in w for w in said), said


def test_a_log_validated_again_with_other_options_gets_a_name_of_its_own(tmp_path):
    log, _ = files(tmp_path)
    at = open_page("data")
    at.file_uploader(key="data.log_upload").upload("again.csv", log.read_bytes(), "text/csv")
    validate(at.run())
    first = at.session_state[keys.LATEST_LOG.key]
    at.number_input(key="data.log_min_count").set_value(2).run()
    validate(at)
    second = at.session_state[keys.LATEST_LOG.key]
    assert first != second
    names = [t.value for t in at.text_input if t.key and keys.DATA_NAME in t.key]
    assert names.count("again.csv") == 1 and names.count("again.csv (2)") == 1, names


def test_distinct_names_count_up_past_the_names_taken():
    assert distinct_name("a.csv", ["a.csv", "a.csv (2)", "b.csv"]) == "a.csv (3)"
