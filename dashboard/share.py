"""Charts that can leave the app: PNG (browser button and server-side), HTML report, link."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from embedlab.core import Embeddings
from embedlab.core.plots import caption, report_html, to_png


def provenance_line(emb: Embeddings | None, extra: str = "") -> str:
    bits = (
        ["embedlab"]
        if emb is None
        else [f"embedlab · {emb.provenance.caption()}", f"{len(emb):,} keys × {emb.dim}"]
    )
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
    **plotly_kwargs,
):
    """Show ``fig`` with its provenance caption and the ways to share it (``plotly_kwargs``,
    e.g. ``on_select``, go to ``st.plotly_chart``; a ``config`` there is merged)."""
    text = provenance_line(emb, extra)
    caption(fig, text)
    config = {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": f"embedlab-{name}", "scale": 2},
    }
    config.update(plotly_kwargs.pop("config", {}))
    st.plotly_chart(fig, config=config, key=key, **plotly_kwargs)
    cols = st.columns(3)
    if png_available():
        cols[0].download_button(
            "PNG (server-side)",
            data=lambda: to_png(fig) or b"",
            file_name=f"embedlab-{name}.png",
            mime="image/png",
            key=f"{key or name}.png",
            on_click="ignore",
            help="Rendered by kaleido with the provenance caption.",
        )
    else:
        cols[0].caption(
            "Server-side PNG needs Chromium on the server: `apt install chromium` "
            "(kaleido comes with embedlab). "
            "The chart's camera button saves a PNG in your browser meanwhile."
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
