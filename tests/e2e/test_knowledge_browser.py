"""Browser test (issue 16 finding 5), in Chinese: a service agent writes a knowledge article
in the editor (preview first, a script in the body stays text), then finds it from a
complaint's case page among the suggestions, links it and reaches the case from the article.
Under CI=true a missing Chromium fails the test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from paretocrm.customers.tests.factories import make_customer, make_user
from paretocrm.knowledge.models import Article, ArticleCategory
from paretocrm.service.models import Case
from paretocrm.users.choices import Role
from tests.e2e.test_browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD, _require_chromium

BODY = """# 处理步骤

1. 请客户拍照：外箱、破损瓶身、运单号
2. 在工单中登记破损数量
3. **24 小时内**安排补发

<script>document.title = "hacked"</script>
"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_agent_writes_an_article_and_finds_it_from_a_case(live_server, tmp_path):
    _require_chromium()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs a loop
    from playwright.sync_api import expect, sync_playwright

    agent = make_user(Role.SERVICE_AGENT, username="wangfang", first_name="芳", last_name="王")
    agent.set_password(PASSWORD)
    agent.save()
    rep = make_user(Role.SALES_REP, username="zhaolei")
    category = ArticleCategory.objects.create(name="包装与运输")
    case = Case.objects.create(
        number="CS20261207-0042",
        customer=make_customer(owner=rep, name="杭州鲜果贸易有限公司"),
        case_type="complaint",
        priority="high",
        subject="苹果汁到货外箱破损",
        description="今天到货的 3 箱 NFC 苹果汁外箱破损，客户要求补发。",
        assigned_to=agent,
    )
    shots = Path(tmp_path)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(locale="zh-CN", viewport={"width": 1366, "height": 900})
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "wangfang")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")

        page.goto(f"{live_server.url}/knowledge/")
        expect(page.locator("h1")).to_have_text("知识库")
        page.click("#new-article")
        expect(page.locator("h1")).to_have_text("新建文章")
        page.fill("#id_title", "破损补发流程")
        page.select_option("#id_category", str(category.pk))
        page.fill("#id_summary", "到货破损时如何登记并在 24 小时内补发")
        page.fill("#id_body", BODY)
        page.fill("#id_tags_text", "破损，补发")
        page.select_option("#id_status", "published")
        page.check("#id_public")
        page.click("#preview-article")
        preview = page.locator("#article-preview")
        expect(preview.locator("h1")).to_have_text("处理步骤")
        expect(preview.locator("strong")).to_have_text("24 小时内")
        expect(preview).to_contain_text('<script>document.title = "hacked"</script>')
        expect(page.locator("#id_title")).to_have_value("破损补发流程")  # nothing lost
        assert not Article.objects.exists()  # a preview saves nothing
        page.screenshot(path=str(shots / "knowledge-editor-preview.png"), full_page=True)
        page.click("#save-article")

        expect(page.locator("#article-title")).to_have_text("破损补发流程")
        expect(page.locator("#article-body li")).to_have_count(3)
        assert page.title() != "hacked"
        page.screenshot(path=str(shots / "knowledge-article.png"), full_page=True)

        page.goto(f"{live_server.url}/service/{case.pk}/")
        suggested = page.locator("#suggested-articles")
        expect(suggested).to_contain_text("破损补发流程")
        page.fill("#find-article input[name=kq]", "补发")
        page.click("#find-article button[type=submit]")
        expect(page.locator("#found-articles")).to_contain_text("破损补发流程")
        page.locator("#suggested-articles button[type=submit]").first.click()
        expect(page.locator(".messages")).to_contain_text("工单已更新")
        linked = page.locator("#linked-articles")
        expect(linked).to_contain_text("破损补发流程")
        page.screenshot(path=str(shots / "case-knowledge.png"), full_page=True)
        linked.get_by_role("link", name="破损补发流程").click()
        expect(page.locator("#article-cases")).to_contain_text("CS20261207-0042")
        browser.close()

    article = Article.objects.get()
    assert list(case.articles.all()) == [article]
    assert article.author == agent and article.public
    assert sorted(article.tags.values_list("name", flat=True)) == ["破损", "补发"]
