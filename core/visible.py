"""User text made safe to show: control characters spelled out, so a key, title or file name can
neither drive a terminal (ANSI/OSC escapes, a carriage return over the line) nor hide as text
(bidirectional overrides), and Markdown spelled out for the places that render it.

``visible`` is what the CLI prints every line through; ``visible_json`` keeps JSON valid while
escaping the controls ``json.dumps(..., ensure_ascii=False)`` leaves raw (C1, bidi, U+2028);
``markdown_text`` is user text made inert for a Markdown renderer (a Streamlit label or caption).
"""

from __future__ import annotations

import re

# C0 and C1 controls and DEL, the bidirectional controls, the Unicode line and paragraph
# separators, lone surrogates (a byte that did not decode): never shown raw
_OTHERS = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
UNSAFE = re.compile(f"[\x00-\x1f{_OTHERS}]")
UNSAFE_BUT_NEWLINE = re.compile(f"[\x00-\x09\x0b-\x1f{_OTHERS}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match) -> str:
    c = match.group()
    if c in _NAMED:
        return _NAMED[c]
    n = ord(c)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def visible(text, keep_newlines: bool = False) -> str:
    """``text`` with every control character spelled out (``\\x1b``, ``\\n``, ``\\u202e``).

    Parameters
    ----------
    text : str
        User text, or a whole line holding some.
    keep_newlines : bool, default False
        Leave ``\\n`` as a line break (for a block of lines this program laid out).

    Returns
    -------
    str

    Examples
    --------
    >>> visible("Film\\x1b[2J\\x1b]8;;http://x.example\\x07click")
    'Film\\\\x1b[2J\\\\x1b]8;;http://x.example\\\\x07click'
    >>> visible("a\\nb"), visible("a\\nb", keep_newlines=True)
    ('a\\\\nb', 'a\\nb')
    """
    pattern = UNSAFE_BUT_NEWLINE if keep_newlines else UNSAFE
    return pattern.sub(_escape, str(text))


def visible_json(text: str) -> str:
    """JSON text with the controls ``json.dumps(ensure_ascii=False)`` leaves raw written as
    ``\\uXXXX`` escapes: still the same JSON value, nothing raw on a terminal.

    Examples
    --------
    >>> import json
    >>> out = visible_json(json.dumps({"t": "a\\x9b2Jb\\u202e"}, ensure_ascii=False))
    >>> out, json.loads(out)["t"] == "a\\x9b2Jb\\u202e"
    ('{"t": "a\\\\u009b2Jb\\\\u202e"}', True)
    """
    return UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&=\"'])")


def markdown_text(text) -> str:
    """``text`` as literal text for a Markdown renderer (a Streamlit label, caption or button):
    every Markdown and HTML character backslash-escaped, controls spelled out, line breaks kept
    out, so ``![x](http://…)`` or ``<img src=…>`` shows as typed and fetches nothing.  (A bare
    ``http://…`` may still be drawn as a link: GitHub-style autolinks are found after escapes are
    resolved; a link fetches nothing until clicked, and the text stays exactly as typed.)

    Examples
    --------
    >>> markdown_text("![a](http://x.example/p.png) *b*")
    '\\\\!\\\\[a\\\\]\\\\(http\\\\://x\\\\.example/p\\\\.png\\\\) \\\\*b\\\\*'
    """
    return _MARKDOWN.sub(r"\\\1", visible(text))
