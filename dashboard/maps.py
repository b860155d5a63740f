"""A whole set drawn as a map, the same way on every page that draws one (Map, Arithmetic,
Compare): the shared layout (computed once in the background, waited for with progress), the
points packed for the browser with their titles, marks named by title, the view (pan and zoom) kept
in the URL, and the server-side PNG of the whole map with everything the screen shows."""

from __future__ import annotations

import numpy as np
import streamlit as st

from embedlab.core import layouts, pointmap
from embedlab.core.colouring import Colouring
from embedlab.core.errors import ParameterError
from embedlab.core.mapimage import map_png
from embedlab.core.marks import Mark
from embedlab.core.naming import has_titles, labels, names, short
from embedlab.dashboard import share, state
from embedlab.dashboard.components import point_map
from embedlab.dashboard.text import md

VIEW = "view"  # the URL parameter holding the map's view: "x,y,zoom"
MARK_TITLE = 28  # characters of a title written beside a marked point
LABELS = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP", "axes": "semantic axes"}
DEFAULT_POINTS = (
    50_000  # a layout not yet cached starts at this many points (all, when the set is smaller)
)


def default_points(emb) -> int:
    """All points when the set is small or a stored t-SNE of all of it exists (the shipped GloVe
    map), else :data:`DEFAULT_POINTS`."""
    if len(emb) <= DEFAULT_POINTS or layouts.stored(emb, None, layouts.LayoutSpec("tsne")):
        return len(emb)
    return DEFAULT_POINTS


def layout_of(emb, ids: np.ndarray, spec: layouts.LayoutSpec, note: str):
    """The layout of rows ``ids``, or None while it is computed (the page then shows progress
    and reruns itself when it is done).

    Raises
    ------
    ParameterError
        The layout failed (its one-line reason).
    """
    job = layouts.request(emb, ids, spec)
    if not job.done:
        _wait(job, note)
        return None
    if job.error:
        raise ParameterError(job.error)
    return job.layout


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
        st.progress(min(job.fraction, 1.0), text=md(f"{job.message} · {_since(job.started)}"))
        if job.done:
            st.rerun()

    progress()


def _since(start: float) -> str:
    import time

    return f"{time.monotonic() - start:.0f} s"


@st.cache_resource(max_entries=6, show_spinner=False)
def packed(
    layout_key: str,  # noqa: ARG001 - st.cache_resource's key (it does not hash _-prefixed args)
    colour_key: str,  # noqa: ARG001 - the colouring's name, part of the key
    _emb,
    _layout,
    _groups: np.ndarray,
) -> pointmap.PackedPoints:
    """A layout packed for the browser once per layout and colouring, shared by every session
    (read-only); items carry their titles."""
    ids = _layout.ids
    keys = _emb.keys if len(ids) == len(_emb) else [_emb.keys[i] for i in ids]
    titles = names(_emb, ids) if has_titles(_emb) else None
    return pointmap.pack(_layout.coords, _groups, keys, titles)


def mark_arg(emb, m: Mark) -> dict:
    """A mark as the point-map component (and the whole-map PNG) take it: points written by
    their short titles, hovered as ``title · key``."""
    shown = names(emb, m.rows)
    return {
        "name": m.name,
        "color": m.colour,
        "x": [float(v) for v in m.xy[:, 0]],
        "y": [float(v) for v in m.xy[:, 1]],
        "text": [short(t, MARK_TITLE) for t in shown],
        "hover": labels(emb, m.keys),
        "lines": m.lines,
    }


def linked_view() -> dict | None:
    """The view a link carries (``view=x,y,zoom``), or None."""
    try:
        x, y, zoom = (float(v) for v in state.param(VIEW).split(","))
    except ValueError:
        return None
    return {"x": x, "y": y, "zoom": zoom} if zoom > 0 else None


def focused(layout, marks: list[dict], share_of_view: float = 0.5) -> dict | None:
    """A view centred on the marks, zoomed so that they fill about ``share_of_view`` of it."""
    xs = [x for m in marks for x in m["x"]]
    ys = [y for m in marks for y in m["y"]]
    if not xs:
        return None
    span = np.ptp(layout.coords, axis=0)
    marked = np.maximum([np.ptp(xs), np.ptp(ys)], span / 64)
    zoom = float(np.clip(share_of_view * np.min(span / marked), 1.0, 16.0))
    return {"x": (min(xs) + max(xs)) / 2, "y": (min(ys) + max(ys)) / 2, "zoom": zoom}


def keep_view(value) -> None:
    """Write the view the component reported into the URL, so a copied link reproduces it."""
    view = value.get("view") if isinstance(value, dict) else None
    if isinstance(view, dict) and all(isinstance(view.get(k), int | float) for k in "xy"):
        zoom = view.get("zoom") or 1.0
        near_whole = abs(zoom - 1.0) < 0.02
        state.set_params(
            **{VIEW: None if near_whole else f"{view['x']:.6g},{view['y']:.6g},{zoom:.4g}"}
        )


def draw(
    emb,
    layout,
    colouring: Colouring | None,
    region_labels: list[str],
    marks: list[dict],
    caption: str,
    name: str,
    key: str,
    colour_key: str = "regions",
    focus: bool = False,
) -> None:
    """The map in the browser's point map and the button for its whole-map PNG; the view the
    reader pans to goes into the URL.  ``focus``: without a view in the URL, open on the marks."""
    from embedlab.core.plots import PALETTE

    groups, palette, legend = (
        (layout.clusters, PALETTE, [])
        if colouring is None
        else (colouring.groups, colouring.palette, colouring.legend)
    )
    texts = pointmap.labels_at(layout.centres, region_labels)
    value = point_map(
        packed(layout.key, colour_key, emb, layout, groups),
        data_id=f"{layout.key}:{len(layout.ids)}:{colour_key}",
        palette=palette,
        labels=texts,
        marks=marks,
        legend=[list(e) for e in legend],
        view=linked_view() or (focused(layout, marks) if focus else None),
        caption=caption,
        filename=f"embedlab-{name}",
        key=key,
    )
    keep_view(value)
    share.png_button(
        "PNG of the whole map (server-side)",
        lambda: map_png(layout.coords, groups, palette, texts, marks, legend, caption),
        f"embedlab-{name}.png",
        key=f"{key}.png",
        help="The whole layout with its labels, marks, legend and provenance caption; the map's "
        "own Download PNG button saves the view you are looking at.",
        needs_chromium=False,
    )
