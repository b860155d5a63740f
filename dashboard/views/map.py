"""The map: a whole set laid out once (t-SNE, UMAP or PCA), shared by every visitor, its points
named by title, its regions labelled so that they differ, coloured by region or by any metadata
column (with a legend), with highlights, a clicked point's nearest neighbours and the view (pan and
zoom) in the URL; semantic axes and 3-D views are projected per view."""

from __future__ import annotations

import numpy as np
import streamlit as st

from embedlab.core import layouts
from embedlab.core.clusters import label_columns, metadata_labels, name_labels, word_labels
from embedlab.core.colouring import by_column, colour_columns
from embedlab.core.errors import ParameterError
from embedlab.core.marks import Mark, mark, neighbourhood, placing
from embedlab.core.matching import items_matching, lead_with_title
from embedlab.core.naming import has_titles, label, names, title_column
from embedlab.core.plots import map_figure
from embedlab.core.project import SAMPLINGS, project, sample_rows
from embedlab.core.search import neighbours
from embedlab.dashboard import maps, share, state
from embedlab.dashboard.maps import LABELS
from embedlab.dashboard.state import keys
from embedlab.dashboard.text import md
from embedlab.dashboard.views import guarded
from embedlab.dashboard.widgets import result_table

MAP_PROJECTIONS = ("tsne", "umap", "pca", "axes")
CLASSIC_LIMITS = {
    "axes": 50_000,
    "pca": 50_000,
    "umap": 20_000,
    "tsne": 10_000,
}  # per-view 3-D / axes caps
MAX_MARKED = 500
REGIONS = "regions"  # colour by the automatic regions


@guarded
def page():
    choice, emb = state.active()
    st.header("Map")
    view = _controls(emb)
    if view["method"] == "axes" or view["three"]:
        return _classic(choice, emb, view)
    view["hits"] = items_matching(emb, view["search"], view["regex"])
    ids, note = sample_rows(emb, view["points"], view["sampling"], _strata(view))
    layout = maps.layout_of(emb, ids, layouts.LayoutSpec(view["method"]), note)
    if layout is not None:
        _draw(emb, layout, view, note)


METHOD = state.Control("map.method", "p", "tsne")
POINTS = state.Control("map.points", "pts", 0)  # 0: the set's default (maps.default_points)
SAMPLING = state.Control("map.sampling", "sampling", "frequent")
LABEL = state.Control("map.label", "label", "keys")
COLOUR = state.Control("map.colour", "colour", REGIONS)
SEARCH = state.Control("map.q", "q", "")
REGEX = state.Control("map.re", "re", False)
THREE = state.Control("map.three_d", "3d", False)
AXES = [state.Control(f"map.axis{i}", f"ax{i}", "") for i in range(4)]


def _controls(emb) -> dict:
    c1, c2, c3, c4, c5 = st.columns(5)
    method = c1.selectbox(
        "Projection", MAP_PROJECTIONS, format_func=LABELS.get, key=METHOD.init(MAP_PROJECTIONS)
    )
    points = c2.number_input(
        f"Points (of {len(emb):,})",
        3,
        len(emb),
        step=1000,
        # a count kept from another set (often that set's "all points") is not this set's: after
        # a switch the map starts from this set's default; a link's count is its own set's
        key=POINTS.init(valid=lambda _: False, default=maps.default_points(emb)),
    )
    sampling = c3.selectbox(
        "Sampling",
        SAMPLINGS,
        key=SAMPLING.init(SAMPLINGS),
        help="frequent: the first keys (the most frequent in frequency-ordered sets); "
        "stratified: by the metadata column regions are labelled or coloured by",
    )
    label = _label_choice(c4, emb)
    colours = [REGIONS] + colour_columns(emb.metadata)
    colour = c5.selectbox(
        "Colour by",
        colours,
        key=COLOUR.init(colours),
        help="regions: one colour per labelled region; a metadata column: its values, "
        "with a legend (numbers in bins)",
    )
    d1, d2, d3 = st.columns([3, 1, 1])
    search = d1.text_input(
        "Highlight items matching",
        key=SEARCH.init(),
        help="A key, a title or any metadata text (e.g. a genre); case does not matter",
    )
    regex = d2.toggle("regex", key=REGEX.init())
    three = d3.toggle(
        "3-D",
        key=THREE.init(),
        help="3-D views and semantic axes are projected for this view only, on a capped sample",
    )
    return {
        "method": method,
        "points": int(points),
        "sampling": sampling,
        "label": label,
        "colour": colour,
        "search": search,
        "regex": regex,
        "three": three,
    }


def _label_choice(column, emb) -> str:
    """How regions are labelled: their central items (by title), the distinctive words of their
    titles, or the most distinctive value of a metadata column."""
    label_cols = label_columns(emb.metadata)
    titled = has_titles(emb)
    options = ["keys"] + (["words"] if titled else []) + label_cols
    words = f"words of {title_column(emb.metadata)}" if titled else ""
    formats = {"keys": "central items" if titled else "central keys", "words": words}
    return column.selectbox(
        "Label regions by",
        options,
        format_func=lambda o: formats.get(o, o),
        key=LABEL.init(
            options,
            valid=lambda v: v in options,
            default=label_cols[0] if label_cols else "keys",
        ),
        help="central items: each region's most central items; words: the words that set its "
        "titles apart (class-based TF-IDF); a metadata column: the value that sets it apart, "
        "with the share of its items that have it",
    )


def _strata(view: dict) -> str | None:
    """The metadata column stratified sampling keeps the shares of."""
    if view["sampling"] != "stratified":
        return None
    for column in (view["label"], view["colour"]):
        if column not in ("keys", "words", REGIONS):
            return column
    raise ParameterError(
        "stratified sampling needs a metadata column: choose one under 'Label regions by' "
        "or 'Colour by'"
    )


def _draw(emb, layout, view, note) -> None:
    """The layout in the browser's point map, with region labels, colours, search hits and the
    clicked point's neighbours drawn over it."""
    labels, label_note = _region_labels(emb, layout, view["label"])
    colouring = None if view["colour"] == REGIONS else _colouring(emb, layout, view["colour"])
    colour_note = "" if colouring is None else f" {colouring.note}"
    selected = _selected_key(emb, layout)
    marks, mark_note = _marks(emb, layout, view, selected)
    keys.MAP_MARK_ROWS.set([m.rows for m in marks])
    st.caption(
        md(
            f"Drawn: {note}, no further sampling ({_origin(layout)}). "
            f"{label_note}{colour_note}{mark_note}"
        )
        + " Drag to pan, scroll to zoom (around the pointer), hover for the title, "
        "click a point for its nearest neighbours."
    )
    provenance = share.provenance_line(
        emb,
        f"{LABELS[layout.spec.method]} of {note} ({_how(layout)}). "
        f"{label_note}{colour_note}{mark_note}",
    )
    maps.draw(
        emb,
        layout,
        colouring,
        labels,
        [maps.mark_arg(emb, m) for m in marks],
        provenance,
        "map",
        keys.MAP_CANVAS,
        view["colour"],
    )
    if selected:
        _neighbour_table(emb, selected)
    share.copy_link("map")


def _colouring(emb, layout, column: str):
    """The points' colours by ``column``, once per layout and column (shared, read-only)."""
    return _cached_colouring(layout.key, column, emb, layout)


@st.cache_resource(max_entries=8, show_spinner=False)
def _cached_colouring(layout_key: str, column: str, _emb, _layout):  # noqa: ARG001
    return by_column(_emb.metadata, column, _layout.ids)


def _how(layout) -> str:
    params = ", ".join(f"{k} {v}" for k, v in layout.spec.params.items() if k != "anchors")
    return f"seed {layout.spec.seed}" + (f", {params}" if params else "")


def _origin(layout) -> str:
    how = _how(layout)
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


def _region_labels(emb, layout, choice: str) -> tuple[list[str], str]:
    k = len(layout.centres)
    head = f"{k} regions (k-means on the map), each labelled by"
    if choice == "words" and has_titles(emb):
        column = title_column(emb.metadata)
        return (
            _cached_labels(layout.key, "words", emb, layout),
            f"{head} the words that set its '{column}' apart (class-based TF-IDF).",
        )
    if choice in ("keys", "words") or emb.metadata is None or choice not in emb.metadata:
        if has_titles(emb):
            return _cached_labels(layout.key, "names", emb, layout), f"{head} its central items."
        return layout.labels, f"{head} its most central keys."
    return (
        metadata_labels(emb.metadata, choice, layout.ids, layout.clusters),
        f"{head} its most distinctive '{choice}' value and the share of its items that have it.",
    )


@st.cache_resource(max_entries=8, show_spinner=False)
def _cached_labels(layout_key: str, kind: str, _emb, _layout) -> list[str]:  # noqa: ARG001
    """Region labels by titles or title words, once per layout (shared, read-only)."""
    if kind == "words":
        return word_labels(names(_emb, _layout.ids), _layout.clusters)
    return name_labels(_emb, _layout.ids, _layout.clusters)


def _marks(emb, layout, view, selected) -> tuple[list[Mark], str]:
    """Search hits (red) and the selected point with its neighbours (orange), and what they
    are, in words."""
    out, notes = [], []
    if view["search"]:
        out.append(mark(layout, emb, view["hits"][:MAX_MARKED], "search hits", "#D62728"))
        notes.append(_hits_note(emb, view, out[-1], layout))
    if selected:
        rows = neighbourhood(emb, selected, k=10)
        name = f"{label(emb, selected)} and its neighbours"
        out.append(mark(layout, emb, rows, name, "#FF7F0E", lines=True))
        notes.append(_neighbours_note(emb, selected, out[-1], layout))
    return out, "".join(notes)


def _hits_note(emb, view, shown: Mark, layout) -> str:
    hits, placed = view["hits"], shown.n_placed
    what = "item" if emb.metadata is not None else "key"
    what += " matches" if len(hits) == 1 else "s match"
    where = " (key, title or any metadata text)" if emb.metadata is not None else ""
    return (
        f" Red: {len(hits):,} {what} '{view['search']}'{where}"
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
        f" Orange: {label(emb, selected)} and its 10 nearest neighbours "
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
    if key and st.button(md(f"Clear the neighbours of {label(emb, key)}"), key="map.clear"):
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
    st.subheader(md(f"Nearest neighbours of {label(emb, key)}"))
    result_table(lead_with_title(found.to_frame(), found.metadata))


def _classic(choice, emb, view) -> None:
    """Semantic axes and 3-D: projected for this view on at most CLASSIC_LIMITS[method] points."""
    axes = _axes_inputs(choice, emb) if view["method"] == "axes" else None
    method = view["method"]
    limit = CLASSIC_LIMITS[method]
    n = min(view["points"], limit)
    ids, note = sample_rows(emb, n, view["sampling"], _strata(view))
    if view["points"] > limit:
        note += f" (capped at {limit:,} for {'3-D' if view['three'] else 'semantic axes'})"
    proj = _projection(
        choice, emb, ids, method, 3 if view["three"] and method != "axes" else 2, axes
    )
    frame = proj.frame(emb)
    match = set(items_matching(emb, view["search"], view["regex"]).tolist())
    highlight = np.isin(proj.ids, list(match)) if match else None
    st.caption(md(f"Drawn: {note}. {LABELS[method]} took {proj.seconds:.2f} s."))
    share.chart(
        map_figure(
            frame,
            None if view["colour"] == REGIONS else view["colour"],
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
    names_ = ["x from", "x to", "y from", "y to"]
    vals = [
        c.text_input(nm, key=ctl.init(default=d))
        for c, nm, ctl, d in zip(cols, names_, AXES, defaults)
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
