"""An item's context is a declared choice: time-gap sessions, the user's whole history, or
baskets; ``auto`` follows the log's measured shape, and the result says which and why."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from embedlab.core.cli import main
from embedlab.core.evaluate.protocols import make_split
from embedlab.core.logs import prepare
from embedlab.core.logs import sequences as seqmod
from embedlab.core.logs.sequences import histories, sequences, sessions
from embedlab.core.logs.shape import (
    LogShape,
    choose_context,
    context_for,
    log_shape,
    query_items,
)
from embedlab.core.train import make_params, train, trainer
from embedlab.core.train.graph import cooccurrence
from tests.paths import SAMPLE_LOG


def _log(tmp_path, rows, name="log.csv"):
    path = tmp_path / name
    pd.DataFrame(rows, columns=["user", "item", "timestamp"]).to_csv(path, index=False)
    return prepare(path)


@pytest.fixture
def two_users(tmp_path):
    """u1: a b (same second) · c an hour later; u2: d e f, minutes apart."""
    return _log(
        tmp_path,
        [
            ("u1", "a", 0),
            ("u1", "b", 0),
            ("u1", "c", 3600),
            ("u2", "d", 0),
            ("u2", "e", 60),
            ("u2", "f", 120),
        ],
    )


def _names(inter, seqs):
    return [[str(inter.items[c]) for c in s] for s in seqs]


def test_history_is_each_users_events_in_time_order_and_sessions_split_at_the_gap(two_users):
    assert _names(two_users, histories(two_users)) == [["a", "b", "c"], ["d", "e", "f"]]
    assert _names(two_users, sessions(two_users)) == [["a", "b"], ["d", "e", "f"]]  # c is alone
    assert _names(two_users, sequences(two_users, "baskets")) == [["a", "b"], ["d", "e", "f"]]


def test_a_history_longer_than_gensims_sentence_limit_is_cut_into_pieces(two_users, monkeypatch):
    monkeypatch.setattr(seqmod, "MAX_SEQUENCE", 2)
    assert _names(two_users, histories(two_users)) == [["a", "b"], ["d", "e"]]  # c, f alone


def test_tied_share_counts_events_sharing_a_timestamp_with_the_same_user(two_users):
    shape = log_shape(two_users)
    assert shape.tied_share == pytest.approx(2 / 6)  # a and b; d, e, f are distinct
    assert (shape.users, shape.history_median, shape.lone_share) == (2, 3.0, pytest.approx(1 / 6))


def _shape(**changes):
    base = dict(
        events=1000,
        users=100,
        items=50,
        sessions=300,
        timed=True,
        basket_file=False,
        session_column=False,
        history_median=10.0,
        moments_median=10.0,
        tied_share=0.0,
        session_median=3.0,
        sessions_per_user=3.0,
        lone_share=0.1,
        instant_sessions=0.0,
    )
    return LogShape(**{**base, **changes})


@pytest.mark.parametrize(
    "changes, context, words",
    [
        ({"basket_file": True, "tied_share": 0.9}, "baskets", "basket file"),
        ({"tied_share": 0.23}, "history", "23% of events share their timestamp"),
        ({"tied_share": 0.05, "lone_share": 0.6}, "history", "60% of events are alone"),
        ({"tied_share": 0.05, "lone_share": 0.2}, "sessions", "ordered sessions"),
    ],
)
def test_the_context_rule_follows_the_shape_and_says_why(changes, context, words):
    choice = choose_context(_shape(**changes))
    assert choice.name == context and words in choice.reason and choice.chosen_by == "auto"


def test_a_given_context_wins_and_is_said_to_be_given(two_users):
    choice = context_for(two_users, "baskets")
    assert (choice.name, choice.chosen_by) == ("baskets", "given")
    assert choice.reason.startswith(
        "set as a parameter (or by tuning); the log's shape suggests history (33%"
    )


@pytest.fixture
def rating_log(tmp_path):
    """Forty users rating films in sittings of tied timestamps (a rating log's shape)."""
    rng = np.random.default_rng(0)
    rows = [
        (f"u{u}", f"m{int(m)}", 1000 * (u + 1) + n // 4)
        for u in range(40)
        for n, m in enumerate(rng.choice(30, 12, replace=False))
    ]
    return _log(tmp_path, rows, "ratings.csv")


def test_item2vec_on_a_rating_log_learns_from_histories_with_the_history_defaults(rating_log):
    t = trainer("item2vec")
    params = make_params(t, {}, rating_log)
    assert (params.context, params.window, params.sample) == ("auto", 20, 1e-4)
    given = make_params(t, {"context": "sessions"}, rating_log)
    assert (given.context, given.window, given.sample) == ("sessions", 3, 1e-3)  # its defaults
    result = train(rating_log, "item2vec", epochs=2)
    assert result.data["context"]["name"] == "history"
    assert "share their timestamp" in result.data["context"]["reason"]
    assert result.data["sequences"] == 40  # one per user


def test_graph_edges_follow_the_context(two_users):
    """History: c follows b in u1's history (an hour apart), which sessions never pair."""
    code = {str(k): i for i, k in enumerate(two_users.items)}
    by_history = cooccurrence(two_users, 1, "history").toarray()
    by_session = cooccurrence(two_users, 1, "sessions").toarray()
    assert by_history[code["b"], code["c"]] == 1 and by_session[code["b"], code["c"]] == 0
    assert by_session[code["a"], code["b"]] == by_history[code["a"], code["b"]] == 1
    baskets = cooccurrence(two_users, 1, "baskets").toarray()
    assert baskets[code["d"], code["f"]] == 1 and by_session[code["d"], code["f"]] == 0


def test_evaluation_scores_a_history_log_from_the_recent_items(rating_log):
    assert query_items(log_shape(rating_log)) == 5
    assert query_items(log_shape(prepare(SAMPLE_LOG))) == 1
    split = make_split(rating_log, "leave-last-out")
    assert split.history == 5
    assert np.all(np.asarray(split.context.sum(axis=1)).ravel() == 5)  # 11 training events each
    assert make_split(rating_log, "leave-last-out", history=1).history == 1


def test_the_cli_report_says_which_context_and_why(rating_log, tmp_path):
    src = tmp_path / "ratings.csv"  # the fixture's file
    out = tmp_path / "out"
    main(
        [
            "train",
            "--log",
            str(src),
            "--method",
            "item2vec",
            "--param",
            "context=sessions",
            "--param",
            "epochs=2",
            "--out",
            str(out),
        ]
    )
    report = json.loads((out / "report.json").read_text())
    context = report["data"]["context"]
    assert (context["name"], context["chosen_by"]) == ("sessions", "given")
    assert "suggests history" in context["reason"]
    assert report["params"]["context"] == "sessions" and report["params"]["window"] == 3


def test_the_train_page_offers_the_context_from_the_declaration_alone(monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.paths import ROOT

    monkeypatch.setattr("embedlab.core.limits._serving", False)  # the app makes itself a server
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("views/train.py").run()
    assert not at.exception, [e.value for e in at.exception]
    context = at.selectbox(key="train.item2vec.context")
    assert context.options == ["auto", "sessions", "history", "baskets"] and context.value == "auto"
    assert at.number_input(key="train.item2vec.window").value == 3  # the sample log: sessions
