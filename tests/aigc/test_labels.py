"""Declaring AI-generated content (page and API), the labels' tiers, their signed
implicit metadata, and labels carried by served items and console lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from recengine.models import ApiScope, BroadcastSession
from recengine.moderation import signing
from recengine.moderation.labelling import label_catalogue_declarations
from recengine.moderation.models import AigcCase, AigcLabel, LabelTier, Verdict
from recengine.moderation.policy_source import collect
from recengine.services.apikeys import issue_api_key
from tests.aigc.conftest import png, simulator_metadata

pytestmark = pytest.mark.django_db
LABELS = "/api/v1/aigc/labels/"


def _declare(api, **fields):
    return api.post(LABELS, fields, format="multipart")


def test_declared_digital_human_is_labelled_maybe_ai(
    platform, api_for, trust_safety_user
):
    response = _declare(
        api_for(trust_safety_user),
        target_kind="live_room",
        target="r-1",
        content="digital_human",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["tier"], body["explicit"]) == (LabelTier.DECLARED, "可能为AI生成")
    label = AigcLabel.objects.get()
    assert label.metadata == {
        "Label": "2",
        "ContentProducer": signing.PLATFORM,
        "ProduceID": "r-1",
        "ContentPropagator": signing.PLATFORM,
        "PropagateID": f"aigc-{label.pk}",
    }
    assert (
        signing.verdict_of(
            label.metadata, label.content_hash, label.signature, known_ai=True
        )
        is None
    )
    history = label.history.first()
    assert history.history_user == trust_safety_user
    assert history.history_change_reason == "declared digital_human (clause 6.4.1)"


def test_virtual_background_is_labelled_as_a_realistic_scene(
    platform, api_for, trust_safety_user
):
    _declare(
        api_for(trust_safety_user),
        target_kind="live_room",
        target="r-3",
        content="virtual_background",
    )

    assert collect().labels == {("live_room", platform.rooms[2].pk): ("拟真场景",)}


def test_a_picture_with_a_known_producers_metadata_is_verified(
    platform, api_for, trust_safety_user
):
    data = png(ai=True, metadata=simulator_metadata("p-1"))

    response = _declare(
        api_for(trust_safety_user),
        target_kind="product",
        target="p-1",
        content="generated_image",
        file=SimpleUploadedFile("p.png", data, "image/png"),
    )

    body = response.json()
    assert (body["tier"], body["explicit"]) == (LabelTier.VERIFIED, "AI生成")
    assert body["content_hash"] == signing.content_hash(data)
    assert body["metadata"]["ContentProducer"] == "livecommerce-simulator"


def test_a_platform_service_declares_with_its_catalogue_key(platform, platform_admin):
    _, token = issue_api_key(
        actor=platform_admin, name="uploads", scopes=[ApiScope.CATALOGUE_WRITE]
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {token}")

    response = _declare(
        api, target_kind="live_room", target="r-2", content="digital_human"
    )

    assert response.status_code == 201
    label = AigcLabel.objects.get()
    assert label.declared_by is None
    # The service is no person: its key names it in the history record instead.
    record = label.history.earliest("history_date")
    assert record.history_user is None
    assert record.history_change_reason.endswith(f"[api key {token.split('.')[0]}]")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"target_kind": "live_room", "target": "r-404"}, "There is no live_room"),
        ({"target_kind": "viewer", "target": "r-1"}, "target_kind"),
        ({"target_kind": "live_room", "content": "generated_image"}, "cannot be"),
        ({"content": "deepfake"}, "content"),
    ],
)
def test_bad_declarations_are_refused(
    platform, api_for, trust_safety_user, fields, message
):
    base = {"target_kind": "live_room", "target": "r-1", "content": "digital_human"}

    response = _declare(api_for(trust_safety_user), **(base | fields))

    assert response.status_code == 400
    assert message in str(response.json())
    assert not AigcLabel.objects.exists()


def test_oversized_and_non_picture_uploads_are_refused(
    platform, api_for, trust_safety_user, settings
):
    settings.AIGC_MAX_UPLOAD_BYTES = 1000
    api = api_for(trust_safety_user)
    base = {"target_kind": "product", "target": "p-1", "content": "generated_image"}

    big = _declare(api, **base, file=SimpleUploadedFile("p.png", b"x" * 1001))
    text = _declare(api, **base, file=SimpleUploadedFile("p.png", b"not a picture"))

    assert big.status_code == 400 and "larger than 1000 bytes" in str(big.json())
    assert text.status_code == 400 and "not a picture" in str(text.json())
    assert not AigcLabel.objects.exists()


def test_outsiders_and_reviewers_cannot_declare(
    platform, api_for, outsider, reviewer_user
):
    fields = {"target_kind": "live_room", "target": "r-1", "content": "digital_human"}

    assert _declare(api_for(outsider), **fields).status_code == 403
    assert _declare(api_for(reviewer_user), **fields).status_code == 403
    assert api_for(outsider).get(LABELS).status_code == 403
    assert not AigcLabel.objects.exists()


def test_catalogue_declarations_get_labels_once(platform):
    created = label_catalogue_declarations(actor=None)
    again = label_catalogue_declarations(actor=None)

    assert [(label.room, label.explicit) for label in created] == [
        (platform.rooms[1], "可能为AI生成")
    ]
    assert again == []


def test_served_items_carry_their_labels(platform, trust_safety_user, platform_admin):
    BroadcastSession.objects.create(
        external_id="s-now",
        room=platform.rooms[1],
        started_at=timezone.now() - dt.timedelta(minutes=5),
    )
    label_catalogue_declarations(actor=None)
    with_picture = png(ai=True, metadata=simulator_metadata("p-2"))
    from recengine.moderation.labelling import declare_label

    declare_label(
        actor=trust_safety_user,
        target_kind="product",
        target_id="p-2",
        content="generated_image",
        data=with_picture,
    )
    _, token = issue_api_key(
        actor=platform_admin, name="feed", scopes=[ApiScope.RECOMMENDATIONS_READ]
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {token}")

    def labels(scene: str) -> dict[str, list[str]]:
        body = api.get(
            "/api/v1/recommendations/", {"viewer": "u-1", "scene": scene, "size": 10}
        ).json()
        return {item["id"]: item["labels"] for item in body["items"]}

    assert "可能为AI生成" in labels("live_feed")["r-2"]
    assert labels("live_feed")["r-1"] == []
    products = labels("product_feed")
    assert products["p-2"] == ["AI生成"]
    assert products["p-1"] == []


def test_catalogue_and_label_pages_show_labels(platform, client, trust_safety_user):
    label_catalogue_declarations(actor=None)
    from recengine.moderation.labelling import declare_label

    declare_label(
        actor=trust_safety_user,
        target_kind="product",
        target_id="p-1",
        content="generated_image",
        data=png(ai=True),
    )
    client.force_login(trust_safety_user)

    rooms = client.get(reverse("console:rooms")).content.decode()
    products = client.get(reverse("console:products")).content.decode()
    tool = client.get(reverse("console:aigc")).content.decode()

    assert rooms.count('aigc-label">可能为AI生成') == 1
    assert products.count('aigc-label">可能为AI生成') == 1
    assert "r-2" in tool and "p-1" in tool


def test_declaring_in_the_console_refuses_oversized_files(
    platform, client, trust_safety_user, settings
):
    settings.AIGC_MAX_UPLOAD_BYTES = 100
    client.force_login(trust_safety_user)

    response = client.post(
        reverse("console:aigc_declare"),
        {
            "target_kind": "product",
            "target": "p-1",
            "content": "generated_image",
            "file": SimpleUploadedFile("p.png", png(ai=True), "image/png"),
        },
    )

    assert response.status_code == 400
    assert not AigcLabel.objects.exists()


def test_declaring_in_the_console(platform, client, trust_safety_user):
    client.force_login(trust_safety_user)

    response = client.post(
        reverse("console:aigc_declare"),
        {"target_kind": "live_room", "target": "r-1", "content": "virtual_background"},
    )

    assert response.status_code == 302
    assert AigcLabel.objects.get().explicit == "拟真场景"


def test_label_page_is_closed_to_outsiders(platform, client, outsider):
    client.force_login(outsider)

    assert client.get(reverse("console:aigc")).status_code == 403
    assert client.post(reverse("console:aigc_declare"), {}).status_code == 403


def test_declaring_with_metadata_of_an_unknown_producer_opens_a_forged_case(
    platform, api_for, trust_safety_user
):
    forged = simulator_metadata("p-1") | {"ContentProducer": "anon-generator"}

    response = _declare(
        api_for(trust_safety_user),
        target_kind="product",
        target="p-1",
        content="generated_image",
        file=SimpleUploadedFile("p.png", png(ai=True, metadata=forged), "image/png"),
    )

    assert response.json()["tier"] == LabelTier.DECLARED
    case = AigcCase.objects.get()
    assert (case.verdict, case.restricted) == (Verdict.FORGED, True)
    assert platform.products[0].pk in collect().unreviewed_products
