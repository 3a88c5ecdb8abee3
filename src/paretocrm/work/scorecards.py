"""Key-account manager scorecards (大客户经理绩效): one card per manager and period.

A manager's accounts are the customers they own now. The period is ``[start, end]``
(dates inclusive); the previous period is the same number of days just before ``start``.
Every figure is one aggregate query grouped by owner (no per-customer loop):

* **CSAT** = mean CSAT score (1-5) of survey answers dated in the period.
* **NPS** = 100 x (promoters 9-10 - detractors 0-6) / NPS answers in the period.
* **Service cost (cases)** = cases opened in the period (a proxy for the cost to serve).
* **Key-account revenue** = sum of order-line revenue (quantity x price x (1 - discount))
  of non-cancelled orders dated in the period, for accounts whose current tier is core or
  key; **growth** = (revenue - previous period's revenue) / previous period's revenue.
  Amounts are summed in the orders' own currency (no conversion).
* **Collection rate** (应收账款回款率) = paid / invoiced, over issued invoices *due* in the
  period, where paid counts payments on those invoices received by ``end``.
* **Timeliness** = share of cases opened in the period with an SLA whose first response
  came within the SLA hours (a case still unanswered counts as late once its time is up).
* **Complaints** = complaint cases opened in the period.
* **Target achievement** = key-account revenue / target, where the target is the sum of
  the manager's revenue targets overlapping the period, each x (overlap days / target
  days); None without a target.
* **Rotation**: accounts the manager gained and lost (ownership changes in the period).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, Q, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from paretocrm.core.policy import KEY_ACCOUNT_MANAGER_ROLES
from paretocrm.core.querysets import has_full_scope
from paretocrm.customers.models import Customer, OwnershipChange
from paretocrm.insights.choices import Tier
from paretocrm.insights.models import CustomerScore, ScoreRun
from paretocrm.sales.choices import InvoiceStatus, OrderStatus
from paretocrm.sales.models import Invoice, OrderLine, Payment
from paretocrm.sales.querysets import line_revenue_expression
from paretocrm.service.choices import CaseType, SurveyKind
from paretocrm.service.models import Case, SurveyResponse
from paretocrm.work.models import ManagerTarget

KEY_TIERS = (Tier.CORE, Tier.KEY)
#: Columns a ranking may be sorted by, best first.
RANK_KEYS = (
    "key_revenue",
    "achievement",
    "growth",
    "collection_rate",
    "timeliness",
    "csat",
    "nps",
    "cases",
    "complaints",
)
#: What the ranking choice shows for each key (the scorecard table's column headers).
RANK_LABELS = {
    "key_revenue": gettext_lazy("key-account revenue"),
    "achievement": gettext_lazy("achievement"),
    "growth": gettext_lazy("growth"),
    "collection_rate": gettext_lazy("collection rate"),
    "timeliness": gettext_lazy("timeliness"),
    "csat": gettext_lazy("CSAT"),
    "nps": "NPS",
    "cases": gettext_lazy("cases"),
    "complaints": gettext_lazy("complaints"),
}
#: For these a lower figure ranks higher.
LOWER_IS_BETTER = frozenset({"cases", "complaints"})


@dataclass
class Scorecard:
    """One manager's figures for one period (None where there is nothing to measure)."""

    manager: Any
    accounts: int = 0
    key_accounts: int = 0
    csat: float | None = None
    nps: float | None = None
    cases: int = 0
    complaints: int = 0
    key_revenue: Decimal = Decimal("0")
    previous_key_revenue: Decimal = Decimal("0")
    invoiced: Decimal = Decimal("0")
    collected: Decimal = Decimal("0")
    sla_cases: int = 0
    sla_met: int = 0
    target: Decimal | None = None
    gained: int = 0
    lost: int = 0
    rank: int | None = None
    forecast_12m: Decimal | None = None
    """Revenue forecast of the manager's accounts for the next 12 months (current run)."""
    forecast_12m_low: float | None = None
    forecast_12m_high: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def growth(self) -> float | None:
        """Revenue growth vs the previous period (None without previous revenue)."""
        if not self.previous_key_revenue:
            return None
        return float((self.key_revenue - self.previous_key_revenue) / self.previous_key_revenue)

    @property
    def collection_rate(self) -> float | None:
        """Collected / invoiced over invoices due in the period (None without invoices)."""
        return float(self.collected / self.invoiced) if self.invoiced else None

    @property
    def achievement(self) -> float | None:
        """Key-account revenue / target (None without a target)."""
        return float(self.key_revenue / self.target) if self.target else None

    @property
    def timeliness(self) -> float | None:
        """Share of SLA cases answered in time (None without SLA cases)."""
        return self.sla_met / self.sla_cases if self.sla_cases else None


def _aware(day: dt.date, *, end: bool = False) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time.max if end else dt.time.min)
    return timezone.make_aware(moment)


def managers_for(user: Any) -> list[Any]:
    """The managers whose cards ``user`` may see: all for full scope, else only their own."""
    users = get_user_model().objects.filter(is_active=True)
    if not has_full_scope(user):
        return list(users.filter(pk=user.pk))
    owners = Customer.objects.exclude(owner=None).values("owner_id")
    managers = Q(role__in=sorted(KEY_ACCOUNT_MANAGER_ROLES)) | Q(id__in=owners)
    return list(users.filter(managers).order_by("username"))


def build_scorecards(
    managers: list[Any], start: dt.date, end: dt.date, *, rank_by: str = "key_revenue"
) -> list[Scorecard]:
    """Scorecards of ``managers`` for ``[start, end]``, ranked by ``rank_by``."""
    if end < start:
        text = _("end %(end)s is before start %(start)s") % {
            "end": formats.date_format(end, "SHORT_DATE_FORMAT"),
            "start": formats.date_format(start, "SHORT_DATE_FORMAT"),
        }
        raise ValueError(f"period: {text}")
    if rank_by not in RANK_KEYS:
        text = _("%(value)s is not one of %(allowed)s") % {
            "value": repr(rank_by),
            "allowed": ", ".join(RANK_KEYS),
        }
        raise ValueError(f"rank_by: {text}")
    cards = {m.pk: Scorecard(manager=m) for m in managers}
    ids = list(cards)
    days = (end - start).days + 1
    prev_start, prev_end = start - dt.timedelta(days=days), start - dt.timedelta(days=1)
    _accounts(cards, ids)
    _satisfaction(cards, ids, start, end)
    _cases(cards, ids, start, end)
    _revenue(cards, ids, start, end, prev_start, prev_end)
    _collection(cards, ids, start, end)
    _targets(cards, ids, start, end)
    _rotation(cards, ids, start, end)
    _forecast(cards, ids)
    return rank(list(cards.values()), rank_by)


def _key_customer_ids() -> Any:
    run = ScoreRun.objects.current()
    scores = CustomerScore.objects.filter(run=run, tier__in=KEY_TIERS) if run else None
    return scores.values("customer_id") if scores is not None else []


def _accounts(cards: dict[int, Scorecard], ids: list[int]) -> None:
    key_ids = _key_customer_ids()
    rows = (
        Customer.objects.filter(owner_id__in=ids)
        .values("owner_id")
        .annotate(n=Count("id"), key=Count("id", filter=Q(id__in=key_ids)))
    )
    for row in rows:
        cards[row["owner_id"]].accounts = row["n"]
        cards[row["owner_id"]].key_accounts = row["key"]


def _satisfaction(
    cards: dict[int, Scorecard], ids: list[int], start: dt.date, end: dt.date
) -> None:
    rows = (
        SurveyResponse.objects.filter(
            customer__owner_id__in=ids,
            answered_at__gte=_aware(start),
            answered_at__lte=_aware(end, end=True),
        )
        .values("customer__owner_id")
        .annotate(
            csat=Avg("score", filter=Q(kind=SurveyKind.CSAT)),
            nps_n=Count("id", filter=Q(kind=SurveyKind.NPS)),
            promoters=Count("id", filter=Q(kind=SurveyKind.NPS, score__gte=9)),
            detractors=Count("id", filter=Q(kind=SurveyKind.NPS, score__lte=6)),
        )
    )
    for row in rows:
        card = cards[row["customer__owner_id"]]
        card.csat = float(row["csat"]) if row["csat"] is not None else None
        if row["nps_n"]:
            card.nps = 100.0 * (row["promoters"] - row["detractors"]) / row["nps_n"]


def _cases(cards: dict[int, Scorecard], ids: list[int], start: dt.date, end: dt.date) -> None:
    cases = Case.objects.filter(
        customer__owner_id__in=ids,
        opened_at__gte=_aware(start),
        opened_at__lte=_aware(end, end=True),
    )
    rows = cases.values("customer__owner_id").annotate(
        n=Count("id"), complaints=Count("id", filter=Q(case_type=CaseType.COMPLAINT))
    )
    for row in rows:
        cards[row["customer__owner_id"]].cases = row["n"]
        cards[row["customer__owner_id"]].complaints = row["complaints"]
    # Due time = opened_at + SLA hours. Comparing it needs interval arithmetic that differs
    # between SQLite and PostgreSQL, so the (owner, times) rows of one query are compared
    # here, row by row; nothing is queried per customer.
    now = timezone.now()
    timed = cases.exclude(sla_first_response_hours=None).values_list(
        "customer__owner_id", "opened_at", "sla_first_response_hours", "first_response_at"
    )
    for owner_id, opened_at, hours, answered in timed:
        due = opened_at + dt.timedelta(hours=hours)
        if answered is None and now <= due:
            continue  # still within its time: not yet measurable
        card = cards[owner_id]
        card.sla_cases += 1
        card.sla_met += int(answered is not None and answered <= due)


def _revenue(
    cards: dict[int, Scorecard],
    ids: list[int],
    start: dt.date,
    end: dt.date,
    prev_start: dt.date,
    prev_end: dt.date,
) -> None:
    revenue = line_revenue_expression()
    current = Q(order__ordered_at__gte=_aware(start), order__ordered_at__lte=_aware(end, end=True))
    previous = Q(
        order__ordered_at__gte=_aware(prev_start),
        order__ordered_at__lte=_aware(prev_end, end=True),
    )
    rows = (
        OrderLine.objects.filter(
            order__customer__owner_id__in=ids, order__customer_id__in=_key_customer_ids()
        )
        .exclude(order__status__in=[OrderStatus.CANCELLED, OrderStatus.DRAFT])
        .values("order__customer__owner_id")
        .annotate(now=Sum(revenue, filter=current), before=Sum(revenue, filter=previous))
    )
    for row in rows:
        card = cards[row["order__customer__owner_id"]]
        card.key_revenue = Decimal(row["now"] or 0).quantize(Decimal("0.01"))
        card.previous_key_revenue = Decimal(row["before"] or 0).quantize(Decimal("0.01"))


def _collection(cards: dict[int, Scorecard], ids: list[int], start: dt.date, end: dt.date) -> None:
    due = Invoice.objects.filter(
        customer__owner_id__in=ids, due_on__gte=start, due_on__lte=end
    ).exclude(status__in=[InvoiceStatus.DRAFT, InvoiceStatus.CANCELLED])
    for row in due.values("customer__owner_id").annotate(total=Sum("amount")):
        cards[row["customer__owner_id"]].invoiced = row["total"] or Decimal(0)
    paid = (
        Payment.objects.filter(invoice__in=due, received_on__lte=end)
        .values("invoice__customer__owner_id")
        .annotate(total=Sum("amount"))
    )
    for row in paid:
        cards[row["invoice__customer__owner_id"]].collected = row["total"] or Decimal(0)


def _targets(cards: dict[int, Scorecard], ids: list[int], start: dt.date, end: dt.date) -> None:
    overlapping = ManagerTarget.objects.filter(
        manager_id__in=ids, period_start__lte=end, period_end__gte=start
    )
    for target in overlapping:
        length = (target.period_end - target.period_start).days + 1
        overlap = (min(end, target.period_end) - max(start, target.period_start)).days + 1
        card = cards[target.manager_id]
        share = target.revenue_target * Decimal(overlap) / Decimal(length)
        card.target = ((card.target or Decimal(0)) + share).quantize(Decimal("0.01"))


def _rotation(cards: dict[int, Scorecard], ids: list[int], start: dt.date, end: dt.date) -> None:
    changes = OwnershipChange.objects.filter(
        changed_at__gte=_aware(start), changed_at__lte=_aware(end, end=True)
    ).filter(Q(new_owner_id__in=ids) | Q(old_owner_id__in=ids))
    for old, new in changes.values_list("old_owner_id", "new_owner_id"):
        if new in cards and old != new:
            cards[new].gained += 1
        if old in cards and old != new:
            cards[old].lost += 1


def _forecast(cards: dict[int, Scorecard], ids: list[int]) -> None:
    """The current run's 12-month revenue forecast of each manager's accounts now (one
    aggregate query); its interval (from the run's draws, per owner at scoring time) only
    while the accounts are those the run grouped, i.e. the sums agree."""
    run = ScoreRun.objects.current()
    if run is None:
        return
    by_owner = ((run.overview or {}).get("forecast") or {}).get("owner", {})
    rows = (
        CustomerScore.objects.filter(run=run, customer__owner_id__in=ids)
        .values("customer__owner_id")
        .annotate(total=Sum("revenue_12m"))
    )
    for row in rows:
        if row["total"] is None:
            continue
        card = cards[row["customer__owner_id"]]
        card.forecast_12m = Decimal(row["total"]).quantize(Decimal("0.01"))
        value, low, high = by_owner.get(str(card.manager.pk), {}).get("12m", [None] * 3)
        if value is not None and abs(float(card.forecast_12m) - value) < 1.0:
            card.forecast_12m_low, card.forecast_12m_high = low, high


def rotation_history(managers: list[Any], start: dt.date, end: dt.date) -> Any:
    """Ownership changes in the period that moved an account to or from one of ``managers``."""
    ids = [m.pk for m in managers]
    return (
        OwnershipChange.objects.filter(
            changed_at__gte=_aware(start), changed_at__lte=_aware(end, end=True)
        )
        .filter(Q(new_owner_id__in=ids) | Q(old_owner_id__in=ids))
        .select_related("customer", "old_owner", "new_owner")
        .order_by("-changed_at", "-id")
    )


def rank(cards: list[Scorecard], rank_by: str) -> list[Scorecard]:
    """Sort by ``rank_by`` (best first; cards without the figure last) and number them."""

    def key(card: Scorecard) -> tuple[int, float, str]:
        value = getattr(card, rank_by)
        if value is None:
            return (1, 0.0, card.manager.username)
        number = float(value)
        return (0, number if rank_by in LOWER_IS_BETTER else -number, card.manager.username)

    ordered = sorted(cards, key=key)
    for position, card in enumerate(ordered, start=1):
        card.rank = position
    return ordered


#: Columns of the scorecard spreadsheet, in order.
SHEET_COLUMNS = (
    "rank",
    "manager",
    "accounts",
    "key_accounts",
    "key_revenue",
    "previous_key_revenue",
    "growth",
    "target",
    "achievement",
    "invoiced",
    "collected",
    "collection_rate",
    "csat",
    "nps",
    "timeliness",
    "cases",
    "complaints",
    "gained",
    "lost",
)

#: The spreadsheet's headers in the reader's language (the ranking keys as labelled).
SHEET_LABELS = {
    **RANK_LABELS,
    "rank": pgettext_lazy("scorecard sheet", "rank"),
    "manager": pgettext_lazy("key-account manager", "manager"),
    "accounts": pgettext_lazy("scorecard sheet", "accounts"),
    "key_accounts": pgettext_lazy("scorecard sheet", "core and key accounts"),
    "previous_key_revenue": pgettext_lazy(
        "scorecard sheet", "key-account revenue, previous period"
    ),
    "target": pgettext_lazy("scorecard sheet", "target"),
    "invoiced": pgettext_lazy("scorecard sheet", "invoiced"),
    "collected": pgettext_lazy("scorecard sheet", "collected"),
    "gained": pgettext_lazy("scorecard sheet", "accounts gained"),
    "lost": pgettext_lazy("scorecard sheet", "accounts lost"),
}


def sheet(cards: list[Scorecard]) -> tuple[list[str], list[list[Any]]]:
    """The cards as spreadsheet rows (rates as fractions, amounts as exact decimals)."""
    rows = []
    for card in cards:
        row: list[Any] = []
        for column in SHEET_COLUMNS:
            value = getattr(card, column)
            if column == "manager":
                value = value.get_full_name() or value.username
            row.append(round(value, 4) if isinstance(value, float) else value)
        rows.append(row)
    return [str(SHEET_LABELS.get(c, c)) for c in SHEET_COLUMNS], rows
