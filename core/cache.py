"""The cache folder: files derived from a set, kept between runs and shared by the processes of
one machine.  ``$EMBEDLAB_CACHE``, by default ``~/.cache/embedlab``, holds HNSW indexes
(``hnsw/``, :func:`core.search.cached_hnsw`), whole-set layouts (``layouts/``, :mod:`core.layouts`)
and numba's compiled UMAP code (``numba/``).  Everything there can be deleted: it is rebuilt."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """The cache folder (``$EMBEDLAB_CACHE``, default ``~/.cache/embedlab``); not created here.

    Returns
    -------
    Path

    Examples
    --------
    >>> (cache_dir() / "layouts").name
    'layouts'
    """
    return Path(os.environ.get("EMBEDLAB_CACHE", Path.home() / ".cache" / "embedlab"))
