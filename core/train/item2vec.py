"""item2vec: word2vec (skip-gram or CBOW, negative sampling) over sessions or baskets.

Defaults come from a grid on behaviour data (docs/TRAINING.md), following Caselles-Dupré et al.
(RecSys 2018), who showed these settings matter by up to 10× on recommendation data: on the
sample log, 20 epochs beat NLP's 5, aggressive subsampling (1e-5) destroyed a 1,000-item
vocabulary (HR@10 0.46 → 0.01), a window of 3 matched 10, and the negative-sampling exponent
mattered little (0.75, NLP's value, measured best by a hair).
"""

from __future__ import annotations

import numpy as np

from ..errors import DataError
from ..logs import Interactions
from ..logs.sequences import as_sentences, sessions
from .base import Progress, TrainResult, Timer, item_embeddings, no_progress, with_defaults

DEFAULTS = {"vector_size": 64, "window": 3, "negative": 10, "ns_exponent": 0.75, "sample": 1e-3,
            "epochs": 20, "min_count": 1, "sg": 1, "alpha": 0.025, "workers": 1}


def train_item2vec(inter: Interactions, seed: int = 0, progress: Progress = no_progress,
                   sequences: list[np.ndarray] | None = None, label: str = "item2vec",
                   report_params: dict | None = None, **params) -> TrainResult:
    """Train on ``inter``'s sessions (or on ``sequences``, e.g. random walks, given by the graph
    trainer, which also passes its own ``label`` and ``report_params`` for the provenance).
    ``workers=1`` (default) is deterministic for a seed; more workers are faster."""
    from gensim.models import Word2Vec
    p = with_defaults(params, DEFAULTS, "item2vec")
    seqs = sessions(inter) if sequences is None else sequences
    if not seqs:
        raise DataError("no session has two or more events; item2vec needs co-occurring items",
                        path=inter.report.source, hint="raise --session-gap or check the user/time columns")
    window = int(p["window"])
    if inter.baskets and sequences is None:
        window = max(len(s) for s in seqs)  # the whole basket is the context (Barkan & Koenigstein)
    sentences = as_sentences(seqs)
    epochs = int(p["epochs"])
    callbacks = [_epoch_callback(progress, epochs)]
    with Timer() as t:
        model = Word2Vec(sentences=sentences, vector_size=int(p["vector_size"]), window=window,
                         negative=int(p["negative"]), ns_exponent=float(p["ns_exponent"]),
                         sample=float(p["sample"]), epochs=epochs, min_count=int(p["min_count"]),
                         sg=int(p["sg"]), alpha=float(p["alpha"]), workers=int(p["workers"]), seed=seed,
                         hs=0, shrink_windows=not inter.baskets, callbacks=callbacks)
    codes = np.array([int(k) for k in model.wv.index_to_key], dtype=np.int64)
    order = np.argsort(codes)  # keep catalog order, not word2vec's frequency order
    vectors = np.asarray(model.wv.vectors)[order]
    p["window"] = window
    p = report_params or p
    emb = item_embeddings(inter, vectors, codes[order], label, p, seed)
    progress(1.0, f"{label}: {len(emb)} items")
    return TrainResult(label, emb, None, p, seed, t.seconds,
                       {"sequences": len(seqs), "items_below_min_count": inter.n_items - len(emb)})


def _epoch_callback(progress: Progress, epochs: int):
    """gensim's per-epoch hook → our (fraction, message) progress."""
    from gensim.models.callbacks import CallbackAny2Vec

    class EpochProgress(CallbackAny2Vec):
        def __init__(self):
            self.done = 0

        def on_epoch_end(self, model):
            self.done += 1
            progress(self.done / epochs * 0.99, f"epoch {self.done}/{epochs}")

    return EpochProgress()
