"""Which keys each output format can hold exactly; a key it cannot hold is refused, not altered.

A key must come back from the file byte for byte.  word2vec text separates fields with spaces and
rows with newlines; word2vec binary ends a key at its first space; the projector's metadata.tsv
separates cells with tabs and rows with line breaks.  Parquet holds any text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..errors import OutputError
from .text import is_number

SAFE_FORMAT_HINT = "write Parquet (.parquet), which holds any key exactly"


def word2vec_text_problem(key: str) -> str | None:
    """The reader takes everything before the last ``dim`` numbers as the key, unless the extra
    words are all numbers (then the row is ragged), so such keys cannot be told from values."""
    if "\n" in key:
        return "contains a line break"
    if key.endswith(" "):
        return "ends with a space"
    words = key.split(" ")
    if len(words) > 1 and all(is_number(w) for w in words[1:]):
        return "has only numbers after its first space, so it reads back as vector values"
    return None


def word2vec_binary_problem(key: str) -> str | None:
    if " " in key or "\n" in key:
        return "contains a space or a line break, which end a key in word2vec binary"
    if key.startswith("\r"):
        return "starts with a carriage return, which the reader skips"
    return None


def projector_problem(key: str) -> str | None:
    if any(c in key for c in "\t\n\r"):
        return "contains a tab or a line break, which separate cells and rows in metadata.tsv"
    if not key.strip():
        return "is empty or only spaces, which metadata.tsv cannot tell from a blank row"
    return None


PROBLEMS: dict[str, Callable[[str], str | None]] = {
    "word2vec": word2vec_text_problem,
    "word2vec-binary": word2vec_binary_problem,
    "projector": projector_problem,
}


def check_keys(keys: Iterable[str], fmt: str, what: str = "key") -> None:
    """Raise OutputError for the first key ``fmt`` cannot hold exactly (or that is not UTF-8).

    Parameters
    ----------
    keys : iterable of str
    fmt : {"word2vec", "word2vec-binary", "projector", "parquet"}
    what : str, default "key"
        The word used in the message.

    Raises
    ------
    OutputError
        Names the key (quoted, cut at 40 characters), its row, why, and the format that can hold it.

    Examples
    --------
    >>> check_keys(["new york"], "word2vec-binary")
    Traceback (most recent call last):
    embedlab.core.errors.OutputError: key 'new york' (row 1) contains a space or a line break, ...
    """
    problem = PROBLEMS.get(fmt)
    for row, key in enumerate(keys, 1):
        try:
            key.encode("utf-8")
        except UnicodeEncodeError:
            raise OutputError(
                f"{what} {key[:40]!r} (row {row}) is not valid Unicode text",
                hint="fix the key at its source",
            ) from None
        reason = problem(key) if problem else None
        if reason:
            raise OutputError(
                f"{what} {key[:40]!r} (row {row}) {reason}; the {fmt} format cannot hold it",
                hint=SAFE_FORMAT_HINT,
            )
