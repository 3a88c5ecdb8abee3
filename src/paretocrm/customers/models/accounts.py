"""Customer accounts: tags, country notes, the customer, its account team and owner history."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from paretocrm.core.bounds import validate_amount
from paretocrm.core.constraints import range_check
from paretocrm.core.models import AppendOnlyModel, TimeStampedModel, VersionedModel
from paretocrm.core.money import currency_field, money_field
from paretocrm.core.validators import validate_country_code
from paretocrm.customers.choices import (
    AccountTeamRole,
    ChangeChannel,
    CooperationLevel,
    CreditRating,
    CustomerScale,
    CustomerScope,
    CustomerStatus,
    Incoterm,
    SalesChannel,
)
from paretocrm.customers.querysets import (
    AccountTeamMemberQuerySet,
    CustomerQuerySet,
    OwnershipChangeQuerySet,
)


class Tag(models.Model):
    """A free label on customers (e.g. "export", "fruit", "at risk")."""

    name = models.CharField(_("name"), max_length=50)

    class Meta:
        ordering = ("name",)
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = (
            models.UniqueConstraint(
                fields=("name",),
                name="customers_tag_name_unique",
                violation_error_message=_("A tag with this name already exists."),
            ),
        )

    def __str__(self) -> str:
        return self.name


class CountryNote(TimeStampedModel):
    """What an exporter should know about selling into a country."""

    country = models.CharField(_("country"), max_length=2, validators=[validate_country_code])
    culture = models.TextField(_("business culture"), blank=True)
    regulations = models.TextField(_("regulations"), blank=True)
    trade_terms = models.CharField(
        _("usual trade terms"), max_length=3, choices=Incoterm.choices, blank=True
    )
    currency = currency_field()
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ("country",)
        verbose_name = _("country note")
        verbose_name_plural = _("country notes")
        constraints = (
            models.UniqueConstraint(
                fields=("country",),
                name="customers_countrynote_country_unique",
                violation_error_message=_("There is already a note for this country."),
            ),
        )

    def __str__(self) -> str:
        return self.country


class Customer(VersionedModel):
    """A customer company (account): the centre of the shared customer database.

    ``code`` is the external id (ERP customer number) that imports upsert on. Customers are
    archived (``status``), never deleted: orders, invoices, payments, cases and history
    point at them with ``PROTECT``.
    """

    #: Text about people: masked for roles without view-unmasked, never searched by them.
    personal_data_fields: ClassVar[tuple[str, ...]] = ("notes",)

    code = models.CharField(_("customer code"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    country = models.CharField(
        _("country"), max_length=2, validators=[validate_country_code], blank=True
    )
    scale = models.CharField(_("scale"), max_length=16, choices=CustomerScale.choices, blank=True)
    scope = models.CharField(_("scope"), max_length=16, choices=CustomerScope.choices, blank=True)
    cooperation_level = models.CharField(
        _("cooperation level"), max_length=32, choices=CooperationLevel.choices, blank=True
    )
    credit_rating = models.CharField(
        _("credit rating"), max_length=3, choices=CreditRating.choices, blank=True
    )
    credit_score = models.PositiveSmallIntegerField(
        _("credit score (0-100)"), null=True, blank=True
    )
    credit_limit = money_field(
        _("credit limit"), null=True, blank=True, validators=[validate_amount]
    )
    channel = models.CharField(
        _("channel"), max_length=16, choices=SalesChannel.choices, default=SalesChannel.DIRECT
    )
    industry_influence = models.PositiveSmallIntegerField(
        _("industry influence (1-5)"), null=True, blank=True
    )
    cooperation_intent = models.PositiveSmallIntegerField(
        _("cooperation intent (1-5)"), null=True, blank=True
    )
    price_sensitivity = models.PositiveSmallIntegerField(
        _("price sensitivity (1-5)"), null=True, blank=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent company"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subsidiaries",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="customers")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_customers",
    )
    team = models.ForeignKey(
        "users.Team",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
    )
    account_team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="AccountTeamMember",
        verbose_name=_("account team"),
        blank=True,
        related_name="account_customers",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE
    )
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    #: Set when this record was merged into another (``customers.merging``): it stays,
    #: archived, so its history remains readable and points at the record that lives on.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_from",
    )
    currency = currency_field()
    website = models.CharField(_("website"), max_length=200, blank=True)
    address = models.TextField(_("address"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ("name", "code")
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = (
            # The list's default order: PostgreSQL walks this index and stops after the
            # page instead of sorting every visible customer (B7).
            models.Index(fields=("name", "code"), name="customers_customer_name_idx"),
            models.Index(fields=("owner", "status"), name="customers_customer_owner_idx"),
            models.Index(fields=("team",), name="customers_customer_team_idx"),
            models.Index(fields=("country", "region"), name="customers_customer_geo_idx"),
        )
        constraints = (
            models.UniqueConstraint(
                fields=("code",),
                name="customers_customer_code_unique",
                violation_error_message=_("A customer with this code already exists."),
            ),
            models.CheckConstraint(
                condition=Q(credit_limit__isnull=True) | Q(credit_limit__gte=0),
                name="customers_customer_credit_limit_not_negative",
                violation_error_message=_("The credit limit cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(credit_score__isnull=True) | Q(credit_score__lte=100),
                name="customers_customer_credit_score_0_to_100",
                violation_error_message=_("The credit score must be between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")),
                name="customers_customer_not_own_parent",
                violation_error_message=_("A customer cannot be its own parent company."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=CustomerStatus.values),
                name="customers_customer_status_valid",
                violation_error_message=_("Unknown customer status."),
            ),
            range_check(
                "industry_influence",
                1,
                5,
                name="customers_customer_industry_influence_1_to_5",
                message=_("Industry influence must be between 1 and 5."),
            ),
            range_check(
                "cooperation_intent",
                1,
                5,
                name="customers_customer_cooperation_intent_1_to_5",
                message=_("Cooperation intent must be between 1 and 5."),
            ),
            range_check(
                "price_sensitivity",
                1,
                5,
                name="customers_customer_price_sensitivity_1_to_5",
                message=_("Price sensitivity must be between 1 and 5."),
            ),
        )

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_archived(self) -> bool:
        """True when the customer has been archived."""
        return self.status == CustomerStatus.ARCHIVED


class AccountTeamMember(TimeStampedModel):
    """A colleague who shares a customer account, with their role in the account team."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="account_team_members",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="account_memberships",
    )
    role = models.CharField(
        _("role"), max_length=32, choices=AccountTeamRole.choices, default=AccountTeamRole.SALES
    )

    objects = AccountTeamMemberQuerySet.as_manager()

    class Meta:
        ordering = ("customer", "role", "user")
        verbose_name = _("account team member")
        verbose_name_plural = _("account team members")
        constraints = (
            models.UniqueConstraint(
                fields=("customer", "user"),
                name="customers_accountteammember_unique",
                violation_error_message=_("This user is already in the account team."),
            ),
        )

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.user_id} ({self.role})"


class OwnershipChange(AppendOnlyModel):
    """Append-only history of a customer's owner: who, from whom, to whom, by whom, why."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="ownership_changes",
    )
    old_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("old owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    new_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("new owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    channel = models.CharField(
        _("channel"), max_length=16, choices=ChangeChannel.choices, default=ChangeChannel.WEB
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    objects = OwnershipChangeQuerySet.as_manager()

    class Meta:
        ordering = ("customer", "changed_at", "id")
        verbose_name = _("ownership change")
        verbose_name_plural = _("ownership changes")
        indexes = (
            models.Index(fields=("customer", "changed_at"), name="customers_ownchange_cust_idx"),
        )

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.old_owner_id} -> {self.new_owner_id}"
