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
