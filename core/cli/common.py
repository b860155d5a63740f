"""What the command families share: output (``emit``), vector loading, log/engine options.

Nothing here imports a command module, so every command module can import this one.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..jsonify import to_json_value
from ..visible import visible, visible_json

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
        help="replace an existing output file; in an output folder, replace only what embedlab "
        "wrote there (your other files are kept); inputs are never touched",
    )


def load_vectors(args):
    """The ``Embeddings`` named by ``--vectors`` (with ``--format``, ``--limit``,
    ``--encoding``)."""
    from .. import io

    emb = io.load(args.vectors, format=args.format, limit=args.limit, encoding=args.encoding)
    args.notes = list(emb.notes)  # what the loader had to do (duplicates dropped...): on success
    return emb


def shown(value) -> str:
    """User text (a key, a title, any metadata value) as the terminal will show it.

    Every command prints keys and titles through this one function, so how such text is made
    safe for a terminal is decided in one place: control characters, bidi overrides and line
    separators spelled out (:func:`core.visible.visible`), so a title can neither split a line
    nor reach the terminal as an escape.

    Examples
    --------
    >>> shown("Star Wars (1977)")
    'Star Wars (1977)'
    >>> shown("a\x1b[2Jb") != "a\x1b[2Jb"
    True
    """
    from ..visible import visible

    return visible(str(value))


def emit(args, data: dict, human) -> None:
    r"""Print ``data`` as JSON with --json, else through ``human(data)`` (a list of lines).

    The one way out to the terminal: control characters of user text are spelled out
    (``core.visible``: ``\x1b``, ``\u202e``), in JSON as ``\uXXXX`` escapes (still JSON).
    A line's own ``\n`` stays a line break; user text inside lines is escaped where it is put
    in (e.g. titles in ``_neighbour_lines``), so no user text splits a line either."""
    if getattr(args, "json", False):
        print(visible_json(json.dumps(data, ensure_ascii=False, default=to_json_value)))
    else:
        print(visible("\n".join(human(data)), keep_newlines=True))
    if "notes" not in data:  # never silent, never on stdout (it may be JSON), never before an error
        for note in getattr(args, "notes", []):
            print(f"embedlab: note: {visible(note)}", file=sys.stderr)


def stderr_progress(enabled: bool):
    """A one-line progress bar on stderr with the time left (only on a terminal, never in --json
    output); the first message of a training run is its estimate."""
    import time

    start = time.perf_counter()

    def show(fraction: float, message: str) -> None:
        if enabled:
            bar = "#" * int(fraction * 30)
            print(
                f"\r[{bar:<30}] {fraction:4.0%} {visible(message)[:44]:<44} "
                f"{_left(start, fraction):>9}",
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


FLAGS = {
    "format": "--format",
    "encoding": "--encoding",
    "separator": "--sep",
    "header": "--header",
    "columns": "--columns",
    "max_ragged": "--max-ragged",
    "user_col": "--user-col",
    "item_col": "--item-col",
    "time_col": "--time-col",
    "weight_col": "--weight-col",
    "session_col": "--session-col",
    "session_gap": "--session-gap",
    "min_item_count": "--min-count",
    "min_user_count": "--min-user-count",
    "min_weight": "--min-rating",
    "metadata": "--metadata",
    "metadata_cols": "--metadata-cols",
    "metadata_item_col": "--metadata-item-col",
    "metadata_title_col": "--metadata-title-col",
    "metadata_label_col": "--metadata-label-col",
    "metadata_columns": "--metadata-columns",
    "metadata_encoding": "--metadata-encoding",
    "metadata_separator": "--metadata-sep",
    "metadata_header": "--metadata-header",
    "metadata_flags": "--no-metadata-flags",
    "metadata_flag_names": "--metadata-flag-names",
}
"""The CLI flag of each reading option an error can name (``EmbedlabError.options``)."""


def flags_of(exc) -> str:
    """The flags that change what ``exc`` is about, as a suffix of its one line ("" if none).

    Examples
    --------
    >>> from embedlab.core.errors import DataError
    >>> flags_of(DataError("too wide", options=("separator", "max_ragged")))
    ' (see --sep, --max-ragged)'
    """
    flags = [FLAGS[o] for o in getattr(exc, "options", ()) if o in FLAGS]
    return f" (see {', '.join(flags)})" if flags else ""


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
    _reading_options(p, "", default)
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


def _reading_options(p, prefix: str, default) -> None:
    """How delimited text is read: --encoding, --sep, --header, --columns (with ``prefix``
    "metadata-" for the metadata file), and for the log --max-ragged."""
    from ..logs.dialect import HEADERS

    what = "the metadata file" if prefix else "the log"
    dest = prefix.replace("-", "_")
    p.add_argument(
        f"--{prefix}encoding",
        dest=f"{dest}encoding",
        default=default.encoding,
        metavar="ENC",
        help=f"text encoding of {what} (default auto: UTF-8, else cp1252, else latin-1; "
        "or a codec such as latin-1)",
    )
    p.add_argument(
        f"--{prefix}sep",
        dest=f"{dest}separator",
        default=default.separator,
        metavar="SEP",
        help=f"separator of {what} (default auto: sniffed among :: tab , ; |); any character, "
        "'::', or tab, comma, semicolon, pipe, space",
    )
    p.add_argument(
        f"--{prefix}header",
        dest=f"{dest}header",
        default=default.header,
        choices=HEADERS,
        help=f"whether the first row of {what} names its columns (default auto: tested against "
        "the rows below)",
    )
    p.add_argument(
        f"--{prefix}columns",
        dest=f"{dest}columns",
        default="",
        metavar="NAME[,NAME]",
        help=f"names for the first columns of {what}, in order (a file without a header), "
        + ("e.g. id,title,released" if prefix else "e.g. user,item,rating,time"),
    )
    if not prefix:
        p.add_argument(
            "--max-ragged",
            type=float,
            default=default.max_ragged,
            metavar="SHARE",
            help="share of rows with more fields than the columns that may be skipped (counted) "
            f"before the log is refused (default {default.max_ragged:g})",
        )


def _metadata_and_training_options(p) -> None:
    """The item metadata to join (and how to read and map it), the seed and the trainer
    parameters."""
    from ..logs.options import MetadataOptions

    p.add_argument(
        "--metadata", default=None, help="item metadata file (titles, genres), joined on item id"
    )
    p.add_argument("--metadata-item-col", default=None, help="its item-id column (guessed)")
    p.add_argument(
        "--metadata-title-col", default=None, help='its title column (guessed; "" for none)'
    )
    p.add_argument(
        "--metadata-label-col",
        default=None,
        help='its label column, e.g. genres (guessed; "" for none)',
    )
    _reading_options(p, "metadata-", MetadataOptions())
    p.add_argument(
        "--no-metadata-flags",
        dest="metadata_flags",
        action="store_false",
        help="keep 0/1 columns as they are (default: a run of three or more, one-hot genres, "
        "is read as one label Comedy|Drama)",
    )
    p.add_argument(
        "--metadata-flag-names",
        type=flag_names_arg,
        default=None,
        metavar="NAMES|@FILE",
        help="names for those 0/1 columns in file order (a file without a header calls them "
        "column6 ...): Action,Comedy,... or @FILE with one name at the start of each line "
        "(MovieLens' u.genre)",
    )
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
    from ..logs.options import LOG_OPTIONS, METADATA_OPTIONS, metadata_options

    return LogSpec(
        args.log,
        metadata=args.metadata,
        metadata_options=metadata_options(**{n: getattr(args, n) for n in METADATA_OPTIONS}),
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


def flag_names_arg(value: str) -> str:
    """``--metadata-flag-names``: the names as given, or the text of ``@FILE`` (at most 1 MB)."""
    if not value.startswith("@"):
        return value
    path = Path(value[1:])
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_NAMES_FILE + 1)
    except OSError as exc:
        raise argparse.ArgumentTypeError(
            f"cannot read {visible(str(path))}: {exc.strerror}"
        ) from None
    if len(data) > MAX_NAMES_FILE:
        raise argparse.ArgumentTypeError(f"{visible(str(path))} is over 1 MB: not a list of names")
    return data.decode("utf-8", errors="replace") + "\n"


MAX_NAMES_FILE = 1 << 20
