"""The ``embedlab`` parser, dispatch and error handling.

Every command prints a human table by default and the same data as JSON with ``--json``.  A user
mistake prints one line to stderr and exits 2; nobody sees a traceback for one.
"""

from __future__ import annotations

import argparse
import sys

from ..errors import EmbedlabError
from . import dashboard, quality, recs, sample_data, sets, sweep, vectors

DESCRIPTION = "The ``embedlab`` command: a third face of the same core the dashboard uses."


def build_parser() -> argparse.ArgumentParser:
    """The whole ``embedlab`` parser; each command sets ``run`` (a function of the parsed args)."""
    parser = argparse.ArgumentParser(prog="embedlab", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    vectors.register(sub)
    dashboard.register(sub)
    evaluate = sub.add_parser("evaluate", help="benchmark quality (analogies, similarity, recs)")
    kinds = evaluate.add_subparsers(dest="kind", required=True, metavar="KIND")
    quality.register_evaluate(kinds)
    recs.register_evaluate(kinds)
    quality.register(sub)
    recs.register(sub)
    sweep.register(sub)
    sample_data.register(sub)
    sets.register(sub)  # after recs: adds --save to train
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``embedlab`` with ``argv`` (default: ``sys.argv[1:]``) and return the exit code.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program name.

    Returns
    -------
    int
        0 on success, 2 after a user mistake (an ``EmbedlabError``, printed as one line on
        stderr), 130 when interrupted.

    Examples
    --------
    >>> main(["neighbours", "frog", "--topn", "3", "--json"])  # doctest: +SKIP
    0
    """
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
