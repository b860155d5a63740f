"""Suspicious data, named: what a log holds that reads without error but is likely a mistake.

Each finding is counted while the chunks are cleaned and becomes one line of the report
(``LogReport.warnings``; the CLI prints it, the Data page shows it):

- weights that are negative, or so large they look like an overflow or a missing value code
  (above :data:`HUGE_WEIGHT`; beyond float32's range they are stored as infinity);
- weights of 0 among positive ones (a rating of 0 on a 1–5 scale: a missing value kept as 0);
- user or item ids that look like placeholders (:data:`PLACEHOLDER_IDS`: ``0``, ``-1``, ``null``);
- a numeric time column mixing seconds and milliseconds (read by one unit, the other rows land in
  1970 or in the far future);
- rows whose item is missing while their first field holds another separator: mixed delimiters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

HUGE_WEIGHT = 1e9
"""A weight above this (a rating, a count, a quantity) is named as suspicious."""
MS_FROM = 1e11
"""Epoch numbers above this are milliseconds (1e11 seconds is the year 5138)."""
SEPARATORS = (",", ";", "\t", "|")
NO_VALUE = frozenset({"null", "none", "na", "n/a", "unknown", "?", "-"})
"""Text (lower case) that says a field is empty: an id that names nothing, a label that labels
nothing (:data:`core.clusters.PLACEHOLDERS`)."""
PLACEHOLDER_IDS = NO_VALUE | {"0", "-1", "nan", "undefined"}
"""Ids (lower case) that stand for "no id" more often than they name one."""


@dataclass
class Suspicions:
    """Counts of suspicious values while a log is cleaned (see the module docstring)."""

    negative: int = 0
    huge: int = 0
    examples: dict[str, list[float]] = field(default_factory=dict)
    ms: int = 0
    seconds: int = 0
    mixed_separator: dict[str, int] = field(default_factory=dict)
    zero: int = 0
    weighed: int = 0
    placeholders: dict[tuple[str, str], int] = field(default_factory=dict)

    def weights(self, weight: np.ndarray, keep: np.ndarray) -> None:
        """Count the negative and huge weights among the kept rows."""
        neg, huge = (weight < 0) & keep, (np.abs(weight) > HUGE_WEIGHT) & keep
        self.negative += int(neg.sum())
        self.huge += int(huge.sum())
        self.zero += int(((weight == 0) & keep).sum())
        self.weighed += int(keep.sum())
        for name, mask in (("negative", neg), ("huge", huge)):
            have = self.examples.setdefault(name, [])
            have.extend(float(v) for v in weight[mask][: 3 - len(have)])

    def times(self, epoch: np.ndarray, keep: np.ndarray) -> None:
        """Count the epoch numbers that read as seconds and as milliseconds."""
        values = epoch[keep & np.isfinite(epoch) & (epoch > 0)]
        ms = int((values > MS_FROM).sum())
        self.ms += ms
        self.seconds += len(values) - ms

    def ids(self, role: str, codes: np.ndarray, names: pd.Series, keep: np.ndarray) -> None:
        """Count the kept rows whose ``role`` id (``names[codes]``) looks like a placeholder."""
        odd = names.astype(str).str.strip().str.lower().isin(PLACEHOLDER_IDS).to_numpy()
        if not odd.any():
            return
        for code in np.flatnonzero(odd):
            n = int(((codes == code) & keep).sum())
            if n:
                key = (role, str(names.iloc[code]))
                self.placeholders[key] = self.placeholders.get(key, 0) + n

    def separators(self, first: pd.Series) -> None:
        """Rows without an item: count those whose first field holds a separator."""
        text = first.astype(str)
        for sep in SEPARATORS:
            n = int(text.str.contains(sep, regex=False).sum())
            if n:
                self.mixed_separator[sep] = self.mixed_separator.get(sep, 0) + n

    def lines(self, columns: dict, time_unit: str | None, separator: str | None) -> list[str]:
        """The warnings in words, one line each."""
        out = []
        if self.negative or self.huge:
            out.append(self._weight_line(columns.get("weight")))
        if self.zero and self.zero * 2 < self.weighed:  # 0 among mostly positive weights
            out.append(
                f"weight column '{columns.get('weight')}': {_rows(self.zero)} of weight 0 "
                "among positive weights (a missing rating written as 0?); they are kept"
            )
        if self.placeholders:
            said = ", ".join(
                f"{role} id '{i}' ({_rows(n)})" for (role, i), n in self.placeholders.items()
            )
            out.append(f"ids that look like placeholders: {said}; they are kept as ids")
        if self.ms and self.seconds:
            read_as = "milliseconds" if time_unit == "epoch ms" else "seconds"
            out.append(
                f"time column '{columns.get('time')}' mixes units: {self.seconds:,} values look "
                f"like seconds and {self.ms:,} like milliseconds; all were read as {read_as}, so "
                "the others are far off (1970 or the far future): convert them to one unit"
            )
        for sep, n in self.mixed_separator.items():
            if sep == separator:
                continue
            word = {"\t": "tab", "|": "'|'", ";": "';'", ",": "','"}[sep]
            said = {"\t": "tab", ";": "';'", ",": "','", "|": "'|'"}.get(separator or "", "")
            out.append(
                f"{n:,} rows without an item hold a {word} inside the first field"
                + (f" while the file is read as {said}-separated" if said else "")
                + ": mixed delimiters? Give the file one separator (or choose it)"
            )
        return out

    def _weight_line(self, column: str | None) -> str:
        parts = []
        if self.negative:
            eg = ", ".join(f"{v:g}" for v in self.examples.get("negative", []))
            parts.append(f"{self.negative:,} negative (e.g. {eg})")
        if self.huge:
            eg = ", ".join(f"{v:g}" for v in self.examples.get("huge", []))
            parts.append(f"{self.huge:,} above {HUGE_WEIGHT:g} (e.g. {eg})")
        return (
            f"weight column '{column}': {' and '.join(parts)}; the trainers count events and do "
            "not use weights, but a minimum weight filters by them: is it the right column?"
        )


def _rows(n: int) -> str:
    return f"{n:,} row{'s' if n != 1 else ''}"
