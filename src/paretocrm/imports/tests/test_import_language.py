"""Issue 16 finding 6: the import speaks the user's language (headers, values, templates)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from paretocrm.core.iso import currency_code
from paretocrm.customers.models import Customer
from paretocrm.customers.tests.factories import make_user
from paretocrm.imports import background, services
from paretocrm.imports import validation as check
from paretocrm.imports.kinds import KINDS
from paretocrm.imports.models import ImportBatch
from paretocrm.users.choices import Role

pytestmark = pytest.mark.django_db
WITH_HEADERS = sorted(name for name, kind in KINDS.items() if kind.has_template)


@pytest.fixture(autouse=True)
def run_in_request(monkeypatch, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(background, "start_import", services.run_batch)


def client_for(user, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def upload(client: Client, text: str, kind: str = "customers", name: str = "c.csv"):
    data = {"kind": kind, "encoding": "utf-8", "file": SimpleUploadedFile(name, text.encode())}
    return client.post(reverse("imports:page"), data)


def test_the_report_names_the_column_and_the_allowed_values_in_the_readers_words():
    client = client_for(make_user(Role.KEY_ACCOUNT_MANAGER), "zh-hans")
    upload(client, "客户编号,客户名称,合作层次\nK1,华东果业,朋友\n")
    batch = ImportBatch.objects.get()

    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()

    assert "合作层次" in page
    assert "cooperation_level" not in page
    assert "preferred_supplier" not in page and "strategic_partner" not in page
    assert "优先供应商" in page and "战略合作伙伴" in page


@pytest.mark.parametrize(
    ("written", "code"),
    [("RMB", "CNY"), ("人民币", "CNY"), ("元", "CNY"), ("¥", "CNY"), ("rmb", "CNY"),
     ("US$", "USD"), ("美元", "USD"), ("欧元", "EUR"), ("港币", "HKD"), ("eur", "EUR")],
)  # fmt: skip
def test_common_currency_aliases_mean_their_iso_code(written, code):
    assert currency_code(written) == code


def test_an_import_accepts_rmb_and_renminbi_as_cny():
    client = client_for(make_user(Role.ADMINISTRATOR), "zh-hans")
    upload(client, "客户编号,客户名称,币种\nK1,华东果业,RMB\nK2,华南果业,人民币\nK3,Acme,US$\n")
    checked = ImportBatch.objects.get()
    assert checked.errors == 0, checked.report
    client.post(reverse("imports:commit", args=[checked.pk]))

    currencies = dict(Customer.objects.values_list("code", "currency"))
    assert currencies == {"K1": "CNY", "K2": "CNY", "K3": "USD"}


def test_the_upload_page_lists_each_kinds_headers_in_the_interface_language():
    client = client_for(make_user(Role.ADMINISTRATOR), "zh-hans")

    page = client.get(reverse("imports:page")).content.decode()

    assert "客户编号" in page and "合作层次" in page and "订单号" in page
    for kind in WITH_HEADERS:
        for fmt in ("csv", "xlsx"):
            for language in ("zh", "en"):
                assert reverse("imports:template", args=[kind, fmt, language]) in page


def _csv_headers(response) -> list[str]:
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return next(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


@pytest.mark.parametrize("kind", WITH_HEADERS)
def test_a_downloaded_template_has_the_kinds_headers_and_imports_without_header_errors(kind):
    client = client_for(make_user(Role.ADMINISTRATOR), "zh-hans")

    zh = client.get(reverse("imports:template", args=[kind, "csv", "zh"]))
    en = client.get(reverse("imports:template", args=[kind, "csv", "en"]))
    book = client.get(reverse("imports:template", args=[kind, "xlsx", "zh"]))

    assert zh.status_code == en.status_code == book.status_code == 200
    assert "attachment" in zh["Content-Disposition"]
    zh_headers, en_headers = _csv_headers(zh), _csv_headers(en)
    assert en_headers == list(KINDS[kind].columns)
    assert len(zh_headers) == len(en_headers) and zh_headers != en_headers
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).active
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == zh_headers
    mapped = KINDS[kind]().map_headers(zh_headers, check.Report("template"))
    assert sorted(mapped.values()) == sorted(KINDS[kind].columns)


def test_an_unknown_template_is_a_404_not_a_500():
    client = client_for(make_user(Role.ADMINISTRATOR), "en")
    for args in (["nothing", "csv", "zh"], ["customers", "pdf", "zh"], ["cdnow", "csv", "zh"]):
        assert client.get(reverse("imports:template", args=args)).status_code == 404
