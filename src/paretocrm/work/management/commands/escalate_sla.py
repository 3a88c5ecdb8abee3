"""`paretocrm escalate_sla`: escalate service cases past their SLA and task the managers."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from paretocrm.work.services import escalate_service_breaches


class Command(BaseCommand):
    help = (
        "Escalate open service cases past their first-response or resolution time to the "
        "manager, with a task for the manager (a periodic job for the worker)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = escalate_service_breaches()
        self.stdout.write(
            self.style.SUCCESS(
                f"Escalation tasks: {len(result.created)} created, {result.updated} updated, "
                f"{result.mails_sent} e-mail(s) sent."
            )
        )
