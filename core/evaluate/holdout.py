"""What is held out: each user's last event(s), or one item of each basket.

**Ties.**  A rating log puts many events of one user on one timestamp (MovieLens 100K: 76% of
events share their second with another event of the same user), and files are often sorted by
item id within a second, so "the last event in the file" would be a biased pick.  Here, events
of one user are ordered by time and, among equal timestamps, by a seeded random key
(:func:`tie_order`): the held-out event is drawn with the seed among the events at the user's
last timestamp; the other events of that moment stay in training (they happened at the same time,
not after it), and the query ("the last item", or the last N) is read in the same seeded order.
The training log itself keeps the file's order.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..errors import DataError
from ..logs import Interactions
from ..logs.matrix import user_item_matrix
from .recs import Split

TIE_STREAM = 18  # the seeded random stream that breaks ties (the user sample uses ``seed`` alone)


def tie_order(inter: Interactions, seed: int = 0) -> np.ndarray:
    """Row order by user, then time, then a seeded random key among equal timestamps.

    Parameters
    ----------
    inter : Interactions
    seed : int, default 0

    Returns
    -------
    ndarray of int
        A permutation of ``range(len(inter))``; the identity when no two events of a user share a
        timestamp (and for a log without timestamps: file order).

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> inter = prepare("sample_data/interactions.csv")
    >>> bool((tie_order(inter) == np.arange(len(inter))).all())
    True
    """
    n = len(inter)
    if inter.time is None or n < 2:
        return np.arange(n)
    tied = (inter.user[1:] == inter.user[:-1]) & (inter.time[1:] == inter.time[:-1])
    if not tied.any():
        return np.arange(n)
    key = np.random.default_rng((seed, TIE_STREAM)).random(n)
    return np.lexsort((key, inter.time, inter.user))


def last_tied(inter: Interactions, users: np.ndarray) -> int:
    """How many of ``users`` have several events at their last timestamp.

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> last_tied(prepare("sample_data/interactions.csv"), np.arange(10))
    0
    """
    if inter.time is None or not len(users):
        return 0
    end = np.searchsorted(inter.user, users, side="right") - 1
    start = np.searchsorted(inter.user, users, side="left")
    return int(((end > start) & (inter.time[np.maximum(end - 1, 0)] == inter.time[end])).sum())


def leave_last_out(
    inter: Interactions,
    max_users: int | None = 5000,
    seed: int = 0,
    per_user: int = 1,
    history: int = 1,
    decay: float = 1.0,
) -> Split:
    """Hold out each user's last event (or last ``per_user`` events), ties drawn with the seed.

    Parameters
    ----------
    inter : Interactions
    max_users, seed : int or None (default 5000), int (default 0)
        At most this many users evaluated (a seeded sample; every case of a sampled user kept).
    per_user : int, default 1
        Held-out events per user: at most ``min(per_user, events // 2)``, so every user keeps
        half of their history.  Users with one event are not evaluated.  Above 1 each held-out
        event is a case ranked against the catalog minus the user's training items and minus
        the user's *other* held-out items (the validation design of tuning).
    history, decay : int, float
        The query (``context``): the user's last ``history`` training items in the seeded
        order, the i-th most recent weighted ``decay ** i``.

    Returns
    -------
    Split
        ``users`` per case, ``last`` the user's last training item in the seeded order,
        ``group`` the user of each case; held-out items the user had already seen in training
        are skipped and counted (``skipped_repeat``), as is a second held-out event of one item.

    Raises
    ------
    DataError
        No case can be evaluated.

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> split = leave_last_out(prepare("sample_data/interactions.csv"), max_users=100)
    >>> len(split.users), split.unit
    (100, 'users')
    """
    order = tie_order(inter, seed)
    it = inter.item[order]
    train, users, held, query_end, start, repeats = _hold_out(inter, order, per_user)
    users, held, query_end = _sample(users, held, query_end, max_users, seed)
    if not len(users):
        raise DataError(
            "no user has a held-out event that can be evaluated",
            path=inter.report.source,
            hint="evaluation needs users with two or more events and a new last item",
        )
    exclude = None if per_user == 1 else _exclude_others(train, users, held)
    context = recent_rows(it, query_end, start[users], inter.n_items, history, decay)
    kw = {"context": context, "exclude": exclude, "history": history, "decay": decay}
    ties = last_tied(inter, np.unique(users))
    return Split(
        train, users, held, it[query_end - 1], repeats, unit="users", ties=ties, group=users, **kw
    )


def _hold_out(inter: Interactions, order: np.ndarray, per_user: int):
    """Each user's last ``per_user`` events (in ``order``) out of the training log: (train,
    users, held items, one past each case's query rows, each user's first row, repeats skipped),
    held-out items the user had already seen in training skipped and counted."""
    u, it = inter.user[order], inter.item[order]
    start, end, window = _windows(u, inter.n_users, per_user)
    held_pos = np.repeat(end - window, window) + _ramp(window)
    mask = np.ones(len(inter), dtype=bool)
    mask[order[held_pos]] = False
    train = inter.keep_rows(mask)
    users, held = u[held_pos], it[held_pos]
    keep, repeats = _new_items(train, users, held)
    query_end = (end - window)[users[keep]]
    return train, users[keep], held[keep], query_end, start, repeats


def _windows(u: np.ndarray, n_users: int, per_user: int):
    """Per user code: first row, one past the last row (in ``u``'s order) and how many of its
    last rows are held out (0 for users with one event)."""
    counts = np.bincount(u, minlength=n_users)
    end = np.cumsum(counts)
    start = end - counts
    window = np.minimum(per_user, counts // 2)
    return start, end, window


def _ramp(window: np.ndarray) -> np.ndarray:
    """0, 1, ..., w - 1 for each w in ``window``, concatenated."""
    total = int(window.sum())
    return np.arange(total) - np.repeat(np.cumsum(window) - window, window)


def _new_items(train: Interactions, users: np.ndarray, held: np.ndarray) -> tuple[np.ndarray, int]:
    """Cases whose item the user has not seen in training and has not held out before in the
    same window (kept: True), and how many were dropped."""
    seen = user_item_matrix(train, binary=True)
    repeat = np.asarray(seen[users, held]).ravel() > 0 if len(users) else np.zeros(0, bool)
    pair = users.astype(np.int64) * train.n_items + held
    first = np.zeros(len(pair), dtype=bool)
    first[np.unique(pair, return_index=True)[1]] = True
    keep = ~repeat & first
    return keep, int((~keep).sum())


def _sample(users, held, query_end, max_users, seed):
    """A seeded sample of ``max_users`` users, all their cases kept (the generator draws exactly
    what the one-case-per-user split always drew, so splits without ties are unchanged)."""
    distinct = np.unique(users)
    if max_users is None or len(distinct) <= max_users:
        return users, held, query_end
    if len(distinct) == len(users):  # one case per user
        pick = np.sort(np.random.default_rng(seed).choice(len(users), max_users, replace=False))
        return users[pick], held[pick], query_end[pick]
    chosen = np.random.default_rng(seed).choice(distinct, max_users, replace=False)
    keep = np.isin(users, chosen)
    return users[keep], held[keep], query_end[keep]


def _exclude_others(train: Interactions, users: np.ndarray, held: np.ndarray) -> sp.csr_matrix:
    """Cases × items never recommended: the user's training items and the user's other held-out
    items (each case asks for its own item among what the user has not touched)."""
    seen = user_item_matrix(train, binary=True).tocsr()[users]
    same = users[:, None] == users[None, :] if len(users) < 2048 else None
    if same is None:  # cases of one user are consecutive: pair them block by block
        rows, cols = _same_user_pairs(users)
    else:
        rows, cols = np.nonzero(same & ~np.eye(len(users), dtype=bool))
    others = sp.csr_matrix(
        (np.ones(len(rows), np.float32), (rows, held[cols])), shape=seen.shape, dtype=np.float32
    )
    out = seen + others
    out.data[:] = 1
    return out.tocsr()


def _same_user_pairs(users: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (case, other case of the same user) pair; cases of one user are consecutive."""
    starts = np.flatnonzero(np.r_[True, users[1:] != users[:-1]])
    sizes = np.diff(np.r_[starts, len(users)])
    rows, cols = [], []
    for size in np.unique(sizes[sizes > 1]):
        s = starts[sizes == size]
        a, b = np.nonzero(~np.eye(size, dtype=bool))
        rows.append((s[:, None] + a[None, :]).ravel())
        cols.append((s[:, None] + b[None, :]).ravel())
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(rows), np.concatenate(cols)


def recent_rows(
    items: np.ndarray,
    ends: np.ndarray,
    starts: np.ndarray,
    n_items: int,
    history: int,
    decay: float,
) -> sp.csr_matrix:
    """Query weights: for each case, ``items[ends - 1]``, ``items[ends - 2]``, ... back to
    ``starts`` (at most ``history``), the i-th most recent weighted ``decay ** i``."""
    back = np.arange(history)
    pos = ends[:, None] - 1 - back[None, :]
    ok = pos >= starts[:, None]
    rows = np.repeat(np.arange(len(ends)), history).reshape(len(ends), history)
    weights = np.broadcast_to(decay**back, pos.shape)
    return sp.csr_matrix(
        (weights[ok], (rows[ok], items[np.where(ok, pos, 0)][ok])), shape=(len(ends), n_items)
    )


def basket_completion(inter: Interactions, max_cases: int | None = 5000, seed: int = 0) -> Split:
    """Hold out one random item (seeded) of each basket with two or more distinct items.

    Parameters
    ----------
    inter : Interactions
        Baskets are its sessions.
    max_cases : int or None, default 5000
        At most this many baskets are evaluated (a seeded sample); the others stay whole in
        training.
    seed : int, default 0

    Returns
    -------
    Split
        ``users`` is each basket's user, ``held_out`` its held-out item, ``context`` and
        ``exclude`` its other items; every row of the held-out (basket, item) leaves training.

    Raises
    ------
    DataError
        No basket has two distinct items.

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> split = basket_completion(prepare("sample_data/interactions.csv"), max_cases=10)
    >>> split.protocol, split.unit, len(split.held_out)
    ('basket', 'baskets', 10)
    """
    rng = np.random.default_rng(seed)
    pair = inter.session.astype(np.int64) * inter.n_items + inter.item
    pairs, first_row = np.unique(pair, return_index=True)
    basket, item = pairs // inter.n_items, pairs % inter.n_items
    eligible = _eligible_baskets(inter, basket, max_cases, rng)
    cand = np.flatnonzero(np.isin(basket, eligible))
    order = cand[np.lexsort((rng.random(len(cand)), basket[cand]))]
    chosen = order[np.r_[True, basket[order][1:] != basket[order][:-1]]]  # one pair per basket
    held_pair = pairs[chosen]
    train = inter.keep_rows(~np.isin(pair, held_pair))
    others = cand[~np.isin(cand, chosen)]
    case_of = np.searchsorted(basket[chosen], basket[others])
    context = sp.csr_matrix(
        (np.ones(len(others)), (case_of, item[others])), shape=(len(chosen), inter.n_items)
    )
    last = item[others][np.r_[0, np.cumsum(np.bincount(case_of, minlength=len(chosen)))[:-1]]]
    return Split(
        train,
        inter.user[first_row[chosen]],
        item[chosen],
        last,
        0,
        protocol="basket",
        context=context,
        exclude=context,
        unit="baskets",
        ties=len(chosen),
        group=basket[chosen],
    )


def _eligible_baskets(inter: Interactions, basket: np.ndarray, max_cases, rng) -> np.ndarray:
    """The baskets with two or more distinct items (``basket``: one entry per distinct item of a
    basket), a seeded sample of ``max_cases`` of them when there are more."""
    eligible = np.flatnonzero(np.bincount(basket) >= 2)
    if not len(eligible):
        raise DataError(
            "no basket has two or more distinct items to complete",
            path=inter.report.source,
            hint="basket completion needs baskets (sessions) of at least two items",
        )
    if max_cases is not None and len(eligible) > max_cases:
        eligible = np.sort(rng.choice(eligible, max_cases, replace=False))
    return eligible
