"""A trust & safety member blacklists an anchor in a real browser, and the
recommendation API stops returning the anchor's live rooms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select

from recengine.models import ApiScope, BroadcastSession
from recengine.services.apikeys import issue_api_key
from tests.browser.conftest import browser, sign_in  # noqa: F401  the fixture
from tests.browser.support import wait

pytestmark = pytest.mark.django_db(transaction=True)


def _live_rooms(client: APIClient) -> set[str]:
    response = client.get(
        "/api/v1/recommendations/", {"viewer": "u-1", "scene": "live_feed"}
    )
    assert response.status_code == 200
    return {item["id"] for item in response.json()["items"]}


def test_blacklisting_an_anchor_in_the_console_empties_its_rooms_from_the_feed(
    browser,  # noqa: F811
    live_server,
    trust_safety_user,
    persona_password,
    platform,
    platform_admin,
):
    BroadcastSession.objects.create(
        external_id="s-now-2",
        room=platform.rooms[1],
        started_at=timezone.now() - dt.timedelta(minutes=5),
    )
    _, token = issue_api_key(
        actor=platform_admin, name="feed", scopes=[ApiScope.RECOMMENDATIONS_READ]
    )
    feed = APIClient()
    feed.credentials(HTTP_AUTHORIZATION=f"Api-Key {token}")
    assert _live_rooms(feed) == {"r-1", "r-2", "r-3"}

    sign_in(browser, live_server, trust_safety_user.username, persona_password)
    browser.find_element(By.PARTIAL_LINK_TEXT, "信任与安全").click()
    form = browser.find_element(By.ID, "blacklist-add")
    Select(form.find_element(By.NAME, "kind")).select_by_value("anchor")
    form.find_element(By.NAME, "target").send_keys("a-1")
    form.find_element(By.NAME, "reason").send_keys("虚假资质")
    form.find_element(By.NAME, "evidence").send_keys("<script>alert(1)</script>")
    form.find_element(By.CSS_SELECTOR, "button[name=add]").click()

    # The form is on the blacklist page itself: wait for the page the POST
    # answered with, not for a URL the browser may already show.
    wait(browser, 10).until(expected_conditions.staleness_of(form))
    wait(browser, 10).until(
        expected_conditions.url_contains("/console/trust/blacklist/")
    )
    wait(browser, 10).until(lambda page: "小美" in page.page_source)
    assert "<script>alert(1)</script>" not in browser.page_source
    assert _live_rooms(feed) == {"r-2"}
