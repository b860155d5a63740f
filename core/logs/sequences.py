"""Sessions as item sequences: what item2vec and the graph builder read."""

from __future__ import annotations

import numpy as np

from .clean import Interactions


def sessions(inter: Interactions, min_length: int = 2) -> list[np.ndarray]:
    """Item codes per session in time order; sessions shorter than ``min_length`` are left out
    (a lone event has no context to learn from)."""
    if len(inter) == 0:
        return []
    starts = np.flatnonzero(np.r_[True, inter.session[1:] != inter.session[:-1]])
    parts = np.split(inter.item, starts[1:])
    return [p for p in parts if len(p) >= min_length]


def as_sentences(seqs: list[np.ndarray]) -> list[list[str]]:
    """gensim wants lists of string tokens; item codes as strings keep the vocabulary small."""
    return [list(map(str, s.tolist())) for s in seqs]
