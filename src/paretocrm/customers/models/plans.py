"""Account plans for key accounts: the customer's strategy, our goals and the actions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from paretocrm.core.bounds import validate_amount, validate_business_date
from paretocrm.core.models import TimeStampedModel, VersionedModel
from paretocrm.core.money import money_field
from paretocrm.customers.choices import AccountPlanStatus, ActionStatus, GoalStatus
from paretocrm.customers.models.accounts import Customer
from paretocrm.customers.querysets import AccountPlanQuerySet


class AccountPlan(VersionedModel):
    """A key-account plan for one period: what the customer wants and what we will do."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="account_plans",
    )
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period start"), validators=[validate_business_date])
    period_end = models.DateField(_("period end"), validators=[validate_business_date])
    customer_strategy = models.TextField(_("customer's own strategy"), blank=True)
    customer_goals = models.TextField(_("customer's goals"), blank=True)
    our_objectives = models.TextField(_("our objectives"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AccountPlanStatus.choices,
        default=AccountPlanStatus.DRAFT,
    )
    review_date = models.DateField(
        _("review date"), null=True, blank=True, validators=[validate_business_date]
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="account_plans",
    )

    objects = AccountPlanQuerySet.as_manager()

    class Meta:
        ordering = ("customer", "-period_start", "id")
        verbose_name = _("account plan")
        verbose_name_plural = _("account plans")
        constraints = (
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="customers_accountplan_period_order",
                violation_error_message=_("The plan period must end on or after its start."),
            ),
        )

    def __str__(self) -> str:
        return self.title


class AccountPlanGoal(TimeStampedModel):
    """A measurable goal of an account plan (e.g. share of wallet 30 %)."""

    plan = models.ForeignKey(
        AccountPlan, verbose_name=_("account plan"), on_delete=models.CASCADE, related_name="goals"
    )
    description = models.CharField(_("description"), max_length=300)
    metric = models.CharField(_("metric"), max_length=100, blank=True)
    target_value = money_field(
        _("target value"), null=True, blank=True, validators=[validate_amount]
    )
    due_date = models.DateField(
        _("due date"), null=True, blank=True, validators=[validate_business_date]
    )
    status = models.CharField(
        _("status"), max_length=16, choices=GoalStatus.choices, default=GoalStatus.ON_TRACK
    )

    class Meta:
        ordering = ("plan", "due_date", "id")
        verbose_name = _("account plan goal")
        verbose_name_plural = _("account plan goals")

    def __str__(self) -> str:
        return self.description


class AccountPlanAction(TimeStampedModel):
    """A step someone owns, with a due date, towards an account plan's goals."""

    plan = models.ForeignKey(
        AccountPlan,
        verbose_name=_("account plan"),
        on_delete=models.CASCADE,
        related_name="actions",
    )
    goal = models.ForeignKey(
        AccountPlanGoal,
        verbose_name=_("goal"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
    )
    description = models.CharField(_("description"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="account_plan_actions",
    )
    due_date = models.DateField(
        _("due date"), null=True, blank=True, validators=[validate_business_date]
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ("plan", "due_date", "id")
        verbose_name = _("account plan action")
        verbose_name_plural = _("account plan actions")
        indexes = (models.Index(fields=("owner", "status"), name="customers_planaction_owner_idx"),)

    def __str__(self) -> str:
        return self.description
