"""Service: cases with SLA targets and escalation, customer care, satisfaction surveys."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from paretocrm.core.bounds import validate_amount, validate_business_date
from paretocrm.core.choices import CustomerTier
from paretocrm.core.models import AppendOnlyModel, TimeStampedModel, VersionedModel
from paretocrm.core.money import currency_field, money_field
from paretocrm.service.choices import (
    CareKind,
    CaseEventKind,
    CaseNoteCode,
    CasePriority,
    CaseStatus,
    CaseType,
    SurveyKind,
)
from paretocrm.service.querysets import (
    CareRecordQuerySet,
    CaseEventQuerySet,
    CaseQuerySet,
    SurveyInvitationQuerySet,
    SurveyResponseQuerySet,
)


class SlaPolicy(TimeStampedModel):
    """Response and resolution targets (hours) for a case priority and customer tier.

    ``tier`` blank is the default for customers without a tier; core customers usually get
    shorter targets (第一时间予以反馈). Defaults ship in migration 0006; a policy is archived
    (``active`` off), never deleted, so cases keep the targets they were opened with.
    """

    priority = models.CharField(_("priority"), max_length=16, choices=CasePriority.choices)
    tier = models.CharField(
        _("customer tier"), max_length=16, choices=CustomerTier.choices, blank=True
    )
    first_response_hours = models.PositiveIntegerField(_("first response within (hours)"))
    resolution_hours = models.PositiveIntegerField(_("resolution within (hours)"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ("priority", "tier")
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = (
            models.UniqueConstraint(
                fields=("priority", "tier"),
                condition=Q(active=True),
                name="service_slapolicy_priority_tier_unique",
                violation_error_message=_("There is already a policy for this priority and tier."),
            ),
            models.CheckConstraint(
                condition=Q(resolution_hours__gte=F("first_response_hours")),
                name="service_slapolicy_resolution_after_response",
                violation_error_message=_(
                    "The resolution target cannot be shorter than the first-response target."
                ),
            ),
        )

    def __str__(self) -> str:
        return f"{self.priority}/{self.tier or '*'}"


class Case(VersionedModel):
    """A service case: an inquiry, complaint, return, exchange or repair request.

    The SLA targets are copied from the matching :class:`SlaPolicy` when the case is opened
    (``service.services.open_case``) so that later policy changes do not move old deadlines.
    Returns and exchanges reference the order they concern.
    """

    #: Text about people: masked for roles without view-unmasked, never searched by them.
    personal_data_fields: ClassVar[tuple[str, ...]] = ("subject", "description")

    number = models.CharField(_("case number"), max_length=64)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    case_type = models.CharField(_("type"), max_length=16, choices=CaseType.choices)
    priority = models.CharField(
        _("priority"), max_length=16, choices=CasePriority.choices, default=CasePriority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.NEW
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.ForeignKey(
        "sales.Order",
        verbose_name=_("order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    opened_at = models.DateTimeField(
        _("opened at"), default=timezone.now, validators=[validate_business_date]
    )
    sla_first_response_hours = models.PositiveIntegerField(
        _("first-response target (hours)"), null=True, blank=True
    )
    sla_resolution_hours = models.PositiveIntegerField(
        _("resolution target (hours)"), null=True, blank=True
    )
    first_response_at = models.DateTimeField(
        _("first response at"), null=True, blank=True, validators=[validate_business_date]
    )
    resolved_at = models.DateTimeField(
        _("resolved at"), null=True, blank=True, validators=[validate_business_date]
    )
    closed_at = models.DateTimeField(
        _("closed at"), null=True, blank=True, validators=[validate_business_date]
    )
    escalated = models.BooleanField(_("escalated"), default=False)
    escalated_at = models.DateTimeField(
        _("escalated at"), null=True, blank=True, validators=[validate_business_date]
    )
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("escalated to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalated_cases",
    )
    articles = models.ManyToManyField(
        "knowledge.Article", verbose_name=_("knowledge articles"), blank=True, related_name="cases"
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ("-opened_at", "number")
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = (
            models.Index(fields=("customer", "opened_at"), name="service_case_cust_date_idx"),
            models.Index(fields=("assigned_to", "status"), name="service_case_assignee_idx"),
            models.Index(fields=("status", "priority"), name="service_case_status_idx"),
        )
        constraints = (
            models.UniqueConstraint(
                fields=("number",),
                name="service_case_number_unique",
                violation_error_message=_("A case with this number already exists."),
            ),
            models.CheckConstraint(
                condition=Q(first_response_at__isnull=True)
                | Q(first_response_at__gte=F("opened_at")),
                name="service_case_response_after_opening",
                violation_error_message=_("The first response cannot precede the opening."),
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=F("opened_at")),
                name="service_case_resolution_after_opening",
                violation_error_message=_("A case cannot be resolved before it was opened."),
            ),
            models.CheckConstraint(
                condition=Q(escalated=False) | Q(escalated_at__isnull=False),
                name="service_case_escalation_has_time",
                violation_error_message=_("An escalated case needs the time of escalation."),
            ),
        )

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def first_response_due(self) -> dt.datetime | None:
        """When the first response is due, or ``None`` without an SLA target."""
        if self.sla_first_response_hours is None:
            return None
        return self.opened_at + dt.timedelta(hours=self.sla_first_response_hours)

    @property
    def resolution_due(self) -> dt.datetime | None:
        """When the resolution is due, or ``None`` without an SLA target."""
        if self.sla_resolution_hours is None:
            return None
        return self.opened_at + dt.timedelta(hours=self.sla_resolution_hours)

    def first_response_breached(self, now: dt.datetime | None = None) -> bool:
        """True if the first response came (or is still missing) after its due time."""
        return _breached(self.first_response_due, self.first_response_at, now)

    def resolution_breached(self, now: dt.datetime | None = None) -> bool:
        """True if the resolution came (or is still missing) after its due time."""
        return _breached(self.resolution_due, self.resolved_at, now)


def _breached(due: dt.datetime | None, done: dt.datetime | None, now: dt.datetime | None) -> bool:
    if due is None:
        return False
    return (done or now or timezone.now()) > due


class CareRecord(TimeStampedModel):
    """A customer-care touch (客户关怀): a visit, greeting, gift or follow-up, with its cost."""

    #: Text about people: masked for roles without view-unmasked, never searched by them.
    personal_data_fields: ClassVar[tuple[str, ...]] = ("notes",)

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="care_records",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_records",
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_records",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CareKind.choices)
    occurred_at = models.DateTimeField(
        _("occurred at"), default=timezone.now, validators=[validate_business_date]
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_records",
    )
    notes = models.TextField(_("notes"), blank=True)
    cost = money_field(_("cost"), null=True, blank=True, validators=[validate_amount])
    currency = currency_field()

    objects = CareRecordQuerySet.as_manager()

    class Meta:
        ordering = ("-occurred_at", "-id")
        verbose_name = _("care record")
        verbose_name_plural = _("care records")
        indexes = (
            models.Index(fields=("customer", "occurred_at"), name="service_care_cust_date_idx"),
        )
        constraints = (
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gte=0),
                name="service_carerecord_cost_not_negative",
                violation_error_message=_("A cost cannot be negative."),
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"


class SurveyResponse(TimeStampedModel):
    """A satisfaction answer: CSAT on 1-5 or NPS on 0-10, optionally about a case."""

    #: Text about people: masked for roles without view-unmasked, never searched by them.
    personal_data_fields: ClassVar[tuple[str, ...]] = ("comment",)

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="survey_responses",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="survey_responses",
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="survey_responses",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=SurveyKind.choices)
    score = models.PositiveSmallIntegerField(_("score"))
    answered_at = models.DateTimeField(
        _("answered at"), default=timezone.now, validators=[validate_business_date]
    )
    comment = models.TextField(_("comment"), blank=True)

    objects = SurveyResponseQuerySet.as_manager()

    class Meta:
        ordering = ("-answered_at", "-id")
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = (
            models.Index(fields=("customer", "answered_at"), name="service_survey_cust_date_idx"),
        )
        constraints = (
            models.CheckConstraint(
                condition=(Q(kind=SurveyKind.CSAT) & Q(score__gte=1) & Q(score__lte=5))
                | (Q(kind=SurveyKind.NPS) & Q(score__gte=0) & Q(score__lte=10)),
                name="service_surveyresponse_score_in_scale",
                violation_error_message=_("CSAT scores are 1-5 and NPS scores are 0-10."),
            ),
        )

    def __str__(self) -> str:
        return f"{self.kind} {self.score}"


class CaseEvent(AppendOnlyModel):
    """One step in a case's life (opened, status change, escalation, survey): append-only."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=16, choices=CaseEventKind.choices)
    from_status = models.CharField(
        _("from status"), max_length=16, choices=CaseStatus.choices, blank=True
    )
    to_status = models.CharField(
        _("to status"), max_length=16, choices=CaseStatus.choices, blank=True
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # A person's note as typed; notes the system writes are a code with parameters, worded
    # for each reader at display time (service.events.render_note).
    note = models.TextField(_("note"), blank=True)
    note_code = models.CharField(
        _("note code"), max_length=16, choices=CaseNoteCode.choices, blank=True
    )
    note_params = models.JSONField(_("note parameters"), default=dict, blank=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        ordering = ("case", "at", "id")
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = (models.Index(fields=("case", "at"), name="service_caseevent_case_at_idx"),)

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.to_status}"

    @property
    def note_text(self) -> str:
        """The note in the active language (see service.events)."""
        from paretocrm.service.events import render_note

        return render_note(self)


class SurveyInvitation(TimeStampedModel):
    """A satisfaction survey sent after a case was resolved: one per case, answered by link.

    The ``token`` is the only key of the answer page (the customer does not sign in), so it
    is long, random and unique; the answer becomes a :class:`SurveyResponse`.
    """

    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="survey_invitation"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="survey_invitations",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        related_name="survey_invitations",
    )
    email = models.EmailField(_("sent to"))
    token = models.CharField(_("token"), max_length=64)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    response = models.OneToOneField(
        SurveyResponse,
        verbose_name=_("response"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitation",
    )

    objects = SurveyInvitationQuerySet.as_manager()

    class Meta:
        ordering = ("-sent_at", "-id")
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = (
            models.UniqueConstraint(
                fields=("token",),
                name="service_surveyinvitation_token_unique",
                violation_error_message=_("This survey link already exists."),
            ),
        )

    def __str__(self) -> str:
        return f"{self.case_id} -> {self.email}"
