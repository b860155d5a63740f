"""EASE (Steck, WWW 2019), the linear baseline recommender papers are measured against.

With ``X`` the binary rows × items matrix of the training part (rows: users), ``G = XᵀX``,
``P = (G + λI)⁻¹`` and ``B = I − P·diag(1/diag P)`` (zero diagonal), a query row ``q`` scores
``q·B``: for an item ``j`` outside the query, ``−(q·P)_j / P_jj``.  One hyper-parameter, λ,
chosen on a validation split from :data:`LAMBDAS`.

Everything is float32 and in place: ``G`` is built in blocks of columns (a sparse × dense product
per block, no items × items temporary), ``G + λI`` is factorised and inverted in its own memory by
LAPACK (Cholesky, then the inverse from the factor), the lower triangle is mirrored block by block,
and queries are scored in batches.  Memory is about ``items² × 4`` bytes plus a block of columns
and a batch of scores (:func:`ease_bytes`), estimated before anything is built.  A catalog larger
than :func:`core.limits.max_ease_items` is fit on its most popular items (the others cannot be
recommended by EASE: they rank last), and said.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..errors import DataError
from ..logs import Interactions
from ..logs.matrix import user_item_matrix
from .recs import Scorer, Split, held_out_ranks

LAMBDAS = (10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0)
"""The λ grid (log-spaced; Steck's MovieLens and Netflix optima, 200–1000, sit inside it)."""
SELECT_ITEMS = 2500
"""λ is chosen on at most this many of the most popular items: each λ costs one inverse, ``n³``
work, so a 10,000-item grid would cost 64 inverses' worth of a 2,500-item one."""
BLOCK_BYTES = 64 << 20  # one block of dense columns while G is built
SCORE_ROWS = 512  # queries scored at once


@dataclass(frozen=True)
class EaseModel:
    """``P = (XᵀX + λI)⁻¹`` over ``items`` (catalog codes, most popular first when a subset)."""

    p: np.ndarray  # items × items float32 (symmetric, C order)
    diag: np.ndarray  # diag(P)
    items: np.ndarray  # catalog codes of P's rows
    n_items: int  # the whole catalog
    lam: float
    seconds: float


def ease_bytes(n_items: int, n_rows: int) -> int:
    """Estimated peak memory of fitting and scoring EASE on ``n_items`` items and ``n_rows`` rows.

    Parameters
    ----------
    n_items, n_rows : int

    Returns
    -------
    int
        ``n_items² × 4`` (``P``, factorised and inverted in place) plus one block of dense columns
        and its product while ``G`` is built, and one batch of scores (float32, then float64
        while ranking).

    Examples
    --------
    >>> ease_bytes(10_000, 600) // 2**20
    566
    """
    width = _block_width(n_items, n_rows)
    block = width * (n_rows + n_items) * 4  # a block of dense columns and its product
    return int(4 * n_items**2 + block + SCORE_ROWS * n_items * (4 + 4 + 8 + 8))


def _block_width(n_items: int, n_rows: int) -> int:
    """Columns per block while ``G`` is built: a dense block and its product stay under
    :data:`BLOCK_BYTES` each."""
    return max(1, min(n_items, BLOCK_BYTES // (4 * max(n_rows, n_items, 1))))


def gram(x: sp.csr_matrix) -> np.ndarray:
    """``XᵀX`` as a dense Fortran-ordered float32 matrix, built one block of columns at a time.

    Parameters
    ----------
    x : scipy.sparse.csr_matrix
        rows × items.

    Returns
    -------
    ndarray
        items × items, float32.

    Examples
    --------
    >>> x = sp.csr_matrix(np.array([[1, 1, 0], [0, 1, 1]], dtype=np.float32))
    >>> gram(x).tolist()
    [[1.0, 1.0, 0.0], [1.0, 2.0, 1.0], [0.0, 1.0, 1.0]]
    """
    n = x.shape[1]
    g = np.empty((n, n), dtype=np.float32, order="F")
    xt, xc = x.T.tocsr().astype(np.float32), x.tocsc().astype(np.float32)
    width = _block_width(n, x.shape[0])
    for j0 in range(0, n, width):  # sparse × sparse: the work is Σ (items per row)², not n²·rows
        j1 = min(n, j0 + width)
        g[:, j0:j1] = (xt @ xc[:, j0:j1]).toarray()
    return g


def invert_in_place(g: np.ndarray, lam: float) -> np.ndarray:
    """``(g + λI)⁻¹`` in ``g``'s own memory (Cholesky, then the inverse from the factor).

    Parameters
    ----------
    g : ndarray
        Symmetric, Fortran-ordered float32; overwritten.
    lam : float
        Added to the diagonal (> 0 makes ``g`` positive definite).

    Returns
    -------
    ndarray
        ``g`` itself, now the symmetric inverse.

    Raises
    ------
    DataError
        The factorisation failed (λ too small for float32).

    Examples
    --------
    >>> g = np.asfortranarray(np.array([[2.0, 1.0], [1.0, 2.0]], dtype=np.float32))
    >>> np.round(invert_in_place(g, 1.0) * 8, 4).tolist()
    [[3.0, -1.0], [-1.0, 3.0]]
    """
    from scipy.linalg import lapack

    g[np.diag_indices_from(g)] += np.float32(lam)
    c, info = lapack.spotrf(g, lower=1, overwrite_a=1, clean=0)
    if info == 0:
        c, info = lapack.spotri(c, lower=1, overwrite_c=1)
    if info != 0 or c is not g:
        raise DataError(f"EASE could not factorise the item Gram matrix with lambda {lam:g}")
    _mirror_lower(g)
    return g


def _mirror_lower(a: np.ndarray, block: int = 512) -> None:
    """Copy the lower triangle onto the upper one, in place, a block of columns at a time."""
    n = a.shape[0]
    for j0 in range(0, n, block):
        j1 = min(n, j0 + block)
        d = a[j0:j1, j0:j1]
        a[j0:j1, j0:j1] = np.tril(d) + np.tril(d, -1).T
        a[j0:j1, j1:] = a[j1:, j0:j1].T


def fit(x: sp.csr_matrix, lam: float, items: np.ndarray | None = None) -> EaseModel:
    """EASE on the columns ``items`` of ``x`` (all of them when None).

    Parameters
    ----------
    x : scipy.sparse.csr_matrix
        Binary rows × catalog.
    lam : float
    items : ndarray of int, optional
        Catalog codes to fit on.

    Returns
    -------
    EaseModel

    Examples
    --------
    >>> x = sp.csr_matrix(np.array([[1, 1, 0], [0, 1, 1], [1, 1, 1]], dtype=np.float32))
    >>> m = fit(x, 1.0)
    >>> bool(np.allclose(m.p, m.p.T)), m.items.tolist()
    (True, [0, 1, 2])
    """
    n_items = x.shape[1]
    items = np.arange(n_items) if items is None else np.asarray(items)
    model = fit_gram(gram(x[:, items] if len(items) < n_items else x), lam, items, n_items)
    return model


def fit_gram(g: np.ndarray, lam: float, items: np.ndarray, n_items: int | None = None) -> EaseModel:
    """EASE from a Gram matrix ``g`` over ``items`` (overwritten: it becomes ``P``).

    Examples
    --------
    >>> g = np.asfortranarray(np.array([[2.0, 1.0], [1.0, 2.0]], dtype=np.float32))
    >>> fit_gram(g, 1.0, np.arange(2)).diag.round(4).tolist()
    [0.375, 0.375]
    """
    t0 = time.perf_counter()
    # P is symmetric: its transpose is the same matrix in C order, which a sparse × dense
    # product reads without copying it
    p = invert_in_place(g, lam).T
    n = len(items) if n_items is None else n_items
    return EaseModel(p, p.diagonal().copy(), items, n, float(lam), time.perf_counter() - t0)


def scores(model: EaseModel, q: sp.csr_matrix) -> np.ndarray:
    """``q·B`` for query rows ``q`` (cases × catalog): float32, −inf for items outside the model.

    Examples
    --------
    >>> x = sp.csr_matrix(np.array([[1, 1, 0], [0, 1, 1], [1, 1, 1]], dtype=np.float32))
    >>> m = fit(x, 1.0)
    >>> b = np.eye(3) - m.p / m.diag  # B = I - P diag(1/diag P)
    >>> q = sp.csr_matrix(np.array([[1, 0, 0]], dtype=np.float32))
    >>> bool(np.allclose(scores(m, q), q.toarray() @ b, atol=1e-5))
    True
    """
    sub = q[:, model.items].astype(np.float32) if len(model.items) < model.n_items else q
    sub = sp.csr_matrix(sub, dtype=np.float32)
    s = np.asarray(sub @ model.p, dtype=np.float32)
    s /= -model.diag[None, :]
    s += sub.toarray()
    if len(model.items) == model.n_items:
        return s
    out = np.full((q.shape[0], model.n_items), -np.inf, dtype=np.float32)
    out[:, model.items] = s
    return out


def ease_scorer(model: EaseModel, split: Split) -> Scorer:
    """A :class:`Scorer` for ``split``: the query is the user's whole training history under
    leave-last-out (EASE is a model of histories), the basket's other items under basket
    completion."""
    history = user_item_matrix(split.train, binary=True).tocsr()

    def fn(users, last, context=None):  # noqa: ARG001 - a Scorer function
        q = context if split.protocol == "basket" and context is not None else history[users]
        return scores(model, sp.csr_matrix(q, dtype=np.float32))

    return Scorer("ease", split.train.n_items, fn, uses_context=True)


def popular_items(inter: Interactions, n: int) -> np.ndarray:
    """The codes of the ``n`` most popular items of ``inter`` (most events first; ties by code).

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> popular_items(prepare("sample_data/interactions.csv"), 3).shape
    (3,)
    """
    return np.argsort(-inter.item_counts(), kind="stable")[:n]


def fitted_items(n_items: int, n_rows: int) -> int:
    """How many items EASE is fit on: the whole catalog, or as many of the most popular as
    :func:`core.limits.max_ease_items` and :func:`core.limits.max_ease_mb` allow.

    Examples
    --------
    >>> fitted_items(169, 9835), fitted_items(40_000, 1000)
    (169, 10000)
    """
    from ..limits import MB, max_ease_items, max_ease_mb

    n = min(n_items, max_ease_items())
    while n > 1 and ease_bytes(n, n_rows) > max_ease_mb() * MB:
        n = int(n * 0.9)
    return n


def available_bytes() -> int | None:
    """The memory the system says is available (``MemAvailable``), or None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def choose_lambda(validation: Split, k: int, seed: int = 0) -> tuple[float, dict, int]:
    """The λ of :data:`LAMBDAS` with the best NDCG@k on ``validation`` (the first on a tie).

    EASE is fit on ``validation.train`` restricted to its :data:`SELECT_ITEMS` most popular items
    when the catalog is larger (each λ costs one inverse; the Gram matrix is built once); held-out
    items outside them count as misses for every λ alike, and the cases are ranked among those
    items only (at most :data:`SELECT_CASES` of them, a seeded sample), which gives the same ranks
    as the whole catalog would, EASE scoring nothing outside them.

    Returns
    -------
    (float, dict, int)
        The chosen λ, NDCG@k by λ, and the number of items the grid was fit on.

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> from embedlab.core.evaluate.protocols import make_split, validation_split
    >>> val = validation_split(make_split(prepare("sample_data/interactions.csv"), max_users=300))
    >>> lam, grid, items = choose_lambda(val, 10)
    >>> lam in LAMBDAS, sorted(grid) == sorted(LAMBDAS), items
    (True, True, 1000)
    """
    from .recs import hit_ndcg

    n = validation.train.n_items
    items = np.arange(n) if n <= SELECT_ITEMS else popular_items(validation.train, SELECT_ITEMS)
    x = user_item_matrix(validation.train, binary=True).tocsr()[:, items]
    cases = _cases_within(validation, items, x, seed)
    g0 = gram(x)
    grid = {}
    for lam in LAMBDAS:
        model = fit_gram(g0.copy(order="F"), lam, np.arange(len(items)))
        ranks = held_out_ranks(_context_scorer(model), cases)
        hits = hit_ndcg(ranks, k)["ndcg"] * len(ranks)  # the other cases are misses
        grid[lam] = round(hits / max(len(validation.users), 1), 6)
        del model
    best = max(LAMBDAS, key=lambda lam: (grid[lam], -LAMBDAS.index(lam)))
    return best, grid, len(items)


SELECT_CASES = 5000


def _cases_within(validation: Split, items: np.ndarray, x: sp.csr_matrix, seed: int) -> Split:
    """``validation``'s cases whose held-out item is among ``items``, re-coded to positions in
    ``items``, the query (history or basket) and the exclusions restricted to them; at most
    :data:`SELECT_CASES` (seeded)."""
    import dataclasses

    where = np.full(validation.train.n_items, -1)
    where[items] = np.arange(len(items))
    keep = np.flatnonzero(where[validation.held_out] >= 0)
    if len(keep) > SELECT_CASES:
        keep = np.sort(np.random.default_rng(seed).choice(keep, SELECT_CASES, replace=False))
    basket = validation.protocol == "basket" and validation.context is not None
    query = validation.context[keep][:, items] if basket else x[validation.users[keep]]
    return dataclasses.replace(
        validation,
        users=validation.users[keep],
        held_out=where[validation.held_out[keep]],
        last=np.zeros(len(keep), dtype=np.int64),
        context=sp.csr_matrix(query, dtype=np.float32),
        exclude=sp.csr_matrix(validation.exclude[keep][:, items]),
        group=None,
    )


def _context_scorer(model: EaseModel) -> Scorer:
    """Scores from the query rows alone (cases × the model's items)."""

    def fn(users, last, context):  # noqa: ARG001 - a Scorer function
        return scores(model, sp.csr_matrix(context, dtype=np.float32))

    return Scorer("ease", model.n_items, fn, uses_context=True)


def ease_baseline(
    split: Split, validation: Split, k: int, seed: int = 0
) -> tuple[Scorer | None, dict]:
    """EASE for ``split``: λ chosen on ``validation`` (made from ``split.train``), then fit on
    ``split.train``, memory checked first.

    Parameters
    ----------
    split : Split
        The test split.
    validation : Split
        Held out from ``split.train`` (never a test event).
    k : int
    seed : int, default 0
        Seeds the sample of validation cases λ is chosen on.

    Returns
    -------
    (Scorer or None, dict)
        The scorer and what the report says of it: ``lambda``, ``lambda_grid`` (NDCG@k by λ),
        ``lambda_items`` (items the grid was fit on), ``items`` (items fit), ``note`` when not the
        whole catalog, ``lambda_seconds``, ``fit_seconds`` and ``seconds`` (both, with the memory
        check); or None and ``{"skipped": why}`` when the memory is not there.

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> from embedlab.core.evaluate.protocols import make_split, validation_split
    >>> test = make_split(prepare("sample_data/interactions.csv"), max_users=300)
    >>> scorer, info = ease_baseline(test, validation_split(test, max_users=300), 10)
    >>> scorer.name, info["items"], info["lambda"] in LAMBDAS
    ('ease', 1000, True)
    """
    t0 = time.perf_counter()
    n_items, rows = split.train.n_items, split.train.n_users
    n = fitted_items(n_items, rows)
    need, free = ease_bytes(n, rows), available_bytes()
    if n < 2 or (free is not None and need > free):
        why = f"EASE on {n:,} items needs about {need / 2**20:,.0f} MB" + (
            f"; {free / 2**20:,.0f} MB are available" if free is not None else ""
        )
        return None, {"skipped": why}
    lam, grid, lam_items = choose_lambda(validation, k, seed)
    t1 = time.perf_counter()
    items = None if n == n_items else popular_items(split.train, n)
    model = fit(user_item_matrix(split.train, binary=True).tocsr(), lam, items)
    info = {"lambda": lam, "lambda_grid": grid, "lambda_items": lam_items, "items": n}
    info["lambda_seconds"] = round(t1 - t0, 3)
    info["fit_seconds"] = round(time.perf_counter() - t1, 3)
    if n < n_items:
        info["note"] = (
            f"EASE on the {n:,} most popular of {n_items:,} items (EMBEDLAB_EASE_MAX_ITEMS, "
            "EMBEDLAB_EASE_MAX_MB); the others rank last"
        )
    info["seconds"] = round(time.perf_counter() - t0, 3)
    return ease_scorer(model, split), info
