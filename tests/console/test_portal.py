"""The viewer portal: profile, personalisation state and interest tags."""

from __future__ import annotations

import re

from django.urls import reverse

from recengine.models import InterestTag


def _portal(client, user, language="en"):
    client.force_login(user)
    response = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_portal_shows_profile_and_tags_by_weight(client, viewer_user):
    page = _portal(client, viewer_user)

    assert "East China" in page
    assert "High spending" in page
    assert "Skincare" in page and "Snacks" in page
    assert page.index("Skincare") < page.index("Snacks")  # strongest first
    assert "Live rooms" in page and "Short videos" in page
    assert "0.80" in page and "0.30" in page


def test_portal_uses_chinese_tag_names_by_default(client, viewer_user):
    page = _portal(client, viewer_user, language="")

    assert "护肤" in page
    assert "Skincare" not in page


def test_portal_shows_personalisation_off(client, viewer_user, viewer):
    viewer.personalization_enabled = False
    viewer.save()

    page = _portal(client, viewer_user)

    assert "do not use your personal characteristics" in page


def test_portal_shows_only_the_signed_in_viewers_tags(client, viewer_user, platform):
    other = platform.viewers[0]
    other.interests.create(
        tag=InterestTag.objects.get(code="snacks"),
        weight=0.99,
        source="product",
        updated_at=platform.now,
    )

    page = _portal(client, viewer_user)

    assert "0.99" not in page


def test_viewer_without_tags_gets_an_explanation(client, viewer_user, viewer):
    viewer.interests.all().delete()

    page = _portal(client, viewer_user)

    assert "holds no interest tags for you yet" in page


def test_portal_is_readable_on_a_phone_and_works_offline(client, viewer_user):
    page = _portal(client, viewer_user)

    assert 'name="viewport" content="width=device-width' in page
    external = re.findall(r'(?:src|href)="(https?:)?//', page)
    assert external == []
