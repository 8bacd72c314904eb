"""Room and product metadata share one layout."""

from __future__ import annotations

import numpy as np
import pytest

from recengine.features.catalogue import Catalogue, ProductTable, RoomTable
from recengine.features.metadata import MetadataFeaturizer, circular_hour


def _catalogue() -> Catalogue:
    products = ProductTable(
        ids=np.array([1, 2, 3, 4]),
        titles=["a", "b", "c", "d"],
        descriptions=["", "", "", ""],
        categories=["food", "food", "electronics", "electronics"],
        prices=np.array([10.0, 40.0, 1000.0, 4000.0]),
        images=[None] * 4,
    )
    rooms = RoomTable(
        ids=np.array([10, 11]),
        anchors=np.array([100, 101]),
        titles=["零食", "数码"],
        categories=["food", "electronics"],
        virtual_background=np.array([True, False]),
        digital_human=np.array([False, True]),
        products=[np.array([1, 2]), np.array([4])],
        transcripts=[[], []],
        audio=[[], []],
        start_hours=[np.array([23.0, 1.0]), np.array([20.0, 20.0, 20.0])],
        minutes_on_air=np.array([240.0, 360.0]),
        danmaku=[[], []],
        visits=np.zeros(2),
        window_days=3.0,
    )
    return Catalogue(products, rooms)


@pytest.fixture
def fitted():
    catalogue = _catalogue()
    featurizer = MetadataFeaturizer().fit(catalogue)
    products = featurizer.transform_products(catalogue.products, catalogue.rooms)
    rooms = featurizer.transform_rooms(catalogue.rooms, catalogue.products)
    column = {name: i for i, name in enumerate(featurizer.feature_names_)}
    return products, rooms, column


def test_categories_are_one_hot(fitted):
    products, rooms, column = fitted

    assert products[:, column["category=food"]].tolist() == [1, 1, 0, 0]
    assert rooms[:, column["category=electronics"]].tolist() == [0, 1]


def test_price_is_relative_to_the_vertical(fitted):
    products, rooms, column = fitted
    relative = products[:, column["relative_price"]]

    # The cheaper item of each vertical sits below its median, the dearer above.
    assert relative[0] < 0 < relative[1]
    assert relative[2] < 0 < relative[3]
    assert rooms[1, column["log_price"]] > rooms[0, column["log_price"]]


def test_room_flags_and_schedule(fitted):
    products, rooms, column = fitted

    assert rooms[:, column["virtual_background"]].tolist() == [1, 0]
    assert rooms[:, column["digital_human"]].tolist() == [0, 1]
    # 23:00 and 01:00 average to midnight, not to noon.
    assert rooms[0, column["start_cos"]] == pytest.approx(1.0)
    assert rooms[1, column["broadcasts_per_day"]] == pytest.approx(1.0)
    assert rooms[1, column["hours_per_broadcast"]] == pytest.approx(0.5)
    assert not products[:, column["virtual_background"] :].any()


def test_circular_hour_without_broadcasts_is_neutral():
    assert circular_hour(np.zeros(0)) == (0.0, 0.0)
    assert circular_hour(np.array([6.0])) == pytest.approx((1.0, 0.0), abs=1e-12)
