"""Read, validate and sessionise a log in Spark, with the local engine's column mapping, drop
reasons, filters and gap rule, so the two engines' reports can be compared line by line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import FormatError
from ..io.safety import refuse_pickles
from ..logs import columns_of, parse_duration
from ..logs.clean import SAMPLE_ROWS, LogReport
from ..logs.columns import ColumnMap
from ..logs.dialect import HEAD, Dialect, detect
from ..logs.options import log_options
from ..logs.read import line_numbering
from ..logs.rules import check_counts, check_ragged, reason

EXTRA = "_extra"
"""The prefix of the columns that catch fields past a row's columns (dropped once checked)."""
JAVA_CHARSETS = {"utf-8": "UTF-8", "cp1252": "ISO-8859-1", "latin-1": "ISO-8859-1"}
JAVA_CHARSETS["iso8859-1"] = "ISO-8859-1"
"""Spark's CSV reader takes few charsets: cp1252 is read as latin-1, then its 0x80-0x9F
characters are put right (:func:`_cp1252`)."""


def read(spark, path: str | Path, format: str = "auto", **reading):
    """The raw log as a Spark DataFrame of strings (delimited text, read as the local engine
    reads it: ``core.logs.dialect``) or typed columns (Parquet), the dialect (None for Parquet or
    a folder of text parts, read with a header as before) and the file's line count (or None).

    Text columns past the named ones (``_extra<k>``) catch the fields of rows wider than the
    columns: :func:`prepare` drops and counts those rows.

    Raises
    ------
    FormatError
        Missing file, a pickle, bytes not in the chosen encoding, or a format other than
        CSV/TSV/Parquet.
    """
    path = Path(path)
    if not path.exists():
        raise FormatError("no such file", path=path)
    if path.is_file():
        with open(path, "rb") as fh:
            head = fh.read(HEAD)
        refuse_pickles(path, head)
    else:
        head = b""
    is_parquet = (
        format == "parquet"
        or path.suffix.lower() in (".parquet", ".pq")
        or head.startswith(b"PAR1")
        or (path.is_dir() and any(p.suffix == ".parquet" for p in path.iterdir()))
    )
    if is_parquet:
        return spark.read.parquet(str(path)), None, None
    if format not in ("auto", "csv", "tsv"):
        raise FormatError(
            f"the Spark engine reads CSV, TSV and Parquet logs, not '{format}'",
            path=path,
            hint="convert the log, or use the local engine",
        )
    if format == "tsv" and reading.get("separator", "auto") == "auto":
        reading["separator"] = "\t"
    if not path.is_file():
        df = spark.read.csv(str(path), header=True, inferSchema=False, mode="PERMISSIVE")
        return df, None, None
    dialect, scanned, _ = detect(path, head[:HEAD], **reading)
    return _read_text(spark, path, dialect), dialect, scanned.lines


def _read_text(spark, path: Path, dialect: Dialect):
    from pyspark.sql.types import StringType, StructField, StructType

    names = list(dialect.names)
    names += [f"{EXTRA}{k}" for k in range(dialect.fields - len(names))]
    schema = StructType([StructField(n, StringType()) for n in names])
    charset = JAVA_CHARSETS.get(dialect.encoding, dialect.encoding)
    df = spark.read.csv(
        str(path),
        schema=schema,
        header=dialect.header,
        sep=dialect.separator,
        encoding=charset,
        quote='"' if dialect.quoting else "\u0000",
        mode="PERMISSIVE",
    )
    return _cp1252(df) if dialect.encoding == "cp1252" else df


def _cp1252(df):
    """Text read as latin-1 with the characters cp1252 puts at 0x80-0x9F put back (“ ” € …)."""
    from pyspark.sql import functions as F

    pairs = [
        (bytes([b]).decode("latin-1"), bytes([b]).decode("cp1252", "ignore"))
        for b in range(0x80, 0xA0)
    ]
    source = "".join(a for a, b in pairs if b)
    target = "".join(b for a, b in pairs if b)
    return df.select(*[F.translate(F.col(f"`{c}`"), source, target).alias(c) for c in df.columns])


def prepare(spark, path, **options):
    """Read, validate and sessionise a log in Spark, with the local engine's rules.

    Parameters
    ----------
    spark : SparkSession
    path : str or Path
        CSV/TSV (delimiter sniffed as locally) or Parquet (a file or a folder of part files).
    **options
        The log options of ``core.logs.prepare`` (:class:`core.logs.options.LogOptions`: format,
        user_col ... session_gap, min_item_count, min_user_count, min_weight), same defaults.

    Returns
    -------
    (DataFrame, LogReport)
        Events ``[user, item, time, weight, row, session]`` (cached) and the report, whose drop and
        filter reasons are those of ``core.logs.rules``.

    Raises
    ------
    FormatError
        Missing file, a pickle, or a format Spark does not read here.
    DataError
        No user/item column (names the file), or nothing trainable left.
    ParameterError
        An unknown option.
    """
    opts = log_options(**options)
    df, cols, extras, report, dialect, numbering = _opened(spark, path, opts)
    decimal = dialect.decimal if dialect else "."
    wide = _wide_condition(extras, len(df.columns) - len(extras) - 1)
    conds = wide + _drop_conditions(cols, opts.min_weight)
    low = reason("low_weight", column=cols.weight, minimum=opts.min_weight or 0)
    events = _valid_events(_parse(df, cols, report, decimal), cols, report, conds, (numbering, low))
    for why, _ in wide:
        if why in report.dropped:
            n, lines = report.dropped[why], report.sample_rows[why]
            check_ragged(n, report.rows_read, why, lines, str(path), opts.max_ragged)
    events = _min_counts(events, report, opts.min_item_count, opts.min_user_count)
    events = sessionise(
        events, parse_duration(opts.session_gap), bool(cols.session), cols.time is not None
    ).cache()
    _summarise(events, report)
    return events, report


def _opened(spark, path, opts):
    """(the rows with a row number, the column mapping, the catch-all columns, the report begun,
    the dialect)."""
    from pyspark.sql import functions as F

    expect = tuple(v for v in opts.roles().values() if v)
    raw, dialect, lines = read(spark, path, opts.format, expect=expect, **opts.reading())
    extras = [c for c in raw.columns if c.startswith(EXTRA)]
    frame = pd.DataFrame(columns=[c for c in raw.columns if c not in extras])
    frame.attrs["header"] = dialect.header if dialect else True
    cols = columns_of(frame, path, **opts.roles())
    df = raw.withColumn("_row", F.monotonically_increasing_id())
    report = LogReport(source=str(path), rows_read=df.count(), columns=cols.to_dict())
    numbering = _plain_numbering
    if dialect is not None:
        report.reading = {"format": "csv", **dialect.to_dict(), "described": dialect.describe()}
        skipped = [dialect.header_line] if dialect.header else []
        rows_of = line_numbering(Path(path), lines, skipped)
        numbering = lambda keys: rows_of(keys, report.rows_read)  # noqa: E731
    return df, cols, extras, report, dialect, numbering


def _plain_numbering(keys):
    """Row index → file line after a header (a folder of parts: as before)."""
    return keys + 2


def _wide_condition(extras: list[str], width: int) -> list:
    """Rows holding a value past the columns (the local reader's ``Ragged`` rule)."""
    from pyspark.sql import functions as F

    if not extras:
        return []
    filled = [F.coalesce(F.trim(F.col(f"`{c}`")), F.lit("")) != "" for c in extras]
    cond = filled[0]
    for c in filled[1:]:
        cond = cond | c
    return [(reason("too_many_fields", width=width), cond)]


def _valid_events(df, cols: ColumnMap, report: LogReport, conds, lines_and_filter):
    """The parsed rows without those a drop reason of ``core.logs.rules`` removes (counted;
    ``lines_and_filter``: row index → file line, the reason counted as filtered)."""
    from pyspark.sql import functions as F

    _count_drops(df, conds, report, *lines_and_filter)
    keep = F.lit(True)
    for _, c in conds:
        keep = keep & ~F.coalesce(c, F.lit(False))
    return df.filter(keep).select(
        "user",
        "item",
        "time",
        "weight",
        F.col("_row").alias("row"),
        *(["session_raw"] if cols.session else []),
    )


def _parse(df, cols: ColumnMap, report: LogReport, decimal: str = "."):
    from pyspark.sql import functions as F

    def number(c):
        text = F.trim(c.cast("string"))
        return (F.regexp_replace(text, ",", ".") if decimal == "," else text).cast("double")

    df = df.withColumn("user", F.trim(F.col(f"`{cols.user}`").cast("string")))
    df = df.withColumn("item", F.trim(F.col(f"`{cols.item}`").cast("string")))
    if cols.session:
        df = df.withColumn("session_raw", F.trim(F.col(f"`{cols.session}`").cast("string")))
    if cols.time:
        t = F.col(f"`{cols.time}`")
        num = number(t)
        stats = df.select(F.avg(num.isNotNull().cast("double")).alias("share")).first()
        if stats["share"] is not None and stats["share"] > 0.5:
            median = df.select(num.alias("n")).approxQuantile("n", [0.5], 0.001)[0]
            unit = "ms" if median > 1e11 else "s"
            report.time_unit = f"epoch {unit}"
            df = df.withColumn("time", num / (1000.0 if unit == "ms" else 1.0))
        else:
            report.time_unit = "date strings"
            df = df.withColumn(
                "time", F.unix_timestamp(F.to_timestamp(t.cast("string"))).cast("double")
            )
    else:
        df = df.withColumn("time", F.lit(None).cast("double"))
    if cols.weight:
        df = df.withColumn("weight", number(F.col(f"`{cols.weight}`")))
    else:
        df = df.withColumn("weight", F.lit(None).cast("double"))
    return df


def _drop_conditions(cols, min_weight):
    """In the local engine's order; each condition applies to rows no earlier one dropped."""
    from pyspark.sql import functions as F

    conds = [
        (reason("missing_user"), F.col("user").isNull() | (F.col("user") == "")),
        (reason("missing_item"), F.col("item").isNull() | (F.col("item") == "")),
    ]

    def not_finite(c):
        return F.col(c).isNull() | F.isnan(c) | (F.abs(F.col(c)) == float("inf"))

    if cols.time:
        conds.append((reason("bad_time", column=cols.time), not_finite("time")))
    if cols.weight:
        conds.append((reason("bad_weight", column=cols.weight), not_finite("weight")))
        if min_weight is not None:
            conds.append(
                (
                    reason("low_weight", column=cols.weight, minimum=min_weight),
                    F.col("weight") < F.lit(float(min_weight)),
                )
            )
    return conds


def _count_drops(df, conds, report: LogReport, numbering, filtered: str) -> None:
    from pyspark.sql import functions as F

    exprs, earlier = [], F.lit(False)
    firsts = []
    for name, cond in conds:
        first = ~earlier & F.coalesce(cond, F.lit(False))
        firsts.append((name, first))
        exprs.append(F.sum(first.cast("int")).alias(name))
        earlier = earlier | F.coalesce(cond, F.lit(False))
    if not exprs:
        return
    counts = df.select(*exprs).first().asDict()
    bad_names = [n for n, c in counts.items() if c]
    flagged = [(n, f) for n, f in firsts if n in bad_names]
    samples = _sample_lines(df, flagged, numbering) if bad_names else {}
    for name, n in counts.items():
        if not n:
            continue
        if name == filtered:
            report.filtered[name] = int(n)
        else:
            report.dropped[name] = int(n)
            report.sample_rows[name] = samples.get(name, [])


def _sample_lines(df, firsts, numbering=_plain_numbering) -> dict:
    """File line numbers of the first bad rows (``numbering``: row index → line, blank lines
    and the header counted as the local reader counts them); a pass only when something was
    dropped."""
    flagged = df.select(*[f.alias(f"b{i}") for i, (_, f) in enumerate(firsts)])
    indexed = flagged.rdd.zipWithIndex()
    out = {}
    for i, (name, _) in enumerate(firsts):
        hits = (
            indexed.filter(lambda pair, i=i: pair[0][i]).map(lambda pair: pair[1]).take(SAMPLE_ROWS)
        )
        out[name] = [int(h) for h in numbering(np.asarray(hits, dtype=np.int64))]
    return out


def _min_counts(events, report: LogReport, min_item: int, min_user: int):
    """Rare items first, then users with too few events, as the local engine does."""
    events = _drop_rare(events, report, "item", min_item, reason("rare_items", minimum=min_item))
    return _drop_rare(events, report, "user", min_user, reason("rare_users", minimum=min_user))


def _drop_rare(events, report: LogReport, column: str, minimum: int, reason: str):
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    if minimum <= 1:
        return events
    events = events.withColumn("_n", F.count("*").over(Window.partitionBy(column)))
    low = events.filter(F.col("_n") < minimum).count()
    if low:
        report.filtered[reason] = int(low)
    return events.filter(F.col("_n") >= minimum).drop("_n")


def sessionise(events, gap: float, by_column: bool, has_time: bool):
    """A new session with a new user, a new session-column value, or a gap longer than ``gap``."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    order = ["time", "row"] if has_time else ["row"]
    w = Window.partitionBy("user").orderBy(*order)
    if by_column:
        new = F.lag("session_raw").over(w).isNull() | (
            F.lag("session_raw").over(w) != F.col("session_raw")
        )
    elif has_time:
        prev = F.lag("time").over(w)
        new = prev.isNull() | ((F.col("time") - prev) > F.lit(float(gap)))
    else:
        new = F.lag("row").over(w).isNull()
    events = events.withColumn("_new", new.cast("int"))
    events = events.withColumn(
        "_idx", F.sum("_new").over(w.rowsBetween(Window.unboundedPreceding, 0))
    )
    return events.withColumn(
        "session", F.concat_ws("\u001f", "user", F.col("_idx").cast("string"))
    ).drop("_new", "_idx")


def _summarise(events, report: LogReport) -> None:
    from pyspark.sql import functions as F

    row = events.agg(
        F.count("*").alias("n"),
        F.countDistinct("user").alias("u"),
        F.countDistinct("item").alias("i"),
        F.countDistinct("session").alias("s"),
    ).first()
    report.rows_kept, report.users, report.items, report.sessions = (
        int(row.n),
        int(row.u),
        int(row.i),
        int(row.s),
    )
    most = events.groupBy("user").count().agg(F.max("count")).first()[0] if row.n else 0
    check_counts(int(row.n), int(row.i), int(most or 0), report.source)
