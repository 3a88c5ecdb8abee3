"""Issue 16 finding 8: a customer export in Chinese has Chinese headers and values, and
still imports back (the headers are the import's Chinese headers)."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from paretocrm.customers.models import Customer
from paretocrm.customers.tests.factories import make_customer, make_user
from paretocrm.imports import background, services
from paretocrm.imports.models import ImportBatch
from paretocrm.users.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def run_in_request(monkeypatch, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(background, "start_import", services.run_batch)


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
def test_a_chinese_export_has_chinese_headers_and_labels_and_imports_back(language):
    admin = make_user(Role.ADMINISTRATOR)
    make_customer(
        owner=admin, name="华东果业", cooperation_level="strategic_partner", scale="large",
        channel="distributor", credit_rating="A",
    )  # fmt: skip
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(admin)

    response = client.get(reverse("customers:export", args=["csv"]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    headers, row = list(csv.reader(io.StringIO(text)))[:2]

    for code in ("cooperation_level", "credit_rating", "strategic_partner", "distributor"):
        assert code not in text
    # Headers in the reader's script (Traditional for zh-hant); the import reads both back.
    code_header, level_header = {
        "zh-hans": ("客户编号", "合作层次"),
        "zh-hant": ("客戶編號", "合作層次"),
    }[language]
    assert headers[0] == code_header and level_header in headers
    assert row[headers.index(level_header)] not in ("", "strategic_partner")

    upload = SimpleUploadedFile("back.csv", text.encode("utf-8"))
    client.post(reverse("imports:page"), {"kind": "customers", "encoding": "utf-8", "file": upload})
    checked = ImportBatch.objects.get()
    assert checked.errors == 0, checked.report
    client.post(reverse("imports:commit", args=[checked.pk]))
    customer = Customer.objects.get()
    assert (customer.cooperation_level, customer.scale, customer.channel) == (
        "strategic_partner", "large", "distributor",
    )  # fmt: skip
