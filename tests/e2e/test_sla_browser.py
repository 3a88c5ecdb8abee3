"""Browser test (issue 16 finding 1), in Chinese: a core customer's portal complaint gets its
SLA clock from a default policy, and escalates to the manager when the clock runs out (the
clock is advanced by passing ``now`` to the escalation job). Under CI=true a missing
Chromium fails the test.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from paretocrm.customers.tests.factories import make_contact, make_customer, make_user
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.portal.models import PortalAccount
from paretocrm.service.models import Case, SlaPolicy
from paretocrm.service.tests.defaults import restore_shipped_policies
from paretocrm.users.choices import Role
from paretocrm.users.models import User
from paretocrm.work.services import escalate_service_breaches
from tests.e2e.test_browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD, _require_chromium


def _person(role: str, username: str, **fields) -> User:
    user = make_user(role, username=username, **fields)
    user.set_password(PASSWORD)
    user.save()
    return user


def _sign_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_core_customers_portal_complaint_gets_a_clock_and_escalates(live_server, tmp_path):
    _require_chromium()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs a loop
    from playwright.sync_api import expect, sync_playwright

    restore_shipped_policies()  # a fresh database: nothing but what the migrations ship
    boss = _person(Role.GENERAL_MANAGER, "boss")
    kam = _person(Role.KEY_ACCOUNT_MANAGER, "kam", manager=boss)
    _person(Role.ADMINISTRATOR, "admin")
    customer = make_customer(owner=kam, name="华东果业集团")
    make_score(make_run(), customer, tier="core")
    contact = make_contact(customer, name="李伟", email="li.wei@example.com")
    buyer = User.objects.create(username="li.wei@example.com", role=Role.PORTAL_CUSTOMER)
    buyer.set_password(PASSWORD)
    buyer.save()
    PortalAccount.objects.create(user=buyer, contact=contact)
    policy = SlaPolicy.objects.get(priority="high", tier="core", active=True)
    shots = Path(tmp_path)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        portal = browser.new_context(locale="zh-CN").new_page()
        _sign_in(portal, live_server.url, "li.wei@example.com")
        portal.goto(f"{live_server.url}/portal/cases/new/")
        portal.select_option("#id_case_type", "complaint")
        portal.fill("#id_subject", "三箱货物破损")
        portal.fill("#id_description", "今天到货的三箱苹果汁外箱破损，请处理。")
        portal.click("#case-form button[type=submit]")
        expect(portal.locator("h1")).to_contain_text("三箱货物破损")

        case = Case.objects.get()
        office = browser.new_context(locale="zh-CN").new_page()
        _sign_in(office, live_server.url, "kam")
        office.goto(f"{live_server.url}/service/{case.pk}/")
        expect(office.locator("#sla-clock")).to_contain_text(f"({policy.first_response_hours} h)")
        expect(office.locator("main")).not_to_contain_text("此工单不适用任何SLA政策")
        office.screenshot(path=str(shots / "case-sla-clock.png"), full_page=True)

        # The clock runs out: the escalation job (worker or scoring run) escalates the case.
        late = case.opened_at + dt.timedelta(hours=policy.first_response_hours, minutes=1)
        escalate_service_breaches(now=late)
        manager = browser.new_context(locale="zh-CN").new_page()
        _sign_in(manager, live_server.url, "boss")
        manager.goto(f"{live_server.url}/work/tasks/")
        expect(manager.locator("main")).to_contain_text(case.number)
        manager.screenshot(path=str(shots / "manager-escalation-task.png"), full_page=True)

        settings_page = browser.new_context(locale="zh-CN").new_page()
        _sign_in(settings_page, live_server.url, "admin")
        settings_page.goto(f"{live_server.url}/settings/scoring/")
        settings_page.click("a[href='/service/sla/']")
        expect(settings_page.locator("h1")).to_have_text("服务级别协议（SLA）策略")
        expect(settings_page.locator("#sla-policies tbody tr")).to_have_count(12)
        settings_page.screenshot(path=str(shots / "sla-policies.png"), full_page=True)
        browser.close()

    case.refresh_from_db()
    assert case.escalated and case.escalated_to == boss
