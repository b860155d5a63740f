"""Recommendations for one user from a training folder (core.recommend, ``embedlab recommend``):
checked against brute force computed here with numpy and pandas from the log file itself."""

import json

import numpy as np
import pandas as pd
import pytest

from embedlab.core import io
from embedlab.core.engines import LogSpec, get_engine, run_training
from embedlab.core.errors import DataError, ParameterError
from embedlab.core.logs import prepare
from embedlab.core.logs.history import read_history, write_history
from embedlab.core.recommend import history_frame, recommend, users_with_item
from embedlab.core.runs import UnknownUserError, load_run
from embedlab.core.sample import generate
from embedlab.core.serving import serve
from tests.hardening_support import assert_contract, run_cli
from tests.paths import BASKETS


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """A small synthetic rating log with titles, and an ALS and an item2vec folder trained on it."""
    root = tmp_path_factory.mktemp("recommend")
    log, items = generate(users=150, items=60, seed=5, events_per_user=12).write(root)
    spec = LogSpec(str(log), metadata=str(items))
    engine = get_engine("local")
    run_training(engine, spec, "als", root / "als", params={"factors": 8, "query": "user"})
    run_training(engine, spec, "als", root / "als-items", params={"factors": 8})  # query=auto
    run_training(engine, spec, "item2vec", root / "i2v", params={"epochs": 3, "vector_size": 16})
    events = pd.read_csv(log, dtype={"user_id": str, "item_id": str})
    events = events.sort_values(["user_id", "timestamp"], kind="stable")
    titles = pd.read_csv(items, dtype=str).set_index("item_id")["title"]
    return {"root": root, "log": log, "items": items, "events": events, "titles": titles}


def _seen(events: pd.DataFrame, user: str) -> set[str]:
    return set(events.loc[events.user_id == user, "item_id"])


def _brute_top(keys, scores, seen, k):
    order = sorted((i for i, key in enumerate(keys) if key not in seen), key=lambda i: -scores[i])
    return [keys[i] for i in order[:k]]


def test_history_round_trip_keeps_every_event(tmp_path):
    inter = prepare("sample_data/interactions.csv")
    back = read_history(write_history(inter, tmp_path / "h.parquet"))
    assert (back.users[back.user] == inter.users[inter.user]).all()
    assert (back.items[back.item] == inter.items[inter.item]).all()
    assert np.array_equal(back.time, inter.time) and np.array_equal(back.session, inter.session)


def test_training_folder_keeps_the_history(folders):
    report = json.loads((folders["root"] / "als" / "report.json").read_text())
    assert "history.parquet" in report["files"]
    log = read_history(folders["root"] / "als" / "history.parquet")
    assert len(log) == len(folders["events"])


def test_als_ranks_by_the_user_vector_without_seen_items(folders):
    run = load_run(folders["root"] / "als")
    users, items = io.load(folders["root"] / "als" / "users.parquet"), run.items
    events = folders["events"]
    for user in events.user_id.unique()[:20]:
        scores = np.asarray(items.vectors) @ np.asarray(users[user])
        want = _brute_top(items.keys, scores, _seen(events, user), 5)
        got = recommend(run, user, k=5)
        assert got.table.key.tolist() == want
        assert got.table.title.tolist() == [folders["titles"][k] for k in want]


def test_als_with_the_items_query_ranks_by_the_recent_items_vectors_and_says_so(folders):
    # a log of sessions: ALS's auto query is the items (core.train.mf), scored from the last
    # item's vector like item2vec, never the user vector
    run = load_run(folders["root"] / "als-items")
    assert run.report["params"]["query"] == "items" and run.users is not None
    assert run.report["data"]["query"]["chosen_by"] == "auto"
    items, events = run.items, folders["events"]
    unit = np.asarray(items.vectors) / np.linalg.norm(items.vectors, axis=1, keepdims=True)
    users = io.load(folders["root"] / "als-items" / "users.parquet")
    differs = 0
    for user in events.user_id.unique()[:20]:
        last = events.loc[events.user_id == user, "item_id"].iloc[-1]
        scores = unit @ unit[items.keys.index(last)]
        got = recommend(run, user, k=5)
        assert got.table.key.tolist() == _brute_top(items.keys, scores, _seen(events, user), 5)
        assert set(got.table.because) == {last} and "the last item" in got.basis
        by_vector = np.asarray(items.vectors) @ np.asarray(users[user])
        want = _brute_top(items.keys, by_vector, _seen(events, user), 5)
        differs += want != got.table.key.tolist()
    assert differs  # the user vector would have ranked otherwise


def test_item2vec_scores_from_the_last_item_and_says_so(folders):
    run = load_run(folders["root"] / "i2v")
    items, events = run.items, folders["events"]
    unit = np.asarray(items.vectors) / np.linalg.norm(items.vectors, axis=1, keepdims=True)
    for user in events.user_id.unique()[:20]:
        last = events.loc[events.user_id == user, "item_id"].iloc[-1]
        scores = unit @ unit[items.keys.index(last)]
        got = recommend(run, user, k=5)
        assert got.table.key.tolist() == _brute_top(items.keys, scores, _seen(events, user), 5)
        assert set(got.table.because) == {last} and got.query_items == [last]
        assert "the last item" in got.basis


def test_history_length_and_reason_follow_the_folders_evaluation(folders):
    run = load_run(folders["root"] / "i2v")
    run.report = {
        **run.report,
        "evaluation": {"protocol": {"name": "leave-last-out", "history": 3}},
    }
    items, events = run.items, folders["events"]
    unit = np.asarray(items.vectors) / np.linalg.norm(items.vectors, axis=1, keepdims=True)
    user = events.user_id.unique()[7]
    recent = events.loc[events.user_id == user, "item_id"].iloc[-3:].tolist()
    rows = [items.keys.index(k) for k in recent]  # a repeated item counts twice
    q = unit[rows].sum(axis=0)
    got = recommend(run, user, k=4)
    want = _brute_top(items.keys, unit @ q, _seen(events, user), 4)
    assert got.table.key.tolist() == want and "the mean of the last 3" in got.basis
    assert got.query_items == list(dict.fromkeys(recent[::-1]))  # most recent first
    for key, because in zip(got.table.key, got.table.because):  # the largest share of q wins
        share = {
            h: recent.count(h) * unit[items.keys.index(h)] @ unit[items.keys.index(key)]
            for h in recent
        }
        assert because == max(share, key=share.get)


def test_include_seen_keeps_what_the_user_has(folders):
    run = load_run(folders["root"] / "i2v")
    user = folders["events"].user_id.iloc[0]
    last = folders["events"].loc[folders["events"].user_id == user, "item_id"].iloc[-1]
    kept = recommend(run, user, k=3, include_seen=True)
    assert kept.table.key.iloc[0] == last  # an item is its own nearest: cosine 1
    assert not set(recommend(run, user, k=20).table.key) & _seen(folders["events"], user)


def test_hnsw_agrees_with_exact_and_carries_its_recall(folders):
    run = load_run(folders["root"] / "als")
    codes = np.arange(run.log.n_users)
    exact = serve(run, codes, k=10)
    approx = serve(run, codes, k=10, method="hnsw")
    hits = [len(set(a) & set(e)) for a, e in zip(approx.codes, exact.codes)]
    assert np.mean(hits) / 10 >= 0.9
    assert exact.recall is None and 0 < approx.recall <= 1
    seen = run.seen
    for u, row in zip(codes, approx.codes):
        assert not set(row[row >= 0]) & set(seen[u].indices)


def test_history_most_recent_first_and_users_found_by_title(folders):
    run = load_run(folders["root"] / "als")
    events = folders["events"]
    user = events.user_id.iloc[0]
    hist = history_frame(run, user)
    assert hist.key.tolist() == events.loc[events.user_id == user, "item_id"].tolist()[::-1]
    title = folders["titles"][hist.key.iloc[0]]
    found = users_with_item(run, title)
    assert user in set(found.user)
    holders = set(events.loc[events.item_id.isin(found.item), "user_id"])
    assert set(found.user) <= holders


def test_unknown_user_lists_close_ids(folders):
    run = load_run(folders["root"] / "als")
    user = folders["events"].user_id.iloc[0]
    with pytest.raises(UnknownUserError) as err:
        recommend(run, user + "x")
    assert user in err.value.suggestions and "close ids" in str(err.value)
    with pytest.raises(ParameterError):
        recommend(run, user, k=0)


def test_an_old_folder_says_how_to_retrain(folders, tmp_path):
    import shutil

    old = tmp_path / "old"
    shutil.copytree(folders["root"] / "als", old)
    (old / "history.parquet").unlink()
    with pytest.raises(DataError, match="history.parquet.*train command"):
        load_run(old)


def test_cli_lists_k_titles_none_seen_for_als_and_item2vec(folders):
    events = folders["events"]
    user = events.user_id.iloc[3]
    seen_titles = {folders["titles"][k] for k in _seen(events, user)}
    for name in ("als", "i2v"):
        out = run_cli(
            "recommend", "--vectors", str(folders["root"] / name), "--user", user, "--k", "4"
        )
        assert_contract(out)
        rows = [line for line in out.stdout.splitlines() if line[:6].strip().rstrip(".").isdigit()]
        assert len(rows) == 4
        shown = [line.split(". ", 1)[1].split(" · ")[0] for line in rows]  # "title · key"
        assert all(t in set(folders["titles"]) for t in shown) and not set(shown) & seen_titles
        assert "excluded" in out.stdout
        data = json.loads(
            run_cli(
                "recommend", "--vectors", str(folders["root"] / name), "--user", user, "--json"
            ).stdout
        )
        assert len(data["items"]) == 10 and data["seen_excluded"]
        assert ("because" in data["items"][0]["why"]) == (name == "i2v")


def test_cli_mistakes_are_one_line(folders, tmp_path):
    bad = run_cli("recommend", "--vectors", str(folders["root"] / "als"), "--user", "nobody")
    assert_contract(bad)
    assert bad.code == 2 and "is not in this run's log" in bad.stderr
    missing = run_cli("recommend", "--vectors", str(tmp_path), "--user", "u1")
    assert_contract(missing)
    assert missing.code == 2 and "not a training folder" in missing.stderr


def test_a_basket_log_completes_the_users_last_basket(tmp_path):
    run_training(
        get_engine("local"),
        LogSpec(str(BASKETS)),
        "item2vec",
        tmp_path / "b",
        params={"epochs": 2, "vector_size": 16},
    )
    run = load_run(tmp_path / "b")
    assert run.query.protocol == "basket" and "last basket" in run.query.describe()
    basket = [c.strip() for c in BASKETS.read_text().splitlines()[1].split(",")]
    basket = [c for c in dict.fromkeys(basket) if c]
    items = run.items
    unit = np.asarray(items.vectors) / np.linalg.norm(items.vectors, axis=1, keepdims=True)
    q = unit[[items.keys.index(k) for k in basket if k in items.keys]].sum(axis=0)
    got = recommend(run, "2", k=5)
    assert got.table.key.tolist() == _brute_top(items.keys, unit @ q, set(basket), 5)
    assert set(got.query_items) == {k for k in basket if k in items.keys}


def test_a_history_in_spark_part_files_reads_back_sorted(tmp_path):
    """Spark writes string ids in part files, in no order, with empty columns for absent fields."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    inter = prepare("sample_data/interactions.csv")
    frame = pd.DataFrame(
        {
            "user": inter.users[inter.user].astype(str),
            "item": inter.items[inter.item].astype(str),
            "session": [f"{u}\x1f{s}" for u, s in zip(inter.user, inter.session)],
            "time": inter.time,
            "weight": np.full(len(inter), np.nan),
            "row": np.arange(len(inter)),
        }
    ).sample(frac=1.0, random_state=0)
    folder = tmp_path / "history.parquet"
    folder.mkdir()
    half = len(frame) // 2
    for i, part in enumerate((frame.iloc[:half], frame.iloc[half:])):
        pq.write_table(
            pa.Table.from_pandas(part, preserve_index=False), folder / f"part-{i}.parquet"
        )
    back = read_history(folder)
    assert back.weight is None and np.array_equal(back.time, inter.time)
    assert (back.users[back.user] == inter.users[inter.user]).all()
    assert (back.items[back.item] == inter.items[inter.item]).all()
    assert (np.diff(back.session) != 0).sum() == (np.diff(inter.session) != 0).sum()


def test_a_spark_als_folder_recommends_like_the_local_one_would(folders, tmp_path):
    import os

    from embedlab.core.engines.spark import SparkEngine

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    engine = SparkEngine("local[2]")
    try:
        spec = LogSpec(str(folders["log"]), metadata=str(folders["items"]))
        # scored from the user vector, as the brute force below (the default is the items)
        run_training(engine, spec, "als", tmp_path / "als", params={"factors": 8, "query": "user"})
    finally:
        if engine.spark is not None:
            engine.spark.stop()
    run = load_run(tmp_path / "als")
    users, items, events = run.users, run.items, folders["events"]
    for user in events.user_id.unique()[:10]:
        scores = np.asarray(items.vectors) @ np.asarray(users[user])
        want = _brute_top(items.keys, scores, _seen(events, user), 5)
        assert recommend(run, user, k=5).table.key.tolist() == want


def test_the_page_names_an_old_folder_without_server_paths(folders, tmp_path, monkeypatch):
    import shutil

    from tests.test_dashboard import open_page

    runs = tmp_path / "runs"
    shutil.copytree(folders["root"] / "als", runs / "old")
    (runs / "old" / "history.parquet").unlink()
    monkeypatch.setenv("EMBEDLAB_RUNS", str(runs))
    at = open_page("recommend")
    errors = [e.value.replace("\\", "") for e in at.error]  # shown Markdown-escaped
    assert any("training folder 'old'" in e and "history.parquet" in e for e in errors), errors
    assert not any(str(tmp_path) in e for e in errors)


def test_the_page_lists_two_folders_for_a_user_picked_from_the_url(folders, monkeypatch):
    from tests.test_dashboard import open_page

    monkeypatch.setenv("EMBEDLAB_RUNS", str(folders["root"]))
    user = folders["events"].user_id.iloc[0]
    at = open_page("recommend", user=user, k="3")
    tables = [t.value for t in at.dataframe]
    assert [len(t) for t in tables[1:]] == [3, 3]  # the history, then als and i2v
    assert not set(tables[1].key) & _seen(folders["events"], user)


def test_exact_serving_in_small_chunks_gives_the_same_lists(folders, monkeypatch):
    from embedlab.core import serving

    for name in ("als", "i2v"):
        run = load_run(folders["root"] / name)
        codes = np.arange(run.log.n_users)
        whole = serve(run, codes, k=7)
        monkeypatch.setattr(serving, "CHUNK_SCORES", 2 * run.log.n_items + 1)  # 2 users a chunk
        assert np.array_equal(serve(run, codes, k=7).codes, whole.codes)
        monkeypatch.undo()
