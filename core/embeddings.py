"""The central type: keys, one float32 matrix, aligned metadata and provenance.

Loaders and trainers return :class:`Embeddings`; search, arithmetic, projection and evaluation
take it.  Rows are read-only so one instance can be shared by every dashboard session.
"""

from __future__ import annotations

import copy
import platform
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

import numpy as np
import pandas as pd

from .errors import ParameterError, UnknownKeyError


@dataclass(frozen=True)
class Provenance:
    """Where vectors came from: enough to reproduce them or to caption a shared screenshot."""

    source: str
    format: str = ""
    params: dict = field(default_factory=dict)
    seed: int | None = None
    data_hash: str = ""
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    versions: dict = field(
        default_factory=lambda: {"python": platform.python_version(), "numpy": np.__version__}
    )

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "format": self.format,
            "params": dict(self.params),
            "seed": self.seed,
            "data_hash": self.data_hash,
            "created": self.created,
            "versions": dict(self.versions),
        }

    def caption(self, public: bool = False) -> str:
        """One line for figure captions and report headers: source · parameters · seed · date.

        Parameters
        ----------
        public : bool, default False
            Name files by their names only: a caption that leaves the server shows no path of it.

        Returns
        -------
        str

        Examples
        --------
        >>> Provenance(
        ...     "item2vec on log.csv", params={"epochs": 5}, seed=0, created="2026-01-02T00:00:00"
        ... ).caption()
        'item2vec on log.csv · epochs=5 · seed=0 · 2026-01-02'
        >>> Provenance("als on log.csv", params={"alpha": 0.11498870747119451}, created="2026-01-02"
        ...            ).caption()
        'als on log.csv · alpha=0.115 · 2026-01-02'
        >>> Provenance("als on /srv/data/ratings.csv", created="2026-01-02").caption(public=True)
        'als on ratings.csv · 2026-01-02'
        """
        bits = [_file_names(self.source) if public else self.source]
        if self.params:
            bits.append(", ".join(f"{k}={_shown(v)}" for k, v in sorted(self.params.items())))
        if self.seed is not None:
            bits.append(f"seed={self.seed}")
        bits.append(self.created[:10])
        return " · ".join(bits)


def _shown(value) -> str:
    """A parameter for a caption: floats to 3 significant digits (a tuned alpha=0.115, not
    0.11498870747119451), the rest as they are."""
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _file_names(text: str) -> str:
    """``text`` with every path in it cut to its last part (``/srv/a/log.csv`` → ``log.csv``)."""
    import re

    return re.sub(r"(?:[A-Za-z]:)?[^\s]*[/\\]([^\s/\\]+)", r"\1", text)


class Embeddings:
    """Keys mapped to rows of one float32 matrix.

    Parameters
    ----------
    keys : sequence of str
        One unique key per row, in row order (loaders deduplicate before building this).
    vectors : ndarray of shape (n_keys, dim)
        Converted to float32 only if it is not already (a memory map stays a memory map).
    metadata : DataFrame, optional
        One row per key, same order.
    provenance : Provenance, optional
    notes : iterable of str, optional
        What a loader had to do to the input (e.g. duplicate keys dropped), shown to the user.

    Notes
    -----
    An instance is not changed once built: its matrix is read-only, and ``provenance`` and
    ``notes`` are read-only attributes; :meth:`with_metadata`, :meth:`with_provenance` and
    :meth:`with_notes` return a new instance that shares the matrix.
    """

    def __init__(
        self,
        keys: Sequence[str],
        vectors: np.ndarray,
        metadata: pd.DataFrame | None = None,
        provenance: Provenance | None = None,
        notes: Iterable[str] = (),
    ):
        vectors = np.asarray(vectors)  # a memory map stays backed by its file
        if vectors.dtype != np.float32:
            vectors = vectors.astype(np.float32)
        if vectors.ndim != 2:
            raise ParameterError(f"vectors must be 2-D, got shape {vectors.shape}")
        keys = [str(k) for k in keys]
        if len(keys) != vectors.shape[0]:
            raise ParameterError(
                f"len(keys)({len(keys)}) must equal vectors rows({vectors.shape[0]})"
            )
        if vectors.flags.writeable:
            vectors = vectors.view()
            vectors.flags.writeable = False
        self.keys: list[str] = keys
        self.key_to_index: dict[str, int] = {k: i for i, k in enumerate(keys)}
        if len(self.key_to_index) != len(keys):
            raise ParameterError("keys must be unique; loaders drop duplicates before this point")
        self.vectors = vectors
        if metadata is not None:
            if len(metadata) != len(keys):
                raise ParameterError(f"metadata rows({len(metadata)}) must equal keys({len(keys)})")
            metadata = metadata.reset_index(drop=True)
        self.metadata = metadata
        self._provenance = provenance or Provenance(source="in-memory")
        self._notes = tuple(notes)

    # -- basic protocol -------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, key: object) -> bool:
        return key in self.key_to_index

    def __repr__(self) -> str:
        return f"Embeddings({len(self)} keys × {self.dim} dims, source={self.provenance.source!r})"

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    @property
    def provenance(self) -> Provenance:
        """Where the vectors came from (a new one: :meth:`with_provenance`)."""
        return self._provenance

    @property
    def notes(self) -> tuple[str, ...]:
        """What a loader had to do to the input, for the user (more: :meth:`with_notes`)."""
        return self._notes

    # -- lookup ---------------------------------------------------------------------------------
    def resolve(self, key: str) -> str:
        """The stored spelling of ``key``: exact first, then case-insensitive.

        GloVe is lower-case, so "Madrid" should find "madrid" rather than fail.

        Parameters
        ----------
        key : str

        Returns
        -------
        str

        Raises
        ------
        UnknownKeyError
            ``key`` is not stored in any case; the message suggests close spellings.

        Examples
        --------
        >>> import numpy as np
        >>> Embeddings(["madrid", "paris"], np.eye(2, dtype=np.float32)).resolve("Madrid")
        'madrid'
        """
        found = self.find(key)
        if found is not None:
            return self.keys[found]
        raise UnknownKeyError(key, self.suggest(key))

    def find(self, key: str) -> int | None:
        """Row of ``key`` (exact, then case-insensitive), or None.

        Sets whose keys are all lower case (GloVe) need no second index: the lower-cased key is
        looked up directly.

        Parameters
        ----------
        key : str

        Returns
        -------
        int or None

        Examples
        --------
        >>> import numpy as np
        >>> emb = Embeddings(["madrid", "paris"], np.eye(2, dtype=np.float32))
        >>> emb.find("PARIS"), emb.find("rome")
        (1, None)
        """
        found = self.key_to_index.get(key)
        if found is None:
            lower = key.lower()
            found = (
                self.key_to_index.get(lower) if self._all_lower else self._lower_index.get(lower)
            )
        return found

    def index(self, key: str) -> int:
        return self.key_to_index[self.resolve(key)]

    def __getitem__(self, key: str) -> np.ndarray:
        return self.vectors[self.index(key)]

    def lookup(self, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """Rows by integer id: what an embedding layer does with a one-hot input.

        Parameters
        ----------
        ids : sequence of int

        Returns
        -------
        ndarray of shape (len(ids), dim)
            A copy; equal to ``one_hot(ids) @ vectors``.

        Raises
        ------
        ParameterError
            An id outside ``[0, len(self))``.

        Examples
        --------
        >>> import numpy as np
        >>> Embeddings(["a", "b"], np.array([[1, 2], [3, 4]], np.float32)).lookup([1]).tolist()
        [[3.0, 4.0]]
        """
        ids = self._check_ids(ids)
        return np.array(self.vectors[ids])

    def one_hot(self, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """The one-hot matrix whose product with ``vectors`` equals ``lookup(ids)``.

        Parameters
        ----------
        ids : sequence of int

        Returns
        -------
        ndarray of shape (len(ids), len(self)), float32
            One row per id, 1.0 in that id's column.

        Raises
        ------
        ParameterError
            ``ids`` holds a negative id or one not below the number of keys.

        Examples
        --------
        >>> import numpy as np
        >>> emb = Embeddings(["a", "b", "c"], np.eye(3, dtype=np.float32))
        >>> emb.one_hot([2]).tolist()
        [[0.0, 0.0, 1.0]]
        """
        ids = self._check_ids(ids)
        out = np.zeros((len(ids), len(self)), dtype=np.float32)
        out[np.arange(len(ids)), ids] = 1.0
        return out

    def _check_ids(self, ids) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64).ravel()
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            bad = ids[(ids < 0) | (ids >= len(self))][0]
            raise ParameterError(f"id({bad}) must be in [0, {len(self)})")
        return ids

    def suggest(self, key: str, n: int = 5) -> list[str]:
        """Close spellings of ``key``: edit distance ≤ 2 (a swap counts once), nearest first, then
        most frequent (row order).  Only keys with the same first letter are compared, so 400k keys
        stay cheap.

        Parameters
        ----------
        key : str
        n : int, default 5

        Returns
        -------
        list of str

        Examples
        --------
        >>> import numpy as np
        >>> Embeddings(["frog", "from", "dog"], np.eye(3, dtype=np.float32)).suggest("frgo")
        ['frog', 'from']
        """
        low = key.lower()
        if not low:
            return []
        scored = []
        for cand in self._by_initial.get(low[0], []):
            if abs(len(cand) - len(low)) <= 2:
                d = edit_distance(low, cand)
                if d <= 2:
                    scored.append((d, self.find(cand), cand))
        return [self.keys[i] for _, i, _ in sorted(scored)[:n]]

    # -- derived views (cached; never mutate the shared matrix) ---------------------------------
    @cached_property
    def norms(self) -> np.ndarray:
        """Row lengths (computed in float64 chunks, so huge finite values give inf, not
        warnings)."""
        out = np.empty(len(self.keys), dtype=np.float32)
        with np.errstate(over="ignore", invalid="ignore"):
            for start in range(0, len(out), 65536):
                part = np.asarray(self.vectors[start : start + 65536], dtype=np.float64)
                out[start : start + 65536] = np.sqrt(np.einsum("ij,ij->i", part, part))
        return out

    @cached_property
    def nonzero_rows(self) -> np.ndarray | None:
        """Row ids with a non-zero length, or None when every row has one (the usual case).
        Cosine similarity is undefined for a zero vector, so cosine search leaves such rows out."""
        ok = self.norms > 0
        return None if ok.all() else np.flatnonzero(ok)

    @cached_property
    def unit(self) -> np.ndarray:
        """Row-normalised copy (zero rows stay zero); read-only."""
        norms = self.norms.copy()
        norms[norms == 0] = 1.0
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            out = np.asarray(self.vectors, dtype=np.float32) / norms[:, None]
        out.flags.writeable = False
        _release_pages(self.vectors)
        return out

    @cached_property
    def _all_lower(self) -> bool:
        return all(k == k.lower() for k in self.keys)

    @cached_property
    def _lower_index(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for i, k in enumerate(self.keys):
            out.setdefault(k.lower(), i)
        return out

    @cached_property
    def _by_initial(self) -> dict[str, list[str]]:
        pool: dict[str, list[str]] = {}
        for k in self.keys if self._all_lower else self._lower_index:
            if k:
                pool.setdefault(k[0], []).append(k)
        return pool

    # -- reshaping ------------------------------------------------------------------------------
    def subset(self, keys_or_ids: Sequence[str] | Sequence[int] | np.ndarray) -> Embeddings:
        """A new Embeddings with the given rows, in the given order (metadata follows).

        Parameters
        ----------
        keys_or_ids : sequence of str or of int

        Returns
        -------
        Embeddings

        Raises
        ------
        UnknownKeyError
            A key is not stored.
        ParameterError
            An id is out of range.

        Examples
        --------
        >>> import numpy as np
        >>> Embeddings(["a", "b", "c"], np.eye(3, dtype=np.float32)).subset(["c", "a"]).keys
        ['c', 'a']
        """
        items = list(keys_or_ids)
        if items and isinstance(items[0], str):
            ids = np.array([self.index(k) for k in items], dtype=np.int64)
        else:
            ids = self._check_ids(items)
        meta = None if self.metadata is None else self.metadata.iloc[ids].reset_index(drop=True)
        return Embeddings(
            [self.keys[i] for i in ids],
            np.array(self.vectors[ids]),
            meta,
            self.provenance,
            self.notes,
        )

    def head(self, n: int) -> Embeddings:
        """The first ``n`` rows (loaders keep files in frequency order): a view, no copy.

        Parameters
        ----------
        n : int

        Returns
        -------
        Embeddings

        Raises
        ------
        ParameterError
            ``n`` ≤ 0.

        Examples
        --------
        >>> import numpy as np
        >>> len(Embeddings(["a", "b", "c"], np.eye(3, dtype=np.float32)).head(2))
        2
        """
        if n <= 0:
            raise ParameterError(f"n({n}) must be > 0")
        n = min(n, len(self))
        meta = None if self.metadata is None else self.metadata.iloc[:n]
        return Embeddings(self.keys[:n], self.vectors[:n], meta, self.provenance, self.notes)

    def with_metadata(self, metadata: pd.DataFrame) -> Embeddings:
        """The same keys and vectors with ``metadata`` (one row per key, same order).

        Parameters
        ----------
        metadata : DataFrame

        Returns
        -------
        Embeddings
        """
        return Embeddings(self.keys, self.vectors, metadata, self.provenance, self.notes)

    def with_provenance(self, provenance: Provenance) -> Embeddings:
        """The same keys, vectors and metadata with another provenance (e.g. a stored upload's
        source named by its file, not the server's path).

        Parameters
        ----------
        provenance : Provenance

        Returns
        -------
        Embeddings
            A new instance sharing this one's matrix and derived views (norms, unit rows).

        Examples
        --------
        >>> import numpy as np
        >>> emb = Embeddings(["a", "b"], np.eye(2, dtype=np.float32))
        >>> emb.with_provenance(Provenance("my.vec")).provenance.source, emb.provenance.source
        ('my.vec', 'in-memory')
        """
        return self._replaced(_provenance=provenance)

    def with_notes(self, *notes: str) -> Embeddings:
        """The same set with ``notes`` added after its own.

        Parameters
        ----------
        *notes : str

        Returns
        -------
        Embeddings
            A new instance sharing this one's matrix and derived views (norms, unit rows).

        Examples
        --------
        >>> import numpy as np
        >>> emb = Embeddings(["a", "b"], np.eye(2, dtype=np.float32), notes=["one"])
        >>> emb.with_notes("two").notes, emb.notes
        (('one', 'two'), ('one',))
        """
        return self._replaced(_notes=self._notes + tuple(str(n) for n in notes))

    def _replaced(self, **fields) -> Embeddings:
        """A shallow copy with ``fields`` set: keys, matrix, metadata and every cached view
        (computed from those, which do not change) are shared."""
        out = copy.copy(self)
        out.__dict__.update(fields)
        return out


def edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance: insert, delete, substitute, swap neighbours."""
    prev2, prev = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def _release_pages(array: np.ndarray) -> None:
    """After a read-only memory-mapped matrix was read through once, let the kernel drop its pages
    from this process (they are re-read from the file when needed): a served app then holds one
    copy of the vectors, the normalised one, instead of two."""
    import mmap

    base = array
    while base is not None and not isinstance(base, np.memmap):
        base = base.base if isinstance(base, np.ndarray) else None
    handle = getattr(base, "_mmap", None)
    if (
        base is not None
        and base.mode == "r"
        and isinstance(handle, mmap.mmap)
        and hasattr(mmap, "MADV_DONTNEED")
    ):
        handle.madvise(mmap.MADV_DONTNEED)
