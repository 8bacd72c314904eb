"""Picture descriptors: colour, silhouette and edges separate product categories."""

from __future__ import annotations

import numpy as np
from PIL import Image

from recengine.features.image import RAW_DIMS, ImageFeaturizer, raw_features
from recengine.simulator.images import STYLES, render

PER_CATEGORY = 12


def _pictures(seed: int) -> tuple[list[Image.Image], np.ndarray]:
    rng = np.random.default_rng(seed)
    categories = np.repeat(np.arange(len(STYLES)), PER_CATEGORY)
    generated = rng.random(len(categories)) < 0.2
    pictures = [
        render(int(category), rng, ai=bool(ai))
        for category, ai in zip(categories, generated, strict=True)
    ]
    return pictures, categories


def test_products_of_one_category_look_closer_than_other_categories():
    pictures, categories = _pictures(seed=4)
    features = ImageFeaturizer(n_components=16, random_state=0).fit_transform(pictures)
    distance = np.linalg.norm(features[:, None] - features[None], axis=2)
    same = categories[:, None] == categories[None]
    np.fill_diagonal(same, False)
    other = categories[:, None] != categories[None]

    for category in range(len(STYLES)):
        rows = categories == category
        within = distance[rows][same[rows]].mean()
        between = distance[rows][other[rows]].mean()
        assert within < between, category
    np.fill_diagonal(distance, np.inf)
    assert (categories[distance.argmin(axis=1)] == categories).mean() > 0.85


def test_unseen_pictures_land_near_their_category():
    train, train_categories = _pictures(seed=5)
    test, test_categories = _pictures(seed=6)
    featurizer = ImageFeaturizer(n_components=16, random_state=0).fit(train)
    known, new = featurizer.transform(train), featurizer.transform(test)

    nearest = np.linalg.norm(new[:, None] - known[None], axis=2).argmin(axis=1)
    assert (train_categories[nearest] == test_categories).mean() > 0.85


def test_pictures_are_read_from_files_and_missing_ones_give_zeros(tmp_path):
    pictures, _ = _pictures(seed=7)
    paths = []
    for index, picture in enumerate(pictures[:: PER_CATEGORY // 2]):
        path = tmp_path / f"{index}.png"
        picture.save(path)
        paths.append(str(path))
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a picture")
    sources = [*paths, None, str(broken), str(tmp_path / "absent.png")]

    raw, present = raw_features(sources)
    features = ImageFeaturizer(n_components=8).fit_transform(sources)

    assert raw.shape == (len(sources), RAW_DIMS)
    assert present.tolist() == [True] * len(paths) + [False] * 3
    assert features.shape == (len(sources), 8)
    assert not features[len(paths) :].any()
    assert np.abs(features[: len(paths)]).sum(axis=1).min() > 0
