"""Choices of the service app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseType(models.TextChoices):
    """What the customer wants."""

    INQUIRY = "inquiry", _("inquiry")
    COMPLAINT = "complaint", _("complaint")
    RETURN = "return", _("return")
    EXCHANGE = "exchange", _("exchange")
    REPAIR = "repair", _("repair")


class CasePriority(models.TextChoices):
    """How urgent a case is."""

    LOW = "low", _("low")
    NORMAL = "normal", _("normal")
    HIGH = "high", _("high")
    URGENT = "urgent", _("urgent")


class CaseStatus(models.TextChoices):
    """Life of a case."""

    NEW = "new", _("new")
    IN_PROGRESS = "in_progress", _("in progress")
    WAITING = "waiting", _("waiting for customer")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")


OPEN_CASE_STATUSES: frozenset[str] = frozenset(
    {CaseStatus.NEW, CaseStatus.IN_PROGRESS, CaseStatus.WAITING}
)


class CareKind(models.TextChoices):
    """Kinds of customer-care record (客户关怀记录)."""

    VISIT = "visit", _("visit")
    GREETING = "greeting", _("greeting")
    GIFT = "gift", _("gift")
    FOLLOW_UP = "follow_up", _("follow-up")


class SurveyKind(models.TextChoices):
    """Satisfaction measure: CSAT (1-5) or NPS (0-10)."""

    CSAT = "csat", _("CSAT (1-5)")
    NPS = "nps", _("NPS (0-10)")


#: Allowed moves of the case workflow (new -> in progress -> waiting -> resolved -> closed).
#: A resolved case may be reopened (back to in progress); a closed case is final.
CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.NEW: frozenset({CaseStatus.IN_PROGRESS, CaseStatus.WAITING, CaseStatus.RESOLVED}),
    CaseStatus.IN_PROGRESS: frozenset({CaseStatus.WAITING, CaseStatus.RESOLVED}),
    CaseStatus.WAITING: frozenset({CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED}),
    CaseStatus.RESOLVED: frozenset({CaseStatus.CLOSED, CaseStatus.IN_PROGRESS}),
    CaseStatus.CLOSED: frozenset(),
}


class CaseEventKind(models.TextChoices):
    """What happened to a case (the append-only case history)."""

    OPENED = "opened", _("opened")
    STATUS = "status", _("status changed")
    ESCALATED = "escalated", _("escalated")
    ASSIGNED = "assigned", _("assigned")
    SURVEY_SENT = "survey_sent", _("survey sent")
    SURVEY_ANSWERED = "survey_answered", _("survey answered")


class CaseNoteCode(models.TextChoices):
    """A note the system writes on a case event; worded per reader by service.events."""

    ASSIGNED = "assigned", _("assigned to a colleague")
    SLA_BREACHED = "sla_breached", _("SLA breached")


class SlaState(models.TextChoices):
    """Where a case stands against its SLA targets (the case list filter)."""

    BREACHED = "breached", _("breached")
    AT_RISK = "at_risk", _("at risk")
    ON_TRACK = "on_track", _("on track")
    MET = "met", _("met")
    NONE = "none", _("no SLA")
