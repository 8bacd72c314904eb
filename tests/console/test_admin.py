"""The Django admin covers every model; the event log stays read-only there."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from recengine.models import Event
from recengine.services.apikeys import issue_api_key


def _models(label: str):
    return [
        model
        for model in apps.get_app_config(label).get_models()
        if not model.__name__.startswith("Historical")
    ]


@pytest.mark.parametrize("label", ["recengine", "audits"])
def test_every_model_is_registered(label):
    missing = [m.__name__ for m in _models(label) if not admin.site.is_registered(m)]

    assert missing == []


def test_models_with_history_use_the_history_admin():
    for model in _models("recengine"):
        if hasattr(model, "history"):
            assert isinstance(admin.site._registry[model], SimpleHistoryAdmin), model


def test_every_changelist_opens_for_a_superuser(client, superuser, platform):
    client.force_login(superuser)

    for model in _models("recengine"):
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


def test_event_log_cannot_be_added_changed_or_deleted(client, superuser, platform):
    client.force_login(superuser)
    event = platform.events[0]

    add = client.get(reverse("admin:recengine_event_add"))
    change = client.post(
        reverse("admin:recengine_event_change", args=[event.pk]), {"text": "edited"}
    )
    delete = client.post(
        reverse("admin:recengine_event_delete", args=[event.pk]), {"post": "yes"}
    )

    assert add.status_code == 403
    assert change.status_code == 403
    assert delete.status_code == 403
    assert Event.objects.filter(pk=event.pk, text="").exists()


def test_event_detail_is_readable(client, superuser, platform):
    client.force_login(superuser)
    event = platform.events[0]

    response = client.get(reverse("admin:recengine_event_change", args=[event.pk]))

    assert response.status_code == 200
    assert event.event_id in response.content.decode()


def test_api_key_hash_is_never_shown(client, superuser):
    key, _ = issue_api_key(actor=superuser, name="x", scopes=["events:write"])
    client.force_login(superuser)

    page = client.get(reverse("admin:recengine_apikey_change", args=[key.pk]))

    assert page.status_code == 200
    assert key.key_hash not in page.content.decode()


def test_role_members_without_superuser_cannot_enter_the_admin(client, platform_admin):
    client.force_login(platform_admin)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302


@pytest.mark.parametrize("model_name", ["modelversion", "rankingconfig"])
def test_governed_lifecycle_records_cannot_be_added_here(client, superuser, model_name):
    client.force_login(superuser)

    response = client.get(reverse(f"admin:recengine_{model_name}_add"))

    assert response.status_code == 403
