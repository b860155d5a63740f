"""The ``embedlab`` command: a third face of the same core the dashboard uses.

Every command prints a human table by default and the same data as JSON with ``--json``.  A user
mistake prints one line to stderr and exits 2; nobody sees a traceback for one.
"""

from __future__ import annotations

import argparse
import json
import sys

from .errors import EmbedlabError
from .jsonify import to_json_value

DEFAULT_VECTORS = "glove-6b-50d"


def _vector_options() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--vectors", default=DEFAULT_VECTORS,
                   help="built-in name (glove-6b-50d), a vector file, or a folder from 'embedlab train'")
    p.add_argument("--format", default=None, help="force the input format (default: detect)")
    p.add_argument("--limit", type=int, default=None, help="keep only the first N keys (most frequent)")
    p.add_argument("--encoding", default="utf-8", help="text encoding of the vector file (e.g. latin-1)")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON on stdout")
    return p


def _json_option() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--json", action="store_true", help="print machine-readable JSON on stdout")
    return p


def build_parser() -> argparse.ArgumentParser:
    from . import commands
    parser = argparse.ArgumentParser(prog="embedlab", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    vec, js = _vector_options(), _json_option()
    for register in commands.REGISTRY:
        register(sub, vec, js)
    return parser


def load_vectors(args):
    from . import io
    return io.load(args.vectors, format=args.format, limit=args.limit, encoding=args.encoding)


def emit(args, data: dict, human) -> None:
    """Print ``data`` as JSON with --json, else through ``human(data)`` (a list of lines)."""
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False, default=to_json_value))
    else:
        print("\n".join(human(data)))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args, extra = parser.parse_known_args(argv)
    if args.command == "dashboard":  # everything after the word goes to streamlit, in order
        args.streamlit_args = argv[argv.index("dashboard") + 1:]
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return int(args.run(args) or 0)
    except EmbedlabError as exc:
        print(f"embedlab: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
