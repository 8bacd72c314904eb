"""Signals that content is AI-generated although nobody said so ("detected only",
the third tier of clause 6.4).

Synthetic voices speak at an even rate with almost flat pitch; generated product
pictures come with studio-smooth gradient backgrounds where a photo of a product on
a plain backdrop has one colour from edge to corner.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
from PIL import Image

FLAT_PITCH = 0.12  # human anchors measured 0.15 and above, synthetic ones ~0.05
GRADIENT_STEP = 12  # colour distance between corner and edge midpoint


def synthetic_voice(stats: Iterable[Mapping[str, float]]) -> bool:
    """Most broadcasts of the anchor have a flat pitch."""
    values = [
        float(row["pitch_variability"]) for row in stats if "pitch_variability" in row
    ]
    if not values:
        return False
    return float(np.median(values)) < FLAT_PITCH


def generated_picture(image: Image.Image) -> bool:
    """The backdrop changes colour between the corner and the middle of the edge."""
    rgb = image.convert("RGB")
    width, height = rgb.size
    if width < 8 or height < 8:
        return False
    corner = np.array(rgb.getpixel((1, 1)), dtype=float)
    edge = np.array(rgb.getpixel((1, height // 2)), dtype=float)
    return float(np.abs(corner - edge).sum()) > GRADIENT_STEP
