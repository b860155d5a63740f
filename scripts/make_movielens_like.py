"""Write a small synthetic pair shaped like MovieLens 100K as published (``tests/data/movielens/``):
MovieLens may not be redistributed, so the tests use this instead.

- ``ratings.data``: headerless, tab-separated user · item · rating · unix time (like ``u.data``);
  one row ends in a tab, as a row of the copy the issue was found with did;
- ``items.item``: headerless, ``|``-separated, latin-1: id · title · release date · (empty) · URL ·
  19 genre flags (like ``u.item``);
- ``genres.txt``: the genre names in flag order, ``name|index`` (like ``u.genre``).

    python scripts/make_movielens_like.py tests/data/movielens
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

GENRES = ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime"]
GENRES += ["Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery"]
GENRES += ["Romance", "Sci-Fi", "Thriller", "War", "Western"]
WORDS = ["Café", "Garden", "Señor", "Night", "Stars", "Über", "River", "Crème", "Heat", "Zoë"]
ITEMS, USERS, PER_USER = 60, 80, 20


def titles() -> list[str]:
    return [f"{WORDS[k % len(WORDS)]} {k + 1:02d} ({1980 + k % 20})" for k in range(ITEMS)]


def items_text(rng) -> str:
    rows = []
    for k, title in enumerate(titles()):
        flags = np.zeros(len(GENRES), dtype=int)
        flags[1 + k % 6] = 1  # a main genre among Action..Crime: items k, k+6, ... share it
        flags[rng.integers(7, len(GENRES))] = 1
        url = "http://example.org/title?" + title.replace(" ", "%20")
        rows.append(
            "|".join([str(k + 1), title, f"01-Jan-{1980 + k % 20}", "", url, *map(str, flags)])
        )
    return "\n".join(rows) + "\n"


def ratings_text(rng) -> str:
    rows = []
    for user in range(1, USERS + 1):
        taste = user % 6
        liked = [k for k in range(ITEMS) if k % 6 == taste]
        others = rng.choice(ITEMS, size=PER_USER - len(liked), replace=False)
        for k in list(liked) + [int(o) for o in others if int(o) not in liked]:
            rows.append(f"{user}\t{k + 1}\t{int(rng.integers(1, 6))}\t{881250949 + len(rows) * 37}")
    rows[2] += "\t"  # a trailing separator: an empty extra field, to be read
    return "\n".join(rows) + "\n"


def main(folder: Path) -> None:
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "items.item").write_bytes(items_text(rng).encode("latin-1"))
    (folder / "ratings.data").write_text(ratings_text(rng))
    genres = "".join(f"{name}|{k}\n" for k, name in enumerate(GENRES)) + "\n"
    (folder / "genres.txt").write_text(genres)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "tests/data/movielens"))
