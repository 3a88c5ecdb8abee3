"""The dry-run report reads in the language of whoever opens it (codes + parameters stored)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from paretocrm.customers.tests.factories import make_user
from paretocrm.imports import background, services
from paretocrm.imports.messages import render_issue
from paretocrm.imports.models import ImportBatch
from paretocrm.users.choices import Role

pytestmark = pytest.mark.django_db

# Row 3 has no code, row 4 no name, row 5 repeats K1, row 6 has an unknown column value.
WITH_ERRORS = (
    "code,name,region,colour\nK1,华东果业,East,red\n,No code Ltd,East,\nK3,,West,\nK1,Dup,East,\n"
)


@pytest.fixture(autouse=True)
def run_in_request(monkeypatch, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(background, "start_import", services.run_batch)


@pytest.fixture
def batch() -> ImportBatch:
    user = make_user(Role.KEY_ACCOUNT_MANAGER)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    upload = SimpleUploadedFile("customers.csv", WITH_ERRORS.encode())
    client.post(reverse("imports:page"), {"kind": "customers", "encoding": "utf-8", "file": upload})
    return ImportBatch.objects.get()


def issue(batch: ImportBatch, row: int, column: str) -> dict:
    return next(i for i in batch.report["issues"] if (i["row"], i["column"]) == (row, column))


def test_the_report_stores_codes_and_parameters_beside_the_english_text(batch):
    duplicate = issue(batch, 5, "code")
    assert duplicate["code"] == "duplicate"
    assert duplicate["params"] == {"what": "customer code", "value": "'K1'", "first": 2}
    assert duplicate["message"] == "duplicate customer code 'K1' (first at row 2)"
    assert issue(batch, 1, "colour")["code"] == "unknown_column"


def test_one_issue_reads_in_english_simplified_and_traditional_chinese(batch):
    duplicate = issue(batch, 5, "code")
    worded = {}
    for language in ("en", "zh-hans", "zh-hant"):
        with translation.override(language):
            worded[language] = render_issue(duplicate)

    assert worded["en"] == "duplicate customer code 'K1' (first at row 2)"
    assert worded["zh-hans"] == "客户编号 'K1' 重复（首次出现在第 2 行）"
    assert worded["zh-hant"] == "客戶編號 'K1' 重複（首次出現在第 2 列）"


@pytest.mark.parametrize(
    ("language", "required", "unknown"),
    [
        ("en", "is required", "unknown column, ignored"),
        ("zh-hans", "必须填写", "未知列，已忽略"),
        ("zh-hant", "必須填寫", "未知欄位，已忽略"),
    ],
)
def test_the_batch_page_shows_the_report_in_the_readers_language(
    batch, language, required, unknown
):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(batch.user)

    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()

    assert f"<td>{required}</td>" in page and f"<td>{unknown}</td>" in page


def test_reports_stored_before_the_codes_show_their_text():
    old = {"row": 3, "column": "code", "message": "is required", "severity": "error"}
    broken = {"row": 3, "column": "x", "message": "kept", "code": "duplicate", "params": {}}

    with translation.override("zh-hans"):
        assert render_issue(old) == "is required"
        assert render_issue(broken) == "kept"  # parameters that do not fit: no traceback


def test_file_level_errors_and_malformed_rows_are_coded_too(tmp_path):
    pdf = tmp_path / "customers.csv"
    pdf.write_bytes(b"%PDF-1.7 not a table")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("code,name\nK1,One\nK2,Two,extra\n", encoding="utf-8")

    refused = services.run_import("customers", pdf, dry_run=True).report.as_dict()["issues"][0]
    short = services.run_import("customers", ragged, dry_run=True).report.as_dict()["issues"]

    assert refused["message"] == "customers.csv: this is a PDF file, not a CSV text file."
    with translation.override("zh-hans"):
        assert render_issue(refused) == "customers.csv：这是PDF文件，不是 CSV 文本文件。"
    malformed = next(i for i in short if i["row"] == 3)
    assert malformed["message"] == "expected 2 fields, found 3"
    with translation.override("zh-hant"):
        assert render_issue(malformed) == "應有 2 個欄位，實際為 3 個"
