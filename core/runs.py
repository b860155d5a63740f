"""A training folder loaded for serving (:class:`Run`): its item vectors, user vectors (MF), the
log it was trained on (``history.parquet``, :mod:`core.logs.history`) and the query the
evaluation scores an item-based set's user from (:class:`Query`).

A folder whose trainer learned user vectors (ALS, SVD) and scores from them (``query=user``) is
served by the user's vector; an item-only folder (item2vec, graph, supervised), or MF trained
with ``query=items``, from the user's recent history exactly as the
evaluation scores it (:func:`core.evaluate.recs.item_vector_scorer` over the query rows of
:func:`core.evaluate.protocols.recent_items`, or the user's last basket under basket
completion), with the history length the folder's evaluation used (else the evaluation's default
for the log).  Serving is :mod:`core.serving`; one user's list with its reasons is
:mod:`core.recommend`.
"""

from __future__ import annotations

import difflib
import inspect
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .embeddings import Embeddings
from .errors import DataError, UnknownKeyError
from .logs import Interactions
from .logs.history import HISTORY_FILE, read_history
from .matching import title_column


class UnknownUserError(UnknownKeyError):
    """A user id that is not in the folder's log; carries close ids."""

    def __init__(self, user: str, suggestions: list[str], users: int):
        hint = (
            f"close ids: {', '.join(suggestions)}"
            if suggestions
            else "pick one of the log's user ids"
        )
        super().__init__(user, suggestions, hint=hint)
        self.args = (f"user '{user}' is not in this run's log ({users:,} users)",)
        self.message = self.args[0]


@dataclass(frozen=True)
class Query:
    """How an item-based set scores a user: the protocol's query (the last ``history`` items,
    the i-th most recent weighted ``decay ** i``, or the last basket) and where that came from."""

    protocol: str
    history: int
    decay: float
    chosen: str

    def describe(self) -> str:
        if self.protocol == "basket":
            return f"the mean of the user's last basket's items ({self.chosen})"
        items = "the last item" if self.history == 1 else f"the mean of the last {self.history}"
        decay = f" weighted {self.decay:g}^age" if self.decay < 1 and self.history > 1 else ""
        return f"{items}{decay} of the user's history ({self.chosen})"


class Run:
    """A training folder loaded for serving: item vectors, user vectors (MF), the log.

    Build it with :func:`load_run`, or from a set the Train page stored with
    :func:`core.work.stored_run` (``path`` then names the set, ``name`` is its name).
    """

    def __init__(
        self,
        path: Path,
        report: dict,
        items: Embeddings,
        users,
        log: Interactions,
        name: str | None = None,
    ):
        self.path, self.report, self.items, self.users, self.log = path, report, items, users, log
        self.method = str(report.get("method", "?"))
        self.name = path.name if name is None else name

    @cached_property
    def query(self) -> Query:
        return query_for(self.report, self.log)

    @cached_property
    def by_user(self) -> bool:
        """Scored from the user's vector (MF trained with ``query=user``), else from the user's
        recent items as :attr:`query` says (:func:`core.evaluate.recs.scores_from_users`)."""
        from .evaluate.recs import scores_from_users

        trained = {**self.items.provenance.params, **(self.report.get("params") or {})}
        return scores_from_users(self.users, trained)

    @cached_property
    def code_of_row(self) -> np.ndarray:
        """The log's item code of each item vector (−1: not in the log)."""
        return pd.Index(self.log.items.astype(str)).get_indexer(self.items.keys)

    @cached_property
    def row_of_code(self) -> np.ndarray:
        """The item vector row of each item code (−1: no vector)."""
        out = np.full(self.log.n_items, -1, dtype=np.int64)
        ok = self.code_of_row >= 0
        out[self.code_of_row[ok]] = np.flatnonzero(ok)
        return out

    @cached_property
    def user_index(self) -> pd.Index:
        return pd.Index(self.log.users.astype(str))

    @cached_property
    def user_rows(self) -> np.ndarray | None:
        """The user-vector row of each user code (MF), −1 without one."""
        if self.users is None:
            return None
        return pd.Index(self.users.keys).get_indexer(self.log.users.astype(str))

    @cached_property
    def counts(self) -> np.ndarray:
        """Events per item code (the popularity the evaluation measures)."""
        return self.log.item_counts()

    @cached_property
    def popularity_rank(self) -> np.ndarray:
        """1 = the item with most events; ties share the best rank."""
        return pd.Series(self.counts).rank(method="min", ascending=False).to_numpy(np.int64)

    @cached_property
    def seen(self) -> sp.csr_matrix:
        from .logs.matrix import user_item_matrix

        return user_item_matrix(self.log, binary=True).tocsr()

    @cached_property
    def scorer(self):
        """The evaluation's scorer for this set (:mod:`core.evaluate.recs`)."""
        from .evaluate.recs import item_vector_scorer, user_vector_scorer

        if self.by_user:
            return user_vector_scorer(self.method, self.users, self.items)
        return item_vector_scorer(self.method, self.items, self.log)

    @cached_property
    def titles(self) -> np.ndarray:
        """Each item code's title (its key when the set has none)."""
        keys = self.log.items.astype(str)
        column = title_column(self.items.metadata)
        if column is None:
            return np.asarray(keys, dtype=object)
        titles = self.items.metadata[column].fillna("").astype(str).to_numpy()
        out = np.asarray(keys, dtype=object).copy()
        ok = self.code_of_row >= 0
        named = titles[ok] != ""
        out[self.code_of_row[ok][named]] = titles[ok][named]
        return out


def load_run(folder: str | Path) -> Run:
    """A training folder (``embedlab train --out``) ready to recommend.

    Parameters
    ----------
    folder : str or Path

    Returns
    -------
    Run

    Raises
    ------
    DataError
        Not a training folder, or one written before folders kept the users' histories (the
        message says how to retrain).

    Examples
    --------
    >>> from embedlab.core.engines import get_engine, LogSpec, run_training
    >>> _ = run_training(get_engine("local"), LogSpec("sample_data/interactions.csv"), "als",
    ...                  tmp_path / "als", params={"factors": 8})
    >>> run = load_run(tmp_path / "als")
    >>> run.method, run.users is not None, run.log.n_users
    ('als', True, 3000)
    """
    from . import io

    path = Path(folder)
    report_file = path / "report.json"
    if not report_file.is_file():
        raise DataError(
            "not a training folder (no report.json)",
            path=str(path),
            hint="give a folder written by embedlab train --out",
        )
    report = json.loads(report_file.read_text(encoding="utf-8"))
    if not (path / HISTORY_FILE).exists():
        raise DataError(
            f"this training folder has no {HISTORY_FILE} (it was trained before folders kept "
            "each user's history)",
            path=str(path),
            hint=_retrain(report),
        )
    items = io.load(path)
    users = io.load(path / "users.parquet") if (path / "users.parquet").exists() else None
    log = read_history(path / HISTORY_FILE, report.get("log"))
    return Run(path, report, items, users, log)


def trained_run(result, log: Interactions, name: str) -> Run:
    """A model trained in this process (a :class:`core.train.TrainResult`) on ``log``, loaded for
    serving as a training folder would be: no evaluation, so its query is the evaluation's
    default for the log (:func:`query_for`).

    Parameters
    ----------
    result : core.train.TrainResult
    log : Interactions
        The log it was trained on.
    name : str

    Returns
    -------
    Run
        ``path`` is ``name``.

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> from embedlab.core.train import train
    >>> inter = prepare("sample_data/interactions.csv")
    >>> run = trained_run(train(inter, "als", factors=8), inter, "sample log · als")
    >>> run.name, run.users is not None, run.query.chosen
    ('sample log · als', True, "the evaluation's default for this log")
    """
    report = {"method": result.method, "log": log.report.to_dict()}
    return Run(Path(name), report, result.items, result.users, log, name=name)


def _retrain(report: dict) -> str:
    source = (report.get("log") or {}).get("source", "its log")
    return (
        f"run the embedlab train command that made it again with --force (log {source}, method "
        f"{report.get('method', '?')}): folders now keep history.parquet"
    )


def default_history(inter: Interactions) -> int:
    """The history length the evaluation scores item-based methods from when none is given
    (:func:`core.evaluate.protocols.make_split`'s default, or its rule for this log).

    Parameters
    ----------
    inter : Interactions

    Returns
    -------
    int

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> default_history(prepare("sample_data/interactions.csv"))
    1
    """
    from .evaluate.protocols import make_split

    default = inspect.signature(make_split).parameters["history"].default
    if default is None:  # the evaluation chooses it from the log's shape
        from .logs.shape import log_shape, query_items

        return int(query_items(log_shape(inter)))
    return int(default)


def query_for(report: dict, inter: Interactions) -> Query:
    """The query the folder's own evaluation used (``report.json``), else the evaluation's
    choice for this log (:func:`core.evaluate.protocols.choose`, :func:`default_history`).

    Parameters
    ----------
    report : dict
        The folder's ``report.json``.
    inter : Interactions
        Its log.

    Returns
    -------
    Query

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> q = query_for({}, prepare("sample_data/interactions.csv"))
    >>> q.protocol, q.history
    ('leave-last-out', 1)
    """
    from .evaluate.protocols import choose

    evaluated = (report.get("evaluation") or {}).get("protocol")
    if evaluated:
        return Query(
            evaluated["name"],
            int(evaluated.get("history", 1)),
            float(evaluated.get("decay", 1.0)),
            "as its own evaluation scored",
        )
    choice = choose(inter)
    return Query(choice.name, default_history(inter), 1.0, "the evaluation's default for this log")


def user_code(run: Run, user: str) -> int:
    """The log's code of user id ``user``.

    Parameters
    ----------
    run : Run
    user : str

    Returns
    -------
    int

    Raises
    ------
    UnknownUserError
        ``user`` is not in the log; the message lists close ids.

    Examples
    --------
    >>> from embedlab.core.engines import get_engine, LogSpec, run_training
    >>> _ = run_training(get_engine("local"), LogSpec("sample_data/interactions.csv"), "als",
    ...                  tmp_path / "uc", params={"factors": 8})
    >>> run = load_run(tmp_path / "uc")
    >>> str(run.log.users[user_code(run, "u00002")])
    'u00002'
    """
    code = run.user_index.get_indexer([str(user).strip()])[0]
    if code < 0:
        raise UnknownUserError(str(user), _close_users(run, str(user)), run.log.n_users)
    return int(code)


def _close_users(run: Run, user: str, n: int = 5) -> list[str]:
    """User ids spelled like ``user`` (most alike first)."""
    ids = [u for u in run.user_index if abs(len(u) - len(user)) <= 2]
    return difflib.get_close_matches(user.strip(), ids, n=n, cutoff=0.5)


def query_rows(run: Run, codes: np.ndarray) -> sp.csr_matrix:
    """Each user's query weights over the catalog, as the evaluation builds them: the last
    ``history`` items (:func:`core.evaluate.protocols.recent_items`, the i-th most recent
    weighted ``decay ** i``), or the items of the user's last basket.

    Parameters
    ----------
    run : Run
    codes : ndarray of int
        User codes.

    Returns
    -------
    scipy.sparse.csr_matrix
        ``len(codes)`` × ``run.log.n_items``.

    Examples
    --------
    >>> from embedlab.core.engines import get_engine, LogSpec, run_training
    >>> _ = run_training(get_engine("local"), LogSpec("sample_data/interactions.csv"), "als",
    ...                  tmp_path / "qr", params={"factors": 8})
    >>> float(query_rows(load_run(tmp_path / "qr"), np.array([0, 1])).sum())  # the last items
    2.0
    """
    from .evaluate.protocols import recent_items

    q = run.query
    if q.protocol != "basket":
        return recent_items(run.log, codes, q.history, q.decay)
    log = run.log
    end = np.searchsorted(log.user, codes, side="right")
    last_session = log.session[end - 1]
    rows, cols = [], []
    for r, (e, s) in enumerate(zip(end, last_session)):
        start = e
        while start > 0 and log.session[start - 1] == s and log.user[start - 1] == log.user[e - 1]:
            start -= 1
        cols.append(np.unique(log.item[start:e]))
        rows.append(np.full(len(cols[-1]), r))
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    return sp.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(codes), log.n_items), dtype=np.float64
    )
