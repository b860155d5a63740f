"""User text made safe to show: control characters spelled out, so a key, title or file name can
neither drive a terminal (ANSI/OSC escapes, a carriage return over the line) nor hide as text
(bidirectional overrides), and Markdown spelled out for the places that render it.

``visible`` is what the CLI prints every line through; ``visible_json`` keeps JSON valid while
escaping the controls ``json.dumps(..., ensure_ascii=False)`` leaves raw (C1, bidi, U+2028);
``markdown_text`` is user text made inert for a Markdown renderer (a Streamlit label or caption).
``visible`` is also what a picture drawn on the server lays out (:mod:`core.fonts`): one line, so
Pillow's raqm layout never fails on a line or paragraph break.
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
# where GitHub-style autolink literals (remark-gfm's, which Streamlit renders with) start:
# "http://" or "https://", "www." and an e-mail address's "@" (mailto: and xmpp: links need one);
# anywhere, not only at a word's start ("_http://…" is linked too); "HR@10" is no address
_AUTOLINK = re.compile(r"(?i)(https?)(?=://)|(www)(?=\.)|(?<=[-.\w+])(?=@[-\w]+(?:\.[-\w]+)+)")
WORD_JOINER = "\u2060"  # zero-width, no line-break opportunity: invisible where it is put


def _unlinked(text: str) -> str:
    """``text`` with a word joiner after each ``http(s)`` of a URL and each ``www.``, and before
    the ``@`` of an e-mail address."""
    return _AUTOLINK.sub(lambda m: (m.group(1) or m.group(2) or "") + WORD_JOINER, text)


def markdown_text(text) -> str:
    """``text`` as literal text for a Markdown renderer (a Streamlit label, caption or button):
    every Markdown and HTML character backslash-escaped, controls spelled out, line breaks kept
    out, so ``![x](http://…)`` or ``<img src=…>`` shows as typed and fetches nothing.  A bare
    ``http://…``, ``www.…`` or ``a@b.example`` gets an invisible word joiner (U+2060) after its
    scheme or ``www`` and before its ``@`` (``HR@10`` is left alone): GitHub-style autolinks are
    found in the text after the escapes are resolved, and the joiner keeps them from matching, so
    no user text becomes a link.

    Parameters
    ----------
    text : str
        User text.

    Returns
    -------
    str
        Markdown that renders as ``text`` (controls spelled out), with no link, image or markup.

    Examples
    --------
    >>> markdown_text("![a](http://x.example/p.png) *b*")
    '\\\\!\\\\[a\\\\]\\\\(http\\u2060\\\\://x\\\\.example/p\\\\.png\\\\) \\\\*b\\\\*'
    >>> markdown_text("see www.example.com").replace(WORD_JOINER, "|")
    'see www|\\\\.example\\\\.com'
    """
    return _MARKDOWN.sub(r"\\\1", _unlinked(visible(text)))
