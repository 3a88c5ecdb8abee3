"""`paretocrm send_surveys`: e-mail the satisfaction survey for recently resolved cases."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from paretocrm.service.services import send_due_surveys


class Command(BaseCommand):
    help = (
        "E-mail a satisfaction survey (with an answer link) for every case resolved in the "
        "last days that has none yet; contacts without e-mail consent are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--base-url",
            default="",
            help="address of the application for the link, e.g. https://crm.example.com",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.urls import reverse

        base = options["base_url"].rstrip("/")
        result = send_due_surveys(link=lambda token: base + reverse("service:survey", args=[token]))
        skipped = ", ".join(f"{n} {why}" for why, n in sorted(result.skipped.items())) or "none"
        self.stdout.write(
            self.style.SUCCESS(f"Surveys sent: {len(result.sent)}; skipped: {skipped}.")
        )
