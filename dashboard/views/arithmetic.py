"""Vector arithmetic: madrid − spain + france."""

import streamlit as st

from embedlab.core.arithmetic import solve
from embedlab.core.errors import EmbedlabError
from embedlab.core.plots import arithmetic_figure
from embedlab.dashboard import share, state
from embedlab.dashboard.text import md
from embedlab.dashboard.views import guarded

EXAMPLES = [
    "madrid - spain + france",
    "king - man + woman",
    "paris - france + italy",
    "walking - walk + swim",
]
EXPR = state.Control("arithmetic.expr", "q", "madrid - spain + france")
METHOD = state.Control("arithmetic.method", "method", "3cosadd")
K = state.Control("arithmetic.k", "k", 10)
INPUTS = state.Control("arithmetic.inputs", "inputs", False)


@guarded
def page():
    choice, emb = state.active()
    st.header("Vector arithmetic")
    default = (
        EXPR.default
        if choice == state.BUILTIN
        else " - ".join(f'"{k}"' for k in emb.keys[:2]) + f' + "{emb.keys[2]}"'
    )
    expr_key = EXPR.init(default=default, valid=lambda e: _works(emb, e))
    if choice == state.BUILTIN:
        for col, example in zip(st.columns(len(EXAMPLES)), EXAMPLES):
            col.button(
                example, key=f"arithmetic.example.{example}", on_click=EXPR.set, args=(example,)
            )
    expr = st.text_input(
        "Expression",
        key=expr_key,
        help='Words or "quoted keys", + and -, weights like 0.5*king, parentheses.',
    )
    c1, c2, c3 = st.columns(3)
    method = c1.radio(
        "Method", ["3cosadd", "3cosmul"], horizontal=True, key=METHOD.init(["3cosadd", "3cosmul"])
    )
    k = c2.slider("Answers", 1, 30, key=K.init())
    include = c3.toggle("Include the input words in the answers", key=INPUTS.init())
    result = solve(emb, expr, k=k, method=method, include_inputs=include)
    if result.excluded:
        st.caption(
            f"Input words are excluded from the answers ({md(', '.join(result.excluded))}), "
            "as gensim does; switch on the toggle to rank them too."
        )
    left, right = st.columns([2, 3])
    table = result.neighbours.to_frame()
    left.dataframe(table, hide_index=True, width="stretch")  # a grid draws text, never Markdown
    left.caption(
        md(
            "Similarity of each input to the result vector: "
            + ", ".join(f"{key} {v:.3f}" for key, v in result.input_similarity.items())
        )
    )
    with right:
        share.chart(
            arithmetic_figure(emb, result),
            "arithmetic",
            emb,
            f"{method}: {result.expression}",
            tables=[("answers", table)],
            key="arithmetic.chart",
        )
    share.copy_link("arithmetic")


def _works(emb, expr: str) -> bool:
    """Whether ``expr`` solves on ``emb`` (a set switch drops an expression that does not)."""
    try:
        solve(emb, expr, k=1)
    except EmbedlabError:
        return False
    return True


page()
