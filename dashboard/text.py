"""User-supplied text (file names, keys, column names, error messages that quote them) is shown
through Streamlit elements that render Markdown; escaping it keeps a label a label."""

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def md(text) -> str:
    """Backslash-escape Markdown (and the characters Streamlit treats as HTML or LaTeX)."""
    return _SPECIAL.sub(r"\\\1", str(text))
