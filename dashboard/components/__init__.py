"""Streamlit components shipped with the dashboard: plain HTML + JavaScript folders, served by
Streamlit itself (no build step, nothing fetched from a CDN)."""

from __future__ import annotations

from pathlib import Path

import streamlit.components.v1 as components

from embedlab.core.pointmap import PackedPoints

_POINTMAP = components.declare_component("pointmap", path=str(Path(__file__).parent / "pointmap"))


def point_map(
    points: PackedPoints,
    data_id: str,
    palette: list[str],
    labels: list[list],
    marks: list[dict],
    caption: str,
    filename: str,
    key: str,
    legend: list[list] = (),
    view: dict | None = None,
    height: int = 640,
) -> dict | None:
    """Draw ``points`` with pan, zoom, hover and click in the browser (see pointmap/pointmap.js).

    ``data_id`` names the points: while it stays the same, reruns keep the reader's pan and zoom.
    ``legend`` rows are ``[colour, text, count]``; ``view`` (``{"x", "y", "zoom"}``, a link's) is
    applied when the points are new to the browser.  Returns the last value the map sent: the
    view (``{"view": {"x", "y", "zoom"}}``) and the last click, ``"point": i, "nonce": t`` (i in
    the points' order) or ``"mark": m, "item": j, "nonce": t``; None before any.
    """
    return _POINTMAP(
        **points.args(),
        data_id=data_id,
        palette=palette,
        labels=labels,
        marks=marks,
        legend=list(legend),
        view=view,
        caption=caption,
        filename=filename,
        height=height,
        key=key,
        default=None,
    )
