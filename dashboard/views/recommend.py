"""One user's recommendations from two or more training folders, side by side."""

import pandas as pd
import streamlit as st

from embedlab.core.errors import EmbedlabError
from embedlab.core.recommend import NOTHING, history_frame, recommend, users_with_item
from embedlab.core.recommend_figure import popularity_figure, shared_keys
from embedlab.core.serving import SERVING_METHODS
from embedlab.dashboard import share, state
from embedlab.dashboard.state import runs
from embedlab.dashboard.text import md
from embedlab.dashboard.views import guarded, show_error

RUNS = state.Control("recommend.runs", "runs", [])
USER = state.Control("recommend.user", "user", "")
K = state.Control("recommend.k", "k", 10)
SEARCH = state.Control("recommend.search", "search", "exact")
FIND = state.Control("recommend.find", None, "")
HISTORY_ROWS = 200
COLUMNS = {
    "#": st.column_config.NumberColumn(width=40),
    "★": st.column_config.TextColumn(width=30),
    "title": st.column_config.TextColumn(width="medium"),
    "why": st.column_config.TextColumn(width="medium"),
}


@guarded
def page():
    st.header("Recommend")
    names = runs.run_names()
    if not names:
        st.info(
            md(
                "No training folder to recommend from yet. Training folders are read from the "
                f"runs folder: ${runs.RUNS_ENV} when the server sets it, else runs/ in its "
                "workspace folder; train one into it (embedlab train --out <runs folder>/NAME)."
            )
        )
        return
    c1, c2, c3 = st.columns([4, 1, 1])
    chosen = c1.multiselect(
        "Training folders",
        names,
        key=RUNS.init(names, default=names[:2]),
        help="Two or more, side by side: folders with user vectors recommend by the user's "
        "vector, the others from the user's recent history (as the evaluation scores them)",
    )
    k = int(c2.number_input("k", 1, 100, key=K.init()))
    search = c3.selectbox(
        "Search",
        SERVING_METHODS,
        key=SEARCH.init(SERVING_METHODS),
        help="exact: every item scored; hnsw: approximate (faiss HNSW), its recall against "
        "exact search measured and shown",
    )
    if not chosen:
        st.info("Pick one or more training folders.")
        return
    loaded = {name: runs.run(name) for name in chosen}
    first = next(iter(loaded.values()))
    user = _pick_user(first)
    _history(first, user)
    results = _results(loaded, user, k, search)
    if results:
        _side_by_side(results)
        _figure(results, user, k)
    share.copy_link("recommend")


def _pick_user(run) -> str:
    """The user id box, and users found by an item in their history."""
    c1, c2 = st.columns([1, 2])
    user = c1.text_input(
        "User id", key=USER.init(default=str(run.log.users[0])), help="a user id of the log"
    ).strip()
    text = c2.text_input(
        "…or find users by an item in their history",
        key=FIND.init(),
        placeholder="a title or an item key",
    )
    if text.strip():
        found = users_with_item(run, text, limit=8)
        titles = list(dict.fromkeys(found.title))
        st.caption(
            md(
                "No item matches that."
                if found.empty
                else f"Users with {' or '.join(titles)} in their history, longest histories first:"
            )
        )
        for col, row in zip(st.columns(4) * 2, found.itertuples()):
            col.button(
                md(f"{row.user} ({row.events:,} events)"),
                key=f"recommend.pick.{row.user}",
                on_click=USER.set,
                args=(row.user,),
            )
    return user


def _history(run, user: str) -> None:
    hist = history_frame(run, user)
    st.subheader(md(f"User {user}: {len(hist):,} events, most recent first"))
    shown = hist.head(HISTORY_ROWS)
    cols = ["title", "key"] + [c for c in ("time", "weight") if c in shown]
    st.dataframe(shown[cols], hide_index=True, width="stretch", height=220)


def _results(loaded: dict, user: str, k: int, search: str) -> dict:
    out = {}
    for name, run in loaded.items():
        try:
            index = runs.index(run) if search == "hnsw" else None
            out[name] = recommend(run, user, k, search, index=index)
        except EmbedlabError as exc:
            st.caption(md(f"{name}:"))
            show_error(exc)
    return out


def _side_by_side(results: dict) -> None:
    lists = {n: r.table["key"].tolist() for n, r in results.items()}
    shared = shared_keys(lists)
    st.caption(
        md(
            f"★ = also in another list ({len(shared)} item{'s' * (len(shared) != 1)} shared). "
            "Items already in the user's history are excluded."
        )
    )
    for col, (name, rec) in zip(st.columns(len(results)), results.items()):
        col.subheader(md(f"{name} · {rec.method}"))
        search = (
            "exact"
            if rec.recall is None
            else f"HNSW, measured recall@10 {rec.recall:.3f} against exact"
        )
        why = (
            "why: the user-vector score (and the item's popularity rank)"
            if "because" not in rec.table
            else "why: the history item that contributed most (its cosine to the item)"
        )
        col.caption(
            md(f"from {rec.basis} · {search} · {rec.seconds * 1000:.1f} ms per query · {why}")
        )
        if rec.table.empty:
            col.warning(md(f"Nothing to recommend: {NOTHING}"))
        col.dataframe(
            _table(rec, name, lists, shared),
            hide_index=True,
            width="stretch",
            column_config=COLUMNS,
        )


def _table(rec, name: str, lists: dict, shared: set) -> pd.DataFrame:
    t = rec.table
    others = {k: [n for n, keys in lists.items() if n != name and k in keys] for k in t.key}
    return pd.DataFrame(
        {
            "#": t["rank"],
            "★": ["★" if k in shared else "" for k in t.key],
            "title": t["title"],
            "why": _why(rec),
            "events": t["events"],
            "pop. rank": t["popularity_rank"],
            "also in": [", ".join(others[k]) for k in t.key],
            "key": t["key"],
        }
    )


def _why(rec) -> list[str]:
    t = rec.table
    if "because" not in t:
        return [f"score {s:.3f}" for s in t["score"]]
    return [f"{b} ({s:.2f})" for b, s in zip(t["because_title"], t["similarity"])]


def _figure(results: dict, user: str, k: int) -> None:
    tables = {n: r.table for n, r in results.items()}
    first = next(iter(results.values()))
    share.chart(
        popularity_figure(tables, f"User {user}: popularity of each recommendation (★ = shared)"),
        "recommend",
        None,
        f"user {user}, k={k}, sets {', '.join(results)}, {first.search}",
        tables=list(tables.items()),
        key="recommend.chart",
    )


page()
