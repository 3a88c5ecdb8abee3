"""A call list's file speaks the reader's language (issue 16, finding 8; found by the
untranslated-key scan: the page asked to fill "outcome", "called_at" and "notes"): the export
has headers and outcomes in the interface language, and an outcome file comes back with the
headers of any interface language or the stable column names."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from paretocrm.customers.models import Interaction
from paretocrm.imports.parsing import read_table
from paretocrm.work import calllists
from paretocrm.work.tests.test_calllist_scope import world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def reader(user, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("language", "headers", "outcome"),
    [
        (
            "zh-hans",
            ["客户编号", "客户", "联系人", "职务", "电话", "处理结果", "呼叫时间"],
            "已接通",
        ),
        (
            "zh-hant",
            ["客戶編號", "客戶", "聯絡人", "職務", "電話", "處理結果", "呼叫時間"],
            "已接通",
        ),
    ],
)
def test_the_export_has_headers_and_outcomes_in_the_readers_language(
    world,  # noqa: F811 - the imported fixture
    language,
    headers,
    outcome,
):
    people, customers = world
    manager = people["manager"]
    call_list = calllists.create_call_list(name="回访", params={}, created_by=manager)
    entry = call_list.entries.get(customer=customers["manager"])
    calllists.record_call_outcome(entry, outcome="reached", by=manager)

    response = reader(manager, language).get(
        reverse("work:call_list_export", args=[call_list.pk]) + "?format=csv"
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))

    assert rows[0] == headers
    assert rows[1][5] == outcome


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_an_outcome_file_with_the_headers_the_export_wrote_is_read(world, language, tmp_path):  # noqa: F811
    people, customers = world
    manager = people["manager"]
    call_list = calllists.create_call_list(name="回访", params={}, created_by=manager)
    exported = reader(manager, language).get(
        reverse("work:call_list_export", args=[call_list.pk]) + "?format=csv"
    )
    lines = b"".join(exported.streaming_content).decode("utf-8-sig").splitlines()
    code = customers["manager"].code
    filled = [lines[0]] + [
        line.replace(",,", ",已接通,") if line.startswith(code) else line for line in lines[1:]
    ]
    path = Path(tmp_path) / "outcomes.csv"
    path.write_text("\n".join(filled) + "\n", encoding="utf-8")

    report = calllists.check_outcome_rows(call_list, manager, read_table(path))

    assert report.problems == []
    assert [row.entry.customer.code for row in report.to_record] == [code]
    assert not Interaction.objects.exists()  # a dry run writes nothing


def test_the_page_names_the_file_columns_in_the_readers_language(world):  # noqa: F811
    people, _customers = world
    call_list = calllists.create_call_list(name="回访", params={}, created_by=people["manager"])

    html = (
        reader(people["manager"], "zh-hans")
        .get(reverse("work:call_list", args=[call_list.pk]))
        .content.decode()
    )

    assert "called_at" not in html and "notes 可选" not in html
    assert "“处理结果”" in html and "“呼叫时间”" in html and "“备注”" in html
