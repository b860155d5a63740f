"""The Spark engine on a real local[2] session: the same counts, sessions and output layout as the
local engine, Spark ML's item2vec and ALS, evaluated by the same code."""

import json
import os

import pytest

from embedlab.core import ParameterError, io
from embedlab.core.cli import main
from embedlab.core.experiments.recs import evaluate_recs
from embedlab.core.logs import prepare
from embedlab.core.runs import load_run
from embedlab.core.spark import logs as spark_logs
from embedlab.core.spark import train as spark_train
from embedlab.core.spark.bridge import trainer
from embedlab.core.spark.session import get_session
from tests.paths import ROOT, ROWS, SAMPLE_ITEMS, SAMPLE_LOG


@pytest.fixture(scope="module")
def spark():
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    session = get_session("local[2]")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def sample():
    return prepare(SAMPLE_LOG, metadata=SAMPLE_ITEMS)


def test_same_counts_sessions_and_drops_as_local(spark, tmp_path):
    rows = [
        "user_id,item_id,timestamp,rating",
        "u1,a,1700000000,5",
        "u1,b,1700000100,4",
        "u1,c,1700009000,5",  # gap > 30 min: 2 sessions
        ",b,1700000001,4",
        "u2,,1700000002,3",
        "u2,c,soon,4",
        "u2,d,1700000100,five",
        "u2,a,1700000000,3",
        "u2,b,1700000050,2",
        "u3,a,1700000000,1",
        "u3,c,1700000060,5",
    ]
    path = tmp_path / "log.csv"
    path.write_text("\n".join(rows) + "\n")
    local = prepare(path, min_weight=2)
    events, report = spark_logs.prepare(spark, path, min_weight=2)
    assert (
        report.dropped
        == local.report.dropped
        == {
            "missing user id": 1,
            "missing item id": 1,
            "unparsable timestamp in 'timestamp'": 1,
            "unparsable weight in 'rating'": 1,
        }
    )
    assert report.sample_rows == local.report.sample_rows
    assert report.filtered == local.report.filtered == {"rating below 2": 1}
    assert (report.rows_kept, report.users, report.items, report.sessions) == (
        local.report.rows_kept,
        local.report.users,
        local.report.items,
        local.report.sessions,
    )
    assert report.columns == local.report.columns and report.time_unit == local.report.time_unit


def test_min_count_filters_match_local(spark):
    local = prepare(SAMPLE_LOG, min_item_count=60, min_user_count=30)
    _, report = spark_logs.prepare(spark, SAMPLE_LOG, min_item_count=60, min_user_count=30)
    assert report.filtered == local.report.filtered and len(report.filtered) == 2
    assert (report.rows_kept, report.users, report.items) == (
        len(local),
        local.n_users,
        local.n_items,
    )


def test_sessions_match_local_on_the_sample(spark, sample):
    events, report = spark_logs.prepare(spark, SAMPLE_LOG)
    assert report.sessions == sample.report.sessions and report.rows_kept == len(sample)
    got = sorted(tuple(r["items"]) for r in spark_train.sentences(events).collect())
    from embedlab.core.logs.sequences import sessions

    want = sorted(tuple(sample.items[s].tolist()) for s in sessions(sample))
    assert got == want


def test_cli_train_on_spark_writes_the_local_layout(tmp_path, capsys):
    out = tmp_path / "als"
    code = main(
        [
            "train",
            "--engine",
            "spark",
            "--master",
            "local[2]",
            "--log",
            str(SAMPLE_LOG),
            "--metadata",
            str(SAMPLE_ITEMS),
            "--method",
            "als",
            "--param",
            "iterations=5",
            "--out",
            str(out),
            "--json",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert (
        code == 0
        and report["engine"] == "spark"
        and report["items"] == 1000
        and report["users"] == 3000
    )
    assert report["log"]["rows_kept"] == ROWS
    emb = io.load(out)  # the folder opens like a local one, metadata included
    assert len(emb) == 1000 and emb.dim == 128 and "genre" in emb.metadata.columns
    # Spark's own regularisation default (ALS-WR), and users scored from the items as locally
    assert report["params"]["regularization"] == 0.05 and report["params"]["query"] == "items"
    assert report["data"]["query"]["chosen_by"] == "auto"
    assert not load_run(out).by_user
    assert len(io.load(out / "users.parquet")) == 3000
    assert len(io.load(out / "items.txt")) == 1000


def test_spark_and_local_metrics_in_the_same_range(spark, sample):
    """Tolerance: Spark's Word2Vec optimises hierarchical softmax and gensim negative sampling, and
    Spark's ALS scales regularisation by each row's count (ALS-WR) where implicit does not, so we
    ask for the same order of quality, not equal numbers: both far above popularity and within
    a factor of 1.5 of each other on HR@10."""
    for method, params in (("item2vec", {"epochs": 5}), ("als", {"iterations": 10})):
        local = evaluate_recs(sample, method, seed=0, max_users=1000, params=params)
        remote = evaluate_recs(
            sample, method, seed=0, max_users=1000, params=params, trainer=trainer(spark)
        )
        assert remote["catalog_items"] == local["catalog_items"]
        pop = local["baselines"]["popularity"]["hr"]
        assert remote["hr"] > 2 * pop and local["hr"] > 2 * pop, (
            method,
            local["hr"],
            remote["hr"],
            pop,
        )
        assert 1 / 1.5 < remote["hr"] / local["hr"] < 1.5, (method, local["hr"], remote["hr"])


def test_same_item_set(spark, sample):
    events, _ = spark_logs.prepare(spark, SAMPLE_LOG)
    items, users, _, _ = spark_train.train(events, "item2vec", params={"epochs": 1})
    assert set(items.toPandas()["key"]) == set(sample.items)


def test_spark_limits_are_clear_errors(spark, sample, capsys, tmp_path):
    events, _ = spark_logs.prepare(spark, SAMPLE_LOG)
    with pytest.raises(ParameterError, match="vocabulary × vector size"):
        spark_train.train(events, "item2vec", params={"vector_size": 300_000})
    with pytest.raises(ParameterError, match="the Spark engine trains item2vec, als, not 'graph'"):
        spark_train.check_method("graph")
    with pytest.raises(ParameterError, match="does not take negative"):
        spark_train.train(events, "item2vec", params={"negative": 5})
    code = main(
        [
            "train",
            "--engine",
            "spark",
            "--log",
            str(SAMPLE_LOG),
            "--user-col",
            "nope",
            "--method",
            "als",
            "--out",
            str(tmp_path / "never"),
        ]
    )
    assert code == 2 and "column 'nope'" in capsys.readouterr().err
    assert not (tmp_path / "never").exists()


def test_metadata_join_means_the_same_on_both_engines(spark, tmp_path):
    from embedlab.core.engines import LogSpec, get_engine

    log, meta = tmp_path / "l.csv", tmp_path / "m.csv"
    log.write_text("user_id,item_id\nu1,a\nu1,b\nu2,b\nu2,c\nu3,a\nu3,c\n")
    meta.write_text(
        "item_id,genre\n a ,x\nb,y\nb,z\nzz,w\n"
    )  # padded id, a duplicate, an unknown item
    local = prepare(log, metadata=meta)
    engine = get_engine("spark")
    engine.start()  # the module's session: getOrCreate returns it
    prepared = engine.prepare(LogSpec(str(log), metadata=str(meta)))
    assert prepared.report.metadata == local.report.metadata
    assert prepared.report.metadata["items_without_metadata"] == 1
    trained = engine.train(prepared, "als", 0, {"factors": 4, "iterations": 2}, None)
    remote = trained.payload[0].toPandas().set_index("key")["genre"].to_dict()
    assert (
        remote == dict(zip(local.items, local.item_metadata.genre)) == {"a": "x", "b": "y", "c": ""}
    )


def test_the_spark_prepared_log_on_the_driver_equals_the_local_log(spark, sample):
    from embedlab.core.spark.bridge import from_spark

    events, report = spark_logs.prepare(spark, SAMPLE_LOG)
    inter = from_spark(events, report)
    assert (
        inter.users.tolist() == sample.users.tolist()
        and inter.items.tolist() == sample.items.tolist()
    )
    for name in ("user", "item", "session", "time", "weight"):
        assert (getattr(inter, name) == getattr(sample, name)).all(), name
    assert inter.report.sessions == sample.report.sessions and inter.report is not report


def test_spark_engine_items_are_the_vectors_it_writes(spark, tmp_path):
    import numpy as np

    from embedlab.core.engines import LogSpec, get_engine, train_prepared

    engine = get_engine("spark", "local[2]")
    engine.start()
    prepared = engine.prepare(LogSpec(str(SAMPLE_LOG), metadata=str(SAMPLE_ITEMS)))
    run = train_prepared(engine, prepared, "als", seed=0, params={"iterations": 2})
    emb = engine.items(run.trained)
    engine.write(run.trained, prepared, tmp_path)
    written = io.load(tmp_path / "items.parquet")
    assert len(emb) == 1000 and emb.keys == written.keys
    assert np.array_equal(emb.vectors, written.vectors)
    assert list(emb.metadata.columns) == list(written.metadata.columns)
    assert "genre" in emb.metadata.columns and emb.provenance == run.trained.provenance


@pytest.mark.parametrize(
    "name,options",
    [
        ("mixed.csv", {}),  # BOM, CRLF, ';', decimal commas, a quoted ';', a wide row
        ("ratings.dat", {"columns": "user,item,rating,time"}),  # '::', no header
        ("latin1_c1.csv", {"item_col": "title"}),  # latin-1 (a byte cp1252 leaves undefined)
        ("cp1252.csv", {"item_col": "title"}),  # smart quotes and the euro sign
    ],
)
def test_spark_reads_odd_files_as_the_local_engine_does(spark, name, options):
    path = ROOT / "tests" / "data" / "corpus" / name
    local = prepare(path, **options)
    events, report = spark_logs.prepare(spark, path, **options)
    assert report.reading["described"] == local.report.reading["described"]
    assert (report.rows_read, report.rows_kept) == (local.report.rows_read, local.report.rows_kept)
    assert report.dropped == local.report.dropped
    assert report.sample_rows == local.report.sample_rows
    got = sorted(tuple(r) for r in events.select("user", "item", "weight").collect())
    weights = [None] * len(local) if local.weight is None else local.weight.tolist()
    want = zip(local.users[local.user], local.items[local.item], weights)
    assert got == sorted((u, i, None if w is None else float(w)) for u, i, w in want)
