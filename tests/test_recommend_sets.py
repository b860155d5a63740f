"""The Recommend page serves the sets a browser trained on the Train page, with the log they were
trained on (core.work.servable / stored_run), beside the CLI's training folders; sets that cannot
recommend are named with their reason.  Seen items are checked against the log file itself."""

import numpy as np
import pandas as pd

from embedlab.core import Embeddings
from embedlab.core.runnames import with_method
from embedlab.core.work import servable
from embedlab.core.workspace import Workspace
from embedlab.dashboard.state import keys
from tests.jobs_support import finish_jobs
from tests.test_dashboard import MOVIELENS, open_page, upload_movielens_pair

K = 4


def _ratings() -> pd.DataFrame:
    return pd.read_csv(
        MOVIELENS / "ratings.data",
        sep="\t",
        header=None,
        usecols=[0, 1],
        names=["user", "item"],
        dtype=str,
    )


def _train_on_uploaded_log():
    """The MovieLens-shaped test pair validated on the Data page, then ALS and item2vec trained on
    it through the Train page; returns the AppTest and the log's id."""
    at = upload_movielens_pair(open_page("data"))
    at.text_input(key="data.log_columns").set_value("user,item,rating,time").run()
    at.button[[b.label for b in at.button].index("Validate log")].click().run()
    assert not at.exception and any("ready to train" in s.value for s in at.success)
    log_id = at.session_state[keys.LATEST_LOG.key]
    at.switch_page("views/train.py").run()
    assert at.session_state["train.log"] == log_id
    at.multiselect[0].set_value(["als", "item2vec"]).run()
    at.number_input(key="train.item2vec.epochs").set_value(3).run()
    at.number_input(key="train.als.factors").set_value(16).run()  # < the log's 60 items
    at.button[[b.label for b in at.button].index("Train and evaluate")].click().run()
    finish_jobs(at)
    assert not at.exception, [e.value for e in at.exception]
    return at, log_id


def _recommend_from(at, choice: str, user: str):
    at.switch_page("views/recommend.py").run()
    at.multiselect(key="recommend.runs").set_value([choice]).run()
    at.text_input(key="recommend.user").set_value(user).run()
    at.number_input(key="recommend.k").set_value(K).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


def test_sets_trained_on_the_train_page_recommend_from_their_log(user_folders):
    at, log_id = _train_on_uploaded_log()
    ws = Workspace(user_folders.workspace)
    browser = at.session_state[keys.BROWSER_ID.key]
    mine = [servable(ws, r.id) for r in ws.records("trained") if r.owner == browser]
    by_method = {s.method: s for s in mine}
    assert set(by_method) == {"als", "item2vec"}
    assert by_method["als"].user_vectors and not by_method["item2vec"].user_vectors
    ratings = _ratings()
    user = "1"
    seen = set(ratings.loc[ratings.user == user, "item"])
    titles = {}
    for method, s in by_method.items():
        at = _recommend_from(at, s.set, user)
        select = at.multiselect(key="recommend.runs")
        assert all("training folder" not in o for o in select.options)  # no runs folder here
        history, got = at.dataframe[0].value, at.dataframe[1].value
        assert set(history.key) == seen and len(history) == (ratings.user == user).sum()
        assert len(got) == K and not set(got.key) & seen
        # scored from the history: the cosine leads the reason, so a narrow column never cuts it
        assert got.why.str.match(r"^-?\d\.\d\d · \S").all(), got.why.tolist()
        assert set(got.key) <= set(ratings.item)
        titles[method] = got.title.tolist()
        heads = [h.value.replace("\\", "") for h in at.subheader]
        assert s.name in heads  # says which set it uses, its method once ...
        assert f"{s.name} · {method}" not in heads and method in s.name
        said = " ".join(c.value.replace("\\", "") for c in at.caption)
        assert "log ratings.data" in said  # ... and its log
        # ALS on a rating log scores from the recent items (query=auto → items: core.train.mf)
        query = ws.load_set(s.set).provenance.params.get("query")  # item2vec: none
        assert query == ("items" if method == "als" else None)
        basis = "the user's vector" if query == "user" else "of the user's history"
        assert basis in said
    for shown in titles.values():  # the log's metadata: titles, not item keys
        assert all(t and not t.isdigit() for t in shown), shown
        assert any("(19" in t for t in shown)


def test_the_active_set_is_the_default_and_a_set_whose_log_is_gone_says_so(user_folders):
    at, log_id = _train_on_uploaded_log()
    ws = Workspace(user_folders.workspace)
    browser = at.session_state[keys.BROWSER_ID.key]
    als = next(
        r.id
        for r in ws.records("trained")
        if r.owner == browser and servable(ws, r.id).method == "als"
    )
    at.button(key=f"train.use.{als}").click().run()  # "Explore als vectors": the active set
    at.switch_page("views/recommend.py").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.multiselect(key="recommend.runs").value == [als]
    assert len(at.dataframe[1].value) == 10  # recommendations at once, for the log's first user
    ws.delete(log_id)
    at.switch_page("views/home.py").run()
    at.switch_page("views/recommend.py").run()
    assert not at.exception, [e.value for e in at.exception]
    select = at.multiselect(key="recommend.runs")
    assert als not in select.options and select.value != [als]
    reasons = [c.value.replace("\\", "") for e in at.expander for c in e.caption]
    assert sum("its log ratings.data was deleted" in r for r in reasons) == 2, reasons


def _scores(ws, set_id: str, method: str, log: str = "sample") -> None:
    request = {"log": log, "source": "log.csv", "method": method}
    ws.save_result(set_id, "scores", {"method": method, "request": request}, "b" * 22)


def test_servable_names_what_is_missing(tmp_path):
    ws = Workspace(tmp_path / "ws")
    items = Embeddings(["a", "b", "c"], np.eye(3, dtype=np.float32))
    users = Embeddings(["u1", "u2"], np.ones((2, 3), dtype=np.float32))
    uploaded = ws.save_set(items, "mine.txt", owner="b" * 22, kind="upload")
    assert "not trained on a log here" in servable(ws, uploaded.id).reason
    old_als = ws.save_set(items, "log.csv · als", owner="b" * 22)
    _scores(ws, old_als.id, "als")
    assert "train it again" in servable(ws, old_als.id).reason
    als = ws.save_set(items, "log.csv · als", owner="b" * 22, users=users)
    _scores(ws, als.id, "als")
    assert servable(ws, als.id).reason == "" and servable(ws, als.id).user_vectors
    i2v = ws.save_set(items, "log.csv · item2vec", owner="b" * 22)
    _scores(ws, i2v.id, "item2vec", log="x" * 22)
    assert "its log log.csv was deleted" in servable(ws, i2v.id).reason
    log = ws.save_log("log.csv", ws.store_upload(b"user,item\nu1,a\n", "log.csv"), {}, "c" * 22)
    _scores(ws, i2v.id, "item2vec", log=log.id)  # the newest scores name the log
    assert "another browser's" in servable(ws, i2v.id, readable_logs={"z" * 22}).reason
    assert servable(ws, i2v.id, readable_logs={log.id}).reason == ""


def test_user_vectors_are_stored_with_the_set_and_go_with_it(tmp_path):
    ws = Workspace(tmp_path / "ws")
    items = Embeddings(["a", "b"], np.eye(2, dtype=np.float32))
    users = Embeddings(["u1", "u2", "u3"], np.arange(6, dtype=np.float32).reshape(3, 2))
    rec = ws.save_set(items, "s", owner="cli", users=users)
    back = ws.load_users(rec.id)
    assert back.keys == ["u1", "u2", "u3"] and np.array_equal(back.vectors, users.vectors)
    assert ws.load_users(ws.save_set(items, "t", owner="cli").id) is None
    assert rec.bytes > ws.record(ws.save_set(items, "u", owner="cli").id).bytes
    users_blob = ws.root / "blobs" / rec.options["users"]
    assert users_blob.is_dir()
    ws.delete(rec.id)
    assert not users_blob.exists()  # no other record names it
    assert (ws.root / "blobs" / rec.blob).is_dir()  # the items still are ("t", "u")


def test_a_heading_names_the_method_only_when_the_set_name_does_not():
    assert with_method("sample log · als", "als") == "sample log · als"
    assert with_method("ratings.data · als factors=16", "als") == "ratings.data · als factors=16"
    assert with_method("u.data · ITEM2VEC window=3", "item2vec") == "u.data · ITEM2VEC window=3"
    assert with_method("my favourites", "als") == "my favourites · als"
    assert with_method("falsetto.csv", "als") == "falsetto.csv · als"  # not a whole word
    assert with_method("item2vec2 vectors", "item2vec") == "item2vec2 vectors · item2vec"
