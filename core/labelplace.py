"""Where to write the labels of a few points so that none covers another: each label takes the
first of eight positions around its point that overlaps no label placed before it and no other
point, in the order the labels matter (the query first, then the nearest neighbours).

Charts that name a handful of points (neighbours, arithmetic) place their labels here, in pixels
of the picture they will be drawn in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# each candidate's name, and where the label's box then sits relative to the point (dx, dy of the
# box centre in units of the box's half width / half height plus GAP, y downwards)
POSITIONS = (
    ("top center", 0, -1),
    ("bottom center", 0, 1),
    ("middle right", 1, 0),
    ("middle left", -1, 0),
    ("top right", 1, -1),
    ("top left", -1, -1),
    ("bottom right", 1, 1),
    ("bottom left", -1, 1),
)
GAP = 6  # pixels between a point and its label
RINGS = (0, 24, 48, 72, 96)  # extra distance in pixels when the places next to a point are taken


@dataclass(frozen=True)
class Placement:
    """Where each label goes: a position name ("top center", ...), or None for a label left out
    (no free place), its distance ring (0: next to the point; farther rings want a leader line)
    and the label's box in pixels (x0, y0, x1, y1) when placed."""

    positions: list[str | None]
    boxes: list[tuple[float, float, float, float] | None]
    rings: list[int]


def place_labels(
    px: np.ndarray,
    py: np.ndarray,
    sizes: Sequence[tuple[float, float]],
    bounds: tuple[float, float, float, float],
    point_radius: float | Sequence[float] = 5.0,
    taken: Sequence[tuple[float, float, float, float]] = (),
) -> Placement:
    """Place one label per point, in order, where it covers no earlier label and no point: next to
    its point if a side is free, else farther out (:data:`RINGS`).

    Parameters
    ----------
    px, py : ndarray (n,)
        The points in pixels (y downwards).
    sizes : sequence of (width, height)
        Each label's size in pixels.
    bounds : (x0, y0, x1, y1)
        The area labels must stay inside.
    point_radius : float or sequence of float, default 5
        Pixels around each point no label may cover (one for all points, or one per point).
    taken : sequence of (x0, y0, x1, y1), optional
        Boxes already used (labels placed before).

    Returns
    -------
    Placement

    Examples
    --------
    Two points side by side: the first label goes above its point, the second (which would cover
    it above) below its own.

    >>> p = place_labels(np.array([50.0, 60.0]), np.array([50.0, 50.0]), [(40, 12), (40, 12)],
    ...                  (0, 0, 200, 200))
    >>> p.positions, p.rings
    (['top center', 'bottom center'], [0, 0])
    """
    px, py = np.asarray(px, dtype=float), np.asarray(py, dtype=float)
    radii = np.broadcast_to(np.asarray(point_radius, dtype=float), px.shape)
    dots = [(x - r, y - r, x + r, y + r) for x, y, r in zip(px, py, radii)]
    placed: list[tuple[float, float, float, float]] = list(taken)
    positions: list[str | None] = []
    boxes: list[tuple[float, float, float, float] | None] = []
    rings: list[int] = []
    for i, (w, h) in enumerate(sizes):
        chosen = _first_free((px[i], py[i]), (w, h), radii[i], bounds, placed + dots)
        positions.append(None if chosen is None else chosen[0])
        boxes.append(None if chosen is None else chosen[1])
        rings.append(0 if chosen is None else chosen[2])
        if chosen is not None:
            placed.append(chosen[1])
    return Placement(positions, boxes, rings)


def _first_free(point, size, radius, bounds, taken):
    """The first (position, box, ring) around ``point`` whose box stays inside ``bounds`` and
    overlaps none of ``taken``, or None."""
    w, h = size
    for ring, (name, _, _) in ((r, p) for r in range(len(RINGS)) for p in POSITIONS):
        cx, cy = np.array(offset(name, size, radius, ring)) * (1, -1) + point
        box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
        inside = (
            box[0] >= bounds[0]
            and box[1] >= bounds[1]
            and box[2] <= bounds[2]
            and box[3] <= bounds[3]
        )
        if inside and not any(_overlap(box, o) for o in taken):
            return name, box, ring
    return None


def offset(
    position: str, size: tuple[float, float], radius: float = 5.0, ring: int = 0
) -> tuple[float, float]:
    """The shift in pixels (x right, y up) from a point to the centre of its label at
    ``position`` and ``ring`` (as :func:`place_labels` placed it).

    Examples
    --------
    >>> offset("middle right", (40, 12))
    (28.5, 0.0)
    >>> offset("top center", (40, 12), ring=1)
    (0.0, 38.5)
    """
    _, dx, dy = next(p for p in POSITIONS if p[0] == position)
    w, h = size
    far = GAP + radius / 2 + RINGS[ring]
    return dx * (w / 2 + far), -dy * (h / 2 + far)


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
