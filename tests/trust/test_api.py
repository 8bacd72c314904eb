"""``/api/v1/trust/``: each action succeeds for trust & safety, is refused to
outsiders and viewers, answers bad input with 400 and changes nothing."""

from __future__ import annotations

import pytest

from recengine.governance.publishing import current_version
from recengine.models import ApiScope
from recengine.trust.models import (
    AppealState,
    BlacklistEntry,
    EntryState,
    MerchantAppeal,
    MerchantCredit,
    QualityScore,
    ReregistrationCase,
    Violation,
)
from tests.trust.conftest import client_for

pytestmark = pytest.mark.django_db

BASE = "/api/v1/trust"


def _add(api, **body):
    payload = {"kind": "anchor", "target": "a-1", "reason": "fake credentials"}
    return api.post(f"{BASE}/blacklist/", {**payload, **body}, format="json")


def test_add_list_search_and_read_an_entry_with_its_history(api, platform):
    response = _add(api, evidence="screenshot")

    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["target"], body["state"]) == ("anchor", "a-1", "active")
    assert current_version() == 1

    found = api.get(f"{BASE}/blacklist/", {"q": "小美", "kind": "anchor"}).json()
    assert [row["id"] for row in found["results"]] == [body["id"]]
    assert api.get(f"{BASE}/blacklist/", {"kind": "keyword"}).json()["count"] == 0

    detail = api.get(f"{BASE}/blacklist/{body['id']}/").json()
    assert detail["history"][0]["by"] == "ts-lin"
    assert detail["history"][0]["reason"].startswith("blacklisted (6.2.3)")


@pytest.mark.parametrize(
    "body",
    [
        {"target": "a-404"},
        {"kind": "planet"},
        {"reason": ""},
        {"kind": "keyword", "target": "(a+)+", "is_regex": True},
        {"expires_at": "2020-01-01T00:00:00+08:00"},
        {"starts_at": "not a date"},
    ],
)
def test_bad_entries_are_refused_and_change_nothing(api, platform, body):
    response = _add(api, **body)

    assert response.status_code == 400
    assert "error" in response.json()
    assert not BlacklistEntry.objects.exists()
    assert current_version() == 0


def test_outsiders_viewers_and_anonymous_callers_are_refused(
    platform, outsider, viewer_user
):
    for user in (outsider, viewer_user):
        client = client_for(user)
        assert client.get(f"{BASE}/blacklist/").status_code == 403
        assert _add(client).status_code == 403
        assert client.get(f"{BASE}/credit/").status_code == 403
        assert client.get(f"{BASE}/blacklist/1/").status_code == 403
    assert client_for(None).get(f"{BASE}/blacklist/").status_code in (401, 403)
    assert not BlacklistEntry.objects.exists()


def test_reviewers_read_but_do_not_change(platform, reviewer_user, api):
    _add(api)
    reviewer = client_for(reviewer_user)

    assert reviewer.get(f"{BASE}/blacklist/").json()["count"] == 1
    assert reviewer.get(f"{BASE}/policy/").json()["current_version"] == 1
    assert _add(reviewer, target="a-2").status_code == 403
    assert BlacklistEntry.objects.count() == 1


def test_an_unknown_entry_is_404_for_staff(api, platform):
    assert api.get(f"{BASE}/blacklist/999/").status_code == 404
    reason = {"reason": "x"}
    assert api.post(f"{BASE}/blacklist/999/lift/request/", reason).status_code == 404


def test_api_keys_need_the_trust_scopes(platform, key_for):
    reader = key_for(ApiScope.TRUST_READ)
    writer = key_for(ApiScope.TRUST_WRITE)
    other = key_for(ApiScope.EVENTS_WRITE)

    assert other.get(f"{BASE}/blacklist/").status_code == 403
    assert _add(reader).status_code == 403
    assert _add(writer).status_code == 201
    assert reader.get(f"{BASE}/blacklist/").json()["count"] == 1
    # A key is not a person: it cannot be the second pair of eyes, and its history
    # record names the key in the reason instead of a user.
    entry = BlacklistEntry.objects.get()
    assert entry.created_by is None
    record = entry.history.get()
    assert record.history_user is None
    assert record.history_change_reason.endswith(f"[api key {writer.key_prefix}]")


def test_the_four_eyes_lift_through_the_api(api, platform, second_trust_user):
    entry_id = _add(api).json()["id"]
    lift = f"{BASE}/blacklist/{entry_id}/lift"

    assert api.post(f"{lift}/request/", {"reason": ""}).status_code == 400
    assert api.post(f"{lift}/request/", {"reason": "appeal"}).status_code == 200
    refused = api.post(f"{lift}/approve/", {"reason": "me again"})
    assert refused.status_code == 400
    assert "other than the requester" in refused.json()["detail"]
    assert BlacklistEntry.objects.get().state == EntryState.LIFT_REQUESTED

    second = client_for(second_trust_user)
    approved = second.post(f"{lift}/approve/", {"reason": "checked"})
    assert approved.status_code == 200
    assert approved.json()["state"] == "lifted"
    assert api.post(f"{lift}/unknown/", {"reason": "x"}).status_code == 404


def test_bulk_add_from_csv_text_reports_every_bad_row(api, platform):
    csv = "kind,target\nanchor,a-1\nmerchant,m-404\nkeyword,包治百病\n"
    rejected = api.post(
        f"{BASE}/blacklist/bulk/", {"csv": csv, "reason": "sweep"}, format="json"
    )

    assert rejected.status_code == 400
    assert rejected.json()["rows"] == [
        {"row": 1, "field": "target", "message": "unknown merchant 'm-404'"}
    ]
    assert not BlacklistEntry.objects.exists()

    pasted = "anchor,a-1\nkeyword,包治百病\nlive_room,r-2"
    added = api.post(
        f"{BASE}/blacklist/bulk/", {"csv": pasted, "reason": "sweep"}, format="json"
    )
    assert added.status_code == 201
    assert [row["status"] for row in added.json()["rows"]] == ["added"] * 3
    assert set(BlacklistEntry.objects.values_list("reason", flat=True)) == {"sweep"}


def test_preview_counts_the_exposures_of_the_last_day(api, platform):
    # The fixture's events lie at a fixed instant in the past: none in the last day.
    response = api.get(
        f"{BASE}/blacklist/preview/", {"kind": "anchor", "target": "a-1"}
    )

    assert response.status_code == 200
    assert response.json()["exposures"] == 0
    assert api.get(f"{BASE}/blacklist/preview/", {"kind": "x"}).status_code == 400
    assert not BlacklistEntry.objects.exists()


def test_reregistration_sweep_and_decision(api, platform, second_trust_user):
    platform.anchors[0].device_fingerprint_hash = "D" * 64
    platform.anchors[0].save()
    platform.anchors[1].device_fingerprint_hash = "D" * 64
    platform.anchors[1].save()
    _add(api)  # a-1, sharing a device with a-2

    cases = api.get(f"{BASE}/reregistrations/", {"state": "open"}).json()["results"]
    assert [(c["suspect"], c["matched_on"]) for c in cases] == [
        ("a-2", "device_fingerprint")
    ]
    decide = f"{BASE}/reregistrations/{cases[0]['id']}/decide/"
    assert api.post(decide, {"decision": "maybe", "reason": "x"}).status_code == 400
    decided = api.post(decide, {"decision": "dismiss", "reason": "family device"})
    assert decided.json()["state"] == "dismissed"
    assert ReregistrationCase.objects.get().decided_by.username == "ts-lin"
    assert api.post(f"{BASE}/reregistrations/").status_code == 201


def test_credit_import_by_json_and_csv_all_or_nothing(api, platform):
    bad = api.post(
        f"{BASE}/credit/",
        {"csv": "merchant,score\nm-1,90\nm-2,abc\n", "source": "regulator"},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["rows"] == [
        {"row": 1, "field": "score", "message": "must be a number of at least 0"}
    ]
    assert not MerchantCredit.objects.exists()

    good = api.post(
        f"{BASE}/credit/",
        {"rows": [{"merchant": "m-1", "score": 45}], "source": "regulator"},
        format="json",
    )
    assert good.status_code == 201
    listed = api.get(f"{BASE}/credit/").json()["results"]
    assert listed == [
        {
            **listed[0],
            "merchant": "m-1",
            "tier": "D",
            "multiplier": 0.3,
            "cap": 1,
        }
    ]


def test_restriction_violation_appeal_quality_and_policy(
    api, platform, second_trust_user
):
    restrict = f"{BASE}/merchants/m-2/restriction/"
    assert api.post(restrict, {"restricted": True, "reason": ""}).status_code == 400
    assert api.post(f"{BASE}/merchants/m-404/restriction/", {}).status_code == 404
    response = api.post(restrict, {"restricted": True, "reason": "fake nuts"})
    assert response.json()["multiplier"] == 0.0

    violation = {
        "merchant": "m-2",
        "kind": "counterfeit",
        "occurred_on": "2026-03-01",
        "description": "fake",
    }
    assert api.post(f"{BASE}/violations/", violation).status_code == 201
    assert (
        api.post(f"{BASE}/violations/", {**violation, "kind": "x"}).status_code == 400
    )
    assert Violation.objects.count() == 1

    filed = api.post(f"{BASE}/appeals/", {"merchant": "m-2", "statement": "licence"})
    appeal = f"{BASE}/appeals/{filed.json()['id']}/decide/"
    assert api.post(appeal, {"decision": "uphold", "reason": "x"}).status_code == 400
    upheld = client_for(second_trust_user).post(
        appeal, {"decision": "uphold", "reason": "licence valid"}
    )
    assert upheld.json()["state"] == "upheld"
    assert MerchantAppeal.objects.get().state == AppealState.UPHELD
    assert MerchantCredit.objects.get().restricted is False

    assert api.post(f"{BASE}/quality/").json() == {"merchants": 2}
    assert QualityScore.objects.count() == 2
    versions = api.get(f"{BASE}/policy/").json()
    assert versions["current_version"] == 3
    assert [v["clause"] for v in versions["recent"]] == ["6.2.1", "6.2.2", "6.2.2"]
