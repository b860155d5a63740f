"""Charts that can leave the app: PNG (browser button and server-side), HTML report, link.

Every export carries the provenance caption: the set's name (never a server path), how it was
made, its size, what the view shows and the date.  A server-side PNG that cannot be drawn says so
under its button ("Failed to generate file for download") and in one line of the server log,
never as an empty file or a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from embedlab.core import Embeddings
from embedlab.core.errors import EmbedlabError
from embedlab.core.export import caption, report_html, to_png


def provenance_line(emb: Embeddings | None, extra: str = "", name: str | None = None) -> str:
    """One line saying what an export shows: ``embedlab · <set> · <how it was made> · <n> keys ×
    <dim> · <extra> · exported <date>``.  ``name`` is the set's name (default: the active set's);
    files are named by their names only."""
    from .state import active_choice, set_name

    bits = ["embedlab"]
    if emb is not None:
        source = emb.provenance.caption(public=True)
        label = name if name is not None else set_name(active_choice())
        bits += [label] if source.startswith(label) else [label, source]
        bits.append(f"{len(emb):,} keys × {emb.dim}")
    if extra:
        bits.append(extra)
    bits.append(f"exported {date.today().isoformat()}")
    return " · ".join(bits)


def chart(
    fig,
    name: str,
    emb: Embeddings | None,
    extra: str = "",
    tables: list[tuple[str, pd.DataFrame]] = (),
    key: str | None = None,
    set_name: str | None = None,
    **plotly_kwargs,
):
    """Show ``fig`` with its provenance caption and the ways to share it (``plotly_kwargs``,
    e.g. ``on_select``, go to ``st.plotly_chart``; a ``config`` there is merged)."""
    text = provenance_line(emb, extra, set_name)
    caption(fig, text)
    config = {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": f"embedlab-{name}", "scale": 2},
    }
    config.update(plotly_kwargs.pop("config", {}))
    st.plotly_chart(fig, config=config, key=key, **plotly_kwargs)
    cols = st.columns(3)
    with cols[0]:
        png_button(
            "PNG (server-side)",
            lambda: to_png(fig),
            f"embedlab-{name}.png",
            key=f"{key or name}.png",
            help="Rendered by kaleido with the provenance caption.",
        )
    cols[1].download_button(
        "Download report (HTML)",
        data=lambda: report_html(f"embedlab · {name}", [fig], list(tables), text),
        file_name=f"embedlab-{name}.html",
        mime="text/html",
        key=f"{key or name}.html",
        on_click="ignore",
    )
    return fig


def png_button(
    label: str,
    make: Callable[[], bytes],
    file_name: str,
    key: str,
    help: str,
    needs_chromium: bool = True,
) -> None:
    """A download button whose PNG is drawn when clicked; without Chromium (for kaleido), the
    instruction instead of the button."""
    if needs_chromium and not png_available():
        st.caption(
            "Server-side PNG needs Chromium on the server: `apt install chromium` "
            "(kaleido comes with embedlab). "
            "The chart's camera button saves a PNG in your browser meanwhile."
        )
        return
    st.download_button(
        label,
        data=make,
        file_name=file_name,
        mime="image/png",
        key=key,
        on_click="ignore",
        help=help,
    )


@st.cache_resource
def png_available() -> bool:
    """Whether kaleido can render here: installed, and a Chromium it can drive is present."""
    import importlib.util
    import shutil

    if importlib.util.find_spec("kaleido") is None:
        return False
    return any(
        shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome", "chrome")
    )


def copy_link(page: str) -> None:
    from .state import view_url

    with st.expander("Copy link to this view"):
        st.code(view_url(page), language=None)


class OneLineExportFailure(logging.Filter):
    """Streamlit logs a failed download's exception with its traceback; for our own errors (a
    PNG kaleido could not draw) one line says why instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        cause = getattr(exc, "__cause__", None) or getattr(exc, "__context__", None)
        ours = next((e for e in (exc, cause) if isinstance(e, EmbedlabError)), None)
        if ours is not None:
            record.msg, record.args = "download failed: %s", (ours,)
            record.exc_info, record.exc_text = None, None
        return True


def _quiet_download_failures() -> None:
    logger = logging.getLogger("streamlit.runtime.backend_operation_handler")
    if not any(isinstance(f, OneLineExportFailure) for f in logger.filters):
        logger.addFilter(OneLineExportFailure())


_quiet_download_failures()
