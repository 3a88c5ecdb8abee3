"""Marketing: campaigns and promotions aimed at segments, their members and results."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from paretocrm.core.bounds import validate_amount, validate_business_date
from paretocrm.core.choices import CustomerTier
from paretocrm.core.constraints import range_check
from paretocrm.core.models import TimeStampedModel, VersionedModel
from paretocrm.core.money import currency_field, money_field, rate_field
from paretocrm.customers.choices import ConsentChannel
from paretocrm.insights.labels import (
    RFM_SEGMENT_LABELS,
    behaviour_segment_label,
    rfm_segment_label,
)
from paretocrm.marketing.choices import CampaignStatus, CampaignType, ResponseType
from paretocrm.marketing.querysets import (
    CampaignAttributionQuerySet,
    CampaignMemberQuerySet,
    CampaignQuerySet,
    ConceptInvitationQuerySet,
)


def segment_label(segment: str) -> str:
    """A segment by its translated name: a tier code (campaigns aimed at "core" customers
    store the tier), an RFM segment or a behaviour segment; any other name as stored."""
    if segment in CustomerTier.values:
        return str(CustomerTier(segment).label)
    if segment in RFM_SEGMENT_LABELS:
        return rfm_segment_label(segment)
    return behaviour_segment_label(segment)


class Campaign(VersionedModel):
    """A campaign or promotion (4Ps) aimed at a segment, with budget and actual cost.

    ``channel`` is how its members are reached (their consent on it decides who is in the
    audience); ``archived_at`` set means archived: kept for its results, off the list.
    """

    name = models.CharField(pgettext_lazy("campaign", "name"), max_length=200)
    campaign_type = models.CharField(_("type"), max_length=16, choices=CampaignType.choices)
    description = models.TextField(_("description"), blank=True)
    target_segment = models.CharField(_("target segment"), max_length=200, blank=True)
    target_tier = models.CharField(
        _("target tier"), max_length=16, choices=CustomerTier.choices, blank=True
    )
    budget = money_field(_("budget"), null=True, blank=True, validators=[validate_amount])
    cost = money_field(_("actual cost"), default=Decimal("0.00"), validators=[validate_amount])
    currency = currency_field()
    start_date = models.DateField(_("start date"), validators=[validate_business_date])
    end_date = models.DateField(
        _("end date"), null=True, blank=True, validators=[validate_business_date]
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.PLANNED
    )
    channel = models.CharField(
        _("channel"),
        max_length=16,
        choices=ConsentChannel.choices,
        default=ConsentChannel.EMAIL,
    )
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ("-start_date", "name")
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = (
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
                name="marketing_campaign_budget_not_negative",
                violation_error_message=_("A budget cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(cost__gte=0),
                name="marketing_campaign_cost_not_negative",
                violation_error_message=_("A cost cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="marketing_campaign_dates_order",
                violation_error_message=_("A campaign must end on or after its start."),
            ),
        )

    def __str__(self) -> str:
        return self.name

    @property
    def target_segment_label(self) -> str:
        """The target segment by its translated name (see :func:`segment_label`)."""
        return segment_label(self.target_segment)

    @property
    def is_archived(self) -> bool:
        """True once the campaign has been archived."""
        return self.archived_at is not None


class CampaignMember(TimeStampedModel):
    """A customer (and optionally one of its contacts) targeted by a campaign, and the response."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="members"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="campaign_memberships",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaign_memberships",
    )
    responded = models.BooleanField(_("responded"), default=False)
    response_type = models.CharField(
        _("response"), max_length=16, choices=ResponseType.choices, blank=True
    )
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    objects = CampaignMemberQuerySet.as_manager()

    class Meta:
        ordering = ("campaign", "customer", "id")
        verbose_name = _("campaign member")
        verbose_name_plural = _("campaign members")
        constraints = (
            # Two partial constraints because NULLs are distinct in a plain unique index.
            models.UniqueConstraint(
                fields=("campaign", "customer"),
                condition=Q(contact__isnull=True),
                name="marketing_member_customer_unique",
                violation_error_message=_("This customer is already a member of the campaign."),
            ),
            models.UniqueConstraint(
                fields=("campaign", "customer", "contact"),
                condition=Q(contact__isnull=False),
                name="marketing_member_contact_unique",
                violation_error_message=_("This contact is already a member of the campaign."),
            ),
            models.CheckConstraint(
                condition=Q(responded=False) | Q(responded_at__isnull=False),
                name="marketing_member_response_has_time",
                violation_error_message=_("A response needs the time it was received."),
            ),
        )

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.customer_id}"


class CampaignAttribution(TimeStampedModel):
    """An order credited (fully or partly, by ``share`` percent) to a campaign, for ROI."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="attributions",
    )
    order = models.ForeignKey(
        "sales.Order",
        verbose_name=_("order"),
        on_delete=models.PROTECT,
        related_name="campaign_attributions",
    )
    share = rate_field(_("share (%)"), default=Decimal(100))

    objects = CampaignAttributionQuerySet.as_manager()

    class Meta:
        ordering = ("campaign", "order")
        verbose_name = _("campaign attribution")
        verbose_name_plural = _("campaign attributions")
        constraints = (
            models.UniqueConstraint(
                fields=("campaign", "order"),
                name="marketing_attribution_unique",
                violation_error_message=_("This order is already attributed to the campaign."),
            ),
            range_check(
                "share",
                0,
                100,
                name="marketing_attribution_share_0_to_100",
                message=_("An attribution share must be between 0 and 100 percent."),
                nullable=False,
            ),
        )

    def __str__(self) -> str:
        return f"{self.campaign_id} <- {self.order_id}"


class ConceptSurvey(VersionedModel):
    """A product concept put to key accounts before a launch (产品概念调查), one question."""

    title = models.CharField(_("product concept"), max_length=200)
    concept = models.TextField(_("concept description"))
    question = models.CharField(_("question"), max_length=300)
    launch_date = models.DateField(
        _("planned launch"), null=True, blank=True, validators=[validate_business_date]
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concept_surveys",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("product-concept survey")
        verbose_name_plural = _("product-concept surveys")

    def __str__(self) -> str:
        return self.title


class ConceptSurveyInvitation(TimeStampedModel):
    """One key account asked about a concept, and its answer (by e-mailed link)."""

    survey = models.ForeignKey(
        ConceptSurvey,
        verbose_name=_("product-concept survey"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="concept_invitations",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        related_name="concept_invitations",
    )
    email = models.EmailField(_("sent to"))
    token = models.CharField(_("token"), max_length=64)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    interest = models.PositiveSmallIntegerField(_("interest (1-5)"), null=True, blank=True)
    would_buy = models.BooleanField(_("would buy"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(
        _("answered at"), null=True, blank=True, validators=[validate_business_date]
    )

    objects = ConceptInvitationQuerySet.as_manager()

    class Meta:
        ordering = ("survey", "customer", "id")
        verbose_name = _("concept survey invitation")
        verbose_name_plural = _("concept survey invitations")
        constraints = (
            models.UniqueConstraint(
                fields=("survey", "customer"),
                name="marketing_concept_once_per_customer",
                violation_error_message=_("This customer has already been asked."),
            ),
            models.UniqueConstraint(
                fields=("token",),
                name="marketing_concept_token_unique",
                violation_error_message=_("This survey link already exists."),
            ),
            range_check(
                "interest",
                1,
                5,
                name="marketing_concept_interest_1_to_5",
                message=_("Interest is between 1 and 5."),
            ),
        )

    def __str__(self) -> str:
        return f"{self.survey_id} -> {self.customer_id}"
