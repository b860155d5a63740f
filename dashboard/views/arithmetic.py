"""Vector arithmetic: madrid − spain + france, or "Star Wars (1977)" − "Alien (1979)" + …, read in
titles, drawn on a small PCA of its own points and on the set's whole map (the inputs, where the
result vector falls, the answers)."""

import numpy as np
import streamlit as st

from embedlab.core import layouts
from embedlab.core.arithmetic import solve, titled_expression
from embedlab.core.errors import EmbedlabError
from embedlab.core.expression import describe
from embedlab.core.marks import mark
from embedlab.core.matching import lead_with_title
from embedlab.core.naming import has_titles, labels, names
from embedlab.core.plots import arithmetic_figure
from embedlab.core.project import sample_rows
from embedlab.dashboard import maps, share, state
from embedlab.dashboard.text import md
from embedlab.dashboard.views import guarded
from embedlab.dashboard.widgets import result_table

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
ON_MAP = 5  # answers drawn on the whole map


@guarded
def page():
    choice, emb = state.active()
    st.header("Vector arithmetic")
    expr, method, k, include = _controls(choice, emb)
    result = solve(emb, expr, k=k, method=method, include_inputs=include)
    if result.excluded:
        excluded = ", ".join(labels(emb, result.excluded))
        st.caption(
            f"Input words are excluded from the answers ({md(excluded)}), "
            "as gensim does; switch on the toggle to rank them too."
        )
    shown = titled_expression(emb, result)
    table = lead_with_title(result.neighbours.to_frame(), result.neighbours.metadata)
    result_table(table)
    similarity = zip(labels(emb, list(result.input_similarity)), result.input_similarity.values())
    st.caption(
        md(
            "Similarity of each input to the result vector: "
            + ", ".join(f"{name}: {v:.3f}" for name, v in similarity)
        )
    )
    share.chart(
        arithmetic_figure(emb, result),
        "arithmetic",
        emb,
        f"{method}: {shown}",
        tables=[("answers", table)],
        key="arithmetic.chart",
    )
    _on_the_map(emb, result, shown)
    share.copy_link("arithmetic")


def _controls(choice, emb) -> tuple[str, str, int, bool]:
    expr_key = EXPR.init(default=_default(choice, emb), valid=lambda e: _works(emb, e))
    if choice == state.BUILTIN:
        for col, example in zip(st.columns(len(EXAMPLES)), EXAMPLES):
            col.button(
                example, key=f"arithmetic.example.{example}", on_click=EXPR.set, args=(example,)
            )
    expr = st.text_input(
        "Expression",
        key=expr_key,
        help='Words, "quoted keys" or "quoted titles", + and -, weights like 0.5*king, '
        "parentheses.",
    )
    c1, c2, c3 = st.columns(3)
    method = c1.radio(
        "Method", ["3cosadd", "3cosmul"], horizontal=True, key=METHOD.init(["3cosadd", "3cosmul"])
    )
    k = c2.slider("Answers", 1, 30, key=K.init())
    include = c3.toggle("Include the input words in the answers", key=INPUTS.init())
    return expr, method, k, include


def _default(choice, emb) -> str:
    """GloVe's classic, else the set's first three items, in titles when they name them."""
    if choice == state.BUILTIN:
        return EXPR.default
    terms = list(zip(emb.keys[:3], (1.0, -1.0, 1.0)))
    titled = describe([(n, w) for n, (_, w) in zip(names(emb, [0, 1, 2]), terms)])
    return titled if has_titles(emb) and _works(emb, titled) else describe(terms)


def _on_the_map(emb, result, shown: str) -> None:
    """The expression on the set's whole map: the inputs (blue), where the result vector falls
    (black, placed onto the layout) and lines from it to the top answers (black)."""
    st.subheader("On the map of the whole set")
    ids, note = sample_rows(emb, maps.default_points(emb))
    layout = maps.layout_of(emb, ids, layouts.LayoutSpec("tsne"), note)
    if layout is None:
        return
    inputs = mark(
        layout, emb, np.array([emb.index(key) for key, _ in result.terms]), "inputs", "#4E79A7"
    )
    weights = [w for _, w in result.terms]
    first = maps.mark_arg(emb, inputs)
    first["text"] = [f"{t} ({w:+g})" for t, w in zip(first["text"], weights)]
    answers = mark(layout, emb, result.neighbours.ids[:ON_MAP], "answers", "#59A14F")
    second = maps.mark_arg(emb, answers)
    where = layouts.place(layout, emb, np.asarray(result.vector, dtype=np.float32)[None, :])[0]
    second.update(
        x=[float(where[0])] + second["x"],
        y=[float(where[1])] + second["y"],
        text=["result vector"] + [f"{i}. {t}" for i, t in enumerate(second["text"], 1)],
        hover=[f"result vector of {shown}"] + second["hover"],
        lines=True,
        color="#111111",
    )
    text = (
        f"Blue: the inputs; black: where the result vector of {shown} falls on the map (placed "
        f"onto the layout, not part of it), with lines to its {min(ON_MAP, len(answers.rows))} "
        "best answers (the nearest in the original space, not on the map)."
    )
    st.caption(md(text))
    provenance = share.provenance_line(emb, f"t-SNE of {note} · {text}")
    maps.draw(
        emb,
        layout,
        None,
        [""] * len(layout.centres),
        [first, second],
        provenance,
        "arithmetic-map",
        "arithmetic.map",
        focus=True,
    )


def _works(emb, expr: str) -> bool:
    """Whether ``expr`` solves on ``emb`` (a set switch drops an expression that does not)."""
    try:
        solve(emb, expr, k=1)
    except EmbedlabError:
        return False
    return True


page()
