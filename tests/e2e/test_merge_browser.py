"""Browser test (issue 17, item 2): a key-account manager finds 北京华油天然气 entered twice on
the duplicates page, opens "Merge...", sees both records side by side with what would move,
keeps the ERP record and merges, in zh-Hans and in English. Screenshots go to ``tmp_path``
(and to ``PARETOCRM_SCREENSHOT_DIR`` when set, e.g. docs/screenshots).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from paretocrm.customers.models import Customer
from paretocrm.customers.tests.factories import make_contact, make_customer, make_order, make_user
from paretocrm.sales.models import Order
from paretocrm.users.choices import Role
from paretocrm.users.models import Team
from tests.e2e.test_browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD, _require_chromium

#: (browser locale, language code, heading, button, success text)
LANGUAGES = (
    ("zh-CN", "zh-hans", "合并客户", "合并", "已合并到此客户"),
    ("en-GB", "en", "Merge customers", "Merge", "was merged into this customer"),
)


def _shot(page, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
    extra = os.environ.get("PARETOCRM_SCREENSHOT_DIR")
    if extra:
        page.screenshot(path=str(Path(extra) / f"{name}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("locale", "language", "heading", "button", "done"), LANGUAGES)
def test_manager_merges_a_company_entered_twice(
    live_server, tmp_path: Path, locale, language, heading, button, done
):
    _require_chromium()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs a loop
    from playwright.sync_api import expect, sync_playwright

    team = Team.objects.create(name="华北大客户部")
    manager = make_user(Role.KEY_ACCOUNT_MANAGER, team=team, username="liu.yang", language=language)
    manager.set_password(PASSWORD)
    manager.save()
    keep = make_customer(owner=manager, team=team, name="北京华油天然气有限公司", code="BJHY01")
    drop = make_customer(
        owner=manager, team=team, name="Beijing Huayou Natural Gas Co., Ltd.", code="BJHY-EN"
    )
    make_order(keep, [("120", "385.50", "300", "0")])
    for qty in ("8", "2400"):
        make_order(drop, [(qty, "412.00", "330", "2.5")])
    make_contact(drop, name="李娜", email="li.na@huayou.cn")
    make_customer(owner=manager, team=team, name="天津港保税区物流有限公司")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(locale=locale).new_page()
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "liu.yang")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")

        page.goto(f"{live_server.url}/customers/duplicates/")
        expect(page.locator("#duplicate-pairs tbody tr")).to_have_count(1)
        page.click("#duplicate-pairs tbody tr a.btn")
        expect(page.locator("h1")).to_have_text(heading)
        expect(page.locator(".merge-side")).to_have_count(2)
        _shot(page, tmp_path, f"customer-merge-{language}")
        page.check(f"input[name=keep][value='{keep.pk}']")
        page.click("#merge-form button[type=submit]")
        expect(page.locator("body")).to_contain_text(done)
        expect(page.locator("h1")).to_contain_text("北京华油天然气有限公司")
        browser.close()

    assert Customer.objects.get(pk=drop.pk).merged_into_id == keep.pk
    assert Order.objects.filter(customer=keep).count() == 3
