"""A layout packed for the browser's point map: positions quantised to 16 bits, a colour group per
point and the keys (and, for sets with titles, the names people read) as one text, in a single
compact byte string (400,000 points: about 5 MB, of which 1.6 MB positions), plus the JSON-ready
labels and marks drawn over it.

The dashboard's point-map component (``dashboard/components/pointmap``) decodes exactly this
layout; :func:`pack` is the only writer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .errors import ParameterError

NEWLINES = str.maketrans(
    {"\n": "\u21b5", "\r": "\u21b5"}
)  # a key's line breaks shown as ↵ (the text is "\n"-joined)


@dataclass(frozen=True)
class PackedPoints:
    """Points ready for the browser.

    ``blob`` holds, in order: ``n`` × (x, y) as little-endian uint16 (0..65535 across
    ``bounds``), ``n`` group ids of ``group_bytes`` bytes each, then the keys as UTF-8 joined by
    ``"\\n"``, followed, when ``named``, by ``"\\n"`` and the ``n`` names joined the same way.
    ``bounds`` is ``[x0, y0, x1, y1]`` of the data.
    """

    blob: bytes
    n: int
    group_bytes: int
    bounds: tuple[float, float, float, float]
    named: bool = False

    def args(self) -> dict:
        """The component arguments describing these points."""
        return {
            "blob": self.blob,
            "n": self.n,
            "group_bytes": self.group_bytes,
            "bounds": list(self.bounds),
            "named": self.named,
        }


def pack(
    coords: np.ndarray,
    groups: np.ndarray,
    keys: Iterable[str],
    names: Iterable[str] | None = None,
) -> PackedPoints:
    """Pack ``n`` points for the point map.

    Parameters
    ----------
    coords : ndarray (n, 2)
        Map positions.
    groups : ndarray of int (n,)
        Colour group of each point, 0..65535.
    keys : iterable of str
        The key of each point; line breaks inside a key become "↵".
    names : iterable of str, optional
        The name people read for each point (its title): hover shows ``name · key`` and zoomed-in
        labels the name.  Default: the keys.

    Returns
    -------
    PackedPoints

    Raises
    ------
    ParameterError
        Lengths differ, a position is not finite, or a group is outside 0..65535.

    Examples
    --------
    >>> p = pack(np.array([[0, 0], [2, 1]], float), np.array([0, 1]), ["a", "b"])
    >>> p.n, p.group_bytes, p.bounds
    (2, 1, (0.0, 0.0, 2.0, 1.0))
    >>> unpack(p)[2]
    ['a', 'b']
    >>> unpack(pack(np.zeros((1, 2)), np.array([0]), ["50"], ["Star Wars (1977)"]))[3]
    ['Star Wars (1977)']
    """
    coords = np.asarray(coords, dtype=np.float64)
    groups = np.asarray(groups)
    keys = keys if isinstance(keys, list) else list(keys)
    names = None if names is None else list(names)
    named = names is not None and names != keys
    _check_points(coords, groups, keys, names)
    n = len(coords)
    lo, span, quantised = _quantised(coords)
    group_bytes = 1 if not n or groups.max() < 256 else 2
    ids = groups.astype("<u1" if group_bytes == 1 else "<u2")
    text = _key_text(keys) + (b"\n" + _key_text(names) if named else b"")
    blob = quantised.tobytes() + ids.tobytes() + text
    return PackedPoints(
        blob,
        n,
        group_bytes,
        (float(lo[0]), float(lo[1]), float(lo[0] + span[0]), float(lo[1] + span[1])),
        named,
    )


def _quantised(coords: np.ndarray):
    """The lower corner, the span (1 where flat) and the positions as 16-bit fractions of it."""
    lo = coords.min(axis=0) if len(coords) else np.zeros(2)
    hi = coords.max(axis=0) if len(coords) else np.ones(2)
    span = np.where(hi > lo, hi - lo, 1.0)
    return lo, span, np.rint((coords - lo) / span * 65535).astype("<u2")


def _check_points(coords: np.ndarray, groups: np.ndarray, keys: list, names=None) -> None:
    """Raise ``ParameterError`` unless there are n finite positions, n groups in 0..65535, n
    keys and (when given) n names."""
    if names is not None and len(names) != len(keys):
        raise ParameterError(
            f"a point map needs one name per key; got {len(names)} for {len(keys)}"
        )
    n = len(coords)
    if coords.ndim != 2 or coords.shape[1] != 2 or len(groups) != n or len(keys) != n:
        raise ParameterError(
            f"a point map needs n×2 positions, n groups and n keys; got {coords.shape}, "
            f"{len(groups)} groups and {len(keys)} keys"
        )
    if n and not np.isfinite(coords).all():
        raise ParameterError(
            "a point map's positions must be finite numbers; the layout holds NaN or infinity"
        )
    if n and (groups.min() < 0 or groups.max() > 65535):
        raise ParameterError(
            f"point groups must lie in 0..65535, got {groups.min()}..{groups.max()}"
        )


def _key_text(keys: list) -> bytes:
    """The keys as one UTF-8 text, one per line (a line break inside a key becomes "↵")."""
    text = "\n".join(keys)
    if text.count("\n") != max(len(keys) - 1, 0) or "\r" in text:  # rare: a key holds a break
        text = "\n".join(str(k).translate(NEWLINES) for k in keys)
    return text.encode("utf-8", "replace")


def unpack(points: PackedPoints) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """The positions (dequantised), groups, keys and names held by ``points``: what the browser
    sees.

    Parameters
    ----------
    points : PackedPoints

    Returns
    -------
    (ndarray of float64 (n, 2), ndarray of int (n,), list of str, list of str)
        The names are the keys when the points carry none.
    """
    n, gb = points.n, points.group_bytes
    q = np.frombuffer(points.blob, dtype="<u2", count=2 * n).reshape(n, 2)
    x0, y0, x1, y1 = points.bounds
    coords = np.array([x0, y0]) + q / 65535 * np.array([x1 - x0, y1 - y0])
    groups = np.frombuffer(
        points.blob, dtype="<u1" if gb == 1 else "<u2", count=n, offset=4 * n
    ).astype(np.int64)
    lines = points.blob[4 * n + gb * n :].decode("utf-8").split("\n") if n else []
    keys = lines[:n]
    return coords, groups, keys, lines[n:] if points.named else keys


def labels_at(centres: np.ndarray, labels: list[str]) -> list[list]:
    """Region labels as ``[x, y, text]`` rows for the point map (empty labels dropped).

    Parameters
    ----------
    centres : ndarray (k, 2)
        Where each label goes, in map coordinates.
    labels : list of str
        One per centre; plain text (the browser draws it on a canvas, never as HTML).

    Returns
    -------
    list of [float, float, str]

    Examples
    --------
    >>> labels_at(np.array([[0, 1], [2, 3]]), ["a · b", ""])
    [[0.0, 1.0, 'a · b']]
    """
    return [
        [float(x), float(y), str(t)]
        for (x, y), t in zip(np.asarray(centres, dtype=float), labels)
        if t
    ]


@dataclass(frozen=True)
class Frame:
    """Where map coordinates land in a picture of ``width`` × ``height`` pixels: the data's
    bounding box centred and scaled to fill 94% of it, as the browser's point map fits a map."""

    cx: float
    cy: float
    scale: float
    width: int
    height: int

    @classmethod
    def fit(cls, coords: np.ndarray, width: int, height: int) -> Frame:
        coords = np.asarray(coords, dtype=np.float64)
        if not len(coords):
            return cls(0.0, 0.0, 1.0, width, height)
        lo, hi = coords.min(axis=0), coords.max(axis=0)
        scale = 0.94 * min(width / max(hi[0] - lo[0], 1e-12), height / max(hi[1] - lo[1], 1e-12))
        return cls(float((lo[0] + hi[0]) / 2), float((lo[1] + hi[1]) / 2), scale, width, height)

    def pixels(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """Pixel positions (floats) of map positions ``x``, ``y``."""
        px = (np.asarray(x, dtype=np.float64) - self.cx) * self.scale + self.width / 2
        py = self.height / 2 - (np.asarray(y, dtype=np.float64) - self.cy) * self.scale
        return px, py


def raster(
    coords: np.ndarray, groups: np.ndarray, palette: list[str], width: int = 1200, height: int = 800
) -> np.ndarray:
    """The whole map as an RGB image, drawn like the browser's point map: a density wash under
    the points coloured by their group (the first rows on top), each a square that grows as the
    points get fewer (one pixel above 40,000 points, up to 7 × 7 pixels under 500).

    Parameters
    ----------
    coords : ndarray (n, 2)
    groups : ndarray of int (n,)
    palette : list of str
        ``"#rrggbb"`` colours, repeated past their number.
    width, height : int

    Returns
    -------
    ndarray of uint8 (height, width, 3)
    """
    coords = np.asarray(coords, dtype=np.float64)
    image = np.full((height, width, 3), 255.0)
    if not len(coords):
        return image.astype(np.uint8)
    fx, fy = Frame.fit(coords, width, height).pixels(coords[:, 0], coords[:, 1])
    px = np.clip(fx.astype(int), 0, width - 1)
    py = np.clip(fy.astype(int), 0, height - 1)
    dens = np.zeros((height // 4 + 1, width // 4 + 1))
    np.add.at(dens, (py // 4, px // 4), 1)
    wash = 0.08 + 0.4 * np.log1p(dens) / np.log1p(dens.max())
    wash[dens == 0] = 0
    shade = wash.repeat(4, axis=0).repeat(4, axis=1)[:height, :width, None]
    image -= shade * (255 - np.array([40.0, 60.0, 110.0]))
    colours = np.array([rgb(c) for c in palette], dtype=np.float64)
    order = np.arange(len(coords))[::-1]  # the first rows drawn last, on top
    top = np.full((height, width), -1)
    r = point_radius(len(coords))
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            x, y = px[order] + dx, py[order] + dy
            inside = (x >= 0) & (x < width) & (y >= 0) & (y < height)
            top[y[inside], x[inside]] = order[inside]
    hit = top >= 0
    colour = colours[np.asarray(groups)[top[hit]] % len(colours)]
    image[hit] += 0.8 * (colour - image[hit])
    return np.clip(image, 0, 255).astype(np.uint8)


def point_radius(n: int) -> int:
    """The half-width in pixels of a point when ``n`` points share the picture (as the browser's
    point map sizes them)."""
    return 0 if n > 40_000 else 1 if n > 4_000 else 2 if n > 500 else 3


def rgb(colour: str) -> tuple[int, int, int]:
    """``"#rrggbb"`` as a tuple of three integers.

    Examples
    --------
    >>> rgb("#4C78A8")
    (76, 120, 168)
    """
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
