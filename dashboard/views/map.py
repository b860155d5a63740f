"""The map: a whole set laid out once (t-SNE, UMAP or PCA), shared by every visitor, with labelled
regions, search highlights and a clicked point's nearest neighbours; semantic axes and 3-D views
are projected per view."""

from __future__ import annotations

import numpy as np
import streamlit as st

from embedlab.core import layouts, pointmap
from embedlab.core.clusters import label_columns, metadata_labels
from embedlab.core.errors import ParameterError
from embedlab.core.marks import Mark, mark, neighbourhood, placing
from embedlab.core.matching import keys_matching
from embedlab.core.plots import PALETTE, map_figure
from embedlab.core.project import SAMPLINGS, project, sample_rows
from embedlab.core.search import neighbours
from embedlab.dashboard import share, state
from embedlab.dashboard.components import point_map
from embedlab.dashboard.state import keys
from embedlab.dashboard.text import md
from embedlab.dashboard.views import guarded

MAP_PROJECTIONS = ("tsne", "umap", "pca", "axes")
LABELS = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP", "axes": "semantic axes"}
DEFAULT_POINTS = (
    50_000  # a layout not yet cached starts at this many points (all, when the set is smaller)
)
CLASSIC_LIMITS = {
    "axes": 50_000,
    "pca": 50_000,
    "umap": 20_000,
    "tsne": 10_000,
}  # per-view 3-D / axes caps
MAX_MARKED = 500


@guarded
def page():
    choice, emb = state.active()
    st.header("Map")
    view = _controls(emb)
    if view["method"] == "axes" or view["three"]:
        return _classic(choice, emb, view)
    view["hits"] = keys_matching(emb, view["search"], view["regex"])
    ids, note = sample_rows(
        emb,
        view["points"],
        view["sampling"],
        view["label"] if view["sampling"] == "stratified" else None,
    )
    spec = layouts.LayoutSpec(view["method"])
    job = layouts.request(emb, ids, spec)
    if not job.done:
        return _wait(job, note)
    if job.error:
        raise ParameterError(job.error)
    _draw(emb, job.layout, view, note)


METHOD = state.Control("map.method", "p", "tsne")
POINTS = state.Control("map.points", "pts", 0)  # 0: the set's default (see _default_points)
SAMPLING = state.Control("map.sampling", "sampling", "frequent")
LABEL = state.Control("map.label", "label", "keys")
SEARCH = state.Control("map.q", "q", "")
REGEX = state.Control("map.re", "re", False)
THREE = state.Control("map.three_d", "3d", False)
AXES = [state.Control(f"map.axis{i}", f"ax{i}", "") for i in range(4)]


def _controls(emb) -> dict:
    label_cols = label_columns(emb.metadata)
    default_points = _default_points(emb)
    c1, c2, c3, c4 = st.columns(4)
    method = c1.selectbox(
        "Projection", MAP_PROJECTIONS, format_func=LABELS.get, key=METHOD.init(MAP_PROJECTIONS)
    )
    points = c2.number_input(
        f"Points (of {len(emb):,})",
        3,
        len(emb),
        step=1000,
        key=POINTS.init(valid=lambda v: 3 <= v <= len(emb), default=default_points),
    )
    sampling = c3.selectbox(
        "Sampling",
        SAMPLINGS,
        key=SAMPLING.init(SAMPLINGS),
        help="frequent: the first keys (the most frequent in frequency-ordered sets)",
    )
    labels = ["keys"] + label_cols
    label = c4.selectbox(
        "Label regions by",
        labels,
        key=LABEL.init(
            labels, valid=lambda v: v in labels, default=label_cols[0] if label_cols else "keys"
        ),
        help="keys: each region's most central keys; a metadata column: its dominant value",
    )
    d1, d2, d3 = st.columns([3, 1, 1])
    search = d1.text_input("Highlight keys matching", key=SEARCH.init())
    regex = d2.toggle("regex", key=REGEX.init())
    three = d3.toggle(
        "3-D",
        key=THREE.init(),
        help="3-D views and semantic axes are projected for this view only, on a capped sample",
    )
    if sampling == "stratified" and label == "keys":
        raise ParameterError(
            "stratified sampling needs a metadata column: choose one under 'Label regions by'"
        )
    return {
        "method": method,
        "points": int(points),
        "sampling": sampling,
        "label": label,
        "search": search,
        "regex": regex,
        "three": three,
    }


def _default_points(emb) -> int:
    """All points when the set is small or a stored t-SNE of all of it exists (the shipped GloVe
    map)."""
    if len(emb) <= DEFAULT_POINTS or layouts.stored(emb, None, layouts.LayoutSpec("tsne")):
        return len(emb)
    return DEFAULT_POINTS


def _wait(job, note: str) -> None:
    st.caption(md(f"Will draw: {note}."))
    st.info(
        md(
            f"Computing the {LABELS[job.spec.method]} layout once; every visitor shares this run "
            "and the result is kept on disk for the next time."
        )
    )

    @st.fragment(run_every=1.0)
    def progress():
        st.progress(min(job.fraction, 1.0), text=md(f"{job.message} · {time_since(job.started)}"))
        if job.done:
            st.rerun()

    progress()


def time_since(start: float) -> str:
    import time

    return f"{time.monotonic() - start:.0f} s"


def _draw(emb, layout, view, note) -> None:
    """The layout in the browser's point map, with region labels, search hits and the clicked
    point's neighbours drawn over it."""
    labels, label_note = _region_labels(emb, layout, view["label"])
    selected = _selected_key(emb, layout)
    marks, mark_note = _marks(emb, layout, view, selected)
    keys.MAP_MARK_ROWS.set([m.rows for m in marks])
    caption = f"Drawn: {note}, no further sampling ({_origin(layout)}). {label_note}{mark_note}"
    st.caption(
        md(caption) + " Drag to pan, scroll to zoom (around the pointer), hover for the key, "
        "click a point for its nearest neighbours."
    )
    provenance = share.provenance_line(emb, f"{LABELS[layout.spec.method]}, {note}")
    point_map(
        _packed(layout.key, emb, layout),
        data_id=f"{layout.key}:{len(layout.ids)}",
        palette=PALETTE,
        labels=pointmap.labels_at(layout.centres, labels),
        marks=[_mark_arg(m) for m in marks],
        caption=provenance,
        filename="embedlab-map",
        key=keys.MAP_CANVAS,
    )
    st.download_button(
        "PNG of the whole map (server-side)",
        file_name="embedlab-map.png",
        mime="image/png",
        data=lambda: pointmap.to_png(
            pointmap.raster(layout.coords, layout.clusters, PALETTE), provenance
        ),
        on_click="ignore",
        key="map.png",
        help="The whole layout with its provenance caption; the map's "
        "own Download PNG button saves the view you are looking at.",
    )
    if selected:
        _neighbour_table(emb, selected)
    share.copy_link("map")


@st.cache_resource(max_entries=4, show_spinner=False)
def _packed(
    layout_key: str,  # noqa: ARG001 - st.cache_resource's key (it does not hash _-prefixed args)
    _emb,
    _layout,
) -> pointmap.PackedPoints:
    """A layout packed for the browser once per layout and shared by every session (read-only)."""
    keys = _emb.keys if len(_layout.ids) == len(_emb) else [_emb.keys[i] for i in _layout.ids]
    return pointmap.pack(_layout.coords, _layout.clusters, keys)


def _mark_arg(m: Mark) -> dict:
    """A mark as the point-map component takes it."""
    return {
        "name": m.name,
        "color": m.colour,
        "x": [float(v) for v in m.xy[:, 0]],
        "y": [float(v) for v in m.xy[:, 1]],
        "text": list(m.keys),
        "lines": m.lines,
    }


def _origin(layout) -> str:
    params = ", ".join(f"{k} {v}" for k, v in layout.spec.params.items() if k != "anchors")
    how = f"seed {layout.spec.seed}" + (f", {params}" if params else "")
    if layout.extra.get("placed"):
        how += (
            f"; {LABELS[layout.spec.method]} of the first {layout.extra['anchors']:,} keys, "
            f"the other {layout.extra['placed']:,} placed "
            "at the median of their 10 nearest of those"
        )
    if layout.source == "shipped":
        return (
            f"layout shipped with embedlab, computed once by scripts/build_glove_layout.py; {how}"
        )
    if layout.source == "cache":
        return f"layout from the shared cache, computed once in {layout.seconds:.0f} s; {how}"
    return f"computed in {layout.seconds:.1f} s and kept for every visitor; {how}"


def _region_labels(emb, layout, column: str) -> tuple[list[str], str]:
    k = len(layout.centres)
    if column == "keys" or emb.metadata is None or column not in emb.metadata.columns:
        return (
            layout.labels,
            f"{k} regions (k-means on the map), each labelled by its most central keys.",
        )
    return (
        metadata_labels(emb.metadata, column, layout.ids, layout.clusters),
        f"{k} regions (k-means on the map), each labelled by its dominant '{column}' value.",
    )


def _marks(emb, layout, view, selected) -> tuple[list[Mark], str]:
    """Search hits (red) and the selected point with its neighbours (orange), and what they
    are, in words."""
    out, notes = [], []
    if view["search"]:
        out.append(mark(layout, emb, view["hits"][:MAX_MARKED], "search hits", "#D62728"))
        notes.append(_hits_note(view["hits"], out[-1], layout))
    if selected:
        rows = neighbourhood(emb, selected, k=10)
        name = f"{selected} and its neighbours"
        out.append(mark(layout, emb, rows, name, "#FF7F0E", lines=True))
        notes.append(_neighbours_note(emb, selected, out[-1], layout))
    return out, "".join(notes)


def _hits_note(hits: np.ndarray, shown: Mark, layout) -> str:
    placed = shown.n_placed
    return (
        f" {len(hits):,} keys match the search"
        + (f", the first {len(shown.rows):,} are marked" if len(hits) > len(shown.rows) else "")
        + (
            f"; {placed} of them are outside the sample and were placed onto the layout "
            f"({placing(layout.spec.method)})"
            if placed
            else ""
        )
        + "."
    )


def _neighbours_note(emb, selected: str, shown: Mark, layout) -> str:
    placed = shown.n_placed
    return (
        f" Orange: '{selected}' and its 10 nearest neighbours "
        f"in the original {emb.dim}-d space (cosine)"
        + (f"; {placed} placed onto the layout ({placing(layout.spec.method)})" if placed else "")
        + "."
    )


def _selected_key(emb, layout) -> str:
    """The key whose neighbours are shown: the point just clicked on the map, else the one in the
    URL."""
    row = _clicked_row(layout)
    if row is not None:
        state.set_params(sel=emb.keys[row])
    key = state.param("sel")
    if key and emb.find(key) is None:
        state.set_params(sel=None)
        return ""
    if key and st.button(f"Clear the neighbours of '{key}'", key="map.clear"):
        state.set_params(sel=None)
        return ""
    return key


def _clicked_row(layout) -> int | None:
    """The row of the set clicked since the last run (each click carries a new nonce), else None."""
    click = keys.widget_value(keys.MAP_CANVAS)
    if not isinstance(click, dict) or click.get("nonce") == keys.MAP_CLICK_SEEN.get():
        return None
    keys.MAP_CLICK_SEEN.set(click.get("nonce"))
    try:
        if "point" in click:
            return int(layout.ids[int(click["point"])])
        return int(keys.MAP_MARK_ROWS.get([])[int(click["mark"])][int(click["item"])])
    except (IndexError, KeyError, TypeError, ValueError):  # a click on a map that has since changed
        return None


def _neighbour_table(emb, key: str) -> None:
    found = neighbours(emb, key, k=10)
    st.subheader(f"Nearest neighbours of {md(key)}")
    st.dataframe(found.to_frame(), hide_index=True, width="stretch")


def _classic(choice, emb, view) -> None:
    """Semantic axes and 3-D: projected for this view on at most CLASSIC_LIMITS[method] points."""
    axes = _axes_inputs(choice, emb) if view["method"] == "axes" else None
    method = view["method"]
    limit = CLASSIC_LIMITS[method]
    n = min(view["points"], limit)
    ids, note = sample_rows(
        emb, n, view["sampling"], view["label"] if view["sampling"] == "stratified" else None
    )
    if view["points"] > limit:
        note += f" (capped at {limit:,} for {'3-D' if view['three'] else 'semantic axes'})"
    proj = _projection(
        choice, emb, ids, method, 3 if view["three"] and method != "axes" else 2, axes
    )
    frame = proj.frame(emb)
    match = set(keys_matching(emb, view["search"], view["regex"]).tolist())
    highlight = np.isin(proj.ids, list(match)) if match else None
    st.caption(md(f"Drawn: {note}. {LABELS[method]} took {proj.seconds:.2f} s."))
    share.chart(
        map_figure(
            frame,
            None,
            highlight,
            f"{LABELS[method]} of {len(frame):,} points",
            dims=proj.coords.shape[1],
        ),
        "map",
        emb,
        f"{LABELS[method]}, {note}",
        tables=[("points", frame.head(1000))],
        key="map.chart",
    )
    share.copy_link("map")


def _axes_inputs(choice, emb):
    defaults = ["man", "woman", "poor", "rich"] if choice == state.BUILTIN else list(emb.keys[:4])
    cols = st.columns(4)
    names = ["x from", "x to", "y from", "y to"]
    vals = [
        c.text_input(nm, key=ctl.init(default=d))
        for c, nm, ctl, d in zip(cols, names, AXES, defaults)
    ]
    return ((vals[0], vals[1]), (vals[2], vals[3]))


def _projection(choice, emb, ids, method, dims, axes):
    """Per-session cache of the last classic projection, so a new highlight is instant."""
    cache = keys.MAP_PROJECTIONS.memo()
    key = (choice, id(emb), method, dims, str(axes), hash(ids.tobytes()))
    if key not in cache:
        with st.spinner(f"Projecting {len(ids):,} points with {LABELS[method]}…"):
            cache.clear()
            cache[key] = project(emb, ids, method, dims, axes=axes, quality=False)
    return cache[key]


page()
