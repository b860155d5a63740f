"""What the command families share: output (``emit``), vector loading, log/engine options.

Nothing here imports a command module, so every command module can import this one.
"""

from __future__ import annotations

import argparse
import json
import sys

from ..jsonify import to_json_value

DEFAULT_VECTORS = "glove-6b-50d"


def vector_options() -> argparse.ArgumentParser:
    """A parent parser with the options of every command that reads one set of vectors."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(
        "--vectors",
        default=DEFAULT_VECTORS,
        help="built-in name (glove-6b-50d), a vector file, or a folder from 'embedlab train'",
    )
    p.add_argument("--format", default=None, help="force the input format (default: detect)")
    p.add_argument(
        "--limit", type=int, default=None, help="keep only the first N keys (most frequent)"
    )
    p.add_argument(
        "--encoding", default="utf-8", help="text encoding of the vector file (e.g. latin-1)"
    )
    p.add_argument("--json", action="store_true", help="print machine-readable JSON on stdout")
    return p


def json_option() -> argparse.ArgumentParser:
    """A parent parser with only ``--json``."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--json", action="store_true", help="print machine-readable JSON on stdout")
    return p


def seed_value(text: str) -> int:
    """An argparse type: a seed every library accepts (numpy, scikit-learn, gensim: 0 to
    2**32 - 1)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seed {text!r} must be a whole number") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"seed({value}) must be between 0 and {2**32 - 1}")
    return value


def workspace_option() -> argparse.ArgumentParser:
    """A parent parser with ``--workspace`` (the dashboard's stored sets and logs)."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(
        "--workspace", help="workspace folder (default: the user's data folder, as the dashboard)"
    )
    return p


def open_workspace(args):
    """The ``core.workspace.Workspace`` that ``--workspace`` names (default: the user's)."""
    from ..workspace import Workspace

    return Workspace(args.workspace or Workspace.default_root())


def force_option(p) -> None:
    """Add ``--force``: replace an existing output (never one of the command's own inputs)."""
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an existing output file or folder (inputs are never overwritten)",
    )


def load_vectors(args):
    """The ``Embeddings`` named by ``--vectors`` (with ``--format``, ``--limit``,
    ``--encoding``)."""
    from .. import io

    emb = io.load(args.vectors, format=args.format, limit=args.limit, encoding=args.encoding)
    args.notes = list(emb.notes)  # what the loader had to do (duplicates dropped...): on success
    return emb


def emit(args, data: dict, human) -> None:
    """Print ``data`` as JSON with --json, else through ``human(data)`` (a list of lines)."""
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False, default=to_json_value))
    else:
        print("\n".join(human(data)))
    if "notes" not in data:  # never silent, never on stdout (it may be JSON), never before an error
        for note in getattr(args, "notes", []):
            print(f"embedlab: note: {note}", file=sys.stderr)


def stderr_progress(enabled: bool):
    """A one-line progress bar on stderr with the time left (only on a terminal, never in --json
    output); the first message of a training run is its estimate."""
    import time

    start = time.perf_counter()

    def show(fraction: float, message: str) -> None:
        if enabled:
            bar = "#" * int(fraction * 30)
            print(
                f"\r[{bar:<30}] {fraction:4.0%} {message[:44]:<44} {_left(start, fraction):>9}",
                end="",
                file=sys.stderr,
                flush=True,
            )
            if fraction >= 1.0:
                print(file=sys.stderr)

    return show


def _left(start: float, fraction: float) -> str:
    """The time left at ``fraction`` done, from the pace since ``start`` ("" too early to say)."""
    import time

    elapsed = time.perf_counter() - start
    if fraction >= 1.0:
        return f"{elapsed:.0f} s"
    if fraction < 0.02 or elapsed < 1:
        return ""
    left = elapsed * (1 - fraction) / fraction
    return f"{left // 60:.0f}:{left % 60:02.0f} left"


def log_options(p) -> None:
    """Add the options that say how to read, clean and sessionise an interaction log: one per
    ``core.logs.options.LogOptions`` field (named after it, with its default), plus the log itself,
    its item metadata, the seed and the trainer parameters."""
    from ..logs.options import LogOptions
    from ..logs.read import LOG_FORMATS

    default = LogOptions()
    p.add_argument(
        "--log", required=True, help="interaction log: CSV/TSV, Parquet, JSON Lines or baskets"
    )
    p.add_argument("--format", dest="format", default=default.format, choices=LOG_FORMATS)
    p.add_argument("--user-col")
    p.add_argument("--item-col")
    p.add_argument("--time-col", help='guessed when omitted; "" for none')
    p.add_argument("--weight-col", help='guessed when omitted (rating, quantity, ...); "" for none')
    p.add_argument(
        "--session-col", help='guessed when omitted; "" for none (sessions split by --session-gap)'
    )
    p.add_argument(
        "--session-gap",
        default=default.session_gap,
        help=f"new session after this gap (default {default.session_gap}; e.g. 2h, 90s)",
    )
    p.add_argument(
        "--min-count",
        dest="min_item_count",
        metavar="N",
        type=int,
        default=default.min_item_count,
        help="drop items with fewer events",
    )
    p.add_argument(
        "--min-user-count",
        metavar="N",
        type=int,
        default=default.min_user_count,
        help="drop users with fewer events",
    )
    p.add_argument(
        "--min-rating",
        dest="min_weight",
        metavar="WEIGHT",
        type=float,
        default=default.min_weight,
        help="keep only events with weight >= this",
    )
    _metadata_and_training_options(p)


def _metadata_and_training_options(p) -> None:
    """The item metadata to join, the seed and the trainer parameters."""
    p.add_argument(
        "--metadata", default=None, help="item metadata file (titles, genres), joined on item id"
    )
    p.add_argument("--metadata-item-col", default=None)
    p.add_argument(
        "--metadata-cols",
        default="",
        metavar="COL[,COL]",
        help="columns of the log itself to keep as item metadata (e.g. Description)",
    )
    p.add_argument("--seed", type=seed_value, default=0)
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="trainer parameter, e.g. --param epochs=10 (repeatable)",
    )


def log_spec(args):
    """The log options as a ``core.engines.LogSpec`` (what every engine's ``prepare`` reads)."""
    from ..engines import LogSpec
    from ..logs.options import LOG_OPTIONS

    return LogSpec(
        args.log,
        metadata=args.metadata,
        metadata_item_col=args.metadata_item_col,
        metadata_cols=tuple(c.strip() for c in args.metadata_cols.split(",") if c.strip()),
        **{name: getattr(args, name) for name in LOG_OPTIONS},
    )


def prepare_from(args):
    """The ``Interactions`` the log options describe, read and cleaned locally."""
    from ..engines.local import LocalEngine

    return LocalEngine().prepare(log_spec(args))


def parse_params(items: list[str]) -> dict:
    """``--param NAME=VALUE`` items as a dict; values are JSON when they parse, else strings.

    Raises
    ------
    ParameterError
        An item without ``=`` or without a name.
    """
    from ..errors import ParameterError

    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ParameterError(f"--param '{item}' must look like NAME=VALUE")
        try:
            out[name] = json.loads(value)
        except ValueError:
            out[name] = value
    return out


def engine_options(p) -> None:
    """Add ``--engine``, ``--master`` and ``--conf`` (where training runs)."""
    from ..engines import ENGINES

    p.add_argument(
        "--engine",
        choices=ENGINES,
        default="local",
        help="spark: read, sessionise and train on Apache Spark (item2vec, als); "
        "needs embedlab[spark]",
    )
    p.add_argument(
        "--master", default="local[2]", help="Spark master: local[N], spark://host:7077, yarn"
    )
    p.add_argument(
        "--conf",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="Spark configuration, e.g. --conf spark.driver.memory=8g (repeatable)",
    )


def engine_from(args):
    """The engine ``--engine``, ``--master`` and ``--conf`` describe (Spark starts on first use)."""
    from ..engines import get_engine
    from ..spark.session import parse_conf

    return get_engine(args.engine, args.master, parse_conf(args.conf))
