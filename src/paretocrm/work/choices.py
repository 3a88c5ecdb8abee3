"""Choices of the work app: task signals and task states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskKind(models.TextChoices):
    """Why a task exists: the signal a scoring run detected, or a person's own task."""

    P_ALIVE_DROP = "p_alive_drop", _("probability alive fell")
    DECLINE = "decline", _("moved to decline stage")
    TIER_DOWNGRADE = "tier_downgrade", _("tier downgraded")
    OVERDUE_RECEIVABLE = "overdue_receivable", _("receivable overdue")
    COMPLAINT_PAST_SLA = "complaint_past_sla", _("complaint past SLA")
    CONTRACT_RENEWAL = "contract_renewal", _("contract up for renewal")
    DEPENDENCY = "dependency", _("dependency above threshold")
    POTENTIAL_READY = "potential_ready", _("potential customer ready to develop")
    PLAN_ACTION_OVERDUE = "plan_action_overdue", _("account plan action overdue")
    CASE_ESCALATED = "case_escalated", _("service case escalated (SLA breached)")
    HEALTH_LOW = "health_low", _("account health fell below the threshold")
    MANUAL = "manual", _("manual task")


#: Which sentence explains a raised task; its numbers and names are in ``reason_params``.
#: One code per signal of :class:`TaskKind` (a person's own task has none: blank), plus the
#: complaint a customer sends from the portal. The sentence is rendered in the reader's
#: language by :func:`paretocrm.work.reasons.render`.
ReasonCode = models.TextChoices(
    "ReasonCode",
    [
        *((kind.name, (kind.value, kind.label)) for kind in TaskKind if kind != TaskKind.MANUAL),
        ("PORTAL_COMPLAINT", ("portal_complaint", _("complaint from the customer portal"))),
    ],
)


class TaskStatus(models.TextChoices):
    """Life of a task: open until done; snoozed tasks come back on their date."""

    OPEN = "open", _("open")
    SNOOZED = "snoozed", _("snoozed")
    DONE = "done", _("done")


class CallOutcome(models.TextChoices):
    """What happened on a call."""

    REACHED = "reached", _("reached")
    NO_ANSWER = "no_answer", _("no answer")
    CALL_BACK = "call_back", _("call back later")
    REFUSED = "refused", _("refused")
    WRONG_NUMBER = "wrong_number", _("wrong number")


#: Statuses in which a task still stands for its signal (at most one per customer and kind).
ACTIVE_TASK_STATUSES: frozenset[str] = frozenset({TaskStatus.OPEN, TaskStatus.SNOOZED})
