"""Everything the customer 360 page shows, gathered with a bounded number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from paretocrm.customers.masking import contact_details
from paretocrm.customers.models import AccountPlan, Customer
from paretocrm.insights.choices import RunStatus
from paretocrm.insights.labels import (
    CRITERION_LABELS,
    PROFITABILITY_LABELS,
    churn_reasons,
    label,
)
from paretocrm.insights.models import CustomerScore

TIMELINE_PER_KIND = 15
TIMELINE_LENGTH = 40


@dataclass(frozen=True)
class TimelineEntry:
    """One dated event on a customer's timeline."""

    when: dt.datetime | dt.date
    kind: str
    text: str
    detail: str = ""

    @property
    def sort_key(self) -> dt.datetime:
        """Dates count as the start of their day, so both kinds sort together."""
        if isinstance(self.when, dt.datetime):
            return self.when
        return timezone.make_aware(dt.datetime.combine(self.when, dt.time.min))


def _timeline(customer: Customer) -> list[TimelineEntry]:
    """Orders, invoices, payments, cases, interactions and care records, latest first."""
    n = TIMELINE_PER_KIND
    entries = [
        TimelineEntry(o.ordered_at, _("order"), o.number, f"{o.revenue:,.2f} {o.currency}")
        for o in customer.orders.with_totals().order_by("-ordered_at")[:n]
    ]
    entries += [
        TimelineEntry(i.issued_on, _("invoice"), i.number, f"{i.amount:,.2f} {i.currency}")
        for i in customer.invoices.order_by("-issued_on")[:n]
    ]
    entries += [
        TimelineEntry(p.received_on, _("payment"), p.number, f"{p.amount:,.2f} {p.currency}")
        for p in customer.payments.order_by("-received_on")[:n]
    ]
    entries += [
        TimelineEntry(c.opened_at, _("case"), f"{c.number} {c.subject}", c.get_status_display())
        for c in customer.cases.order_by("-opened_at")[:n]
    ]
    entries += [
        TimelineEntry(i.occurred_at, i.get_kind_display(), i.subject, i.notes[:120])
        for i in customer.interactions.order_by("-occurred_at")[:n]
    ]
    entries += [
        TimelineEntry(r.occurred_at, _("care"), r.get_kind_display(), r.notes[:120])
        for r in customer.care_records.order_by("-occurred_at")[:n]
    ]
    entries += _customer_channel_entries(customer)
    entries.sort(key=lambda entry: entry.sort_key, reverse=True)
    return entries[:TIMELINE_LENGTH]


def _customer_channel_entries(customer: Customer) -> list[TimelineEntry]:
    """What the customer sent through the portal or by e-mail: case messages, survey answers."""
    from paretocrm.portal.models import CaseReply  # the portal app builds on this one

    n = TIMELINE_PER_KIND
    replies = CaseReply.objects.filter(case__customer=customer).exclude(channel="staff")
    entries = [
        TimelineEntry(r.created_at, _("customer message"), r.case.number, r.body[:120])
        for r in replies.select_related("case").order_by("-created_at")[:n]
    ]
    entries += [
        TimelineEntry(s.answered_at, _("survey"), f"{s.get_kind_display()}: {s.score}", s.comment)
        for s in customer.survey_responses.order_by("-answered_at")[:n]
    ]
    return entries


def _value_panel(customer: Customer) -> dict[str, Any]:
    """The current score explained, plus the tier history across runs."""
    history = list(
        CustomerScore.objects.filter(customer=customer, run__status=RunStatus.SUCCEEDED)
        .select_related("run")
        .order_by("run__finished_at", "run_id")
    )
    score = history[-1] if history else None
    if score is None:
        return {"score": None, "history": []}
    contributions = sorted(score.rating_breakdown.items(), key=lambda item: item[1], reverse=True)
    return {
        "score": score,
        "history": history,
        "contributions": [(label(CRITERION_LABELS, k), v) for k, v in contributions],
        "contribution_chart": {
            "labels": [label(CRITERION_LABELS, k) for k, _v in contributions],
            "values": [v for _k, v in contributions],
        },
        "churn_reason_labels": churn_reasons(score.churn_reasons),
        "profitability_label": label(PROFITABILITY_LABELS, score.profitability_class),
        "lifecycle_explanation": score.lifecycle_explanation(get_language() or ""),
        "health_explanation": score.health_explanation(),
        "tier_explanation": score.tier_explanation(get_language() or ""),
    }


def customer_360(customer: Customer, user: Any) -> dict[str, Any]:
    """Context of the customer 360 page for ``user`` (contact details masked by role)."""
    contacts = list(customer.contacts.filter(is_active=True).order_by("-influence", "name"))
    for contact in contacts:
        contact.visible = contact_details(contact, user)
    plan = (
        AccountPlan.objects.filter(customer=customer)
        .select_related("owner")
        .prefetch_related("goals", "actions__owner")
        .order_by("-period_start", "-id")
        .first()
    )
    team = customer.account_team_members.select_related("user").order_by(
        "role", "user__last_name", "user__first_name", "id"
    )
    return {
        "contacts": contacts,
        "account_team": list(team),
        "timeline": _timeline(customer),
        "plan": plan,
        **_value_panel(customer),
    }
