"""Services of the marketing app: audiences (consent respected), responses, attribution, ROI.

A campaign's audience comes from the current analysis snapshot: the customers of its
target tier and/or segment (RFM or behaviour segment), each with the most influential
contact who agreed to be contacted on the campaign's channel (QUALITY.md PRIV-2: no
consent, no member). Orders of members placed between the start and ``window_days``
after the end are attributed to it; ROI is computed per campaign and per segment.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from paretocrm.core.choices import CustomerTier
from paretocrm.core.exceptions import DomainError
from paretocrm.core.models import require_version
from paretocrm.core.money import quantize_money
from paretocrm.core.services import convert
from paretocrm.customers.choices import ConsentChannel
from paretocrm.customers.models import Contact
from paretocrm.marketing.choices import ResponseType
from paretocrm.marketing.models import Campaign, CampaignAttribution, CampaignMember
from paretocrm.sales.choices import OrderStatus
from paretocrm.sales.models import Order

#: Orders placed up to this many days after a campaign ends still count as its result.
ATTRIBUTION_WINDOW_DAYS = 30


class CampaignError(DomainError):
    """A campaign change that cannot be made; the message names the field."""


HUNDRED = Decimal(100)


@dataclass(frozen=True)
class CampaignROI:
    """Results of a campaign in its own currency.

    ``roi`` = (attributed gross profit - cost) / cost; ``None`` when the cost is zero.
    ``profit_known`` is False when some attributed line has no unit cost, in which case
    ``gross_profit`` counts those lines' revenue only as far as their cost is known (0).
    """

    campaign_id: int
    orders: int
    revenue: Decimal
    gross_profit: Decimal
    cost: Decimal
    roi: Decimal | None
    profit_known: bool


def _attributed(campaign: Campaign) -> dict[int, tuple[Decimal, Decimal, bool, int]]:
    """Per customer: attributed revenue, gross profit (campaign currency), known?, orders.

    Each attributed order counts for its ``share`` percent. Orders in another currency are
    converted to the campaign currency at the rate of the order date.
    """
    attributions = CampaignAttribution.objects.filter(campaign=campaign)
    orders = Order.objects.filter(pk__in=attributions.values("order_id")).prefetch_related("lines")
    by_id = {o.pk: o for o in orders}
    totals: dict[int, tuple[Decimal, Decimal, bool, int]] = {}
    for attribution in attributions:
        order = by_id[attribution.order_id]
        share = Decimal(attribution.share) / HUNDRED
        day = order.ordered_at.date()
        revenue = convert(order.revenue() * share, order.currency, day, campaign.currency)
        margin = order.margin()
        known = margin is not None
        if margin is None:
            margin = sum((line.margin() or Decimal(0) for line in order.lines.all()), Decimal(0))
        profit = convert(margin * share, order.currency, day, campaign.currency)
        before = totals.get(order.customer_id, (Decimal(0), Decimal(0), True, 0))
        totals[order.customer_id] = (
            before[0] + revenue,
            before[1] + profit,
            before[2] and known,
            before[3] + 1,
        )
    return totals


def _roi(profit: Decimal, cost: Decimal) -> Decimal | None:
    return None if cost == 0 else ((profit - cost) / cost).quantize(Decimal("0.0001"))


def campaign_roi(campaign: Campaign) -> CampaignROI:
    """Attributed revenue, gross profit and ROI of a campaign (orders converted on their date)."""
    totals = _attributed(campaign).values()
    revenue = sum((t[0] for t in totals), Decimal(0))
    profit = sum((t[1] for t in totals), Decimal(0))
    cost = Decimal(campaign.cost)
    return CampaignROI(
        campaign_id=campaign.pk,
        orders=sum(t[3] for t in totals),
        revenue=quantize_money(revenue),
        gross_profit=quantize_money(profit),
        cost=cost,
        roi=_roi(profit, cost),
        profit_known=all(t[2] for t in totals),
    )


@dataclass(frozen=True)
class SegmentROI:
    """A campaign's result for the members of one segment (tier or RFM segment).

    The cost is shared by member count: ``cost x members in segment / members``.
    """

    segment: str
    members: int
    responders: int
    orders: int
    revenue: Decimal
    gross_profit: Decimal
    cost: Decimal
    roi: Decimal | None


def roi_by_segment(campaign: Campaign, *, by: str = "tier") -> list[SegmentROI]:
    """ROI per segment of the members (``by`` = "tier" or "rfm_segment" of the snapshot)."""
    if by not in ("tier", "rfm_segment"):
        text = _("%(value)s is not tier or rfm_segment") % {"value": repr(by)}
        raise CampaignError(f"by: {text}")
    from paretocrm.insights.models import CustomerScore  # insights reads no marketing

    members = list(
        CampaignMember.objects.filter(campaign=campaign).values("customer_id", "responded")
    )
    if not members:
        return []
    ids = {m["customer_id"] for m in members}
    segment_of = dict(
        CustomerScore.objects.current().filter(customer_id__in=ids).values_list("customer_id", by)
    )
    totals = _attributed(campaign)
    groups: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"customers": set(), "members": 0, "responders": 0}
    )
    for member in members:
        group = groups[segment_of.get(member["customer_id"]) or "—"]
        group["customers"].add(member["customer_id"])
        group["members"] += 1
        group["responders"] += int(member["responded"])
    cost = Decimal(campaign.cost)
    result = []
    for name, group in sorted(groups.items()):
        rows = [totals[c] for c in group["customers"] if c in totals]
        share_cost = quantize_money(cost * group["members"] / len(members))
        profit = sum((r[1] for r in rows), Decimal(0))
        result.append(
            SegmentROI(
                segment=name,
                members=group["members"],
                responders=group["responders"],
                orders=sum(r[3] for r in rows),
                revenue=quantize_money(sum((r[0] for r in rows), Decimal(0))),
                gross_profit=quantize_money(profit),
                cost=share_cost,
                roi=_roi(profit, share_cost),
            )
        )
    return result


@dataclass
class AudienceResult:
    """What building an audience did."""

    added: int = 0
    already_members: int = 0
    without_consent: list[str] = field(default_factory=list)


def audience_customers(campaign: Campaign) -> Any:
    """Current-snapshot scores of the customers the campaign targets (tier and/or segment)."""
    from paretocrm.insights.models import CustomerScore

    if not campaign.target_tier and not campaign.target_segment:
        raise CampaignError("target_tier: " + _("set a target tier or a target segment first"))
    scores = CustomerScore.objects.current().filter(customer__status="active")
    if campaign.target_tier:
        scores = scores.filter(tier=campaign.target_tier)
    segment = campaign.target_segment
    if segment in CustomerTier.values:  # a tier stored as the segment (see ``segment_label``)
        scores = scores.filter(tier=segment)
    elif segment:
        scores = scores.filter(Q(rfm_segment=segment) | Q(segment=segment))
    return scores


def consenting_contacts(customer_ids: set[int], channel: str) -> dict[int, Contact]:
    """Per customer, the most influential active contact whose consent on ``channel`` is granted."""
    contacts = (
        Contact.objects.filter(customer_id__in=customer_ids, is_active=True)
        .reachable_by(channel)
        .order_by("customer_id", "-influence", "id")
    )
    best: dict[int, Contact] = {}
    for contact in contacts:
        best.setdefault(contact.customer_id, contact)
    return best


def _locked(campaign: Campaign, version: int | None) -> Campaign:
    """The campaign re-read under a row lock, refused when no longer at the page's ``version``."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    require_version(locked, version)
    return locked


#: What a user sets on a campaign (pages and API alike); owner, cost history and archive
#: state are set by the services, never by a form.
CAMPAIGN_FIELDS = (
    "name",
    "campaign_type",
    "description",
    "target_tier",
    "target_segment",
    "channel",
    "budget",
    "cost",
    "currency",
    "start_date",
    "end_date",
    "status",
)


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = sorted(set(fields) - set(CAMPAIGN_FIELDS))
    if unknown:
        raise CampaignError(f"{unknown[0]}: " + _("not a field of a campaign"))


def check_dates(start: dt.date | None, end: dt.date | None) -> None:
    """A campaign ends on or after its start (the model's check, reported on ``end_date``)."""
    if start and end and end < start:
        rule = next(c for c in Campaign._meta.constraints if c.name.endswith("_dates_order"))
        raise CampaignError(f"end_date: {rule.violation_error_message}")


def _refuse_archived(campaign: Campaign) -> None:
    if campaign.is_archived:
        raise CampaignError("archived_at: " + _("this campaign is archived and cannot change"))


@transaction.atomic
def create_campaign(*, owner: Any = None, **fields: Any) -> Campaign:
    """A new campaign owned by ``owner`` (its creator).

    Raises :class:`CampaignError` for an unknown field and Django's ``ValidationError``
    naming each bad field (dates in order, no negative budget, ...); writes nothing then.
    """
    _check_fields(fields)
    campaign = Campaign(owner=owner, **fields)
    check_dates(campaign.start_date, campaign.end_date)
    campaign.full_clean()
    campaign.save()
    return campaign


@transaction.atomic
def update_campaign(campaign: Campaign, *, version: int | None, **fields: Any) -> Campaign:
    """Change a campaign; ``version`` is the one the editor saw (``None``: checked already).

    An archived campaign does not change; errors as :func:`create_campaign`, plus
    :class:`StaleVersionError` when someone else saved in between.
    """
    _check_fields(fields)
    stored = _locked(campaign, version)
    _refuse_archived(stored)
    for name, value in fields.items():
        setattr(stored, name, value)
    check_dates(stored.start_date, stored.end_date)
    stored.full_clean()
    stored.save()
    return stored


@transaction.atomic
def archive_campaign(campaign: Campaign, *, version: int | None) -> Campaign:
    """Archive a campaign: off the list and closed to changes, its members and results kept."""
    stored = _locked(campaign, version)
    if not stored.is_archived:
        stored.archived_at = timezone.now()
        stored.save(update_fields=["archived_at"])
    return stored


def build_audience(
    campaign: Campaign, *, channel: str | None = None, version: int | None = None
) -> AudienceResult:
    """Add the targeted customers as members with a consenting contact (no consent: left out).

    ``channel`` defaults to the campaign's own channel.

    ``version`` is the campaign's version the page showed: a campaign changed since (its
    target, say) is left alone (:class:`StaleVersionError`, DUR-1); the same holds for
    attributing orders.
    """
    channel = channel or campaign.channel
    if channel not in ConsentChannel.values:
        text = _("%(value)s is not a consent channel") % {"value": repr(channel)}
        raise CampaignError(f"channel: {text}")
    with transaction.atomic():
        campaign = _locked(campaign, version)
        _refuse_archived(campaign)
        scores = audience_customers(campaign).select_related("customer")
        customers = {s.customer_id: s.customer for s in scores}
        contacts = consenting_contacts(set(customers), channel)
        existing = set(
            CampaignMember.objects.filter(campaign=campaign).values_list("customer_id", flat=True)
        )
        result = AudienceResult()
        new = []
        for customer_id, customer in sorted(customers.items()):
            if customer_id in existing:
                result.already_members += 1
            elif customer_id not in contacts:
                result.without_consent.append(customer.name)
            else:
                new.append(
                    CampaignMember(
                        campaign=campaign, customer=customer, contact=contacts[customer_id]
                    )
                )
        CampaignMember.objects.bulk_create(new)
        result.added = len(new)
        return result


def record_response(
    member: CampaignMember, response_type: str, at: dt.datetime | None = None
) -> CampaignMember:
    """A member's response (opened, replied, purchased, ...); the latest response is kept."""
    if response_type not in ResponseType.values:
        text = _("%(value)s is not a response") % {"value": repr(response_type)}
        raise CampaignError(f"response_type: {text}")
    member.responded = True
    member.response_type = response_type
    member.responded_at = at or timezone.now()
    member.save(update_fields=["responded", "response_type", "responded_at", "updated_at"])
    return member


def attribute_orders(
    campaign: Campaign, *, window_days: int = ATTRIBUTION_WINDOW_DAYS, version: int | None = None
) -> int:
    """Credit the campaign with its members' orders placed from the start to end + window.

    Cancelled orders do not count; an order already attributed is left as it is, so running
    this again adds only new orders. Returns the number of orders attributed now.
    """
    if window_days < 0:
        text = _("%(value)s is negative") % {"value": window_days}
        raise CampaignError(f"window_days: {text}")
    with transaction.atomic():
        campaign = _locked(campaign, version)
        last_day = (campaign.end_date or campaign.start_date) + dt.timedelta(days=window_days)
        start = timezone.make_aware(dt.datetime.combine(campaign.start_date, dt.time.min))
        end = timezone.make_aware(dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min))
        orders = (
            Order.objects.filter(
                customer_id__in=CampaignMember.objects.filter(campaign=campaign).values(
                    "customer_id"
                ),
                ordered_at__gte=start,
                ordered_at__lt=end,
            )
            .exclude(status=OrderStatus.CANCELLED)
            .exclude(campaign_attributions__campaign=campaign)
            .values_list("id", flat=True)
        )
        new = [CampaignAttribution(campaign=campaign, order_id=order_id) for order_id in orders]
        CampaignAttribution.objects.bulk_create(new)
        return len(new)
