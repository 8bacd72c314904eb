"""Rooms and products listed after training are served before the next training."""

from __future__ import annotations

import datetime as dt

import numpy as np

from recengine import serving
from recengine.engine import coldstart, scoring, strategies
from recengine.models import Product, Scene
from tests.engine.test_engine import NOW_AFTER, _active_viewer, _serve_version


def _list_product(trained, **fields) -> Product:
    model = Product.objects.order_by("pk").first()
    return Product.objects.create(
        external_id="p-new-after-training",
        merchant=model.merchant,
        category=model.category,
        title=fields.get("title", "新品上架 保温杯"),
        price=fields.get("price", 59),
        created_at=trained.until + NOW_AFTER - dt.timedelta(seconds=30),
    )


def test_a_new_product_joins_its_scene_as_an_average_of_its_category(
    trained, db, platform_admin
):
    _serve_version(trained.first, platform_admin)
    product = _list_product(trained)
    runtime = serving.runtime()
    now = trained.until + NOW_AFTER
    artifacts = runtime._artifacts
    trained_scene = artifacts.scenes["product_feed"]

    extended = runtime.with_new_items(artifacts, "product_feed", runtime._index(now))
    scene = extended.scenes["product_feed"]

    row = scene.position[product.pk]
    assert len(scene) == len(trained_scene) + 1
    assert np.array_equal(scene.item_ids[:-1], trained_scene.item_ids)
    category = scene.category[row]
    assert artifacts.category_codes[category] == product.category.code
    members = trained_scene.category == category
    centroid = trained_scene.vectors[members].mean(axis=0)
    assert np.allclose(scene.vectors[row], centroid / np.linalg.norm(centroid))
    assert scene.quality[row] == trained_scene.quality[members].mean()
    assert (scene.exposures[row], scene.popularity[row]) == (0, 0)
    assert scene.price[row] == 59
    # The same catalogue gives the same extension; a model alone is untouched.
    assert runtime.with_new_items(artifacts, "product_feed", runtime._index(now)) is (
        extended
    )
    assert len(artifacts.scenes["product_feed"]) == len(trained_scene)


def test_a_product_listed_after_training_is_served_in_an_exploration_slot(
    trained, db, platform_admin, monkeypatch
):
    # Only what was listed in the last two minutes counts as new here, so the
    # product is the one candidate of the exploration slots.
    monkeypatch.setattr(strategies, "NEW_SECONDS", 120.0)
    monkeypatch.setattr(scoring, "NEW_ITEM_SECONDS", 120.0)
    _serve_version(trained.first, platform_admin)
    product = _list_product(trained)

    result = serving.recommend(
        viewer_id=_active_viewer(trained),
        scene=Scene.PRODUCT_FEED,
        size=20,
        now=trained.until + NOW_AFTER,
        record=False,
    )

    assert result.model_version == trained.first
    assert product.external_id in [item.id for item in result.items]


def test_a_model_with_every_listed_item_is_served_as_trained(
    trained, db, platform_admin
):
    _serve_version(trained.first, platform_admin)
    runtime = serving.runtime()
    artifacts = runtime._artifacts
    catalogue = runtime._index(trained.until + NOW_AFTER)

    for scene in ("live_feed", "product_feed"):
        model = artifacts.scenes[scene]
        assert coldstart.new_items(model, catalogue, artifacts.category_codes) is None
        assert runtime.with_new_items(artifacts, scene, catalogue) is artifacts
