"""Inbound e-mail to cases (off by default): file each message on the sender's customer.

The sender is matched by contact e-mail (case-insensitive, active contacts). A subject that
names one of that customer's open cases adds a reply; otherwise a new case is opened (a
complaint when the subject says so). Unknown or ambiguous senders wait in the triage queue.
Reading the same message twice does nothing (``Message-ID`` is unique).
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import imaplib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags

from paretocrm.audit.context import audit_context
from paretocrm.customers.choices import ChangeChannel
from paretocrm.customers.models import Contact
from paretocrm.portal.choices import InboundStatus, ReplyChannel
from paretocrm.portal.models import CaseAttachment, InboundMessage
from paretocrm.portal.services import add_reply, file_case
from paretocrm.portal.validators import check_upload
from paretocrm.service.choices import CaseStatus, CaseType

#: Words in a subject that make a new case a complaint (it then counts in churn warnings).
COMPLAINT_WORDS = ("complaint", "complain", "投诉", "投訴")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{2,63}")


class InboundError(Exception):
    """The mailbox or directory cannot be read (message names the source)."""


@dataclass
class InboundReport:
    """What one run did."""

    cases: int = 0
    replies: int = 0
    triage: int = 0
    skipped: int = 0
    refused_files: list[str] = field(default_factory=list)


def enabled() -> bool:
    """Inbound e-mail is an optional channel: on only with PARETOCRM_INBOUND_EMAIL=true."""
    return bool(getattr(settings, "PORTAL_INBOUND_EMAIL", False))


def read_directory(path: Path) -> Iterator[tuple[str, bytes]]:
    """(file name, raw bytes) of every ``*.eml`` file in ``path``, sorted by name."""
    if not path.is_dir():
        raise InboundError(f"{path}: not a directory of .eml files")
    for item in sorted(path.glob("*.eml")):
        yield item.name, item.read_bytes()


def read_imap(
    host: str, user: str, password: str, folder: str = "INBOX"
) -> Iterator[tuple[str, bytes]]:
    """Unseen messages of an IMAP mailbox over TLS; fetching marks them seen."""
    try:
        client = imaplib.IMAP4_SSL(host)
        client.login(user, password)
        client.select(folder)
        _status, data = client.search(None, "UNSEEN")
    except (OSError, imaplib.IMAP4.error) as error:
        raise InboundError(f"IMAP {host}: {error}") from error
    try:
        for number in (data[0] or b"").split():
            _status, parts = client.fetch(number, "(RFC822)")
            for part in parts:
                if isinstance(part, tuple):
                    yield f"imap:{number.decode()}", part[1]
    finally:
        client.logout()


def process(messages: Iterator[tuple[str, bytes]]) -> InboundReport:
    """File every message; one transaction per message so one bad e-mail stops nothing."""
    report = InboundReport()
    for source, raw in messages:
        with transaction.atomic(), audit_context(ChangeChannel.EMAIL):
            file_message(source, raw, report)
    return report


def file_message(source: str, raw: bytes, report: InboundReport) -> InboundMessage | None:
    """File one raw message (see the module docstring); ``None`` when it was read before."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    message_id = str(message.get("Message-ID") or "").strip()[:300]
    message_id = message_id or "sha256:" + hashlib.sha256(raw).hexdigest()
    if InboundMessage.objects.filter(message_id=message_id).exists():
        report.skipped += 1
        return None
    sender = parseaddr(str(message.get("From") or ""))[1].strip().lower()
    subject = str(message.get("Subject") or "").strip()[:200]
    body = _body_text(message)
    row = InboundMessage(
        message_id=message_id,
        sender=sender[:254],
        subject=subject,
        body=body,
        received_at=_date_of(message),
        status=InboundStatus.TRIAGE,
    )
    contacts = (
        list(
            Contact.objects.filter(email__iexact=sender, is_active=True).select_related("customer")
        )
        if sender
        else []
    )
    if len(contacts) != 1:  # unknown, or the address is shared by several customers
        row.save()
        report.triage += 1
        return row
    contact = contacts[0]
    row.customer = contact.customer
    case = _case_named_in(subject, contact)
    if case is not None:
        reply = add_reply(case, body or subject, contact=contact, channel=ReplyChannel.EMAIL)
        row.status, row.case = InboundStatus.REPLY, case
        report.replies += 1
    else:
        reply = None
        row.case = file_case(
            customer=contact.customer,
            contact=contact,
            case_type=_case_type(subject),
            subject=subject or body[:80] or "(no subject)",
            description=body,
        )
        row.status = InboundStatus.CASE
        report.cases += 1
    row.save()
    _attach(message, row.case, reply, source, report)
    return row


def _case_named_in(subject: str, contact: Contact) -> Any:
    """An open (or resolved) case of the contact's customer whose number is in the subject."""
    from paretocrm.service.models import Case

    tokens = set(_TOKEN.findall(subject))
    if not tokens:
        return None
    return (
        Case.objects.filter(customer=contact.customer, number__in=tokens)
        .exclude(status=CaseStatus.CLOSED)
        .first()
    )


def _case_type(subject: str) -> str:
    lowered = subject.casefold()
    return CaseType.COMPLAINT if any(w in lowered for w in COMPLAINT_WORDS) else CaseType.INQUIRY


def _body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        text = str(part.get_content())
    except (LookupError, UnicodeDecodeError):  # unknown charset: keep what decodes
        payload = part.get_payload(decode=True)
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if part.get_content_subtype() == "html":
        text = strip_tags(text)
    return text.strip()[:20000]


def _date_of(message: EmailMessage) -> Any:
    try:
        parsed = parsedate_to_datetime(str(message.get("Date")))
    except (TypeError, ValueError):
        return timezone.now()
    if parsed is None:
        return timezone.now()
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _attach(message: EmailMessage, case: Any, reply: Any, source: str, report: Any) -> None:
    """Store the attachments that pass the portal's checks; name the refused ones."""
    for part in message.iter_attachments():
        name = part.get_filename() or "attachment"
        payload = part.get_payload(decode=True) or b""
        upload = SimpleUploadedFile(name, payload)
        try:
            checked = check_upload(upload)
        except ValidationError as error:
            report.refused_files.append(f"{source}: {' '.join(error.messages)}")
            continue
        CaseAttachment.objects.create(
            case=case,
            reply=reply,
            file=checked.upload,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
        )
