"""A compliance officer runs an audit in a real browser and downloads its PDF."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from pypdf import PdfReader
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select

from audits.models import Report
from audits.reports.render import render
from console.celery import app
from tests.browser.conftest import browser, sign_in  # noqa: F401 - fixture
from tests.browser.support import wait

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def eager_tasks():
    # The live server has no worker beside it: the audit runs inside the request.
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def _set_date(driver, name: str, value: str) -> None:
    field = driver.find_element(By.NAME, name)
    driver.execute_script("arguments[0].value = arguments[1]", field, value)


def _downloaded_pdf(folder: Path) -> Path:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done = [p for p in folder.glob("*.pdf") if p.stat().st_size > 0]
        if done:
            return done[0]
        time.sleep(0.5)
    pytest.fail(f"no PDF downloaded into {folder}")


def test_a_compliance_officer_runs_an_audit_and_downloads_the_pdf(
    browser,  # noqa: F811
    live_server,
    compliance_officer,
    persona_password,
    platform,
    eager_tasks,
    tmp_path,
    settings,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior",
        {"behavior": "allow", "downloadPath": str(downloads)},
    )
    sign_in(browser, live_server, compliance_officer.username, persona_password)

    # Given the audit page, the officer starts a full audit of a past period.
    browser.get(f"{live_server.url}/console/audits/")
    Select(browser.find_element(By.NAME, "kind")).select_by_value("full")
    _set_date(browser, "start", "2026-02-20")
    _set_date(browser, "end", "2026-03-09")
    browser.find_element(By.CSS_SELECTOR, "#start-audit button[type=submit]").click()

    # Then the run completes and its report is listed.
    wait(browser, 120).until(
        lambda d: (
            d.find_element(By.ID, "run-status").get_attribute("data-status") == "done"
        )
    )
    browser.find_element(By.CSS_SELECTOR, "a.report-link").click()
    wait(browser, 30).until(
        expected_conditions.presence_of_element_located((By.ID, "content-hash"))
    )

    # When the officer downloads the Chinese PDF.
    browser.find_element(By.CSS_SELECTOR, "a.download-pdf-zh-hans").click()
    pdf_path = _downloaded_pdf(downloads)

    # Then it is a real PDF with the report's pages, cover first.
    reader = PdfReader(pdf_path)
    report = Report.objects.get()
    expected = PdfReader(io.BytesIO(render(report, "pdf", "zh-hans")))
    assert len(reader.pages) == len(expected.pages) >= 5
    cover = reader.pages[0].extract_text().replace("\n", "")
    assert report.content_sha256 in cover
    assert "技术规范" in cover
