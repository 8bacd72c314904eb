"""Clause 7.2 end to end: identity planted in the identity store reaches no feature.

Given a simulated platform whose most active viewer has a real mobile number and a
valid resident ID number on file, every matrix, training table and fitted
vocabulary the feature layer produces is scanned; then the same outputs with the
identity planted directly are scanned, to show that the scan would have seen it.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from recengine.features import datasets, persona
from recengine.features.fusion import ItemFeatureBuilder
from recengine.features.privacy import scan_for_personal_data
from recengine.models import Event, Viewer, ViewerIdentity
from recengine.simulator.identity import id_check_digit

MOBILE = "13987654321"
ID_BODY = "44010619880214563"
RESIDENT_ID = ID_BODY + id_check_digit(ID_BODY)


@pytest.fixture
def identity_on_file(simulated_platform, db) -> Viewer:
    busiest, _ = Counter(Event.objects.values_list("viewer", flat=True)).most_common(1)[
        0
    ]
    viewer = Viewer.objects.get(pk=busiest)
    ViewerIdentity.objects.update_or_create(
        viewer=viewer,
        defaults={
            "real_name": "王小明",
            "phone": MOBILE,
            "id_card_number": RESIDENT_ID,
            "address": "北京市朝阳区建设路8号",
        },
    )
    return viewer


@pytest.fixture
def outputs(simulated_platform, identity_on_file) -> dict[str, object]:
    start, end = simulated_platform.start, simulated_platform.end
    catalogue = datasets.load_catalogue(end)
    builder = ItemFeatureBuilder(text_components=32, image_components=8)
    vectors = builder.fit_transform(catalogue)
    produced = {
        "vectors": vectors.vectors,
        "item_ids": vectors.item_ids,
        "vocabulary": list(builder.text_.vectorizer_.vocabulary_),
        "personas": persona.score_anchors(catalogue.rooms).reset_index(),
    }
    for item in ("room", "product", "short_video"):
        interactions = datasets.interaction_matrix(start, end, item=item)
        produced[f"{item}_matrix"] = interactions.matrix
        produced[f"{item}_viewers"] = interactions.viewer_ids
    for item in ("room", "product"):
        produced[f"{item}_training"] = datasets.impression_table(start, end, item=item)
    return produced


def test_the_builders_read_the_busiest_viewer(outputs, identity_on_file):
    assert identity_on_file.pk in outputs["room_viewers"]
    assert outputs["room_training"]["viewer"].eq(identity_on_file.pk).any()


def test_no_personal_data_reaches_any_feature_matrix(outputs):
    for name, produced in outputs.items():
        assert scan_for_personal_data(produced, name) == [], name


def test_the_scan_sees_identity_planted_in_the_outputs(outputs):
    vectors = outputs["vectors"].astype(np.float64)
    vectors[3, 5] = float(MOBILE)
    training = outputs["room_training"].assign(contact="")
    training.loc[7, "contact"] = RESIDENT_ID

    assert [f.kind for f in scan_for_personal_data(vectors)] == ["mobile"]
    found = scan_for_personal_data(training, "room_training")
    assert [(f.kind, f.location) for f in found] == [
        ("resident_id", "room_training.contact[7]")
    ]
