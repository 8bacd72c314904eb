"""Image features of product pictures: colour, coarse shape and edges, then PCA.

Per picture, on a 32 x 32 thumbnail:

- an HSV colour histogram: 12 hue bins weighted by saturation x value (so a white
  or grey background does not vote for a hue), 4 saturation and 4 value bins;
- an 8 x 8 grayscale thumbnail, standardised per picture (the silhouette);
- edge statistics: mean and spread of the gradient magnitude, the share of edge
  pixels and an 8-bin histogram of gradient orientation weighted by magnitude
  (sharp rendering versus soft, generated-looking pictures).

The raw vector is standardised over the catalogue and reduced by PCA. A product
without a readable picture gets a zero vector.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Self

import numpy as np
from PIL import Image, UnidentifiedImageError
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

logger = logging.getLogger(__name__)

THUMB = 32
SHAPE = 8
HUE_BINS, SAT_BINS, VAL_BINS, ORIENTATION_BINS = 12, 4, 4, 8
RAW_DIMS = HUE_BINS + SAT_BINS + VAL_BINS + SHAPE * SHAPE + 3 + ORIENTATION_BINS
# Pictures are decoded and described this many at a time to bound memory.
CHUNK = 1024
# Gradient magnitude (0-255 scale) above which a pixel counts as an edge.
EDGE_THRESHOLD = 40.0

ImageSource = str | Path | Image.Image | None


def _thumbnail(source: ImageSource) -> Image.Image | None:
    if source is None:
        return None
    try:
        image = source if isinstance(source, Image.Image) else Image.open(source)
        return image.convert("RGB").resize((THUMB, THUMB), Image.Resampling.BILINEAR)
    except (OSError, UnidentifiedImageError, ValueError):
        logger.warning("unreadable product picture", extra={"source": str(source)})
        return None


def _histogram(values: np.ndarray, bins: int, weights: np.ndarray) -> np.ndarray:
    """Per-picture histograms of ``values`` (n, pixels) in [0, 256), normalised."""
    n = values.shape[0]
    index = (values.astype(np.int64) * bins) // 256 + bins * np.arange(n)[:, None]
    counts = np.bincount(index.ravel(), weights.ravel(), minlength=n * bins)
    counts = counts.reshape(n, bins)
    return counts / np.maximum(counts.sum(axis=1, keepdims=True), 1e-9)


def _edges(gray: np.ndarray) -> np.ndarray:
    dx = np.zeros_like(gray)
    dy = np.zeros_like(gray)
    dx[:, :, 1:-1] = (gray[:, :, 2:] - gray[:, :, :-2]) / 2.0
    dy[:, 1:-1, :] = (gray[:, 2:, :] - gray[:, :-2, :]) / 2.0
    magnitude = np.hypot(dx, dy).reshape(len(gray), -1)
    # Orientation modulo pi: an edge and its opposite are the same edge.
    angle = np.mod(np.arctan2(dy, dx), np.pi).reshape(len(gray), -1)
    orientation = _histogram(angle / np.pi * 255.999, ORIENTATION_BINS, magnitude)
    stats = np.stack(
        [
            magnitude.mean(axis=1) / 255.0,
            magnitude.std(axis=1) / 255.0,
            (magnitude > EDGE_THRESHOLD).mean(axis=1),
        ],
        axis=1,
    )
    return np.hstack([stats, orientation])


def describe(thumbnails: Sequence[Image.Image]) -> np.ndarray:
    """Raw descriptors (n, RAW_DIMS) of 32 x 32 RGB thumbnails."""
    hsv = np.stack([np.asarray(t.convert("HSV")) for t in thumbnails])
    hsv = hsv.reshape(len(thumbnails), -1, 3).astype(np.float32)
    hue, saturation, value = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    colour_weight = saturation * value / 255.0**2
    ones = np.ones_like(hue)
    gray = np.stack([np.asarray(t.convert("L"), dtype=np.float32) for t in thumbnails])

    small = gray.reshape(len(gray), SHAPE, THUMB // SHAPE, SHAPE, THUMB // SHAPE)
    small = small.mean(axis=(2, 4)).reshape(len(gray), -1)
    small = (small - small.mean(axis=1, keepdims=True)) / (
        small.std(axis=1, keepdims=True) + 1e-6
    )
    return np.hstack(
        [
            _histogram(hue, HUE_BINS, colour_weight),
            _histogram(saturation, SAT_BINS, ones),
            _histogram(value, VAL_BINS, ones),
            small,
            _edges(gray),
        ]
    )


def raw_features(sources: Sequence[ImageSource]) -> tuple[np.ndarray, np.ndarray]:
    """Raw descriptors of every picture and a mask of those that could be read."""
    raw = np.zeros((len(sources), RAW_DIMS), dtype=np.float64)
    present = np.zeros(len(sources), dtype=bool)
    for start in range(0, len(sources), CHUNK):
        thumbs = [_thumbnail(s) for s in sources[start : start + CHUNK]]
        found = [i for i, thumb in enumerate(thumbs) if thumb is not None]
        if not found:
            continue
        rows = start + np.array(found)
        raw[rows] = describe([thumbs[i] for i in found])
        present[rows] = True
    return raw, present


class ImageFeaturizer:
    """Standardised raw descriptors reduced by PCA to ``n_components`` dims."""

    def __init__(self, n_components: int = 16, *, random_state: int = 0) -> None:
        self.n_components = n_components
        self.random_state = random_state

    def fit(self, sources: Sequence[ImageSource]) -> Self:
        self.fit_transform(sources)
        return self

    def fit_transform(self, sources: Sequence[ImageSource]) -> np.ndarray:
        raw, present = raw_features(sources)
        return self.fit_raw(raw, present)

    def fit_raw(self, raw: np.ndarray, present: np.ndarray) -> np.ndarray:
        if present.sum() < 2:
            raise ValueError("Image features need at least two readable pictures.")
        self.scaler_ = StandardScaler().fit(raw[present])
        rank = min(self.n_components, int(present.sum()) - 1, RAW_DIMS)
        self.pca_ = PCA(rank, random_state=self.random_state)
        self.pca_.fit(self.scaler_.transform(raw[present]))
        return self.transform_raw(raw, present)

    def transform(self, sources: Sequence[ImageSource]) -> np.ndarray:
        return self.transform_raw(*raw_features(sources))

    def transform_raw(self, raw: np.ndarray, present: np.ndarray) -> np.ndarray:
        out = np.zeros((len(raw), self.n_components), dtype=np.float32)
        if present.any():
            reduced = self.pca_.transform(self.scaler_.transform(raw[present]))
            out[present, : reduced.shape[1]] = reduced
        return out
