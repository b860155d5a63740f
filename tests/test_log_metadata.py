"""Item metadata mapped like a log: a headerless latin-1 ``|`` file (MovieLens' u.item shape) read
as it comes, its id, title and label columns found or chosen, its 0/1 genre flags read as one
multi-value label, the join counted; and the CLI loading the pair in one command."""

import pytest

from embedlab.core import DataError, ParameterError
from embedlab.core.labels import label_sets
from embedlab.core.logs import prepare, read_metadata
from embedlab.core.logs.options import MetadataOptions
from embedlab.core.matching import title_column
from tests.hardening_support import run_cli
from tests.paths import ROOT

ML = ROOT / "tests" / "data" / "movielens"
LOG, ITEMS, GENRES = ML / "ratings.data", ML / "items.item", ML / "genres.txt"
NAMED = {"columns": "user,item,rating,time"}
GENRE_NAMES = [line.split("|")[0] for line in GENRES.read_text().splitlines() if line]


def test_a_headerless_item_file_is_found_by_content_and_its_flags_become_one_label():
    inter = prepare(LOG, metadata=ITEMS, **NAMED)
    meta, report = inter.item_metadata, inter.report.metadata
    assert report["item_column"] == "column1" and report["title_column"] == "column2"
    flags = [f"column{k}" for k in range(6, 25)]
    assert report["flags"] == {"columns": flags, "label": "genres", "names": flags}
    assert (report["items_with_metadata"], report["items_without_metadata"]) == (60, 0)
    assert report["unmatched_metadata_ids"] == 0
    assert report["reading"]["header"] is False and report["reading"]["encoding"] == "cp1252"
    titles = dict(zip(inter.items, meta["title"]))
    assert titles["1"] == "Café 01 (1980)" and titles["6"] == "Über 06 (1985)"
    assert title_column(meta) == "title"
    first = ITEMS.read_bytes().decode("latin-1").splitlines()[0].split("|")  # item 1's own row
    on = [f"column{k + 6}" for k, flag in enumerate(first[5:]) if flag == "1"]
    assert dict(zip(inter.items, meta["genres"]))["1"] == "|".join(on)


def test_named_columns_name_the_flags_after_the_genres():
    names = "id,title,released,video,url," + ",".join(GENRE_NAMES)
    inter = prepare(LOG, metadata=ITEMS, metadata_columns=names, **NAMED)
    genres = dict(zip(inter.items, inter.item_metadata["genres"]))
    row = ITEMS.read_bytes().decode("latin-1").splitlines()[0].split("|")
    assert genres["1"] == "|".join(g for g, flag in zip(GENRE_NAMES, row[5:]) if flag == "1")
    assert genres["1"] == "Action|War"  # item 1: flags 2 and 18 of 19, read off its line by hand
    assert inter.report.metadata["item_column"] == "id"
    sets = label_sets(inter.item_metadata["genres"])
    assert all(len(s) == 2 for s in sets)  # each synthetic item has two genres


def test_the_flags_of_a_headerless_file_take_the_names_given_as_text_or_pasted_lines():
    row = ITEMS.read_bytes().decode("latin-1").splitlines()[0].split("|")
    expected = "|".join(g for g, flag in zip(GENRE_NAMES, row[5:]) if flag == "1")
    for given in (",".join(GENRE_NAMES), GENRES.read_text(), tuple(GENRE_NAMES)):
        inter = prepare(LOG, metadata=ITEMS, metadata_flag_names=given, **NAMED)
        assert dict(zip(inter.items, inter.item_metadata["genres"]))["1"] == expected
        assert inter.report.metadata["flags"]["names"] == GENRE_NAMES
    assert expected == "Action|War"  # item 1: flags 2 and 18 of 19, read off its line by hand


def test_names_for_the_flags_must_be_as_many_and_distinct():
    with pytest.raises(ParameterError, match="3 names were given for the 19 0/1 columns") as e:
        prepare(LOG, metadata=ITEMS, metadata_flag_names="a,b,c", **NAMED)
    assert e.value.options == ("metadata_flag_names",) and "give 19 names" in e.value.hint
    with pytest.raises(ParameterError, match="names of the 0/1 columns") as e:
        prepare(LOG, metadata=ITEMS, metadata_flag_names="a,a", **NAMED)
    with pytest.raises(ParameterError, match="no run of 3 or more 0/1 columns"):
        read_metadata(ROOT / "sample_data" / "items.csv", options=MetadataOptions(flag_names="a,b"))


def test_title_and_label_chosen_by_name_are_what_the_views_find(tmp_path):
    meta = tmp_path / "m.csv"
    meta.write_text("sku,name_en,kind\na,Apple,fruit\nb,Bread,bakery\nzz,Unknown,none\n")
    log = tmp_path / "l.csv"
    log.write_text("user_id,item_id\nu1,a\nu1,b\nu2,a\nu2,c\n")
    chosen = prepare(log, metadata=meta, metadata_title_col="name_en", metadata_label_col="kind")
    table = chosen.item_metadata
    assert list(table.columns) == ["title", "genres"] and title_column(table) == "title"
    assert dict(zip(chosen.items, table["title"])) == {"a": "Apple", "b": "Bread", "c": ""}
    report = chosen.report.metadata
    assert (report["title_column"], report["label_column"]) == ("name_en", "kind")
    assert (report["items_with_metadata"], report["items_without_metadata"]) == (2, 1)
    assert report["unmatched_metadata_ids"] == 1  # zz
    plain = prepare(log, metadata=meta)  # nothing chosen: a file with a header keeps its names
    assert list(plain.item_metadata.columns) == ["name_en", "kind"]
    with pytest.raises(DataError, match="no column 'nope' .given for the title") as err:
        prepare(log, metadata=meta, metadata_title_col="nope")
    assert err.value.options == ("metadata_title_col",)


def test_flags_can_be_kept_as_columns_and_a_file_without_ids_is_one_clear_error(tmp_path):
    kept = read_metadata(ITEMS, options=MetadataOptions(flags=False), item_ids=["1", "2"])
    assert kept.flags is None and "column24" in kept.table.columns
    junk = tmp_path / "junk.txt"
    junk.write_text("x|y\nx|y\n")
    with pytest.raises(DataError, match="item id") as err:
        read_metadata(junk, item_ids=["1"])
    assert "metadata_item_col" in err.value.options


def test_the_cli_loads_the_raw_pair_in_one_command_and_joins_titles(tmp_path):
    run = run_cli(
        "train", "--log", str(LOG), "--columns", "user,item,rating,time",
        "--metadata", str(ITEMS), "--method", "item2vec", "--out", str(tmp_path / "m"),
    )  # fmt: skip
    assert run.code == 0, run.stderr
    out = run.stdout.splitlines()
    assert out[0].endswith("read 1,467 rows, kept 1,467 (80 users, 60 items, 80 sessions)")
    assert "no header (" in out[1] and "columns named user, item, rating, time" in out[1]
    assert "  no row was dropped" in out
    assert "    60 items with metadata, 0 without; 0 metadata ids not in the log" in out
    near = run_cli("neighbours", "1", "--vectors", str(tmp_path / "m"), "--topn", "3")
    assert near.code == 0 and near.stdout.splitlines()[0] == "Café 01 (1980) · 1:"  # its title
    assert all("(19" in line for line in near.stdout.splitlines()[1:])  # neighbours carry theirs


def test_the_cli_names_the_flags_from_a_file_like_u_genre(tmp_path):
    run = run_cli(
        "train", "--log", str(LOG), "--columns", "user,item,rating,time", "--metadata",
        str(ITEMS), "--metadata-flag-names", f"@{GENRES}", "--method", "svd",
        "--param", "factors=8", "--out", str(tmp_path / "m"),
    )  # fmt: skip
    assert run.code == 0, run.stderr
    said = "    19 0/1 columns (column6 … column24) read as one label column 'genres', named "
    assert said + "unknown … Western" in run.stdout.splitlines()
    near = run_cli("neighbours", "1", "--vectors", str(tmp_path / "m"), "--topn", "3")
    assert near.code == 0 and "Action|War" in near.stdout
    missing = run_cli("train", "--log", str(LOG), "--metadata", str(ITEMS),
                      "--metadata-flag-names", f"@{tmp_path / 'none.txt'}", "--out",
                      str(tmp_path / "n"))  # fmt: skip
    assert (
        missing.code == 2
        and "cannot read" in missing.stderr
        and "Traceback" not in (missing.stderr)
    )


def test_the_cli_says_in_one_line_which_flags_fix_a_headerless_log(tmp_path):
    log = tmp_path / "notes.tsv"  # text before the ids: its roles are not guessed from the rows
    log.write_text("".join(f"a note {k}\t{k % 3}\t{k}\t881250949\n" for k in range(9)))
    run = run_cli("train", "--log", str(log), "--method", "svd", "--out", str(tmp_path / "o"))
    assert run.code == 2 and len(run.stderr.splitlines()) == 1
    assert "no header (its first row is data)" in run.stderr
    assert run.stderr.rstrip().endswith("(see --columns, --user-col)")
    assert "Traceback" not in run.stderr and "\\n" not in run.stderr


def test_an_item_file_given_as_a_log_is_a_table_not_baskets():
    """u.item has an empty column between filled ones (video date): not basket padding, so it is
    read as a '|' table (and the log's user column asked for), never split at commas in titles."""
    from embedlab.core.logs import open_detected

    path = ROOT / "tests" / "data" / "movielens" / "items.item"
    assert not open_detected(path, encoding="latin-1").baskets
    out = run_cli("train", "--log", str(path), "--method", "als", "--out", "never")
    assert out.code == 2 and "user id" in out.stderr and "--columns" in out.stderr
    assert open_detected(ROOT / "sample_data" / "baskets.csv").baskets  # padding still is
