"""The reference endpoint of ``bench/serve.py``: an exact numpy top-k and nothing else.

    REFERENCE_VECTORS=vectors.npy gunicorn -w 2 bench.reference_app:application

It loads the item vectors saved by the bench (the active engine's product vectors)
once per worker and answers ``GET /?size=n`` with the ``n`` best items for a fresh
random query: one matrix-vector product, ``argpartition`` and a sort. It reads no
database, checks no key and applies no policy, so it marks how fast a request can
be when retrieval is all there is; the engine is measured against it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from urllib.parse import parse_qs

import numpy as np

MAX_SIZE = 100

_vectors = np.load(os.environ["REFERENCE_VECTORS"], mmap_mode=None)
_vectors = np.ascontiguousarray(_vectors, dtype=np.float32)
_rng = np.random.default_rng()


def top_k(query: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    scores = _vectors @ query
    best = np.argpartition(scores, -size)[-size:]
    order = best[np.argsort(scores[best])[::-1]]
    return order, scores[order]


def application(
    environ: dict, start_response: Callable[[str, list], object]
) -> Iterable[bytes]:
    size = _size(environ.get("QUERY_STRING", ""))
    if size is None:
        return _reply(start_response, "400 Bad Request", {"error": "bad size"})

    query = _rng.standard_normal(_vectors.shape[1]).astype(np.float32)
    rows, scores = top_k(query, size)
    items = [
        {"id": int(row), "score": float(score)}
        for row, score in zip(rows, scores, strict=True)
    ]
    return _reply(start_response, "200 OK", {"items": items})


def _size(query_string: str) -> int | None:
    values = parse_qs(query_string).get("size", ["20"])
    try:
        size = int(values[0])
    except ValueError:
        return None
    if not 1 <= size <= min(MAX_SIZE, len(_vectors)):
        return None
    return size


def _reply(
    start_response: Callable[[str, list], object], status: str, payload: dict
) -> list[bytes]:
    body = json.dumps(payload).encode()
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
    ]
    start_response(status, headers)
    return [body]
