"""Text in pictures drawn on the server (the whole-map PNG): fonts found on the machine, each
character drawn with the first font that holds its glyph, and lines wrapped to a width.

Pillow's built-in bitmap font draws only ASCII ("×" becomes a box), so we look for the scalable
fonts a desktop or a Chromium install brings (DejaVu Sans, Liberation Sans, Noto Sans…) and fall
back from one to the next per character, as a browser does.  Pillow's own scalable default font is
the last resort.

Every text is measured and drawn as :func:`core.visible.visible` makes it: one line, controls
spelled out (raqm's layout fails on a line break, and a title may hold one).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from .visible import visible

FONT_FILES = (  # in order of preference; the later ones cover what the first ones lack
    "DejaVuSans.ttf",
    "LiberationSans-Regular.ttf",
    "NotoSans-Regular.ttf",
    "FreeSans.ttf",
    "Arial.ttf",
    "arial.ttf",
    "NotoSansCJK-Regular.ttc",
    "DroidSansFallbackFull.ttf",
    "NotoColorEmoji.ttf",
)
BOLD_FILES = ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "NotoSans-Bold.ttf", "arialbd.ttf")
FONT_DIRS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    "C:/Windows/Fonts",
)
MISSING = "\U0010fffd"  # a private-use character no font draws: what a missing glyph looks like


@lru_cache(maxsize=1)
def font_files() -> dict[str, Path]:
    """The font files of :data:`FONT_FILES` and :data:`BOLD_FILES` found on this machine, by
    name (the first found of each)."""
    wanted = set(FONT_FILES) | set(BOLD_FILES)
    found: dict[str, Path] = {}
    for folder in FONT_DIRS:
        root = Path(os.path.expanduser(folder))
        if not root.is_dir():
            continue
        for dirpath, _, files in os.walk(root):
            for name in wanted.intersection(files):
                found.setdefault(name, Path(dirpath) / name)
    return found


@lru_cache(maxsize=16)
def fonts(size: int, bold: bool = False) -> tuple:
    """Pillow fonts of ``size`` pixels to draw with, in order of preference (bold ones first
    when ``bold``), ending with Pillow's own scalable default font.

    Parameters
    ----------
    size : int
    bold : bool, default False

    Returns
    -------
    tuple of PIL.ImageFont.FreeTypeFont
        Never empty.
    """
    from PIL import ImageFont

    files = font_files()
    names = (BOLD_FILES if bold else ()) + FONT_FILES
    out = []
    for name in names:
        if name in files:
            try:
                out.append(ImageFont.truetype(str(files[name]), size))
            except OSError:  # an unreadable or unsupported file: the next one
                continue
    out.append(ImageFont.load_default(size))
    return tuple(out)


_GLYPHS: dict[tuple[int, str], bool] = {}


def has_glyph(font, char: str) -> bool:
    """Whether ``font`` draws ``char`` itself (not its missing-glyph box)."""
    if char.isspace():
        return True
    key = (id(font), char)
    if key not in _GLYPHS:
        try:
            drawn = font.getmask(char)
            missing = font.getmask(MISSING)
            _GLYPHS[key] = drawn.size != missing.size or bytes(drawn) != bytes(missing)
        except (UnicodeError, OSError, ValueError):
            _GLYPHS[key] = False
    return _GLYPHS[key]


def runs(text: str, choices: tuple) -> list[tuple[object, str]]:
    """``text`` (as :func:`core.visible.visible` makes it: one line, no control) cut into runs,
    each with the first font of ``choices`` that holds all its glyphs (a character no font holds
    stays with the first font)."""
    out: list[tuple[object, str]] = []
    for char in visible(text):
        font = next((f for f in choices if has_glyph(f, char)), choices[0])
        if out and out[-1][0] is font:
            out[-1] = (font, out[-1][1] + char)
        else:
            out.append((font, char))
    return out


def width(text: str, choices: tuple) -> float:
    """How wide ``text`` is drawn, in pixels (on one line, controls spelled out).

    Parameters
    ----------
    text : str
    choices : tuple of fonts
        As :func:`fonts` gives them.

    Returns
    -------
    float

    Examples
    --------
    >>> width("line\\nbreak", fonts(11)) == width("line\\\\nbreak", fonts(11)) > 0
    True
    """
    return sum(font.getlength(part) for font, part in runs(text, choices))


def missing_glyphs(text: str, choices: tuple) -> str:
    """The characters of ``text`` that no font of ``choices`` holds (drawn as boxes)."""
    found = {c for c in visible(text) if not any(has_glyph(f, c) for f in choices)}
    return "".join(sorted(found))


def draw(canvas, xy: tuple[float, float], text: str, choices: tuple, fill) -> None:
    """Draw ``text`` on the ``PIL.ImageDraw`` ``canvas`` with its top-left corner at ``xy``, each
    run in its font, on one line (controls spelled out, as :func:`width` measures it)."""
    x, y = xy
    for font, part in runs(text, choices):
        canvas.text((x, y), part, font=font, fill=fill)
        x += font.getlength(part)


def wrap(text: str, choices: tuple, max_width: float) -> list[str]:
    """``text`` broken into lines no wider than ``max_width`` pixels, at spaces (a word longer
    than a line is cut where it must be); a line break or control in ``text`` is spelled out
    (:func:`core.visible.visible`), never a break of its own.

    Parameters
    ----------
    text : str
    choices : tuple of fonts
    max_width : float

    Returns
    -------
    list of str
        At least one line.

    Examples
    --------
    >>> lines = wrap("embedlab · a caption long enough to need two lines", fonts(13), 200)
    >>> len(lines) > 1 and all(width(line, fonts(13)) <= 200 for line in lines)
    True
    """
    lines: list[str] = []
    line = ""
    for word in visible(text).split(" "):
        candidate = f"{line} {word}" if line else word
        if width(candidate, choices) <= max_width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while width(word, choices) > max_width and len(word) > 1:
            cut = max(1, int(len(word) * max_width / max(width(word, choices), 1)))
            while cut > 1 and width(word[:cut], choices) > max_width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    lines.append(line)
    return lines
