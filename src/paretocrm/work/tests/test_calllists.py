"""Call lists: filter -> entries with consenting contacts, masked export, outcomes as calls."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from django.utils import timezone

from paretocrm.customers.models import Interaction
from paretocrm.customers.services import record_consent
from paretocrm.customers.tests.factories import make_contact, make_customer, make_user
from paretocrm.imports.exports import csv_lines, write_xlsx
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.work import calllists

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return make_user(role="key_account_manager")


def consenting(customer, phone: str, *, influence: int | None = None, granted: bool = True):
    contact = make_contact(customer, mobile=phone, influence=influence)
    record_consent(contact, "phone", granted=granted, source="signed form")
    return contact


def test_core_customers_in_decline_not_contacted_for_30_days(manager):
    run = make_run()
    wanted = make_customer(owner=manager, name="A declining")
    called = make_customer(owner=manager, name="B called last week")
    stable = make_customer(owner=manager, name="C stable")
    outsider = make_customer(owner=make_user(), name="D someone else's")
    for customer in (wanted, called, outsider):
        make_score(run, customer, tier="core", lifecycle_stage="decline")
    make_score(run, stable, tier="core", lifecycle_stage="stable")
    Interaction.objects.create(
        customer=called, kind="call", subject="hi", occurred_at=timezone.now() - dt.timedelta(7)
    )
    Interaction.objects.create(
        customer=wanted, kind="call", subject="old", occurred_at=timezone.now() - dt.timedelta(40)
    )

    call_list = calllists.create_call_list(
        name="Decline",
        params={"tier": "core", "lifecycle_stage": "decline", "not_contacted_days": "30"},
        created_by=manager,
    )

    assert list(call_list.entries.values_list("customer", flat=True)) == [wanted.pk]
    assert call_list.filter_params["not_contacted_days"] == "30"


def test_entry_contact_has_granted_phone_consent_most_influential_first(manager):
    customer = make_customer(owner=manager)
    refused = consenting(customer, "13900000001", influence=5, granted=False)
    consenting(customer, "13900000002", influence=2)
    best = consenting(customer, "13900000003", influence=4)
    withdrawn = consenting(customer, "13900000004", influence=5)
    record_consent(withdrawn, "phone", granted=False, source="asked to stop")
    make_contact(customer, mobile="13900000005", influence=5)  # never asked: no call
    nobody = make_customer(owner=manager)

    call_list = calllists.create_call_list(name="All", params={}, created_by=manager)

    entries = {e.customer_id: e.contact_id for e in call_list.entries.all()}
    assert entries[customer.pk] == best.pk != refused.pk
    assert entries[nobody.pk] is None


def test_bad_filter_parameters_are_named(manager):
    with pytest.raises(calllists.CallListError, match="tier"):
        calllists.create_call_list(name="x", params={"tier": "gold"}, created_by=manager)
    with pytest.raises(calllists.CallListError, match="not_contacted_days"):
        calllists.create_call_list(name="x", params={"not_contacted_days": "a"}, created_by=manager)
    with pytest.raises(calllists.CallListError, match="colour"):
        calllists.create_call_list(name="x", params={"colour": "red"}, created_by=manager)
    with pytest.raises(calllists.CallListError, match="name"):
        calllists.create_call_list(name=" ", params={}, created_by=manager)


def test_priv5_export_masks_phone_for_masked_roles_and_neutralises_formulas(tmp_path):
    """A role that sees masked contacts gets masked numbers in the files too (the roles that
    may unmask get real ones: test_calllist_scope); formulas are quoted (EXP-1)."""
    rep = make_user(role="sales_rep")
    customer = make_customer(owner=rep, name='=HYPERLINK("http://x")')
    consenting(customer, "13812345678")
    call_list = calllists.create_call_list(name="L", params={}, created_by=rep)

    headers, rows = calllists.export_rows(call_list, rep)
    masked = list(rows)

    phone = calllists.EXPORT_HEADERS.index("phone")  # headers are in the reader's language
    assert masked[0][phone] == "138****5678"
    assert masked[0][calllists.EXPORT_HEADERS.index("customer_name")].startswith("'=")
    text = "".join(csv_lines(headers, masked))
    assert "13812345678" not in text and "138****5678" in text
    path = tmp_path / "calls.xlsx"
    write_xlsx(path, headers, iter(masked))
    sheet = openpyxl.load_workbook(path).active
    assert [c.value for c in sheet[2]][phone] == "138****5678"


def test_recorded_call_outcome_becomes_a_call_interaction(manager):
    customer = make_customer(owner=manager)
    contact = consenting(customer, "13812345678")
    call_list = calllists.create_call_list(name="Renewals", params={}, created_by=manager)
    entry = call_list.entries.get()

    interaction = calllists.record_call_outcome(
        entry, outcome="reached", notes="Will reorder in May", by=manager
    )

    assert interaction.kind == "call" and interaction.customer == customer
    assert interaction.user == manager and list(interaction.contacts.all()) == [contact]
    assert interaction.notes == "Will reorder in May"
    entry.refresh_from_db()
    assert entry.outcome == "reached" and entry.interaction == interaction
    with pytest.raises(calllists.CallListError, match="outcome"):
        calllists.record_call_outcome(entry, outcome="maybe")


def test_page_shows_labels_in_the_readers_language_and_values_unquoted(manager):
    """The page is not a spreadsheet: headers are translated labels, values are not quoted
    against formulas (EXP-1 applies to the files), outcomes show by label."""
    from django.test import Client
    from django.urls import reverse

    customer = make_customer(owner=manager, name="=Formula Trading")
    consenting(customer, "+4930123456")
    call_list = calllists.create_call_list(name="Berlin", params={}, created_by=manager)
    entry = call_list.entries.get()
    calllists.record_call_outcome(entry, outcome="no_answer", notes="", by=manager)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(manager)
    body = client.get(reverse("work:call_list", args=[call_list.pk])).content.decode()
    assert "客户编号" in body and "customer_code" not in body
    assert "=Formula Trading" in body and "'=Formula" not in body
    assert "+49****3456" in body and "'+49" not in body
    assert "<td>无人接听</td>" in body
    _headers, rows = calllists.export_rows(call_list, manager)
    assert next(rows)[1] == "'=Formula Trading"


def test_the_new_list_form_asks_for_the_lists_name_not_a_persons(manager):
    from django.test import Client
    from django.urls import reverse

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(manager)
    body = client.get(reverse("work:call_lists")).content.decode()
    assert 'placeholder="清单名称"' in body and 'placeholder="姓名"' not in body


def test_the_list_table_heads_its_names_as_list_names_not_persons(manager):
    from django.test import Client
    from django.urls import reverse

    calllists.create_call_list(name="Berlin", params={}, created_by=manager)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(manager)
    body = client.get(reverse("work:call_lists")).content.decode()
    assert "<th>清单名称</th>" in body and "<th>姓名</th>" not in body
