"""User-supplied text (file names, keys, column names, error messages that quote them) is shown
through Streamlit elements that render Markdown; escaping it keeps a label a label."""

import re

# ":" too: GitHub-style autolinks ("http://…", "www.…") are found before escapes are applied, and
# inside one every backslash would show; an escaped colon (and dot) never starts one.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'])")


def md(text) -> str:
    """Backslash-escape Markdown (and the characters Streamlit treats as HTML or LaTeX)."""
    return _SPECIAL.sub(r"\\\1", str(text))
