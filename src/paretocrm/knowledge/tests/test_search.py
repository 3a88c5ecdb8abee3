"""Knowledge search: Chinese substrings, English case-insensitivity, filters, ranking."""

from __future__ import annotations

import pytest

from paretocrm.knowledge.models import Article, ArticleTag
from paretocrm.knowledge.services import search_articles

pytestmark = pytest.mark.django_db


def _article(title: str, body: str, **fields: object) -> Article:
    fields.setdefault("status", "published")
    return Article.objects.create(title=title, body=body, **fields)


def _titles(qs: object) -> list[str]:
    return [a.title for a in qs]  # type: ignore[attr-defined]


def test_chinese_query_matches_inside_unsegmented_text() -> None:
    _article("出口水果退货流程", "客户收到的货物有损坏时，按以下步骤办理退货。")
    _article("信用额度申请", "新客户的信用额度由财务部审批。")
    assert _titles(search_articles("退货")) == ["出口水果退货流程"]
    assert _titles(search_articles("财务部")) == ["信用额度申请"]


def test_english_search_is_case_insensitive_and_requires_every_term() -> None:
    _article("Incoterms FOB explained", "Free on board: risk passes at the ship's rail.")
    _article("CIF checklist", "Cost, insurance and freight paid to the port.")
    assert _titles(search_articles("fob")) == ["Incoterms FOB explained"]
    assert _titles(search_articles("insurance port")) == ["CIF checklist"]
    assert _titles(search_articles("insurance rail")) == []


def test_title_matches_rank_before_body_matches() -> None:
    _article("A body mention", "how to handle a complaint")
    _article("Complaint handling", "steps")
    assert _titles(search_articles("complaint")) == ["Complaint handling", "A body mention"]


def test_filters_language_status_public_and_tags() -> None:
    tagged = _article("Cold chain", "temperature", language="en", public=True)
    tagged.tags.add(ArticleTag.objects.create(name="冷链"))
    _article("冷链运输", "温度", language="zh-hans")
    _article("Draft cold chain", "temperature", status="draft")
    # the tag-only match ranks after the title match
    assert _titles(search_articles("冷链")) == ["冷链运输", "Cold chain"]
    assert _titles(search_articles("冷链", language="zh-hans")) == ["冷链运输"]
    assert _titles(search_articles("temperature", public_only=True)) == ["Cold chain"]
    assert "Draft cold chain" in _titles(search_articles("temperature", published_only=False))


def test_blank_query_returns_nothing() -> None:
    _article("Anything", "at all")
    assert list(search_articles("   ")) == []


def test_markup_is_stored_literally() -> None:
    body = "<script>alert(1)</script> {{7*7}} =1+1"
    article = _article("Literal", body)
    article.refresh_from_db()
    assert article.body == body
