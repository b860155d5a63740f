"""Catalog size: how quality degrades as the catalog shrinks (the engine is its own issue)."""

import streamlit as st

from dashboard.views import guarded


@guarded
def page():
    st.header("Catalog size")
    st.write("Embeddings need enough items and enough interactions per item. This page will shrink a log "
             "in controlled ways (fewer items, fewer events per item, fewer users), retrain, and plot how "
             "next-item quality and neighbour stability fall, per method, with uncertainty bands.")
    st.info("The sweep engine is not built yet. Until it lands, train on small and large logs on the "
            "Train page and compare HR@10 against the popularity baseline; docs/TRAINING.md shows what "
            "we measured on the 169-item groceries catalog.")


page()
