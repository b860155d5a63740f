"""How a log is read, cleaned and sessionised: the options every face passes, in one list.

:class:`LogOptions` is that list with its defaults; :class:`MetadataOptions` says how an item
metadata file is read and mapped.  ``core.logs.prepare`` (local) and
``core.spark.logs.prepare`` take these names as keywords, ``core.engines.LogSpec`` adds the path
and the metadata to them, the CLI's log options are named after them and the dashboard stores
them with a validated log, so a stored log is read again exactly.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields

from ..errors import ParameterError
from .dialect import parse_columns, parse_header, parse_separator
from .rules import MAX_RAGGED

SESSION_GAP = "30m"
"""A new session after 30 minutes without an event (Airbnb, KDD 2018)."""


@dataclass(frozen=True, kw_only=True)
class LogOptions:
    """The reading and cleaning options of a log.

    Attributes
    ----------
    format : {"auto", "csv", "tsv", "parquet", "jsonl", "baskets"}, default "auto"
        ``core.logs.read.LOG_FORMATS``; "auto" detects the format (and baskets).
    encoding : str, default "auto"
        Text encoding: "auto" is UTF-8, else cp1252, else latin-1 (``core.logs.dialect``); or a
        codec name.
    separator : str, default "auto"
        "auto" sniffs it; else any character, several (``::``), or a name (tab, comma...).
    header : {"auto", "yes", "no"}, default "auto"
        Whether the first row names the columns; "auto" tests it against the rows below.
    columns : tuple of str, default ()
        Names for the first columns, in order (a file without a header; with one, they replace
        its first names).
    max_ragged : float, default :data:`core.logs.rules.MAX_RAGGED` (0.01)
        The share of rows with more fields than the columns that may be skipped (counted) before
        the file is refused.
    user_col, item_col, time_col, weight_col, session_col : str, optional
        Column names; guessed from the header when omitted (user and item are required); ""
        for none.
    session_gap : str or float, default :data:`SESSION_GAP` ("30m")
        A new session after this gap (ignored when a session column is mapped).
    min_item_count, min_user_count : int, default 1
        Drop rare items, then users with fewer events (counted in the report).
    min_weight : float, optional
        Drop events below this weight (counted).

    Examples
    --------
    >>> LogOptions(min_item_count=5).session_gap
    '30m'
    """

    format: str = "auto"
    encoding: str = "auto"
    separator: str = "auto"
    header: str = "auto"
    columns: tuple[str, ...] = ()
    max_ragged: float = MAX_RAGGED
    user_col: str | None = None
    item_col: str | None = None
    time_col: str | None = None
    weight_col: str | None = None
    session_col: str | None = None
    session_gap: str | float = SESSION_GAP
    min_item_count: int = 1
    min_user_count: int = 1
    min_weight: float | None = None

    def __post_init__(self) -> None:
        check_reading(self)
        if not 0 <= float(self.max_ragged) <= 1:
            raise ParameterError(
                f"max_ragged({self.max_ragged}) must be a share between 0 and 1",
                options=("max_ragged",),
            )

    def to_dict(self) -> dict:
        out = asdict(self)
        out["columns"] = list(self.columns)
        return out

    def reading(self) -> dict:
        """The options that say how the text is read (``core.logs.read.open_log``'s keywords)."""
        return {k: getattr(self, k) for k in ("encoding", "separator", "header", "columns")}

    def roles(self) -> dict[str, str | None]:
        """The column names given, by role (``core.logs.columns.guess_columns``'s keywords)."""
        return {
            "user": self.user_col,
            "item": self.item_col,
            "time": self.time_col,
            "weight": self.weight_col,
            "session": self.session_col,
        }


LOG_OPTIONS = tuple(f.name for f in fields(LogOptions))
"""The option names, in order."""


def check_reading(options) -> None:
    """Normalise an options object's reading fields in place (frozen dataclasses: set once, at
    construction): separator names, header words, column names as a tuple, a known encoding.

    Raises
    ------
    ParameterError
        A malformed separator, header or column list, or an unknown encoding.
    """
    from ..limits import check_encoding

    set_ = object.__setattr__
    set_(options, "separator", parse_separator(options.separator))
    set_(options, "header", parse_header(options.header))
    set_(options, "columns", parse_columns(options.columns))
    if options.encoding != "auto":
        try:
            check_encoding(options.encoding)
        except ParameterError as exc:
            raise ParameterError(exc.message, hint=exc.hint, options=("encoding",)) from None


@dataclass(frozen=True, kw_only=True)
class MetadataOptions:
    """How an item metadata file (one row per item: titles, genres) is read and mapped.

    Every face names these ``metadata_<field>`` (CLI ``--metadata-item-col``...).

    Attributes
    ----------
    item_col, title_col, label_col : str, optional
        The item-id, title and label columns; guessed when omitted (by name, or for a file
        without a header by content: the column whose values are the log's item ids, the first
        text column); ``""`` for no title or no label.
    columns : tuple of str
        Names for the first columns (a file without a header), e.g. ``id,title,released``.
    encoding, separator, header
        As :class:`LogOptions`.
    flags : bool, default True
        Read a run of three or more 0/1 columns (one-hot genres) as one multi-value label
        (``Comedy|Drama``, named after the columns holding 1).
    flag_names : tuple of str
        Names for those 0/1 columns, in file order (a file without a header names them
        ``column6`` …): ``"Action,Comedy"``, a sequence, or lines whose first field is a name
        (MovieLens' ``u.genre``, ``unknown|0``), see :func:`parse_flag_names`.

    Examples
    --------
    >>> MetadataOptions(columns="id,title").columns
    ('id', 'title')
    """

    item_col: str | None = None
    title_col: str | None = None
    label_col: str | None = None
    columns: tuple[str, ...] = ()
    encoding: str = "auto"
    separator: str = "auto"
    header: str = "auto"
    flags: bool = True
    flag_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_reading(self)
        object.__setattr__(self, "flag_names", parse_flag_names(self.flag_names))

    def reading(self) -> dict:
        return {k: getattr(self, k) for k in ("encoding", "separator", "header", "columns")}

    def to_dict(self) -> dict:
        out = asdict(self)
        out["columns"] = list(self.columns)
        out["flag_names"] = list(self.flag_names)
        return out


def parse_flag_names(value) -> tuple[str, ...]:
    """Names for a run of 0/1 columns: ``"a,b,c"``, a sequence, or text of several lines whose
    first field (before ``|``, a tab or ``,``) is a name (a pasted ``u.genre``: ``unknown|0``).

    Raises
    ------
    ParameterError
        An empty name between others, or a name given twice.

    Examples
    --------
    >>> parse_flag_names("Action, Comedy")
    ('Action', 'Comedy')
    >>> parse_flag_names("unknown|0\\nAction|1\\n\\n")
    ('unknown', 'Action')
    """
    if isinstance(value, str) and "\n" in value.strip():
        value = [re.split(r"[|\t,]", line, maxsplit=1)[0] for line in value.splitlines()]
        value = [v for v in value if v.strip()]
    try:
        return parse_columns(value)
    except ParameterError as exc:
        raise ParameterError(
            exc.message.replace("column names", "names of the 0/1 columns"),
            hint="e.g. Action,Comedy,Drama, in the order of the columns",
            options=("metadata_flag_names",),
        ) from None


METADATA_OPTIONS = tuple(f"metadata_{f.name}" for f in fields(MetadataOptions))
"""The metadata options as every face names them (``metadata_item_col``...)."""


def metadata_options(**given) -> MetadataOptions:
    """``MetadataOptions`` from ``metadata_<field>`` keywords (None means the default).

    Raises
    ------
    ParameterError
        A name that is not a metadata option, or a malformed value.

    Examples
    --------
    >>> metadata_options(metadata_columns="id,title", metadata_item_col=None).columns
    ('id', 'title')
    """
    unknown = sorted(set(given) - set(METADATA_OPTIONS))
    if unknown:
        raise ParameterError(
            f"unknown metadata option(s): {', '.join(unknown)}",
            hint=f"known: {', '.join(METADATA_OPTIONS)}",
        )
    return MetadataOptions(
        **{k.removeprefix("metadata_"): v for k, v in given.items() if v is not None}
    )


def log_options(**given) -> LogOptions:
    """``LogOptions`` from keywords, an unknown name being a clear error.

    Raises
    ------
    ParameterError
        A name that is not a log option; the message lists the known ones.

    Examples
    --------
    >>> log_options(session_gap="2h").session_gap
    '2h'
    >>> log_options(gap="2h")
    Traceback (most recent call last):
    embedlab.core.errors.ParameterError: unknown log option(s): gap — known: format, encoding, ...
    """
    unknown = sorted(set(given) - set(LOG_OPTIONS))
    if unknown:
        raise ParameterError(
            f"unknown log option(s): {', '.join(unknown)}", hint=f"known: {', '.join(LOG_OPTIONS)}"
        )
    return LogOptions(**given)


def parse_duration(text: str | float | int) -> float:
    """A duration as seconds: ``30m``, ``2h``, ``90s``, ``1d`` or a number of seconds.

    Parameters
    ----------
    text : str or float

    Returns
    -------
    float

    Raises
    ------
    ParameterError
        Text that is not a number with an optional s/m/h/d unit.

    Examples
    --------
    >>> parse_duration("30m"), parse_duration(45)
    (1800.0, 45.0)
    """
    if isinstance(text, (int, float)):
        return float(text)
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", str(text).lower())
    if not m:
        raise ParameterError(f"duration '{text}' must look like 30m, 2h, 90s or 1d")
    return float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
