"""item2vec: word2vec (skip-gram or CBOW, negative sampling) over sessions or baskets.

Defaults come from a grid on behaviour data (docs/TRAINING.md), following Caselles-Dupré et al.
(RecSys 2018), who showed these settings matter by up to 10× on recommendation data: on the
sample log, 20 epochs beat NLP's 5, aggressive subsampling (1e-5) destroyed a 1,000-item
vocabulary (HR@10 0.46 → 0.01), a window of 3 matched 10, and the negative-sampling exponent
mattered little (0.75, NLP's value, measured best by a hair).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from ..errors import DataError
from ..logs import Interactions
from ..logs.sequences import as_sentences, sessions
from .base import (
    Checkpoint,
    DeclaredTrainer,
    Dimension,
    Progress,
    Timer,
    TrainResult,
    item_embeddings,
    no_progress,
    param,
)


@dataclass(frozen=True)
class Item2VecParams:
    """word2vec's settings for behaviour data (gensim's names)."""

    vector_size: int = param(64, low=1, high=4096, help="dimensions of the item vectors")
    window: int = param(
        3, low=1, high=100, help="context size in a session (a basket is always whole)"
    )
    negative: int = param(10, low=1, high=100, help="negative samples per positive pair")
    ns_exponent: float = param(
        0.75,
        low=-2.0,
        high=2.0,
        help="negative-sampling exponent: 1 = by popularity, 0 = uniform, <0 favours rare items",
    )
    sample: float = param(
        1e-3, low=0.0, high=1.0, help="down-sampling threshold of frequent items (0 = off)"
    )
    epochs: int = param(20, low=1, high=1000, help="passes over the sessions")
    min_count: int = param(1, low=1, high=1_000_000, help="ignore items with fewer events")
    sg: int = param(1, choices=(0, 1), help="1 = skip-gram, 0 = CBOW")
    alpha: float = param(0.025, above=0.0, high=1.0, help="initial learning rate")
    workers: int = param(1, low=1, high=64, help="threads; 1 is deterministic for a seed")


# Ranges keep a trial's cost near the defaults' (window, epochs and negative multiply it), so 20
# trials on a 400k-event log fit in about ten minutes of one core.
SPACE = (
    Dimension("ns_exponent", -1.0, 1.0),
    Dimension("sample", 1e-5, 1e-2, log=True, off=0.0),
    Dimension("window", 1, 6),
    Dimension("epochs", 5, 30),
    Dimension("negative", 2, 12),
    Dimension("vector_size", 16, 128, log=True),
)

DEFAULTS = dataclasses.asdict(Item2VecParams())  # the plain-dict view other engines (Spark) read


BASKET_SAMPLE = 1e-5  # baskets: aggressive down-sampling of frequent items (docs/TRAINING.md)


class Item2Vec(DeclaredTrainer):
    """The item2vec trainer (see :class:`core.train.base.Trainer`).  Its defaults depend on the
    log's shape: basket logs (every pair of a basket is a context) get ``sample=1e-5``, which
    lifted validation HR@10 on groceries from 0.01 to 0.27; logs of ordered sessions keep 1e-3
    (1e-5 dropped the sample log from 0.50 to 0.03)."""

    name = "item2vec"
    Params = Item2VecParams
    space = SPACE
    contexts = ("sessions", "baskets")

    def defaults(self, inter: Interactions) -> Item2VecParams:
        return Item2VecParams(sample=BASKET_SAMPLE) if inter.baskets else Item2VecParams()

    # -- cost (core.train.limits asks): work units, the rate they run at, memory bytes ----------
    rate = 1e9
    cost_drivers = ("epochs", "window", "negative", "vector_size")

    def work_units(self, params: Item2VecParams, inter: Interactions) -> float:
        """Every event against its window (a basket: the whole basket) in every epoch."""
        lengths = np.bincount(inter.session) if len(inter) else np.zeros(0, dtype=np.int64)
        window = int(lengths.max()) if inter.baskets and len(lengths) else params.window
        return word2vec_work(lengths, window, params)

    def memory_bytes(self, params: Item2VecParams, inter: Interactions) -> float:
        return word2vec_memory(inter.n_items, params.vector_size, float(len(inter)))

    def fit(
        self,
        inter: Interactions,
        params: Item2VecParams,
        seed: int = 0,
        progress: Progress = no_progress,
        checkpoint: Checkpoint | None = None,
    ) -> TrainResult:
        """Train on ``inter``'s sessions (baskets: every pair of a basket is a context)."""
        return word2vec(inter, dataclasses.asdict(params), seed, progress, checkpoint=checkpoint)


def word2vec_work(lengths: np.ndarray, window: int, params) -> float:
    """Skip-gram/CBOW work: every token of every sequence (of ``lengths``) against its (at most
    2·window) neighbours, each pair costing (negative + 1) dot products of vector_size."""
    lengths = lengths[lengths > 1].astype(np.float64)
    contexts = float(np.sum(lengths * np.minimum(2.0 * window, lengths - 1)))
    return params.epochs * contexts * (params.negative + 1) * params.vector_size


def word2vec_memory(n_items: int, vector_size: int, tokens: float) -> float:
    """word2vec's arrays: the vectors, the negative-sampling weights and a copy; the sentences."""
    return n_items * vector_size * 4 * 3 + tokens * 16


def word2vec(
    inter: Interactions,
    p: dict,
    seed: int = 0,
    progress: Progress = no_progress,
    sequences: list[np.ndarray] | None = None,
    label: str = "item2vec",
    report_params: dict | None = None,
    checkpoint: Checkpoint | None = None,
) -> TrainResult:
    """gensim word2vec over ``inter``'s sessions, or over ``sequences`` (random walks, given by the
    graph trainer with its own ``label`` and ``report_params`` for the provenance).  ``p`` holds
    every :class:`Item2VecParams` field, already validated."""
    from gensim.models import Word2Vec

    seqs = sessions(inter) if sequences is None else sequences
    _check_trainable(inter, seqs, int(p["min_count"]))
    p = dict(p)
    if inter.baskets and sequences is None:
        p["window"] = max(
            len(s) for s in seqs
        )  # the whole basket is the context (Barkan & Koenigstein)
    report = report_params or p
    data = {"sequences": len(seqs)}

    def result(model, seconds: float) -> TrainResult:
        codes = np.array([int(k) for k in model.wv.index_to_key], dtype=np.int64)
        order = np.argsort(codes)  # keep catalog order, not word2vec's frequency order
        emb = item_embeddings(
            inter, np.array(model.wv.vectors)[order], codes[order], label, report, seed
        )
        return TrainResult(
            label,
            emb,
            None,
            report,
            seed,
            seconds,
            {**data, "items_below_min_count": inter.n_items - len(emb)},
        )

    callbacks = [_epoch_callback(progress, int(p["epochs"]), checkpoint, result)]
    with Timer() as t:
        model = Word2Vec(
            sentences=as_sentences(seqs),
            **_gensim_settings(p),
            seed=seed,
            hs=0,
            shrink_windows=not inter.baskets,
            callbacks=callbacks,
        )
    out = result(model, t.seconds)
    progress(1.0, f"{label}: {len(out.items)} items")
    return out


def _check_trainable(inter: Interactions, seqs: list[np.ndarray], min_count: int) -> None:
    """Raise ``DataError`` when no sequence has two events, or ``min_count`` leaves no item
    (gensim would fail with "you must first build vocabulary")."""
    if not seqs:
        raise DataError(
            "no session has two or more events; item2vec needs co-occurring items",
            path=inter.report.source,
            hint="raise the session gap or check the user/time columns",
            options=("session_gap", "user_col", "time_col"),
        )
    most = int(np.bincount(np.concatenate(seqs)).max())
    if min_count > most:
        raise DataError(
            f"min_count({min_count}) is above the {most} occurrences of the most frequent "
            "item, so no item is left to train",
            path=inter.report.source,
            hint=f"use min_count <= {most}",
        )


def _gensim_settings(p: dict) -> dict:
    """:class:`Item2VecParams` values as gensim's ``Word2Vec`` keywords (same names)."""
    ints = ("vector_size", "window", "negative", "epochs", "min_count", "sg", "workers")
    floats = ("ns_exponent", "sample", "alpha")
    return {**{n: int(p[n]) for n in ints}, **{n: float(p[n]) for n in floats}}


def _epoch_callback(progress: Progress, epochs: int, checkpoint: Checkpoint | None, result):
    """gensim's per-epoch hook → our (fraction, message) progress, and the tuner's checkpoint."""
    from gensim.models.callbacks import CallbackAny2Vec

    class EpochProgress(CallbackAny2Vec):
        def __init__(self):
            self.done = 0

        def on_epoch_end(self, model):
            self.done += 1
            progress(self.done / epochs * 0.99, f"epoch {self.done}/{epochs}")
            if checkpoint is not None and self.done < epochs:
                checkpoint(self.done, epochs, lambda: result(model, 0.0))

    return EpochProgress()
