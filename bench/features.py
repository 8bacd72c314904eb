"""Time and memory to build item vectors for a large catalogue.

    python bench/features.py                             # 100k products, 5k rooms
    python bench/features.py --products 20000 --rooms 1000

The catalogue is synthetic and held in memory, written with the simulator's word
material and picture renderer: product titles and descriptions, one PNG file per
product in a temporary folder (decoded from disk as in production), and per room
a few broadcasts with transcripts and audio statistics plus a few dozen danmaku.
Each stage is timed on its own, then the whole ``ItemFeatureBuilder`` fit and a
second ``transform``; peak resident memory is read from the operating system.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    args = _arguments()
    # One thread per BLAS call, as on a training host that shares its cores.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    workdir = Path(tempfile.mkdtemp(prefix="bench-features-"))
    os.environ["DATA_DIR"] = str(workdir)

    import django

    django.setup()
    try:
        _run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--rooms", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=42)
    return parser.parse_args()


def _peak_mb() -> float:
    # Linux reports ru_maxrss in kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _timed(label: str, function, *args):
    started = time.perf_counter()
    result = function(*args)
    seconds = time.perf_counter() - started
    print(f"{label:<34} {seconds:8.1f} s   peak RSS {_peak_mb():7.0f} MB", flush=True)
    return result


def _run(args: argparse.Namespace, workdir: Path) -> None:
    from recengine.features import audio, fusion, image, metadata, persona, text

    print(f"catalogue: {args.products} products, {args.rooms} rooms")
    catalogue = _timed(
        "generate (not part of the build)",
        _synthetic_catalogue,
        args.products,
        args.rooms,
        args.seed,
        workdir / "pictures",
    )
    documents = fusion.product_documents(catalogue) + fusion.room_documents(catalogue)
    print(f"baseline after generation              peak RSS {_peak_mb():7.0f} MB")

    _timed(
        "text: tokenise, TF-IDF, SVD 64",
        text.TextFeaturizer(64).fit_transform,
        documents,
    )
    _timed(
        "image: decode, describe, PCA 16",
        image.ImageFeaturizer(16).fit_transform,
        catalogue.products.images,
    )
    _timed("audio", audio.AudioFeaturizer().fit_transform, catalogue.rooms.audio)
    _timed("metadata", metadata.MetadataFeaturizer().fit, catalogue)
    _timed("persona", persona.score_anchors, catalogue.rooms)

    builder = fusion.ItemFeatureBuilder()
    vectors = _timed(
        "ItemFeatureBuilder.fit_transform", builder.fit_transform, catalogue
    )
    _timed("ItemFeatureBuilder.transform", builder.transform, catalogue)
    size = vectors.vectors.nbytes / 2**20
    print(
        f"item vectors: {vectors.vectors.shape[0]} x {vectors.vectors.shape[1]} "
        f"float32 = {size:.1f} MB; blocks "
        + ", ".join(f"{n} {s.stop - s.start}" for n, s in vectors.block_slices.items())
    )


def _synthetic_catalogue(n_products: int, n_rooms: int, seed: int, folder: Path):
    import numpy as np

    from recengine.features.catalogue import Catalogue
    from recengine.simulator import vocab

    rng = np.random.default_rng(seed)
    weights = np.array(vocab.CATEGORY_POPULARITY, dtype=float)
    categories = rng.choice(len(weights), n_products, p=weights / weights.sum())
    products = _products(rng, categories, folder)
    rooms = _rooms(rng, categories, n_rooms)
    return Catalogue(products, rooms)


def _products(rng, categories, folder: Path):
    import numpy as np

    from recengine.features.catalogue import ProductTable
    from recengine.simulator import images, text, vocab

    folder.mkdir(parents=True)
    median = np.array(vocab.MEDIAN_PRICE, dtype=float)[categories]
    prices = np.round(median * rng.lognormal(0.0, 0.5, len(categories)), 1)
    titles, descriptions, paths = [], [], []
    for index, category in enumerate(categories):
        claims = bool(rng.random() < 0.1)
        title, description = text.product_text(
            rng, int(category), claims, prices[index]
        )
        titles.append(title)
        descriptions.append(description)
        path = folder / f"{index}.png"
        images.render(int(category), rng, ai=bool(rng.random() < 0.1)).save(path)
        paths.append(str(path))
    return ProductTable(
        ids=np.arange(1, len(categories) + 1, dtype=np.int64),
        titles=titles,
        descriptions=descriptions,
        categories=[vocab.CATEGORY_CODES[c] for c in categories],
        prices=prices,
        images=paths,
    )


def _rooms(rng, product_categories, n_rooms: int):
    import numpy as np

    from recengine.features.catalogue import RoomTable
    from recengine.simulator import text, vocab

    category = rng.choice(len(vocab.CATEGORY_CODES), n_rooms)
    expert = rng.random(n_rooms) < 0.45
    clarity, interactivity = rng.beta(3, 2, n_rooms), rng.beta(2, 2, n_rooms)
    by_category = [np.flatnonzero(product_categories == c) + 1 for c in range(12)]
    transcripts, audio, danmaku, listed = [], [], [], []
    for room in range(n_rooms):
        persona = {"expert": bool(expert[room]), "clarity": float(clarity[room])}
        code = int(category[room])
        transcripts.append(
            [
                text.transcript(
                    rng,
                    category=code,
                    interactivity=float(interactivity[room]),
                    ai=False,
                    **persona,
                )
                for _ in range(3)
            ]
        )
        audio.append([text.audio_stats(rng, ai=False, **persona) for _ in range(3)])
        danmaku.append([text.danmaku(rng, category=code, **persona) for _ in range(40)])
        pool = by_category[code]
        listed.append(np.sort(rng.choice(pool, min(8, len(pool)), replace=False)))
    return RoomTable(
        ids=np.arange(1, n_rooms + 1, dtype=np.int64),
        anchors=np.arange(1, n_rooms + 1, dtype=np.int64),
        titles=[
            text.room_title(rng, bool(e), int(c))
            for e, c in zip(expert, category, strict=True)
        ],
        categories=[vocab.CATEGORY_CODES[c] for c in category],
        virtual_background=rng.random(n_rooms) < 0.15,
        digital_human=rng.random(n_rooms) < 0.08,
        products=listed,
        transcripts=transcripts,
        audio=audio,
        start_hours=[rng.normal(20, 1.5, 3) % 24 for _ in range(n_rooms)],
        minutes_on_air=rng.uniform(300, 900, n_rooms),
        danmaku=danmaku,
        visits=rng.integers(50, 500, n_rooms).astype(float),
        window_days=3.0,
    )


if __name__ == "__main__":
    main()
