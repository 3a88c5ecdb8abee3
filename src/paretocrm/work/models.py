"""Work queues: tasks raised by scoring runs (or people) and call lists for a call centre."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from paretocrm.core.bounds import validate_amount, validate_business_date
from paretocrm.core.models import TimeStampedModel, VersionedModel
from paretocrm.core.money import currency_field, money_field
from paretocrm.work.choices import (
    ACTIVE_TASK_STATUSES,
    CallOutcome,
    ReasonCode,
    TaskKind,
    TaskStatus,
)
from paretocrm.work.querysets import CallListEntryQuerySet, CallListQuerySet, TaskQuerySet


class Task(VersionedModel):
    """One thing to do for one customer, with the reason and a due date.

    Tasks raised by a scoring run carry the signal in ``kind``; while a task is open or
    snoozed it stands for its signal, so a later run updates it instead of adding a second
    one (the conditional unique constraint makes that a database rule).
    """

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
    )
    kind = models.CharField(_("signal"), max_length=32, choices=TaskKind.choices)
    # Raised tasks store a code and its parameters and are worded for each reader at display
    # time (work.reasons.render); ``reason`` is a person's own text (manual tasks) or, on rows
    # raised before the codes existed, the sentence as it was stored then.
    reason = models.TextField(_("reason"))
    reason_code = models.CharField(
        _("reason code"), max_length=32, choices=ReasonCode.choices, blank=True
    )
    reason_params = models.JSONField(_("reason parameters"), default=dict, blank=True)
    due_on = models.DateField(_("due on"), validators=[validate_business_date])
    status = models.CharField(
        _("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    snoozed_until = models.DateField(
        _("snoozed until"), null=True, blank=True, validators=[validate_business_date]
    )
    outcome = models.TextField(_("outcome"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_by_run = models.ForeignKey(
        "insights.ScoreRun",
        verbose_name=_("raised by scoring run"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
    )
    last_run = models.ForeignKey(
        "insights.ScoreRun",
        verbose_name=_("last confirmed by scoring run"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ("due_on", "id")
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = (models.Index(fields=("owner", "status", "due_on"), name="work_task_queue_idx"),)
        constraints = (
            models.UniqueConstraint(
                fields=("customer", "kind"),
                condition=Q(status__in=sorted(ACTIVE_TASK_STATUSES)) & ~Q(kind=TaskKind.MANUAL),
                name="work_task_one_open_per_signal",
                violation_error_message=_(
                    "This customer already has an open task for this signal."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status=TaskStatus.SNOOZED) | Q(snoozed_until__isnull=False),
                name="work_task_snooze_has_date",
                violation_error_message=_("A snoozed task needs the date it comes back."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=TaskStatus.values),
                name="work_task_status_valid",
                violation_error_message=_("Unknown task status."),
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.customer_id}"

    @property
    def reason_text(self) -> str:
        """The reason in the active language (see work.reasons)."""
        from paretocrm.work.reasons import render

        return render(self)


class CallList(TimeStampedModel):
    """A customer filter frozen into a list of people to call, assigned to someone."""

    name = models.CharField(_("name"), max_length=200)
    filter_params = models.JSONField(_("filter"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="call_lists",
    )

    objects = CallListQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("call list")
        verbose_name_plural = _("call lists")

    def __str__(self) -> str:
        return self.name


class CallListEntry(models.Model):
    """One customer on a call list, with the contact to call (phone consent respected)."""

    call_list = models.ForeignKey(
        CallList, verbose_name=_("call list"), on_delete=models.CASCADE, related_name="entries"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=CallOutcome.choices, blank=True)
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    interaction = models.ForeignKey(
        "customers.Interaction",
        verbose_name=_("interaction"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CallListEntryQuerySet.as_manager()

    class Meta:
        ordering = ("call_list", "id")
        verbose_name = _("call list entry")
        verbose_name_plural = _("call list entries")
        constraints = (
            models.UniqueConstraint(
                fields=("call_list", "customer"),
                name="work_calllist_customer_once",
                violation_error_message=_("A customer appears once on a call list."),
            ),
        )

    def __str__(self) -> str:
        return f"{self.call_list_id}: {self.customer_id}"


class ManagerTarget(VersionedModel):
    """A key-account manager's revenue target for a period (大客户经理目标).

    Scorecards compare the manager's key-account revenue with the targets that overlap the
    scorecard period, each counted pro rata to the days of overlap.
    """

    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        on_delete=models.PROTECT,
        related_name="targets",
    )
    period_start = models.DateField(_("period start"), validators=[validate_business_date])
    period_end = models.DateField(_("period end"), validators=[validate_business_date])
    revenue_target = money_field(_("key-account revenue target"), validators=[validate_amount])
    currency = currency_field()
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        ordering = ("manager", "period_start", "id")
        verbose_name = _("manager target")
        verbose_name_plural = _("manager targets")
        indexes = (
            models.Index(fields=("manager", "period_start"), name="work_target_manager_idx"),
        )
        constraints = (
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="work_managertarget_period_order",
                violation_error_message=_("The target period must end on or after its start."),
            ),
            models.CheckConstraint(
                condition=Q(revenue_target__gt=0),
                name="work_managertarget_positive",
                violation_error_message=_("A revenue target must be above zero."),
            ),
            models.UniqueConstraint(
                fields=("manager", "period_start", "period_end"),
                name="work_managertarget_unique_period",
                violation_error_message=_("This manager already has a target for this period."),
            ),
        )

    def __str__(self) -> str:
        return f"{self.manager_id} {self.period_start}–{self.period_end}"


class DigestDelivery(models.Model):
    """One person's daily digest for one day: claimed before the mail goes out.

    The unique (user, day) pair makes the digest once a day whatever happens: a restarted
    worker, two workers, or the job run by hand find the day taken and send nothing.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="digest_deliveries",
    )
    day = models.DateField(_("day"))
    sent_at = models.DateTimeField(_("sent at"))
    items = models.PositiveIntegerField(_("items listed"), default=0)

    class Meta:
        ordering = ("-day", "user")
        verbose_name = _("daily digest")
        verbose_name_plural = _("daily digests")
        constraints = (
            models.UniqueConstraint(
                fields=("user", "day"),
                name="work_digest_once_a_day",
                violation_error_message=_("This person's digest for this day was sent."),
            ),
        )

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"
