"""A workspace on disk: the sets and logs a user keeps, shared by the dashboard and the CLI.

Layout (every file is written to a temporary name beside it, a set folder in ``tmp/``, then
renamed into place, so a reader sees a complete file or none)::

    ROOT/blobs/<hash>/    one set's payload, content-addressed: vectors.npy, keys.json,
                          metadata.parquet (optional)
    ROOT/uploads/<hash>/  one uploaded file, content-addressed, under its (sanitised) name
    ROOT/sets/<id>.json   a record: name, kind, owner, provenance, the payload it names
    ROOT/browsers/<b>.json  the set ids a browser opened by link
    ROOT/browsers/<b>.last  the set a browser used last (opened when a page has no ``ds``)
    ROOT/results/<id>/<r>.json  results kept with the set or log ``<id>`` they describe (scores
                          vs baselines, the protocol, tuning trials and choice, sweep rows and
                          readings); deleted with it
    ROOT/jobs/<j>.json    job records (core.jobstore)
    ROOT/tmp/             half-written files; emptied when a server starts

Records are named by an unguessable id (a link carries it), payloads by their content (two
uploads of the same file are stored once).  Sets are never unpickled: vectors are ``.npy``
loaded with ``allow_pickle=False``, keys JSON, metadata Parquet.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from .embeddings import Embeddings, Provenance
from .errors import EmbedlabError, ParameterError
from .io.atomic import atomic_file, follow_umask
from .jsonify import to_json_value_or_text
from .runnames import distinct_name

DEFAULT_MAX_BYTES = 2 * 1024**3
CLI_OWNER = "cli"
SHARED_LOGS = ("sample",)  # logs every browser shares (no record): results are kept with them too
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
"""What a set id and a browser id look like: 16-64 URL-safe characters (secrets.token_urlsafe)."""


def is_id(text: object) -> bool:
    """Whether ``text`` has the shape of a set or browser id (never a path, never empty).

    Examples
    --------
    >>> is_id(new_browser_id()), is_id("../../etc"), is_id(None)
    (True, False, False)
    """
    return isinstance(text, str) and ID_PATTERN.match(text) is not None


class MissingSetError(EmbedlabError):
    """A set id that the workspace does not hold (deleted, or from another server)."""


class WorkspaceFullError(EmbedlabError):
    """Storing would take the workspace past its size cap."""


@dataclass(frozen=True)
class SetRecord:
    """What the workspace knows about one stored set or log.

    Attributes
    ----------
    id : str
        Unguessable id, used in links (``?ds=<id>``).
    name : str
        The user's name for it (free text: escape before Markdown).
    kind : {"upload", "trained", "log"}
    owner : str
        The browser that made it, or ``"cli"`` for sets saved by ``embedlab train --save``.
    blob : str
        Content hash of the payload folder (a set) or of the uploaded file (a log).
    provenance : dict
    created : str
    bytes : int
    options : dict
        For logs: the validation options, so the log is rebuilt exactly.
    """

    id: str
    name: str
    kind: str
    owner: str
    blob: str
    provenance: dict = field(default_factory=dict)
    created: str = ""
    bytes: int = 0
    options: dict = field(default_factory=dict)


class Workspace:
    """Stored sets and logs under ``root``, with a size cap.

    Parameters
    ----------
    root : str or Path
        Created when missing.
    max_bytes : int, default 2 GiB
        Storing more raises :class:`WorkspaceFullError`.

    Examples
    --------
    >>> emb = Embeddings(["a", "b"], np.eye(2, dtype=np.float32))
    >>> ws = Workspace(tmp_path / "workspace")
    >>> rec = ws.save_set(emb, "my vectors", owner="cli")
    >>> ws.load_set(rec.id).keys == emb.keys
    True
    """

    def __init__(self, root: str | Path, max_bytes: int = DEFAULT_MAX_BYTES):
        self.root = Path(root).expanduser()
        self.max_bytes = int(max_bytes)
        for sub in ("blobs", "uploads", "sets", "browsers", "results", "tmp"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)

    @staticmethod
    def default_root() -> Path:
        """The user's data directory (platformdirs), e.g. ``~/.local/share/embedlab``."""
        from platformdirs import user_data_dir

        return Path(user_data_dir("embedlab", appauthor=False))

    # -- sets -------------------------------------------------------------------------------------
    def save_set(
        self,
        emb: Embeddings,
        name: str,
        owner: str,
        kind: str = "trained",
        users: Embeddings | None = None,
    ) -> SetRecord:
        """Store ``emb`` (payload by content, record by a new id) and return its record.

        ``users``: the user vectors trained with the items (MF), stored as a payload of their own
        that the record names (``options["users"]``); :meth:`load_users` reads them back.

        Raises
        ------
        WorkspaceFullError
            The payload would take the workspace past ``max_bytes``.
        """
        digest = self._save_blob(emb)
        options = {} if users is None else {"users": self._save_blob(users)}
        return self._add_record(name, kind, owner, digest, emb.provenance.to_dict(), options)

    def _save_blob(self, emb: Embeddings) -> str:
        """``emb``'s vectors, keys and metadata in ``blobs/<hash>`` (once per content)."""
        keys = json.dumps(emb.keys, ensure_ascii=False).encode("utf-8")
        vectors = np.ascontiguousarray(emb.vectors, dtype=np.float32)
        meta = None if emb.metadata is None else _parquet_bytes(emb.metadata)
        digest = hashlib.sha256(
            keys + str(vectors.shape).encode() + vectors.tobytes() + (meta or b"")
        ).hexdigest()[:32]
        folder = self.root / "blobs" / digest
        if not folder.exists():
            size = len(keys) + vectors.nbytes + len(meta or b"")
            self._check_room(size)
            tmp = Path(tempfile.mkdtemp(dir=self.root / "tmp"))
            follow_umask(tmp)  # 0700 from mkdtemp otherwise, unlike every other file here
            (tmp / "keys.json").write_bytes(keys)
            np.save(tmp / "vectors.npy", vectors, allow_pickle=False)
            if meta is not None:
                (tmp / "metadata.parquet").write_bytes(meta)
            _replace_folder(tmp, folder)
        return digest

    def load_set(self, set_id: str) -> Embeddings:
        """The stored set ``set_id``, its vectors memory-mapped.

        Raises
        ------
        MissingSetError
            No such set (deleted, or the id comes from another server).
        """
        rec = self.record(set_id)
        if rec.kind == "log":
            raise MissingSetError(
                f"'{rec.name}' is a log, not an embedding set", hint="train on it first"
            )
        prov = {k: v for k, v in rec.provenance.items() if k in Provenance.__dataclass_fields__}
        return self._load_blob(rec, rec.blob, Provenance(**prov) if prov.get("source") else None)

    def load_users(self, set_id: str) -> Embeddings | None:
        """The user vectors stored with set ``set_id`` (``save_set(users=...)``), else None.

        Raises
        ------
        MissingSetError
            No such set, or its user vectors are missing or damaged.
        """
        rec = self.record(set_id)
        digest = rec.options.get("users") if rec.kind != "log" else None
        return None if not digest else self._load_blob(rec, str(digest), None)

    def _load_blob(self, rec: SetRecord, digest: str, provenance) -> Embeddings:
        folder = self.root / "blobs" / Path(digest).name
        try:
            keys = json.loads((folder / "keys.json").read_text(encoding="utf-8"))
            vectors = np.load(folder / "vectors.npy", mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise MissingSetError(
                f"the stored vectors of '{rec.name}' are missing or damaged "
                f"({exc.__class__.__name__})",
                hint="delete it and save it again",
            ) from None
        meta_path = folder / "metadata.parquet"
        metadata = pd.read_parquet(meta_path) if meta_path.exists() else None
        return Embeddings(keys, vectors, metadata, provenance)

    # -- uploads and logs -------------------------------------------------------------------------
    def store_upload(self, data: bytes, filename: str) -> Path:
        """Keep an uploaded file by its content; returns its path (same bytes → same path)."""
        digest = hashlib.sha256(data).hexdigest()[:32]
        folder = self.root / "uploads" / digest
        path = folder / _safe_name(filename)
        if not path.exists():
            self._check_room(len(data))
            folder.mkdir(exist_ok=True)
            _write_atomically(path, data)
        return path

    def save_log(self, name: str, upload: Path, options: dict, owner: str) -> SetRecord:
        """Record a validated log: the stored upload and the options that validate it again."""
        upload = Path(upload)
        if upload.parent.parent != self.root / "uploads":
            raise ParameterError("a log must be stored with store_upload first")
        options = json.loads(
            json.dumps({**options, "file": upload.name})
        )  # as the record stores them
        for (
            rec
        ) in self.records():  # the same file validated the same way again by its owner: one record
            if (
                rec.kind == "log"
                and rec.owner == owner
                and rec.blob == upload.parent.name
                and rec.options == options
            ):
                return rec
        mine = [r.name for r in self.records() if r.owner == owner]
        return self._add_record(
            distinct_name(name, mine),
            "log",
            owner,
            upload.parent.name,
            {"source": upload.name},
            options=options,
        )

    def log_path(self, rec: SetRecord) -> Path:
        """The stored upload a log record was validated from."""
        return self.root / "uploads" / rec.blob / rec.options["file"]

    def upload_ref(self, path: Path) -> str:
        """How a record names another stored upload (e.g. a log's metadata file): ``hash/name``."""
        return f"{Path(path).parent.name}/{Path(path).name}"

    def upload_path(self, ref: str) -> Path:
        digest, _, name = ref.partition("/")
        return self.root / "uploads" / Path(digest).name / Path(name).name

    def discard_uploads(self, paths) -> None:
        """Remove the given stored uploads unless a log record claims them (a session's
        leftovers)."""
        claimed = self._claimed_uploads()
        for path in list(paths):
            folder = Path(path).parent
            if folder.parent == self.root / "uploads" and folder.name not in claimed:
                shutil.rmtree(folder, ignore_errors=True)

    def prune_uploads(self, older_than: float) -> int:
        """Remove unclaimed uploads older than ``older_than`` seconds; returns how many."""
        claimed, now, removed = self._claimed_uploads(), time.time(), 0
        for folder in (self.root / "uploads").iterdir():
            if folder.name not in claimed and now - folder.stat().st_mtime >= older_than:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        return removed

    def _claimed_uploads(self) -> set[str]:
        logs = self.records("log")
        return {r.blob for r in logs} | {
            str(r.options.get("metadata") or "").partition("/")[0] for r in logs
        }

    # -- records ----------------------------------------------------------------------------------
    def record(self, set_id: str) -> SetRecord:
        """The record of ``set_id``; raises :class:`MissingSetError` when there is none."""
        path = self.root / "sets" / f"{set_id}.json"
        if not is_id(set_id) or not path.exists():
            raise MissingSetError(
                f"no stored set has the id '{set_id}'",
                hint="it was deleted, or it was made on another server",
            )
        data = json.loads(path.read_text(encoding="utf-8"))
        return SetRecord(**{k: v for k, v in data.items() if k in SetRecord.__dataclass_fields__})

    def records(self, kind: str | None = None) -> list[SetRecord]:
        """Every record, oldest first (optionally of one kind)."""
        out = []
        for path in (self.root / "sets").glob("*.json"):
            try:
                rec = self.record(path.stem)
            except (EmbedlabError, ValueError, TypeError):
                continue  # a damaged record is skipped, not fatal
            if kind is None or rec.kind == kind:
                out.append(rec)
        return sorted(out, key=lambda r: (r.created, r.id))

    def visible(self, browser: str, local: bool) -> list[SetRecord]:
        """Records a browser may see: those it made, those it opened by link, and (for the owner,
        i.e. a browser on the server's own machine) those saved from the CLI."""
        opened = set(self.opened(browser))
        return [
            r
            for r in self.records()
            if r.owner == browser or r.id in opened or (local and r.owner == CLI_OWNER)
        ]

    def opened(self, browser: str) -> list[str]:
        path = self._browser_file(browser)
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []

    def remember_opened(self, browser: str, set_id: str) -> None:
        """Note that ``browser`` opened ``set_id`` by link, so it keeps seeing it."""
        ids = self.opened(browser)
        if set_id not in ids:
            _write_atomically(self._browser_file(browser), json.dumps(ids + [set_id]).encode())

    def forget(self, browser: str, set_id: str) -> None:
        """Stop listing a set ``browser`` opened by link (the set itself stays)."""
        ids = [i for i in self.opened(browser) if i != set_id]
        _write_atomically(self._browser_file(browser), json.dumps(ids).encode())

    def last_used(self, browser: str) -> str | None:
        """The set ``browser`` used last (see :meth:`remember_used`), or None."""
        path = self._browser_file(browser).with_suffix(".last")
        text = path.read_text(encoding="utf-8").strip() if path.exists() else ""
        return text or None

    def remember_used(self, browser: str, choice: str) -> None:
        """Note the set ``browser`` uses now (a stored set's id, or a shared set's name such as
        ``glove-6b-50d``), so a page it opens without a set opens this one."""
        if len(choice) > 200 or not choice.isprintable():
            raise ParameterError("a set choice is a short line of text")
        if self.last_used(browser) != choice:
            _write_atomically(self._browser_file(browser).with_suffix(".last"), choice.encode())

    # -- results ----------------------------------------------------------------------------------
    def save_result(self, of: str, kind: str, data: dict, owner: str, name: str = "") -> str:
        """Keep a result with the set or log it describes (``of``: its id, or ``sample`` for the
        committed sample log); returns the result's id.  Deleting ``of`` deletes its results.

        Parameters
        ----------
        of : str
        kind : str
            What the result is (``scores``, ``sweep``…).
        data : dict
            The result, JSON-ready (numpy values are converted).
        owner : str
            The browser (or ``cli``) that made it.
        name : str, optional

        Raises
        ------
        ParameterError
            ``of`` is neither an id nor ``sample``.
        """
        rid = secrets.token_hex(8)
        record = {
            "id": rid,
            "of": of,
            "kind": kind,
            "owner": owner,
            "name": name,
            "created": datetime.now(UTC).isoformat(timespec="microseconds"),
            "data": data,
        }
        body = json.dumps(record, ensure_ascii=False, default=to_json_value_or_text).encode()
        self._check_room(len(body))
        folder = self._results_folder(of)
        folder.mkdir(exist_ok=True)
        _write_atomically(folder / f"{rid}.json", body)
        return rid

    def results(self, of: str, kind: str | None = None, owner: str | None = None) -> list[dict]:
        """The results kept with ``of``, oldest first (optionally one kind's, one owner's);
        damaged files are skipped."""
        out = []
        for path in self._results_folder(of).glob("*.json"):
            try:
                rec = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if (kind is None or rec.get("kind") == kind) and (
                owner is None or rec.get("owner") == owner
            ):
                out.append(rec)
        return sorted(out, key=lambda r: (r.get("created", ""), r["id"]))

    def _results_folder(self, of: str) -> Path:
        if not (is_id(of) or of in SHARED_LOGS):
            raise ParameterError(f"results are kept with a set or a log, not with '{of}'")
        return self.root / "results" / of

    def rename(self, set_id: str, name: str) -> SetRecord:
        rec = self.record(set_id)
        if not name.strip():
            raise ParameterError("a name cannot be empty")
        new = SetRecord(**{**asdict(rec), "name": name.strip()})
        self._write_record(new)
        return new

    def delete(self, set_id: str) -> None:
        """Remove a record; its payload goes too when no other record names it."""
        rec = self.record(set_id)
        (self.root / "sets" / f"{set_id}.json").unlink()
        shutil.rmtree(self.root / "results" / set_id, ignore_errors=True)
        named = {b for r in self.records() for b in _payloads(r.kind, r.blob, r.options)}
        for blob in set(_payloads(rec.kind, rec.blob, rec.options)) - named:
            for area in ("blobs", "uploads"):
                shutil.rmtree(self.root / area / Path(blob).name, ignore_errors=True)

    def find(self, name_or_id: str) -> SetRecord:
        """A record by id, or by name when exactly one record has it."""
        try:
            return self.record(name_or_id)
        except MissingSetError:
            named = [r for r in self.records() if r.name == name_or_id]
        if len(named) == 1:
            return named[0]
        raise MissingSetError(
            f"no stored set is named or has the id '{name_or_id}'"
            if not named
            else f"{len(named)} stored sets are named '{name_or_id}'",
            hint="use the id from `embedlab sets list`",
        )

    # -- size -------------------------------------------------------------------------------------
    def used_bytes(self) -> int:
        return sum(
            p.stat().st_size
            for area in ("blobs", "uploads")
            for p in (self.root / area).rglob("*")
            if p.is_file()
        )

    def clean_tmp(self, older_than: float = 0.0) -> int:
        """Remove half-written files older than ``older_than`` seconds; returns how many."""
        removed, now = 0, time.time()
        for p in (self.root / "tmp").iterdir():
            if now - p.stat().st_mtime >= older_than:
                shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
                removed += 1
        return removed

    def _check_room(self, size: int) -> None:
        used = self.used_bytes()
        if used + size > self.max_bytes:
            raise WorkspaceFullError(
                f"storing {human_size(size)} would take the workspace past its cap "
                f"({human_size(used)} of {human_size(self.max_bytes)} used)",
                hint="delete sets on the Data page or with `embedlab sets rm`",
            )

    def _add_record(self, name, kind, owner, blob, provenance, options=None) -> SetRecord:
        area = "uploads" if kind == "log" else "blobs"
        size = sum(
            p.stat().st_size
            for b in _payloads(kind, blob, options or {})
            for p in (self.root / area / b).rglob("*")
            if p.is_file()
        )
        rec = SetRecord(
            id=secrets.token_urlsafe(16),
            name=str(name),
            kind=kind,
            owner=owner,
            blob=blob,
            provenance=json.loads(json.dumps(provenance, default=str)),
            created=datetime.now(UTC).isoformat(timespec="microseconds"),
            bytes=size,
            options=dict(options or {}),
        )
        self._write_record(rec)
        return rec

    def _write_record(self, rec: SetRecord) -> None:
        data = json.dumps(asdict(rec), ensure_ascii=False, indent=1).encode("utf-8")
        _write_atomically(self.root / "sets" / f"{rec.id}.json", data)

    def _browser_file(self, browser: str) -> Path:
        if not is_id(browser):
            raise ParameterError("a browser id must be 16-64 URL-safe characters")
        return self.root / "browsers" / f"{browser}.json"


def _payloads(kind: str, blob: str, options: dict) -> list[str]:
    """The payloads a record names: its own, and a trained set's user vectors."""
    users = options.get("users") if kind != "log" else None
    return [blob] + ([str(users)] if users else [])


def human_size(n: int) -> str:
    """``1234567`` → ``"1.2 MB"``."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def new_browser_id() -> str:
    """An unguessable id for a browser (kept in a cookie by the dashboard)."""
    return secrets.token_urlsafe(16)


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    import io

    buf = io.BytesIO()
    frame.reset_index(drop=True).to_parquet(buf, index=False)
    return buf.getvalue()


def _safe_name(filename: str) -> str:
    """A file name without folders or odd characters, keeping the extensions that tell the
    format."""
    name = Path(str(filename).replace("\\", "/")).name
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).lstrip(".") or "upload"
    return name[-120:]


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` through core.io.atomic: a temporary name beside ``path``, then one rename."""
    with atomic_file(path) as tmp:
        tmp.write_bytes(data)


def _replace_folder(tmp: Path, folder: Path) -> None:
    """Move a complete folder into place; if another writer got there first (same content), keep
    theirs."""
    try:
        os.rename(tmp, folder)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not folder.exists():
            raise
