"""Account plans (一对一客户策略): services that create and work a key account's plan.

The models live with the customer (``customers.models.plans``); the work on them lives here
with the other collaborative work (tasks, call lists, scorecards). Plans are written for
core and key customers of the current analysis snapshot; an overdue action becomes a task
through the ``plan_actions_overdue`` alert rule of the scoring run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from paretocrm.core.exceptions import DomainError
from paretocrm.core.models import require_version
from paretocrm.customers.choices import AccountPlanStatus, ActionStatus
from paretocrm.customers.models import AccountPlan, AccountPlanAction, AccountPlanGoal, Customer
from paretocrm.insights.choices import Tier
from paretocrm.insights.models import CustomerScore

#: Customers a plan is written for: the core and key tiers (大客户).
PLAN_TIERS = frozenset({Tier.CORE, Tier.KEY})
#: Plans whose open actions are chased (a draft is not agreed yet, a closed one is over).
LIVE_PLAN_STATUSES = frozenset({AccountPlanStatus.ACTIVE, AccountPlanStatus.UNDER_REVIEW})
#: Actions that are still to do.
OPEN_ACTION_STATUSES = frozenset({ActionStatus.OPEN, ActionStatus.IN_PROGRESS})
#: Plan fields a person may set on create and edit.
PLAN_FIELDS = (
    "title",
    "period_start",
    "period_end",
    "customer_strategy",
    "customer_goals",
    "our_objectives",
    "status",
    "review_date",
    "owner",
)


class PlanError(DomainError):
    """A plan change that cannot be made; the message names the field."""


def current_tier(customer: Customer) -> str | None:
    """The customer's tier in the current analysis snapshot (None when not scored)."""
    return (
        CustomerScore.objects.current()
        .filter(customer=customer)
        .values_list("tier", flat=True)
        .first()
    )


def check_plannable(customer: Customer) -> None:
    """Refuse a plan for a customer that is not core or key in the current snapshot."""
    tier = current_tier(customer)
    if tier not in PLAN_TIERS:
        shown = Tier(tier).label if tier else _("not scored")
        text = _(
            "account plans are for core and key customers; %(customer)s is %(tier)s in the "
            "current analysis"
        ) % {"customer": customer.name, "tier": shown}
        raise PlanError(f"customer: {text}")


def _day(value: dt.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _check_dates(fields: dict[str, Any]) -> None:
    start, end = fields.get("period_start"), fields.get("period_end")
    if start and end and end < start:
        text = _("%(date)s is before the period start %(start)s")
        raise PlanError("period_end: " + text % {"date": _day(end), "start": _day(start)})
    review = fields.get("review_date")
    if review and start and review < start:
        text = _("%(date)s is before the period start %(start)s")
        raise PlanError("review_date: " + text % {"date": _day(review), "start": _day(start)})


def _check_owner(customer_id: int, owner: Any) -> None:
    """A plan or action is owned by active staff who may see the customer (issue 14)."""
    if owner is not None and not get_user_model().objects.may_be_assigned(owner, customer_id):
        raise PlanError("owner: " + _("choose an active colleague who may see this customer"))


@transaction.atomic
def create_plan(*, customer: Customer, **fields: Any) -> AccountPlan:
    """A new plan for a core or key customer (owner defaults to the customer's owner)."""
    check_plannable(customer)
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise PlanError(f"{sorted(unknown)[0]}: " + _("not a field of an account plan"))
    _check_dates(fields)
    fields.setdefault("owner", customer.owner)
    _check_owner(customer.pk, fields["owner"])
    plan = AccountPlan(customer=customer, **fields)
    plan.full_clean()
    plan.save()
    return plan


def update_plan(plan: AccountPlan, *, version: int, **fields: Any) -> AccountPlan:
    """Change a plan; ``version`` must be the one the editor saw (no lost updates)."""
    with transaction.atomic():
        stored = AccountPlan.objects.select_for_update().get(pk=plan.pk)
        if stored.version != version:
            text = _(
                "someone else changed this plan while you were editing it; reload the page "
                "and make your changes again"
            )
            raise PlanError(f"version: {text}")
        merged = {name: getattr(stored, name) for name in PLAN_FIELDS} | fields
        _check_dates(merged)
        if fields.get("owner") is not None and fields["owner"] != stored.owner:
            _check_owner(stored.customer_id, fields["owner"])
        for name, value in fields.items():
            if name not in PLAN_FIELDS:
                raise PlanError(f"{name}: " + _("not a field of an account plan"))
            setattr(stored, name, value)
        stored.full_clean()
        stored.save()
    return stored


@transaction.atomic
def add_goal(plan: AccountPlan, **fields: Any) -> AccountPlanGoal:
    """A measurable goal on the plan."""
    if not (fields.get("description") or "").strip():
        raise PlanError("description: " + _("say what the goal is"))
    goal = AccountPlanGoal(plan=plan, **fields)
    goal.full_clean()
    goal.save()
    return goal


@transaction.atomic
def add_action(plan: AccountPlan, **fields: Any) -> AccountPlanAction:
    """An action with an owner and a due date (both required: an unowned step is not done)."""
    if not (fields.get("description") or "").strip():
        raise PlanError("description: " + _("say what the action is"))
    if fields.get("owner") is None:
        raise PlanError("owner: " + _("every action needs someone who owns it"))
    if fields.get("due_date") is None:
        raise PlanError("due_date: " + _("every action needs a due date"))
    _check_owner(plan.customer_id, fields["owner"])
    goal = fields.get("goal")
    if goal is not None and goal.plan_id != plan.pk:
        raise PlanError("goal: " + _("the goal belongs to another plan"))
    action = AccountPlanAction(plan=plan, **fields)
    action.full_clean()
    action.save()
    return action


def set_action_status(
    action: AccountPlanAction, status: str, *, plan_version: int | None = None
) -> AccountPlanAction:
    """Move an action on (open, in progress, done, cancelled); done records the time.

    An action has no version of its own: the plan's counts for it. ``plan_version`` is the
    one the page showed: when the plan has changed since, :class:`StaleVersionError` and
    nothing changes (DUR-1); else the plan goes up one version, so a second page still
    showing the old status is refused in turn.
    """
    if status not in ActionStatus.values:
        text = _("%(status)s is not an action status") % {"status": repr(status)}
        raise PlanError(f"status: {text}")
    with transaction.atomic():
        if plan_version is not None:
            require_version(
                AccountPlan.objects.select_for_update().get(pk=action.plan_id), plan_version
            )
            AccountPlan.objects.filter(pk=action.plan_id).update(
                version=F("version") + 1, updated_at=timezone.now()
            )
        action = AccountPlanAction.objects.select_for_update().get(pk=action.pk)
        action.status = status
        action.completed_at = timezone.now() if status == ActionStatus.DONE else None
        action.save(update_fields=["status", "completed_at", "updated_at"])
    return action


def overdue_actions(today: dt.date) -> Iterator[AccountPlanAction]:
    """Open actions of live plans whose due date is before ``today``, oldest first."""
    return (
        AccountPlanAction.objects.filter(
            plan__status__in=LIVE_PLAN_STATUSES,
            status__in=OPEN_ACTION_STATUSES,
            due_date__lt=today,
        )
        .select_related("plan", "owner")
        .order_by("plan__customer_id", "due_date", "id")
        .iterator()
    )


def plan_sheet(plan: AccountPlan) -> tuple[list[str], list[list[Any]]]:
    """The plan as rows for a spreadsheet: a header block, the goals, then the actions."""
    headers = [_("section"), _("item"), _("owner / metric"), _("due date / target"), _("status")]
    period = f"{plan.period_start} – {plan.period_end}"
    rows: list[list[Any]] = [
        [_("account plan"), plan.title, _name(plan.owner), period, str(plan.get_status_display())],
        [_("customer"), plan.customer.name, plan.customer.code, "", ""],
        [_("review date"), str(plan.review_date or ""), "", "", ""],
        [_("customer's own strategy"), plan.customer_strategy, "", "", ""],
        [_("customer's goals"), plan.customer_goals, "", "", ""],
        [_("our objectives"), plan.our_objectives, "", "", ""],
    ]
    for goal in plan.goals.all():
        target = "" if goal.target_value is None else goal.target_value
        rows.append(
            [_("goal"), goal.description, goal.metric, target, str(goal.get_status_display())]
        )
    for action in plan.actions.select_related("owner"):
        rows.append(
            [
                _("action"),
                action.description,
                _name(action.owner),
                str(action.due_date or ""),
                str(action.get_status_display()),
            ]
        )
    return headers, rows


def _name(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username
