"""A synthetic explicit-feedback data set shaped like MovieLens-100k, for tuning.

The generator plants the structure that collaborative filtering feeds on and that
real rating logs show:

- a long tail of item popularity (a few items rated by over half the users, many
  by a handful) from a log-normal popularity logit;
- user activity from 20 ratings upwards with a heavy right tail, as in
  MovieLens-100k where every user has at least 20 ratings;
- latent tastes: users and items get vectors in a space of ``n_factors`` genres,
  items lean towards one or two genres, and a user's chance of rating an item
  grows with their affinity;
- ratings 1-5 that follow affinity plus noise, with MovieLens-like proportions;
- timestamps in MovieLens-100k's period, each user active over a short stretch.

Which items a user rates is drawn without replacement with probabilities
proportional to exp(popularity + taste x affinity), by the Gumbel top-n trick.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Share of each rating 1..5 in MovieLens-100k.
RATING_SHARES = np.array([0.061, 0.114, 0.271, 0.341, 0.213])
# MovieLens-100k's first and last timestamps (September 1997 to April 1998).
PERIOD = (874_724_710, 893_286_638)
MIN_RATINGS_PER_USER = 20
DAY = 86_400


@dataclass(frozen=True)
class SyntheticRatings:
    users: np.ndarray
    items: np.ndarray
    ratings: np.ndarray
    timestamps: np.ndarray
    n_users: int
    n_items: int

    def __len__(self) -> int:
        return int(self.users.size)


def generate_ratings(
    *,
    n_users: int = 943,
    n_items: int = 1682,
    n_ratings: int = 100_000,
    n_factors: int = 18,
    taste: float = 1.35,
    popularity_spread: float = 1.6,
    random_state: int | None = 0,
) -> SyntheticRatings:
    """Draw a rating log; user and item ids are 1-based as in ``u.data``."""
    if n_users < 1 or n_items <= MIN_RATINGS_PER_USER or n_ratings < n_users:
        raise ValueError("need users, more items than 20 and a rating per user")
    rng = np.random.default_rng(random_state)

    activity = _activity(rng, n_users, n_items, n_ratings)
    user_taste, item_profile = _latent(rng, n_users, n_items, n_factors)
    popularity = rng.normal(0.0, popularity_spread, n_items)

    users, items, affinity = [], [], []
    for user in range(n_users):
        user_affinity = item_profile @ user_taste[user]
        logits = popularity + taste * user_affinity
        keys = logits + rng.gumbel(size=n_items)
        chosen = np.argpartition(-keys, activity[user] - 1)[: activity[user]]
        users.append(np.full(chosen.size, user))
        items.append(chosen)
        affinity.append(user_affinity[chosen])

    users_all = np.concatenate(users)
    affinity_all = np.concatenate(affinity)
    return SyntheticRatings(
        users=users_all + 1,
        items=np.concatenate(items) + 1,
        ratings=_ratings(rng, affinity_all),
        timestamps=_timestamps(rng, users_all, n_users),
        n_users=n_users,
        n_items=n_items,
    )


def write_ml100k(path: str | Path, data: SyntheticRatings) -> Path:
    """Write the log as tab-separated ``user item rating timestamp`` lines."""
    path = Path(path)
    table = np.column_stack((data.users, data.items, data.ratings, data.timestamps))
    np.savetxt(path, table, fmt="%d", delimiter="\t")
    return path


def _activity(
    rng: np.random.Generator, n_users: int, n_items: int, n_ratings: int
) -> np.ndarray:
    """Ratings per user: at least 20, heavy-tailed, summing to about n_ratings."""
    floor = min(MIN_RATINGS_PER_USER, n_ratings // n_users)
    extra = rng.lognormal(mean=0.0, sigma=1.0, size=n_users)
    extra *= max(0, n_ratings - floor * n_users) / extra.sum()
    return np.clip(np.round(floor + extra), floor, n_items // 2).astype(np.int64)


def _latent(
    rng: np.random.Generator, n_users: int, n_items: int, n_factors: int
) -> tuple[np.ndarray, np.ndarray]:
    """Users like a few genres; items belong mostly to one or two of them."""
    user_taste = rng.dirichlet(np.full(n_factors, 0.3), size=n_users)
    item_profile = rng.dirichlet(np.full(n_factors, 0.2), size=n_items)
    # Centre affinities so taste shifts choices between items rather than making
    # every item more likely at once.
    user_taste -= 1.0 / n_factors
    return user_taste * np.sqrt(n_factors), item_profile * np.sqrt(n_factors)


def _ratings(rng: np.random.Generator, affinity: np.ndarray) -> np.ndarray:
    noisy = affinity + rng.normal(0.0, affinity.std() + 1e-9, affinity.size)
    edges = np.quantile(noisy, np.cumsum(RATING_SHARES)[:-1])
    return np.searchsorted(edges, noisy).astype(np.int64) + 1


def _timestamps(
    rng: np.random.Generator, users: np.ndarray, n_users: int
) -> np.ndarray:
    """Each user starts at a random moment and rates over a few days to weeks."""
    first, last = PERIOD
    span = np.minimum(rng.exponential(20 * DAY, n_users), last - first)
    start = first + rng.random(n_users) * (last - first - span)
    stamps = start[users] + rng.random(users.size) * span[users]
    return stamps.astype(np.int64)
