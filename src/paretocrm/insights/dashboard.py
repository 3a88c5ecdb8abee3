"""What the dashboards show: figures read from the current snapshot, scoped to the reader.

The analysis figures come from ``ScoreRun.overview`` (written once per scoring run). The only
thing computed on a page view is the monthly revenue trend: one GROUP BY over the order lines
the reader may see, converted to the base currency with one read of the exchange rates.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Avg, Count, DecimalField, ExpressionWrapper, F, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from paretocrm.core.services import RateTable
from paretocrm.insights.choices import LifecycleStage, Tier
from paretocrm.insights.labels import (
    HHI_LEVEL_LABELS,
    RFM_SEGMENT_LABELS,
    churn_reasons,
    label,
    rfm_segment_label,
)
from paretocrm.insights.models import CustomerScore, ScoreRun
from paretocrm.sales.models import Opportunity, OrderLine
from paretocrm.sales.querysets import line_revenue_expression

TREND_MONTHS = 36
TOP_WARNINGS = 10
FUNNEL_ORDER = (
    LifecycleStage.EXPLORATION,
    LifecycleStage.FORMATION,
    LifecycleStage.STABLE,
    LifecycleStage.DECLINE,
)


def _month_start(day: dt.date, months_back: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def monthly_revenue(user: Any, *, months: int = TREND_MONTHS) -> dict[str, Any]:
    """Revenue per month in the base currency over the last ``months`` months, scoped.

    Returns ``{"months": [...], "revenue": [...], "missing_rates": [...]}``; a currency
    without any rate on or before a month's end is left out and named in ``missing_rates``.
    The last month is the current one, still running: ``partial`` flags it (with the label
    the chart and table show) so its lower total is not read as a collapse.
    """
    base = settings.BASE_CURRENCY
    today = timezone.localdate()
    start = _month_start(today, months - 1)
    rows = (
        OrderLine.objects.visible_to(user)
        .filter(order__ordered_at__date__gte=start)
        .annotate(month=TruncMonth("order__ordered_at"))
        .values("month", "order__currency")
        .annotate(total=Sum(line_revenue_expression()))
        .order_by()
    )
    grouped = list(rows)
    table = RateTable({r["order__currency"] for r in grouped} - {base})
    totals: dict[dt.date, Decimal] = defaultdict(Decimal)
    missing: set[str] = set()
    for row in grouped:
        month = row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]
        currency, total = row["order__currency"], Decimal(row["total"] or 0)
        if currency == base:
            totals[month] += total
            continue
        rate = table.rate_on(currency, _month_start(month, -1) - dt.timedelta(days=1))
        if rate is None:
            missing.add(currency)
        else:
            totals[month] += total * rate
    labels = [_month_start(today, back) for back in range(months - 1, -1, -1)]
    return {
        "months": [m.strftime("%Y-%m") for m in labels],
        "revenue": [float(round(totals.get(m, Decimal(0)), 2)) for m in labels],
        "missing_rates": sorted(missing),
        "currency": base,
        "partial": True,
        "partial_label": gettext("month to date"),
    }


def previous_run(run: ScoreRun) -> ScoreRun | None:
    """The successful run before ``run`` (for tier migration), or None."""
    return ScoreRun.objects.previous(run)


def tier_rows(run: ScoreRun) -> list[dict[str, Any]]:
    """Per tier: label, count, revenue and the change in count since the previous run."""
    overview = run.overview or {}
    counts = overview.get("tier_counts", {})
    revenue = overview.get("revenue_by_tier", {})
    before = previous_run(run)
    old_counts = (before.overview or {}).get("tier_counts", {}) if before else None
    rows = []
    for tier in Tier:
        count = int(counts.get(tier.value, 0))
        change = None if old_counts is None else count - int(old_counts.get(tier.value, 0))
        rows.append(
            {
                "code": tier.value,
                "label": str(tier.label),
                "count": count,
                "revenue": revenue.get(tier.value, 0),
                "change": change,
            }
        )
    return rows


def tier_migration(run: ScoreRun, user: Any) -> list[dict[str, Any]]:
    """Who moved from which tier to which since the previous run, for the customers the
    reader may see: one row per former tier, one cell per tier now, each cell with its count
    and a link to the customer list filtered to those customers. Empty without a previous
    run; customers scored in only one of the two runs are not counted."""
    before = previous_run(run)
    if before is None:
        return []
    scores = CustomerScore.objects.visible_to(user)
    old = dict(scores.filter(run=before).values_list("customer_id", "tier"))
    moves = Counter(
        (old[customer_id], tier)
        for customer_id, tier in scores.filter(run=run).values_list("customer_id", "tier")
        if customer_id in old
    )
    base = reverse("customers:list")
    return [
        {
            "from": was.value,
            "label": str(was.label),
            "cells": [
                {
                    "from": was.value,
                    "to": now.value,
                    "count": moves[(was.value, now.value)],
                    "url": f"{base}?{urlencode({'previous_tier': was.value, 'tier': now.value})}",
                }
                for now in Tier
            ],
        }
        for was in Tier
    ]


def lifecycle_rows(run: ScoreRun) -> list[dict[str, Any]]:
    """The lifecycle funnel in stage order: label and customer count."""
    counts = (run.overview or {}).get("lifecycle_counts", {})
    return [
        {"code": s.value, "label": str(s.label), "count": int(counts.get(s.value, 0))}
        for s in FUNNEL_ORDER
    ]


def churn_warnings(run: ScoreRun, user: Any, *, limit: int = TOP_WARNINGS) -> list[CustomerScore]:
    """The reader's customers with churn signals, by value at risk, reasons made readable."""
    scores = list(
        CustomerScore.objects.filter(run=run)
        .visible_to(user)
        .exclude(churn_reasons=[])
        .select_related("customer", "customer__owner")
        .order_by("-value_at_risk", "customer_id")[:limit]
    )
    for score in scores:
        score.reason_labels = churn_reasons(score.churn_reasons)
    return scores


def health_panel(run: ScoreRun, user: Any, *, limit: int = TOP_WARNINGS) -> dict[str, Any]:
    """Account health of the reader's customers: customers per band and the worst accounts
    (below the healthy band), their reasons worded in the reader's language."""
    from paretocrm.insights.health import BANDS, band_counts

    scores = CustomerScore.objects.filter(run=run).visible_to(user).exclude(health=None)
    healthy = BANDS[0][1]
    worst = list(
        scores.filter(health__lt=healthy)
        .select_related("customer", "customer__owner")
        .order_by("health", "customer_id")[:limit]
    )
    for score in worst:
        score.reason_sentences = score.health_explanation()
    return {
        "bands": band_counts(scores.values_list("health", flat=True)),
        "worst": worst,
        "alert_below": (run.overview or {}).get("health", {}).get("alert_below"),
    }


def concentration(run: ScoreRun) -> dict[str, Any]:
    """Top-N shares, HHI and the customers above the dependency threshold."""
    overview = run.overview or {}
    pareto = overview.get("pareto", {})
    hhi = overview.get("hhi", {})
    alert_ids = [int(i) for i in overview.get("dependency_alerts", []) if str(i).isdigit()]
    return {
        "shares": _share_rows(
            pareto.get("revenue_top_shares", {}), pareto.get("profit_top_shares", {})
        ),
        "hhi": hhi.get("revenue"),
        "hhi_level": label(HHI_LEVEL_LABELS, str(hhi.get("level", ""))),
        "equivalent_customers": hhi.get("equivalent_customers"),
        "alert_ids": alert_ids,
    }


def _share_rows(revenue: dict[str, float], profit: dict[str, float]) -> list[dict[str, Any]]:
    return [
        {"top": float(fraction), "revenue": float(share), "profit": profit.get(fraction)}
        for fraction, share in sorted(revenue.items(), key=lambda item: float(item[0]))
    ]


#: Horizons of the revenue forecast, as stored in the run's overview and on each score.
FORECAST_HORIZONS = ("3m", "6m", "12m")


def forecast_rows(run: ScoreRun) -> list[dict[str, Any]]:
    """The run's revenue forecast, company first and then each tier: per horizon the
    expected revenue and its interval (None where the run has no intervals)."""
    forecast = (run.overview or {}).get("forecast") or {}
    if not forecast:
        return []

    def cells(figures: dict[str, list[float | None]]) -> list[dict[str, Any]]:
        return [
            dict(zip(("value", "low", "high"), figures.get(h, [None, None, None]), strict=True))
            for h in FORECAST_HORIZONS
        ]

    rows = [{"code": "", "label": gettext("company"), "cells": cells(forecast["company"])}]
    by_tier = forecast.get("tier", {})
    rows += [
        {"code": tier.value, "label": str(tier.label), "cells": cells(by_tier[tier.value])}
        for tier in Tier
        if tier.value in by_tier
    ]
    return rows


def account_forecast(run: ScoreRun, user: Any) -> dict[str, Any]:
    """The revenue forecast of the reader's own customers (sums of the stored per-customer
    forecasts; an interval of a sum needs the draws, so only the run's groups have one)."""
    totals = (
        CustomerScore.objects.filter(run=run)
        .visible_to(user)
        .aggregate(**{h: Sum(f"revenue_{h}") for h in FORECAST_HORIZONS})
    )
    return {h: totals[h] for h in FORECAST_HORIZONS}


def weighted_pipeline(user: Any) -> dict[str, Any]:
    """Open opportunities the reader may see, amount x probability, in the base currency
    (today's rates); a currency without a rate is left out and named. Live data, not part
    of the analysis: one GROUP BY per page view, like the monthly revenue."""
    base = settings.BASE_CURRENCY
    weighted = ExpressionWrapper(
        F("amount") * F("probability") / 100,
        output_field=DecimalField(max_digits=30, decimal_places=6),
    )
    rows = list(
        Opportunity.objects.visible_to(user)
        .open()
        .filter(amount__isnull=False, probability__isnull=False)
        .values("currency")
        .annotate(total=Sum(weighted), count=Count("pk"))
        .order_by()
    )
    table = RateTable({row["currency"] for row in rows} - {base})
    today = timezone.localdate()
    total, missing, count = Decimal(0), [], 0
    for row in rows:
        rate = table.rate_on(row["currency"], today)
        if rate is None:
            missing.append(row["currency"])
            continue
        total += Decimal(row["total"] or 0) * rate
        count += row["count"]
    return {
        "total": round(total, 2),
        "count": count,
        "missing_rates": sorted(missing),
        "currency": base,
    }


def rfm_book(run: ScoreRun, user: Any) -> dict[str, Any]:
    """The reader's book by RFM segment, read from the stored scores of ``run``.

    One row per segment that holds any of the reader's customers (in the engine's order,
    best first): customer count, revenue and its share, lifetime value, mean R/F/M scores,
    and one cell per tier with its count and a link to the customer list filtered to that
    segment and tier. One GROUP BY; nothing is re-scored on a page view.
    """
    rows = (
        CustomerScore.objects.filter(run=run)
        .visible_to(user)
        .order_by()
        .values("rfm_segment", "tier")
        .annotate(
            n=Count("id"),
            revenue=Sum("revenue"),
            clv=Sum("clv"),
            r=Avg("r_score"),
            f=Avg("f_score"),
            m=Avg("m_score"),
        )
    )
    by_segment: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = by_segment.setdefault(
            row["rfm_segment"],
            {"count": 0, "revenue": Decimal(0), "clv": Decimal(0), "rfm": [0.0, 0.0, 0.0]},
        )
        entry["count"] += row["n"]
        entry["revenue"] += row["revenue"] or 0
        entry["clv"] += row["clv"] or 0
        for i, key in enumerate("rfm"):  # weighted by count: a mean over the whole segment
            entry["rfm"][i] += float(row[key] or 0) * row["n"]
        entry.setdefault("tiers", Counter())[row["tier"]] = row["n"]
    total_revenue = sum((e["revenue"] for e in by_segment.values()), start=Decimal(0))
    order = [*RFM_SEGMENT_LABELS, *sorted(set(by_segment) - set(RFM_SEGMENT_LABELS))]
    base = reverse("customers:list")
    segments = []
    for code in order:
        entry = by_segment.get(code)
        if entry is None:
            continue
        n = entry["count"]
        segments.append(
            {
                "code": code,
                "label": rfm_segment_label(code),
                "count": n,
                "revenue": entry["revenue"],
                "share": float(entry["revenue"] / total_revenue) if total_revenue else None,
                "clv": entry["clv"],
                "r": entry["rfm"][0] / n,
                "f": entry["rfm"][1] / n,
                "m": entry["rfm"][2] / n,
                "url": f"{base}?{urlencode({'rfm_segment': code})}",
                "cells": [
                    {
                        "tier": tier.value,
                        "count": entry["tiers"].get(tier.value, 0),
                        "url": f"{base}?{urlencode({'rfm_segment': code, 'tier': tier.value})}",
                    }
                    for tier in Tier
                ],
            }
        )
    return {
        "segments": segments,
        "tiers": [{"code": t.value, "label": str(t.label)} for t in Tier],
        "customers": sum(s["count"] for s in segments),
        "revenue": total_revenue,
        "clv": sum((s["clv"] for s in segments), start=Decimal(0)),
    }
