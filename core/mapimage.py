"""A whole map as a picture worth sharing, drawn on the server: every point (the raster of
:mod:`core.pointmap`), the region labels, the marks (search hits, a key and its neighbours, an
arithmetic's inputs and answers), the legend of the colours and the full provenance caption,
wrapped inside the image, in fonts that hold every glyph it uses (:mod:`core.fonts`).

It draws what the browser's point map draws for the whole view, from the same arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

import numpy as np

from . import fonts
from .pointmap import Frame, raster, rgb

LABEL_SIZE = 13
CAPTION_SIZE = 13
LINE = 18  # caption line height, pixels
PAD = 8


def map_png(
    coords: np.ndarray,
    groups: np.ndarray,
    palette: list[str],
    labels: Sequence[Sequence] = (),
    marks: Sequence[dict] = (),
    legend: Sequence[Sequence] = (),
    caption: str = "",
    width: int = 1200,
    height: int = 800,
) -> bytes:
    """The whole map as PNG bytes, with what the screen shows over it and the caption under it.

    Parameters
    ----------
    coords : ndarray (n, 2)
        Map positions.
    groups : ndarray of int (n,)
        Colour group of each point.
    palette : list of str
        ``"#rrggbb"`` per group.
    labels : sequence of [x, y, text]
        Region labels in map coordinates (as :func:`core.pointmap.labels_at` makes them).
    marks : sequence of dict
        Marks as the point-map component takes them: ``color``, ``x``, ``y``, ``text``,
        ``lines`` (lines from the first point to the others).
    legend : sequence of (colour, text, count)
        What the colours mean (entries of no point are left out).
    caption : str
        Provenance and what was drawn; wrapped to the width, never cut.
    width, height : int
        The map's size in pixels (the caption adds its lines below).

    Returns
    -------
    bytes

    Examples
    --------
    >>> png = map_png(np.array([[0, 0], [1, 1.0]]), np.array([0, 1]), ["#ff0000", "#0000ff"],
    ...               labels=[[0, 0, "left"]], caption="embedlab · 2 keys × 2", width=200,
    ...               height=100)
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    from PIL import Image, ImageDraw

    frame = Frame.fit(coords, width, height)
    body = Image.fromarray(raster(coords, groups, palette, width, height)).convert("RGBA")
    layer = Image.new("RGBA", body.size, (255, 255, 255, 0))
    _overlay(ImageDraw.Draw(layer), frame, labels, marks, legend)
    body = Image.alpha_composite(body, layer).convert("RGB")
    return _with_caption(body, caption)


def _overlay(canvas, frame: Frame, labels, marks, legend) -> None:
    """What the screen draws over the points: the marks and their labels first, then the region
    labels where they fit, then the legend."""
    boxes: list[tuple[float, float, float, float]] = []
    dots = [_mark(canvas, frame, m) for m in marks]
    # marks' labels keep off every mark's dot; region labels only off other labels
    rims = [(x - 6, y - 6, x + 6, y + 6) for px, py in dots for x, y in zip(px, py)]
    for m, (px, py) in zip(marks, dots):
        _mark_labels(canvas, m, px, py, boxes, rims)
    for x, y, text in labels:
        px, py = frame.pixels(x, y)
        _label(canvas, float(px), float(py), str(text), boxes, bold=True)
    _legend(canvas, [e for e in legend if e[2]])


def _label(canvas, px: float, py: float, text: str, boxes: list, bold: bool, force=False) -> bool:
    """``text`` centred at (px, py) on a white box, moved inside the picture when it sticks out,
    unless it would cover another label or its point lies outside (``force``: drawn anyway)."""
    choices = fonts.fonts(LABEL_SIZE, bold=bold)
    w, h = fonts.width(text, choices) + 8, LABEL_SIZE + 7
    width, height = canvas.im.size
    if not (0 <= px <= width and 0 <= py <= height):
        return False
    left = min(max(px - w / 2, 0), width - w)
    top = min(max(py - h / 2, 0), height - h)
    box = (left, top, left + w, top + h)
    if not force and any(_overlap(box, b) for b in boxes):
        return False
    boxes.append(box)
    canvas.rectangle(box, fill=(255, 255, 255, 200))
    fonts.draw(canvas, (box[0] + 4, box[1] + 2), text, choices, (17, 17, 17, 255))
    return True


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _mark(canvas, frame: Frame, m: dict):
    """One mark's lines (from its first point) and dots with a dark rim; returns the dots'
    pixels."""
    px, py = frame.pixels(m["x"], m["y"])
    colour = (*rgb(m["color"]), 255)
    if m.get("lines") and len(px) > 1:
        for x, y in zip(px[1:], py[1:]):
            canvas.line([(px[0], py[0]), (x, y)], fill=colour, width=2)
    for x, y in zip(px, py):
        canvas.ellipse([x - 5, y - 5, x + 5, y + 5], fill=colour, outline=(0, 0, 0, 255))
    return np.asarray(px, dtype=float), np.asarray(py, dtype=float)


def _mark_labels(canvas, m: dict, px, py, boxes: list, rims: list) -> None:
    """A mark's labels (when it has at most 30 points), each at the first place around its dot
    that covers no label, dot or legend (:func:`core.labelplace.place_labels`), farther out with
    a thin leader line when the near places are taken; the first point's label is never left
    out."""
    from .labelplace import place_labels

    if len(px) > 30:
        return
    choices = fonts.fonts(LABEL_SIZE, bold=True)
    texts = [str(t) for t in m["text"]]
    sizes = [(fonts.width(t, choices) + 8, LABEL_SIZE + 7) for t in texts]
    width, height = canvas.im.size
    inside = (px >= 0) & (px <= width) & (py >= 0) & (py <= height)
    for j in np.flatnonzero(inside):
        bounds = (0, 0, width, height)
        where = place_labels(px[[j]], py[[j]], [sizes[j]], bounds, 5.0, boxes + rims)
        box = where.boxes[0]
        if box is None:
            if j == 0:
                _label(canvas, px[j], py[j] - 14, texts[j], boxes, bold=True, force=True)
            continue
        if where.rings[0] > 0:
            centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
            canvas.line([centre, (px[j], py[j])], fill=(85, 85, 85, 255), width=1)
        boxes.append(box)
        canvas.rectangle(box, fill=(255, 255, 255, 200))
        fonts.draw(canvas, (box[0] + 4, box[1] + 2), texts[j], choices, (17, 17, 17, 255))


def _legend(canvas, entries: list) -> None:
    """The colours' meanings in a box at the top left."""
    if not entries:
        return
    choices = fonts.fonts(LABEL_SIZE)
    texts = [f"{text} ({count:,})" for _, text, count in entries]
    w = max(fonts.width(t, choices) for t in texts) + 34
    canvas.rectangle((6, 6, 6 + w, 10 + LINE * len(entries)), fill=(255, 255, 255, 215))
    for i, ((colour, _, _), text) in enumerate(zip(entries, texts)):
        y = 10 + LINE * i
        canvas.rectangle((12, y + 3, 24, y + 15), fill=(*rgb(colour), 255))
        fonts.draw(canvas, (30, y), text, choices, (17, 17, 17, 255))


def _with_caption(body, caption: str) -> bytes:
    """``body`` with ``caption`` wrapped under it, as PNG bytes."""
    from PIL import Image, ImageDraw

    choices = fonts.fonts(CAPTION_SIZE)
    lines = fonts.wrap(caption, choices, body.width - 2 * PAD) if caption else []
    out = Image.new("RGB", (body.width, body.height + (LINE * len(lines) + PAD if lines else 0)))
    out.paste((255, 255, 255), (0, 0, *out.size))
    out.paste(body, (0, 0))
    canvas = ImageDraw.Draw(out)
    for i, line in enumerate(lines):
        fonts.draw(canvas, (PAD, body.height + PAD // 2 + LINE * i), line, choices, (68, 68, 68))
    buf = BytesIO()
    out.save(buf, format="PNG")
    return buf.getvalue()
