"""Personal data beside the mask (issue 14 finding 5, QUALITY.md PRIV-5, AUD-4).

Free text about a person (contact notes, field history, the timeline), the portal-access
page and the credit limit follow the same role rule as the masked contact fields, on every
path: pages, the REST API and exports.
"""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from paretocrm.audit.api.serializers import FieldChangeSerializer
from paretocrm.audit.context import audit_context
from paretocrm.audit.models import AuditEvent, FieldChange
from paretocrm.customers.models import Interaction
from paretocrm.customers.tests.factories import make_contact, make_customer, make_user
from paretocrm.portal.tests.factories import make_portal_user
from paretocrm.users.choices import Role

pytestmark = pytest.mark.django_db

PHONE, ID_NUMBER, EMAIL = "13812345678", "11010519491231002X", "zhang.wei@example.com"
NOTE = f"Call {PHONE}, ID {ID_NUMBER}, private mail {EMAIL}"
SECRETS = (PHONE, ID_NUMBER, EMAIL)


def api(user: object) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def page(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


@pytest.fixture
def rep_world() -> dict:
    """A sales rep (contacts masked) owning a customer whose contact has personal notes."""
    rep = make_user(Role.SALES_REP)
    customer = make_customer(owner=rep, notes=NOTE, credit_limit="50000")
    contact = make_contact(customer, name="Zhang Wei", email=EMAIL, notes="first met at a fair")
    with audit_context("web", rep):
        contact.notes = NOTE
        contact.save()
    Interaction.objects.create(customer=customer, kind="call", subject=f"Called {PHONE}")
    return {"rep": rep, "customer": customer, "contact": contact}


def test_priv5_free_text_is_stored_masked_in_the_field_history(rep_world: dict) -> None:
    change = FieldChange.objects.get(field="notes", object_id=rep_world["contact"].pk)
    assert _leaks(change.new_value) == []
    assert "138****5678" in change.new_value


def test_priv5_history_written_before_the_fix_is_masked_for_masked_roles(
    rep_world: dict,
) -> None:
    contact = rep_world["contact"]
    old = FieldChange.objects.get(field="notes", object_id=contact.pk)
    FieldChange.objects.bulk_create(
        [
            FieldChange(
                content_type=old.content_type, object_id=contact.pk, customer=old.customer,
                channel="web", field="notes", old_value=NOTE, new_value="",
            )
        ]
    )  # fmt: skip
    rep = rep_world["rep"]
    detail = page(rep).get(reverse("customers:detail", args=[rep_world["customer"].pk]))
    assert detail.status_code == 200
    assert _leaks(detail.content.decode()) == []
    # The audit API is for audit readers (who may unmask); its serializer applies the same
    # rule, so a role table giving audit reading to a masked role would not leak either.
    request = SimpleNamespace(user=rep, query_params={})
    shown = FieldChangeSerializer(
        FieldChange.objects.filter(field="notes"), many=True, context={"request": request}
    ).data
    assert len(shown) == 2
    assert _leaks(str(shown)) == []


def test_priv5_contact_notes_are_masked_in_the_api_for_masked_roles(rep_world: dict) -> None:
    url = f"/api/contacts/{rep_world['contact'].pk}/"
    shown = api(rep_world["rep"]).get(url)
    assert shown.status_code == 200
    assert _leaks(shown.json()["notes"]) == []
    assert "138****5678" in shown.json()["notes"]
    manager = make_user(Role.GENERAL_MANAGER)
    assert api(manager).get(url).json()["notes"] == NOTE


def test_priv5_sending_masked_notes_back_keeps_the_stored_notes(rep_world: dict) -> None:
    client = api(rep_world["rep"])
    url = f"/api/contacts/{rep_world['contact'].pk}/"
    shown = client.get(url)
    body = {**shown.json(), "title": "Buyer"}
    response = client.put(url, body, format="json", HTTP_IF_MATCH=shown["ETag"])
    assert response.status_code == 200, response.content
    rep_world["contact"].refresh_from_db()
    assert (rep_world["contact"].notes, rep_world["contact"].title) == (NOTE, "Buyer")


def test_priv5_customer_notes_and_timeline_are_masked_on_the_360_page_and_api(
    rep_world: dict,
) -> None:
    rep, customer = rep_world["rep"], rep_world["customer"]
    html = page(rep).get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "138****5678" in html
    assert _leaks(html) == []
    assert _leaks(api(rep).get(f"/api/customers/{customer.pk}/").content.decode()) == []
    interactions = api(rep).get("/api/interactions/", {"customer": customer.pk})
    assert _leaks(interactions.content.decode()) == []


def test_priv5_customer_export_masks_free_text_for_masked_roles(rep_world: dict) -> None:
    response = page(rep_world["rep"]).get(reverse("customers:export", args=["csv"]))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    assert "138****5678" in text
    assert _leaks(text) == []


# credit limit: the sensitive-field rule (view_credit) ------------------------------------


def test_priv5_credit_limit_is_hidden_without_view_credit_in_api_and_export(
    rep_world: dict,
) -> None:
    customer = rep_world["customer"]
    marketing = make_user(Role.MARKETING)
    shown = api(marketing).get(f"/api/customers/{customer.pk}/")
    assert shown.status_code == 200
    assert "credit_limit" not in shown.json()
    listed = api(marketing).get("/api/customers/")
    assert all("credit_limit" not in row for row in listed.json()["results"])
    export = page(marketing).get(reverse("customers:export", args=["csv"]))
    assert export.status_code == 200
    header = next(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert "credit_limit" not in header
    # The owner (a role with the credit function) still sees it on both paths.
    owner_row = api(rep_world["rep"]).get(f"/api/customers/{customer.pk}/").json()
    assert owner_row["credit_limit"] == "50000.00"
    export = page(rep_world["rep"]).get(reverse("customers:export", args=["csv"]))
    assert "credit_limit" in b"".join(export.streaming_content).decode().splitlines()[0]


# portal access -----------------------------------------------------------------------


def test_priv5_portal_access_picker_and_lists_mask_addresses_without_view_unmasked(
    rep_world: dict,
) -> None:
    customer = rep_world["customer"]
    portal_contact = make_contact(customer, name="Li Na", email="li.na@buyer.example.com")
    make_portal_user(customer, contact=portal_contact)
    for role in (Role.SALES_REP, Role.MARKETING, Role.KEY_ACCOUNT_ASSISTANT):
        user = rep_world["rep"] if role == Role.SALES_REP else make_user(role)
        before = AuditEvent.objects.count()
        html = page(user).get(reverse("portal_access:list")).content.decode()
        assert EMAIL not in html and "li.na@buyer.example.com" not in html, role
        assert AuditEvent.objects.count() == before  # masked: nothing to log
    rep_html = page(rep_world["rep"]).get(reverse("portal_access:list")).content.decode()
    assert "z***@example.com" in rep_html  # the picker still tells contacts apart
    manager = make_user(Role.GENERAL_MANAGER)
    manager_html = page(manager).get(reverse("portal_access:list")).content.decode()
    assert "li.na@buyer.example.com" in manager_html


def test_priv5_the_edit_form_shows_notes_masked_and_keeps_them_on_save(rep_world: dict) -> None:
    rep, customer = rep_world["rep"], rep_world["customer"]
    client = page(rep)
    url = reverse("customers:edit", args=[customer.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert _leaks(form.content.decode()) == []
    data = {
        "name": "Renamed",
        "channel": customer.channel,
        "currency": customer.currency,
        "version": customer.version,
        "notes": "138****5678 typed over",  # a disabled field: the browser sends nothing
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    customer.refresh_from_db()
    assert (customer.name, customer.notes) == ("Renamed", NOTE)


def test_priv5_case_text_is_masked_for_a_service_agent_on_page_and_api(rep_world: dict) -> None:
    from django.utils import timezone

    from paretocrm.service.models import CareRecord, Case

    agent = make_user(Role.SERVICE_AGENT)
    customer = rep_world["customer"]
    case = Case.objects.create(
        number="CS-PRIV", customer=customer, case_type="complaint", subject=f"Call {PHONE}",
        description=NOTE, assigned_to=agent,
    )  # fmt: skip
    CareRecord.objects.create(
        customer=customer, case=case, kind="call", occurred_at=timezone.now(), notes=NOTE
    )
    html = page(agent).get(reverse("service:case", args=[case.pk]))
    assert html.status_code == 200
    assert "138****5678" in html.content.decode()
    assert _leaks(html.content.decode()) == []
    for url in (f"/api/cases/{case.pk}/", "/api/care-records/"):
        response = api(agent).get(url)
        assert response.status_code == 200, url
        assert _leaks(response.content.decode()) == [], url


def test_priv5_portal_messages_and_triage_are_masked_without_view_unmasked() -> None:
    from paretocrm.portal.choices import InboundStatus
    from paretocrm.portal.models import InboundMessage

    InboundMessage.objects.create(
        message_id="<1@mail>", sender=EMAIL, subject=f"Call {PHONE}", body=NOTE,
        status=InboundStatus.TRIAGE,
    )  # fmt: skip
    marketing = make_user(Role.MARKETING)
    html = page(marketing).get(reverse("portal_access:triage"))
    assert html.status_code == 200
    assert "z***@example.com" in html.content.decode()
    assert _leaks(html.content.decode()) == []
    manager = make_user(Role.GENERAL_MANAGER)
    assert EMAIL in page(manager).get(reverse("portal_access:triage")).content.decode()
