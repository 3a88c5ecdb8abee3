"""Hostile text and downloads (QUALITY.md IMP-6, EXP-3): stored literally, shown escaped,
every form protected by CSRF, downloads with safe headers."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from paretocrm.customers.models import Customer
from paretocrm.customers.tests.factories import make_customer, make_user
from paretocrm.imports.models import ImportStatus
from paretocrm.imports.services import run_import
from paretocrm.users.choices import Role

SRC = Path(__file__).resolve().parents[1] / "src" / "paretocrm"
HOSTILE = ["'; DROP TABLE x;--", "<script>alert(1)</script>", "{{7*7}}", "=1+1"]


def signed_in(user: object, **headers: str) -> Client:
    client = Client(**headers)
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_imp6_hostile_text_is_stored_literally_and_shown_escaped(tmp_path: Path) -> None:
    admin = make_user(Role.ADMINISTRATOR)
    source = tmp_path / "hostile.csv"
    lines = ["code,name"] + [f'H{i},"{t}"' for i, t in enumerate(HOSTILE)]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run_import("customers", source, user=admin).status == ImportStatus.COMMITTED
    stored = list(Customer.objects.order_by("code").values_list("name", flat=True))
    assert stored == HOSTILE  # literally: no SQL ran, nothing was stripped
    client = signed_in(admin)
    for url in (
        reverse("customers:list"),
        reverse("customers:detail", args=[Customer.objects.get(code="H1").pk]),
    ):
        page = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url
    page = client.get(reverse("customers:detail", args=[Customer.objects.get(code="H2").pk]))
    text = page.content.decode()
    assert "{{7*7}}" in text and ">49<" not in text  # a template is never built from data


FORM = re.compile(r"<form\b[^>]*method=[\"']post[\"'][^>]*>(.*?)</form>", re.S | re.I)


def test_imp6_every_post_form_in_every_template_carries_the_csrf_token() -> None:
    forms = 0
    for template in sorted(SRC.rglob("templates/**/*.html")):
        for body in FORM.findall(template.read_text(encoding="utf-8")):
            forms += 1
            assert "{% csrf_token %}" in body, (
                f"{template.relative_to(SRC)}: a POST form without CSRF"
            )
    assert forms >= 20  # the scan found the forms (a broken pattern would find none)


@pytest.mark.django_db
def test_imp6_a_post_without_the_csrf_token_is_refused_and_changes_nothing() -> None:
    manager = make_user(Role.KEY_ACCOUNT_MANAGER)
    customer = make_customer(owner=manager, name="Before")
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    url = reverse("customers:edit", args=[customer.pk])
    response = client.post(url, {"name": "After", "code": customer.code, "version": 1})
    assert response.status_code == 403
    assert Customer.objects.get(pk=customer.pk).name == "Before"


@pytest.mark.django_db
def test_exp3_downloads_are_nosniff_with_an_rfc6266_chinese_file_name() -> None:
    manager = make_user(Role.KEY_ACCOUNT_MANAGER)
    make_customer(owner=manager, name="甲公司")
    client = signed_in(manager, HTTP_ACCEPT_LANGUAGE="zh-hans")
    for file_format in ("csv", "xlsx"):
        response = client.get(reverse("customers:export", args=[file_format]))
        assert response.status_code == 200
        assert response["X-Content-Type-Options"] == "nosniff"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment; filename*=utf-8''" + quote("客户"))
        assert disposition.endswith(f".{file_format}")
