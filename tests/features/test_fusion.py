"""Fused item vectors of a simulated catalogue: layout, neighbours, persistence."""

from __future__ import annotations

import numpy as np
import pytest

from recengine.features.datasets import load_catalogue
from recengine.features.fusion import (
    BLOCKS,
    LIVE_ROOM,
    PRODUCT,
    ItemFeatureBuilder,
    ItemVectors,
    build_item_vectors,
)
from recengine.models import LiveRoom, Product


@pytest.fixture(scope="module")
def built(simulated_platform, django_db_blocker):
    with django_db_blocker.unblock():
        catalogue = load_catalogue(simulated_platform.end)
        vectors, builder = build_item_vectors(simulated_platform.end)
    return catalogue, vectors, builder


def test_one_unit_vector_per_room_and_product(built, db):
    _, vectors, builder = built

    assert len(vectors.of_kind(PRODUCT)) == Product.objects.count()
    assert len(vectors.of_kind(LIVE_ROOM)) == LiveRoom.objects.count()
    assert vectors.vectors.dtype == np.float32
    assert 64 <= vectors.vectors.shape[1] <= 128
    np.testing.assert_allclose(np.linalg.norm(vectors.vectors, axis=1), 1.0, rtol=1e-5)
    assert list(vectors.block_slices) == list(BLOCKS)
    widths = [part.stop - part.start for part in vectors.block_slices.values()]
    assert widths == [builder.block_dims_[name] for name in BLOCKS]
    assert sum(widths) == vectors.vectors.shape[1]


def test_a_room_is_near_the_products_it_sells(built):
    catalogue, vectors, _ = built
    rooms, products = vectors.of_kind(LIVE_ROOM), vectors.of_kind(PRODUCT)
    similarity = vectors.vectors[rooms] @ vectors.vectors[products].T
    recalled = []
    for row, room in enumerate(vectors.item_ids[rooms]):
        listed = catalogue.rooms.products[list(catalogue.rooms.ids).index(room)]
        top = vectors.item_ids[products][np.argsort(-similarity[row])[:10]]
        recalled.append(len(set(top) & set(listed)) / min(10, max(len(listed), 1)))

    assert np.mean(recalled) > 0.6


def test_a_products_nearest_neighbour_shares_its_category(built):
    catalogue, vectors, _ = built
    products = vectors.of_kind(PRODUCT)
    categories = np.array(catalogue.products.categories)
    similarity = vectors.vectors[products] @ vectors.vectors[products].T
    np.fill_diagonal(similarity, -np.inf)

    assert (categories[similarity.argmax(axis=1)] == categories).mean() > 0.9


def test_block_scores_explain_the_whole_similarity(built):
    _, vectors, _ = built
    query = vectors.vectors[vectors.of_kind(LIVE_ROOM)[0]]
    rows = vectors.of_kind(PRODUCT)[:20]

    parts = vectors.block_scores(query, rows)

    np.testing.assert_allclose(
        sum(parts.values()), vectors.vectors[rows] @ query, atol=1e-5
    )


def test_vectors_and_builder_survive_a_round_trip(built, tmp_path):
    catalogue, vectors, builder = built
    vectors.save(tmp_path / "items.npz")
    builder.save(tmp_path / "builder.joblib")

    loaded = ItemVectors.load(tmp_path / "items.npz")
    again = ItemFeatureBuilder.load(tmp_path / "builder.joblib").transform(catalogue)

    np.testing.assert_array_equal(loaded.vectors, vectors.vectors)
    assert loaded.block_slices == vectors.block_slices
    assert loaded.item_kind.tolist() == vectors.item_kind.tolist()
    np.testing.assert_allclose(again.vectors, vectors.vectors, atol=1e-4)


def test_a_block_weighted_zero_drops_out(built):
    catalogue, _, _ = built
    builder = ItemFeatureBuilder(
        text_components=16,
        image_components=4,
        weights={"text": 1.0, "image": 0.0, "metadata": 1.0},
    )

    vectors = builder.fit_transform(catalogue)

    for name in ("image", "audio", "persona"):
        assert not vectors.vectors[:, vectors.block_slices[name]].any()
    with pytest.raises(ValueError, match="Unknown feature blocks"):
        ItemFeatureBuilder(weights={"colour": 1.0}).fit(catalogue)
