"""Protocols that fit the log: basket completion, recent-history queries, the automatic choice."""

import math
from collections import Counter

import numpy as np
import pytest

from embedlab.core import DataError, Embeddings, ParameterError
from embedlab.core.evaluate.protocols import (
    basket_completion,
    choose_protocol,
    describe,
    make_split,
    recent_items,
)
from embedlab.core.evaluate.recs import Scorer, item_vector_scorer, itemcf_scorer, rank_metrics
from embedlab.core.experiments.recs import evaluate_recs
from embedlab.core.logs import prepare

BASKETS = [
    "milk,bread,eggs,,",
    "milk,,,,",
    "bread,butter,,,",
    "eggs,eggs,,,",  # 4th: one distinct item
    "jam,bread,milk,butter,eggs",
    "tea,,,,",
    "tea,milk,,,",
]


@pytest.fixture
def baskets(tmp_path):
    path = tmp_path / "groceries.csv"
    path.write_text("\n".join(BASKETS) + "\n")
    return prepare(path)


def basket_items(inter):
    """{session: set of item names} over the interactions."""
    out = {}
    for s, i in zip(inter.session, inter.item):
        out.setdefault(int(s), set()).add(inter.items[i])
    return out


def test_basket_file_is_completed_one_item_per_eligible_basket(baskets):
    assert baskets.baskets and choose_protocol(baskets) == "basket"
    split = basket_completion(baskets, max_cases=None, seed=0)
    whole = basket_items(baskets)
    eligible = {s for s, items in whole.items() if len(items) >= 2}
    assert len(eligible) == 4 and len(split.held_out) == len(
        eligible
    )  # milk-only, eggs-eggs, tea: not
    left = basket_items(split.train)
    for case, item in enumerate(split.held_out):
        name = baskets.items[item]
        basket = next(
            s for s in eligible if whole[s] - left.get(s, set()) == {name}
        )  # exactly this one left
        others = whole[basket] - {name}
        assert {baskets.items[i] for i in split.context[case].indices} == others
        assert np.array_equal(split.exclude[case].indices, split.context[case].indices)
    assert {s: i for s, i in left.items() if s not in eligible} == {
        s: whole[s] for s in whole if s not in eligible
    }
    assert len(baskets) - len(split.train) == len(
        eligible
    )  # one row per eligible basket left training


def test_basket_hold_outs_are_seeded(baskets):
    a, b = (basket_completion(baskets, None, seed=7) for _ in range(2))
    assert np.array_equal(a.held_out, b.held_out) and np.array_equal(a.users, b.users)
    others = {tuple(basket_completion(baskets, None, seed=s).held_out) for s in range(12)}
    assert len(others) > 1  # the seed decides which item is held out


def test_repeated_item_in_a_basket_leaves_training_entirely(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text("a,a,b,,\nc,,,,\nd,,,,\n")
    inter = prepare(path)
    for seed in range(6):
        split = basket_completion(inter, None, seed)
        held = inter.items[split.held_out[0]]
        assert held not in {inter.items[i] for i in split.train.item[split.train.session == 0]}


def test_max_cases_samples_baskets_and_keeps_the_rest_whole(baskets):
    split = basket_completion(baskets, max_cases=2, seed=1)
    assert len(split.held_out) == 2 and len(baskets) - len(split.train) == 2


def test_no_basket_to_complete_is_a_data_error(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text("a,,,\nb,,,\nc,c,,\n")
    with pytest.raises(DataError, match="two or more distinct items"):
        basket_completion(prepare(path), None)


def test_invoices_in_a_timed_log_are_baskets(tmp_path):
    rows = ["customer_id,item_id,timestamp"]
    for c in range(5):
        rows += [
            f"c{c},i{j},2011-01-0{1 + j // 3} 10:00" for j in range(6)
        ]  # two invoices of 3 items
    (tmp_path / "inv.csv").write_text("\n".join(rows) + "\n")
    inter = prepare(tmp_path / "inv.csv")
    assert (
        choose_protocol(inter) == "basket"
        and choose_protocol(inter, "leave-last-out") == "leave-last-out"
    )
    with pytest.raises(ParameterError, match="protocol 'x'"):
        choose_protocol(inter, "x")


@pytest.fixture
def timed(tmp_path):
    rows = [
        ("u1", "a", 1),
        ("u1", "b", 2),
        ("u1", "c", 3),
        ("u1", "d", 4),
        ("u1", "e", 5),
        ("u2", "a", 1),
        ("u2", "e", 2),
    ]
    (tmp_path / "l.csv").write_text(
        "user_id,item_id,timestamp\n" + "".join(f"{u},{i},{t}\n" for u, i, t in rows)
    )
    return prepare(tmp_path / "l.csv")


def test_recent_items_weights_the_last_n_by_recency(timed):
    split = make_split(timed, "auto", None, history=3, decay=0.5)
    assert split.protocol == "leave-last-out"
    q = split.context.toarray()
    names = list(timed.items)
    u1 = {names[i]: w for i, w in enumerate(q[0]) if w}
    assert u1 == {"d": 1.0, "c": 0.5, "b": 0.25}  # held out: e; the three before it, newest first
    assert {names[i]: w for i, w in enumerate(q[1]) if w} == {"a": 1.0}  # u2 has one training item
    assert recent_items(split.train, split.users, 1).nnz == 2
    with pytest.raises(ParameterError, match=r"history\(0\)"):
        make_split(timed, history=0)


def test_item_scorer_scores_from_the_history_mean(timed):
    # exact cosines: from the last item (d) alone, and from the mean of the unit vectors of b, c, d
    keys = ["a", "b", "c", "d", "e"]
    vecs = np.array([[0.0, 1.0], [-1.0, 0.2], [0.0, 1.0], [1.0, 0.0], [0.2, 0.9]], dtype=np.float32)
    emb = Embeddings(keys, vecs)
    split = make_split(timed, "auto", None, history=3)
    scorer = item_vector_scorer("v", emb, split.train)
    s_last = scorer(split.users, split.last)
    s_hist = scorer(split.users, split.last, split.context)
    mean = vecs[1] / np.linalg.norm(vecs[1]) + vecs[2] + vecs[3]
    mean /= np.linalg.norm(mean)
    unit = vecs / np.linalg.norm(vecs, axis=1, keepdims=True)
    order = [list(timed.items).index(k) for k in keys]
    assert s_hist[0, order] == pytest.approx(unit @ mean, abs=1e-6)
    assert s_last[0, order] == pytest.approx(unit @ unit[3], abs=1e-6)


def test_itemcf_from_context_is_the_sum_of_cosines_to_the_baskets_items(baskets):
    split = basket_completion(baskets, None, 0)
    scores = itemcf_scorer(split.train)(split.users, split.last, split.context)
    # brute force from the definition: an item is its column of training events per user (a
    # repeated event counts twice: "eggs,eggs"); the cosine of two items is their dot product over
    # their norms (0 for an item nobody has); a candidate scores the sum of its cosines to the
    # basket's other items
    events: dict[int, Counter] = {}
    for u, i in zip(split.train.user.tolist(), split.train.item.tolist()):
        events.setdefault(i, Counter())[u] += 1

    def cosine(a: int, b: int) -> float:
        x, y = events.get(a, Counter()), events.get(b, Counter())
        dot = sum(n * y[u] for u, n in x.items())
        norms = math.sqrt(sum(n * n for n in x.values()) * sum(n * n for n in y.values()))
        return dot / norms if norms else 0.0

    assert split.context.data.tolist() == [1.0] * split.context.nnz  # (unweighted: a basket)
    for case in range(len(split.users)):
        context = split.context[case].indices.tolist()
        expected = [sum(cosine(c, j) for c in context) for j in range(baskets.n_items)]
        assert scores[case].tolist() == pytest.approx(expected, abs=1e-6), case


def test_basket_ranking_excludes_the_basket_not_the_users_history(baskets):
    split = basket_completion(baskets, None, 0)
    n = baskets.n_items
    s = np.arange(n, dtype=np.float32)  # a fixed order: higher code ranks first
    m = rank_metrics(
        Scorer(
            "fixed",
            n,
            lambda u, last: np.tile(s, (len(u), 1)),  # noqa: ARG005 - a Scorer's signature
        ),
        split,
        split.train.item_counts(),
        k=1,
    )
    for case, held in enumerate(split.held_out):
        in_basket = set(split.context[case].indices)
        above = [j for j in range(n) if j > held and j not in in_basket]
        assert m["_ranks"][case] == 1 + len(above)


def test_evaluate_recs_states_the_protocol(baskets, timed):
    rep = evaluate_recs(baskets, "svd", k=2, max_users=None, params={"factors": 2})
    assert rep["protocol"]["name"] == "basket" and rep["users_evaluated"] == 4
    assert "basket completion" in rep["protocol"]["description"]
    rep = evaluate_recs(timed, "svd", k=2, max_users=None, params={"factors": 1}, history=2)
    assert rep["protocol"]["name"] == "leave-last-out" and rep["protocol"]["history"] == 2
    assert "mean of the last 2 items" in rep["protocol"]["description"]


def test_cli_evaluate_recs_takes_the_protocol_and_history(baskets, timed, capsys):
    import json

    from embedlab.core.cli import main

    log = str(baskets.report.source)
    assert (
        main(
            [
                "evaluate",
                "recs",
                "--log",
                log,
                "--method",
                "svd",
                "--param",
                "factors=2",
                "--k",
                "2",
                "--json",
            ]
        )
        == 0
    )
    rep = json.loads(capsys.readouterr().out)
    assert (
        rep["protocol"]["name"] == "basket" and 0 <= rep["hr_lo"] <= rep["hr"] <= rep["hr_hi"] <= 1
    )
    assert (
        main(
            [
                "evaluate",
                "recs",
                "--log",
                str(timed.report.source),
                "--method",
                "item2vec",
                "--history",
                "3",
                "--history-decay",
                "0.5",
                "--k",
                "2",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "mean of the last 3 items weighted 0.5^age" in out and "95% interval" in out
    assert main(["evaluate", "recs", "--log", log, "--method", "svd", "--history", "0"]) == 2
    assert "history(0)" in capsys.readouterr().err


def test_cli_tuning_uses_the_chosen_protocol(timed, capsys):
    import json

    from embedlab.core.cli import main

    code = main(
        [
            "evaluate",
            "recs",
            "--log",
            str(timed.report.source),
            "--method",
            "svd",
            "--k",
            "2",
            "--param",
            "factors=1",
            "--protocol",
            "basket",
            "--tune",
            "--trials",
            "1",
            "--json",
        ]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    rep = json.loads(out.out)
    assert rep["protocol"]["name"] == "basket" and rep["tuning"]["protocol"]["name"] == "basket"


# Leave-last-out with ties, worked by hand.  THE TIE RULES (docs/TRAINING.md, "Ties"):
# - tied timestamps: among the events at a user's LAST TIMESTAMP, the held-out one is DRAWN WITH
#   THE SEED (not the file's order); the other events of that moment STAY IN TRAINING, and the
#   query ("last") is read in the same seeded order, so it is the tied event not drawn;
# - tied scores: the held-out item takes the MIDDLE RANK of its tied group,
#   1 + (candidates scoring higher) + (others tied with it) / 2;
# - candidates are the whole catalog minus the user's training items; a user whose held-out item
#   is among them (a repeat) is skipped and counted, a user with one event is not evaluated.
TIED_LOG = [  # user, item, time, in file order
    ("u1", "a", 1),
    ("u1", "b", 2),
    ("u1", "d", 3),
    ("u1", "c", 3),  # tied with d: one of c, d is held out (seeded), the other is the query
    ("u2", "e", 10),
    ("u2", "a", 7),
    ("u2", "f", 10),  # tied with e: one of e, f is held out (seeded), the other is the query
    ("u3", "b", 1),
    ("u3", "b", 2),  # held out b, already seen in training: skipped, counted as a repeat
    ("u4", "c", 5),  # one event: not evaluated
]
FIXED_SCORES = {"a": 3.0, "b": 2.0, "c": 1.0, "d": 1.5, "e": 2.0, "f": 1.0}
# Every possible draw, by hand: held-out item -> (query item, training items, rank of the held-out)
TIED_OUTCOMES = {
    # u1 candidates = catalog - training items; held c: c=1, e=2, f=1 -> 1 + 1 (e) + 1/2 (f) = 2.5
    #                                         held d: d=1.5, e=2, f=1 -> 1 + 1 (e) = 2
    "u1": {"c": ("d", "abd", 2.5), "d": ("c", "abc", 2.0)},
    # u2 held f: b=2, c=1, d=1.5, f=1 -> 1 + 2 (b, d) + 1/2 (c) = 3.5
    #    held e: b=2, c=1, d=1.5, e=2 -> 1 + 0 + 1/2 (b) = 1.5
    "u2": {"f": ("e", "ae", 3.5), "e": ("f", "af", 1.5)},
}


@pytest.fixture
def tied(tmp_path):
    path = tmp_path / "tied.csv"
    path.write_text(
        "user_id,item_id,timestamp\n" + "".join(f"{u},{i},{t}\n" for u, i, t in TIED_LOG)
    )
    return prepare(path)


def test_leave_last_out_with_tied_timestamps_and_tied_scores_by_hand(tied):
    inter = tied
    # sessions unfold over several timestamps (none happens at one instant): not baskets
    assert choose_protocol(inter) == "leave-last-out"

    def user(codes):
        return [str(inter.users[c]) for c in codes]

    def item(codes):
        return [str(inter.items[c]) for c in codes]

    scores = np.array([FIXED_SCORES[str(name)] for name in inter.items], dtype=np.float32)
    scorer = Scorer("fixed", inter.n_items, lambda u, last: np.tile(scores, (len(u), 1)))  # noqa: ARG005
    drawn = {"u1": Counter(), "u2": Counter()}
    for seed in range(40):
        split = make_split(inter, max_users=None, seed=seed)
        assert user(split.users) == ["u1", "u2"] and split.skipped_repeat == 1
        assert split.ties == 2 and describe(split)["ties"]["cases"] == 2
        trained = {u: "" for u in ("u1", "u2", "u3", "u4")}
        for u, i in sorted(zip(user(split.train.user), item(split.train.item))):
            trained[u] += i
        assert trained["u3"] == "b" and trained["u4"] == "c"
        m = rank_metrics(scorer, split, split.train.item_counts(), k=3, intervals=False)
        for case, (u, held, last) in enumerate(
            zip(user(split.users), item(split.held_out), item(split.last))
        ):
            query, training, rank = TIED_OUTCOMES[u][held]
            assert (last, trained[u], m["_ranks"][case]) == (query, training, rank), (seed, u)
            drawn[u][held] += 1
    # the draw is the seed's, not the file's: both tied events are held out under some seeds,
    # about half the time each (binomial(40, 1/2): 12..28 holds with probability > 0.99)
    assert all(12 <= n <= 28 for counts in drawn.values() for n in counts.values())
    assert {u: set(c) for u, c in drawn.items()} == {"u1": {"c", "d"}, "u2": {"e", "f"}}
    again = make_split(inter, max_users=None, seed=7)
    assert item(again.held_out) == item(make_split(inter, max_users=None, seed=7).held_out)


def test_ties_in_a_log_without_ties_change_nothing(timed):
    # no two events of a user share a timestamp: the seed does not move the held-out event
    held = {tuple(make_split(timed, max_users=None, seed=s).held_out) for s in range(5)}
    assert len(held) == 1 and make_split(timed, max_users=None).ties == 0
