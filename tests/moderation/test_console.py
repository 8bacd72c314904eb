"""The reviewer workspace in the console: queues, a case, bulk decisions, appeals,
review times on the page and as CSV; text from platforms is escaped."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from recengine.models import Product
from recengine.moderation.models import CaseStatus, Decision, ModerationCase, Queue
from recengine.moderation.review import decide_case, file_appeal
from recengine.moderation.services import screen_catalogue

pytestmark = pytest.mark.django_db
STATEMENT = {
    "outcome": "reject",
    "ground": "广告法 Art. 9(3)",
    "facts": "Absolute claims in the title.",
    "redress": "",
}


@pytest.fixture
def reviewer_client(client, reviewer_user):
    client.force_login(reviewer_user)
    return client


def test_workspace_shows_queues_screen_figures_and_review_times(
    screened, reviewer_client
):
    response = reviewer_client.get(
        reverse("console:moderation") + "?queue=high_risk", HTTP_ACCEPT_LANGUAGE="en"
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "r-claim" in page and "p-claim" in page
    assert "Classifier precision (held out)" in page
    assert "Review time per queue" in page
    assert [c.pk for c in response.context["page"].object_list] == list(
        ModerationCase.objects.filter(queue=Queue.HIGH_RISK)
        .order_by("-priority", "screened_at", "pk")
        .values_list("pk", flat=True)
    )


def test_platform_text_is_escaped(screened, reviewer_client, platform):
    Product.objects.filter(pk=platform.products[0].pk).update(
        title="<script>alert('x')</script>全网第一"
    )
    screen_catalogue(actor=None, now=platform.now)
    case = ModerationCase.objects.get(product=platform.products[0], current=True)

    page = reviewer_client.get(reverse("console:moderation_case", args=[case.pk]))
    listing = reviewer_client.get(reverse("console:moderation") + "?queue=high_risk")

    for response in (page, listing):
        body = response.content.decode()
        assert "<script>alert" not in body
        assert "&lt;script&gt;alert" in body


def test_decide_from_the_case_page(screened, reviewer_client, reviewer_user):
    case = screened.case_of(product=screened.claim_product)

    response = reviewer_client.post(
        reverse("console:moderation_decide", args=[case.pk]), STATEMENT
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.REJECTED
    decision = case.decisions.get(automated=False)
    assert decision.decided_by == reviewer_user
    assert "different reviewer" in decision.redress  # the default redress


def test_a_statement_without_facts_is_refused(screened, reviewer_client):
    case = screened.case_of(product=screened.claim_product)

    response = reviewer_client.post(
        reverse("console:moderation_decide", args=[case.pk]), STATEMENT | {"facts": ""}
    )

    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING


def test_bulk_decision_from_the_workspace(screened, reviewer_client):
    ids = list(
        ModerationCase.objects.filter(queue=Queue.HIGH_RISK).values_list(
            "pk", flat=True
        )
    )

    response = reviewer_client.post(
        reverse("console:moderation_bulk"),
        STATEMENT | {"cases": ids, "queue": "high_risk"},
    )

    assert response.status_code == 302
    assert Decision.objects.filter(case_id__in=ids, automated=False).count() == 2


def test_bulk_without_selection_is_refused(screened, reviewer_client):
    response = reviewer_client.post(
        reverse("console:moderation_bulk"), STATEMENT | {"queue": "high_risk"}
    )

    assert response.status_code == 400
    assert not Decision.objects.filter(automated=False).exists()


def test_appeal_page_stops_the_original_reviewer(
    screened, client, reviewer_user, second_reviewer
):
    case = screened.case_of(product=screened.claim_product)
    decide_case(actor=reviewer_user, case=case, **STATEMENT)
    appeal = file_appeal(actor=reviewer_user, case=case, statement="Not a claim.")
    client.force_login(reviewer_user)
    url = reverse("console:moderation_appeal", args=[appeal.pk])
    decision = {"uphold": "uphold", "ground": "6.1.1", "facts": "Claim stands."}

    own = client.post(url, decision)
    client.force_login(second_reviewer)
    other = client.post(url, decision)

    assert own.status_code == 400
    assert other.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == "upheld"


def test_review_times_export_as_csv(screened, reviewer_client, reviewer_user):
    case = screened.case_of(product=screened.claim_product)
    ModerationCase.objects.filter(pk=case.pk).update(
        screened_at=timezone.now() - dt.timedelta(minutes=30)
    )
    case.refresh_from_db()
    decide_case(actor=reviewer_user, case=case, **STATEMENT)

    response = reviewer_client.get(reverse("console:moderation_times_csv"))

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    high = next(row for row in rows if row["queue"] == "high_risk")
    assert response["Content-Type"].startswith("text/csv")
    assert high["decisions"] == "1"
    assert 30.0 <= float(high["p50_minutes"]) < 31.0
    assert {row["queue"] for row in rows} == {
        "high_risk",
        "uncertain",
        "high_traffic",
        "aigc",
        "appeal",
    }


def test_outsider_gets_403_everywhere(screened, client, outsider):
    client.force_login(outsider)
    case = screened.case_of(product=screened.claim_product)

    for url in (
        reverse("console:moderation"),
        reverse("console:moderation_case", args=[case.pk]),
        reverse("console:moderation_times_csv"),
    ):
        assert client.get(url).status_code == 403
    post = client.post(reverse("console:moderation_decide", args=[case.pk]), STATEMENT)
    assert post.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING


def test_navigation_links_for_reviewers(reviewer_client):
    page = reviewer_client.get(reverse("console:home")).content.decode()

    assert reverse("console:moderation") in page
