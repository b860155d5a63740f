"""The ``embedlab`` parser, dispatch and error handling.

Every command prints a human table by default and the same data as JSON with ``--json``.  A user
mistake prints one line to stderr and exits 2; nobody sees a traceback for one.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings

from ..errors import EmbedlabError
from . import dashboard, quality, recs, sample_data, sets, sweep, vectors
from .common import flags_of

DESCRIPTION = "The ``embedlab`` command: a third face of the same core the dashboard uses."


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr (exit 2) like every other mistake."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The whole ``embedlab`` parser: each command family's module declares its commands and their
    options (``register``) and sets ``run`` (a function of the parsed args); no module changes
    another's."""
    parser = OneLineParser(prog="embedlab", description=DESCRIPTION)
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
    sets.register(sub)
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
        0 on success; 2 after a user mistake (an ``EmbedlabError`` or a usage error, printed as
        one line on stderr) or when memory runs out; 1 after an unexpected exception, which is a
        bug: one line says so (the traceback only with ``EMBEDLAB_DEBUG=1``); 130 when interrupted.

    Examples
    --------
    >>> main(["neighbours", "frog", "--topn", "1"])
    frog:
        1. snake  0.8445
    0
    """
    debug = os.environ.get("EMBEDLAB_DEBUG") == "1"
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args, extra = parser.parse_known_args(argv)
    if args.command == "dashboard":  # everything after the word goes to streamlit, in order
        args.streamlit_args = argv[argv.index("dashboard") + 1 :]
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        with warnings.catch_warnings():
            if (
                not debug
            ):  # library warnings would break the one-line contract; notes carry what matters
                warnings.simplefilter("ignore")
            return int(args.run(args) or 0)
    except EmbedlabError as exc:
        return _fail(f"embedlab: error: {exc}{flags_of(exc)}", 2)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head`: not an error
        sys.stderr.close()
        return 0
    except MemoryError:
        return _fail(
            "embedlab: error: ran out of memory — the input is too large for this machine; "
            "see 'Limits' in the README",
            2,
        )
    except Exception as exc:  # the safety net: anything else is a bug, said in one line
        if debug:
            raise
        text = " ".join(str(exc).split())[:200]
        return _fail(
            f"embedlab: internal error (a bug, please report it): {type(exc).__name__}: {text} — "
            "run again with EMBEDLAB_DEBUG=1 for the traceback",
            1,
        )


def _fail(line: str, code: int) -> int:
    """One line on stderr: line breaks and control characters from file names or keys are shown
    escaped (``\\n``, ``\\x1b``), so they can neither split the line nor drive the terminal."""
    safe = "".join(c if c.isprintable() else repr(c)[1:-1] for c in line)
    print(safe, file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
