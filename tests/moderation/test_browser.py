"""A reviewer works the high-risk queue in a real browser, and the recommendation
API starts serving the product the reviewer approved."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select

from recengine.models import ApiScope
from recengine.moderation.models import CaseStatus
from recengine.services.apikeys import issue_api_key
from tests.browser.conftest import browser, sign_in  # noqa: F401  the fixture
from tests.browser.support import wait

pytestmark = pytest.mark.django_db(transaction=True)


def _product_feed(platform_admin) -> set[str]:
    _, token = issue_api_key(
        actor=platform_admin, name="feed", scopes=[ApiScope.RECOMMENDATIONS_READ]
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {token}")
    body = api.get(
        "/api/v1/recommendations/",
        {"viewer": "u-1", "scene": "product_feed", "size": 20},
    ).json()
    return {item["id"] for item in body["items"]}


def test_a_reviewer_approves_a_product_and_it_is_served(
    browser,  # noqa: F811
    live_server,
    screened,
    reviewer_user,
    persona_password,
    platform_admin,
):
    assert "p-claim" not in _product_feed(platform_admin)
    case = screened.case_of(product=screened.claim_product)
    sign_in(browser, live_server, reviewer_user.username, persona_password)

    browser.get(f"{live_server.url}/console/moderation/?queue=high_risk")
    assert "p-claim" in browser.page_source
    browser.find_element(
        By.CSS_SELECTOR, f'a[href="/console/moderation/{case.pk}/"]'
    ).click()
    form = browser.find_element(By.CSS_SELECTOR, "form.stack")
    Select(form.find_element(By.NAME, "outcome")).select_by_value("approve")
    form.find_element(By.NAME, "ground").send_keys("广告法第九条复核")
    form.find_element(By.NAME, "facts").send_keys("“全网第一”有第三方销量报告佐证。")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(browser, 10).until(
        expected_conditions.presence_of_element_located(
            (By.CSS_SELECTOR, ".message.success")
        )
    )

    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    assert case.decisions.get(automated=False).decided_by == reviewer_user
    assert "p-claim" in _product_feed(platform_admin)
