"""Neighbour search on GloVe 6B 50d (400k × 50): embedlab exact vs faiss IndexFlatIP, single-query
latency, and HNSW recall@10 / throughput against exact — all measured in one run.

Run: python benchmarks/bench_search.py
"""

import time

import numpy as np

from embedlab.core import io
from embedlab.core.search import HnswIndex, neighbours, recall_at_k, top_k


def timed(fn, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    import faiss

    emb = io.load("glove-6b-50d")
    unit = np.ascontiguousarray(emb.unit)
    rng = np.random.default_rng(0)
    queries = np.asarray(emb.vectors[rng.choice(len(emb), 1000, replace=False)])

    flat = faiss.IndexFlatIP(emb.dim)
    flat.add(unit)
    qn = queries / np.linalg.norm(queries, axis=1, keepdims=True)
    faiss_s, (_, faiss_ids) = timed(lambda: flat.search(qn, 10))
    ours_s, (ids, _, _) = timed(lambda: top_k(emb, queries, 10, "cosine", method="exact"))
    same = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ids, faiss_ids)])
    print(
        f"exact, 1000 top-10 cosine queries: embedlab {ours_s:.3f} s, "
        f"faiss IndexFlatIP {faiss_s:.3f} s, "
        f"ratio embedlab/faiss = {ours_s / faiss_s:.2f} (same results: {same:.4f})"
    )

    keys = [emb.keys[i] for i in rng.choice(50000, 200, replace=False)]
    lat = []
    for key in keys:
        t = time.perf_counter()
        neighbours(emb, key, k=10)
        lat.append(time.perf_counter() - t)
    print(
        f"single query (neighbours of a key, k=10): p50 {np.median(lat) * 1000:.2f} ms, "
        f"p95 {np.percentile(lat, 95) * 1000:.2f} ms"
    )

    t = time.perf_counter()
    index = HnswIndex(emb, metric="cosine", target_recall=0.95).build()
    build_s = time.perf_counter() - t
    ann_s, (ann_ids, _) = timed(lambda: index.search(qn, 10))
    exact_ids = ids
    recall = recall_at_k(ann_ids, exact_ids)
    print(
        f"HNSW (M={index.M}, efConstruction={index.ef_construction}, efSearch={index.ef_search_}): "
        f"build {build_s:.1f} s; recall@10 on 1000 held-in queries {recall:.4f} "
        f"(build-time estimate {index.recall:.4f}); batch {ann_s:.3f} s vs exact {ours_s:.3f} s = "
        f"{ours_s / ann_s:.1f}x throughput"
    )


if __name__ == "__main__":
    main()
