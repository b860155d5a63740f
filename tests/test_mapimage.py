"""The whole-map PNG drawn on the server (core.mapimage, core.fonts): what the screen has over the
points (labels, marks, legend) and the whole caption, wrapped inside the image, in fonts that hold
its glyphs."""

from io import BytesIO

import numpy as np
import pytest
from PIL import Image, ImageDraw

from embedlab.core import fonts
from embedlab.core.mapimage import map_png
from embedlab.core.visible import visible

COORDS = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]])
CAPTION = (
    "embedlab · ml100k als · trained als on ratings.tsv · 1,682 keys × 64 · t-SNE of all 1,682 "
    "keys, seed 0 · regions labelled by their most distinctive genre · exported 2026-12-06"
)


def picture(png: bytes) -> np.ndarray:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(BytesIO(png)) as image:
        return np.asarray(image.convert("RGB")).astype(int)


def dark(rgb: np.ndarray) -> np.ndarray:
    return (rgb < 100).all(axis=-1)


def test_the_caption_wraps_inside_the_picture_and_every_glyph_is_a_glyph():
    assert fonts.font_files(), "a scalable font (the test command installs fonts-dejavu-core)"
    # "×", "·" and "–" are drawn, not as missing-glyph boxes
    assert fonts.missing_glyphs(CAPTION + " – ≤ → é", fonts.fonts(13)) == ""
    lines = fonts.wrap(CAPTION, fonts.fonts(13), 400 - 16)
    assert len(lines) >= 3 and " ".join(lines) == CAPTION  # wrapped at spaces, nothing lost
    rgb = picture(
        map_png(COORDS, np.zeros(4, int), ["#4C78A8"], caption=CAPTION, width=400, height=200)
    )
    assert rgb.shape[:2] == (200 + 18 * len(lines) + 8, 400)
    strip = rgb[200:]
    rows_with_text = np.flatnonzero((strip < 160).all(axis=2).any(axis=1))
    assert rows_with_text.max() - rows_with_text.min() > 18 * (len(lines) - 1)  # every line drawn
    assert not (strip[:, -6:] < 160).all(axis=2).any()  # nothing runs off the right edge


def test_labels_marks_and_legend_are_drawn_where_the_screen_draws_them():
    plain = picture(map_png(COORDS, np.zeros(4, int), ["#4C78A8"], width=400, height=300))
    marks = [{"color": "#ff0000", "x": [10.0], "y": [10.0], "text": ["Star Wars (1977)"]}]
    legend = [("#00ff00", "Drama", 3), ("#0000ff", "War", 0)]
    full = picture(
        map_png(
            COORDS,
            np.zeros(4, int),
            ["#4C78A8"],
            labels=[[0.0, 0.0, "Horror 62%"]],
            marks=marks,
            legend=legend,
            width=400,
            height=300,
        )
    )
    changed = np.abs(full - plain).sum(axis=2) > 60
    # the frame puts (0, 0) at 3% from the bottom left and (10, 10) at the top right, 94% apart
    scale = 0.94 * min(400, 300) / 10
    x0, y0 = 200 - 5 * scale, 150 + 5 * scale
    x1, y1 = 200 + 5 * scale, 150 - 5 * scale
    assert changed[int(y0) - 6 : int(y0) + 6, int(x0) - 30 : int(x0) + 30].mean() > 0.1  # label
    red = (full[..., 0] > 200) & (full[..., 1] < 60) & (full[..., 2] < 60)
    assert red[int(y1) - 4 : int(y1) + 5, int(x1) - 4 : int(x1) + 5].sum() > 20  # the mark's dot
    # its title, above the dot or (at the top edge, as here) below it, kept inside the picture
    assert changed[int(y1) + 6 : int(y1) + 24, int(x1) - 70 : int(x1) - 8].any()
    green = (full[..., 1] > 200) & (full[..., 0] < 60) & (full[..., 2] < 60)
    assert green[:40, :40].sum() > 50  # the legend's swatch, top left
    blue = (full[..., 2] > 200) & (full[..., 0] < 60) & (full[..., 1] < 60)
    assert blue[:60, :40].sum() == 0  # a legend entry of no point is left out


def test_marks_packed_together_each_get_a_label_and_no_two_labels_overlap(monkeypatch):
    # an arithmetic's result vector, then six answers within a few pixels of one another
    pts = np.array([[0.0, 0.0]] + [[0.5 + 0.004 * np.cos(a), 0.004 * np.sin(a)] for a in range(6)])
    coords = np.vstack([np.random.default_rng(0).uniform(-1, 1.5, size=(300, 2)), pts])
    texts = ["result vector"] + [f"{i}. An Answer Titled {i} (1999)" for i in range(1, 7)]
    mark = {"x": pts[:, 0], "y": pts[:, 1], "color": "#000000", "lines": True, "text": texts}
    written = []
    real = fonts.draw

    def draw(canvas, at, text, choices, fill):
        written.append((at, text, fonts.width(text, choices)))
        return real(canvas, at, text, choices, fill)

    monkeypatch.setattr(fonts, "draw", draw)
    map_png(coords, np.zeros(len(coords), int), ["#88aacc"], marks=[mark], width=800, height=500)
    assert sorted(t for _, t, _ in written if t in texts) == sorted(texts)
    boxes = [(x, y, x + w, y + 13) for (x, y), t, w in written if t in texts]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)


# what a metadata file's titles may hold: Pillow's raqm layout fails on the first six
LINE_BREAKING = [
    "line\nbreak",
    "carriage\rreturn",
    "paragraph\u2029separator",
    "next\x85line",
    "file\x1cseparator",
    "crlf\r\nend",
    "line\u2028separator",
    "tab\there",
]


@pytest.mark.parametrize("text", LINE_BREAKING)
def test_a_title_holding_a_line_break_is_measured_and_drawn_on_one_line(text):
    choices = fonts.fonts(11)
    shown = visible(text)  # the break spelled out, as the CLI prints it
    assert fonts.width(text, choices) == fonts.width(shown, choices) > 0
    assert fonts.wrap(text, choices, 1000) == [shown]
    assert fonts.missing_glyphs(text, choices) == ""
    image = Image.new("RGB", (400, 40), "white")
    fonts.draw(ImageDraw.Draw(image), (4, 4), text, choices, (0, 0, 0))
    rows = np.flatnonzero(dark(np.asarray(image).astype(int)).any(axis=1))
    assert rows.size and rows.max() - rows.min() < 20  # one line of 11-pixel text


def test_the_whole_map_png_draws_titles_with_line_breaks_as_their_escaped_text():
    def png(texts):
        marks = [{"color": "#ff0000", "x": [1.0, 9.0], "y": [1.0, 9.0], "text": texts[:2]}]
        legend = [("#00ff00", texts[2], 3), ("#0000ff", texts[3], 1)]
        labels = [[0.0, 10.0, texts[4]], [10.0, 0.0, texts[5]]]
        caption = "embedlab · " + " ".join(texts)
        return map_png(COORDS, np.array([0, 1, 0, 1]), ["#00ff00", "#0000ff"], labels, marks,
                       legend, caption, width=500, height=300)  # fmt: skip

    hostile = png(LINE_BREAKING)
    assert hostile == png([visible(t) for t in LINE_BREAKING])  # the same picture, pixel for pixel
    assert picture(hostile).shape[1] == 500
