"""Pending high-risk and rejected content is never recommended (clause 6.1): the
policy part moderation contributes, and the real recommendation endpoint."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from recengine import serving
from recengine.models import ApiScope, BroadcastSession, Product
from recengine.moderation.models import (
    CaseStatus,
    ContentKind,
    ModerationCase,
    Outcome,
    Queue,
)
from recengine.moderation.policy_source import collect
from recengine.moderation.review import decide_case
from recengine.moderation.services import screen_catalogue
from recengine.services.apikeys import issue_api_key

pytestmark = pytest.mark.django_db

logger = logging.getLogger(__name__)


def test_collect_withholds_pending_high_risk_content(screened):
    part = collect()

    assert part.unreviewed_products == {screened.claim_product.pk}
    assert part.unreviewed_rooms == {screened.claim_room.pk}


def test_uncertain_pending_content_stays_recommendable(screened):
    uncertain = ModerationCase.objects.filter(
        queue=Queue.UNCERTAIN, status=CaseStatus.PENDING
    ).exclude(product=None)
    assert uncertain.exists()

    part = collect()

    assert not part.unreviewed_products & {case.product_id for case in uncertain}


def test_approval_releases_and_rejection_keeps_withholding(screened, reviewer_user):
    product_case = screened.case_of(product=screened.claim_product)
    room_case = screened.case_of(room=screened.claim_room, kind=ContentKind.ROOM_TITLE)

    decide_case(
        actor=reviewer_user,
        case=product_case,
        outcome=Outcome.APPROVE,
        ground="广告法 Art. 9",
        facts="Claims are quoted from a certificate.",
    )
    decide_case(
        actor=reviewer_user,
        case=room_case,
        outcome=Outcome.REJECT,
        ground="广告法 Art. 9",
        facts="Title says 最好 and 根治.",
    )

    part = collect()
    assert part.unreviewed_products == set()
    assert part.unreviewed_rooms == {screened.claim_room.pk}


def test_a_pending_high_risk_credential_withholds_every_room_of_the_anchor(
    screened, platform
):
    anchor = platform.anchors[0]
    anchor.credentials = "国家级认证专家，全网第一测评师"
    anchor.save()

    screen_catalogue(actor=None, now=platform.now)

    rooms = {room.pk for room in platform.rooms if room.anchor_id == anchor.pk}
    assert rooms | {screened.claim_room.pk} <= collect().unreviewed_rooms


@pytest.fixture
def recommend(screened, platform_admin):
    room = screened.claim_room
    now = timezone.now()
    for number, live in enumerate([room, *screened.platform.rooms]):
        BroadcastSession.objects.filter(room=live, ended_at__isnull=True).update(
            ended_at=now - dt.timedelta(minutes=10),
            started_at=now - dt.timedelta(hours=1),
        )
        BroadcastSession.objects.create(
            external_id=f"s-live-{number}",
            room=live,
            started_at=now - dt.timedelta(minutes=5),
        )
    _, token = issue_api_key(
        actor=platform_admin, name="feed", scopes=[ApiScope.RECOMMENDATIONS_READ]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {token}")

    def ids(scene: str) -> set[str]:
        response = client.get(
            "/api/v1/recommendations/", {"viewer": "u-1", "scene": scene, "size": 20}
        )
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}

    return ids


def test_pending_high_risk_content_is_not_served_until_approved(
    recommend, screened, reviewer_user, django_capture_on_commit_callbacks
):
    assert "p-claim" not in recommend("product_feed")
    assert "r-claim" not in recommend("live_feed")
    assert {"r-1", "r-3"} <= recommend("live_feed")

    # The test's transaction never commits: run what the commit would announce.
    with django_capture_on_commit_callbacks(execute=True):
        decide_case(
            actor=reviewer_user,
            case=screened.case_of(product=screened.claim_product),
            outcome=Outcome.APPROVE,
            ground="Clause 6.1.1 review",
            facts="The claims are backed by a test report.",
        )

    assert "p-claim" in recommend("product_feed")
    assert "r-claim" not in recommend("live_feed")


def test_collect_lists_what_the_screen_has_seen(screened):
    part = collect()

    assert screened.claim_product.pk in part.screened_products
    assert screened.claim_room.pk in part.screened_rooms


def test_nothing_is_gated_before_the_screen_ever_ran(platform):
    part = collect()

    assert part.screened_products is None
    assert part.screened_rooms is None


def test_new_content_waits_for_its_first_screen(
    recommend, screened, reviewer_user, django_capture_on_commit_callbacks
):
    # Given a product listed after the last screen run.
    platform = screened.platform
    Product.objects.create(
        external_id="p-new",
        merchant=platform.merchants[1],
        category=platform.categories[1],
        title="新到坚果礼盒",
        description="每日坚果，独立小包装。",
        price=Decimal("39.00"),
        created_at=platform.now,
    )
    serving.reset()

    # Then it is not served before it has been screened ...
    assert "p-new" not in recommend("product_feed")
    assert "p-1" in recommend("product_feed")

    # ... and is once the periodic screen has seen it (and, should the model find
    # it risky, a reviewer has approved it).
    with django_capture_on_commit_callbacks(execute=True):
        screen_catalogue(actor=None, reason="periodic machine screen")
        case = ModerationCase.objects.get(current=True, product__external_id="p-new")
        logger.info("new product screened: risk %.3f, %s", case.risk_score, case.queue)
        if case.high_risk:
            decide_case(
                actor=reviewer_user,
                case=case,
                outcome=Outcome.APPROVE,
                ground="Clause 6.1.1 review",
                facts="An ordinary listing.",
            )
    assert "p-new" in recommend("product_feed")
