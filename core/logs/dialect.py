"""How a delimited text file is laid out: its encoding, separator, header, column names and
decimal mark, decided once per file and said in words (``Dialect.describe``).

- **Encoding**: UTF-8 when every byte is valid UTF-8; else cp1252 (Windows' Western encoding,
  where most non-UTF-8 files come from) when it defines every byte; else latin-1, which reads any
  byte.  The whole file is checked (:mod:`.scan`) before a row is read, so a byte at line 90,000
  cannot change the decision half-way.
- **Separator**: ``::`` (MovieLens-1M), tab, comma, semicolon or pipe, whichever splits the first
  rows into the most columns consistently (4 rows in 5 alike, empty trailing fields aside); else
  space, colon, ``^`` or ``~``; or the one chosen: any character, or several (``::``).
- **Header**: the first row is tested against the rows below it, column by column, as
  ``csv.Sniffer.has_header`` does on our terms: a field that is a number (or a date) above a column
  of numbers (dates) votes "data", one that is not votes "header"; in a column of ids of one
  length, a field of that length votes "data"; a field that is a known column name (``user_id``,
  ``title``...) votes "header", one that repeats a value below votes "data"; repeated fields mean
  data.  More "data" votes: no header, the columns are named ``column1``, ``column2``... (or as
  given).  A tie keeps the first row as the header, as every file read before this rule was.
- **Decimal mark**: a comma when the separator is not one and a column's numbers are written
  ``4,5``.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import asdict, dataclass

from ..compression import read_head  # noqa: F401 - the examples' reader
from ..errors import FormatError, ParameterError
from ..limits import check_encoding
from .scan import MOST_EXTRA, SUBSTITUTE, TextScan, scan

HEAD = 65536
SAMPLE = 200
"""Rows of the file's head that the separator and header are decided on."""
SNIFFED = ("::", "\t", ",", ";", "|")
LAST_RESORT = (" ", ":", "^", "~")
SEPARATOR_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
SEPARATOR_NAMES |= {"space": " ", "colon": ":"}
SEPARATOR_WORDS = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe", " ": "space"}
ENCODINGS = ("auto", "utf-8", "cp1252", "latin-1")
"""The encodings the faces offer ("auto": UTF-8, else cp1252, else latin-1); any codec works."""
HEADERS = ("auto", "yes", "no")
GENERIC = "column{}"
"""The name of an unnamed column (1-based)."""
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Dialect:
    """How one delimited text file is read (see the module docstring).

    Attributes
    ----------
    encoding : str
        The codec the file is decoded with.
    encoding_note, separator_note, header_note : str
        Why: "every byte is valid UTF-8", "sniffed", "its fields are numbers like the rows
        below", "chosen"...
    separator : str
    header : bool
        Whether the first row names the columns (it is then not a row of data).
    names : tuple of str
        The column names used (given, from the header, or ``column1``...).
    given : int
        How many of ``names`` were given (``columns``).
    decimal : {".", ","}
    header_line : int
        0-based line of the first row (after leading blank lines).
    fields : int
        How many fields the parser takes: the columns and room for empty trailing fields.
    """

    encoding: str
    encoding_note: str
    separator: str
    separator_note: str
    header: bool
    header_note: str
    names: tuple[str, ...]
    given: int = 0
    decimal: str = "."
    header_line: int = 0
    fields: int = 0

    @property
    def quoting(self) -> bool:
        """Quotes hide separators (not with a separator of several characters)."""
        return len(self.separator) == 1

    @property
    def parser_separator(self) -> str:
        return SUBSTITUTE if len(self.separator) > 1 else self.separator

    def describe(self) -> str:
        """One line: separator, header, encoding and why.

        Examples
        --------
        >>> Dialect("utf-8", "chosen", "\\t", "sniffed", False, "data", ("a", "b")).describe()
        'tab-separated (sniffed) · no header (data): columns named a, b · utf-8 (chosen)'
        """
        sep = separator_word(self.separator)
        names = ", ".join(
            self.names if len(self.names) <= 8 else (*self.names[:6], "…", self.names[-1])
        )
        head = f"header ({self.header_note})" if self.header else f"no header ({self.header_note})"
        if not self.header or self.given:
            head += f": columns named {names}"
        text = f"{sep}-separated ({self.separator_note}) · {head} · "
        text += f"{self.encoding} ({self.encoding_note})"
        return text + (" · decimal comma" if self.decimal == "," else "")

    def to_dict(self) -> dict:
        out = asdict(self)
        out.pop("fields")
        out["names"] = list(self.names)
        return out


def separator_word(sep: str) -> str:
    """How a separator is named in messages: a word, or the characters quoted (never an escape).

    Examples
    --------
    >>> separator_word("\t"), separator_word("::")
    ('tab', "'::'")
    """
    return SEPARATOR_WORDS.get(sep, f"'{sep}'")


def parse_separator(text: str) -> str:
    """A separator as given: "auto", a name (tab, comma, semicolon, pipe, space, colon, ``\\t``)
    or the characters themselves (one, or several such as ``::``).

    Raises
    ------
    ParameterError
        Empty, or holding a quote or a line break.

    Examples
    --------
    >>> parse_separator("tab"), parse_separator("::"), parse_separator(";")
    ('\\t', '::', ';')
    """
    if text is None or text == "auto":
        return "auto"
    sep = SEPARATOR_NAMES.get(str(text).lower(), str(text))
    if not sep or any(c in sep for c in '"\r\n'):
        raise ParameterError(
            f"separator {text!r} must be characters other than quotes and line breaks",
            hint="e.g. ',', ';', '|', 'tab' or '::'",
            options=("separator",),
        )
    return sep


def parse_header(value) -> str:
    """ "auto", "yes" or "no" (booleans and yes/no words accepted).

    Raises
    ------
    ParameterError
        Anything else.
    """
    text = {True: "yes", False: "no"}.get(value, str(value).lower())
    text = {"true": "yes", "1": "yes", "false": "no", "0": "no", "none": "no"}.get(text, text)
    if text not in HEADERS:
        raise ParameterError(
            f"header '{value}' must be one of {', '.join(HEADERS)}", options=("header",)
        )
    return text


def parse_columns(value) -> tuple[str, ...]:
    """Column names as a tuple: from "a,b,c" or a sequence; blanks stripped.

    Raises
    ------
    ParameterError
        An empty name between others, or a name given twice.

    Examples
    --------
    >>> parse_columns("user, item,rating")
    ('user', 'item', 'rating')
    """
    if value is None or value == "":
        return ()
    names = [str(n).strip() for n in (value.split(",") if isinstance(value, str) else value)]
    while names and not names[-1]:
        names.pop()
    if any(not n for n in names) or len(set(names)) < len(names):
        raise ParameterError(
            f"column names {','.join(names)!r} must be distinct and none empty",
            hint="e.g. user,item,rating,time",
            options=("columns",),
        )
    return tuple(names)


def detect(
    path,
    head: bytes,
    *,
    encoding: str = "auto",
    separator: str = "auto",
    header: str = "auto",
    columns: tuple[str, ...] = (),
    expect: tuple[str, ...] = (),
) -> tuple[Dialect, TextScan, list[list[str]]]:
    """Decide how ``path`` is read (see the module docstring), scanning it once.

    Parameters
    ----------
    path : str or Path
    head : bytes
        The first :data:`HEAD` decompressed bytes.
    encoding, separator, header, columns
        As :class:`core.logs.options.LogOptions`: "auto" decides.
    expect : tuple of str
        Column names the caller looks for (a first row holding one is a header).

    Returns
    -------
    (Dialect, TextScan, list of list of str)
        The dialect, what the pass over the bytes found, the first rows as split.

    Raises
    ------
    FormatError
        Bytes not valid in the chosen encoding (with their line), or more names given than the
        file has columns.
    ParameterError
        An unknown codec.

    Examples
    --------
    >>> d = detect(log := "sample_data/interactions.csv", read_head(log, HEAD))[0]
    >>> d.separator, d.header, d.names[:2]
    (',', True, ('user_id', 'item_id'))
    """
    lines = _head_lines(head.decode("latin-1"), len(head) >= HEAD)
    sep, sep_note = (separator, "chosen") if separator != "auto" else sniff_separator(lines)
    rows = split_rows(lines, sep)
    width = _width(rows)
    scanned = scan(path, sep, width, quoting=len(sep) == 1)
    enc, enc_note = choose_encoding(path, encoding, scanned, head)
    rows = split_rows(_head_lines(_decode(head, enc), len(head) >= HEAD), sep)
    decimal = _decimal(rows, sep)
    has, note = _header(rows, header, decimal, expect)
    names = _names(rows, has, columns, width, path)
    first = next((i for i, line in enumerate(lines) if line.strip()), 0)
    fields = max(len(names), min(scanned.most_fields, len(names) + MOST_EXTRA))
    return (
        Dialect(
            enc, enc_note, sep, sep_note, has, note, names, len(columns), decimal, first, fields
        ),
        scanned,
        rows,
    )


def _head_lines(text: str, cut: bool) -> list[str]:
    """The head's lines, blank ones kept (their numbers matter), the last dropped when the head
    cut it."""
    if cut and "\n" in text:
        text = text[: text.rfind("\n") + 1]
    return text.lstrip("\ufeff").splitlines(keepends=True)


def _decode(head: bytes, encoding: str) -> str:
    return head.removeprefix(BOM).decode(encoding, "replace")


def split_rows(lines: list[str], sep: str, most: int = SAMPLE) -> list[list[str]]:
    """The first ``most`` non-blank rows of ``lines`` split on ``sep`` (quotes followed for a
    one-character separator).

    Examples
    --------
    >>> split_rows(['a,"b,c"\\n', "\\n", "1,2\\n"], ",")
    [['a', 'b,c'], ['1', '2']]
    """
    if len(sep) > 1:
        rows = (line.rstrip("\r\n").split(sep) for line in lines if line.strip())
    else:
        rows = csv.reader(io.StringIO("".join(lines)), delimiter=sep, skipinitialspace=sep == " ")
    out = []
    try:
        for row in rows:
            if any(cell.strip() for cell in row):
                out.append(row)
                if len(out) >= most:
                    break
    except csv.Error:  # a quote left open at the head's end: the rows so far
        pass
    return out


def sniff_separator(lines: list[str]) -> tuple[str, str]:
    """The separator of these lines and "sniffed" (see the module docstring); a comma when none
    splits them.

    Examples
    --------
    >>> sniff_separator(["1::Toy Story (1995)::Comedy\\n", "2::Heat (1995)::Action|Crime\\n"])
    ('::', 'sniffed')
    >>> sniff_separator(["u;i;4,5\\n", "v;j;3,0\\n"])[0]
    ';'
    """
    for group in (SNIFFED, LAST_RESORT):
        best, best_width = None, 1
        for sep in group:
            width = _consistent_width(split_rows(lines, sep, 50))
            if width > best_width:
                best, best_width = sep, width
        if best is not None:
            return best, "sniffed"
    return ",", "no separator found: comma assumed"


def _consistent_width(rows: list[list[str]]) -> int:
    """The number of fields 4 rows in 5 share (empty trailing fields aside), else 0."""
    if not rows:
        return 0
    widths = Counter(len(_trimmed(r)) for r in rows)
    width, count = max(widths.items(), key=lambda wc: (wc[1], wc[0]))
    padded = Counter(len(r) for r in rows).most_common(1)[0]
    if padded[1] >= 0.9 * len(rows):  # rows padded to one width (basket files)
        return padded[0]
    return width if count >= 0.8 * len(rows) else 0


def _trimmed(row: list[str]) -> list[str]:
    end = len(row)
    while end and not row[end - 1].strip():
        end -= 1
    return row[:end]


def _width(rows: list[list[str]]) -> int:
    """The file's columns: the most common number of fields of its first rows, or the first
    row's when it has more (a header naming columns that are often empty)."""
    if not rows:
        return 0
    common = Counter(len(r) for r in rows).most_common()
    top = max(n for n, c in common if c == common[0][1])
    return max(top, len(rows[0]))


def choose_encoding(path, given: str, scanned: TextScan, head: bytes) -> tuple[str, str]:
    """(the codec, why) for ``given`` ("auto" or a codec) and what the scan found.

    Raises
    ------
    FormatError
        ``given`` is UTF-8 or cp1252 and a byte of the file is not (with its line).
    ParameterError
        ``given`` is not a known text codec.
    """
    if given != "auto":
        codec = check_encoding(given)
        bad = {"utf-8": scanned.not_utf8, "cp1252": scanned.not_cp1252}.get(codec)
        if bad:
            raise FormatError(
                f"byte 0x{bad[1]:02X} is not valid {given} (the encoding chosen)",
                path=path,
                line=bad[0],
                hint="choose the encoding auto (UTF-8, else cp1252, else latin-1), "
                "or the one the file was saved in",
                options=("encoding",),
            )
        return codec, "chosen"
    if scanned.not_utf8 is None:
        return "utf-8", "with a byte-order mark" if head.startswith(BOM) else "valid UTF-8"
    line, byte = scanned.not_utf8
    why = f"not UTF-8: byte 0x{byte:02X} on line {line}"
    if scanned.not_cp1252 is None:
        return "cp1252", f"{why}; cp1252 reads every byte"
    line2, byte2 = scanned.not_cp1252
    return "latin-1", f"{why}, nor cp1252: byte 0x{byte2:02X} on line {line2}; latin-1 reads any"


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_COMMA_NUMBER = re.compile(r"[+-]?\d+,\d+")
_DATE = re.compile(
    r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?"
)


def _is_number(cell: str, decimal: str) -> bool:
    return bool(_NUMBER.fullmatch(cell) or (decimal == "," and _COMMA_NUMBER.fullmatch(cell)))


def _decimal(rows: list[list[str]], sep: str) -> str:
    """ "," when a column's numbers are mostly written with a decimal comma."""
    if sep == "," or len(rows) < 2:
        return "."
    for j in range(max(map(len, rows))):
        cells = [r[j].strip() for r in rows[1:] if len(r) > j and r[j].strip()]
        if cells and sum(bool(_COMMA_NUMBER.fullmatch(c)) for c in cells) >= 0.8 * len(cells):
            return ","
    return "."


def _header(rows, header: str, decimal: str, expect) -> tuple[bool, str]:
    if header != "auto":
        return header == "yes", "chosen"
    if not rows:
        return True, "the file has no rows"
    return detect_header(rows, decimal, expect)


def detect_header(rows: list[list[str]], decimal: str = ".", expect=()) -> tuple[bool, str]:
    """Whether the first of ``rows`` names the columns, and why (see the module docstring).

    Examples
    --------
    >>> detect_header([["196", "242", "3", "881250949"], ["186", "302", "3", "891717742"]])
    (False, 'its fields are numbers or ids like the rows below')
    >>> detect_header([["userId", "movieId"], ["1", "31"], ["1", "1029"]])[0]
    True
    """
    first = [c.strip() for c in rows[0]]
    named = [c for c in first if c]
    if any(c in expect for c in named):
        return True, "it holds the column names asked for"
    if len(set(named)) < len(named):
        return False, "its fields repeat, as column names do not"
    votes = [_vote(cell, rows[1:], j, decimal) for j, cell in enumerate(first) if cell]
    data, names = -sum(v for v in votes if v < 0), sum(v for v in votes if v > 0)
    if data > names:
        return False, "its fields are numbers or ids like the rows below"
    if names > data:
        return True, "its fields are not values like those below them"
    return True, "assumed: nothing tells its fields from the rows below"


def _vote(cell: str, body: list[list[str]], j: int, decimal: str) -> int:
    """> 0: ``cell`` looks like the name of column ``j``; < 0: like one of its values."""
    from .columns import known_name

    values = [r[j].strip() for r in body if len(r) > j and r[j].strip()]
    if not values:
        return -1 if _is_number(cell, decimal) else 1 if known_name(cell) else 0
    for test in (lambda c: _is_number(c, decimal), _DATE.fullmatch):
        if all(test(v) for v in values):
            return -2 if test(cell) else 2
    if known_name(cell):
        return 2
    if cell in set(values):
        return -1
    lengths = {len(v) for v in values}
    if len(lengths) == 1 and len(values) > 1:
        return -1 if len(cell) in lengths else 1
    return 0


def _names(rows, has_header: bool, given, width: int, path) -> tuple[str, ...]:
    """The column names: given first, then the header's (or ``column<k>``), unique."""
    if has_header and rows:
        found = [c.strip() for c in rows[0]] + [""] * (width - len(rows[0]))
    else:
        found = [""] * width
    if len(given) > len(found):
        raise FormatError(
            f"{len(given)} column names given ({', '.join(given)}) but the file has "
            f"{len(found)} columns",
            path=path,
            hint="name at most as many columns as the rows have fields",
            options=("columns",),
        )
    names = list(given) + found[len(given) :]
    names = [n or GENERIC.format(k + 1) for k, n in enumerate(names)]
    seen: Counter = Counter()
    for k, n in enumerate(names):
        if seen[n]:
            names[k] = f"{n}.{seen[n]}"
        seen[n] += 1
    return tuple(names)
