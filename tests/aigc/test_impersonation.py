"""Anti-impersonation (clause 6.4.2): an AI persona named after a registered public
figure without consent is blocked and escalated."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from recengine.models import Anchor, BroadcastSession, LiveRoom
from recengine.moderation.impersonation import (
    check_impersonation,
    record_consent,
    register_figure,
)
from recengine.moderation.models import AigcCase, PublicFigure, Verdict
from recengine.moderation.policy_source import collect
from recengine.moderation.validation import ModerationError

pytestmark = pytest.mark.django_db
HUMAN_VOICE = {"pitch_variability": 0.45, "speech_rate_cpm": 300.0}
SYNTHETIC_VOICE = {"pitch_variability": 0.05, "speech_rate_cpm": 250.0}


@pytest.fixture
def figure(trust_safety_user):
    return register_figure(
        actor=trust_safety_user, code="PF-001", name="林语晴", aliases=["Lin Yuqing"]
    )


def _anchor(platform, key: str, name: str, *, digital=False, voice=None) -> Anchor:
    anchor = Anchor.objects.create(
        external_id=key,
        name=name,
        is_digital_human=digital,
        created_at=platform.now - dt.timedelta(days=5),
    )
    room = LiveRoom.objects.create(
        external_id=f"room-{key}",
        anchor=anchor,
        title="好物直播",
        created_at=platform.now - dt.timedelta(days=5),
    )
    if voice is not None:
        BroadcastSession.objects.create(
            external_id=f"s-{key}",
            room=room,
            started_at=timezone.now() - dt.timedelta(hours=1),
            ended_at=timezone.now(),
            audio_stats=voice,
        )
    return anchor


def test_a_declared_digital_human_named_after_a_figure_is_blocked(
    platform, figure, trust_safety_user
):
    impostor = _anchor(platform, "a-fake", "林语晴official", digital=True)

    cases = check_impersonation(actor=trust_safety_user)

    assert [(case.anchor, case.verdict) for case in cases] == [
        (impostor, Verdict.IMPERSONATION)
    ]
    assert cases[0].restricted and cases[0].escalated
    assert collect().blocked_anchors == {impostor.pk}
    reason = cases[0].history.first().history_change_reason
    assert reason == "verdict impersonation (clause 6.4.3)"


def test_an_undeclared_ai_persona_is_found_by_its_synthetic_voice(
    platform, figure, trust_safety_user
):
    hidden = _anchor(platform, "a-hidden", "Lin Yuqing 工作室", voice=SYNTHETIC_VOICE)
    namesake = _anchor(platform, "a-human", "林语晴本人", voice=HUMAN_VOICE)

    check_impersonation(actor=trust_safety_user)

    assert collect().blocked_anchors == {hidden.pk}
    assert namesake.pk not in collect().blocked_anchors


def test_consent_lets_the_persona_through(platform, figure, trust_safety_user):
    licensed = _anchor(platform, "a-licensed", "林语晴数字分身", digital=True)
    record_consent(
        actor=trust_safety_user,
        figure=figure,
        anchor=licensed,
        evidence="contract LC-2026-017",
        expires_at=timezone.now() + dt.timedelta(days=365),
    )

    assert check_impersonation(actor=trust_safety_user) == []
    assert collect().blocked_anchors == set()


def test_an_expired_consent_cannot_be_recorded(platform, figure, trust_safety_user):
    anchor = _anchor(platform, "a-late", "林语晴", digital=True)

    with pytest.raises(ModerationError):
        record_consent(
            actor=trust_safety_user,
            figure=figure,
            anchor=anchor,
            evidence="old contract",
            expires_at=timezone.now() - dt.timedelta(days=1),
        )


def test_blocked_impersonator_rooms_are_not_served(
    platform,
    figure,
    trust_safety_user,
    platform_admin,
    django_capture_on_commit_callbacks,
):
    from rest_framework.test import APIClient

    from recengine.models import ApiScope
    from recengine.services.apikeys import issue_api_key

    impostor = _anchor(platform, "a-fake", "林语晴official", digital=True)
    BroadcastSession.objects.create(
        external_id="s-fake-live",
        room=impostor.rooms.get(),
        started_at=timezone.now() - dt.timedelta(minutes=5),
    )
    _, token = issue_api_key(
        actor=platform_admin, name="feed", scopes=[ApiScope.RECOMMENDATIONS_READ]
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {token}")

    def live_ids() -> set[str]:
        body = api.get(
            "/api/v1/recommendations/", {"viewer": "u-1", "scene": "live_feed"}
        ).json()
        return {item["id"] for item in body["items"]}

    assert "room-a-fake" in live_ids()
    # The test's transaction never commits: run what the commit would announce.
    with django_capture_on_commit_callbacks(execute=True):
        check_impersonation(actor=trust_safety_user)
    assert "room-a-fake" not in live_ids()


def test_figure_and_consent_api(platform, api_for, trust_safety_user, outsider):
    api = api_for(trust_safety_user)
    anchor = _anchor(platform, "a-lic", "周子默AI", digital=True)

    created = api.post(
        "/api/v1/aigc/figures/",
        {"code": "PF-002", "name": "周子默", "aliases": []},
        format="json",
    )
    duplicate = api.post(
        "/api/v1/aigc/figures/", {"code": "PF-002", "name": "x"}, format="json"
    )
    markup = api.post(
        "/api/v1/aigc/figures/",
        {"code": "PF-003", "name": "<b>x</b>"},
        format="json",
    )
    forbidden = api_for(outsider).post(
        "/api/v1/aigc/figures/", {"code": "PF-9", "name": "y"}, format="json"
    )
    figure = PublicFigure.objects.get(code="PF-002")
    consent = api.post(
        f"/api/v1/aigc/figures/{figure.pk}/consents/",
        {"anchor": "a-lic", "evidence": "contract 9"},
        format="json",
    )
    unknown = api.post(
        f"/api/v1/aigc/figures/{figure.pk}/consents/",
        {"anchor": "a-none", "evidence": "contract 9"},
        format="json",
    )
    check = api.post("/api/v1/aigc/impersonation-check/")

    assert created.status_code == 201
    assert duplicate.status_code == 400
    assert markup.status_code == 400 and "HTML" in str(markup.json())
    assert forbidden.status_code == 403
    assert consent.status_code == 201 and unknown.status_code == 400
    assert check.json() == {"cases": []}
    assert not AigcCase.objects.filter(anchor=anchor).exists()
    assert PublicFigure.objects.count() == 1


def test_the_console_registers_figures_and_runs_the_check(
    platform, client, trust_safety_user
):
    from django.urls import reverse

    _anchor(platform, "a-fake", "沈清禾official", digital=True)
    client.force_login(trust_safety_user)

    client.post(reverse("console:aigc_figure"), {"code": "PF-003", "name": "沈清禾"})
    client.post(reverse("console:aigc_impersonation"))
    page = client.get(reverse("console:aigc"), HTTP_ACCEPT_LANGUAGE="en")

    assert AigcCase.objects.get().verdict == Verdict.IMPERSONATION
    assert "Impersonation of a public figure" in page.content.decode()
