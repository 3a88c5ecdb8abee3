"""Browser test: with the Content-Security-Policy on, the pages and the Swagger UI still work.

Chromium reports every blocked script, style or handler as a console error and a
``securitypolicyviolation`` event; the main pages, a print page and the Swagger UI must load
with none, the dashboard chart must draw, the language switch and the Swagger UI must work.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from paretocrm.customers.tests.factories import make_customer, make_order, make_user
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.users.choices import Role
from tests.e2e.test_browser import CHROMIUM, CHROMIUM_ARGS, _require_chromium

PASSWORD = "Granite-Orchard-7781"
PAGES = [
    "/",
    "/customers/",
    "/customers/{customer}/",
    "/portal-access/",
    "/work/reports/concentration/?print=1",
    "/audit/",
]


def _console_error(message: object, url: str, problems: list[str]) -> None:
    """Console errors, except failed loads (the response hook names those with their URL)."""
    text = getattr(message, "text", "")
    if getattr(message, "type", "") == "error" and not text.startswith("Failed to load resource"):
        problems.append(f"{url}: {text}")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sec_pages_and_swagger_ui_run_under_the_policy(live_server, tmp_path: Path):
    _require_chromium()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs a loop
    from playwright.sync_api import expect, sync_playwright

    admin = make_user(Role.ADMINISTRATOR, username="boss")
    admin.set_password(PASSWORD)
    admin.save()
    customer = make_customer(owner=admin, name="华东果业集团")
    make_order(customer, number="SO-E2E-1")
    make_score(make_run(), customer)
    problems: list[str] = []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(locale="en-US", viewport={"width": 1400, "height": 1000})
        page.on("console", lambda m: _console_error(m, page.url, problems))
        page.on(
            "response",
            lambda r: (
                problems.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico")
                else None
            ),
        )
        page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => "
            "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
        )
        page.goto(f"{live_server.url}/")
        page.fill("#id_username", "boss")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("#chart-pareto .main-svg").first).to_be_visible(timeout=15000)
        # The language switch submits through app.js, not an inline handler.
        page.select_option("#language-select", "zh-hans")
        expect(page.locator("h1")).to_have_text("公司仪表板")
        page.select_option("#language-select", "en")
        expect(page.locator("h1")).to_have_text("Company dashboard")
        for path in PAGES:
            response = page.goto(live_server.url + path.format(customer=customer.pk))
            assert response is not None and response.status == 200, path
            assert "script-src 'self'" in response.headers["content-security-policy"]
            page.wait_for_load_state("networkidle")
        page.goto(f"{live_server.url}/api/docs/")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text(
            "Pareto CRM API", timeout=15000
        )
        expect(page.locator(".opblock").first).to_be_visible()
        page.screenshot(path=str(tmp_path / "swagger.png"), full_page=False)
        browser.close()
    assert problems == []
