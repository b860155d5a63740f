"""embedlab dashboard: a router of pages over ``core``.  Run ``embedlab dashboard``."""

import streamlit as st

from embedlab.core.limits import serve_train_limits
from embedlab.dashboard import gate, jobview, sidebar, state

SECTIONS = {
    "": [("home", "Start", ":material/explore:")],
    "Explore a set": [
        ("map", "Map", ":material/map:"),
        ("neighbours", "Neighbours", ":material/hub:"),
        ("arithmetic", "Arithmetic", ":material/calculate:"),
        ("lookup", "Lookup", ":material/table_rows:"),
    ],
    "Your data": [
        ("data", "Data", ":material/upload_file:"),
        ("train", "Train", ":material/model_training:"),
        ("compare", "Compare", ":material/compare_arrows:"),
        ("recommend", "Recommend", ":material/recommend:"),
        ("catalog", "Catalog size", ":material/trending_down:"),
    ],
}


def navigation(position: str = "sidebar"):
    """The pages, grouped as the sidebar shows them; page files live in views/ (not pages/)."""
    return st.navigation(
        {
            section: [
                st.Page(
                    f"views/{name}.py",
                    title=title,
                    icon=icon,
                    url_path=name,
                    default=name == "home",
                )
                for name, title, icon in pages
            ]
            for section, pages in SECTIONS.items()
        },
        position=position,
    )


def main() -> None:
    st.set_page_config(page_title="embedlab", page_icon="🧭", layout="wide")
    serve_train_limits()  # a shared server: training held to its admin's caps (core.limits)
    if not gate.admitted():  # before anything else: no page, no sidebar, no data
        navigation(position="hidden")  # resolves the link's page (kept for after the token)
        gate.ask()
        return
    nav = navigation()
    with st.sidebar:  # first: a click that interrupts this run (Train, Run sweep) still keeps it
        state.keep_browser_cookie()
    state.publish_active()  # page links drop the URL's parameters; the active set stays
    nav.run()
    sidebar.render()
    with st.sidebar:
        gate.remember()
        jobview.sidebar_block()  # last: it comes and goes without shifting anything above it


main()
