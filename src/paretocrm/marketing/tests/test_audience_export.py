"""The marketing contact export of a campaign (QUALITY.md PRIV-2, EXP-1, EXP-2, AUD-3)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from urllib.parse import quote

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from paretocrm.audit.models import AuditEvent
from paretocrm.customers.services import record_consent
from paretocrm.customers.tests.factories import make_contact, make_customer, make_user
from paretocrm.marketing.models import Campaign, CampaignMember
from paretocrm.users.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict:
    """A rep's two members (one withdrew e-mail consent), a colleague's member, a campaign."""
    rep, colleague = make_user(Role.SALES_REP), make_user(Role.SALES_REP)
    campaign = Campaign.objects.create(
        name="春季新品", campaign_type="promotion", start_date=dt.date(2026, 4, 1),
        cost=Decimal("100.00"),
    )  # fmt: skip
    people = {}
    for key, owner, name in (
        ("mine", rep, '=HYPERLINK("http://x")'),
        ("withdrawn", rep, "Withdrawn Ltd"),
        ("theirs", colleague, "Colleague Ltd"),
    ):
        customer = make_customer(owner=owner, name=name)
        contact = make_contact(
            customer, email=f"{key}@example.com", mobile="13812345678", wechat=f"wx_{key}"
        )
        record_consent(contact, "email", granted=True, source="trade fair form")
        CampaignMember.objects.create(campaign=campaign, customer=customer, contact=contact)
        people[key] = contact
    # Withdrawn after the audience was built: the consent in force now is what counts.
    record_consent(people["withdrawn"], "email", granted=False, source="unsubscribe link")
    return {"rep": rep, "campaign": campaign, **people}


def export(user: object, campaign: Campaign, file_format: str = "csv", **params: str):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    url = reverse("marketing:audience_export", args=[campaign.pk, file_format])
    return client.get(url, {"channel": "email", **params})


def csv_text(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_priv2_only_contacts_with_consent_in_force_and_only_that_channel(world: dict) -> None:
    marketer = make_user(Role.MARKETING)
    text = csv_text(export(marketer, world["campaign"]))
    lines = text.strip().splitlines()
    assert lines[0] == (
        "customer_code,customer_name,contact,title,channel,address,consent_recorded_at,"
        "consent_source"
    )
    assert len(lines) == 3
    # Full addresses for the people who send campaigns, with the consent's source.
    assert "mine@example.com" in text and "theirs@example.com" in text
    assert "trade fair form" in text
    # Withdrawn consent: not in the file at all.
    assert "withdrawn" not in text.lower()
    # Only the consented channel's address: no phone, no WeChat id.
    assert "13812345678" not in text and "138****5678" not in text and "wx_" not in text
    # Formula neutralised (EXP-1).
    assert "'=HYPERLINK" in text


def test_priv2_a_channel_nobody_agreed_to_gives_an_empty_list(world: dict) -> None:
    text = csv_text(export(make_user(Role.MARKETING), world["campaign"], channel="phone"))
    assert len(text.strip().splitlines()) == 1  # the header only


def test_exp2_out_of_scope_members_are_not_exported_and_addresses_are_masked(
    world: dict,
) -> None:
    """A rep (export function, own scope, no unmasking) gets their own members, masked."""
    text = csv_text(export(world["rep"], world["campaign"]))
    lines = text.strip().splitlines()
    assert len(lines) == 2
    assert "m***@example.com" in text and "mine@example.com" not in text
    assert "theirs" not in text and "Colleague" not in text


def test_exp2_the_export_is_audited(world: dict) -> None:
    marketer = make_user(Role.MARKETING)
    response = export(marketer, world["campaign"], "xlsx")
    assert response.status_code == 200
    event = AuditEvent.objects.get(kind="export")
    assert (event.actor_id, event.object_id) == (marketer.pk, world["campaign"].pk)
    assert event.detail["kind"] == "campaign_audience"
    assert event.detail["format"] == "xlsx" and "channel=email" in event.detail["filter"]
    assert "mine@example.com" not in str(event.detail)
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][5] == "address" and len(rows) == 3
    assert rows[1][1] == '\'=HYPERLINK("http://x")'
    assert {rows[1][5], rows[2][5]} == {"mine@example.com", "theirs@example.com"}
    # RFC 6266 (EXP-3): the Chinese campaign name survives in the file name.
    assert f"filename*=utf-8''{quote('春季新品')}-email.xlsx" in response["Content-Disposition"]


def test_exp2_a_role_without_the_export_function_gets_403_logged(world: dict) -> None:
    assistant = make_user(Role.KEY_ACCOUNT_ASSISTANT)
    assert export(assistant, world["campaign"]).status_code == 403
    assert AuditEvent.objects.filter(kind="access_denied", actor=assistant).exists()
    assert not AuditEvent.objects.filter(kind="export").exists()


def test_bad_channel_and_format_are_named_not_a_traceback(world: dict) -> None:
    marketer = make_user(Role.MARKETING)
    response = export(marketer, world["campaign"], channel="fax")
    assert response.status_code == 400 and b"channel: 'fax'" in response.content
    assert export(marketer, world["campaign"], "pdf").status_code == 400
    assert not AuditEvent.objects.filter(kind="export").exists()


def test_the_campaign_page_offers_the_export_to_roles_with_the_export_function(
    world: dict,
) -> None:
    url = reverse("marketing:campaign", args=[world["campaign"].pk])
    client = Client()
    client.force_login(make_user(Role.MARKETING))
    export_url = reverse("marketing:audience_export", args=[world["campaign"].pk, "csv"])
    assert export_url in client.get(url).content.decode()
    client.force_login(make_user(Role.KEY_ACCOUNT_ASSISTANT))
    assert export_url not in client.get(url).content.decode()
