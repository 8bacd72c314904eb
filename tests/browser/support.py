"""Waiting in browser tests: a page that is being replaced is not a failure."""

from __future__ import annotations

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.support.ui import WebDriverWait


def wait(browser, seconds: float = 10.0) -> WebDriverWait:
    """A wait that retries while navigation replaces the element being read."""
    return WebDriverWait(
        browser, seconds, ignored_exceptions=[StaleElementReferenceException]
    )
