"""The staff console and the portal in a real browser."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select

from tests.browser.conftest import sign_in
from tests.browser.support import wait

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_platform_admin_signs_in_and_sees_the_dashboard_chart(
    browser, live_server, platform_admin, persona_password, platform
):
    sign_in(browser, live_server, platform_admin.username, persona_password)

    assert browser.current_url.rstrip("/").endswith("/console")
    # plotly.js came from our own static files and drew the chart.
    wait(browser, 10).until(
        expected_conditions.presence_of_element_located(
            (By.CSS_SELECTOR, ".js-plotly-plot .main-svg")
        )
    )
    assert "直播" in browser.page_source
    errors = [e for e in browser.get_log("browser") if e["source"] == "javascript"]
    assert errors == []


def test_the_language_switch_turns_the_console_english(
    browser, live_server, platform_admin, persona_password, platform
):
    sign_in(browser, live_server, platform_admin.username, persona_password)

    switch = browser.find_element(By.CSS_SELECTOR, "form.language")
    Select(switch.find_element(By.NAME, "language")).select_by_value("en")
    switch.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(browser, 10).until(
        lambda driver: (
            driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
        )
    )

    assert "Dashboard" in browser.page_source


def test_a_viewer_reaches_the_portal_and_not_the_console(
    browser, live_server, viewer_user, persona_password
):
    sign_in(browser, live_server, viewer_user.username, persona_password)

    assert "/portal/" in browser.current_url
    browser.get(f"{live_server.url}/console/")
    assert "无权访问" in browser.title
    assert "/console/" in browser.current_url
