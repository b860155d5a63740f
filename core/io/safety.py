"""Refuse files whose loading could execute code.

gensim ``.model``/``.kv`` files, ``.pkl`` and ``.joblib`` are pickles: unpickling runs whatever the
file's author put in it.  We never load them, whatever their extension claims.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UnsafeFileError

PICKLE_SUFFIXES = {".model", ".kv", ".pkl", ".pickle", ".joblib", ".pt", ".pth", ".bin.pkl"}
SAFE_ALTERNATIVE = (
    "save the vectors in a safe format instead, e.g. "
    "model.wv.save_word2vec_format('vectors.txt') in gensim, then load that file"
)


def looks_like_pickle(head: bytes) -> bool:
    """Protocol 2+ pickles start with PROTO (0x80) and a protocol number."""
    return len(head) >= 2 and head[0] == 0x80 and 1 <= head[1] <= 5


def refuse_pickles(path: Path, head: bytes) -> None:
    """Raise UnsafeFileError if ``path`` is, or claims to be, a pickle."""
    suffix = path.suffix.lower()
    if suffix in PICKLE_SUFFIXES:
        raise UnsafeFileError(
            f"refusing to open a '{suffix}' file: it is a Python pickle, and loading "
            "a pickle can execute arbitrary code",
            path=path,
            hint=SAFE_ALTERNATIVE,
        )
    if looks_like_pickle(head):
        raise UnsafeFileError(
            "refusing to open this file: its bytes are a Python pickle, and loading a "
            "pickle can execute arbitrary code",
            path=path,
            hint=SAFE_ALTERNATIVE,
        )
