"""Querysets of the service app (scope of the customer)."""

from __future__ import annotations

import datetime as dt
from typing import Self

from django.db.models import F, Q

from paretocrm.core.models import AppendOnlyQuerySet
from paretocrm.customers.querysets import CustomerScopedQuerySet
from paretocrm.service.choices import OPEN_CASE_STATUSES, SlaState

#: (target hours field, time the target is met) of the two SLA clocks.
SLA_CLOCKS = (
    ("sla_first_response_hours", "first_response_at"),
    ("sla_resolution_hours", "resolved_at"),
)
#: A running clock with less than this share of its time left is "at risk".
AT_RISK_SHARE = 0.25


class CaseQuerySet(CustomerScopedQuerySet):
    """Service cases.

    The SLA filters compare ``opened_at + hours`` with ``now`` (or the time the target was
    met). The hours differ per case but take few distinct values, so each filter is one
    OR over those values with a plain date bound: the same SQL on SQLite and PostgreSQL,
    and it uses the ``opened_at`` index.
    """

    def open(self) -> Self:
        """Cases not yet resolved or closed."""
        return self.filter(status__in=OPEN_CASE_STATUSES)

    def _hours(self, field: str) -> list[int]:
        values = self.order_by().exclude(**{f"{field}__isnull": True}).values_list(field, flat=True)
        return sorted(set(values.distinct()))

    def _late(self, now: dt.datetime, share: float = 1.0) -> Q:
        """Some clock has used more than ``share`` of its time (1.0: breached)."""
        condition = Q(pk__in=[])
        for field, done in SLA_CLOCKS:
            for hours in self._hours(field):
                allowed = dt.timedelta(hours=hours)
                running = Q(**{f"{done}__isnull": True, "opened_at__lt": now - allowed * share})
                if share >= 1.0:
                    finished_late = Q(**{f"{done}__gt": F("opened_at") + allowed})
                    condition |= Q(**{field: hours}) & (running | finished_late)
                else:
                    condition |= Q(**{field: hours}) & running
        return condition

    def sla_breached(self, now: dt.datetime) -> Self:
        """Cases whose first response or resolution came, or is still missing, past its due time."""
        return self.filter(self._late(now))

    def with_sla_state(self, state: str, now: dt.datetime) -> Self:
        """Cases in one :class:`~paretocrm.service.choices.SlaState` at ``now``."""
        has_sla = Q(sla_first_response_hours__isnull=False) | Q(sla_resolution_hours__isnull=False)
        breached = self._late(now)
        if state == SlaState.BREACHED:
            return self.filter(breached)
        if state == SlaState.NONE:
            return self.exclude(has_sla)
        healthy = self.filter(has_sla).exclude(breached)
        if state == SlaState.MET:
            return healthy.exclude(status__in=OPEN_CASE_STATUSES)
        risky = self._late(now, 1.0 - AT_RISK_SHARE)
        if state == SlaState.AT_RISK:
            return healthy.open().filter(risky)
        if state == SlaState.ON_TRACK:
            return healthy.open().exclude(risky)
        raise ValueError(f"sla: {state!r} is not one of {', '.join(SlaState.values)}")


class CareRecordQuerySet(CustomerScopedQuerySet):
    """Customer-care records."""


class SurveyResponseQuerySet(CustomerScopedQuerySet):
    """Survey responses."""


class CaseEventQuerySet(AppendOnlyQuerySet, CustomerScopedQuerySet):
    """Case history: append-only, scope of the case's customer."""

    customer_path = "case__customer"


class SurveyInvitationQuerySet(CustomerScopedQuerySet):
    """Survey invitations (scope of the customer)."""
