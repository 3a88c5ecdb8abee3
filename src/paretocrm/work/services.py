"""Task services: raise tasks from a scoring run, and work them (done, snooze, reassign).

``raise_tasks_for_run`` is what the ``score_run_succeeded`` receiver calls. It writes all
tasks of a run in one transaction and sends one digest e-mail per owner afterwards.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, ngettext

from paretocrm.core import bounds
from paretocrm.core.exceptions import DomainError
from paretocrm.core.languages import language_of
from paretocrm.core.models import require_version
from paretocrm.customers.models import Customer
from paretocrm.insights.models import ScoreRun
from paretocrm.service.services import escalate_sla_breaches
from paretocrm.work.alerts import DUE_IN_DAYS, Alert, AlertContext, detect, previous_run
from paretocrm.work.choices import ReasonCode, TaskKind, TaskStatus
from paretocrm.work.models import ManagerTarget, Task
from paretocrm.work.reasons import render as render_reason

logger = logging.getLogger(__name__)


class TaskError(DomainError):
    """A task action that cannot be done; the message says why."""


@dataclass
class TaskRunResult:
    """What one run did to the task queues."""

    created: list[Task] = field(default_factory=list)
    updated: int = 0
    mails_sent: int = 0


def raise_tasks_for_run(
    run: ScoreRun, *, today: dt.date | None = None, now: dt.datetime | None = None
) -> TaskRunResult:
    """Turn the run's signals into tasks for each customer's owner (no duplicates).

    An open or snoozed task for the same (customer, signal) is updated (reason, due date,
    last run) instead of getting a twin; a done task does not block a new one.
    """
    ctx = AlertContext(
        run=run,
        previous=previous_run(run),
        today=today or timezone.localdate(),
        now=now or timezone.now(),
    )
    result = upsert_alerts(detect(ctx), run)
    logger.info("run %s: %d tasks created, %d updated", run.pk, len(result.created), result.updated)
    return result


def upsert_alerts(alerts: dict[tuple[int, str], Alert], run: ScoreRun | None) -> TaskRunResult:
    """Write alerts as tasks in one transaction (de-duplicated), then mail the owners."""
    result = TaskRunResult()
    if not alerts:
        return result
    with transaction.atomic():
        result.updated = _update_existing(alerts, run)
        result.created = _create_new(alerts, run)
    result.mails_sent = send_digests(result.created, run)
    return result


def escalate_service_breaches(
    *, now: dt.datetime | None = None, today: dt.date | None = None
) -> TaskRunResult:
    """Escalate open cases past their SLA to the manager and give the manager a task.

    The periodic job for the worker (also run after every scoring run): the case side is
    ``service.services.escalate_sla_breaches``; each escalated case becomes (or refreshes)
    one open escalation task per customer for the person it was escalated to.
    """
    now = now or timezone.now()
    today = today or timezone.localdate()
    due = today + dt.timedelta(days=DUE_IN_DAYS[TaskKind.CASE_ESCALATED])
    alerts: dict[tuple[int, str], Alert] = {}
    for case in escalate_sla_breaches(now):
        key = (case.customer_id, TaskKind.CASE_ESCALATED)
        entry = {
            "number": case.number,
            "subject": case.subject,
            "breach": case.events.last().note_params,
        }
        cases = [*alerts[key].params["cases"], entry] if key in alerts else [entry]
        alerts[key] = Alert(
            case.customer_id,
            TaskKind.CASE_ESCALATED,
            ReasonCode.CASE_ESCALATED,
            {"cases": cases},
            due,
            case.escalated_to_id,
        )
    return upsert_alerts(alerts, None)


def _update_existing(alerts: dict[tuple[int, str], Alert], run: ScoreRun | None) -> int:
    """Refresh the active tasks that already stand for a detected signal; drop their alerts."""
    customer_ids = {customer_id for customer_id, _ in alerts}
    existing = list(
        Task.objects.active()
        .select_for_update()
        .filter(customer_id__in=customer_ids, kind__in={kind for _, kind in alerts})
    )
    touched = []
    for task in existing:
        alert = alerts.pop((task.customer_id, task.kind), None)
        if alert is None:
            continue
        task.reason_code = alert.code
        task.reason_params = alert.params
        task.due_on = min(task.due_on, alert.due_on)  # never push a promised date back
        task.last_run = run
        task.version = F("version") + 1
        task.updated_at = timezone.now()
        touched.append(task)
    Task.objects.bulk_update(
        touched, ["reason_code", "reason_params", "due_on", "last_run", "version", "updated_at"]
    )
    return len(touched)


def _create_new(alerts: dict[tuple[int, str], Alert], run: ScoreRun | None) -> list[Task]:
    """One new task per remaining alert, for the customer's owner."""
    owners = dict(
        Customer.objects.filter(id__in={c for c, _ in alerts}).values_list("id", "owner_id")
    )
    tasks = [
        Task(
            customer_id=alert.customer_id,
            owner_id=alert.owner_id or owners.get(alert.customer_id),
            kind=alert.kind,
            reason_code=alert.code,
            reason_params=alert.params,
            due_on=alert.due_on,
            created_by_run=run,
            last_run=run,
        )
        for alert in alerts.values()
        if alert.customer_id in owners  # an id in the overview may name no customer
    ]
    return Task.objects.bulk_create(tasks)


def send_digests(tasks: list[Task], run: ScoreRun | None) -> int:
    """One e-mail per owner listing their new tasks of this run; returns the mails sent."""
    by_owner: dict[int, list[Task]] = defaultdict(list)
    for task in tasks:
        if task.owner_id is not None:
            by_owner[task.owner_id].append(task)
    if not by_owner:
        return 0
    users = get_user_model().objects.filter(id__in=by_owner, is_active=True).exclude(email="")
    names = dict(
        Customer.objects.filter(id__in={t.customer_id for t in tasks}).values_list("id", "name")
    )
    sent = 0
    for user in users:
        # The digest is written in the recipient's language, not the language of whoever
        # (or whichever worker) triggered the run.
        with translation.override(language_of(user)):
            subject, body = _digest(by_owner[user.pk], names, run)
        sent += send_mail(
            subject=subject,
            message=body,
            from_email=getattr(settings, "DEFAULT_FROM_EMAIL", None),
            recipient_list=[user.email],
            fail_silently=False,
        )
    return sent


def _digest(tasks: list[Task], names: dict[int, str], run: ScoreRun | None) -> tuple[str, str]:
    """Subject and body of one owner's digest, in the active language."""
    lines = [
        f"- [{formats.date_format(t.due_on, 'SHORT_DATE_FORMAT')}] "
        f"{names.get(t.customer_id, t.customer_id)}: {render_reason(t)}"
        for t in sorted(tasks, key=lambda t: (t.due_on, t.customer_id))
    ]
    count = len(lines)
    if run is not None:
        intro = ngettext(
            "The scoring run of %(as_of)s raised %(count)s new task for you:",
            "The scoring run of %(as_of)s raised %(count)s new tasks for you:",
            count,
        ) % {"as_of": formats.date_format(run.as_of, "SHORT_DATE_FORMAT"), "count": count}
    else:
        intro = ngettext(
            "Service escalation raised %(count)s new task for you:",
            "Service escalation raised %(count)s new tasks for you:",
            count,
        ) % {"count": count}
    body = "\n\n".join(
        [intro, "\n".join(lines), gettext("Open “My tasks” in Pareto CRM to work them.")]
    )
    subject = ngettext(
        "Pareto CRM: %(count)s new task", "Pareto CRM: %(count)s new tasks", count
    ) % {"count": count}
    return subject, body


def _locked(task: Task) -> Task:
    """The task re-read under a row lock (actions are serialised per task)."""
    return Task.objects.select_for_update().get(pk=task.pk)


def complete_task(task: Task, *, outcome: str, by: Any = None, version: int | None = None) -> Task:
    """Mark a task done with its outcome (required: what was agreed or found).

    ``version`` is the one the page showed: a task changed since is left alone
    (:class:`StaleVersionError`, DUR-1); the same holds for snoozing and reassigning.
    """
    outcome = (outcome or "").strip()
    if not outcome:
        text = gettext("say what came of the task before marking it done")
        raise TaskError("outcome: " + text)
    with transaction.atomic():
        task = _locked(task)
        require_version(task, version)
        if task.status == TaskStatus.DONE:
            raise TaskError(gettext("task %(id)s is already done") % {"id": task.pk})
        task.status = TaskStatus.DONE
        task.outcome = outcome
        task.snoozed_until = None
        task.completed_at = timezone.now()
        task.save()
    return task


def snooze_task(
    task: Task, *, until: dt.date, today: dt.date | None = None, version: int | None = None
) -> Task:
    """Put a task aside until ``until`` (a future date); it returns to the queue then."""
    today = today or timezone.localdate()
    if until <= today:
        text = gettext("%(until)s is not after today (%(today)s)")
        raise TaskError("snoozed_until: " + text % {"until": until, "today": today})
    with transaction.atomic():
        task = _locked(task)
        require_version(task, version)
        if task.status == TaskStatus.DONE:
            text = gettext("task %(id)s is done and cannot be snoozed")
            raise TaskError(text % {"id": task.pk})
        task.status = TaskStatus.SNOOZED
        task.snoozed_until = until
        task.due_on = max(task.due_on, until)
        task.save()
    return task


def reassign_task(task: Task, *, to: Any, version: int | None = None) -> Task:
    """Give the task to an active colleague who may see its customer (never a portal
    login: the task would leave every staff list, issue 14 finding 4)."""
    users = get_user_model().objects
    if to is None or not users.may_be_assigned(to, task.customer_id):
        text = gettext("choose an active colleague who may see this customer")
        raise TaskError("owner: " + text)
    with transaction.atomic():
        task = _locked(task)
        require_version(task, version)
        if task.status == TaskStatus.DONE:
            text = gettext("task %(id)s is done and cannot be reassigned")
            raise TaskError(text % {"id": task.pk})
        task.owner = to
        task.save()
    return task


def create_manual_task(
    *,
    customer: Customer,
    owner: Any,
    due_on: dt.date,
    reason: str = "",
    reason_code: str = "",
    reason_params: dict[str, Any] | None = None,
) -> Task:
    """A task outside the scoring signals.

    A person's task carries their own ``reason`` text; a task another part of the product
    adds for someone (a portal complaint) carries a ``reason_code`` and its parameters, so
    it reads in the language of whoever opens it (work.reasons). Such a task is one per
    customer, owner and reason while it is active: a repeat updates it (:func:`_repeat`).
    """
    if reason_code:
        with transaction.atomic():
            active = (
                Task.objects.active()
                .select_for_update()
                .filter(customer=customer, owner=owner, kind=TaskKind.MANUAL)
                .filter(reason_code=reason_code)
                .order_by("id")
                .first()
            )
            if active is not None:
                return _repeat(active, reason_params or {}, due_on)
    return Task.objects.create(
        customer=customer,
        owner=owner,
        kind=TaskKind.MANUAL,
        reason=reason,
        reason_code=reason_code,
        reason_params=reason_params or {},
        due_on=due_on,
    )


def _repeat(task: Task, params: dict[str, Any], due_on: dt.date) -> Task:
    """The same signal again: the newest parameters, the earlier ones listed under "earlier"."""
    before = dict(task.reason_params)
    earlier = [*before.pop("earlier", []), before.get("number", "")]
    task.reason_params = {**params, "earlier": [n for n in earlier if n]}
    task.due_on = min(task.due_on, due_on)  # never push a promised date back
    task.save()
    return task


def set_target(
    *,
    manager: Any,
    period_start: dt.date,
    period_end: dt.date,
    revenue_target: Any,
    currency: str = "",
) -> ManagerTarget:
    """Set (or replace) a manager's key-account revenue target for one period."""
    from decimal import Decimal, InvalidOperation

    if manager is None or not getattr(manager, "is_active", False):
        raise TaskError("manager: " + gettext("choose an active manager"))
    if period_end < period_start:
        text = gettext("%(end)s is before the period start %(start)s")
        raise TaskError("period_end: " + text % {"end": period_end, "start": period_start})
    try:
        amount = Decimal(str(revenue_target))
    except InvalidOperation:
        text = gettext("%(value)s is not an amount")
        raise TaskError("revenue_target: " + text % {"value": repr(revenue_target)}) from None
    if not amount.is_finite() or amount <= 0:
        text = gettext("%(value)s must be above zero")
        raise TaskError("revenue_target: " + text % {"value": revenue_target})
    for name, message in [
        ("period_start", bounds.date_error(period_start)),
        ("period_end", bounds.date_error(period_end)),
        ("revenue_target", bounds.amount_error(amount)),
    ]:
        if message is not None:  # the business ranges (core.bounds), on every path
            raise TaskError(f"{name}: {message}")
    with transaction.atomic():
        target, _created = ManagerTarget.objects.select_for_update().get_or_create(
            manager=manager,
            period_start=period_start,
            period_end=period_end,
            defaults={"revenue_target": amount, "currency": currency or settings.BASE_CURRENCY},
        )
        if not _created:
            target.revenue_target = amount
            target.currency = currency or target.currency
            target.save()
    return target
