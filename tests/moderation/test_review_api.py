"""The reviewer's actions through the API: claim, decide with a statement of reasons,
bulk decisions with one record per case, appeals by a different reviewer."""

from __future__ import annotations

import pytest

from recengine.moderation.models import (
    Appeal,
    CaseStatus,
    ContentKind,
    Decision,
    ModerationCase,
    Queue,
)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/moderation"
STATEMENT = {
    "outcome": "reject",
    "ground": "广告法 Art. 9(3)",
    "facts": "The title claims 全网第一 and 国家级.",
    "redress": "Appeal within 15 days.",
}


def _pending(screened) -> ModerationCase:
    return screened.case_of(product=screened.claim_product)


def test_queue_summary_shows_open_counts_and_screen_figures(
    screened, api_for, reviewer_user
):
    body = api_for(reviewer_user).get(f"{BASE}/queues/").json()

    assert body["open"][Queue.HIGH_RISK] == 2
    assert body["screen"]["test_examples"] == 188
    assert 0 < body["screen"]["precision"] <= 1


def test_cases_list_by_queue_most_urgent_first(screened, api_for, reviewer_user):
    body = api_for(reviewer_user).get(f"{BASE}/cases/?queue=high_risk").json()

    priorities = [row["priority"] for row in body["results"]]
    assert priorities == sorted(priorities, reverse=True)
    assert {row["target"]["id"] for row in body["results"]} == {"p-claim", "r-claim"}


def test_claim_then_decide_writes_the_statement_and_history(
    screened, api_for, reviewer_user
):
    case = _pending(screened)
    api = api_for(reviewer_user)

    assert api.post(f"{BASE}/cases/{case.pk}/claim/").status_code == 200
    response = api.post(f"{BASE}/cases/{case.pk}/decide/", STATEMENT, format="json")

    assert response.status_code == 201, response.content
    case.refresh_from_db()
    assert case.status == CaseStatus.REJECTED
    decision = case.decisions.get(automated=False)
    assert (decision.ground, decision.redress) == (
        STATEMENT["ground"],
        STATEMENT["redress"],
    )
    assert decision.decided_by == reviewer_user
    assert decision.review_seconds >= 0
    reasons = list(case.history.values_list("history_change_reason", flat=True))
    assert any(
        r.startswith("reject: 广告法") and "(clause 6.1.1)" in r for r in reasons
    )
    assert case.history.first().history_user == reviewer_user


def test_a_case_claimed_by_someone_else_cannot_be_decided(
    screened, api_for, reviewer_user, second_reviewer
):
    case = _pending(screened)
    api_for(reviewer_user).post(f"{BASE}/cases/{case.pk}/claim/")

    response = api_for(second_reviewer).post(
        f"{BASE}/cases/{case.pk}/decide/", STATEMENT, format="json"
    )

    assert response.status_code == 400
    assert "claimed by another reviewer" in str(response.json()["detail"])
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING


@pytest.mark.parametrize(
    "change",
    [
        {"outcome": "delete"},
        {"ground": "  "},
        {"facts": ""},
        {"facts": "<script>alert(1)</script>"},
        {"ground": "x" * 301},
    ],
)
def test_bad_statements_are_refused_and_change_nothing(
    screened, api_for, reviewer_user, change
):
    case = _pending(screened)
    versions = case.history.count()

    response = api_for(reviewer_user).post(
        f"{BASE}/cases/{case.pk}/decide/", STATEMENT | change, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING
    assert case.history.count() == versions
    assert not case.decisions.filter(automated=False).exists()


def test_bulk_decision_records_one_decision_per_case(screened, api_for, reviewer_user):
    ids = list(
        ModerationCase.objects.filter(queue=Queue.HIGH_RISK).values_list(
            "pk", flat=True
        )
    )

    response = api_for(reviewer_user).post(
        f"{BASE}/cases/bulk-decide/", STATEMENT | {"cases": ids}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["decided"] == len(ids) == 2
    decisions = Decision.objects.filter(case_id__in=ids, automated=False)
    assert decisions.count() == 2
    assert len({decision.batch for decision in decisions}) == 1
    assert {decision.facts for decision in decisions} == {STATEMENT["facts"]}
    assert set(
        ModerationCase.objects.filter(pk__in=ids).values_list("status", flat=True)
    ) == {CaseStatus.REJECTED}


def test_bulk_is_all_or_nothing(screened, api_for, reviewer_user):
    decided = ModerationCase.objects.filter(status=CaseStatus.AUTO_APPROVED).first()
    pending = _pending(screened)

    response = api_for(reviewer_user).post(
        f"{BASE}/cases/bulk-decide/",
        STATEMENT | {"cases": [pending.pk, decided.pk]},
        format="json",
    )

    assert response.status_code == 400
    assert f"Case {decided.pk} is already decided" in str(response.json())
    pending.refresh_from_db()
    assert pending.status == CaseStatus.PENDING
    assert not Decision.objects.filter(automated=False).exists()


def test_unknown_case_in_bulk_is_refused(screened, api_for, reviewer_user):
    response = api_for(reviewer_user).post(
        f"{BASE}/cases/bulk-decide/",
        STATEMENT | {"cases": [_pending(screened).pk, 999999]},
        format="json",
    )

    assert response.status_code == 400
    assert "There is no case 999999" in str(response.json())


def test_appeal_is_decided_by_a_different_reviewer(
    screened, api_for, reviewer_user, second_reviewer
):
    case = _pending(screened)
    first, second = api_for(reviewer_user), api_for(second_reviewer)
    first.post(f"{BASE}/cases/{case.pk}/decide/", STATEMENT, format="json")
    filed = first.post(
        f"{BASE}/cases/{case.pk}/appeals/",
        {"statement": "The claim quotes a national award."},
        format="json",
    )
    assert filed.status_code == 201
    appeal = Appeal.objects.get()
    overturn = {
        "uphold": False,
        "ground": "Clause 6.1.1 appeal",
        "facts": "Award certificate verified.",
    }

    own = first.post(f"{BASE}/appeals/{appeal.pk}/decide/", overturn, format="json")
    other = second.post(f"{BASE}/appeals/{appeal.pk}/decide/", overturn, format="json")

    assert own.status_code == 400
    assert "different reviewer" in str(own.json())
    assert other.status_code == 201
    case.refresh_from_db()
    appeal.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    assert (appeal.status, appeal.decided_by) == ("overturned", second_reviewer)
    on_appeal = case.decisions.get(appeal=appeal)
    assert (on_appeal.decided_by, on_appeal.queue) == (second_reviewer, "appeal")


def test_only_a_reviewers_decision_can_be_appealed(screened, api_for, reviewer_user):
    auto = ModerationCase.objects.filter(status=CaseStatus.AUTO_APPROVED).first()

    response = api_for(reviewer_user).post(
        f"{BASE}/cases/{auto.pk}/appeals/", {"statement": "please"}, format="json"
    )

    assert response.status_code == 400
    assert not Appeal.objects.exists()


def test_outsiders_and_anonymous_callers_are_kept_out(
    screened, api_for, outsider, viewer_user
):
    case = _pending(screened)
    for user in (outsider, viewer_user):
        api = api_for(user)
        assert api.get(f"{BASE}/cases/").status_code == 403
        assert api.get(f"{BASE}/cases/{case.pk}/").status_code == 403
        decide = api.post(f"{BASE}/cases/{case.pk}/decide/", STATEMENT, format="json")
        assert decide.status_code == 403
    assert api_for(None).get(f"{BASE}/cases/").status_code in (401, 403)
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING


def test_compliance_officers_read_but_cannot_decide(
    screened, api_for, compliance_officer
):
    case = _pending(screened)
    api = api_for(compliance_officer)

    assert api.get(f"{BASE}/cases/{case.pk}/").status_code == 200
    assert (
        api.post(
            f"{BASE}/cases/{case.pk}/decide/", STATEMENT, format="json"
        ).status_code
        == 403
    )


def test_missing_case_is_404(screened, api_for, reviewer_user):
    api = api_for(reviewer_user)

    assert api.post(f"{BASE}/cases/999999/claim/").status_code == 404
    assert api.get(f"{BASE}/cases/999999/").status_code == 404


def test_case_detail_lists_the_statements_of_reasons(screened, api_for, reviewer_user):
    case = screened.case_of(room=screened.claim_room, kind=ContentKind.ROOM_TITLE)

    body = api_for(reviewer_user).get(f"{BASE}/cases/{case.pk}/").json()

    assert body["target"] == {"kind": "live_room", "id": "r-claim"}
    assert [d["automated"] for d in body["decisions"]] == [True]
    assert body["decisions"][0]["outcome"] == "route"


def test_a_long_ground_still_leaves_the_clause_in_the_history(
    screened, api_for, reviewer_user
):
    case = _pending(screened)

    api_for(reviewer_user).post(
        f"{BASE}/cases/{case.pk}/decide/",
        STATEMENT | {"ground": "广告法" * 100},
        format="json",
    )

    reason = case.history.first().history_change_reason
    assert len(reason) <= 100
    assert reason.endswith("… (clause 6.1.1)")
