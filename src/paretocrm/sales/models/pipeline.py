"""The pipeline: opportunities with stage history, quotes and contracts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from paretocrm.core.bounds import validate_amount, validate_business_date, validate_quantity
from paretocrm.core.constraints import range_check
from paretocrm.core.models import AppendOnlyModel, VersionedModel
from paretocrm.core.money import currency_field, money_field, rate_field, unit_price_field
from paretocrm.sales.choices import ContractStatus, OpportunityStage, QuoteStatus, RenewalType
from paretocrm.sales.models.catalog import Product
from paretocrm.sales.querysets import (
    ContractQuerySet,
    OpportunityQuerySet,
    OpportunityStageChangeQuerySet,
    QuoteQuerySet,
)


class Opportunity(VersionedModel):
    """A potential sale to a customer or prospect, moving through pipeline stages."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    name = models.CharField(_("name"), max_length=200)
    stage = models.CharField(
        _("stage"),
        max_length=32,
        choices=OpportunityStage.choices,
        default=OpportunityStage.PROSPECTING,
    )
    amount = money_field(_("amount"), null=True, blank=True, validators=[validate_amount])
    currency = currency_field()
    probability = rate_field(_("probability (%)"), null=True, blank=True)
    expected_close = models.DateField(
        _("expected close"), null=True, blank=True, validators=[validate_business_date]
    )
    closed_on = models.DateField(
        _("closed on"), null=True, blank=True, validators=[validate_business_date]
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opportunities",
    )
    source = models.CharField(_("source"), max_length=100, blank=True)
    lost_reason = models.TextField(_("lost reason"), blank=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        ordering = ("expected_close", "id")
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = (
            models.Index(fields=("owner", "stage"), name="sales_opportunity_owner_idx"),
            models.Index(fields=("customer", "stage"), name="sales_opportunity_cust_idx"),
        )
        constraints = (
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="sales_opportunity_amount_not_negative",
                violation_error_message=_("An opportunity amount cannot be negative."),
            ),
            range_check(
                "probability",
                0,
                100,
                name="sales_opportunity_probability_0_to_100",
                message=_("A probability must be between 0 and 100 percent."),
            ),
        )

    def __str__(self) -> str:
        return self.name


class OpportunityStageChange(AppendOnlyModel):
    """Append-only history of an opportunity's stages (for pipeline velocity and win rates)."""

    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        on_delete=models.PROTECT,
        related_name="stage_changes",
    )
    from_stage = models.CharField(
        _("from stage"), max_length=32, choices=OpportunityStage.choices, blank=True
    )
    to_stage = models.CharField(_("to stage"), max_length=32, choices=OpportunityStage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    objects = OpportunityStageChangeQuerySet.as_manager()

    class Meta:
        ordering = ("opportunity", "changed_at", "id")
        verbose_name = _("opportunity stage change")
        verbose_name_plural = _("opportunity stage changes")

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_stage or '-'} -> {self.to_stage}"


class Quote(VersionedModel):
    """A priced offer to a customer, optionally for an opportunity."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="quotes",
    )
    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quotes",
    )
    number = models.CharField(_("number"), max_length=64)
    issued_on = models.DateField(_("issued on"), validators=[validate_business_date])
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, validators=[validate_business_date]
    )
    currency = currency_field()
    status = models.CharField(
        _("status"), max_length=16, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT
    )

    objects = QuoteQuerySet.as_manager()

    class Meta:
        ordering = ("-issued_on", "number")
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = (
            models.UniqueConstraint(
                fields=("number",),
                name="sales_quote_number_unique",
                violation_error_message=_("A quote with this number already exists."),
            ),
        )

    def __str__(self) -> str:
        return self.number


class QuoteLine(models.Model):
    """One product or service line of a quote."""

    quote = models.ForeignKey(
        Quote, verbose_name=_("quote"), on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quote_lines",
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=18, decimal_places=4, validators=[validate_quantity]
    )
    unit_price = unit_price_field(_("unit price"), validators=[validate_amount])
    discount = rate_field(_("discount (%)"), default=0)

    class Meta:
        ordering = ("quote", "id")
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        constraints = (
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="sales_quoteline_quantity_positive",
                violation_error_message=_("The quantity must be greater than zero."),
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0),
                name="sales_quoteline_unit_price_not_negative",
                violation_error_message=_("The unit price cannot be negative."),
            ),
            range_check(
                "discount",
                0,
                100,
                name="sales_quoteline_discount_0_to_100",
                message=_("The discount must be between 0 and 100 percent."),
                nullable=False,
            ),
        )

    def __str__(self) -> str:
        return self.description or str(self.product_id)


class Contract(VersionedModel):
    """A framework or supply contract with a customer, with its term and renewal."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    number = models.CharField(_("number"), max_length=64)
    title = models.CharField(_("title"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"), validators=[validate_business_date])
    end_date = models.DateField(
        _("end date"), null=True, blank=True, validators=[validate_business_date]
    )
    value = money_field(_("contract value"), null=True, blank=True, validators=[validate_amount])
    currency = currency_field()
    renewal_type = models.CharField(
        _("renewal"), max_length=16, choices=RenewalType.choices, default=RenewalType.MANUAL
    )
    renewal_term_months = models.PositiveSmallIntegerField(
        _("renewal term (months)"), null=True, blank=True
    )
    notice_period_days = models.PositiveSmallIntegerField(
        _("notice period (days)"), null=True, blank=True
    )
    renewed_from = models.ForeignKey(
        "self",
        verbose_name=_("renewal of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ("customer", "-start_date", "number")
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        indexes = (models.Index(fields=("end_date",), name="sales_contract_end_idx"),)
        constraints = (
            models.UniqueConstraint(
                fields=("number",),
                name="sales_contract_number_unique",
                violation_error_message=_("A contract with this number already exists."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="sales_contract_term_order",
                violation_error_message=_("A contract must end on or after its start."),
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0),
                name="sales_contract_value_not_negative",
                violation_error_message=_("A contract value cannot be negative."),
            ),
        )

    def __str__(self) -> str:
        return self.number

    @property
    def auto_renew(self) -> bool:
        """True when the contract renews automatically."""
        return self.renewal_type == RenewalType.AUTOMATIC
