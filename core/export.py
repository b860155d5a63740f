"""Figures that leave the app: the provenance caption written into a figure (wrapped, under the
axis title, never cut), the server-side PNG through kaleido, and the self-contained HTML report.

A PNG is drawn by kaleido in a Chromium it starts; what that driver logs (Chromium's stderr, a
closed pipe's traceback) is kept to one line per warning, so a server's console never fills with
tracebacks, and a failure is one typed error saying why instead of an empty file.
"""

from __future__ import annotations

import html
import logging
from functools import lru_cache

import pandas as pd

from .errors import OutputError
from .visible import visible

EXPORT_WIDTH = 700  # px: the width a server-side PNG is drawn at (plotly's default)
CAPTION_SIZE = 10  # px
CAPTION_LINE = 13  # px between caption lines
CAPTION_WIDTH = EXPORT_WIDTH - 90  # px a caption line may take (the figure's width less margins)
DRIVER_LOGGERS = ("kaleido", "choreographer", "logistro", "browser_proc")


def esc(value) -> str:
    """Escape ``<``, ``>`` and ``&`` (plotly decodes those entities; it shows ``&quot;`` as is, so
    quotes stay quotes -- labels are text content here, never attribute values), and spell out
    control characters and line breaks (:func:`core.visible.visible`): a label is one line, as
    wide as :func:`core.fonts.width` measures it.

    Examples
    --------
    >>> esc("<b>line\\nbreak</b> & co")
    '&lt;b&gt;line\\\\nbreak&lt;/b&gt; &amp; co'
    """
    return html.escape(visible(value), quote=False)


def caption_lines(text: str, width: float = CAPTION_WIDTH) -> list[str]:
    """``text`` wrapped to lines of at most ``width`` pixels of 10-pixel DejaVu Sans (wider than
    the fonts browsers draw plotly's text with, so the lines fit there too).

    Examples
    --------
    >>> lines = caption_lines("embedlab · " + "a long provenance line · " * 8)
    >>> len(lines) > 1 and all(len(line) < 130 for line in lines)
    True
    """
    from . import fonts

    return fonts.wrap(text, fonts.fonts(CAPTION_SIZE), width)


def caption(fig, text: str, axis_title: bool | None = None):
    """Write ``text`` (provenance) under the plot, wrapped to the export width, below the x axis'
    tick labels and title; the figure grows by the caption's height (the plot keeps its size).

    Parameters
    ----------
    fig : plotly Figure
    text : str
    axis_title : bool, optional
        Whether the x axis has a title to keep clear of (default: read from the figure).

    Returns
    -------
    plotly Figure
        ``fig``, changed in place.
    """
    left = fig.layout.margin.l if fig.layout.margin.l is not None else 80  # plotly's default
    start = min(left, 45)  # px from the figure's left edge, whatever the plot's margin
    lines = caption_lines(text, (fig.layout.width or EXPORT_WIDTH) - start - 45)
    if axis_title is None:
        axis_title = bool(fig.layout.xaxis.title.text)
    shift = 58 if axis_title else 36  # tick labels (and the axis title) come first
    fig.add_annotation(
        text="<br>".join(esc(line) for line in lines),
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        xshift=start - left,
        yshift=-shift,
        showarrow=False,
        xanchor="left",
        yanchor="top",
        align="left",
        font={"size": CAPTION_SIZE, "color": "#555"},
    )
    old = fig.layout.margin.b if fig.layout.margin.b is not None else 80  # plotly's default
    bottom = shift + CAPTION_LINE * len(lines) + 14
    fig.update_layout(margin={"b": bottom}, height=(fig.layout.height or 450) + bottom - old)
    return fig


def to_png(fig, scale: float = 2.0) -> bytes:
    """``fig`` as PNG bytes, drawn by kaleido at :data:`EXPORT_WIDTH` pixels (or the figure's own
    width) times ``scale``.

    Raises
    ------
    OutputError
        kaleido could not draw it (no Chromium it can start, or the browser failed); the message
        says why in one line.
    """
    quiet_driver_logs()
    try:
        return fig.to_image(format="png", scale=scale, width=fig.layout.width or EXPORT_WIDTH)
    except Exception as exc:  # kaleido raises several types when it cannot start a browser
        first = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
        reason = " ".join(first.split())[:160] or type(exc).__name__
        raise OutputError(
            f"the server could not draw this chart as PNG ({reason})",
            hint="the chart's camera button saves a PNG in your browser",
        ) from None


class OneLine(logging.Formatter):
    """A log record as one line: its message and, when it carries an exception, the exception's
    type and first line, never the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        text = " ".join(record.getMessage().split())
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            text += f" ({type(exc).__name__}: {' '.join(str(exc).split())[:160]})"
        return f"embedlab: PNG export: {record.name}: {text}"


@lru_cache(maxsize=1)
def quiet_driver_logs() -> None:
    """Route what kaleido, its Chromium driver and Chromium's stderr log to one line per warning
    on stderr (no tracebacks); Chromium's own chatter is dropped (a failure reaches the caller as
    an exception)."""
    handler = logging.StreamHandler()
    handler.setLevel(logging.WARNING)
    handler.setFormatter(OneLine())
    for name in DRIVER_LOGGERS:
        logger = logging.getLogger(name)
        logger.propagate = False
        logger.handlers = [] if name == "browser_proc" else [handler]
        if name == "browser_proc":
            logger.addHandler(logging.NullHandler())


def report_html(
    title: str, figures: list, tables: list[tuple[str, pd.DataFrame]], provenance: str
) -> str:
    """One self-contained HTML file: the figures (plotly.js inlined once) and the tables."""
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{esc(title)}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:3px 8px}caption{text-align:left;color:#666}</style>",
        f"</head><body><h1>{esc(title)}</h1><p style='color:#666'>{esc(provenance)}</p>",
    ]
    for i, fig in enumerate(figures):
        parts.append(fig.to_html(full_html=False, include_plotlyjs="inline" if i == 0 else False))
    for name, table in tables:
        parts.append(f"<h2>{esc(name)}</h2>" + table.to_html(index=False, escape=True))
    parts.append("</body></html>")
    return "\n".join(parts)
