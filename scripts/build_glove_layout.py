"""Rebuild the shipped 2-D layout of the built-in GloVe 6B 50d (all 400,000 words).

Deterministic for a given seed and library versions: openTSNE (FFT) of the 50,000 most frequent
words over exact faiss neighbours (seed 0, perplexity 30, 125 + 250 steps); each of the other
350,000 words is placed at the median position of its 10 nearest of those (openTSNE's transform
start).  Writes ``core/data/layouts/<key>.npz`` (float16 coordinates, cluster of each word, cluster
centres; no pickles) and its ``.json`` sidecar (method, parameters, seed, content hash of the
vectors, cluster labels), the files :func:`core.layouts.cached` finds.

    # ~2.5 min on 2 busy cores (issue 13: 137 s wall, 83 s CPU)
    nice -n 10 python scripts/build_glove_layout.py
    python scripts/build_glove_layout.py --limit 20000 --out /tmp/x   # a quick trial
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # no spinning threads on a shared, busy machine

import argparse
import logging
import time
from pathlib import Path

import numpy as np

from embedlab.core import layouts
from embedlab.core.io.builtin import load_builtin


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", default="tsne", choices=layouts.LAYOUT_METHODS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--limit", type=int, default=None, help="only the N most frequent words (trials)"
    )
    parser.add_argument("--out", type=Path, default=layouts.SHIPPED)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    emb = load_builtin("glove-6b-50d", limit=args.limit)
    spec = layouts.LayoutSpec(args.method, seed=args.seed)
    start = time.perf_counter()
    last = [0.0]

    def progress(fraction: float, message: str) -> None:
        if fraction - last[0] >= 0.02 or fraction in (0.0, 1.0):
            last[0] = fraction
            logging.info(
                "%3.0f%% %s (%.0f s)", 100 * fraction, message, time.perf_counter() - start
            )

    layout = layouts.compute(emb, None, spec, progress)
    layout.extra["vectors"] = (
        emb.provenance.data_hash
    )  # the package and version the hash was taken of
    path = layouts.save(layout, args.out / f"{layout.key}.npz", dtype=np.float16)
    logging.info(
        "wrote %s (%d points, %.0f s); labels: %s",
        path,
        len(layout.ids),
        layout.seconds,
        ", ".join(layout.labels[:10]),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
