"""Training forgets the events behind a deleted tag; similar items are lowered."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recengine.engine.forgetting import exclude_forgotten, forget_pairs
from recengine.governance.rerank import NegativeFeedback, similarity_factor
from recengine.taxonomy import tag_code_for

DAY = 86_400.0
NOON = 12 * 3600.0


def test_events_before_the_deletion_are_dropped_later_ones_kept():
    daily = pd.DataFrame(
        {
            "viewer": [1, 1, 1, 2],
            "item": [10, 10, 20, 10],
            "day": [NOON, 5 * DAY + NOON, NOON, NOON],
        }
    )
    item_tag = pd.Series({10: 7, 20: 8})
    deleted = pd.DataFrame({"viewer": [1], "tag": [7], "suppressed_at": [3 * DAY]})

    kept = exclude_forgotten(daily, item_tag, deleted)

    # Viewer 1's tag-7 day before the deletion goes; their later day, their other
    # tag and another viewer's same tag stay.
    assert kept[["viewer", "item", "day"]].values.tolist() == [
        [1, 10, 5 * DAY + NOON],
        [1, 20, NOON],
        [2, 10, NOON],
    ]


def test_collaborative_filtering_drops_the_viewers_cells_of_the_tag():
    matrix = sp.csr_matrix(np.array([[1.0, 2.0, 0.0], [3.0, 0.0, 4.0]]))
    item_tag = np.array([7, 8, 7])
    deleted = pd.DataFrame({"viewer": [101], "tag": [7], "suppressed_at": [0.0]})

    cleaned = forget_pairs(matrix, np.array([100, 101]), item_tag, deleted)

    assert cleaned.toarray().tolist() == [[1.0, 2.0, 0.0], [0.0, 0.0, 0.0]]


def test_items_like_a_rejected_one_lose_score_unrelated_ones_do_not():
    rejected = np.array([[1.0, 0.0]])
    items = np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0]])  # cos 1, 0.8, 0
    feedback = NegativeFeedback(vectors=rejected, strength=np.array([1.0]))

    factor = similarity_factor(items, feedback)

    assert factor.tolist() == [0.5, 0.75, 1.0]


def test_a_fading_rejection_lowers_less():
    feedback = NegativeFeedback(
        vectors=np.array([[1.0, 0.0]]), strength=np.array([0.5])
    )

    assert similarity_factor(np.array([[1.0, 0.0]]), feedback).tolist() == [0.75]


def test_item_tags_come_from_the_category_and_title():
    assert tag_code_for("beauty", "大牌口红 3 支装") == "makeup"
    assert tag_code_for("beauty", "无名好物") == "skincare"  # the category's first
    assert tag_code_for("pets", "冻干零食") == "pet-food"  # not people's snacks
    assert tag_code_for(None, "口红") is None
