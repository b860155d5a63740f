"""item2vec end to end (CSV log → vectors) against gensim Word2Vec training alone on the same
sentences with the same parameters, measured in one run.

Run: python benchmarks/bench_item2vec.py [users]
"""

import sys
import tempfile
import time
from pathlib import Path

from gensim.models import Word2Vec

from embedlab.core.logs import prepare
from embedlab.core.logs.sequences import as_sentences, sessions
from embedlab.core.sample import generate
from embedlab.core.train import train
from embedlab.core.train.item2vec import DEFAULTS


def main() -> None:
    users = int(sys.argv[1]) if len(sys.argv) > 1 else 40000
    with tempfile.TemporaryDirectory() as tmp:
        generate(users=users, items=5000, seed=0).write(tmp)
        log = Path(tmp) / "interactions.csv"
        t = time.perf_counter()
        inter = prepare(log)
        result = train(inter, "item2vec", seed=0)
        ours = time.perf_counter() - t
        sentences = as_sentences(sessions(prepare(log)))
    p = {k: v for k, v in DEFAULTS.items()}
    t = time.perf_counter()
    Word2Vec(
        sentences=sentences,
        vector_size=p["vector_size"],
        window=p["window"],
        negative=p["negative"],
        ns_exponent=p["ns_exponent"],
        sample=p["sample"],
        epochs=p["epochs"],
        min_count=p["min_count"],
        sg=p["sg"],
        alpha=p["alpha"],
        workers=p["workers"],
        seed=0,
    )
    gensim_s = time.perf_counter() - t
    print(
        f"log: {len(inter):,} events, {inter.n_users:,} users, {inter.n_items:,} items, "
        f"{len(sentences):,} sessions"
    )
    print(
        f"embedlab end to end (read, validate, sessionise, train, reorder): {ours:.2f} s "
        f"(training {result.seconds:.2f} s)"
    )
    print(
        f"gensim Word2Vec alone on the same sentences: {gensim_s:.2f} s; "
        f"ratio = {ours / gensim_s:.2f}x"
    )


if __name__ == "__main__":
    main()
