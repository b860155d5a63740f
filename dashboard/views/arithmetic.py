"""Vector arithmetic: madrid − spain + france."""

import streamlit as st

from core.arithmetic import solve
from core.plots import arithmetic_figure

from dashboard import share, state
from dashboard.text import md
from dashboard.views import guarded

EXAMPLES = {"glove": ["madrid - spain + france", "king - man + woman", "paris - france + italy",
                      "walking - walk + swim"]}


@guarded
def page():
    choice, emb = state.active()
    st.header("Vector arithmetic")
    default = "madrid - spain + france" if choice == state.BUILTIN else f"{emb.keys[0]} - {emb.keys[1]} + {emb.keys[2]}"
    if "expr" not in st.session_state:
        st.session_state.expr = state.param("q", default)
    if choice == state.BUILTIN:
        cols = st.columns(len(EXAMPLES["glove"]))
        for col, ex in zip(cols, EXAMPLES["glove"]):
            col.button(ex, key=f"ex-{ex}", on_click=st.session_state.update, kwargs={"expr": ex})
    expr = st.text_input("Expression", key="expr",
                         help='Words or "quoted keys", + and -, weights like 0.5*king, parentheses.')
    c1, c2, c3 = st.columns(3)
    methods = ["3cosadd", "3cosmul"]
    method = c1.radio("Method", methods, horizontal=True, index=state.choice_index(methods, "method"))
    k = c2.slider("Answers", 1, 30, state.int_param("k", 10))
    include = c3.toggle("Include the input words in the answers", value=state.param("inputs") == "1")
    state.set_params(q=expr, method=None if method == "3cosadd" else method, k=None if k == 10 else k,
                     inputs="1" if include else None)
    result = solve(emb, expr, k=k, method=method, include_inputs=include)
    if result.excluded:
        st.caption(f"Input words are excluded from the answers ({md(', '.join(result.excluded))}), as gensim does; "
                   "switch on the toggle to rank them too.")
    left, right = st.columns([2, 3])
    table = result.neighbours.to_frame()
    left.table(table.set_index("rank"))  # static HTML (text only): renders faster than the grid
    left.caption("Similarity of each input to the result vector: " +
                 ", ".join(f"{k} {v:.3f}" for k, v in result.input_similarity.items()))
    with right:
        share.chart(arithmetic_figure(emb, result), "arithmetic", emb, f"{method}: {result.expression}",
                    tables=[("answers", table)], key="arith")
    share.copy_link("arithmetic")


page()
