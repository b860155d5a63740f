"""A realistic synthetic interaction log with known ground truth.

Items belong to genres, and within a genre to small series (sequels, a shop's product line), and
have Zipf popularity; users have one or two favourite genres; each session mostly stays in one
genre and often moves to another item of the same series, with time-ordered events minutes apart
and days between sessions.  Because every item's genre and series are known, quality is
measurable: an item's nearest neighbours should share its genre, and mostly its series.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ParameterError

GENRES = [
    "Action",
    "Adventure",
    "Animation",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Horror",
    "Romance",
    "Sci-Fi",
    "Thriller",
]
_ADJ = [
    "Silent",
    "Crimson",
    "Last",
    "Hidden",
    "Broken",
    "Golden",
    "Midnight",
    "Lost",
    "Wild",
    "Electric",
    "Frozen",
    "Secret",
    "Burning",
    "Distant",
    "Hollow",
    "Iron",
    "Paper",
    "Velvet",
    "Glass",
    "Restless",
]
_NOUN = [
    "Harbor",
    "Empire",
    "Garden",
    "River",
    "Witness",
    "Horizon",
    "Machine",
    "Orchard",
    "Signal",
    "Kingdom",
    "Station",
    "Promise",
    "Frontier",
    "Carnival",
    "Voyage",
    "Letter",
    "Storm",
    "Mirror",
    "Circus",
    "Island",
]
START = pd.Timestamp("2023-01-01", tz="UTC").timestamp()


@dataclass
class SampleLog:
    interactions: pd.DataFrame
    items: pd.DataFrame

    def write(self, out: str | Path, force: bool = False) -> list[Path]:
        """interactions.csv and items.csv in ``out``, each written atomically; an existing file
        is replaced only with ``force``."""
        from .io.atomic import atomic_file, check_file_target

        out = Path(out)
        paths = [out / "interactions.csv", out / "items.csv"]
        for path in paths:
            check_file_target(path, force)
        for path, frame in zip(paths, (self.interactions, self.items)):
            with atomic_file(path) as tmp:
                frame.to_csv(tmp, index=False)
        return paths


def generate(
    users: int = 3000,
    items: int = 1000,
    seed: int = 42,
    zipf: float = 0.9,
    events_per_user: float = 25.0,
    taste: float = 0.85,
    follow: float = 0.6,
    series_size: int = 8,
) -> SampleLog:
    """Generate the log; the same arguments always give the same rows."""
    if items < len(GENRES):
        raise ParameterError(f"items({items}) must be >= the number of genres({len(GENRES)})")
    if users < 2:
        raise ParameterError(f"users({users}) must be >= 2")
    rng = np.random.default_rng(seed)
    catalog, genre_of, popularity = _catalog(items, rng, zipf)
    members = [np.flatnonzero(genre_of == g) for g in range(len(GENRES))]
    series_of, series_members = _series(members, series_size, rng)
    catalog["series"] = [f"{GENRES[genre_of[i]]} #{series_of[i]}" for i in range(items)]
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
            picks = _session_items(
                rng, members[g], weights[g], series_members, series_of, popularity, length, follow
            )
            gaps = np.cumsum(rng.uniform(60, 8 * 60, size=length))
            liked = np.isin(genre_of[picks], favs)
            rating = np.where(
                liked,
                rng.choice([4, 5], size=length, p=[0.5, 0.5]),
                rng.choice([1, 2, 3, 4], size=length, p=[0.2, 0.35, 0.3, 0.15]),
            )
            rows.append((np.full(length, u), picks, (t + gaps).astype(np.int64), rating))
            t += gaps[-1] + rng.exponential(3 * 86400) + 3600
            done += length
    user, item, time, rating = (np.concatenate(parts) for parts in zip(*rows))
    log = pd.DataFrame(
        {
            "user_id": np.char.add("u", np.char.zfill(user.astype(str), 5)),
            "item_id": catalog.item_id.to_numpy()[item],
            "timestamp": time,
            "rating": rating,
        }
    )
    return SampleLog(log, catalog)


def _series(members, size: int, rng) -> tuple[np.ndarray, dict]:
    """Split each genre's items at random into series of about ``size`` items."""
    series_of = np.zeros(sum(len(m) for m in members), dtype=np.int64)
    groups: dict[int, np.ndarray] = {}
    next_id = 0
    for m in members:
        shuffled = rng.permutation(m)
        for chunk in np.array_split(shuffled, max(1, round(len(m) / size))):
            series_of[chunk] = next_id
            groups[next_id] = chunk
            next_id += 1
    return series_of, groups


def _session_items(
    rng, genre_items, genre_weights, series_members, series_of, popularity, length, follow
):
    """The first item by popularity within the genre; each next one stays in the previous item's
    series with probability ``follow``."""
    picks = [rng.choice(genre_items, p=genre_weights)]
    for _ in range(length - 1):
        if rng.random() < follow:
            mates = series_members[series_of[picks[-1]]]
            w = popularity[mates] ** 0.7
            picks.append(rng.choice(mates, p=w / w.sum()))
        else:
            picks.append(rng.choice(genre_items, p=genre_weights))
    return np.array(picks)


def _catalog(items: int, rng: np.random.Generator, zipf: float):
    genre_of = np.concatenate(
        [np.arange(len(GENRES)), rng.integers(0, len(GENRES), items - len(GENRES))]
    )
    rng.shuffle(genre_of)
    second = np.where(rng.random(items) < 0.25, rng.integers(0, len(GENRES), items), -1)
    popularity = 1.0 / np.arange(1, items + 1) ** zipf
    popularity = popularity[rng.permutation(items)]
    titles, seen = [], set()
    for _ in range(items):
        while True:
            t = f"The {rng.choice(_ADJ)} {rng.choice(_NOUN)} ({rng.integers(1970, 2024)})"
            if t not in seen:
                seen.add(t)
                break
        titles.append(t)
    genres = [
        GENRES[g] if s < 0 or s == g else f"{GENRES[g]}|{GENRES[s]}"
        for g, s in zip(genre_of, second)
    ]
    catalog = pd.DataFrame(
        {
            "item_id": [f"i{i:04d}" for i in range(items)],
            "title": titles,
            "genre": [GENRES[g] for g in genre_of],
            "genres": genres,
        }
    )
    return catalog, genre_of, popularity
