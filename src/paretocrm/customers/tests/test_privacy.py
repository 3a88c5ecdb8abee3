"""Personal data (QUALITY.md PRIV-1, PRIV-3, PRIV-4, PRIV-5, AUTHZ-7)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from html import unescape

import openpyxl
import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from paretocrm.audit.context import audit_context
from paretocrm.audit.models import AuditEvent, FieldChange
from paretocrm.customers import privacy
from paretocrm.customers.masking import CONTACT_MASKS
from paretocrm.customers.models import AccountTeamMember, Contact, ContactConsent, Interaction
from paretocrm.customers.tests.factories import (
    make_contact,
    make_customer,
    make_invoice,
    make_order,
    make_user,
)
from paretocrm.service.models import Case
from paretocrm.users.choices import STAFF_ROLES, Role
from paretocrm.users.permissions import ROLE_FUNCTIONS, Function, has_function

pytestmark = pytest.mark.django_db

PHONE, MOBILE, EMAIL, NAME = "13812345678", "13987654321", "zhang.wei@example.com", "Zhang Wei"
UNMASKERS = [r for r in Role if Function.VIEW_UNMASKED in ROLE_FUNCTIONS[r]]
OTHERS = [r for r in STAFF_ROLES if r not in UNMASKERS]


def api(user: object) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def page(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def person() -> dict:
    """A contact with phone, e-mail, consent, an interaction, a case and a changed field."""
    owner = make_user(Role.KEY_ACCOUNT_MANAGER)
    customer = make_customer(owner=owner)
    contact = make_contact(customer, name=NAME, phone=PHONE, mobile=MOBILE, email=EMAIL)
    contact.title = "Buyer"
    with audit_context("web", owner):
        contact.save()
    contact.phone = "13800001111"
    contact.save()
    ContactConsent.objects.create(contact=contact, channel="email", granted=True, source="form")
    talk = Interaction.objects.create(customer=customer, kind="call", subject=f"Call {NAME}")
    talk.contacts.add(contact)
    case = Case.objects.create(
        number="CS-1", customer=customer, contact=contact, case_type="complaint",
        subject="Late", description=f"{NAME} called about the delivery",
    )  # fmt: skip
    order = make_order(customer, lines=[("2", "150", "90", "0")])
    invoice = make_invoice(customer, "300", dt.date(2025, 1, 1), dt.date(2025, 2, 1))
    return {
        "owner": owner, "customer": customer, "contact": contact, "case": case,
        "order": order, "invoice": invoice,
    }  # fmt: skip


# PRIV-1 -------------------------------------------------------------------------------


def test_priv1_every_field_of_every_model_holding_a_person_is_classified() -> None:
    """A new field on a contact, or a new model pointing at a contact, fails here."""
    assert privacy.models_holding_contacts() == set(privacy.CLASSIFICATION)
    classes = {privacy.NOT_PERSONAL, privacy.PERSONAL, privacy.SENSITIVE}
    for label, table in privacy.CLASSIFICATION.items():
        model = apps.get_model(label)
        names = {f.name for f in privacy.classified_fields(model)}
        assert names == set(table), (label, names ^ set(table))
        assert set(table.values()) <= classes, label


def test_priv1_sensitive_contact_fields_are_exactly_the_masked_ones() -> None:
    assert set(privacy.SENSITIVE_CONTACT_FIELDS) == set(CONTACT_MASKS)


# PRIV-5 / AUTHZ-7 ---------------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_priv5_contacts_are_masked_on_the_api_for_every_role(person: dict, role: str) -> None:
    user = make_user(role, team=person["owner"].team)
    AccountTeamMember.objects.get_or_create(customer=person["customer"], user=user)
    body = api(user).get(reverse("contact-detail", args=[person["contact"].pk]))
    assert body.status_code == 200
    text = body.content.decode()
    assert MOBILE not in text and EMAIL not in text
    assert body.json()["mobile"] == "139****4321"


@pytest.mark.parametrize("role", UNMASKERS)
def test_priv5_unmasking_is_an_explicit_logged_api_action(person: dict, role: str) -> None:
    user = make_user(role)
    AccountTeamMember.objects.create(customer=person["customer"], user=user)
    response = api(user).post(reverse("contact-unmask", args=[person["contact"].pk]))
    assert response.status_code == 200
    assert (response.json()["mobile"], response.json()["email"]) == (MOBILE, EMAIL)
    event = AuditEvent.objects.get(kind="unmask", actor=user)
    assert event.object_id == person["contact"].pk
    assert MOBILE not in json.dumps(event.detail)


@pytest.mark.parametrize("role", OTHERS)
def test_priv5_roles_without_the_right_cannot_unmask_and_are_logged(
    person: dict, role: str
) -> None:
    user = make_user(role)
    AccountTeamMember.objects.create(customer=person["customer"], user=user)
    response = api(user).post(reverse("contact-unmask", args=[person["contact"].pk]))
    assert response.status_code == 403
    assert MOBILE not in response.content.decode()
    assert AuditEvent.objects.filter(kind="access_denied", actor=user).exists()
    assert not AuditEvent.objects.filter(kind="unmask").exists()


def test_priv5_unmask_out_of_scope_is_404(person: dict) -> None:
    stranger = make_user(Role.KEY_ACCOUNT_MANAGER)
    response = api(stranger).post(reverse("contact-unmask", args=[person["contact"].pk]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(kind="unmask").exists()


def test_priv5_the_360_page_masks_and_the_show_button_unmasks_with_a_log(person: dict) -> None:
    kam = page(person["owner"])
    detail = kam.get(reverse("customers:detail", args=[person["customer"].pk])).content.decode()
    assert "139****4321" in detail and MOBILE not in detail and EMAIL not in detail
    unmask_url = reverse("customers:contact_unmask", args=[person["contact"].pk])
    assert unmask_url in detail
    row = kam.post(unmask_url, HTTP_HX_REQUEST="true").content.decode()
    assert MOBILE in row and EMAIL in row
    assert AuditEvent.objects.filter(kind="unmask", actor=person["owner"]).count() == 1


def test_priv5_no_show_button_for_a_role_without_the_right(person: dict) -> None:
    assistant = make_user(Role.KEY_ACCOUNT_ASSISTANT, team=person["owner"].team)
    AccountTeamMember.objects.create(customer=person["customer"], user=assistant)
    client = page(assistant)
    detail = client.get(reverse("customers:detail", args=[person["customer"].pk]))
    assert reverse("customers:contact_unmask", args=[person["contact"].pk]) not in (
        detail.content.decode()
    )
    refused = client.post(reverse("customers:contact_unmask", args=[person["contact"].pk]))
    assert refused.status_code == 403


def test_priv5_sending_the_masked_value_back_keeps_the_stored_one(person: dict) -> None:
    contact = person["contact"]
    client = api(person["owner"])
    url = reverse("contact-detail", args=[contact.pk])
    shown = client.get(url)
    body = {**shown.json(), "title": "Head of purchasing"}
    response = client.put(url, body, format="json", HTTP_IF_MATCH=shown["ETag"])
    assert response.status_code == 200, response.content
    contact.refresh_from_db()
    assert (contact.mobile, contact.email, contact.title) == (MOBILE, EMAIL, "Head of purchasing")


# PRIV-3 -------------------------------------------------------------------------------


def test_priv3_export_of_one_person_holds_every_table_json_via_api(person: dict) -> None:
    admin = make_user(Role.ADMINISTRATOR)
    url = reverse("contact-personal-data", args=[person["contact"].pk])
    data = api(admin).get(url).json()
    assert data["customers.contact"][0]["mobile"] == MOBILE
    assert data["customers.contactconsent"][0]["channel"] == "email"
    assert data["customers.interaction"][0]["subject"] == f"Call {NAME}"
    assert data["service.case"][0]["number"] == "CS-1"
    assert {c["field"] for c in data["audit.fieldchange"]} >= {"title", "phone"}
    event = AuditEvent.objects.get(kind="export", actor=admin)
    assert event.detail["kind"] == "personal_data"


def test_priv3_export_page_gives_json_and_xlsx_and_needs_export_all(person: dict) -> None:
    gm = page(make_user(Role.GENERAL_MANAGER))
    pk = person["contact"].pk
    as_json = gm.get(reverse("customers:contact_personal_data", args=[pk, "json"]))
    assert as_json.status_code == 200
    assert "attachment" in as_json["Content-Disposition"]
    assert json.loads(as_json.content)["customers.contact"][0]["name"] == NAME
    as_xlsx = gm.get(reverse("customers:contact_personal_data", args=[pk, "xlsx"]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(as_xlsx.streaming_content)))
    assert {"customers_contact", "service_case", "audit_fieldchange"} <= set(book.sheetnames)
    kam = page(person["owner"])
    assert not has_function(person["owner"], Function.EXPORT_ALL)
    assert kam.get(reverse("customers:contact_personal_data", args=[pk, "json"])).status_code == 403


# PRIV-4 -------------------------------------------------------------------------------


def _everything_stored() -> str:
    """Every text-like value of every row of every table, as one string."""
    chunks = []
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if fields:
            for row in model._base_manager.values_list(*fields):
                chunks.append(" ".join(str(v) for v in row))
    return "\n".join(chunks)


def test_priv4_erasure_removes_the_person_everywhere_keeps_orders_and_logs(person: dict) -> None:
    admin = make_user(Role.ADMINISTRATOR)
    stored = _everything_stored()
    assert NAME in stored and "138****1111" in stored  # the history held the masked phone
    order_total = person["order"].lines.aggregate(models.Sum("quantity"))
    invoiced = person["customer"].invoices.aggregate(models.Sum("amount"))
    response = api(admin).post(
        reverse("contact-erase", args=[person["contact"].pk]),
        HTTP_IF_MATCH=f'"{Contact.objects.get(pk=person["contact"].pk).version}"',
    )
    assert response.status_code == 200, response.content
    after = _everything_stored()
    for value in (NAME, PHONE, MOBILE, EMAIL, "13800001111", "138****1111", "z***@example.com"):
        assert value not in after, value
    contact = Contact.objects.get(pk=person["contact"].pk)
    assert (contact.name, contact.mobile, contact.is_active) == (privacy.ERASED_NAME, "", False)
    # Orders, cases and totals stay.
    assert person["order"].lines.aggregate(models.Sum("quantity")) == order_total
    assert person["customer"].invoices.aggregate(models.Sum("amount")) == invoiced
    assert Case.objects.get(pk=person["case"].pk).number == "CS-1"
    # One audit event, without the erased values; the history keeps its rows, values gone.
    event = AuditEvent.objects.get(kind="erasure")
    assert (event.actor_id, event.object_id) == (admin.pk, contact.pk)
    assert FieldChange.objects.for_object(contact).count() >= 2
    assert set(FieldChange.objects.for_object(contact).values_list("new_value", flat=True)) == {
        "[erased]"
    }


def test_priv4_only_the_erase_function_may_erase(person: dict) -> None:
    before = Contact.objects.filter(pk=person["contact"].pk).values().get()
    response = api(person["owner"]).post(reverse("contact-erase", args=[person["contact"].pk]))
    assert response.status_code == 403
    assert Contact.objects.filter(pk=person["contact"].pk).values().get() == before
    assert AuditEvent.objects.filter(kind="access_denied", actor=person["owner"]).exists()


def test_dur1_erase_requires_if_match_and_changes_nothing_without_it(person: dict) -> None:
    """Erasure is a write: 428 without If-Match, 412 on a stale version; nothing changes."""
    admin = make_user(Role.ADMINISTRATOR)
    url = reverse("contact-erase", args=[person["contact"].pk])
    before = Contact.objects.filter(pk=person["contact"].pk).values().get()
    assert api(admin).post(url).status_code == 428
    stale = f'"{before["version"] - 1}"'
    assert api(admin).post(url, HTTP_IF_MATCH=stale).status_code == 412
    assert Contact.objects.filter(pk=person["contact"].pk).values().get() == before
    assert not AuditEvent.objects.filter(kind="erasure").exists()
    response = api(admin).post(url, HTTP_IF_MATCH=f'"{before["version"]}"')
    assert response.status_code == 200, response.content
    assert response.data["version"] == before["version"] + 1
    assert response["ETag"] == f'"{before["version"] + 1}"'


def test_priv4_dur3_erasure_is_atomic(person: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure half-way (after the linked records were scrubbed) keeps everything."""
    from paretocrm.audit import services as audit_services

    def boom(*args: object, **kwargs: object) -> int:
        raise RuntimeError("injected failure")

    monkeypatch.setattr(audit_services, "redact_history", boom)
    admin = make_user(Role.ADMINISTRATOR)
    stored = _everything_stored()
    with pytest.raises(RuntimeError):
        privacy.erase_contact(person["contact"], by=admin)
    assert _everything_stored() == stored


def test_priv4_erase_button_on_the_360_page_for_administrators(person: dict) -> None:
    admin = page(make_user(Role.ADMINISTRATOR))
    url = reverse("customers:contact_erase", args=[person["contact"].pk])
    assert (
        url in admin.get(reverse("customers:detail", args=[person["customer"].pk])).content.decode()
    )
    data = {"version": _erase_form_version(admin, person), "confirm_name": NAME}
    response = admin.post(url, data)
    assert response.status_code == 302
    assert Contact.objects.get(pk=person["contact"].pk).name == privacy.ERASED_NAME


def _erase_form_version(client: Client, person: dict) -> str:
    """The version the 360 page's erase form carries for the person."""
    html = client.get(reverse("customers:detail", args=[person["customer"].pk])).content.decode()
    url = reverse("customers:contact_erase", args=[person["contact"].pk])
    form = html[html.index(f'action="{url}"') :]
    return re.search(r'name="version" value="(\d+)"', form[: form.index("</form>")]).group(1)


def test_dur1_erase_form_based_on_an_outdated_version_shows_a_conflict(person: dict) -> None:
    admin = page(make_user(Role.ADMINISTRATOR))
    shown = _erase_form_version(admin, person)
    contact = Contact.objects.get(pk=person["contact"].pk)
    contact.title = "Head of purchasing"  # a colleague edits the person meanwhile
    contact.save()
    url = reverse("customers:contact_erase", args=[contact.pk])
    answer = admin.post(url, {"version": shown, "confirm_name": NAME}, follow=True)
    assert "Someone else changed this contact" in answer.content.decode()
    assert Contact.objects.get(pk=contact.pk).name == NAME
    assert not AuditEvent.objects.filter(kind="erasure").exists()
    missing = admin.post(url, follow=True)
    assert "version: the page did not say" in missing.content.decode()
    assert Contact.objects.get(pk=contact.pk).name == NAME
    admin.post(url, {"version": _erase_form_version(admin, person), "confirm_name": NAME})
    assert Contact.objects.get(pk=contact.pk).name == privacy.ERASED_NAME


@pytest.mark.parametrize("typed", [None, "", "Someone else", NAME[:-1]])
def test_priv4_erasure_on_the_page_needs_the_persons_name_typed(person: dict, typed) -> None:
    """Issue 16 finding 11: erasure cannot be undone, so the page asks for the name first."""
    admin = page(make_user(Role.ADMINISTRATOR))
    html = admin.get(reverse("customers:detail", args=[person["customer"].pk])).content.decode()
    url = reverse("customers:contact_erase", args=[person["contact"].pk])
    form = html[html.index(f'action="{url}"') :]
    assert 'name="confirm_name"' in form[: form.index("</form>")]
    data = {"version": _erase_form_version(admin, person)}
    if typed is not None:
        data["confirm_name"] = typed
    answer = admin.post(url, data, follow=True)
    shown = unescape(answer.content.decode())
    assert "Type the person's name exactly as shown to erase their data" in shown
    assert Contact.objects.get(pk=person["contact"].pk).name == NAME
    assert not AuditEvent.objects.filter(kind="erasure").exists()
    # Typed as shown (spaces around it and letter case do not matter), the erasure goes ahead.
    data["confirm_name"] = f"  {NAME.upper()} "
    admin.post(url, data)
    assert Contact.objects.get(pk=person["contact"].pk).name == privacy.ERASED_NAME


# PRIV-2 -------------------------------------------------------------------------------


def test_priv2_only_contacts_whose_consent_in_force_is_granted_are_reachable() -> None:
    """Audiences and marketing exports select through ``Contact.objects.reachable_by``."""
    from paretocrm.customers.services import record_consent

    customer = make_customer(owner=make_user())
    yes, withdrawn, never, other = (make_contact(customer) for _ in range(4))
    record_consent(yes, "email", granted=True, source="web form")
    record_consent(withdrawn, "email", granted=True, source="web form")
    record_consent(withdrawn, "email", granted=False, source="call")
    record_consent(other, "sms", granted=True, source="form")
    assert list(Contact.objects.reachable_by("email")) == [yes]
    assert list(Contact.objects.reachable_by("sms")) == [other]
    assert never not in Contact.objects.reachable_by("email")
