"""A log's events as item sequences, by context: what item2vec and the graph builder read.

- ``sessions``: each session in time order (a new session after the session gap);
- ``history``: each user's whole history in time order, as one sequence;
- ``baskets``: each session as an unordered basket (the trainer makes the whole basket the
  window).

Sequences longer than :data:`MAX_SEQUENCE` are cut into consecutive pieces: gensim silently
truncates a sentence at 10,000 words.
"""

from __future__ import annotations

import numpy as np

from .clean import Interactions

MAX_SEQUENCE = 10_000  # gensim's MAX_WORDS_IN_BATCH: a longer sentence is truncated, not read


def sessions(inter: Interactions, min_length: int = 2) -> list[np.ndarray]:
    """Item codes per session in time order; sessions shorter than ``min_length`` are left out
    (a lone event has no context to learn from)."""
    return _parts(inter, inter.session, min_length)


def histories(inter: Interactions, min_length: int = 2) -> list[np.ndarray]:
    """Item codes per user in time order (the log is sorted by user, then time; file order among
    ties), cut into pieces of at most :data:`MAX_SEQUENCE`; users with fewer than ``min_length``
    events are left out.

    Parameters
    ----------
    inter : Interactions
    min_length : int, default 2

    Returns
    -------
    list of ndarray

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> inter = prepare("sample_data/interactions.csv")
    >>> len(histories(inter)) == inter.n_users, len(sessions(inter)) > inter.n_users
    (True, True)
    """
    return _parts(inter, inter.user, min_length)


def sequences(inter: Interactions, context: str, min_length: int = 2) -> list[np.ndarray]:
    """The item sequences of ``context``: "sessions" and "baskets" (sessions, the trainer
    deciding the window), or "history" (one per user).

    Parameters
    ----------
    inter : Interactions
    context : {"sessions", "history", "baskets"}
    min_length : int, default 2

    Returns
    -------
    list of ndarray

    Raises
    ------
    ValueError
        An unknown context (callers check the value first: a programming error).

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> inter = prepare("sample_data/interactions.csv")
    >>> sum(map(len, sequences(inter, "history"))) == len(inter)
    True
    """
    if context == "history":
        return histories(inter, min_length)
    if context in ("sessions", "baskets"):
        return sessions(inter, min_length)
    raise ValueError(f"unknown context {context!r}")


def _parts(inter: Interactions, key: np.ndarray, min_length: int) -> list[np.ndarray]:
    """``inter.item`` split where ``key`` changes, long runs cut at MAX_SEQUENCE, short ones
    left out."""
    if len(inter) == 0:
        return []
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    ends = np.r_[starts[1:], len(key)]
    out = []
    for s, e in zip(starts.tolist(), ends.tolist()):
        if e - s < min_length:
            continue
        for a in range(s, e, MAX_SEQUENCE):
            piece = inter.item[a : min(a + MAX_SEQUENCE, e)]
            if len(piece) >= min_length:
                out.append(piece)
    return out


def as_sentences(seqs: list[np.ndarray]) -> list[list[str]]:
    """gensim wants lists of string tokens; item codes as strings keep the vocabulary small.
    Every occurrence of an item is the same string object, so a sentence costs a pointer per
    token (a new string per token took about 60 bytes more)."""
    names = [str(i) for i in range(max((int(s.max()) for s in seqs if len(s)), default=-1) + 1)]
    return [[names[c] for c in s.tolist()] for s in seqs]
