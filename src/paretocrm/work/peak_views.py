"""The peak-season plan page (旺季计划): reads the current run's stored plan, computes nothing.

Category totals are company-wide aggregates, so only users who see every customer get
them (QUALITY.md AUTHZ-3); everyone sees the months of the profitable customers in scope.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from paretocrm.core.querysets import has_full_scope
from paretocrm.customers.models import Customer
from paretocrm.insights.models import PeakSeasonDemand, ScoreRun

MONTHS = tuple(range(1, 13))
#: Customers listed on the page, largest yearly quantity first.
CUSTOMERS_SHOWN = 100


def _table(rows: Any, key: str) -> dict[Any, list[float | None]]:
    """Rows -> {key: twelve months}; None for a month the history does not cover."""
    table: dict[Any, list[float | None]] = defaultdict(lambda: [None] * 12)
    for row in rows:
        table[row[key]][row["month"] - 1] = row["expected_quantity"]
    return table


def _peaks(values: list[float | None]) -> set[int]:
    """The months (1-12) of the three largest quantities (none when all are zero)."""
    known = [v or 0.0 for v in values]
    ranked = sorted(MONTHS, key=lambda m: (-known[m - 1], m))
    return {m for m in ranked[:3] if known[m - 1] > 0}


def _year(values: list[float | None]) -> float:
    return sum(v for v in values if v is not None)


@login_required
@require_GET
def peak_season(request: HttpRequest) -> HttpResponse:
    """Expected quantity by month per product category and per profitable customer."""
    run = ScoreRun.objects.current()
    context: dict[str, Any] = {"run": run, "months": MONTHS}
    if run is None:
        return render(request, "work/peak_season.html", context)
    stored = PeakSeasonDemand.objects.filter(run=run)
    if has_full_scope(request.user):
        by_category = _table(
            stored.filter(customer=None).values("category", "month", "expected_quantity"),
            "category",
        )
        context["categories"] = [
            (name, values, _peaks(values), _year(values))
            for name, values in sorted(by_category.items())
        ]
        totals = [sum(v[m - 1] or 0.0 for v in by_category.values()) for m in MONTHS]
        context["chart"] = {
            "labels": [str(m) for m in MONTHS],
            "counts": [round(t, 1) for t in totals],
        }
    visible = Customer.objects.visible_to(request.user).values("id")
    mine = stored.filter(customer_id__in=visible)
    # The largest yearly quantities are picked by the database: a run holds a row per
    # profitable customer and month (a million at 100k customers), the page shows 100.
    top = (
        mine.values("customer")
        .annotate(year=Sum("expected_quantity"))
        .order_by("-year", "customer")
        .values_list("customer", flat=True)[:CUSTOMERS_SHOWN]
    )
    by_customer = _table(
        stored.filter(customer_id__in=list(top)).values("customer", "month", "expected_quantity"),
        "customer",
    )
    ranked = sorted(by_customer.items(), key=lambda item: (-_year(item[1]), item[0]))
    names = dict(Customer.objects.filter(id__in=[c for c, _v in ranked]).values_list("id", "name"))
    context["customers"] = [
        (customer, names.get(customer, customer), values, _peaks(values), _year(values))
        for customer, values in ranked
    ]
    return render(request, "work/peak_season.html", context)
