"""Reports a manager can send on: the index of all four, and the concentration-risk report.

The concentration-risk report (风险意识) reads the current snapshot only: the top-N shares,
HHI and dependency alerts the scoring run stored, the largest customers' revenue shares
and the pipeline of the next core customers. Its figures are company-wide, so only users
who see every customer get it (QUALITY.md AUTHZ-3). Every report exists as a page, a
printable page and an Excel file.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from paretocrm.core.querysets import has_full_scope
from paretocrm.customers.views import may_export, record_export, require_export, xlsx_response
from paretocrm.imports.exports import neutralise
from paretocrm.insights.choices import Tier
from paretocrm.insights.dashboard import concentration
from paretocrm.insights.models import CustomerScore, ScoreRun

#: Largest customers listed with their share of revenue.
TOP_CUSTOMERS = 10
#: Potential customers listed as the next core customers.
NEXT_CORE = 10


@login_required
@require_GET
def report_index(request: HttpRequest) -> HttpResponse:
    """Where each report a manager sends on lives (page, printable page, Excel)."""
    context = {"full_scope": has_full_scope(request.user), "may_export": may_export(request.user)}
    return render(request, "work/reports.html", context)


def concentration_report(run: ScoreRun) -> dict[str, Any]:
    """The report's figures, all read from the snapshot of ``run``."""
    scores = CustomerScore.objects.filter(run=run)
    total = scores.aggregate(total=Sum("revenue"))["total"] or Decimal(0)
    top = list(
        scores.select_related("customer").order_by("-revenue", "customer_id")[:TOP_CUSTOMERS]
    )
    running = Decimal(0)
    largest = []
    for score in top:
        running += score.revenue
        share = float(score.revenue / total) if total else None
        cumulative = float(running / total) if total else None
        largest.append({"score": score, "share": share, "cumulative": cumulative})
    figures = concentration(run)
    alerts = scores.filter(customer_id__in=figures["alert_ids"]).select_related("customer")
    rising = scores.filter(tier=Tier.POTENTIAL).select_related("customer")
    return {
        "run": run,
        "share_for_80": (run.overview or {}).get("pareto", {}).get("customer_share_for_80"),
        "concentration": figures,
        "total_revenue": total,
        "largest": largest,
        "alerts": list(alerts),
        "rising": list(rising.order_by("-potential_value", "customer_id")[:NEXT_CORE]),
    }


def _report_or_denied(request: HttpRequest) -> dict[str, Any] | None:
    if not has_full_scope(request.user):
        raise PermissionDenied(_("The concentration-risk report covers every customer."))
    run = ScoreRun.objects.current()
    return concentration_report(run) if run else None


@login_required
@require_GET
def concentration_page(request: HttpRequest) -> HttpResponse:
    """The concentration-risk report; ``?print=1`` gives the printable page."""
    report = _report_or_denied(request)
    context = report or {"run": None}
    context["may_export"] = may_export(request.user)
    template = (
        "work/concentration_print.html" if request.GET.get("print") else "work/concentration.html"
    )
    return render(request, template, context)


@login_required
@require_GET
def concentration_export(request: HttpRequest) -> HttpResponse:
    """The concentration-risk report as an Excel file (an audited export)."""
    require_export(request, "concentration_report")
    report = _report_or_denied(request)
    if report is None:
        return HttpResponse(_("There is no analysis snapshot to export yet."), status=404)
    record_export(request, "concentration_report", "xlsx")
    headers, rows = concentration_sheet(report)
    safe = ([neutralise(value) for value in row] for row in rows)
    return xlsx_response(
        headers, safe, f"{_('concentration risk')}-{report['run'].as_of:%Y%m%d}.xlsx"
    )


def concentration_sheet(report: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The report as spreadsheet rows: one section after the other."""
    figures = report["concentration"]
    rows: list[list[Any]] = [[_("analysis as of"), str(report["run"].as_of), "", ""]]
    rows.append([_("total revenue"), report["total_revenue"], "", ""])
    for row in figures["shares"]:
        rows.append(
            [
                _("top %(p)s of customers") % {"p": f"{row['top']:.0%}"},
                row["revenue"],
                row["profit"],
                "",
            ]
        )
    rows.append([_("Herfindahl index (HHI)"), figures["hhi"], str(figures["hhi_level"]), ""])
    rows.append([_("equivalent equal-size customers"), figures["equivalent_customers"], "", ""])
    for item in report["largest"]:
        score = item["score"]
        rows.append([_("largest customer"), score.customer.name, item["share"], item["cumulative"]])
    for score in report["alerts"]:
        rows.append([_("dependency alert"), score.customer.name, score.revenue, ""])
    for score in report["rising"]:
        rows.append(
            [
                _("next core customer"),
                score.customer.name,
                round(score.potential_value, 1),
                score.revenue,
            ]
        )
    headers = [
        _("item"),
        _("name or figure"),
        _("share or figure"),
        _("cumulative share or revenue"),
    ]
    return headers, rows
