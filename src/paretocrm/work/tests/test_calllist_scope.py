"""Call lists: who may make them, whose customers they hold, and the call-centre loop.

Issue 14 finding 2 (a read-only assistant made lists for anyone, across scope) and issue 16
finding 3 (exports masked for every role, outcomes typed back one by one, no API).
"""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from paretocrm.audit.models import AuditEvent
from paretocrm.customers.models import Customer, Interaction
from paretocrm.customers.services import record_consent
from paretocrm.customers.tests.factories import make_contact, make_customer, make_user
from paretocrm.users.models import Team
from paretocrm.work import calllists
from paretocrm.work.models import CallList, CallListEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Team A: a manager, a rep and an assistant; team B: a specialist. One customer each."""
    team_a, team_b = Team.objects.create(name="A"), Team.objects.create(name="B")
    people = {
        "manager": make_user(role="key_account_manager", team=team_a),
        "rep": make_user(role="sales_rep", team=team_a),
        "assistant": make_user(role="key_account_assistant", team=team_a),
        "specialist": make_user(role="key_account_specialist", team=team_b),
        "admin": make_user(role="administrator"),
        "portal": make_user(role="portal_customer", username="portal-login"),
    }
    customers = {
        "manager": make_customer(owner=people["manager"], name="Managed"),
        "rep": make_customer(owner=people["rep"], name="Repped"),
        "specialist": make_customer(owner=people["specialist"], name="Elsewhere"),
    }
    for key, customer in customers.items():
        contact = make_contact(customer, mobile=f"1381234000{len(key)}")
        record_consent(contact, "phone", granted=True, source="form")
    return people, customers


def page(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def customers_of(call_list: CallList) -> set[int]:
    return set(call_list.entries.values_list("customer_id", flat=True))


# --- who may make a list, and for whom (issue 14 finding 2) ---------------------------


def test_read_only_assistant_may_not_create_a_call_list(world):
    people, _customers = world
    response = page(people["assistant"]).post(
        reverse("work:call_lists"), {"name": "Mine", "assigned_to": people["specialist"].pk}
    )
    assert response.status_code == 403
    assert not CallList.objects.exists()
    assert AuditEvent.objects.filter(kind="access_denied", actor=people["assistant"]).exists()


def test_list_holds_only_customers_both_creator_and_assignee_see(world):
    people, customers = world
    call_list = calllists.create_call_list(
        name="For the rep", params={}, created_by=people["manager"], assigned_to=people["rep"]
    )
    assert customers_of(call_list) == {customers["rep"].pk}


def test_assignee_must_be_staff_with_the_call_list_function(world):
    people, _customers = world
    for assignee in (people["portal"], people["assistant"]):
        response = page(people["manager"]).post(
            reverse("work:call_lists"), {"name": "X", "assigned_to": assignee.pk}, follow=True
        )
        assert "assigned_to" in response.content.decode()
    assert not CallList.objects.exists()


def test_rows_that_left_the_users_scope_are_not_shown_exported_or_writable(world):
    people, customers = world
    call_list = calllists.create_call_list(
        name="Both", params={}, created_by=people["manager"], assigned_to=people["rep"]
    )
    entry = call_list.entries.get()
    Customer.objects.filter(pk=customers["rep"].pk).update(owner=people["specialist"])
    rep = page(people["rep"])

    body = rep.get(reverse("work:call_list", args=[call_list.pk])).content.decode()
    assert "Repped" not in body
    export = rep.get(reverse("work:call_list_export", args=[call_list.pk]) + "?format=csv")
    assert "Repped" not in b"".join(export.streaming_content).decode()
    response = rep.post(
        reverse("work:call_list", args=[call_list.pk]), {"entry": entry.pk, "outcome": "reached"}
    )
    assert response.status_code == 404
    with pytest.raises(calllists.CallListError, match="entry"):
        calllists.record_call_outcome(entry, outcome="reached", by=people["rep"])
    assert not Interaction.objects.exists()


# --- exports with numbers for those who may unmask (issue 16 finding 3) ---------------


def test_export_has_real_numbers_for_unmask_roles_audited_per_contact(world):
    people, _customers = world
    for role in ("admin", "manager"):
        call_list = calllists.create_call_list(name=role, params={}, created_by=people[role])
        contacts = {e.contact_id for e in call_list.entries.all()}
        response = page(people[role]).get(
            reverse("work:call_list_export", args=[call_list.pk]) + "?format=csv"
        )
        text = b"".join(response.streaming_content).decode()
        assert "13812340007" in text and "****" not in text
        unmasks = AuditEvent.objects.filter(kind="unmask", actor=people[role])
        assert set(unmasks.values_list("object_id", flat=True)) == contacts


def test_export_is_masked_for_sales_without_unmask_events_and_the_page_says_why(world):
    people, _customers = world
    call_list = calllists.create_call_list(name="Rep", params={}, created_by=people["rep"])
    rep = page(people["rep"])
    response = rep.get(reverse("work:call_list_export", args=[call_list.pk]) + "?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    phone = [c.value for c in sheet[1]].index("phone")
    assert [c.value for c in sheet[2]][phone] == "138****0003"
    assert not AuditEvent.objects.filter(kind="unmask").exists()
    body = rep.get(reverse("work:call_list", args=[call_list.pk])).content.decode()
    assert "Your role sees masked phone numbers" in body


def test_outcome_select_preselects_nothing_and_requires_a_choice(world):
    people, _customers = world
    call_list = calllists.create_call_list(name="L", params={}, created_by=people["manager"])
    body = page(people["manager"]).get(reverse("work:call_list", args=[call_list.pk]))
    html = body.content.decode()
    assert '<select name="outcome" required' in html
    assert '<option value="" selected disabled>' in html
    entry = call_list.entries.first()
    page(people["manager"]).post(
        reverse("work:call_list", args=[call_list.pk]), {"entry": entry.pk}
    )
    assert not Interaction.objects.exists()


# --- outcomes back by file -------------------------------------------------------------


def outcome_file(rows: list[list[str]], name: str = "outcomes.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    lines = ["customer_code,outcome,called_at,notes", *(",".join(row) for row in rows)]
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode(), content_type="text/csv")


def test_outcome_file_dry_run_then_commit_then_nothing_new(world):
    people, customers = world
    call_list = calllists.create_call_list(name="Mine", params={}, created_by=people["manager"])
    url = reverse("work:call_list_outcomes", args=[call_list.pk])
    rows = [
        [customers["manager"].code, "reached", "2026-12-01 10:00", "will reorder"],
        [customers["rep"].code, "已接通", "", ""],
    ]
    client = page(people["manager"])

    checked = client.post(url, {"file": outcome_file(rows)})
    assert checked.status_code == 200
    assert "2 rows will be recorded" in checked.content.decode()
    assert not Interaction.objects.exists()
    token = checked.context["token"]

    committed = client.post(url, {"token": token}, follow=True)
    assert "2 outcomes recorded" in committed.content.decode()
    assert Interaction.objects.count() == 2
    assert set(CallListEntry.objects.values_list("outcome", flat=True)) == {"reached"}

    again = client.post(url, {"file": outcome_file(rows)})
    assert "0 rows will be recorded" in again.content.decode()
    client.post(url, {"token": again.context["token"]}, follow=True)
    assert Interaction.objects.count() == 2


def test_outcome_file_report_names_row_and_column(world):
    people, customers = world
    call_list = calllists.create_call_list(name="Mine", params={}, created_by=people["manager"])
    rows = [
        [customers["manager"].code, "maybe", "", ""],
        ["NOPE", "reached", "", ""],
        [customers["rep"].code, "reached", "yesterday", ""],
    ]
    report = calllists.check_outcome_rows(call_list, people["manager"], _table(rows))
    problems = {(p.row, p.column) for p in report.problems}
    assert problems == {(2, "outcome"), (3, "customer_code"), (4, "called_at")}
    response = page(people["manager"]).post(
        reverse("work:call_list_outcomes", args=[call_list.pk]), {"file": outcome_file(rows)}
    )
    html = response.content.decode()
    assert "row 2" in html and "outcome" in html and "NOPE" in html
    assert response.context["token"] == ""  # nothing to commit while problems remain


def _table(rows: list[list[str]]):
    import tempfile
    from pathlib import Path

    from paretocrm.imports.parsing import read_table

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "outcomes.csv"
        lines = ["customer_code,outcome,called_at,notes", *(",".join(row) for row in rows)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return read_table(path)


# --- the call-list API --------------------------------------------------------------------


def test_api_has_the_same_scope_as_the_pages(world):
    people, customers = world
    mine = calllists.create_call_list(name="Mine", params={}, created_by=people["manager"])
    theirs = calllists.create_call_list(name="Theirs", params={}, created_by=people["specialist"])
    client = api(people["manager"])
    listed = client.get("/api/work/call-lists/").json()
    assert [item["id"] for item in listed["results"]] == [mine.pk]
    assert client.get(f"/api/work/call-lists/{theirs.pk}/").status_code == 404

    refused = api(people["assistant"]).post("/api/work/call-lists/", {"name": "X"}, format="json")
    assert refused.status_code == 403
    portal = client.post(
        "/api/work/call-lists/",
        {"name": "X", "assigned_to": people["portal"].pk},
        format="json",
    )
    assert portal.status_code == 400 and "assigned_to" in portal.json()
    created = client.post(
        "/api/work/call-lists/",
        {"name": "Rep", "assigned_to": people["rep"].pk, "filter_params": {}},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert customers_of(CallList.objects.get(pk=created.json()["id"])) == {customers["rep"].pk}


def test_api_records_outcomes_only_on_rows_in_scope(world):
    people, customers = world
    call_list = calllists.create_call_list(
        name="Both", params={}, created_by=people["manager"], assigned_to=people["rep"]
    )
    entry = call_list.entries.get()
    url = f"/api/work/call-lists/{call_list.pk}/record-outcome/"
    ok = api(people["rep"]).post(url, {"entry": entry.pk, "outcome": "no_answer"}, format="json")
    assert ok.status_code == 200, ok.content
    assert Interaction.objects.filter(customer=customers["rep"]).count() == 1
    Customer.objects.filter(pk=customers["rep"].pk).update(owner=people["specialist"])
    refused = api(people["rep"]).post(url, {"entry": entry.pk, "outcome": "reached"}, format="json")
    assert refused.status_code == 400 and "entry" in refused.json()
    assert Interaction.objects.count() == 1


def test_exported_file_filled_in_and_imported_closes_the_loop(world):
    """Export (CSV and XLSX) -> fill the outcome column -> import: the calls are recorded."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    people, customers = world
    call_list = calllists.create_call_list(name="Loop", params={}, created_by=people["manager"])
    client = page(people["manager"])
    export = reverse("work:call_list_export", args=[call_list.pk])
    url = reverse("work:call_list_outcomes", args=[call_list.pk])

    csv_text = b"".join(client.get(export + "?format=csv").streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))
    for row in rows[1:]:
        row[rows[0].index("outcome")] = "no_answer"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    upload = SimpleUploadedFile("calls.csv", out.getvalue().encode("utf-8-sig"))
    checked = client.post(url, {"file": upload})
    assert checked.context["report"].problems == [], checked.context["report"].problems
    client.post(url, {"token": checked.context["token"]})
    assert set(CallListEntry.objects.values_list("outcome", flat=True)) == {"no_answer"}

    book = openpyxl.load_workbook(io.BytesIO(client.get(export + "?format=xlsx").content))
    sheet = book.active
    outcome = [c.value for c in sheet[1]].index("outcome")
    for row in sheet.iter_rows(min_row=2):
        row[outcome].value = "reached"
    data = io.BytesIO()
    book.save(data)
    upload = SimpleUploadedFile("calls.xlsx", data.getvalue())
    checked = client.post(url, {"file": upload})
    assert len(checked.context["report"].to_record) == 2
    client.post(url, {"token": checked.context["token"]})
    assert Interaction.objects.filter(customer=customers["manager"]).count() == 2


def test_an_unreadable_outcome_file_is_refused_naming_the_file(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    people, _customers = world
    call_list = calllists.create_call_list(name="Mine", params={}, created_by=people["manager"])
    url = reverse("work:call_list_outcomes", args=[call_list.pk])
    client = page(people["manager"])
    for upload in (
        SimpleUploadedFile("outcomes.txt", b"customer_code,outcome\n"),
        SimpleUploadedFile("outcomes.xlsx", b"not a zip at all"),
        SimpleUploadedFile("outcomes.csv", b"name,phone\nx,1\n"),
    ):
        response = client.post(url, {"file": upload}, follow=True)
        assert response.status_code == 200
        html = response.content.decode()
        assert "file:" in html or "customer_code" in html
    assert not Interaction.objects.exists()
    assert page(people["assistant"]).post(url, {}).status_code == 403
