"""Entry point of the dashboard (placeholder until the dashboard issue lands)."""

import streamlit as st

from core import io
from core.arithmetic import evaluate

st.set_page_config(page_title="embedlab", layout="wide")
st.title("embedlab")


@st.cache_resource
def builtin():
    return io.load("glove-6b-50d")


emb = builtin()
st.caption(f"{len(emb):,} keys × {emb.dim} dims · {emb.provenance.caption()}")
expr = st.text_input("Expression", "madrid - spain + france")
try:
    res = evaluate(emb, expr, k=10)
    st.dataframe(res.neighbors.to_frame(), hide_index=True)
except ValueError as exc:
    st.error(str(exc))
