"""The local engine: pandas reads and cleans the log, the trainers of ``core.train`` learn."""

from __future__ import annotations

import contextlib
from pathlib import Path

from ..embeddings import Embeddings
from ..logs import Interactions, LogReport
from .base import LogSpec, Progress, Trained


class LocalEngine:
    """Every method, in this process.  See :class:`core.engines.base.Engine`.

    Examples
    --------
    >>> from embedlab.core.engines import LogSpec, get_engine
    >>> engine = get_engine("local")
    >>> inter = engine.prepare(LogSpec("sample_data/interactions.csv"))
    >>> inter.n_items
    1000
    """

    name = "local"

    def check_method(self, method: str) -> None:
        """Nothing to check early: ``train`` names the methods when one is unknown."""

    def start(self) -> dict:
        return {}

    def errors(self):
        return contextlib.nullcontext()

    def info(self) -> dict:
        return {}

    def prepare(self, spec: LogSpec) -> Interactions:
        """Read, validate, sessionise and filter the log; join the metadata file when given."""
        from ..logs import prepare

        return prepare(
            spec.path,
            metadata=spec.metadata,
            metadata_cols=spec.metadata_cols,
            **spec.metadata_kwargs(),
            **spec.log_kwargs(),
        )

    def interactions(self, prepared: Interactions) -> Interactions:
        return prepared

    def log_report(self, prepared: Interactions) -> LogReport:
        return prepared.report

    def trainer(self):
        from ..train import train

        return train

    def train(
        self, prepared: Interactions, method: str, seed: int, params: dict, progress: Progress
    ) -> Trained:
        result = self.trainer()(prepared, method, seed=seed, progress=progress, **params)
        return Trained(
            result.method,
            result.params,
            result.seed,
            result.seconds,
            len(result.items),
            result.items.dim,
            0 if result.users is None else len(result.users),
            result.items.provenance,
            result.data,
            payload=result,
        )

    def write(self, trained: Trained, prepared: Interactions, out) -> list[str]:
        """``items.parquet`` (vectors + metadata), ``items.txt`` (word2vec text), ``users.parquet``
        (MF), ``history.parquet`` (each user's events: what ``embedlab recommend`` serves from)."""
        from .. import io
        from ..logs.history import HISTORY_FILE, write_history

        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        result = trained.payload
        files = io.save(result.items, out / "items.parquet") + io.save(
            result.items, out / "items.txt"
        )
        if result.users is not None:
            files += io.save(result.users, out / "users.parquet")
        files.append(write_history(prepared, out / HISTORY_FILE))
        return [p.name for p in files]

    def items(self, trained: Trained) -> Embeddings:
        """The trained item vectors (with the log's item metadata)."""
        return trained.payload.items

    def users(self, trained: Trained) -> Embeddings | None:
        """The trained user vectors (MF: ALS, SVD), else None."""
        return trained.payload.users

    def evaluate(
        self,
        prepared: Interactions,
        method: str,
        seed: int,
        params: dict,
        k: int = 10,
        progress: Progress | None = None,
        protocol: str = "auto",
    ) -> dict:
        from ..experiments.recs import evaluate_recs

        return evaluate_recs(
            prepared, method, k=k, seed=seed, params=params, progress=progress, protocol=protocol
        )
