"""Browser test of the customer portal (issue 8): a customer raises a complaint with a file,
and the key-account manager finds it in the task queue and the case list.

Screenshots (desktop in 简体中文, 繁體中文 and English, and a phone-sized overview) are kept
under ``tmp_path``. Under CI=true a missing Chromium fails the test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from paretocrm.customers.tests.factories import make_contact, make_customer, make_order, make_user
from paretocrm.portal.models import PortalAccount
from paretocrm.service.models import Case, SlaPolicy
from paretocrm.users.choices import Role
from paretocrm.users.models import User
from tests.e2e.test_browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD, _require_chromium

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _sign_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_portal_complaint_reaches_the_key_account_manager(live_server, tmp_path: Path, settings):
    _require_chromium()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs a loop
    from playwright.sync_api import expect, sync_playwright

    settings.MEDIA_ROOT = tmp_path / "media"
    kam = make_user(Role.KEY_ACCOUNT_MANAGER, username="kam")
    kam.set_password(PASSWORD)
    kam.save()
    customer = make_customer(owner=kam, name="华东果业集团")
    make_order(customer, number="SO-PORTAL-1")
    SlaPolicy.objects.all().delete()  # replace the shipped defaults with known targets
    SlaPolicy.objects.create(priority="high", first_response_hours=4, resolution_hours=24)
    contact = make_contact(customer, name="李伟", email="li.wei@example.com")
    buyer = User.objects.create(username="li.wei@example.com", role=Role.PORTAL_CUSTOMER)
    buyer.set_password(PASSWORD)
    buyer.save()
    PortalAccount.objects.create(user=buyer, contact=contact)
    evidence = tmp_path / "broken-boxes.pdf"
    evidence.write_bytes(PDF)
    shots = tmp_path / "shots"
    shots.mkdir()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
        _sign_in(page, live_server.url, "li.wei@example.com")
        expect(page).to_have_url(f"{live_server.url}/portal/")
        expect(page.locator("h1")).to_have_text("欢迎，华东果业集团")
        expect(page.locator("#open-orders")).to_contain_text("SO-PORTAL-1")
        page.screenshot(path=str(shots / "overview-zh-hans.png"), full_page=True)

        page.click("nav.portal-nav a[href='/portal/cases/']")
        page.click("a[href='/portal/cases/new/']")
        page.select_option("#id_case_type", "complaint")
        page.fill("#id_subject", "三箱货物破损")
        page.fill("#id_description", "今天到货的三箱苹果汁外箱破损，请处理。")
        page.set_input_files("#id_files", str(evidence))
        page.screenshot(path=str(shots / "case-form-zh-hans.png"), full_page=True)
        page.click("#case-form button[type=submit]")
        expect(page.locator("h1")).to_contain_text("三箱货物破损")
        expect(page.locator("#case-status")).to_have_text("新建")
        expect(page.locator("main")).to_contain_text("broken-boxes.pdf")
        page.screenshot(path=str(shots / "case-zh-hans.png"), full_page=True)

        page.select_option("#language-select", "zh-hant")
        expect(page.locator("nav.portal-nav")).to_contain_text("服務需求")
        page.screenshot(path=str(shots / "case-zh-hant.png"), full_page=True)
        page.select_option("#language-select", "en")
        expect(page.locator("nav.portal-nav")).to_contain_text("Service requests")
        page.goto(f"{live_server.url}/portal/")
        page.screenshot(path=str(shots / "overview-en.png"), full_page=True)
        # Staff pages stay closed to the customer.
        page.goto(f"{live_server.url}/customers/")
        expect(page).to_have_url(f"{live_server.url}/portal/")

        phone = browser.new_page(locale="zh-CN", viewport={"width": 390, "height": 844})
        _sign_in(phone, live_server.url, "li.wei@example.com")
        expect(phone.locator("h1")).to_have_text("欢迎，华东果业集团")
        phone.screenshot(path=str(shots / "overview-phone.png"), full_page=True)

        case = Case.objects.get()
        staff = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        office = staff.new_page()
        _sign_in(office, live_server.url, "kam")
        office.goto(f"{live_server.url}/work/tasks/")
        expect(office.locator("main")).to_contain_text(case.number)
        office.screenshot(path=str(shots / "kam-tasks.png"), full_page=True)
        office.goto(f"{live_server.url}/service/")
        expect(office.locator("main")).to_contain_text(case.number)
        office.click("nav.nav a[href='/portal-access/']")
        expect(office.locator("main")).to_contain_text("li.wei@example.com")
        office.screenshot(path=str(shots / "kam-portal-access.png"), full_page=True)
        browser.close()

    assert case.case_type == "complaint" and case.customer == customer
    assert case.attachments.get().original_name == "broken-boxes.pdf"
    assert all(p.stat().st_size > 10_000 for p in shots.iterdir())
