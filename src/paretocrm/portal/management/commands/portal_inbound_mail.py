"""``paretocrm portal_inbound_mail``: file inbound e-mail as cases or replies (issue 8)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from paretocrm.portal import inbound


class Command(BaseCommand):
    help = (
        "Read a mailbox (IMAP, settings PARETOCRM_INBOUND_IMAP_*) or a directory of .eml "
        "files and file each message as a case or a reply on the sender's customer; unknown "
        "senders go to the triage queue. Off unless PARETOCRM_INBOUND_EMAIL=true."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--dir", type=Path, help="directory of .eml files")
        source.add_argument("--imap", action="store_true", help="read the configured mailbox")

    def handle(self, *args: Any, **options: Any) -> None:
        if not inbound.enabled():
            raise CommandError(
                "Inbound e-mail is off. Set PARETOCRM_INBOUND_EMAIL=true to file e-mail as cases."
            )
        try:
            if options["dir"] is not None:
                messages = inbound.read_directory(options["dir"])
            else:
                messages = inbound.read_imap(*_imap_settings())
            report = inbound.process(messages)
        except inbound.InboundError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{report.cases} new case(s), {report.replies} reply(ies), "
            f"{report.triage} to triage, {report.skipped} already read."
        )
        for refused in report.refused_files:
            self.stderr.write(f"attachment refused: {refused}")


def _imap_settings() -> tuple[str, str, str, str]:
    host = getattr(settings, "PORTAL_INBOUND_IMAP_HOST", "")
    if not host:
        raise CommandError("--imap needs PARETOCRM_INBOUND_IMAP_HOST (and _USER, _PASSWORD).")
    return (
        host,
        getattr(settings, "PORTAL_INBOUND_IMAP_USER", ""),
        getattr(settings, "PORTAL_INBOUND_IMAP_PASSWORD", ""),
        getattr(settings, "PORTAL_INBOUND_IMAP_FOLDER", "INBOX"),
    )
