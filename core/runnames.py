"""Names that tell runs apart: the log, the method, tuned or not, the parameters that differ from
the defaults.  A list of sets or jobs then says which run is which without opening it.

Examples
--------
>>> run_name("ratings.csv", "als", {"factors": 128})
'ratings.csv · als factors=128'
>>> run_name("ratings.csv", "item2vec", trials=20)
'ratings.csv · item2vec tuned (20 trials)'
>>> sweep_name("groceries.csv", "items", [300, 1000, 3000], ["item2vec", "als"], seeds=3)
'groceries.csv · sweep of items 300–3000 (3 points) · item2vec, als · 3 seeds'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

SEP = " · "


def _value(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def run_name(
    source: str,
    method: str,
    changed: Mapping | None = None,
    trials: int = 0,
    seed: int = 0,
    kept: str | None = None,
) -> str:
    """The name of one training run.

    Parameters
    ----------
    source : str
        The log's name (a file name, ``sample log``).
    method : str
    changed : mapping, optional
        The parameters set to other values than the trainer's defaults (sorted by name).
    trials : int, default 0
        Tuning trials (0: not tuned).
    seed : int, default 0
        Shown when not 0.
    kept : {"tuned", "defaults"}, optional
        What tuning kept, once known: ``defaults`` is said in the name.

    Returns
    -------
    str
        e.g. ``ratings.csv · als factors=128``, ``ratings.csv · item2vec tuned (20 trials)``.

    Examples
    --------
    >>> run_name("u.data", "item2vec", {"window": 3, "epochs": 5}, seed=2)
    'u.data · item2vec epochs=5 window=3 seed=2'
    >>> run_name("u.data", "als", trials=10, kept="defaults")
    'u.data · als tuned (10 trials, defaults kept)'
    """
    parts = [method]
    if trials:
        parts.append(f"tuned ({trials} trials{', defaults kept' if kept == 'defaults' else ''})")
    parts += [f"{k}={_value(v)}" for k, v in sorted((changed or {}).items())]
    if seed:
        parts.append(f"seed={seed}")
    return f"{source}{SEP}{' '.join(parts)}"


def sweep_name(
    source: str, axis: str, values: Sequence[float], methods: Sequence[str], seeds: int
) -> str:
    """The name of a catalog-size sweep: the log, the axis and its range, the methods, the seeds.

    Examples
    --------
    >>> sweep_name("sample log", "events", [0.25, 0.5, 1.0], ["als"], seeds=1)
    'sample log · sweep of events 0.25–1 (3 points) · als · 1 seed'
    """
    grid = sorted(values)
    span = _value(grid[0]) if len(grid) == 1 else f"{_value(grid[0])}–{_value(grid[-1])}"
    points = f"{len(grid)} point{'s' if len(grid) != 1 else ''}"
    seeded = f"{seeds} seed{'s' if seeds != 1 else ''}"
    return SEP.join([source, f"sweep of {axis} {span} ({points})", ", ".join(methods), seeded])


def with_method(name: str, method: str) -> str:
    """A set's heading: ``name · method``, or ``name`` alone when it already says its method
    (case-insensitive, as a whole word), so a run name never reads ``… · als · als``.

    Parameters
    ----------
    name : str
        The set's name (``run_name``'s, or the one a user gave it).
    method : str
        The method that serves it (``als``, ``item2vec``...).

    Returns
    -------
    str

    Examples
    --------
    >>> with_method("ratings.data · als factors=16", "als")
    'ratings.data · als factors=16'
    >>> with_method("sample log · ALS", "als")
    'sample log · ALS'
    >>> with_method("falsetto.csv", "als")
    'falsetto.csv · als'
    """
    said = re.search(rf"(?<!\w){re.escape(method)}(?!\w)", name, re.IGNORECASE)
    return name if said or not method else f"{name}{SEP}{method}"


def distinct_name(name: str, taken) -> str:
    """``name``, or ``name (2)``, ``name (3)``... the first not in ``taken`` (a list of sets then
    never shows two rows of one name).

    Parameters
    ----------
    name : str
    taken : iterable of str
        The names already in use.

    Returns
    -------
    str

    Examples
    --------
    >>> distinct_name("groceries.csv", ["groceries.csv", "groceries.csv (2)"])
    'groceries.csv (3)'
    >>> distinct_name("u.data", ["groceries.csv"])
    'u.data'
    """
    taken = set(taken)
    n, out = 1, name
    while out in taken:
        n += 1
        out = f"{name} ({n})"
    return out
