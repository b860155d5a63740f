"""User-supplied text (file names, keys, titles, column names, error messages that quote them) is
shown through Streamlit elements that render Markdown (labels, buttons, captions, alerts, toasts,
tooltips): escaping it keeps a label a label, and an image link or an ``<img>`` tag fetches
nothing.  The escaping itself lives in ``core.visible`` (the CLI spells out the same controls)."""

from embedlab.core.visible import markdown_text


def md(text) -> str:
    """Backslash-escape Markdown (and the characters Streamlit treats as HTML, LaTeX, colour or
    emoji directives: ``< > $ :``); control characters and line breaks spelled out."""
    return markdown_text(text)
