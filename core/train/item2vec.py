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
from ..logs.sequences import MAX_SEQUENCE, as_sentences
from ..logs.sequences import sequences as context_sequences
from ..logs.shape import CONTEXTS, context_for
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

    context: str = param(
        "auto",
        choices=("auto", *CONTEXTS),
        help="an item's context: its time-gap session, its user's whole history, or its basket "
        "(auto: by the log's shape)",
    )
    vector_size: int = param(64, low=1, high=4096, help="dimensions of the item vectors")
    window: int = param(
        3, low=1, high=100, help="context size in a session or history (a basket is whole)"
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


SPACE = (
    Dimension("context", choices=CONTEXTS),
    Dimension("window", 1, 50, log=True),
    Dimension("epochs", 5, 150, log=True, budget=True),
    Dimension("ns_exponent", -1.0, 1.0),
    Dimension("sample", 1e-5, 1e-2, log=True, off=0.0),
    Dimension("negative", 2, 20, log=True),
    Dimension("vector_size", 16, 256, log=True),
)
"""What ``--tune`` searches: the ranges where Caselles-Dupré et al. (RecSys 2018) found the optima
of behaviour data (epochs to 150, exponents down to -1, windows up to 50 over a whole history);
trials stay affordable by pruning and budgets (``core.experiments.tune``), not by narrow ranges."""

# Fitted on 16 runs of 3-5 epochs on MovieLens 100K and the sample log (one thread; windows 1-30,
# sample 1e-5 to 1e-2, vector_size 8-128, negative 1-20: every run within 0.9-1.4x of the fit);
# benchmarks/bench_estimates.py checks the defaults on four logs (docs/BENCHMARKS.md).
TARGET_UNITS = 400.0  # the fixed cost of one (word, target) update beside its vector_size
TOKEN_UNITS = 1900.0  # the fixed cost of reading one token in one epoch
DEFAULTS = dataclasses.asdict(Item2VecParams())  # the plain-dict view other engines (Spark) read

CONTEXT_DEFAULTS = {
    "sessions": {"window": 3, "sample": 1e-3, "epochs": 20},
    "history": {"window": 20, "sample": 1e-4, "epochs": 30},
    "baskets": {"sample": 1e-5, "epochs": 20},
}
"""The defaults that depend on the context (the grids that chose them: docs/TRAINING.md)."""
BASKET_SAMPLE = CONTEXT_DEFAULTS["baskets"]["sample"]


class Item2Vec(DeclaredTrainer):
    """The item2vec trainer (see :class:`core.train.base.Trainer`).  Its context follows the
    log's shape (:func:`core.logs.shape.choose_context`) unless given, and the window,
    down-sampling and epochs follow the context (:data:`CONTEXT_DEFAULTS`)."""

    name = "item2vec"
    Params = Item2VecParams
    space = SPACE
    contexts = CONTEXTS

    def defaults(self, inter: Interactions, given: dict | None = None) -> Item2VecParams:
        """The defaults of the context ``given["context"]`` names, else of the one the log's
        shape implies (the context itself stays "auto": the run says which and why)."""
        context = (given or {}).get("context", "auto")
        if context not in CONTEXTS:  # "auto", or a wrong value make_params refuses next
            return Item2VecParams(**CONTEXT_DEFAULTS[context_for(inter).name])
        return Item2VecParams(context=context, **CONTEXT_DEFAULTS[context])

    # -- cost (core.train.limits asks): work units, the rate they run at, memory bytes ----------
    rate = 5.5e9
    cost_drivers = ("context", "epochs", "window", "negative", "vector_size", "sample")

    def work_units(self, params: Item2VecParams, inter: Interactions) -> float:
        """Every kept event against its window (a basket: the whole basket) in every epoch."""
        context = context_for(inter, params.context).name
        lengths = sequence_lengths(inter, context)
        basket = context == "baskets"
        window = int(lengths.max()) if basket and len(lengths) else params.window
        return word2vec_work(lengths, window, params, inter.item_counts(), shrink=not basket)

    def memory_bytes(self, params: Item2VecParams, inter: Interactions) -> float:
        sequences = len(sequence_lengths(inter, context_for(inter, params.context).name))
        return word2vec_memory(inter.n_items, params.vector_size, float(len(inter)), sequences)

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


def sequence_lengths(inter: Interactions, context: str) -> np.ndarray:
    """The lengths of ``inter``'s sequences in ``context`` (as :func:`core.logs.sequences.sequences`
    cuts them), without building them."""
    if not len(inter):
        return np.zeros(0, dtype=np.int64)
    lengths = np.bincount(inter.user if context == "history" else inter.session)
    whole, rest = np.divmod(lengths, MAX_SEQUENCE)
    return np.r_[np.repeat(MAX_SEQUENCE, whole.sum()), rest[rest > 0]]


def kept_share(counts: np.ndarray, sample: float) -> float:
    """The expected share of tokens word2vec keeps when it down-samples frequent items: an item
    of ``c`` of ``n`` tokens is kept with probability ``(sqrt(c / (sample n)) + 1) sample n / c``
    (gensim's rule), at most 1."""
    counts = counts[counts > 0].astype(np.float64)
    total = counts.sum()
    if sample <= 0 or total == 0:
        return 1.0
    threshold = sample * total
    keep = np.minimum(1.0, (np.sqrt(counts / threshold) + 1) * threshold / counts)
    return float((counts * keep).sum() / total)


def word2vec_work(
    lengths: np.ndarray,
    window: int,
    params,
    counts: np.ndarray | None = None,
    shrink: bool = True,
) -> float:
    """Skip-gram/CBOW work: every kept token of every sequence (of ``lengths``, thinned by the
    down-sampling of ``counts``) against its neighbours — on average ``window + 1`` of them when
    gensim shrinks windows at random, ``2 window`` when not — each pair costing (negative + 1)
    dot products of vector_size and a fixed cost (:data:`TARGET_UNITS`), plus a fixed cost per
    token read, kept or not (:data:`TOKEN_UNITS`)."""
    share = kept_share(counts, params.sample) if counts is not None else 1.0
    tokens = lengths[lengths > 1].astype(np.float64)
    kept = tokens * share
    reach = (window + 1.0) if shrink else 2.0 * window
    pairs = float(np.sum(kept * np.clip(np.minimum(reach, kept - 1), 0, None)))
    targets = pairs * (params.negative + 1)  # the context word and its negatives
    per_epoch = targets * (params.vector_size + TARGET_UNITS) + TOKEN_UNITS * tokens.sum()
    return params.epochs * per_epoch


def word2vec_memory(n_items: int, vector_size: int, tokens: float, sequences: int = 0) -> float:
    """word2vec's arrays: the vectors, the negative-sampling weights and a copy; the sentences
    (16 bytes a token, and ~200 a sentence for its list and array objects: measured 127-263 on
    the sample log, groceries, online-retail and a 4.4M-event log of 837,333 sessions)."""
    return n_items * vector_size * 4 * 3 + tokens * 16 + sequences * 200.0


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

    p = dict(p)
    context = context_for(inter, p.get("context", "auto")) if sequences is None else None
    seqs = context_sequences(inter, context.name) if context is not None else sequences
    _check_trainable(inter, seqs, int(p["min_count"]))
    basket = context is not None and context.name == "baskets"
    if basket:  # the whole basket is the context (Barkan & Koenigstein)
        p["window"] = max(len(s) for s in seqs)
    report = report_params or p
    data = {"sequences": len(seqs)}
    if context is not None:
        data["context"] = context.to_dict()

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
            shrink_windows=not basket,
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
