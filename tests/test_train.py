"""Every trainer: determinism, shapes, same-space user vectors, the embedding-layer identity."""

import json

import numpy as np
import pytest

from embedlab.core import ParameterError, io
from embedlab.core.cli import main
from embedlab.core.evaluate.recs import metadata_consistency
from embedlab.core.logs import prepare
from embedlab.core.logs.shape import context_for
from embedlab.core.sample import generate
from embedlab.core.train import TRAINING_METHODS, declared, make_params, train, trainer
from embedlab.core.train.graph import cooccurrence, random_walks
from tests.paths import BASKETS, ROWS, SAMPLE_ITEMS, SAMPLE_LOG

FAST = {
    "item2vec": {"epochs": 3},
    "graph": {"walks_per_item": 3, "epochs": 2},
    "supervised": {"epochs": 2},
    "als": {"factors": 16},
    "svd": {"factors": 16},
}


@pytest.fixture(scope="module")
def small_log(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    generate(users=300, items=80, seed=5).write(out)
    return prepare(out / "interactions.csv", metadata=out / "items.csv")


@pytest.mark.parametrize("method", TRAINING_METHODS)
def test_trainer_contract(small_log, method):
    progress = []
    a = train(
        small_log,
        method,
        seed=3,
        progress=lambda f, m: progress.append(f),  # noqa: ARG005 - a progress callback
        **FAST[method],
    )
    b = train(small_log, method, seed=3, **FAST[method])
    assert np.array_equal(a.items.vectors, b.items.vectors), "same seed must give identical vectors"
    assert (
        set(a.items.keys) <= set(small_log.items.tolist())
        and len(a.items) >= 0.9 * small_log.n_items
    )
    assert a.items.provenance.seed == 3 and a.items.provenance.data_hash.startswith("sha256:")
    assert "genre" in a.items.metadata.columns and "events" in a.items.metadata.columns
    assert progress and progress[-1] == 1.0 and progress == sorted(progress)
    c = train(small_log, method, seed=4, **FAST[method])
    assert not np.array_equal(a.items.vectors, c.items.vectors)


@pytest.mark.parametrize("method", ["als", "svd"])
def test_mf_users_share_the_item_space(small_log, method):
    res = train(small_log, method, seed=0, **FAST[method])
    assert res.users.dim == res.items.dim and len(res.users) == small_log.n_users
    # a user's top-scored items are mostly items of the genres they actually watched
    u = 0
    scores = res.users.vectors[u] @ res.items.vectors.T
    top = np.argsort(-scores)[:10]
    watched = set(small_log.item_metadata.genre.iloc[small_log.item[small_log.user == u]])
    assert np.mean([res.items.metadata.genre.iloc[i] in watched for i in top]) >= 0.6


@pytest.fixture
def networks(monkeypatch):
    """The MLPClassifier instances the supervised trainer builds, so a test can read their
    weights."""
    import sklearn.neural_network as nn

    made = []

    class Recorded(nn.MLPClassifier):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            made.append(self)

    monkeypatch.setattr(nn, "MLPClassifier", Recorded)
    return made


def test_supervised_first_layer_is_the_embedding_table(small_log, networks):
    res = train(small_log, "supervised", seed=0, epochs=2)
    (net,) = networks
    table = net.coefs_[
        0
    ]  # (n_items, dim): the weights from the one-hot item input to the hidden layer
    assert table.shape == (small_log.n_items, res.items.dim)
    assert np.array_equal(res.items.vectors, table.astype(np.float32))
    # the rest of the network reads an item only through its row: softmax((row + b0) @ W1 + b1)
    ids = np.array([0, 5, 17])
    hidden = res.items.vectors[ids].astype(np.float64) + net.intercepts_[0]
    logits = hidden @ net.coefs_[1] + net.intercepts_[1]
    proba = np.exp(logits - logits.max(axis=1, keepdims=True))
    proba /= proba.sum(axis=1, keepdims=True)
    one_hot = np.zeros((len(ids), small_log.n_items))
    one_hot[np.arange(len(ids)), ids] = 1
    np.testing.assert_allclose(net.predict_proba(one_hot), proba, rtol=1e-4, atol=1e-6)


def test_supervised_can_predict_a_label(small_log, networks):
    res = train(small_log, "supervised", seed=0, target="genre", epochs=30)
    labels = small_log.item_metadata.genre.astype(str).to_numpy()
    assert res.data["classes"] == len(set(labels))
    (net,) = networks
    predicted = net.predict(np.eye(small_log.n_items))  # each item's one-hot input
    chance = max(np.mean(labels == g) for g in set(labels))  # always answering the commonest genre
    accuracy = np.mean(predicted == labels)
    assert accuracy > 0.9 and accuracy > chance + 0.5, (accuracy, chance)
    with pytest.raises(ParameterError, match="target 'year'"):
        train(small_log, "supervised", target="year")


def test_unknown_parameters_are_named(small_log):
    with pytest.raises(ParameterError, match="unknown item2vec parameter.*windw"):
        train(small_log, "item2vec", windw=3)
    with pytest.raises(ParameterError, match="method 'word2vec'"):
        train(small_log, "word2vec")


@pytest.mark.parametrize(
    "given, message",
    [
        ({"epochs": -1}, r"item2vec parameter epochs\(-1\) must be >= 1"),
        ({"epochs": "many"}, r"epochs\('many'\) must be an integer"),
        ({"sample": float("nan")}, r"sample\(nan\) must be a finite number"),
        ({"sg": 2}, r"sg\(2\) must be one of 0, 1"),
    ],
)
def test_invalid_parameter_values_are_typed_errors(small_log, given, message):
    with pytest.raises(ParameterError, match=message):
        train(small_log, "item2vec", **given)


@pytest.mark.parametrize("method", TRAINING_METHODS)
def test_every_trainer_declares_its_parameters_and_a_searchable_space(method, small_log):
    t = trainer(method)
    spec = {d["name"]: d for d in declared(t.Params)}
    assert spec and all(d["help"] for d in spec.values())
    defaults = t.Params()
    for dim in t.space:
        assert dim.name in spec  # every searched name is a declared parameter...
        for v in dim.choices or (dim.low, dim.high):
            make_params(t, {dim.name: v})  # ...whose searched range is inside its valid bounds
        # and tuning's trial 0, the defaults, is a point of the space searched
        v = getattr(defaults, dim.name)
        if dim.name == "context" and v == "auto":  # trial 0 takes the context auto resolves to
            v = context_for(small_log).name
        if dim.name == "query" and v == "auto":  # ... and the query (ALS, SVD)
            v = t.query("auto").name
        inside = v in dim.choices if dim.choices else dim.low <= v <= dim.high or v == dim.off
        assert inside, (dim, v)


def test_item2vec_defaults_follow_the_log_shape(small_log, tmp_path):
    path = tmp_path / "baskets.csv"
    path.write_text("milk,bread,eggs,,\nbread,butter,,,\njam,bread,milk,butter,eggs\ntea,milk,,,\n")
    baskets = prepare(path)
    assert baskets.baskets and not small_log.baskets
    assert (
        train(baskets, "item2vec", epochs=1).params["sample"] == 1e-5
    )  # whole baskets as contexts
    assert train(small_log, "item2vec", epochs=1).params["sample"] == 1e-3  # ordered sessions
    assert (
        train(baskets, "item2vec", epochs=1, sample=1e-3).params["sample"] == 1e-3
    )  # a given value wins


def test_evaluation_does_not_import_training():
    import ast
    from pathlib import Path

    from embedlab.core import evaluate

    for path in Path(evaluate.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        names = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        names += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [
            m
            for m in names
            if m.removeprefix("embedlab.").startswith(("core.train", "..train", "train"))
        ], path.name


def test_cooccurrence_and_walks_follow_edges(tmp_path):
    log = prepare_inline(tmp_path, [("u", "a"), ("u", "b"), ("u", "c"), ("v", "c"), ("v", "d")])
    g = cooccurrence(log, window=1)
    names = log.items.tolist()
    edges = {(names[i], names[j]) for i, j in zip(*g.nonzero())}
    assert edges == {("a", "b"), ("b", "a"), ("b", "c"), ("c", "b"), ("c", "d"), ("d", "c")}
    for p, q in [(1, 1), (0.25, 4), (4, 0.25)]:
        for walk in random_walks(g, 2, 6, p, q, seed=1):
            assert all(g[x, y] > 0 for x, y in zip(walk[:-1], walk[1:]))


def prepare_inline(folder, pairs):
    path = folder / "l.csv"
    path.write_text("user_id,item_id\n" + "".join(f"{u},{i}\n" for u, i in pairs))
    return prepare(path)


def test_node2vec_return_bias_changes_walks(tmp_path):
    log = prepare_inline(tmp_path, [("u", x) for x in "abcdefgh"] + [("v", x) for x in "hgfedcba"])
    g = cooccurrence(log, window=3)
    back_low = random_walks(g, 20, 30, p=100.0, q=1.0, seed=0)  # rarely step back
    back_high = random_walks(g, 20, 30, p=0.01, q=1.0, seed=0)  # mostly step back

    def returns(walks):
        return np.mean([np.mean(w[2:] == w[:-2]) for w in walks])

    assert returns(back_high) > 3 * returns(back_low)


def test_sample_data_quality_and_cli(tmp_path, capsys):
    """Done-means on the committed sample: all five methods train from the CLI, and genre
    consistency@10 is far above chance for item2vec and MF."""
    for method in TRAINING_METHODS:
        out = tmp_path / method
        code = main(
            [
                "train",
                "--log",
                str(SAMPLE_LOG),
                "--metadata",
                str(SAMPLE_ITEMS),
                "--method",
                method,
                "--out",
                str(out),
                "--json",
                "--seed",
                "1",
            ]
        )
        report = json.loads(capsys.readouterr().out)
        assert code == 0 and report["items"] == 1000 and report["log"]["rows_kept"] == ROWS
        assert {"items.parquet", "items.txt"} <= {p.name for p in out.iterdir()}
        emb = io.load(out)  # the folder opens as its item vectors, with metadata
        assert len(emb) == 1000 and "title" in emb.metadata.columns
        if method in ("item2vec", "als"):
            cons = metadata_consistency(emb, "genre", k=10)
            assert cons["consistency"] > 0.8 > 5 * cons["chance"]
        if method == "als":
            assert len(io.load(out / "users.parquet")) == 3000


def test_basket_item2vec_and_neighbours(tmp_path, capsys):
    out = tmp_path / "baskets"
    assert main(["train", "--log", str(BASKETS), "--method", "item2vec", "--out", str(out)]) == 0
    capsys.readouterr()
    query = "ALARM CLOCK BAKELIKE PINK"
    assert main(["neighbours", query, "--vectors", str(out), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["query"] == query and len(res["results"]) == 10
    assert all(r["key"] != query and "events" in r for r in res["results"])


def test_graph_passes_item2vec_options_on(small_log):
    base = train(small_log, "graph", seed=1, walks_per_item=3, epochs=2)
    other = train(small_log, "graph", seed=1, walks_per_item=3, epochs=2, sample=0)
    assert (
        other.params["sample"] == 0 and base.params["sample"] == 1e-3
    )  # every declared parameter reported
    assert not np.array_equal(
        base.items.vectors, other.items.vectors
    )  # the option reached skip-gram


@pytest.mark.parametrize(
    "name", ["embedlab.core.train", "embedlab.core.train.base", "embedlab.core.logs.matrix"]
)
def test_docstring_examples_of_the_trainer_api_run(name, monkeypatch):
    import doctest
    import importlib

    from tests.paths import ROOT

    monkeypatch.chdir(ROOT)
    result = doctest.testmod(
        importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert result.failed == 0 and result.attempted > 0, result
