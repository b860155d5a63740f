"""One user's recommendations from two or more sets, side by side: the sets this browser trained
(with their log), the sample-log models, the CLI's training folders."""

import pandas as pd
import streamlit as st

from embedlab.core.errors import EmbedlabError
from embedlab.core.recommend import NOTHING, history_frame, recommend, users_with_item
from embedlab.core.recommend_figure import popularity_figure, shared_keys
from embedlab.core.runnames import with_method
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
    labels, refused = runs.offered()
    names = list(labels)
    c1, c2, c3 = st.columns([4, 1, 1])
    chosen = c1.multiselect(
        "Sets to recommend from",
        names,
        format_func=labels.get,
        key=RUNS.init(names, default=_default(names)),
        help="Two or more, side by side: sets scored from user vectors (MF with query=user) "
        "recommend by the user's vector, the others from the user's recent history (as the "
        "evaluation scores them)",
    )
    k = int(c2.number_input("k", 1, 100, key=K.init()))
    search = c3.selectbox(
        "Search",
        SERVING_METHODS,
        key=SEARCH.init(SERVING_METHODS),
        help="exact: every item scored; hnsw: approximate (faiss HNSW), its recall against "
        "exact search measured and shown",
    )
    _sources(refused)
    if not chosen:
        st.info(
            "Pick one or more sets to recommend from."
            if any(not n.startswith("sample:") for n in names)
            else "No set of yours can recommend yet: train one on the Train page, or pick a "
            "sample-log model above."
        )
        return
    loaded = {name: runs.run(name) for name in chosen}
    first = next(iter(loaded.values()))
    user = _pick_user(first)
    _history(first, user)
    results = _results(loaded, user, k, search)
    if results:
        _side_by_side(results, loaded)
        _figure(results, user, k)
    share.copy_link("recommend")


def _default(names: list[str]) -> list[str]:
    """The active set when it can recommend, else the first two training folders or sets (a
    sample-log model only when asked for: it is trained when first picked)."""
    active = state.active_choice()
    if active in names:
        return [active]
    return [n for n in names if not n.startswith("sample:")][:2]


def _sources(refused: list) -> None:
    """Where the sets come from, and why each set of this browser's that is not offered is not."""
    st.caption(
        md(
            "Offered: the sets you trained on the Train page (with the log they were trained on), "
            "the sample-log models, and the training folders in the runs folder "
            f"(${runs.RUNS_ENV} when the server sets it, else runs/ in its workspace folder; "
            "embedlab train --out <runs folder>/NAME puts one there)."
        )
    )
    if refused:
        with st.expander(f"{len(refused)} of your sets cannot recommend"):
            for name, reason in refused:
                st.caption(md(f"{name}: {reason}"))


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
    st.caption(md(f"From {runs.log_of(run)}, the log that {run.name} was trained on."))
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
            st.caption(md(f"{run.name}:"))
            show_error(exc)
    return out


def _side_by_side(results: dict, loaded: dict) -> None:
    lists = {r.run: r.table["key"].tolist() for r in results.values()}
    shared = shared_keys(lists)
    st.caption(
        md(
            f"★ = also in another list ({len(shared)} item{'s' * (len(shared) != 1)} shared). "
            "Items already in the user's history are excluded."
        )
    )
    for col, (name, rec) in zip(st.columns(len(results)), results.items()):
        col.subheader(md(with_method(rec.run, rec.method)))
        search = (
            "exact"
            if rec.recall is None
            else f"HNSW, measured recall@10 {rec.recall:.3f} against exact"
        )
        why = (
            "why: the user-vector score (and the item's popularity rank)"
            if "because" not in rec.table
            else "why: the cosine to the item of the history item that contributed most"
        )
        col.caption(
            md(
                f"log {runs.log_of(loaded[name])} · from {rec.basis} · {search} · "
                f"{rec.seconds * 1000:.1f} ms per query · {why}"
            )
        )
        if rec.table.empty:
            col.warning(md(f"Nothing to recommend: {NOTHING}"))
        col.dataframe(
            _table(rec, rec.run, lists, shared),
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
    # the cosine first: a half-width column cuts the end of a long title, never the number
    return [f"{s:.2f} · {b}" for b, s in zip(t["because_title"], t["similarity"])]


def _figure(results: dict, user: str, k: int) -> None:
    tables = {r.run: r.table for r in results.values()}
    first = next(iter(results.values()))
    share.chart(
        popularity_figure(tables, f"User {user}: popularity of each recommendation (★ = shared)"),
        "recommend",
        None,
        f"user {user}, k={k}, sets {', '.join(tables)}, {first.search}",
        tables=list(tables.items()),
        key="recommend.chart",
    )


page()
