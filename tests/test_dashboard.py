"""Every dashboard page through Streamlit's AppTest: it runs, widgets change outputs, bad input
shows an error element (never an exception)."""

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from embedlab.dashboard.state import keys
from tests.jobs_support import finish_jobs, stored_results
from tests.paths import ROOT, SAMPLE_LOG

APP = str(ROOT / "dashboard" / "app.py")
# each page and the heading it opens with (a page that failed to switch would show another)
PAGES = {
    "home": "embedlab",
    "map": "Map",
    "neighbours": "Nearest neighbours",
    "arithmetic": "Vector arithmetic",
    "data": "Data",
    "train": "Train",
    "compare": "Compare",
    "recommend": "Recommend",
    "catalog": "Catalog size",
    "lookup": "Lookup = one-hot × matrix",
}


def open_page(page: str, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update(params)
    at.run()
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def workspace(user_folders):
    """The dashboard's workspace: the session's temporary one (conftest sets it before the app is
    first imported, so the server-wide workspace the app opens once is this one too)."""
    return user_folders.workspace


def baskets_csv(n: int = 300) -> bytes:
    """One basket per line, comma separated and padded with empty fields, like groceries.csv."""
    import random

    rng = random.Random(0)
    items = [
        "whole milk",
        "rolls/buns",
        "yogurt",
        "soda",
        "tropical fruit",
        "bottled water",
        "citrus fruit",
        "pastry",
        "sausage",
        "root vegetables",
        "other vegetables",
        "coffee",
    ]
    lines = [rng.sample(items, rng.randint(1, 5)) for _ in range(n)]
    return "\n".join(",".join(b + [""] * (5 - len(b))) for b in lines).encode()


def picker(at: AppTest, label: str):
    """The select box labelled ``label`` (the Data page keys its column pickers by the columns
    they choose among, so a file's new columns get fresh pickers)."""
    return next(s for s in at.selectbox if s.label == label)


def frame_keys(at) -> list[str]:
    """Keys of the first result table (answers, neighbours)."""
    return frame_keys_of(at, 0)


def download_labels(at) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def frame_keys_of(at, index: int) -> list[str]:
    return at.dataframe[index].value["key"].tolist()


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_builtin_data(page):
    at = open_page(page)
    assert not at.error, [e.value for e in at.error]
    assert [h.value for h in [*at.title, *at.header]][:1] == [PAGES[page]]


def test_arithmetic_from_url_and_widget():
    at = open_page("arithmetic", q="madrid - spain + france")
    assert frame_keys(at)[0] == "paris"
    at.text_input(key="arithmetic.expr").set_value("king - man + woman").run()
    assert frame_keys(at)[0] == "queen"
    assert (
        at.query_params["q"] == ["king - man + woman"]
        or at.query_params["q"] == "king - man + woman"
    )


def test_arithmetic_unknown_word_is_a_friendly_error():
    at = open_page("arithmetic", q="madrd - spain + france")
    assert not at.exception and at.error
    assert "madrid" in at.error[0].value  # the suggestion


def test_neighbours_follow_the_query():
    at = open_page("neighbours", q="frog", k="5")
    keys = frame_keys(at)
    assert len(keys) == 5 and "toad" in keys
    assert at.get("plotly_chart")


def test_map_sampling_is_stated_and_regex_errors_are_shown():
    at = open_page("map", pts="2000")
    assert any("first 2,000 of 400,000 keys" in c.value for c in at.caption)
    at = open_page("map", q="[unclosed", re="1")
    assert at.error and "not a valid regular expression" in at.error[0].value


def test_the_point_count_of_one_set_does_not_follow_to_the_next():
    at = open_page("map", ds="sample:als")  # 1,000 items: all of them by default
    assert at.number_input(key="map.points").value == 1000
    at.selectbox(key="sidebar.set.sample:als").set_value("glove-6b-50d").run()
    assert at.number_input(key="map.points").value != 1000  # GloVe's own default
    assert not any("first 1,000 of 400,000" in c.value for c in at.caption)


def test_lookup_identity_holds():
    at = open_page("lookup", keys="king,queen")
    assert at.success and "equals W[ids]" in at.success[0].value


def test_lookup_says_how_many_dimensions_its_tables_show_and_shows_them_full_width():
    import re

    at = open_page("lookup", ds="sample:als", keys="i0001,i0002,i0003")  # titled, 128 dims
    said = re.search(r"in all (\d+) dimensions \(first (\d+) shown\)", at.success[0].value)
    assert said and said.groups() == ("128", "8")  # ALS's default factors
    product, looked_up = at.dataframe[1].value, at.dataframe[2].value
    assert product.shape == looked_up.shape == (3, 8)  # the number the caption says
    # not squeezed into half-width columns, where long titles left 4 or 5 of the 8 in view
    assert not any(col.dataframe for col in at.columns)


def test_a_new_file_is_not_told_it_changed_since_validation():
    at = open_page("data")
    at.file_uploader(key="data.log_upload").upload("log.csv", SAMPLE_LOG.read_bytes(), "text/csv")
    at.run()
    at.button[[b.label for b in at.button].index("Validate log")].click().run()
    assert any("ready to train" in s.value for s in at.success)
    other = b"user,item\nu1,a\nu1,b\nu2,a\nu2,c\n"
    at.file_uploader(key="data.log_upload").upload("other.csv", other, "text/csv")
    at.run()
    notes = [c.value for c in at.caption]
    assert not at.exception and not any("changed since it was validated" in c for c in notes)
    assert not any("ready to train" in s.value for s in at.success)  # nor the first file's report


def test_upload_log_train_and_metrics_shown():
    at = open_page("data")
    at.file_uploader(key="data.log_upload").upload("log.csv", SAMPLE_LOG.read_bytes(), "text/csv")
    at.run()
    at.button[[b.label for b in at.button].index("Validate log")].click().run()
    assert not at.exception and any("ready to train" in s.value for s in at.success)
    first = at.session_state[keys.LATEST_LOG.key]
    at.button[
        [b.label for b in at.button].index("Validate log")
    ].click().run()  # again, same options
    assert (
        at.session_state[keys.LATEST_LOG.key] == first
    )  # one record, not a second "log.csv (time)"
    at.switch_page("views/train.py").run()
    assert (
        at.session_state["train.log"] == at.session_state[keys.LATEST_LOG.key]
    )  # opens on the log just validated
    again = AppTest.from_file(
        APP, default_timeout=180
    )  # a reload: a new session of the same browser
    again.session_state[keys.BROWSER_ID.key] = at.session_state[keys.BROWSER_ID.key]  # (its cookie)
    again.run()
    again.switch_page("views/train.py").run()
    assert (
        again.session_state["train.log"] == at.session_state[keys.LATEST_LOG.key]
    )  # still opens on the user's log
    at.multiselect[0].set_value(["als"]).run()
    at.button[[b.label for b in at.button].index("Train and evaluate")].click().run()
    finish_jobs(at)
    assert not at.exception, [e.value for e in at.exception]
    models = at.dataframe[0].value["model"].tolist()
    assert models == ["als", "popularity", "random", "item-CF", "EASE"]
    hr = at.dataframe[0].value.set_index("model")["hr"]
    assert hr["als"] > hr["popularity"] > hr["random"]
    assert "PNG (server-side)" in download_labels(at)  # the metrics chart's (needs Chromium)


def test_a_finished_jobs_explore_button_opens_its_set_on_the_map():
    at = open_page("train")
    at.multiselect[0].set_value(["svd"]).run()
    at.button[[b.label for b in at.button].index("Train and evaluate")].click().run()
    finish_jobs(at)
    explore = [b for b in at.button if b.label == "Explore"]  # the sidebar's job list
    assert explore, [b.label for b in at.button]
    explore[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    from embedlab.dashboard.state import BUILTIN

    assert at.session_state[keys.ACTIVE_SET.key] not in (None, BUILTIN)  # the trained set
    assert any(h.value == "Map" for h in at.header), [h.value for h in at.header]


def test_train_page_states_the_protocol_and_offers_both():
    at = open_page("train")
    assert at.selectbox(key="train.protocol").options == ["auto", "leave-last-out", "basket"]
    at.multiselect[0].set_value(["svd"]).run()
    at.button[[b.label for b in at.button].index("Train and evaluate")].click().run()
    finish_jobs(at)
    assert not at.exception, [e.value for e in at.exception]
    # the sample log: histories over many moments, no ties -> leave-last-out, counted in users
    report = stored_results("scores")[-1]["data"]
    assert report["method"] == "svd" and report["protocol"]["name"] == "leave-last-out"
    assert at.subheader[0].value == f"svd — {report['cases']:,} users evaluated"
    protocol = [c.value for c in at.caption if c.value.startswith("Protocol:")]
    assert protocol and "leave-last-out — histories over many moments" in protocol[0]
    headline = [m.value for m in at.markdown if "the strongest baseline" in m.value]
    assert headline and headline[0].startswith("**svd HR@10")
    at.selectbox(key="train.protocol").set_value("basket").run()
    at.button[[b.label for b in at.button].index("Train and evaluate")].click().run()
    finish_jobs(at)
    assert not at.exception, [e.value for e in at.exception]
    report = stored_results("scores")[-1]["data"]
    assert report["protocol"]["name"] == "basket" and report["unit"] == "baskets"
    assert at.subheader[0].value == (
        f"svd — {report['cases']:,} baskets evaluated ({report['users_evaluated']:,} users)"
    )
    assert any(c.value.startswith("Protocol: basket — asked for (basket)") for c in at.caption)


def _train_and_read(at, prefix: str) -> list[str]:
    """Train what the page holds, wait for its jobs, and return the captions starting with
    ``prefix``."""
    at.button[[b.label for b in at.button].index("Train and evaluate")].click().run()
    finish_jobs(at)
    assert not at.exception, [e.value for e in at.exception]
    return [c.value for c in at.caption if c.value.startswith(prefix)]


def test_train_page_says_what_als_scores_users_from_and_takes_a_given_query():
    at = open_page("train")
    at.multiselect[0].set_value(["als"]).run()
    at.number_input(key="train.als.factors").set_value(8).run()
    said = _train_and_read(at, "Users scored from")
    assert said and said[0].startswith(
        "Users scored from the mean of their recent items' vectors (query=items, the default)"
    )
    assert stored_results("scores")[-1]["data"]["query"]["name"] == "items"
    at.selectbox(key="train.als.query").set_value("user").run()
    said = _train_and_read(at, "Users scored from")
    assert said and said[0].startswith("Users scored from their user vector (query=user, given)")
    report = stored_results("scores")[-1]["data"]
    assert report["query"]["name"] == "user" and report["params"]["query"] == "user"


def test_train_page_states_the_item_context_and_takes_a_given_one():
    at = open_page("train")
    at.multiselect[0].set_value(["item2vec"]).run()
    at.number_input(key="train.item2vec.epochs").set_value(2).run()
    said = _train_and_read(at, "Item context:")
    # the chart's provenance names the trained set, not the sidebar's active one (GloVe)
    specs = [chart.proto.spec for chart in at.get("plotly_chart")]
    provenance = [spec for spec in specs if "embedlab \\u00b7" in spec or "embedlab ·" in spec]
    assert provenance and not any("GloVe" in spec for spec in provenance)
    # the sample log: no tied timestamps, few lone events -> ordered sessions
    assert said and said[0].startswith("Item context: sessions (chosen from the log's shape)")
    at.selectbox(key="train.item2vec.context").set_value("history").run()
    # the context's own widgets, showing its defaults (history: window 20, 30 epochs)
    assert at.number_input(key="train.item2vec.history.window").value == 20
    at.number_input(key="train.item2vec.history.epochs").set_value(2).run()
    said = _train_and_read(at, "Item context:")
    assert said and said[0].startswith("Item context: history (given)")
    assert "the log's shape suggests sessions" in said[0]
    report = stored_results("scores")[-1]["data"]
    assert report["context"]["name"] == "history" and report["params"]["epochs"] == 2
    assert report["params"]["window"] == 20  # the history default, not the sessions one (3)


def test_tuning_trials_stay_on_the_train_page_after_the_run_and_a_rerun():
    at = open_page("train")
    at.multiselect[0].set_value(["svd"]).run()
    at.toggle(key="train.tune").set_value(True).run()
    at.number_input(key="train.trials").set_value(3).run()
    at.button[[b.label for b in at.button].index("Train and evaluate")].click().run()
    finish_jobs(at)
    assert not at.exception, [e.value for e in at.exception]
    for _ in range(2):  # right after the run, and after an unrelated rerun
        trials = [e for e in at.expander if e.label.startswith("Tuning trials")]
        assert [e.label for e in trials] == ["Tuning trials (3)"]
        table = trials[0].dataframe[0].value
        assert table["number"].tolist() == [0, 1, 2] and "factors" in table.columns
        at.number_input(key="train.k").set_value(5).run()


def test_a_column_set_to_none_on_the_data_page_is_not_guessed_back():
    at = open_page("data")
    text = "user_id,item_id,quantity\n" + "".join(
        f"u{u},i{(u * 7 + j) % 30},{j - 2}\n" for u in range(60) for j in range(5)
    )
    at.file_uploader(key="data.log_upload").upload("log.csv", text.encode(), "text/csv")
    at.run()
    assert picker(at, "weight").value == "quantity"  # guessed
    picker(at, "weight").set_value("(none)").run()
    at.button[[b.label for b in at.button].index("Validate log")].click().run()
    assert not at.exception and any("ready to train" in s.value for s in at.success)
    columns = [c.value for c in at.caption if c.value.startswith("Columns:")]
    assert columns and "item" in columns[-1] and "weight" not in columns[-1], (
        columns
    )  # the report of this log


def test_a_logs_own_description_column_becomes_item_metadata():
    at = open_page("data")
    text = "user_id,item_id,Description\n" + "".join(
        f"u{u},i{(u * 7 + j) % 30},<b>item {(u * 7 + j) % 30}</b>\n"
        for u in range(60)
        for j in range(5)
    )
    at.file_uploader(key="data.log_upload").upload("log.csv", text.encode(), "text/csv")
    at.run()
    assert at.multiselect(key="data.log_metadata_columns").value == [
        "Description"
    ]  # offered and preselected
    at.button[[b.label for b in at.button].index("Validate log")].click().run()
    assert not at.exception and any("ready to train" in s.value for s in at.success)
    meta = at.session_state[keys.VALIDATED_LOGS.key][
        at.session_state[keys.LATEST_LOG.key]
    ].item_metadata
    assert meta["Description"].tolist()[:2] == ["<b>item 0</b>", "<b>item 1</b>"]


def test_basket_upload_is_recognised_and_unknown_columns_can_be_picked():
    at = open_page("data")
    at.file_uploader(key="data.log_upload").upload("baskets.csv", baskets_csv(), "text/csv")
    at.run()
    assert not at.exception and any("one basket per line" in i.value for i in at.info)
    at.button[[b.label for b in at.button].index("Validate log")].click().run()
    assert any("ready to train" in s.value for s in at.success)
    odd = open_page("data")
    odd.file_uploader(key="data.log_upload").upload(
        "odd.csv", b"who,what\nu1,a\nu1,b\nu2,a\n", "text/csv"
    )
    odd.run()
    assert odd.warning and "pick the columns" in odd.warning[0].value
    odd.button[[b.label for b in odd.button].index("Validate log")].click().run()
    assert not odd.error and any("ready to train" in s.value for s in odd.success)


@pytest.mark.parametrize(
    "name,content,needle",
    [
        ("bad.csv", b"user_id,item_id\nu1,a\n", "distinct item"),
        ("garbage.bin", b"\x00\x01\x02\x03garbage", "not a text log"),
    ],
)
def test_bad_log_upload_shows_an_error(name, content, needle):
    at = open_page("data")
    at.file_uploader(key="data.log_upload").upload(name, content, "application/octet-stream")
    at.run()
    if not at.error:
        at.button[[b.label for b in at.button].index("Validate log")].click().run()
    assert not at.exception and at.error and needle in at.error[0].value


def test_pickle_vector_upload_is_refused():
    import pickle

    at = open_page("data")
    at.file_uploader(key="data.vectors_upload").upload(
        "model.kv", pickle.dumps({"x": 1}), "application/octet-stream"
    )
    at.run()
    at.button[[b.label for b in at.button].index("Load vectors")].click().run()
    assert not at.exception and "arbitrary code" in at.error[0].value


def test_a_refused_vector_file_leaves_the_other_tabs_drawn():
    at = open_page("data")
    at.file_uploader(key="data.vectors_upload").upload("u.data", b"196\t242\t3\n", "text/plain")
    at.run()
    at.button[[b.label for b in at.button].index("Load vectors")].click().run()
    assert not at.exception and len(at.error) == 1  # the vectors tab says why
    uploaders = [u.key for u in at.get("file_uploader")]
    assert "data.log_upload" in uploaders  # the log tab is still there, after the error
    assert any("Your sets" in str(t.label) for t in at.tabs)


def test_uploaded_vectors_become_the_active_set():
    at = open_page("data")
    text = b"3 2\nalpha 1 0\nbeta 0.9 0.1\n<script>x</script> 0 1\n"
    at.file_uploader(key="data.vectors_upload").upload("tiny.txt", text, "text/plain")
    at.run()
    at.button[[b.label for b in at.button].index("Load vectors")].click().run()
    assert any("Loaded 3 vectors" in s.value for s in at.success)
    at.switch_page("views/neighbours.py").run()
    assert frame_keys(at)[:2] == ["beta", "<script>x</script>"]
    assert not at.exception


def test_compare_sample_models():
    at = open_page("compare", a="sample:item2vec", b="sample:als", q="i0001")
    assert not at.error and len(at.dataframe) == 2
    side = at.dataframe[0].value  # the neighbours in both sets, by title and key
    assert (
        side.columns[1] == "A · sample log · item2vec" and side.columns[3] == "B · sample log · als"
    )
    assert side.iloc[:, 1].str.fullmatch(r".+ \(\d{4}\) · i\d{4}").all()
    summary = at.dataframe[1].value
    assert list(summary["set"]) == ["sample log · item2vec", "sample log · als"]
    assert 0 < summary["mean overlap@10"].iloc[0] < 1
    assert (summary["label agreement@10"] > 0.8).all()


def test_compare_two_stored_sets_with_a_known_overlap(workspace):
    """Two sets whose neighbours are worked by hand (tests/test_compare.py's two_sets): three of
    four keys keep their nearest neighbour, c does not (d in A, b in B)."""
    from embedlab.core.workspace import CLI_OWNER, Workspace
    from tests.test_compare import two_sets

    a, b = two_sets()
    ws = Workspace(workspace)
    ida, idb = (ws.save_set(e, name, owner=CLI_OWNER).id for e, name in ((a, "A"), (b, "B")))
    at = open_page("compare", a=ida, b=idb, q="c", k="1")
    assert not at.error, [e.value for e in at.error]
    assert at.metric[0].value == "0%"  # c's neighbour: d in A, b in B
    side = at.dataframe[0].value
    assert side["A · A"].tolist() == ["d"] and side["B · B"].tolist() == ["b"]
    summary = at.dataframe[1].value
    assert summary["mean overlap@1"].iloc[0] == 0.75
    assert summary["label agreement@1"].tolist() == [1.0, 0.75]
    same_key = open_page("compare", a=ida, b=idb, q="a", k="1")
    assert same_key.metric[0].value == "100%"  # a's neighbour is b in both


def test_compare_reads_the_workspace_records_once_per_run(workspace, monkeypatch):
    import traceback

    from embedlab.core.workspace import CLI_OWNER, Workspace
    from tests.test_compare import two_sets

    a, b = two_sets()
    ws = Workspace(workspace)
    ida, idb = (ws.save_set(e, name, owner=CLI_OWNER).id for e, name in ((a, "A"), (b, "B")))
    at = open_page("compare", a=ida, b=idb, q="c", k="1")
    reads = []
    visible = Workspace.visible

    def counted(self, *args, **kwargs):
        stack = [f.filename for f in traceback.extract_stack()]
        reads.append(any(f.endswith("views/compare.py") for f in stack))
        return visible(self, *args, **kwargs)

    monkeypatch.setattr(Workspace, "visible", counted)
    at.number_input(key="compare.k").set_value(2).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.selectbox(key="compare.a").value == ida  # the stored sets are still offered
    assert sum(reads) == 1  # the options and the opening pair from one read (the sidebar reads
    # its own, after the page: it shows what the page just changed)


def test_compare_opens_on_the_active_set_and_another_of_the_users(workspace):
    from embedlab.core.workspace import CLI_OWNER, Workspace
    from tests.test_compare import two_sets

    a, b = two_sets()
    ws = Workspace(workspace)
    ida, idb = (ws.save_set(e, name, owner=CLI_OWNER).id for e, name in ((a, "A"), (b, "B")))
    at = open_page("compare", ds=idb)  # B active: A is the other set of this browser
    assert not at.error, [e.value for e in at.error]
    assert (at.selectbox(key="compare.a").value, at.selectbox(key="compare.b").value) == (idb, ida)
    sample = open_page("compare")  # the built-in words active: the two sample-log models
    assert sample.selectbox(key="compare.a").value == "sample:item2vec"


def test_compare_follows_the_sets_chosen_instead_of_keeping_a_stale_key(workspace):
    """A key of the sample sets (i0789) is not in two other sets: switching to them opens their
    first shared key, with no error about the old one."""
    from embedlab.core.workspace import CLI_OWNER, Workspace
    from tests.test_compare import two_sets

    a, b = two_sets()
    ws = Workspace(workspace)
    ida, idb = (ws.save_set(e, name, owner=CLI_OWNER).id for e, name in ((a, "A"), (b, "B")))
    at = open_page("compare", a="sample:item2vec", b="sample:als", q="i0789")
    assert not at.error and at.text_input(key="compare.q").value == "i0789"
    at.selectbox(key="compare.a").set_value(ida).run()
    at.selectbox(key="compare.b").set_value(idb).run()
    assert not at.error, [e.value for e in at.error]
    assert at.text_input(key="compare.q").value == "a"  # A's first key both sets hold
    assert at.dataframe[0].value["A · A"].tolist()[:1] == ["b"]  # a's neighbour in A


def verdict_lines(at) -> list[str]:
    """The catalog reading's verdicts: the Markdown list lines naming a method in bold."""
    return [line for m in at.markdown for line in m.value.splitlines() if line.startswith("- **")]


def test_catalog_sweep_runs_and_reopens_from_csv():
    at = open_page("catalog")
    assert any("trainings; estimated" in c.value for c in at.caption)
    at.text_input(key="catalog.grid.items").set_value("96, 1000").run()
    at.multiselect[0].set_value(["als"]).run()
    at.number_input[0].set_value(2).run()
    at.radio(key="catalog.mode").set_value("random").run()
    at.button[[b.label for b in at.button].index("Run sweep")].click().run()
    finish_jobs(at)
    assert not at.exception and not at.error
    reading = verdict_lines(at)  # the reading leads with one verdict per method
    assert len(reading) == 1 and reading[0].startswith("- **als**: lift") and at.get("plotly_chart")
    assert "PNG (server-side)" in download_labels(at)  # the lift chart's (needs Chromium)
    rows = pd.DataFrame(stored_results("sweep")[-1]["data"]["rows"])
    assert sorted(set(rows.value)) == [96, 1000] and len(rows) == 4
    again = open_page("catalog")
    again.file_uploader(key="catalog.sweep_csv").upload(
        "rows.csv", rows.to_csv(index=False).encode(), "text/csv"
    )
    again.run()
    # the same verdict from the CSV (which holds no per-user samples, so it may say it has no
    # intervals to tell how clear the change is)
    reopened = verdict_lines(again)
    assert not again.exception and [r.split(" \\(")[0] for r in reopened] == [
        r.split(" \\(")[0] for r in reading
    ]
    bad = open_page("catalog")
    bad.file_uploader(key="catalog.sweep_csv").upload("x.csv", b"a,b\n1,2\n", "text/csv")
    bad.run()
    assert bad.error and "not a sweep result" in bad.error[0].value


def test_user_text_is_escaped_in_markdown_elements():
    from embedlab.dashboard.text import md

    assert md("**x** [a](javascript:1) <b>") == r"\*\*x\*\* \[a\]\(javascript\:1\) \<b\>"
    at = open_page("neighbours", q="frgo_*")
    assert at.error and r"frgo\_\*" in at.error[0].value and "frgo_*" not in at.error[0].value


def test_neighbours_with_hnsw_show_measured_recall(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_CACHE", str(tmp_path))
    at = open_page(
        "neighbours", q="frog", search="hnsw", ds="sample:als"
    )  # sample ids: frog is unknown
    assert at.error  # and says so
    at = open_page("neighbours", q="i0001", search="hnsw", ds="sample:als")
    assert not at.error
    note = [c.value for c in at.caption if "recall@10" in c.value]
    assert note and "approximate (HNSW" in note[0]
    assert len(frame_keys(at)) == 10


def test_a_page_bug_is_logged_not_shown(monkeypatch, caplog):
    from embedlab.core import search

    def broken(*args, **kwargs):
        raise RuntimeError("/srv/secret/path.py exploded")

    monkeypatch.setattr(search, "neighbours", broken)
    at = open_page("neighbours", q="frog")
    assert not at.exception
    assert at.error and "logged" in at.error[0].value
    shown = " ".join(str(e.value) for kind in (at.error, at.caption, at.markdown) for e in kind)
    assert "secret" not in shown
    assert any("exploded" in r.exc_text for r in caplog.records if r.exc_text)


def test_the_shipped_config_hides_tracebacks():
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"  # false would mean "stacktrace"


def test_a_sessions_unclaimed_uploads_go_when_it_ends(tmp_path):
    import gc

    from embedlab.core.workspace import Workspace
    from embedlab.dashboard.state import UploadLedger

    ws = Workspace(tmp_path)
    ledger = UploadLedger(ws)
    loose, claimed = ledger.store(b"a,b\n", "loose.csv"), ledger.store(b"u,i\n1,x\n", "log.csv")
    ws.save_log("log", claimed, {}, owner="cli")
    del ledger  # what happens to a session's state when the session ends
    gc.collect()
    assert not loose.exists() and claimed.exists()


def test_chart_labels_are_escaped_once():
    import pandas as pd

    from embedlab.core.plots import map_figure

    frame = pd.DataFrame({"key": ['say "hi" & <b>bye</b>'], "x": [0.0], "y": [0.0]})
    fig = map_figure(frame, heading='"quoted" title')
    assert fig.layout.title.text == '"quoted" title'
    assert "&quot;" not in fig.data[0].text[0] and "&lt;b&gt;" in fig.data[0].text[0]


def test_a_title_finds_its_item_and_results_lead_with_titles():
    at = open_page("neighbours", ds="sample:als", q="the velvet garden (1991)")
    assert not at.error, [e.value for e in at.error]
    assert at.subheader[0].value.startswith("The Velvet Garden \\(1991\\) · i0001")
    table = at.dataframe[0].value
    assert list(table.columns[:3]) == ["rank", "title", "key"]
    assert table["title"].str.match(r".+ \(\d{4}\)").all()
    vague = open_page(
        "neighbours", ds="sample:als", q="velvet garden"
    )  # two items match: offered, not guessed
    assert vague.error and "The Velvet Garden (1991) · i0001" in vague.error[0].value.replace(
        "\\", ""
    )
    # a button's label is Markdown: the title escaped, shown as typed
    assert any(
        b.label.replace("\\", "") == "The Velvet Garden (1991) · i0001" for b in vague.button
    )


def test_switching_sets_drops_a_key_the_new_set_lacks():
    at = open_page("neighbours", q="frog")
    assert frame_keys(at)[0] != "frog" and "toad" in frame_keys(at)
    at.selectbox(key="sidebar.set.glove-6b-50d").set_value(
        "sample:als"
    ).run()  # (one picker per active set)
    assert not at.error, [e.value for e in at.error]  # not "'frog' is not in the vocabulary"
    assert at.text_input(key="neighbours.q").value.startswith("i0")
    assert at.query_params["ds"] in (["sample:als"], "sample:als")


def test_a_bad_upload_names_the_file_not_the_server_path(workspace):
    at = open_page("data")
    at.file_uploader(key="data.vectors_upload").upload(
        "broken.txt", b"2 3\nalpha 1 2\n", "text/plain"
    )
    at.run()
    at.button[[b.label for b in at.button].index("Load vectors")].click().run()
    assert not at.exception and at.error
    message = at.error[0].value.replace("\\", "")
    stored = [p for p in (workspace / "uploads").rglob("broken.txt")]
    assert stored, "the upload is kept in the workspace (whose path the message must not show)"
    assert "broken.txt" in message and str(workspace) not in message and "uploads" not in message


MOVIELENS = ROOT / "tests" / "data" / "movielens"


def upload_movielens_pair(at: AppTest) -> AppTest:
    at.file_uploader(key="data.log_upload").upload(
        "ratings.data", (MOVIELENS / "ratings.data").read_bytes(), "text/plain"
    )
    at.file_uploader(key="data.log_metadata").upload(
        "items.item", (MOVIELENS / "items.item").read_bytes(), "text/plain"
    )
    return at.run()


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def test_a_headerless_pair_is_named_mapped_and_joined_on_the_page():
    at = upload_movielens_pair(open_page("data"))
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert not at.warning  # the roles are guessed from the rows: nothing is left to pick
    said = [i.value.replace("\\", "") for i in at.info]
    assert any(
        "guessed from content: user=column1, item=column2, weight=column3, time=column4" in i
        for i in said
    ), said
    assert picker(at, "time").value == "column4" and picker(at, "weight").value == "column3"
    assert any("no header" in c and "utf\\-8" in c for c in captions(at))
    at.text_input(key="data.log_columns").set_value("user,item,rating,time").run()
    assert not at.warning  # named: the warning no longer holds
    assert picker(at, "user").value == "user"
    assert picker(at, "weight").value == "rating"
    assert picker(at, "Item id").value == "column1"  # found by the log's item ids
    assert picker(at, "Title").value == "column2"
    assert picker(at, "Label").value == "genres"  # the 19 flags, joined
    assert any("19 0/1 columns" in c for c in captions(at))
    at.button[[b.label for b in at.button].index("Validate log")].click().run()
    assert not at.exception and any("ready to train" in s.value for s in at.success)
    assert any("1,467" in m.value and "rows kept" in m.value for m in at.markdown)
    shown = captions(at)
    assert "No row was dropped." in shown
    assert any("60 items with metadata, 0 without; 0 metadata ids not in the log" in c.replace(
        "\\", "") for c in shown)  # fmt: skip
    inter = at.session_state[keys.VALIDATED_LOGS.key][at.session_state[keys.LATEST_LOG.key]]
    assert dict(zip(inter.items, inter.item_metadata["title"]))["1"] == "Café 01 (1980)"
    picker(at, "Title").set_value("(none)").run()  # an earlier report is stale
    assert not any("1,467" in m.value and "rows kept" in m.value for m in at.markdown)
    assert any("validate it again" in c for c in captions(at))


def test_a_wrong_choice_on_the_page_points_at_the_page_not_at_a_flag():
    at = upload_movielens_pair(open_page("data"))
    at.selectbox(key="data.log_separator").set_value(",").run()
    assert not at.exception and at.error
    text = at.error[0].value
    assert "only one column" in text and "on this page" in text and "Separator" in text
    assert "--" not in text and "\\n" not in text.replace("\\\\", "")
    at.selectbox(key="data.log_separator").set_value("auto").run()
    assert not at.error  # the error from the earlier choice is gone with it


@pytest.mark.parametrize("ds", ["glove", "sample:als"])
def test_start_page_links_into_the_set_and_writes_nothing_stray(ds):
    import csv

    at = open_page("home", **({"ds": ds} if ds != "glove" else {}))
    assert not any("None" in m.value for m in at.markdown), [m.value for m in at.markdown]
    links = [link.proto.label for link in at.get("page_link")]
    if ds == "glove":
        assert "Neighbours of frog" in links and "All 400,000 words on one map" in links
    else:
        with open(ROOT / "sample_data" / "items.csv", encoding="utf-8") as f:
            titles = {row["title"] for row in csv.DictReader(f)}
        named = [label.removeprefix("Neighbours of ") for label in links if "Neighbours" in label]
        # the first item, by its title (Markdown-escaped: brackets keep a backslash)
        assert len(named) == 1 and named[0].replace("\\", "") in titles, links


def test_a_page_opened_without_a_set_opens_the_set_this_browser_used_last():
    at = open_page("neighbours", ds="sample:als")  # a link names the set: it is used
    browser = at.session_state[keys.BROWSER_ID.key]
    later = AppTest.from_file(APP, default_timeout=180)  # the same browser, a new page, no ds
    later.session_state[keys.BROWSER_ID.key] = browser  # (its cookie)
    later.run()
    assert later.session_state[keys.ACTIVE_SET.key] == "sample:als"
    assert later.query_params["ds"] == "sample:als"
    other = open_page("neighbours")  # another browser: the built-in
    assert other.session_state[keys.ACTIVE_SET.key] == "glove-6b-50d"


@pytest.mark.parametrize(
    "text",
    [
        "http://example.com/x.png",
        "see HTTPS://example.com/x and www.example.com",
        "_http://example.com",
        "[l](http://example.com/y.png) mail me@example.com",
        "![img](http://example.com/x.png) 3",
    ],
)
def test_md_leaves_no_bare_url_for_an_autolink_to_find(text):
    import re

    from embedlab.core.visible import WORD_JOINER
    from embedlab.dashboard.text import md

    out = md(text)
    # what remark-gfm (Streamlit's Markdown) sees once the escapes are resolved, and its patterns
    shown = re.sub(r"\\(.)", r"\1", out)
    assert shown.replace(WORD_JOINER, "") == text  # reads as typed
    assert not re.search(r"(?i)(https?://|www(?=\.))[-.\w]+", shown)
    assert not re.search(r"[-.\w+]+@[-\w]+(\.[-\w]+)+", shown)


def test_md_leaves_text_that_no_autolink_matches_unchanged():
    from embedlab.dashboard.text import md

    assert md("svd HR@10 · https: none · wwwx") == r"svd HR@10 · https\: none · wwwx"
