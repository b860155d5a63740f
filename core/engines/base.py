"""The engine seam: what every engine does (``Engine``), what it reads (``LogSpec``) and what its
training returns (``Trained``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..embeddings import Embeddings, Provenance
from ..logs import LogReport
from ..logs.options import LOG_OPTIONS, LogOptions, MetadataOptions
from ..progress import Progress


@dataclass(frozen=True)
class LogSpec(LogOptions):
    """One log to read: its path, the reading and cleaning options (``LogOptions``, keywords) and
    the item metadata to join (``metadata_options``: how it is read and mapped).

    Examples
    --------
    >>> LogSpec("log.csv", min_item_count=5).log_kwargs()["min_item_count"]
    5
    """

    path: str
    metadata: str | None = None
    metadata_options: MetadataOptions = field(default_factory=MetadataOptions)
    metadata_cols: tuple[str, ...] = ()

    def log_kwargs(self) -> dict:
        """The reading and cleaning options (no path, no metadata)."""
        return {name: getattr(self, name) for name in LOG_OPTIONS}

    def metadata_kwargs(self) -> dict:
        """How the metadata file is read and mapped, as ``metadata_<field>`` keywords."""
        opts = self.metadata_options
        return {f"metadata_{k}": v for k, v in opts.to_dict().items()}


@dataclass(frozen=True)
class Trained:
    """What an engine's ``train`` returns: the summary every report shows, plus the engine's own
    result (``payload``) that only its ``write`` reads."""

    method: str
    params: dict
    seed: int
    seconds: float
    items: int
    dim: int
    users: int
    provenance: Provenance
    data: dict = field(default_factory=dict)
    payload: Any = None

    def summary(self) -> dict:
        return {
            "method": self.method,
            "params": self.params,
            "seed": self.seed,
            "seconds": round(self.seconds, 3),
            "items": self.items,
            "dim": self.dim,
            "users": self.users,
            "data": self.data,
        }


class Engine(Protocol):
    """read → validate → sessions (``prepare``) → ``train`` → ``write``, plus the pieces around.

    ``prepare`` returns the engine's own prepared log (``Interactions`` locally, a ``SparkLog`` of
    events on Spark); ``log_report`` gives its ``LogReport`` and ``interactions`` brings it to this
    machine as ``Interactions`` (for evaluation).
    """

    name: str

    def check_method(self, method: str) -> None: ...  # fail before starting anything

    def start(self) -> dict: ...  # timings of starting the engine ({} when nothing starts)

    def errors(self): ...  # a context manager turning engine failures into EmbedlabErrors

    def info(self) -> dict: ...  # extra report fields (engine name, master, versions)

    def prepare(self, spec: LogSpec) -> Any: ...

    def log_report(self, prepared) -> LogReport: ...

    def interactions(
        self, prepared
    ) -> Any: ...  # the prepared log as core.logs.Interactions, on this machine

    def train(
        self, prepared, method: str, seed: int, params: dict, progress: Progress
    ) -> Trained: ...

    def write(self, trained: Trained, prepared, out) -> list[str]: ...

    def items(self, trained: Trained) -> Embeddings: ...  # the item vectors, on this machine

    def users(self, trained: Trained) -> Embeddings | None: ...  # the user vectors (MF), or None

    def trainer(
        self,
    ) -> Callable: ...  # train(inter, method, seed=, progress=, **params) for evaluate_recs

    def evaluate(
        self,
        prepared,
        method: str,
        seed: int,
        params: dict,
        k: int = 10,
        progress: Progress | None = None,
        protocol: str = "auto",
    ) -> dict: ...
