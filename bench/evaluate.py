"""Fit and recommend time and peak memory of the recall models.

    python bench/evaluate.py                 # ML-100k-sized synthetic set, then large
    python bench/evaluate.py --skip-large
    python bench/evaluate.py --large-ease    # also EASE on the large catalogue (slow)

Each model runs in a forked child process so that its peak resident memory can be
read on its own: the figure is the child's peak RSS minus its RSS before fitting.
The small set is the MovieLens-100k-shaped generator of the evaluation package; the
large one (100k users x 20k items, about 5M interactions) is drawn here from
clustered popularity, which is quicker to generate at that size.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The host has two cores; one BLAS thread per process keeps timings comparable.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

from recengine.evaluation.synthetic import generate_ratings  # noqa: E402
from recengine.learning.blend import Blend  # noqa: E402
from recengine.learning.cf import EASE, ItemKNN, MostPopular  # noqa: E402
from recengine.learning.lowrank import ImplicitALS, PureSVD  # noqa: E402

RECOMMEND_USERS = 10_000


def main() -> None:
    args = _arguments()
    small = generate_ratings(random_state=0)
    X = sp.csr_matrix(
        (np.ones(len(small), dtype=np.float32), (small.users - 1, small.items - 1)),
        shape=(small.n_users, small.n_items),
    )
    _report("ML-100k-shaped synthetic", X, _small_models())
    if args.skip_large:
        return

    started = time.perf_counter()
    large = clustered_interactions(100_000, 20_000, 5_000_000, seed=1)
    print(f"large set generated in {time.perf_counter() - started:.1f}s")
    _report("large synthetic", large, _large_models(args.large_ease))


def clustered_interactions(
    n_users: int, n_items: int, n_interactions: int, *, seed: int
) -> sp.csr_matrix:
    """Users in 200 taste clusters draw items from their cluster's popularity."""
    rng = np.random.default_rng(seed)
    popularity = rng.lognormal(0.0, 1.5, n_items)
    cluster_of_user = rng.integers(0, 200, n_users)
    activity = np.maximum(5, rng.lognormal(0, 1, n_users))
    activity = np.round(activity * n_interactions / activity.sum()).astype(np.int64)

    rows, cols = [], []
    for cluster in range(200):
        members = np.flatnonzero(cluster_of_user == cluster)
        boost = np.where(rng.random(n_items) < 0.05, 20.0, 1.0)
        weights = popularity * boost
        draws = rng.choice(n_items, activity[members].sum(), p=weights / weights.sum())
        rows.append(np.repeat(members, activity[members]))
        cols.append(draws)
    data = np.ones(sum(len(c) for c in cols), dtype=np.float32)
    matrix = sp.csr_matrix(
        (data, (np.concatenate(rows), np.concatenate(cols))), shape=(n_users, n_items)
    )
    matrix.data[:] = 1.0
    return matrix


def _small_models() -> dict:
    return {
        "most_popular": MostPopular(),
        "item_knn(100)": ItemKNN(100),
        "ease(250)": EASE(250.0),
        "pure_svd(64)": PureSVD(64, random_state=0),
        "als(32)": ImplicitALS(32, random_state=0),
        "blend(ease+als)": Blend([EASE(250.0), ImplicitALS(16, random_state=0)]),
    }


def _large_models(with_ease: bool) -> dict:
    models = {
        "most_popular": MostPopular(),
        "item_knn(100)": ItemKNN(100),
        "pure_svd(64)": PureSVD(64, random_state=0),
        "als(64)": ImplicitALS(64, random_state=0),
    }
    if with_ease:
        models["ease(250)"] = EASE(250.0)
    return models


def _report(title: str, X: sp.csr_matrix, models: dict) -> None:
    users = np.arange(min(RECOMMEND_USERS, X.shape[0]))
    print(f"\n{title}: {X.shape[0]} users x {X.shape[1]} items, {X.nnz} interactions")
    print(f"{'model':<18}{'fit s':>9}{'recommend s':>13}{'users':>8}{'peak MB':>10}")
    context = multiprocessing.get_context("fork")
    for name, model in models.items():
        with context.Pool(1) as pool:
            fit, recommend, peak = pool.apply(_measure, (model, X, users))
        print(f"{name:<18}{fit:>9.2f}{recommend:>13.2f}{users.size:>8}{peak:>10.0f}")


def _measure(model, X: sp.csr_matrix, users: np.ndarray) -> tuple[float, float, float]:
    before = _current_rss_mb()
    started = time.perf_counter()
    model.fit(X)
    fitted = time.perf_counter()
    model.recommend(users, 10)
    finished = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return fitted - started, finished - fitted, peak - before


def _current_rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--large-ease", action="store_true")
    return parser.parse_args()


if __name__ == "__main__":
    main()
