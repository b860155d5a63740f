"""The ``embedlab`` command: a third face of the same core the dashboard uses.

``main`` (in :mod:`core.cli.main`) builds the parser from one module per command family:
``vectors`` (neighbours, analogy, convert), ``quality`` (evaluate analogies/similarity, diagnose),
``recs`` (train, evaluate recs), ``sweep``, ``sample_data`` and ``dashboard``; ``common`` holds
what they share (``emit``, ``load_vectors``, the log and engine options).
"""

from .main import main

__all__ = ["main"]
