"""Chinese by default, English on request, through Django's language switch."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_login_page_is_chinese_by_default(client):
    page = client.get(reverse("console:login")).content.decode()

    assert 'lang="zh-hans"' in page
    assert "登录" in page
    assert "Sign in" not in page


def test_dashboard_is_chinese_by_default(client, reviewer_user):
    client.force_login(reviewer_user)

    page = client.get(reverse("console:home")).content.decode()

    assert "正在直播的直播间" in page
    assert "Rooms live now" not in page


def test_language_switch_renders_english(client, reviewer_user):
    client.force_login(reviewer_user)
    home = reverse("console:home")

    response = client.post(reverse("set_language"), {"language": "en", "next": home})

    assert response.status_code == 302
    assert response.url == home
    page = client.get(home).content.decode()
    assert 'lang="en"' in page
    assert "Rooms live now" in page
    assert "正在直播的直播间" not in page


def test_switching_back_to_chinese(client, reviewer_user):
    client.force_login(reviewer_user)
    client.post(reverse("set_language"), {"language": "en"})

    client.post(reverse("set_language"), {"language": "zh-hans"})

    assert "正在直播的直播间" in client.get(reverse("console:home")).content.decode()


def test_every_page_offers_the_language_switcher(client, viewer_user):
    client.force_login(viewer_user)

    page = client.get(reverse("portal:home")).content.decode()

    assert f'action="{reverse("set_language")}"' in page
    assert 'value="en"' in page and 'value="zh-hans"' in page
