"""Knowledge pages (issue 16 finding 5): read by every member of staff, written, previewed and
archived by the roles with the edit-knowledge function, public articles in the portal only,
bodies rendered inert, and articles linked to and found from a service case."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient
from tests.api_samples import new_user

from paretocrm.core.policy import STAFF_ROLES, Function, has_function
from paretocrm.customers.tests.factories import make_customer
from paretocrm.knowledge.models import Article, ArticleCategory, ArticleTag
from paretocrm.portal.tests.factories import make_portal_user
from paretocrm.service.models import Case

pytestmark = pytest.mark.django_db

XSS = (
    "退货须知\n\n<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n\n"
    "[点这里](javascript:alert(2))\n\n**七天内**可以退货"
)


def signed_in(user: object, language: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def article(**fields: object) -> Article:
    values = {
        "title": "冷链产品退货流程",
        "summary": "华东区客户的冷链退货：七天内、保留外箱",
        "body": "1. 拍照\n2. 提交工单",
        "status": "published",
    }
    return Article.objects.create(**(values | fields))


def editor_form(**fields: str) -> dict[str, str]:
    values = {
        "title": "苹果汁破损处理",
        "language": "zh-hans",
        "kind": "article",
        "summary": "到货破损如何补发",
        "body": "# 处理步骤\n\n- 拍照留证\n- 补发",
        "status": "published",
        "tags_text": "破损, 补发",
    }
    return values | fields


# --- reading ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_staff_role_opens_a_published_article_from_the_list(role: str) -> None:
    published = article()
    draft = article(title="草稿：新政策", status="draft")
    client = signed_in(new_user(role))
    listing = client.get(reverse("knowledge:articles"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert f'href="{reverse("knowledge:article", args=[published.pk])}"' in html
    assert "华东区客户的冷链退货" in html  # the summary is shown
    page = client.get(reverse("knowledge:article", args=[published.pk]))
    assert page.status_code == 200
    assert "<li>拍照</li>" in page.content.decode()
    editor = has_function(new_user(role), Function.EDIT_KNOWLEDGE)
    assert ("草稿：新政策" in html) is editor
    expected = 200 if editor else 404
    assert client.get(reverse("knowledge:article", args=[draft.pk])).status_code == expected


def test_anonymous_readers_are_sent_to_sign_in() -> None:
    published = article()
    for url in (
        reverse("knowledge:articles"),
        reverse("knowledge:article", args=[published.pk]),
        reverse("knowledge:article_new"),
        reverse("knowledge:categories"),
    ):
        answer = Client().get(url)
        assert answer.status_code == 302 and "/login/" in answer["Location"], url


# --- writing, per role -----------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_writing_an_article_follows_the_role_policy(role: str) -> None:
    user = new_user(role)
    may = has_function(user, Function.EDIT_KNOWLEDGE)
    client = signed_in(user)
    assert client.get(reverse("knowledge:article_new")).status_code == (200 if may else 403)
    answer = client.post(reverse("knowledge:article_new"), editor_form())
    created = Article.objects.filter(title="苹果汁破损处理").first()
    if not may:
        assert answer.status_code == 403
        assert created is None
        return
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert created is not None and created.author == user
    assert created.published_at is not None
    assert sorted(created.tags.values_list("name", flat=True)) == ["破损", "补发"]
    assert answer["Location"] == reverse("knowledge:article", args=[created.pk])


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_editing_and_archiving_follow_the_role_policy(role: str) -> None:
    user = new_user(role)
    may = has_function(user, Function.EDIT_KNOWLEDGE)
    existing = article()
    client = signed_in(user)
    form = editor_form(title="冷链退货（修订）", version=str(existing.version))
    answer = client.post(reverse("knowledge:article_edit", args=[existing.pk]), form)
    existing.refresh_from_db()
    assert (existing.title == "冷链退货（修订）") is may, answer.status_code
    if not may:
        assert answer.status_code == 403
    archive = client.post(
        reverse("knowledge:article_archive", args=[existing.pk]), {"version": existing.version}
    )
    existing.refresh_from_db()
    assert (existing.status == "archived") is may
    assert archive.status_code == (302 if may else 403)


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_adding_a_category_follows_the_role_policy(role: str) -> None:
    user = new_user(role)
    may = has_function(user, Function.EDIT_KNOWLEDGE)
    client = signed_in(user)
    assert client.get(reverse("knowledge:categories")).status_code == 200
    answer = client.post(reverse("knowledge:categories"), {"name": "冷链物流"})
    assert ArticleCategory.objects.filter(name="冷链物流").exists() is may
    assert answer.status_code == (302 if may else 403)


def test_a_stale_edit_saves_nothing_and_says_so() -> None:
    agent = new_user("service_agent")
    existing = article()
    old_version = existing.version
    existing.title = "别人改过的标题"
    existing.save()
    answer = signed_in(agent, "en").post(
        reverse("knowledge:article_edit", args=[existing.pk]),
        editor_form(title="我的标题", version=str(old_version)),
    )
    assert answer.status_code == 400
    assert "Someone else changed this article" in answer.content.decode()
    existing.refresh_from_db()
    assert existing.title == "别人改过的标题"


def test_validation_errors_name_the_field() -> None:
    agent = new_user("service_agent")
    client = signed_in(agent, "en")
    answer = client.post(reverse("knowledge:article_new"), editor_form(title="", body=""))
    assert answer.status_code == 400
    form = answer.context["form"]
    assert set(form.errors) >= {"title", "body"}
    assert not Article.objects.exists()


def test_a_second_version_in_the_same_language_is_refused_on_the_language_field() -> None:
    agent = new_user("marketing")
    original = article(language="zh-hans")
    client = signed_in(agent, "en")
    same = editor_form(translation_of=str(original.pk), language="zh-hans", title="重复")
    answer = client.post(reverse("knowledge:article_new"), same)
    assert answer.status_code == 400
    assert "language" in answer.context["form"].errors
    english = editor_form(
        translation_of=str(original.pk), language="en", title="Cold-chain returns", tags_text=""
    )
    assert client.post(reverse("knowledge:article_new"), english).status_code == 302
    translation = Article.objects.get(title="Cold-chain returns")
    assert translation.translation_of == original
    page = client.get(reverse("knowledge:article", args=[original.pk])).content.decode()
    assert reverse("knowledge:article", args=[translation.pk]) in page
    back = client.get(reverse("knowledge:article", args=[translation.pk])).content.decode()
    assert reverse("knowledge:article", args=[original.pk]) in back


def test_the_api_refuses_the_same_rule_through_the_same_service() -> None:
    original = article(language="en", title="Returns")
    api = APIClient()
    api.force_authenticate(new_user("service_agent"))
    payload = {"title": "Returns again", "body": "x", "language": "en"}
    answer = api.post(
        reverse("article-list"), payload | {"translation_of": original.pk}, format="json"
    )
    assert answer.status_code == 400
    assert "language" in answer.json()
    answer = api.post(
        reverse("article-list"),
        payload | {"translation_of": original.pk, "language": "zh-hans", "status": "published"},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["published_at"] is not None


# --- rendering ---------------------------------------------------------------------------


def _assert_inert(html: str) -> None:
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "javascript:" not in html.lower().replace("[点这里](javascript:alert(2))", "")
    assert 'href="javascript' not in html.lower()


def test_script_in_the_body_is_rendered_inert_on_every_page() -> None:
    editor = new_user("service_agent")
    bad = article(body=XSS, public=True)
    client = signed_in(editor)
    page = client.get(reverse("knowledge:article", args=[bad.pk])).content.decode()
    _assert_inert(page)
    assert "<strong>七天内</strong>" in page  # Markdown still works
    preview = client.post(
        reverse("knowledge:article_new"), editor_form(body=XSS, preview="1")
    ).content.decode()
    _assert_inert(preview)
    assert not Article.objects.filter(title="苹果汁破损处理").exists()  # preview saves nothing
    portal = signed_in(make_portal_user(make_customer(owner=new_user("sales_rep"))))
    _assert_inert(portal.get(reverse("portal:article", args=[bad.pk])).content.decode())


# --- the portal ----------------------------------------------------------------------------


def test_the_portal_shows_public_published_articles_only() -> None:
    public = article(title="如何申请退货", public=True)
    internal = article(title="内部：退货审批权限", public=False)
    draft = article(title="草稿：公开政策", public=True, status="draft")
    portal = signed_in(make_portal_user(make_customer(owner=new_user("sales_rep"))))
    listing = portal.get(reverse("portal:knowledge")).content.decode()
    assert "如何申请退货" in listing
    assert "内部：退货审批权限" not in listing and "草稿：公开政策" not in listing
    assert portal.get(reverse("portal:article", args=[public.pk])).status_code == 200
    for hidden in (internal, draft):
        assert portal.get(reverse("portal:article", args=[hidden.pk])).status_code == 404
    found = portal.get(reverse("portal:knowledge"), {"q": "退货"}).content.decode()
    assert "如何申请退货" in found and "内部" not in found
    staff_page = portal.get(reverse("knowledge:article", args=[internal.pk]))
    assert staff_page.status_code in (302, 403, 404)


# --- the case page -------------------------------------------------------------------------


def _agents_case() -> tuple[object, Case]:
    agent = new_user("service_agent")
    customer = make_customer(owner=new_user("sales_rep"), name="杭州鲜果贸易有限公司")
    case = Case.objects.create(
        number="CS20261207-01",
        customer=customer,
        case_type="complaint",
        subject="苹果汁到货外箱破损",
        description="三箱破损，客户要求补发",
        assigned_to=agent,
    )
    return agent, case


def test_an_article_is_suggested_found_and_linked_from_the_case_page() -> None:
    agent, case = _agents_case()
    fitting = article(title="破损补发流程")
    fitting.tags.add(ArticleTag.objects.create(name="破损"))
    article(title="发票开具说明", body="增值税专用发票")
    client = signed_in(agent)
    url = reverse("service:case", args=[case.pk])
    page = client.get(url)
    suggested = page.context["suggested_articles"]
    assert [a.title for a in suggested] == ["破损补发流程"]
    found = client.get(url, {"kq": "发票"}).context["found_articles"]
    assert [a.title for a in found] == ["发票开具说明"]
    answer = client.post(
        reverse("service:case_action", args=[case.pk, "link_article"]),
        {"article": fitting.pk, "version": case.version},
    )
    assert answer.status_code == 302
    assert list(case.articles.all()) == [fitting]
    page = client.get(url).content.decode()
    assert reverse("knowledge:article", args=[fitting.pk]) in page
    article_page = client.get(reverse("knowledge:article", args=[fitting.pk])).content.decode()
    assert case.number in article_page
    client.post(
        reverse("service:case_action", args=[case.pk, "unlink_article"]),
        {"article": fitting.pk, "version": case.version},
    )
    assert not case.articles.exists()


def test_a_draft_cannot_be_linked_and_a_role_without_edit_service_is_refused() -> None:
    agent, case = _agents_case()
    draft = article(status="draft")
    client = signed_in(agent, "en")
    client.post(
        reverse("service:case_action", args=[case.pk, "link_article"]),
        {"article": draft.pk, "version": case.version},
    )
    assert not case.articles.exists()
    published = article(title="Returns")
    assistant = new_user("key_account_assistant")
    answer = signed_in(assistant).post(
        reverse("service:case_action", args=[case.pk, "link_article"]),
        {"article": published.pk, "version": case.version},
    )
    assert answer.status_code in (403, 404)
    assert not case.articles.exists()


@pytest.mark.parametrize(
    ("language", "words", "foreign"),
    [
        (
            "zh-hant",
            ["新增文章", "分類", "預覽", "關鍵詞：破损", "— 無：這是原文 —"],
            ["新建文章", "预览"],
        ),
        (
            "zh-hans",
            ["新建文章", "分类", "预览", "关键词：破损", "— 无：这是原文 —"],
            ["新增文章", "預覽"],
        ),
        (
            "en",
            ["New article", "Categories", "Preview", "Keywords", "keywords: 破损"],
            ["新建文章"],
        ),
    ],
)
def test_the_knowledge_pages_read_in_the_readers_language(
    language: str, words: list[str], foreign: list[str]
) -> None:
    agent, case = _agents_case()
    fitting = article(title="破损补发流程")
    fitting.tags.add(ArticleTag.objects.create(name="破损"))
    client = signed_in(agent, language)
    html = "".join(
        client.get(url).content.decode()
        for url in (
            reverse("knowledge:articles"),
            reverse("knowledge:article_new"),
            reverse("knowledge:categories"),
            reverse("service:case", args=[case.pk]),
            reverse("knowledge:article", args=[fitting.pk]),
        )
    )
    for word in words:
        assert word in html, (language, word)
    for word in foreign:
        assert word not in html, (language, word)


def test_an_edit_leaves_field_history_naming_who_changed_what() -> None:
    from paretocrm.audit.models import FieldChange

    agent = new_user("service_agent")
    existing = article(title="冷链退货流程")
    form = editor_form(title="冷链退货流程（2027版）", version=str(existing.version))
    assert (
        signed_in(agent)
        .post(reverse("knowledge:article_edit", args=[existing.pk]), form)
        .status_code
        == 302
    )
    change = FieldChange.objects.get(object_id=existing.pk, field="title")
    assert (change.old_value, change.new_value) == ("冷链退货流程", "冷链退货流程（2027版）")
    assert change.actor == agent
