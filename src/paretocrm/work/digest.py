"""The daily digest: one e-mail a day per member of staff, only when there is news.

Each person who has not opted out (``User.daily_digest``) gets, in their own language, the
tasks raised for them in the last day, their overdue tasks, open cases of theirs past an SLA
time, and their customers whose tier fell in the last day's scoring run, each with a link.
The periodic job ``daily-digest`` (jobs.registry) calls :func:`send_daily_digests`; a
:class:`~paretocrm.work.models.DigestDelivery` row per person and day is claimed before the
mail goes out, so a retry, a restarted worker or a second worker never sends a day twice.
Nothing here recomputes an analysis: tiers are read from the stored score snapshots.
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
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, ngettext

from paretocrm.core.languages import language_of
from paretocrm.core.policy import STAFF_ROLES
from paretocrm.customers.models import Customer
from paretocrm.insights.choices import RunStatus, Tier
from paretocrm.insights.models import ScoreRun
from paretocrm.service.choices import OPEN_CASE_STATUSES
from paretocrm.service.models import Case
from paretocrm.work.alerts import AlertContext, previous_run, tier_downgrades
from paretocrm.work.models import DigestDelivery, Task
from paretocrm.work.reasons import render as render_reason

logger = logging.getLogger(__name__)

#: Lines listed per section; the rest is counted ("and 12 more") and one click away.
LINES_PER_SECTION = 15
#: How far back "new" reaches: the day since the previous digest.
DIGEST_WINDOW = dt.timedelta(days=1)


@dataclass
class Digest:
    """What one person's digest lists (empty: no mail)."""

    new_tasks: list[Task] = field(default_factory=list)
    overdue_tasks: list[Task] = field(default_factory=list)
    breached_cases: list[Case] = field(default_factory=list)
    #: (customer id, customer name, tier before, tier now)
    tier_drops: list[tuple[int, str, str, str]] = field(default_factory=list)

    @property
    def items(self) -> int:
        return (
            len(self.new_tasks)
            + len(self.overdue_tasks)
            + len(self.breached_cases)
            + len(self.tier_drops)
        )


@dataclass
class DigestRun:
    """What one pass of the job did."""

    sent: int = 0
    nothing_to_report: int = 0
    already_sent: int = 0


def recipients() -> Any:
    """Active staff with an e-mail address who keep the digest (never a portal login)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, daily_digest=True)
        .exclude(email="")
        .filter(role__in=STAFF_ROLES)
        .order_by("id")
    )


def tier_drops_by_owner(now: dt.datetime) -> dict[int, list[tuple[int, str, str, str]]]:
    """Customers whose tier fell in the latest scoring run of the last day, per owner.

    The rule is the task rule's (``alerts.tier_downgrades``): a re-weighting by an
    administrator moves tiers without any customer doing anything, and is not news.
    """
    run = (
        ScoreRun.objects.filter(status=RunStatus.SUCCEEDED, finished_at__gt=now - DIGEST_WINDOW)
        .order_by("-finished_at", "-id")
        .first()
    )
    if run is None:
        return {}
    ctx = AlertContext(run=run, previous=previous_run(run), today=now.date(), now=now)
    drops = {alert.customer_id: alert.params for alert in tier_downgrades(ctx)}
    customers = Customer.objects.filter(id__in=drops, owner__isnull=False).values_list(
        "id", "name", "owner_id"
    )
    by_owner: dict[int, list[tuple[int, str, str, str]]] = defaultdict(list)
    for customer_id, name, owner_id in customers.order_by("name", "id"):
        params = drops[customer_id]
        by_owner[owner_id].append((customer_id, name, params["before"], params["after"]))
    return by_owner


def collect(
    user: Any,
    *,
    now: dt.datetime,
    today: dt.date,
    tier_drops: dict[int, list[tuple[int, str, str, str]]] | None = None,
) -> Digest:
    """The digest of ``user`` at ``now`` (nothing sent, nothing written)."""
    mine = Task.objects.visible_to(user).filter(owner=user).select_related("customer")
    new = mine.active().filter(created_at__gt=now - DIGEST_WINDOW)
    overdue = mine.due_for_work(today).filter(due_on__lt=today).exclude(pk__in=new.values("pk"))
    cases = (
        Case.objects.visible_to(user)
        .filter(status__in=OPEN_CASE_STATUSES)
        .filter(Q(assigned_to=user) | Q(escalated_to=user) | Q(customer__owner=user))
        .select_related("customer")
        .order_by("opened_at", "id")
    )
    breached = [
        case for case in cases if case.first_response_breached(now) or case.resolution_breached(now)
    ]
    if tier_drops is None:
        tier_drops = tier_drops_by_owner(now)
    return Digest(
        new_tasks=list(new.order_by("due_on", "customer__name", "id")),
        overdue_tasks=list(overdue.order_by("due_on", "customer__name", "id")),
        breached_cases=breached,
        tier_drops=tier_drops.get(user.pk, []),
    )


def send_daily_digests(*, now: dt.datetime | None = None) -> DigestRun:
    """Send today's digest to every recipient who has news and has not had it yet today."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    done = set(DigestDelivery.objects.filter(day=today).values_list("user_id", flat=True))
    drops = tier_drops_by_owner(now)
    result = DigestRun()
    for user in recipients():
        if user.pk in done:
            result.already_sent += 1
            continue
        digest = collect(user, now=now, today=today, tier_drops=drops)
        if not digest.items:
            result.nothing_to_report += 1
            continue
        if _claim(user, today, now, digest.items):
            _send(user, digest, today)
            result.sent += 1
        else:
            result.already_sent += 1
    logger.info(
        "daily digest %s: %d sent, %d with nothing to report, %d already sent",
        today,
        result.sent,
        result.nothing_to_report,
        result.already_sent,
    )
    return result


def _claim(user: Any, day: dt.date, now: dt.datetime, items: int) -> bool:
    """Take (user, day); False when another pass took it first."""
    try:
        with transaction.atomic():
            DigestDelivery.objects.create(user=user, day=day, sent_at=now, items=items)
    except IntegrityError:
        return False
    return True


def _send(user: Any, digest: Digest, day: dt.date) -> None:
    """Mail the digest; a failed send gives the day back so the job's retry sends it."""
    with translation.override(language_of(user)):
        subject, body = render(digest, day)
    try:
        send_mail(
            subject=subject,
            message=body,
            from_email=getattr(settings, "DEFAULT_FROM_EMAIL", None),
            recipient_list=[user.email],
            fail_silently=False,
        )
    except Exception:
        DigestDelivery.objects.filter(user=user, day=day).delete()
        raise


def _link(path: str) -> str:
    return str(getattr(settings, "PUBLIC_BASE_URL", "")).rstrip("/") + path


def _tier_label(value: str) -> str:
    return str(Tier(value).label) if value in Tier.values else value


def _section(title: str, lines: list[str], more_link: str) -> str:
    shown = lines[:LINES_PER_SECTION]
    text = [title, *shown]
    rest = len(lines) - len(shown)
    if rest:
        more = ngettext("… and %(count)s more:", "… and %(count)s more:", rest) % {"count": rest}
        text.append(f"{more} {more_link}")
    return "\n".join(text)


def _task_line(task: Task) -> str:
    due = formats.date_format(task.due_on, "SHORT_DATE_FORMAT")
    return f"- [{due}] {task.customer.name}: {render_reason(task)}"


def render(digest: Digest, day: dt.date) -> tuple[str, str]:
    """Subject and body of one digest, in the active language."""
    tasks_link = _link(reverse("work:tasks"))
    sections = []
    if digest.new_tasks:
        title = ngettext("%(count)s new task:", "%(count)s new tasks:", len(digest.new_tasks)) % {
            "count": len(digest.new_tasks)
        }
        sections.append(_section(title, [_task_line(t) for t in digest.new_tasks], tasks_link))
    if digest.overdue_tasks:
        title = ngettext(
            "%(count)s overdue task:", "%(count)s overdue tasks:", len(digest.overdue_tasks)
        ) % {"count": len(digest.overdue_tasks)}
        lines = [_task_line(t) for t in digest.overdue_tasks]
        sections.append(_section(title, lines, tasks_link))
    if digest.breached_cases:
        count = len(digest.breached_cases)
        title = ngettext(
            "%(count)s case past its SLA time:", "%(count)s cases past their SLA time:", count
        ) % {"count": count}
        lines = [
            f"- {case.number} {case.customer.name}: {case.subject} "
            f"{_link(reverse('service:case', args=[case.pk]))}"
            for case in digest.breached_cases
        ]
        sections.append(_section(title, lines, _link(reverse("service:cases"))))
    if digest.tier_drops:
        count = len(digest.tier_drops)
        title = ngettext(
            "%(count)s customer whose tier fell:", "%(count)s customers whose tier fell:", count
        ) % {"count": count}
        lines = [
            f"- {name}: {_tier_label(before)} → {_tier_label(after)} "
            f"{_link(reverse('customers:detail', args=[customer_id]))}"
            for customer_id, name, before, after in digest.tier_drops
        ]
        sections.append(_section(title, lines, _link(reverse("customers:list"))))
    intro = gettext("Your Pareto CRM digest for %(day)s.") % {
        "day": formats.date_format(day, "SHORT_DATE_FORMAT")
    }
    footer = gettext(
        "Open your tasks: %(link)s\nYou can turn this e-mail off in your settings: %(settings)s"
    ) % {"link": tasks_link, "settings": _link(reverse("users:settings"))}
    subject = ngettext(
        "Pareto CRM digest: %(count)s item", "Pareto CRM digest: %(count)s items", digest.items
    ) % {"count": digest.items}
    return subject, "\n\n".join([intro, *sections, footer])
