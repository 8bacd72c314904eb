"""Viewer rights in a real browser: delete a tag, switch off, see the preview change.

Runs last in the package, as one test: a transactional test empties the database
when it ends, including the trained platform the engine tests share.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions

from console import roles
from recengine import serving
from recengine.models import Viewer
from recengine.services.interests import derive_interests
from recengine.services.lifecycle import activate_model
from tests.browser.conftest import sign_in
from tests.browser.support import wait
from tests.conftest import PERSONA_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

PREVIEW = "/portal/recommendations/?scene=product_feed"
PHONE_WIDTH = 390


@pytest.fixture
def simulated_viewer(trained, role_groups, platform_admin):
    """A user signed up as one of the simulated platform's viewers, engine on."""
    activate_model(actor=platform_admin, version=trained.first, reason="test")
    runtime = serving.runtime()
    runtime.refresh(force=True)
    runtime.wait()
    user = get_user_model().objects.create_user(
        "viewer-zhou", password=PERSONA_PASSWORD
    )
    user.groups.add(role_groups[roles.VIEWER])
    viewer = next(
        v
        for v in Viewer.objects.filter(pk__in=list(runtime._artifacts.interest_viewers))
        .order_by("pk")
        .iterator()
        if derive_interests(actor=None, viewer=v, now=trained.until)
    )
    viewer.user = user
    viewer.save()
    # Tags as of the end of the simulated days: the engine's window.
    return user


def _feed(driver) -> tuple[str, list[str]]:
    strategy = driver.find_element(By.ID, "feed-strategy").get_attribute(
        "data-strategy"
    )
    items = [
        element.get_attribute("data-item")
        for element in driver.find_elements(By.CSS_SELECTOR, "#feed .feed-item")
    ]
    return strategy, items


def _no_horizontal_overflow(driver) -> bool:
    return driver.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth;"
    )


def test_viewer_deletes_a_tag_switches_off_and_the_preview_changes(
    browser,
    live_server,
    simulated_viewer,
):
    sign_in(browser, live_server, simulated_viewer.username, PERSONA_PASSWORD)
    browser.get(f"{live_server.url}{PREVIEW}")
    strategy, personal_items = _feed(browser)
    assert strategy == "personalised"
    assert personal_items

    browser.get(f"{live_server.url}/portal/")
    tags = browser.find_elements(By.CSS_SELECTOR, "li.tag")
    first = tags[0].get_attribute("data-tag")
    tags[0].find_element(By.CSS_SELECTOR, "button.danger").click()
    wait(browser, 10).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".message"))
    )
    left = [
        t.get_attribute("data-tag")
        for t in browser.find_elements(By.CSS_SELECTOR, "li.tag")
    ]
    assert first not in left

    browser.get(f"{live_server.url}/portal/personalization/")
    browser.find_element(By.ID, "switch-personalization").click()
    wait(browser, 10).until(
        expected_conditions.text_to_be_present_in_element(
            (By.ID, "personalization-state"), "关"
        )
    )

    browser.get(f"{live_server.url}{PREVIEW}")
    strategy, plain_items = _feed(browser)
    assert strategy == "non_personalised"
    assert plain_items != personal_items

    # The same pages on a phone: nothing wider than the screen.
    browser.set_window_size(PHONE_WIDTH, 844)

    for path in (
        "/portal/",
        "/portal/personalization/",
        PREVIEW,
        "/portal/data/",
        "/portal/how-recommendations-work/",
    ):
        browser.get(f"{live_server.url}{path}")
        width = browser.execute_script("return window.innerWidth;")
        assert width <= PHONE_WIDTH + 20
        assert _no_horizontal_overflow(browser), path
