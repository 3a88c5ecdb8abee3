"""Issue 16 finding 8: the audit log's detail reads in the reader's language."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from paretocrm.audit.services import record_event
from paretocrm.customers.tests.factories import make_user
from paretocrm.users.choices import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "kind", "fmt"),
    [("zh-hans", "类型: 个人数据", "格式: JSON"), ("zh-hant", "類型: 個人資料", "格式: JSON")],
)
def test_event_detail_keys_and_known_values_are_translated(language, kind, fmt):
    reader = make_user(Role.GENERAL_MANAGER)
    record_event("export", actor=reader, detail={"kind": "personal_data", "format": "json"})
    page = Client(HTTP_ACCEPT_LANGUAGE=language)
    page.force_login(reader)

    body = page.get(reverse("audit:log"), {"kind": "export"}).content.decode()

    assert "kind: personal_data" not in body and "format: json" not in body
    assert kind in body and fmt in body


def test_unknown_detail_keys_still_show_as_stored():
    reader = make_user(Role.GENERAL_MANAGER)
    record_event("export", actor=reader, detail={"novel_field": "some value"})
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    page.force_login(reader)

    body = page.get(reverse("audit:log"), {"kind": "export"}).content.decode()

    assert "novel_field: some value" in body


@pytest.mark.parametrize(
    ("language", "function"), [("zh-hans", "审计日志"), ("zh-hant", "稽核日誌")]
)
def test_a_refused_function_reads_as_its_name_not_its_code(language, function):
    """The untranslated-key scan found "function: audit_read" on the log."""
    reader = make_user(Role.GENERAL_MANAGER)
    record_event("access_denied", actor=reader, detail={"function": "audit_read"})
    page = Client(HTTP_ACCEPT_LANGUAGE=language)
    page.force_login(reader)

    body = page.get(reverse("audit:log"), {"kind": "access_denied"}).content.decode()

    assert "audit_read" not in body
    assert function in body


def test_an_exports_filter_is_shown_as_the_query_it_was_code_not_words():
    """The filter is the query string as requested (an auditor compares it with a URL): it
    is shown verbatim, marked as code, not read as words of the page."""
    reader = make_user(Role.GENERAL_MANAGER)
    record_event(
        "export", actor=reader, detail={"kind": "scorecards", "filter": "rank_by=key_revenue"}
    )
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    page.force_login(reader)

    body = page.get(reverse("audit:log"), {"kind": "export"}).content.decode()

    assert "筛选条件: <code>rank_by=key_revenue</code>" in body


@pytest.mark.parametrize(("language", "customers"), [("zh-hans", "客户"), ("zh-hant", "客戶")])
def test_the_record_type_filter_offers_record_names_not_model_labels(language, customers):
    reader = make_user(Role.GENERAL_MANAGER)
    page = Client(HTTP_ACCEPT_LANGUAGE=language)
    page.force_login(reader)

    body = page.get(reverse("audit:log")).content.decode()

    assert 'placeholder="customers.customer"' not in body
    assert f'<option value="customers.customer">{customers}</option>' in body
