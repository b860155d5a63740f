"""embedlab dashboard: a router of pages over ``core``.  Run ``embedlab dashboard``."""

import streamlit as st

from embedlab.core.limits import serve_train_limits
from embedlab.dashboard import gate, sidebar, state

SECTIONS = {
    "": [("home", "Start", "🧭")],
    "Explore a set": [
        ("map", "Map", "🗺️"),
        ("neighbours", "Neighbours", "🐸"),
        ("arithmetic", "Arithmetic", "➕"),
        ("lookup", "Lookup", "🔢"),
    ],
    "Your data": [
        ("data", "Data", "📤"),
        ("train", "Train", "🏋️"),
        ("compare", "Compare", "⚖️"),
        ("catalog", "Catalog size", "📉"),
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
    state.publish_active()  # page links drop the URL's parameters; the active set stays
    nav.run()
    sidebar.render()
    with st.sidebar:
        gate.remember()


main()
