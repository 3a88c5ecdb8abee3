"""Services of the service app: opening cases with SLA targets, responses, escalation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from paretocrm.service.choices import CaseStatus
from paretocrm.service.models import Case, SlaPolicy


def sla_policy_for(priority: str, tier: str = "") -> SlaPolicy | None:
    """The policy for a priority and tier, falling back to the tier-less default."""
    candidates = SlaPolicy.objects.filter(Q(tier=tier) | Q(tier=""), priority=priority)
    # The tier-specific row sorts before the blank default when ordered by tier descending.
    return candidates.order_by("-tier").first()


@transaction.atomic
def open_case(*, tier: str = "", **fields: Any) -> Case:
    """Create a case, copying the SLA targets of the matching policy onto it."""
    case = Case(**fields)
    policy = sla_policy_for(case.priority, tier)
    if policy is not None:
        case.sla_first_response_hours = policy.first_response_hours
        case.sla_resolution_hours = policy.resolution_hours
    case.full_clean()
    case.save()
    return case


@transaction.atomic
def record_first_response(case: Case, at: dt.datetime | None = None) -> Case:
    """Record the first response (only the first one counts) and move a new case on."""
    if case.first_response_at is None:
        case.first_response_at = at or timezone.now()
        if case.status == CaseStatus.NEW:
            case.status = CaseStatus.IN_PROGRESS
        case.save(update_fields=["first_response_at", "status"])
    return case


@transaction.atomic
def escalate_case(case: Case, to: Any, at: dt.datetime | None = None) -> Case:
    """Escalate a case to a colleague (e.g. the key-account manager), keeping the time."""
    case.escalated = True
    case.escalated_at = at or timezone.now()
    case.escalated_to = to
    case.save(update_fields=["escalated", "escalated_at", "escalated_to"])
    return case


@transaction.atomic
def resolve_case(case: Case, at: dt.datetime | None = None) -> Case:
    """Mark a case resolved at ``at`` (default now)."""
    case.resolved_at = at or timezone.now()
    case.status = CaseStatus.RESOLVED
    case.save(update_fields=["resolved_at", "status"])
    return case
