"""Analogy evaluation (Google questions-words, GloVe 6B 50d, restrict 300000): embedlab vs gensim.

Prints both accuracies, both times and the speed ratio, measured in one run.
Run: python benchmarks/bench_analogies.py
"""

import time

import numpy as np
from gensim.models import KeyedVectors

from embedlab.core import io
from embedlab.core.evaluate.analogies import default_analogies, evaluate_analogies


def main() -> None:
    t0 = time.perf_counter()
    emb = io.load("glove-6b-50d")
    _ = emb.unit  # cached normalised rows, the counterpart of gensim's fill_norms() below
    t = time.perf_counter()
    ours = evaluate_analogies(emb, restrict=300000)
    ours_s = time.perf_counter() - t
    print(
        f"embedlab: accuracy {ours.accuracy:.4f} ({ours.correct}/{ours.total}) in {ours_s:.2f} s "
        f"(load {t - t0:.2f} s, not counted)"
    )

    kv = KeyedVectors(emb.dim)
    kv.add_vectors(emb.keys, np.asarray(emb.vectors))
    kv.fill_norms()
    t = time.perf_counter()
    score, _ = kv.evaluate_word_analogies(str(default_analogies()), restrict_vocab=300000)
    gensim_s = time.perf_counter() - t
    print(f"gensim:   accuracy {score:.4f} in {gensim_s:.2f} s")
    print(
        f"accuracy difference {abs(score - ours.accuracy):.5f}; speed ratio gensim/embedlab = "
        f"{gensim_s / ours_s:.1f}x"
    )


if __name__ == "__main__":
    main()
