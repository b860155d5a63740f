"""Vector arithmetic over embeddings: 3CosAdd and 3CosMul (Levy & Goldberg, 2014).

Input keys are excluded from the answers by default, as gensim does, but the result says so
(``excluded``), and ``include_inputs=True`` ranks them too: users often want to see that
``madrid`` itself is the nearest word to ``madrid - spain + france``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .embeddings import Embeddings
from .errors import ExpressionError, ParameterError, UnknownKeyError
from .expression import describe, parse
from .search import Neighbours, best_indices, restrict_rows, top_k

ANALOGY_SCORINGS = ("3cosadd", "3cosmul")  # how an answer is scored against the terms
COSMUL_EPS = 1e-6  # gensim's epsilon in most_similar_cosmul


@dataclass
class ArithmeticResult:
    """What an expression evaluates to: enough for a table, a JSON answer and a 2-D drawing."""

    expression: str
    terms: list[tuple[str, float]]
    method: str
    vector: np.ndarray
    neighbours: Neighbours
    input_similarity: dict[str, float]
    excluded: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "query": self.expression,
            "method": self.method,
            "excluded": self.excluded,
            "terms": [{"key": k, "weight": w} for k, w in self.terms],
            "results": self.neighbours.records(),
            "input_similarity": self.input_similarity,
        }


def resolve_terms(emb: Embeddings, terms: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Map each key of ``terms`` to its stored spelling, naming every unknown key at once.

    Parameters
    ----------
    emb : Embeddings
    terms : list of (str, float)
        Keys and their weights, as ``core.expression.parse`` returns them.

    Returns
    -------
    list of (str, float)
        The same terms with each key spelled as stored (exact, then case-insensitive match).

    Raises
    ------
    UnknownKeyError
        One or more keys are not in ``emb``; the message suggests close spellings for each.

    Examples
    --------
    >>> emb = Embeddings(["madrid", "spain"], np.eye(2, dtype=np.float32))
    >>> resolve_terms(emb, [("Madrid", 1.0), ("spain", -1.0)])
    [('madrid', 1.0), ('spain', -1.0)]
    """
    resolved, unknown = [], []
    for key, weight in terms:
        try:
            resolved.append((emb.resolve(key), weight))
        except UnknownKeyError as exc:
            unknown.append(exc)
    if len(unknown) == 1:
        raise unknown[0]
    if unknown:
        parts = [
            f"'{e.key}'"
            + (f" (did you mean {', '.join(e.suggestions[:3])}?)" if e.suggestions else "")
            for e in unknown
        ]
        raise UnknownKeyError(
            unknown[0].key, unknown[0].suggestions, hint="unknown keys: " + "; ".join(parts)
        )
    return resolved


def solve(
    emb: Embeddings,
    expression: str,
    k: int = 10,
    method: str = "3cosadd",
    include_inputs: bool = False,
    restrict: int | np.ndarray | None = None,
) -> ArithmeticResult:
    """Solve a vector-arithmetic expression and rank the keys nearest to the result.

    Parameters
    ----------
    emb : Embeddings
    expression : str
        Keys joined by ``+``/``-``, optionally weighted (``0.5*king + queen``); quote keys with
        spaces or operators (``'new york' - usa``).
    k : int, default 10
    method : {"3cosadd", "3cosmul"}, default "3cosadd"
        Cosine to the summed unit vectors, or the product/quotient of shifted cosines (Levy &
        Goldberg, 2014).
    include_inputs : bool, default False
        Rank the input keys too (gensim excludes them; the result lists what was ``excluded``).
    restrict : int or ndarray, optional
        Answer only from the first N rows, or from these row ids.

    Returns
    -------
    ArithmeticResult
        The terms, the result vector, the ranked ``neighbours`` and each input's similarity.

    Raises
    ------
    ExpressionError
        The expression does not parse or its terms cancel out.
    UnknownKeyError
        A key is not in ``emb`` (close spellings suggested).
    ParameterError
        An unknown ``method``, or ``k``/``restrict`` out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from embedlab.core import Embeddings
    >>> emb = Embeddings(["king", "man", "woman", "queen"],
    ...                  np.array([[1, 1], [1, 0], [0, 1], [0.1, 2]], np.float32))
    >>> solve(emb, "king - man + woman", k=1).neighbours.keys
    ['queen']
    """
    method = method.lower()
    if method not in ANALOGY_SCORINGS:
        raise ParameterError(f"method '{method}' must be one of {', '.join(ANALOGY_SCORINGS)}")
    terms = _nonzero_terms(emb, expression)
    ids = [emb.key_to_index[key] for key, _ in terms]
    weights = np.array([w for _, w in terms], dtype=np.float32)
    vector = weights @ emb.unit[ids]
    if not np.any(vector):
        raise ExpressionError("the expression evaluates to the zero vector")
    exclude = [] if include_inputs else ids
    got, scores = _rank(emb, method, vector, ids, weights, k, exclude, restrict)
    return _result(emb, terms, ids, method, vector, got, scores, exclude)


def _result(emb, terms, ids, method, vector, got, scores, exclude) -> ArithmeticResult:
    """The ranked answers (ids < 0: fewer candidates than k) and each input's similarity."""
    ok = got >= 0
    unit = vector / np.linalg.norm(vector)
    sims = {key: float(emb.unit[i] @ unit) for (key, _), i in zip(terms, ids)}
    text = describe(terms)
    nb = Neighbours(
        text,
        [emb.keys[j] for j in got[ok]],
        got[ok],
        scores[ok],
        "cosine",
        "exact",
        excluded=[emb.keys[i] for i in exclude],
    )
    return ArithmeticResult(text, terms, method, vector, nb, sims, nb.excluded)


def _rank(emb, method, vector, ids, weights, k, exclude, restrict):
    """Row ids and scores of the answers: 3CosAdd (cosine to ``vector``) or 3CosMul."""
    if method == "3cosmul":
        return _cosmul(emb, ids, weights, k, exclude, restrict)
    got, scores, _ = top_k(
        emb, vector[None, :], k, "cosine", exclude=[exclude], restrict=restrict, method="exact"
    )
    return got[0], scores[0]


def _nonzero_terms(emb: Embeddings, expression: str) -> list[tuple[str, float]]:
    """The parsed, resolved terms with a non-zero weight; an error when none is left."""
    terms = resolve_terms(emb, parse(expression, known=lambda w: _known(emb, w)))
    terms = [(key, w) for key, w in terms if w != 0]
    if not terms:
        raise ExpressionError(
            "the terms cancel out: the expression is the zero vector",
            hint="e.g. king - man + woman",
        )
    return terms


def _known(emb: Embeddings, word: str) -> bool:
    return emb.find(word) is not None


def _cosmul(emb: Embeddings, ids, weights, k, exclude, restrict):
    """Multiplicative combination: prod(sim to positives^w) / (prod(sim to negatives^|w|) + eps),
    with similarities shifted to [0, 1] as gensim's most_similar_cosmul does."""
    matrix, mapping = (emb.unit, None) if restrict is None else restrict_rows(emb.unit, restrict)
    num = np.ones(matrix.shape[0], dtype=np.float64)
    den = np.ones(matrix.shape[0], dtype=np.float64)
    for i, w in zip(ids, weights):
        s = (1.0 + matrix @ emb.unit[i]) / 2.0
        if w > 0:
            num *= s**w
        else:
            den *= s ** (-w)
    score = num / (den + COSMUL_EPS)
    row_ids = np.arange(len(score)) if mapping is None else mapping
    drop = np.isin(row_ids, np.asarray(exclude, dtype=np.int64))
    score[drop] = -np.inf
    top = best_indices(score, min(k, int((~drop).sum())))
    return row_ids[top], score[top].astype(np.float32)
