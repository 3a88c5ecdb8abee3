"""Inbound e-mail (a directory of .eml files): cases, replies, triage, idempotence."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from paretocrm.customers.tests.factories import make_contact, make_customer, make_user
from paretocrm.portal.models import CaseAttachment, CaseReply, InboundMessage
from paretocrm.portal.tests.factories import PDF
from paretocrm.service.models import Case
from paretocrm.users.choices import Role
from paretocrm.work.models import Task

pytestmark = pytest.mark.django_db


def _eml(folder: Path, name: str, sender: str, subject: str, body: str, **kw) -> None:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "service@example.com"
    message["Subject"] = subject
    message["Message-ID"] = f"<{name}@mail.example.com>"
    message["Date"] = "Sat, 28 Nov 2026 09:30:00 +0800"
    message.set_content(body)
    for filename, data, subtype in kw.get("files", []):
        message.add_attachment(data, maintype="application", subtype=subtype, filename=filename)
    (folder / f"{name}.eml").write_bytes(bytes(message))


@pytest.fixture
def world(settings, tmp_path) -> dict:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PORTAL_INBOUND_EMAIL = True
    kam = make_user(Role.KEY_ACCOUNT_MANAGER)
    customer = make_customer(owner=kam, name="Mine")
    contact = make_contact(customer, name="Zhang", email="zhang@buyer.example.com")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    return {"kam": kam, "customer": customer, "contact": contact, "inbox": inbox}


def test_known_senders_get_cases_and_replies_unknown_go_to_triage(world, capsys):
    inbox = world["inbox"]
    _eml(
        inbox,
        "a1",
        "Zhang <ZHANG@buyer.example.com>",
        "投诉：包装破损",
        "Three boxes arrived broken.",
        files=[("photo.pdf", PDF, "pdf"), ("virus.exe", b"MZ\x90", "octet-stream")],
    )
    _eml(inbox, "a2", "stranger@else.example.com", "Price list?", "Please send prices.")
    call_command("portal_inbound_mail", "--dir", str(inbox))
    case = Case.objects.get()
    assert (case.customer, case.contact, case.case_type) == (
        world["customer"],
        world["contact"],
        "complaint",
    )
    assert case.subject == "投诉：包装破损" and "broken" in case.description
    assert list(CaseAttachment.objects.values_list("original_name", flat=True)) == ["photo.pdf"]
    assert "virus.exe" in capsys.readouterr().err
    assert Task.objects.get().owner == world["kam"]
    triage = InboundMessage.objects.get(status="triage")
    assert triage.sender == "stranger@else.example.com" and triage.customer is None

    _eml(inbox, "a3", "zhang@buyer.example.com", f"Re: {case.number} 包装破损", "Any news?")
    call_command("portal_inbound_mail", "--dir", str(inbox))
    reply = CaseReply.objects.get()
    assert (reply.case, reply.channel, reply.contact) == (case, "email", world["contact"])
    assert Case.objects.count() == 1  # a1 and a2 were not filed twice
    assert InboundMessage.objects.count() == 3
    assert "2 already read" in capsys.readouterr().out


def test_a_sender_shared_by_two_customers_goes_to_triage(world):
    make_contact(make_customer(), email="zhang@buyer.example.com")
    _eml(world["inbox"], "b1", "zhang@buyer.example.com", "Hello", "Hi")
    call_command("portal_inbound_mail", "--dir", str(world["inbox"]))
    assert not Case.objects.exists()
    assert InboundMessage.objects.get().status == "triage"


def test_the_channel_is_off_by_default_and_a_bad_directory_is_named(world, settings):
    settings.PORTAL_INBOUND_EMAIL = False
    with pytest.raises(CommandError, match="off"):
        call_command("portal_inbound_mail", "--dir", str(world["inbox"]))
    settings.PORTAL_INBOUND_EMAIL = True
    with pytest.raises(CommandError, match="nowhere: not a directory"):
        call_command("portal_inbound_mail", "--dir", "nowhere")


def test_triage_page_lists_and_dismisses_for_administrators(world, client):
    _eml(world["inbox"], "c1", "stranger@else.example.com", "Who are you?", "?")
    call_command("portal_inbound_mail", "--dir", str(world["inbox"]))
    admin = make_user(Role.ADMINISTRATOR)
    client.force_login(admin)
    page = client.get("/portal-access/triage/")
    assert "stranger@else.example.com" in page.content.decode()
    message = InboundMessage.objects.get()
    client.force_login(world["kam"])  # not in a KAM's scope: no customer yet
    assert client.post("/portal-access/triage/", {"pk": message.pk}).status_code == 404
    client.force_login(admin)
    assert client.post("/portal-access/triage/", {"pk": message.pk}).status_code == 302
    message.refresh_from_db()
    assert message.status == "dismissed"
