"""Signals a scoring run turns into tasks: each rule is one or two aggregate queries.

Every rule returns :class:`Alert` rows (customer, kind, reason code and parameters, due
date); the reason is worded for each reader by :mod:`paretocrm.work.reasons`. The rules read
the run's snapshot and the operational tables as of the run's ``as_of``; due dates count
from ``today`` (the day the tasks are raised), because a task is work to do from now on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from paretocrm.insights.choices import LifecycleStage, RunStatus, Tier
from paretocrm.insights.models import CustomerScore, ScoreRun
from paretocrm.sales.choices import ContractStatus
from paretocrm.sales.models import Contract, Invoice
from paretocrm.service.choices import OPEN_CASE_STATUSES, CaseType
from paretocrm.service.models import Case
from paretocrm.work.choices import ACTIVE_TASK_STATUSES, ReasonCode, TaskKind
from paretocrm.work.models import Task
from paretocrm.work.plans import overdue_actions

#: Tiers whose P(alive) and stage are watched run over run.
WATCHED_TIERS = (Tier.CORE, Tier.KEY)
#: A fall in P(alive) smaller than this is noise between two fits, not a signal.
P_ALIVE_MIN_DROP = 0.05
#: Receivables count as overdue once past due by more than this many days.
OVERDUE_DAYS = 30
#: A rep's queue carries overdue-receivable tasks for this many customers at most, those
#: owing the most; the receivables page lists every overdue invoice (issue 16: a rep had 128).
OVERDUE_TASKS_PER_OWNER = 20
#: An overdue-receivable task lists at most this many invoice numbers (oldest first).
OVERDUE_INVOICES_LISTED = 10
#: Contracts ending within this many days of the run's date are up for renewal.
RENEWAL_WINDOW_DAYS = 60
#: A potential customer with a potential value (0-100) at least this high is ready.
POTENTIAL_READY_VALUE = 70.0
#: Tier order, best first: a move to a later tier is a downgrade.
TIER_RANK = {Tier.CORE: 0, Tier.KEY: 1, Tier.ORDINARY: 2, Tier.POTENTIAL: 3, Tier.LOW_VALUE: 4}
#: Days from ``today`` to the due date, per signal.
DUE_IN_DAYS = {
    TaskKind.P_ALIVE_DROP: 3,
    TaskKind.DECLINE: 3,
    TaskKind.TIER_DOWNGRADE: 7,
    TaskKind.OVERDUE_RECEIVABLE: 3,
    TaskKind.COMPLAINT_PAST_SLA: 1,
    TaskKind.CONTRACT_RENEWAL: 14,
    TaskKind.DEPENDENCY: 14,
    TaskKind.POTENTIAL_READY: 14,
    TaskKind.PLAN_ACTION_OVERDUE: 3,
    TaskKind.CASE_ESCALATED: 1,
    TaskKind.HEALTH_LOW: 3,
}
#: Health threshold when a run did not record its own (``[health] alert_below``).
HEALTH_ALERT_BELOW = 40.0


@dataclass(frozen=True)
class Alert:
    """One detected signal for one customer."""

    customer_id: int
    kind: str
    #: A ReasonCode and the names, numbers and ISO dates its sentence needs (JSON-ready).
    code: str
    params: dict[str, Any]
    due_on: dt.date
    #: Who gets the task; None means the customer's owner.
    owner_id: int | None = None


@dataclass(frozen=True)
class AlertContext:
    """What every rule may read: the run, the run before it, and the dates."""

    run: ScoreRun
    previous: ScoreRun | None
    today: dt.date
    now: dt.datetime

    def due(self, kind: str) -> dt.date:
        """The due date of a task for ``kind`` raised today."""
        return self.today + dt.timedelta(days=DUE_IN_DAYS[kind])


def previous_run(run: ScoreRun) -> ScoreRun | None:
    """The successful run finished before ``run`` (None for the first run)."""
    return (
        ScoreRun.objects.filter(status=RunStatus.SUCCEEDED)
        .exclude(pk=run.pk)
        .filter(finished_at__lte=run.finished_at or timezone.now())
        .order_by("-finished_at", "-id")
        .first()
    )


def _with_previous(ctx: AlertContext) -> QuerySet[CustomerScore]:
    """Scores of the run annotated with the same customer's previous tier, P(alive), stage."""
    previous = CustomerScore.objects.filter(run=ctx.previous, customer_id=OuterRef("customer_id"))
    return CustomerScore.objects.filter(run=ctx.run).annotate(
        prev_tier=Subquery(previous.values("tier")[:1]),
        prev_p_alive=Subquery(previous.values("p_alive")[:1]),
        prev_stage=Subquery(previous.values("lifecycle_stage")[:1]),
    )


def p_alive_drops(ctx: AlertContext) -> Iterator[Alert]:
    """Core/key customers whose P(alive) fell by at least P_ALIVE_MIN_DROP since the last run."""
    if ctx.previous is None:
        return
    rows = (
        _with_previous(ctx)
        .filter(tier__in=WATCHED_TIERS, prev_p_alive__isnull=False)
        .values_list("customer_id", "tier", "p_alive", "prev_p_alive")
    )
    for customer_id, tier, p_alive, prev in rows:
        if prev - p_alive >= P_ALIVE_MIN_DROP:
            yield Alert(
                customer_id,
                TaskKind.P_ALIVE_DROP,
                ReasonCode.P_ALIVE_DROP,
                {
                    "tier": tier,
                    "before": prev,
                    "after": p_alive,
                    "previous_as_of": ctx.previous.as_of.isoformat(),
                    "as_of": ctx.run.as_of.isoformat(),
                },
                ctx.due(TaskKind.P_ALIVE_DROP),
            )


def declines(ctx: AlertContext) -> Iterator[Alert]:
    """Core/key customers now in the decline stage who were not in it in the last run."""
    rows = (
        _with_previous(ctx)
        .filter(tier__in=WATCHED_TIERS, lifecycle_stage=LifecycleStage.DECLINE)
        .values_list(
            "customer_id",
            "tier",
            "prev_stage",
            "lifecycle_facts",
            "lifecycle_reason",
            "lifecycle_reason_zh",
        )
    )
    for customer_id, tier, prev_stage, facts, why, why_zh in rows:
        if prev_stage == LifecycleStage.DECLINE:
            continue
        params = {"tier": tier, "before": prev_stage or ""}
        # The explanation as data, worded for each reader; texts only for scores without it.
        params.update({"lifecycle": facts} if facts else {"why": why, "why_zh": why_zh})
        yield Alert(
            customer_id, TaskKind.DECLINE, ReasonCode.DECLINE, params, ctx.due(TaskKind.DECLINE)
        )


def settings_changed(run: ScoreRun, previous: ScoreRun | None) -> bool:
    """True when ``run`` scored with other settings than ``previous`` (a re-weighting).

    Compares the rating weights the engine applied and the digest of the analysis settings
    (thresholds of the settings file) recorded on each run; a run recorded before either
    existed counts as unchanged, so its tier moves still raise tasks.
    """
    if previous is None:
        return False
    weights, weights_before = run.rating_weights, previous.rating_weights
    if weights and weights_before and weights != weights_before:
        return True
    digest = (run.overview or {}).get("config_digest")
    before = (previous.overview or {}).get("config_digest")
    return bool(digest and before and digest != before)


def tier_downgrades(ctx: AlertContext) -> Iterator[Alert]:
    """Customers whose tier is lower than in the previous run, unless the settings changed.

    A tier is a rank under the settings in force: after an administrator changes weights or
    thresholds, customers move although none of them did anything (issue 16: 24 tasks).
    """
    if ctx.previous is None or settings_changed(ctx.run, ctx.previous):
        return
    rows = (
        _with_previous(ctx)
        .filter(prev_tier__isnull=False)
        .values_list("customer_id", "tier", "prev_tier")
    )
    for customer_id, tier, prev_tier in rows:
        if TIER_RANK.get(tier, 9) > TIER_RANK.get(prev_tier, 9):
            yield Alert(
                customer_id,
                TaskKind.TIER_DOWNGRADE,
                ReasonCode.TIER_DOWNGRADE,
                {"before": prev_tier, "after": tier},
                ctx.due(TaskKind.TIER_DOWNGRADE),
            )


def overdue_receivables(ctx: AlertContext) -> Iterator[Alert]:
    """One alert per customer owing money more than OVERDUE_DAYS past due on ``as_of``.

    The alert lists the overdue invoices (oldest first), so the one open task is updated run
    after run instead of one task per invoice; the amount is the customer's largest currency.
    Each owner gets alerts for the OVERDUE_TASKS_PER_OWNER customers owing the most.
    """
    cutoff = ctx.run.as_of - dt.timedelta(days=OVERDUE_DAYS)
    rows = (
        Invoice.objects.receivable(ctx.run.as_of)
        .filter(due_on__lt=cutoff)
        .order_by("customer_id", "due_on", "number")
        .values_list(
            "customer_id", "customer__owner_id", "number", "due_on", "currency", "outstanding"
        )
    )
    debts: dict[int, _Debt] = {}
    for customer_id, owner_id, number, due_on, currency, owed in rows:
        debt = debts.setdefault(customer_id, _Debt(owner_id, due_on))
        debt.numbers.append(number)
        debt.totals[currency] = debt.totals.get(currency, Decimal(0)) + owed
    for customer_id, debt in _largest_per_owner(debts):
        currency, total = max(debt.totals.items(), key=lambda item: item[1])
        yield Alert(
            customer_id,
            TaskKind.OVERDUE_RECEIVABLE,
            ReasonCode.OVERDUE_RECEIVABLE,
            {
                "count": len(debt.numbers),
                "total": str(total),
                "currency": currency,
                "oldest": debt.oldest.isoformat(),
                "days": (ctx.run.as_of - debt.oldest).days,
                "invoices": debt.numbers[:OVERDUE_INVOICES_LISTED],
            },
            ctx.due(TaskKind.OVERDUE_RECEIVABLE),
        )


def overdue_left_out(owner: Any, as_of: dt.date) -> int:
    """How many of ``owner``'s customers owe money past due (as :func:`overdue_receivables`
    counts it) without an overdue-receivable task in the owner's queue: those the cap of
    OVERDUE_TASKS_PER_OWNER left out, plus any whose task was closed while they still owe.
    Two indexed lookups, for the task page."""
    cutoff = as_of - dt.timedelta(days=OVERDUE_DAYS)
    with_task = Task.objects.active().filter(owner=owner, kind=TaskKind.OVERDUE_RECEIVABLE)
    return (
        Invoice.objects.visible_to(owner)
        .receivable(as_of)
        .filter(due_on__lt=cutoff, customer__owner=owner)
        .exclude(customer_id__in=with_task.values("customer_id"))
        .values("customer_id")
        .distinct()
        .count()
    )


@dataclass
class _Debt:
    """What one customer owes past due: owner, oldest due date, invoice numbers, totals."""

    owner_id: int | None
    oldest: dt.date
    numbers: list[str] = field(default_factory=list)
    totals: dict[str, Decimal] = field(default_factory=dict)

    @property
    def size(self) -> Decimal:
        return max(self.totals.values())


def _largest_per_owner(debts: dict[int, _Debt]) -> list[tuple[int, _Debt]]:
    """The OVERDUE_TASKS_PER_OWNER largest debts of each owner (ties: the older debt)."""
    ranked = sorted(debts.items(), key=lambda item: (-item[1].size, item[1].oldest, item[0]))
    taken: dict[int | None, int] = {}
    kept = []
    for customer_id, debt in ranked:
        if taken.get(debt.owner_id, 0) < OVERDUE_TASKS_PER_OWNER:
            taken[debt.owner_id] = taken.get(debt.owner_id, 0) + 1
            kept.append((customer_id, debt))
    return kept


def complaints_past_sla(ctx: AlertContext) -> Iterator[Alert]:
    """Open complaints whose first response or resolution is past its SLA time."""
    cases = Case.objects.filter(case_type=CaseType.COMPLAINT, status__in=OPEN_CASE_STATUSES).only(
        "id",
        "customer_id",
        "number",
        "opened_at",
        "sla_first_response_hours",
        "sla_resolution_hours",
        "first_response_at",
        "resolved_at",
    )
    late: dict[int, list[str]] = {}
    # The due times are opened_at + hours: computed per open complaint in Python (a short
    # list) so the rule is identical on SQLite and PostgreSQL.
    for case in cases.iterator():
        if case.first_response_breached(ctx.now) or case.resolution_breached(ctx.now):
            late.setdefault(case.customer_id, []).append(case.number)
    for customer_id, numbers in late.items():
        yield Alert(
            customer_id,
            TaskKind.COMPLAINT_PAST_SLA,
            ReasonCode.COMPLAINT_PAST_SLA,
            {"cases": sorted(numbers)},
            ctx.due(TaskKind.COMPLAINT_PAST_SLA),
        )


def contract_renewals(ctx: AlertContext) -> Iterator[Alert]:
    """Active contracts ending within RENEWAL_WINDOW_DAYS of ``as_of``."""
    horizon = ctx.run.as_of + dt.timedelta(days=RENEWAL_WINDOW_DAYS)
    rows = (
        Contract.objects.filter(
            status=ContractStatus.ACTIVE, end_date__gte=ctx.run.as_of, end_date__lte=horizon
        )
        .order_by("customer_id", "end_date")
        .values_list("customer_id", "number", "end_date")
    )
    for customer_id, number, end_date in rows:
        due = min(ctx.due(TaskKind.CONTRACT_RENEWAL), end_date)
        yield Alert(
            customer_id,
            TaskKind.CONTRACT_RENEWAL,
            ReasonCode.CONTRACT_RENEWAL,
            {"contract": number, "end_date": end_date.isoformat()},
            max(due, ctx.today),
        )


def dependencies(ctx: AlertContext) -> Iterator[Alert]:
    """Customers the run flagged as a dependency above the concentration threshold."""
    for raw in (ctx.run.overview or {}).get("dependency_alerts", []):
        try:
            customer_id = int(raw)
        except (TypeError, ValueError):
            continue  # a non-numeric id cannot name a customer row
        yield Alert(
            customer_id,
            TaskKind.DEPENDENCY,
            ReasonCode.DEPENDENCY,
            {},
            ctx.due(TaskKind.DEPENDENCY),
        )


def health_falls(ctx: AlertContext) -> Iterator[Alert]:
    """One alert per customer whose account health fell below the run's threshold, with
    the reasons (the signals costing most points) instead of one task per signal.

    A fall is from at or above the threshold in the previous run to below it now; not when
    the settings changed between the runs (re-weighted health moves customers who did
    nothing). A customer still below it whose health task is open gets it updated with the
    new figures; once done, it comes back only after the next fall.
    """
    if ctx.previous is None:
        return
    from paretocrm.work.models import Task

    threshold = float(
        ((ctx.run.overview or {}).get("health") or {}).get("alert_below", HEALTH_ALERT_BELOW)
    )
    previous = CustomerScore.objects.filter(run=ctx.previous, customer_id=OuterRef("customer_id"))
    rows = (
        CustomerScore.objects.filter(run=ctx.run, health__lt=threshold)
        .annotate(prev_health=Subquery(previous.values("health")[:1]))
        .values_list("customer_id", "health", "prev_health", "health_reasons")
    )
    reweighted = settings_changed(ctx.run, ctx.previous)
    open_tasks = set(
        Task.objects.filter(kind=TaskKind.HEALTH_LOW, status__in=ACTIVE_TASK_STATUSES).values_list(
            "customer_id", flat=True
        )
    )
    for customer_id, health, prev_health, reasons in rows:
        fell = prev_health is not None and prev_health >= threshold and not reweighted
        if not fell and customer_id not in open_tasks:
            continue
        yield Alert(
            customer_id,
            TaskKind.HEALTH_LOW,
            ReasonCode.HEALTH_LOW,
            {
                "health": health,
                "before": prev_health,
                "threshold": threshold,
                "reasons": list(reasons or []),
            },
            ctx.due(TaskKind.HEALTH_LOW),
        )


def potentials_ready(ctx: AlertContext) -> Iterator[Alert]:
    """Potential customers with a potential value of at least POTENTIAL_READY_VALUE."""
    rows = CustomerScore.objects.filter(
        run=ctx.run, tier=Tier.POTENTIAL, potential_value__gte=POTENTIAL_READY_VALUE
    ).values_list("customer_id", "potential_value")
    for customer_id, value in rows:
        yield Alert(
            customer_id,
            TaskKind.POTENTIAL_READY,
            ReasonCode.POTENTIAL_READY,
            {"value": value},
            ctx.due(TaskKind.POTENTIAL_READY),
        )


def plan_actions_overdue(ctx: AlertContext) -> Iterator[Alert]:
    """Customers whose live account plan has open actions past their due date.

    Overdue counts against ``today`` (work still to do), not the analysis date. One task per
    customer lists every overdue action; it goes to the owner of the oldest overdue action,
    because that is the person who has to move first.
    """
    by_customer: dict[int, list[Any]] = {}
    for action in overdue_actions(ctx.today):
        by_customer.setdefault(action.plan.customer_id, []).append(action)
    for customer_id, actions in by_customer.items():
        oldest = actions[0]
        listed = [
            {"description": a.description, "due": a.due_date.isoformat(), "owner": _person(a.owner)}
            for a in actions
        ]
        yield Alert(
            customer_id,
            TaskKind.PLAN_ACTION_OVERDUE,
            ReasonCode.PLAN_ACTION_OVERDUE,
            {"plan": oldest.plan.title, "actions": listed},
            ctx.due(TaskKind.PLAN_ACTION_OVERDUE),
            owner_id=oldest.owner_id or oldest.plan.owner_id,
        )


def _person(user: Any) -> str:
    if user is None:
        return ""  # worded "no owner" in the reader's language
    return str(user.get_full_name() or user.username)


RULES: tuple[Callable[[AlertContext], Iterator[Alert]], ...] = (
    p_alive_drops,
    declines,
    tier_downgrades,
    overdue_receivables,
    complaints_past_sla,
    contract_renewals,
    dependencies,
    potentials_ready,
    plan_actions_overdue,
    health_falls,
)


def detect(ctx: AlertContext) -> dict[tuple[int, str], Alert]:
    """Every alert of every rule, one per (customer, kind): the first rule row wins."""
    found: dict[tuple[int, str], Alert] = {}
    for rule in RULES:
        for alert in rule(ctx):
            found.setdefault((alert.customer_id, alert.kind), alert)
    return found
