"""Small product pictures whose colours and shapes carry the product's category.

Each category has its own hue and silhouette, so image features can learn the
vertical. Pictures the ground truth calls AI-generated are rendered differently
(smooth gradient, soft edges) and, when the producer kept it, carry an implicit AIGC
label in a PNG text chunk as GB 45438-2025 asks of generated files.
"""

from __future__ import annotations

import colorsys
import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from PIL.PngImagePlugin import PngInfo

SIZE = 64
FOLDER = "products"
AIGC_PRODUCER = "livecommerce-simulator"

# (hue in [0, 1), silhouette) per category, in the order of vocab.CATEGORY_CODES.
STYLES = [
    (0.92, "circle"),
    (0.60, "shirt"),
    (0.08, "ellipse"),
    (0.55, "rounded"),
    (0.15, "dots"),
    (0.33, "square"),
    (0.45, "triangle"),
    (0.12, "diamond"),
    (0.75, "book"),
    (0.05, "paw"),
    (0.25, "capsule"),
    (0.0, "ring"),
]


def _rgb(hue: float, lightness: float, saturation: float) -> tuple[int, int, int]:
    red, green, blue = colorsys.hls_to_rgb(hue % 1.0, lightness, saturation)
    return int(red * 255), int(green * 255), int(blue * 255)


def _background(hue: float, ai: bool, rng: np.random.Generator) -> Image.Image:
    if not ai:
        return Image.new("RGB", (SIZE, SIZE), _rgb(hue, 0.85 + 0.1 * rng.random(), 0.4))
    # Generated pictures tend to have studio-smooth radial gradients.
    axis = np.linspace(-1.0, 1.0, SIZE)
    radius = np.sqrt(axis[None, :] ** 2 + axis[:, None] ** 2) / np.sqrt(2.0)
    inner, outer = np.array(_rgb(hue, 0.95, 0.5)), np.array(_rgb(hue + 0.05, 0.6, 0.6))
    pixels = inner + (outer - inner) * radius[..., None]
    return Image.fromarray(pixels.astype(np.uint8), "RGB")


def _draw_shape(draw: ImageDraw.ImageDraw, shape: str, colour, jitter: int) -> None:
    low, high = 14 + jitter, 50 + jitter
    middle = (low + high) // 2
    if shape in {"circle", "dots", "paw"}:
        draw.ellipse((low, low, high, high), fill=colour)
        if shape != "circle":
            draw.ellipse((low - 8, low - 8, low + 6, low + 6), fill=colour)
            draw.ellipse((high - 6, low - 8, high + 8, low + 6), fill=colour)
    elif shape == "ellipse":
        draw.ellipse((low - 6, low + 8, high + 6, high - 8), fill=colour)
    elif shape in {"square", "book", "rounded"}:
        draw.rounded_rectangle(
            (low, low, high, high), radius=8 if shape == "rounded" else 0, fill=colour
        )
        if shape == "book":
            for line in range(low + 6, high, 6):
                draw.line((low + 4, line, high - 4, line), fill=(255, 255, 255))
    elif shape == "triangle":
        draw.polygon([(middle, low), (high, high), (low, high)], fill=colour)
    elif shape == "diamond":
        draw.polygon(
            [(middle, low), (high, middle), (middle, high), (low, middle)], fill=colour
        )
    elif shape == "shirt":
        draw.polygon(
            [(low, low), (high, low), (high, middle), (middle, high), (low, middle)],
            fill=colour,
        )
    elif shape == "capsule":
        draw.rounded_rectangle((low - 6, middle - 8, high + 6, middle + 8), 8, colour)
    else:
        draw.ellipse((low, low, high, high), outline=colour, width=7)


def render(category: int, rng: np.random.Generator, *, ai: bool) -> Image.Image:
    hue, shape = STYLES[category]
    image = _background(hue, ai, rng)
    colour = _rgb(hue + 0.04 * rng.normal(), 0.35 + 0.15 * rng.random(), 0.75)
    _draw_shape(ImageDraw.Draw(image), shape, colour, int(rng.integers(-5, 6)))
    if ai:
        image = image.filter(ImageFilter.GaussianBlur(0.8))
    return image


def aigc_metadata(content_id: str) -> str:
    return json.dumps(
        {
            "Label": "1",
            "ContentProducer": AIGC_PRODUCER,
            "ProduceID": content_id,
            "ContentPropagator": "",
            "PropagateID": "",
        },
        ensure_ascii=False,
    )


def save_product_image(
    folder: Path,
    relative_folder: str,
    external_id: str,
    category: int,
    rng: np.random.Generator,
    *,
    ai: bool,
    labelled: bool,
) -> str:
    """Write the picture into ``folder`` and return its path relative to the media
    root, where ``folder`` sits at ``relative_folder``."""
    relative = f"{relative_folder}/{external_id}.png"
    target = folder / f"{external_id}.png"
    info = PngInfo()
    if ai and labelled:
        info.add_text("AIGC", aigc_metadata(external_id))
    render(category, rng, ai=ai).save(target, format="PNG", pnginfo=info)
    return relative
