"""Packing a layout for the browser's point map, and the server-side raster of the same map."""

import numpy as np
import pytest

from embedlab.core import pointmap
from embedlab.core.errors import ParameterError


def test_pack_round_trips_positions_within_a_65536th_of_the_span_and_keeps_keys_and_groups():
    rng = np.random.default_rng(0)
    coords = rng.normal(size=(1000, 2)) * [30, 5]
    groups = rng.integers(0, 300, size=1000)  # more than 255: two bytes per group
    keys = [f"k{i}" for i in range(999)] + ["<b>two\nlines</b>"]
    packed = pointmap.pack(coords, groups, keys)
    back, g, k, _ = pointmap.unpack(packed)
    span = coords.max(axis=0) - coords.min(axis=0)
    assert (np.abs(back - coords) <= span / 65535).all()
    assert packed.group_bytes == 2 and (g == groups).all()
    assert (
        k[:999] == keys[:999] and k[999] == "<b>two\u21b5lines</b>"
    )  # one line per key, text kept as is
    assert len(packed.blob) == 1000 * (4 + 2) + len("\n".join(k).encode())


def test_pack_refuses_what_the_browser_could_not_draw():
    with pytest.raises(ParameterError, match="finite"):
        pointmap.pack(np.array([[0.0, np.nan], [1, 1]]), np.zeros(2, int), ["a", "b"])
    with pytest.raises(ParameterError, match="2 groups and 1 keys"):
        pointmap.pack(np.zeros((2, 2)), np.zeros(2, int), ["a"])


def test_raster_draws_the_first_rows_on_top_over_a_density_wash():
    coords = np.array([[0.0, 0.0], [0.0, 0.0], [10.0, 10.0]])
    image = pointmap.raster(coords, np.array([0, 1, 1]), ["#ff0000", "#0000ff"], 100, 100)
    red, blue = np.array([255, 0, 0]), np.array([0, 0, 255])
    where = np.argwhere((image != 255).any(axis=2))
    assert len(where) > 2  # points and the wash around them
    centre = image[97, 3]  # rows 0 and 1 share (0, 0), at the bottom left; row 0 (red) is on top
    assert np.abs(centre.astype(int) - red).sum() < np.abs(centre.astype(int) - blue).sum()
    # three points: each drawn as a 7 x 7 square (as the browser draws so few), the blue one
    # whole around its pixel at the top right (97 - 3 .. 97 + 3 would leave the picture)
    corner = image[:6, 94:]
    assert (np.abs(corner.astype(int) - blue).sum(axis=2) < 200).sum() >= 9
