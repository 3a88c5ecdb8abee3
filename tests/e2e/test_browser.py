"""Browser test: a real Chromium drives the live server through the main pages.

Sign in, see the Pareto chart on the dashboard, switch to English and back to 简体中文, open a
customer's 360 view and keep a screenshot. Under CI=true a missing Chromium fails the test.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from paretocrm.customers.tests.factories import make_customer, make_order, make_user
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.users.choices import Role

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "Granite-Orchard-7781"


def _require_chromium() -> None:
    if shutil.which(CHROMIUM) is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{CHROMIUM} is required for the browser tests under CI=true")
        pytest.skip(f"{CHROMIUM} not installed")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sign_in_dashboard_language_switch_and_customer_360(live_server, tmp_path: Path):
    _require_chromium()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs a loop
    from playwright.sync_api import expect, sync_playwright

    admin = make_user(Role.ADMINISTRATOR, username="boss")
    admin.set_password(PASSWORD)
    admin.save()
    customer = make_customer(owner=admin, name="华东果业集团")
    make_order(customer, number="SO-E2E-1")
    make_score(make_run(), customer)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(locale="zh-CN", viewport={"width": 1400, "height": 1000})
        page.goto(f"{live_server.url}/")
        page.fill("#id_username", "boss")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")

        expect(page.locator("h1")).to_have_text("公司仪表板")
        expect(page.locator("#chart-pareto .main-svg").first).to_be_visible(timeout=15000)

        page.select_option("#language-select", "en")
        expect(page.locator("h1")).to_have_text("Company dashboard")
        page.select_option("#language-select", "zh-hans")
        expect(page.locator("h1")).to_have_text("公司仪表板")

        page.click("nav.nav a[href='/customers/']")
        page.click(f"#results a[href='/customers/{customer.pk}/']")
        expect(page.locator("h1")).to_contain_text("华东果业集团")
        expect(page.locator("#value-panel")).to_contain_text("存活概率")
        expect(page.locator(".timeline")).to_contain_text("SO-E2E-1")
        shot = tmp_path / "customer-360.png"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert shot.stat().st_size > 10_000
