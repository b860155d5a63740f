"""The map: 2-D/3-D projections of the active set, coloured, searchable, honest about sampling."""

import re

import numpy as np
import streamlit as st

from core.errors import ParameterError
from core.plots import map_figure
from core.project import PROJECTIONS, SAMPLINGS, project, sample_rows

from dashboard import share, state
from dashboard.text import md
from dashboard.views import guarded

LIMITS = {"pca": 50000, "axes": 50000, "tsne": 10000, "umap": 20000}
LABELS = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP", "axes": "semantic axes"}


@guarded
def page():
    choice, emb = state.active()
    st.header("Map")
    meta_cols = [] if emb.metadata is None else [c for c in emb.metadata.columns if emb.metadata[c].nunique() <= 200]
    c1, c2, c3, c4 = st.columns(4)
    method = c1.selectbox("Projection", PROJECTIONS, format_func=LABELS.get, index=state.choice_index(PROJECTIONS, "p"))
    limit = LIMITS[method]
    n = c2.number_input(f"Points (≤ {limit:,})", 100, limit, min(state.int_param("pts", 5000), limit), step=1000)
    sampling = c3.selectbox("Sampling", SAMPLINGS, index=state.choice_index(SAMPLINGS, "sampling"),
                            help="frequent: the first keys (most frequent in frequency-ordered files)")
    colours = ["none", "cluster"] + meta_cols
    color = c4.selectbox("Colour by", colours, index=state.choice_index(colours, "color"))
    d1, d2, d3 = st.columns([3, 1, 1])
    search = d1.text_input("Highlight keys matching", value=state.param("q"))
    regex = d2.toggle("regex", value=state.param("re") == "1")
    three = d3.toggle("3-D", value=state.param("dims") == "3", disabled=method == "axes")
    axes = None
    if method == "axes":
        axes = _axes_inputs(choice, emb)
    state.set_params(p=None if method == "pca" else method, pts=None if n == 5000 else n,
                     sampling=None if sampling == "frequent" else sampling, color=None if color == "none" else color,
                     q=search, re="1" if regex else None, dims="3" if three else None)
    if sampling == "stratified" and color not in meta_cols:
        raise ParameterError("stratified sampling needs a metadata column to colour by")
    match_ids = _matches(emb, search, regex)
    ids, note = sample_rows(emb, int(n), sampling, color if sampling == "stratified" else None,
                            include=match_ids[:200])
    proj = _projection(choice, emb, ids, method, 3 if three else 2, axes)
    frame = proj.frame(emb)
    if color == "cluster":
        frame["cluster"] = _clusters(emb, ids)
    highlight = frame.key.isin({emb.keys[i] for i in match_ids}).to_numpy() if len(match_ids) else None
    st.caption(f"Showing {md(note)}. {LABELS[method]} took {proj.seconds:.2f} s. " + _quality_text(proj.quality) +
               (f" {len(match_ids)} keys match the search." if search else ""))
    share.chart(map_figure(frame, None if color == "none" else color, highlight,
                           f"{LABELS[method]} of {len(frame):,} points", dims=3 if three else 2),
                "map", emb, f"{LABELS[method]}, {note}", tables=[("points", frame.head(1000))], key="map")
    share.copy_link("map")


def _axes_inputs(choice, emb):
    defaults = ["man", "woman", "poor", "rich"] if choice == state.BUILTIN else emb.keys[:4]
    got = state.param("ax", ",".join(defaults)).split(",")
    got = (got + defaults)[:4]
    cols = st.columns(4)
    names = ["x from", "x to", "y from", "y to"]
    vals = [c.text_input(nm, value=v) for c, nm, v in zip(cols, names, got)]
    state.set_params(ax=",".join(vals))
    return ((vals[0], vals[1]), (vals[2], vals[3]))


def _matches(emb, search: str, regex: bool) -> np.ndarray:
    if not search:
        return np.empty(0, dtype=np.int64)
    if regex:
        try:
            pattern = re.compile(search, re.IGNORECASE)
        except re.error as exc:
            raise ParameterError(f"'{search}' is not a valid regular expression ({exc})") from None
        hits = [i for i, k in enumerate(emb.keys) if pattern.search(k)]
    else:
        low = search.lower()
        hits = [i for i, k in enumerate(emb.keys) if low in k.lower()]
    return np.asarray(hits, dtype=np.int64)


def _projection(choice, emb, ids, method, dims, axes):
    """Projections are cached per session and view, so reruns (a new highlight) are instant."""
    cache = st.session_state.setdefault("projections", {})
    key = (choice, id(emb), method, dims, str(axes), ids.tobytes().__hash__())
    if key not in cache:
        with st.spinner(f"Projecting {len(ids):,} points with {LABELS[method]}…"):
            cache.clear()
            cache[key] = project(emb, ids, method, dims, axes=axes)
    return cache[key]


def _clusters(emb, ids) -> np.ndarray:
    from sklearn.cluster import KMeans
    labels = KMeans(n_clusters=8, n_init=3, random_state=0).fit_predict(emb.unit[ids])
    return np.array([f"cluster {c}" for c in labels])


def _quality_text(q: dict) -> str:
    if not q:
        return ""
    return (f"Of each point's {q['k']} nearest neighbours in the original space, {q['knn_preservation']:.0%} stay "
            f"among its {q['k']} nearest on the map (trustworthiness {q['trustworthiness']:.3f}; "
            f"measured on {q['points_measured']:,} points).")


page()
