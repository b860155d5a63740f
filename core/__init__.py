"""embedlab core: a library (no UI imports) behind the dashboard and the CLI."""

from .embeddings import Embeddings, Provenance
from .errors import (
    DataError,
    EmbedlabError,
    ExpressionError,
    FormatError,
    ParameterError,
    UnknownKeyError,
    UnsafeFileError,
)

__all__ = [
    "Embeddings",
    "Provenance",
    "EmbedlabError",
    "FormatError",
    "UnsafeFileError",
    "UnknownKeyError",
    "ExpressionError",
    "DataError",
    "ParameterError",
]
