"""Browser test (issue 16 finding 5), in Chinese: a marketing user creates a campaign for an
RFM segment in the app (not /admin/), sends it to the segment, and the audience is exactly
what the segment says (its customers with a contact who agreed to the campaign's channel);
then archives it after confirming. Under CI=true a missing Chromium fails the test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from paretocrm.customers.services import record_consent
from paretocrm.customers.tests.factories import make_contact, make_customer, make_user
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.marketing.models import Campaign
from paretocrm.marketing.services import audience_customers, consenting_contacts
from paretocrm.users.choices import Role
from tests.e2e.test_browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD, _require_chromium

#: A small B2B book: four customers in the "Champions" RFM segment (one without WeChat
#: consent), two "Loyal" ones with consent that the campaign must not reach.
BOOK = (
    ("杭州西湖茶业有限公司", "Champions", "core", True),
    ("苏州恒达精密机械有限公司", "Champions", "core", True),
    ("宁波港城物流股份有限公司", "Champions", "key", True),
    ("无锡华光纺织有限公司", "Champions", "key", False),
    ("温州瓯江五金制品厂", "Loyal", "ordinary", True),
    ("绍兴黄酒贸易有限公司", "Loyal", "potential", True),
)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_marketing_creates_a_campaign_for_a_segment_and_sends_it(live_server, tmp_path):
    _require_chromium()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs a loop
    from playwright.sync_api import expect, sync_playwright

    marketer = make_user(Role.MARKETING, username="zhou.xiaomei", first_name="晓梅", last_name="周")
    marketer.set_password(PASSWORD)
    marketer.save()
    run = make_run()
    for n, (name, segment, tier, consents) in enumerate(BOOK):
        customer = make_customer(name=name)
        make_score(run, customer, tier=tier, rfm_segment=segment)
        buyer = make_contact(customer, name=f"采购经理{n}", wechat=f"wx_buyer_{n}", influence=4)
        record_consent(buyer, "wechat", granted=consents, source="展会登记")
    shots = Path(tmp_path)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(locale="zh-CN").new_page()
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "zhou.xiaomei")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")

        page.goto(f"{live_server.url}/campaigns/")
        page.click("a[href='/campaigns/new/']")
        expect(page.locator("h1")).to_have_text("新建营销活动")
        page.fill("#id_name", "双十二老客户回馈")
        page.select_option("#id_campaign_type", "promotion")
        page.select_option("#id_target_segment", "Champions")
        page.select_option("#id_channel", "wechat")
        page.fill("#id_budget", "88000")
        page.fill("#id_start_date", "2026-12-01")
        page.fill("#id_end_date", "2026-11-20")  # before the start: refused, in Chinese
        page.click("#campaign-form button[type=submit]")
        expect(page.locator("#form-errors")).to_contain_text("结束日期")
        expect(page.locator("#form-errors")).to_contain_text("不能早于开始日期")
        page.fill("#id_end_date", "2026-12-31")
        page.click("#campaign-form button[type=submit]")
        expect(page.locator("h1")).to_have_text("双十二老客户回馈")
        expect(page.locator("#target-segment")).to_have_text("冠军客户")
        page.screenshot(path=str(shots / "campaign-created.png"), full_page=True)

        page.click("#send-to-segment")
        expect(page.locator("#members tbody tr")).to_have_count(3)
        members = page.locator("#members").inner_text()
        page.screenshot(path=str(shots / "campaign-sent.png"), full_page=True)

        page.click("a[href$='/archive/']")
        expect(page.locator("h1")).to_have_text("归档营销活动")
        page.click("#archive-confirm button[type=submit]")
        expect(page.locator("main")).to_contain_text("营销活动已归档。")
        expect(page.locator("main")).not_to_contain_text("双十二老客户回馈")
        browser.close()

    campaign = Campaign.objects.get(name="双十二老客户回馈")
    assert campaign.owner == marketer and campaign.channel == "wechat"
    assert campaign.archived_at is not None
    # The audience is what the segment says: its customers with consent on the channel.
    in_segment = set(audience_customers(campaign).values_list("customer_id", flat=True))
    expected = set(consenting_contacts(in_segment, "wechat"))
    assert set(campaign.members.values_list("customer_id", flat=True)) == expected
    assert len(expected) == 3
    for name, segment, _tier, consents in BOOK:
        assert (name in members) is (segment == "Champions" and consents), name
