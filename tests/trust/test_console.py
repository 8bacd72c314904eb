"""The trust & safety console pages: who may see and change what, and what staff see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from recengine.models import Event, EventKind
from recengine.trust.models import (
    BlacklistEntry,
    EntryState,
    MerchantCredit,
    ReregistrationCase,
)

pytestmark = pytest.mark.django_db

PAGES = [
    "console:trust_blacklist",
    "console:trust_cases",
    "console:trust_credit",
    "console:trust_violations",
    "console:trust_appeals",
]


@pytest.fixture
def staff(client, trust_safety_user):
    client.force_login(trust_safety_user)
    return client


def _add(client, **fields):
    data = {
        "kind": "anchor",
        "target": "a-1",
        "reason": "fake credentials",
        "clause": "6.2.3",
        **fields,
    }
    return client.post(reverse("console:trust_add"), data, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_for_trust_and_safety_and_reviewers(
    client, trust_safety_user, reviewer_user, page, platform
):
    for user in (trust_safety_user, reviewer_user):
        client.force_login(user)
        assert client.get(reverse(page)).status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_outsiders_and_viewers_get_403(client, outsider, viewer_user, page):
    for user in (outsider, viewer_user):
        client.force_login(user)
        assert client.get(reverse(page)).status_code == 403
    client.logout()
    assert client.get(reverse(page)).status_code == 302  # to the login page


def test_reviewers_see_no_forms_and_cannot_post(client, reviewer_user, platform):
    client.force_login(reviewer_user)

    page = client.get(reverse("console:trust_blacklist")).content.decode()
    assert 'id="blacklist-add"' not in page
    assert _add(client).status_code == 403
    assert not BlacklistEntry.objects.exists()


def test_blacklisting_from_the_console_records_and_escapes(staff, platform):
    response = _add(staff, reason="<script>alert('x')</script> fake")

    entry = BlacklistEntry.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("console:trust_entry", args=[entry.pk])
    page = staff.get(response.url).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page
    assert "ts-lin" in page  # the history names who


def test_a_bad_entry_is_shown_again_with_400_and_nothing_saved(staff, platform):
    response = _add(staff, target="a-404")

    assert response.status_code == 400
    assert "No such target." in response.content.decode()
    assert not BlacklistEntry.objects.exists()


def test_preview_shows_the_exposures_it_would_have_removed(staff, platform):
    now = timezone.now()
    Event.objects.bulk_create(
        Event(
            event_id=f"recent-{n}",
            kind=EventKind.IMPRESSION,
            occurred_at=now - dt.timedelta(hours=n + 1),
            viewer=platform.viewers[0],
            room=platform.rooms[n % 3],
        )
        for n in range(6)
    )

    response = _add(staff, preview="1")

    # Rooms 1 and 3 belong to anchor a-1: four of the six exposures.
    assert response.status_code == 200
    assert response.context["impact"].exposures == 4
    assert response.context["impact"].total == 6
    assert not BlacklistEntry.objects.exists()


def test_bulk_page_reports_rows_and_adds_nothing_on_error(staff, platform):
    url = reverse("console:trust_bulk")
    bad = staff.post(
        url,
        {"listing": "anchor,a-1\nproduct,p-9", "reason": "ring", "clause": "6.2.3"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.status_code == 400
    assert "unknown product &#x27;p-9&#x27;" in bad.content.decode()
    assert not BlacklistEntry.objects.exists()

    upload = SimpleUploadedFile("list.csv", b"kind,target\nanchor,a-1\n")
    good = staff.post(url, {"upload": upload, "reason": "ring", "clause": "6.2.3"})
    assert good.status_code == 200
    assert BlacklistEntry.objects.get().anchor == platform.anchors[0]


def test_the_lift_in_the_console_needs_a_second_person(
    client, staff, platform, second_trust_user
):
    _add(staff)
    entry = BlacklistEntry.objects.get()
    lift = "console:trust_lift"
    staff.post(reverse(lift, args=[entry.pk, "request"]), {"reason": "appeal"})
    refused = staff.post(reverse(lift, args=[entry.pk, "approve"]), {"reason": "me"})
    assert refused.status_code == 400
    entry.refresh_from_db()
    assert entry.state == EntryState.LIFT_REQUESTED

    client.force_login(second_trust_user)
    client.post(reverse(lift, args=[entry.pk, "approve"]), {"reason": "checked"})
    entry.refresh_from_db()
    assert entry.state == EntryState.LIFTED


def test_credit_import_from_a_file_and_its_row_report(staff, platform):
    url = reverse("console:trust_credit_import")
    bad = SimpleUploadedFile("credit.csv", b"merchant,score\nm-1,88\nm-9,20\n")
    response = staff.post(url, {"upload": bad, "source": "regulator"})
    assert response.status_code == 400
    assert response.context["errors"] == [
        {"row": 3, "field": "merchant", "message": "unknown merchant 'm-9'"}
    ]
    assert not MerchantCredit.objects.exists()

    good = SimpleUploadedFile("credit.csv", b"merchant,score\nm-1,88\nm-2,20\n")
    assert staff.post(url, {"upload": good, "source": "regulator"}).status_code == 302
    page = staff.get(reverse("console:trust_credit")).content.decode()
    assert "m-2" in page
    assert MerchantCredit.objects.get(merchant__external_id="m-2").tier == "restricted"


def test_violation_and_appeal_forms(staff, platform):
    staff.post(
        reverse("console:trust_violations"),
        {
            "merchant": "m-1",
            "kind": "false_advertising",
            "occurred_on": "2026-03-01",
            "description": "<b>best in China</b>",
        },
    )
    page = staff.get(reverse("console:trust_violations")).content.decode()
    assert "&lt;b&gt;best in China&lt;/b&gt;" in page

    bad = staff.post(
        reverse("console:trust_appeals"),
        {"merchant": "m-1", "statement": "x", "requested_score": "150"},
    )
    assert bad.status_code == 400


def test_the_admin_lists_trust_models_read_only(client, superuser, platform):
    from django.apps import apps

    client.force_login(superuser)
    for model in apps.get_app_config("trust").get_models():
        if model.__name__ == "PolicyHead" or model.__name__.startswith("Historical"):
            continue
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
        assert client.get(url + "add/").status_code == 403


def test_an_oversized_upload_is_refused_whole(staff, platform):
    big = SimpleUploadedFile("big.csv", b"merchant,score\n" + b"m-1,90\n" * 200_000)

    response = staff.post(
        reverse("console:trust_credit_import"), {"upload": big, "source": "feed"}
    )

    assert response.status_code == 400
    assert not MerchantCredit.objects.exists()


def test_a_reregistration_case_is_decided_in_the_console(staff, platform):
    for anchor in platform.anchors:
        anchor.device_fingerprint_hash = "D" * 64
        anchor.save()
    _add(staff)  # a-1; a-2 shares its device
    page = staff.get(reverse("console:trust_cases")).content.decode()
    assert "a-2" in page

    suspect = platform.anchors[1]
    pending = ReregistrationCase.objects.get(anchor=suspect)
    staff.post(
        reverse("console:trust_case_decide", args=[pending.pk]),
        {"decision": "confirm", "reason": "same phone"},
    )

    pending.refresh_from_db()
    assert pending.state == "confirmed"
    assert BlacklistEntry.objects.filter(anchor=suspect).exists()
