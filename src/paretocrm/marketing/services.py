"""Services of the marketing app: campaign return on investment."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from paretocrm.core.money import quantize_money
from paretocrm.core.services import convert
from paretocrm.marketing.models import Campaign, CampaignAttribution
from paretocrm.sales.models import Order

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


def campaign_roi(campaign: Campaign) -> CampaignROI:
    """Attributed revenue, gross profit and ROI of a campaign (orders converted on their date).

    Each attributed order counts for its ``share`` percent. Orders in another currency are
    converted to the campaign currency at the rate of the order date.
    """
    attributions = CampaignAttribution.objects.filter(campaign=campaign).select_related("order")
    orders = Order.objects.filter(pk__in=[a.order_id for a in attributions]).prefetch_related(
        "lines"
    )
    by_id = {o.pk: o for o in orders}
    revenue = profit = Decimal(0)
    profit_known = True
    for attribution in attributions:
        order = by_id[attribution.order_id]
        share = Decimal(attribution.share) / HUNDRED
        day = order.ordered_at.date()
        revenue += convert(order.revenue() * share, order.currency, day, campaign.currency)
        margin = order.margin()
        if margin is None:
            profit_known = False
            margin = sum((line.margin() or Decimal(0) for line in order.lines.all()), Decimal(0))
        profit += convert(margin * share, order.currency, day, campaign.currency)
    cost = Decimal(campaign.cost)
    roi = None if cost == 0 else ((profit - cost) / cost).quantize(Decimal("0.0001"))
    return CampaignROI(
        campaign_id=campaign.pk,
        orders=len(by_id),
        revenue=quantize_money(revenue),
        gross_profit=quantize_money(profit),
        cost=cost,
        roi=roi,
        profit_known=profit_known,
    )
