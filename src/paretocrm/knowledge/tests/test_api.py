"""Knowledge API: Chinese-aware search, author stamped, role-checked writes."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient
from tests.api_samples import new_user

from paretocrm.knowledge.models import Article

pytestmark = pytest.mark.django_db


def client_for(user: object) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def test_search_with_q_finds_chinese_text_in_the_body() -> None:
    Article.objects.create(title="售后", body="如何办理退货和换货", status="published")
    Article.objects.create(title="Shipping", body="Incoterms explained", status="published")
    rows = (
        client_for(new_user("sales_rep"))
        .get(reverse("article-list"), {"q": "退货"})
        .json()["results"]
    )
    assert [r["title"] for r in rows] == ["售后"]


def test_new_article_is_authored_by_the_requesting_user() -> None:
    agent, someone = new_user("service_agent"), new_user("service_agent")
    response = client_for(agent).post(
        reverse("article-list"),
        {"title": "FAQ", "body": "<script>alert(1)</script>", "author": someone.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    article = Article.objects.get(pk=response.json()["id"])
    assert article.author_id == agent.pk
    # Stored literally (never rendered here); escaping is the page's job.
    assert article.body == "<script>alert(1)</script>"


def test_the_api_reads_what_the_pages_read_drafts_only_for_editors() -> None:
    Article.objects.create(title="退货须知", body="七天内", status="published")
    Article.objects.create(title="草稿：新退货政策", body="待审", status="draft")
    url = reverse("article-list")
    rep_rows = client_for(new_user("sales_rep")).get(url).json()["results"]
    assert [r["title"] for r in rep_rows] == ["退货须知"]
    agent_rows = client_for(new_user("service_agent")).get(url).json()["results"]
    assert sorted(r["title"] for r in agent_rows) == ["草稿：新退货政策", "退货须知"]
