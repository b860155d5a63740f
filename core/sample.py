"""A realistic synthetic interaction log with known ground truth.

Items belong to genres and have Zipf popularity; users have one or two favourite genres; each
session mostly stays in one genre, with time-ordered events minutes apart and days between
sessions.  Because the genre of every item is known, quality is measurable: an item's nearest
neighbours should share its genre.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ParameterError

GENRES = ["Action", "Adventure", "Animation", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
          "Horror", "Romance", "Sci-Fi", "Thriller"]
_ADJ = ["Silent", "Crimson", "Last", "Hidden", "Broken", "Golden", "Midnight", "Lost", "Wild", "Electric",
        "Frozen", "Secret", "Burning", "Distant", "Hollow", "Iron", "Paper", "Velvet", "Glass", "Restless"]
_NOUN = ["Harbor", "Empire", "Garden", "River", "Witness", "Horizon", "Machine", "Orchard", "Signal",
         "Kingdom", "Station", "Promise", "Frontier", "Carnival", "Voyage", "Letter", "Storm", "Mirror",
         "Circus", "Island"]
START = pd.Timestamp("2023-01-01", tz="UTC").timestamp()


@dataclass
class SampleLog:
    interactions: pd.DataFrame
    items: pd.DataFrame

    def write(self, out: str | Path) -> list[Path]:
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        paths = [out / "interactions.csv", out / "items.csv"]
        self.interactions.to_csv(paths[0], index=False)
        self.items.to_csv(paths[1], index=False)
        return paths


def generate(users: int = 3000, items: int = 1000, seed: int = 42, zipf: float = 0.9,
             events_per_user: float = 25.0, taste: float = 0.85) -> SampleLog:
    """Generate the log; the same arguments always give the same rows."""
    if items < len(GENRES):
        raise ParameterError(f"items({items}) must be >= the number of genres({len(GENRES)})")
    if users < 2:
        raise ParameterError(f"users({users}) must be >= 2")
    rng = np.random.default_rng(seed)
    catalog, genre_of, popularity = _catalog(items, rng, zipf)
    members = [np.flatnonzero(genre_of == g) for g in range(len(GENRES))]
    weights = [popularity[m] ** 0.7 / (popularity[m] ** 0.7).sum() for m in members]
    genre_pop = np.array([popularity[m].sum() for m in members])
    genre_pop /= genre_pop.sum()
    rows = []
    for u in range(users):
        favs = rng.choice(len(GENRES), size=rng.integers(1, 3), replace=False, p=genre_pop)
        n_events = max(2, int(rng.lognormal(np.log(events_per_user), 0.6)))
        t = START + rng.uniform(0, 300 * 86400)
        done = 0
        while done < n_events:
            length = min(n_events - done, 1 + rng.geometric(1 / 5))
            g = rng.choice(favs) if rng.random() < taste else rng.choice(len(GENRES), p=genre_pop)
            picks = rng.choice(members[g], size=length, p=weights[g])
            gaps = np.cumsum(rng.uniform(60, 8 * 60, size=length))
            liked = np.isin(genre_of[picks], favs)
            rating = np.where(liked, rng.choice([4, 5], size=length, p=[0.5, 0.5]),
                              rng.choice([1, 2, 3, 4], size=length, p=[0.2, 0.35, 0.3, 0.15]))
            rows.append((np.full(length, u), picks, (t + gaps).astype(np.int64), rating))
            t += gaps[-1] + rng.exponential(3 * 86400) + 3600
            done += length
    user, item, time, rating = (np.concatenate(parts) for parts in zip(*rows))
    log = pd.DataFrame({"user_id": np.char.add("u", np.char.zfill(user.astype(str), 5)),
                        "item_id": catalog.item_id.to_numpy()[item], "timestamp": time, "rating": rating})
    return SampleLog(log, catalog)


def _catalog(items: int, rng: np.random.Generator, zipf: float):
    genre_of = np.concatenate([np.arange(len(GENRES)), rng.integers(0, len(GENRES), items - len(GENRES))])
    rng.shuffle(genre_of)
    second = np.where(rng.random(items) < 0.25, rng.integers(0, len(GENRES), items), -1)
    popularity = 1.0 / np.arange(1, items + 1) ** zipf
    popularity = popularity[rng.permutation(items)]
    titles, seen = [], set()
    for i in range(items):
        while True:
            t = f"The {rng.choice(_ADJ)} {rng.choice(_NOUN)} ({rng.integers(1970, 2024)})"
            if t not in seen:
                seen.add(t)
                break
        titles.append(t)
    genres = [GENRES[g] if s < 0 or s == g else f"{GENRES[g]}|{GENRES[s]}" for g, s in zip(genre_of, second)]
    catalog = pd.DataFrame({"item_id": [f"i{i:04d}" for i in range(items)], "title": titles,
                            "genre": [GENRES[g] for g in genre_of], "genres": genres})
    return catalog, genre_of, popularity
