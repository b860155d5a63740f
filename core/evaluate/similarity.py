"""Word-pair similarity (WordSim-353, SimLex-999 or an upload): Pearson, Spearman and the share of
pairs with unknown words, equal to gensim's ``evaluate_word_pairs``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..embeddings import Embeddings
from ..errors import DataError, ParameterError
from ..io.rows import decoded_lines
from .analogies import gensim_test_file, vocabulary


def default_pairs(name: str = "wordsim353.tsv") -> Path:
    return gensim_test_file(name)


@dataclass
class SimilarityReport:
    pearson: float
    spearman: float
    oov_ratio: float  # share of pairs skipped for an unknown word, 0..1 (gensim reports percent)
    pairs: int
    skipped_oov: int
    invalid_lines: int

    def to_dict(self) -> dict:
        return {
            "pearson": self.pearson,
            "spearman": self.spearman,
            "oov_ratio": self.oov_ratio,
            "pairs": self.pairs,
            "skipped_oov": self.skipped_oov,
            "invalid_lines": self.invalid_lines,
        }


def evaluate_pairs(
    emb: Embeddings,
    path: str | Path | None = None,
    restrict: int = 300000,
    delimiter: str = "\t",
    case_insensitive: bool = True,
) -> SimilarityReport:
    """Correlate human judgements with cosine similarity; ``#`` lines are comments, as in gensim."""
    from scipy import stats

    if restrict <= 0:
        raise ParameterError(f"restrict({restrict}) must be > 0")
    path = Path(path) if path else default_pairs()
    n = min(restrict, len(emb))
    vocab = vocabulary(emb.keys[:n], case_insensitive)
    gold, left, right, oov, invalid = [], [], [], 0, 0
    for _, line in decoded_lines(path):
        if not line or line.startswith("#"):
            continue
        parts = line.split(delimiter)
        try:
            a, b, sim = parts
            sim = float(sim)
        except ValueError:
            invalid += 1
            continue
        ia, ib = vocab.row(a), vocab.row(b)
        if ia is None or ib is None:
            oov += 1
            continue
        gold.append(sim)
        left.append(ia)
        right.append(ib)
    if len(gold) < 3:
        raise DataError(
            f"only {len(gold)} usable word pairs (of {len(gold) + oov}); need at least 3",
            path=path,
            hint="lines must be 'word1<TAB>word2<TAB>score'; check the words exist",
        )
    unit = emb.unit
    model = np.einsum("ij,ij->i", unit[left], unit[right]).astype(np.float64)
    return SimilarityReport(
        float(stats.pearsonr(gold, model)[0]),
        float(stats.spearmanr(gold, model)[0]),
        oov / (len(gold) + oov),
        len(gold),
        oov,
        invalid,
    )
