"""Account-plan pages: the list, create, view (and print), edit, goals, actions, XLSX.

Every lookup goes through ``AccountPlan.objects.visible_to`` (the plan's customer scope);
changes go through ``work.plans``. Plans hang on the account: changing one needs the role
policy's edit-accounts function.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from paretocrm.core.exceptions import StaleVersionError
from paretocrm.core.views import posted_version, show_domain_error, show_stale_version
from paretocrm.customers.choices import AccountPlanStatus, ActionStatus
from paretocrm.customers.models import AccountPlan, Customer
from paretocrm.customers.views import (
    may_export,
    record_export,
    require_export,
    xlsx_response,
)
from paretocrm.imports.exports import neutralise
from paretocrm.insights.models import CustomerScore
from paretocrm.users.permissions import Function, has_function
from paretocrm.work import plans
from paretocrm.work.forms import AccountPlanForm, ActionForm, GoalForm


def _plan_for(request: HttpRequest, pk: int) -> AccountPlan:
    queryset = AccountPlan.objects.visible_to(request.user).select_related("customer", "owner")
    return get_object_or_404(queryset, pk=pk)


def _require_edit(request: HttpRequest) -> None:
    if not has_function(request.user, Function.EDIT_ACCOUNTS):
        raise PermissionDenied(_("Your role may not change account plans."))


@login_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    """Plans the user may see, and the core/key customers who have no live plan yet."""
    visible = AccountPlan.objects.visible_to(request.user)
    status = request.GET.get("status", "")
    listed = visible.filter(status=status) if status else visible
    listed = listed.select_related("customer", "owner").order_by("customer__name", "-period_start")
    planned = visible.exclude(status=AccountPlanStatus.CLOSED).values("customer_id")
    without_plan = (
        CustomerScore.objects.current()
        .visible_to(request.user)
        .filter(tier__in=plans.PLAN_TIERS)
        .exclude(customer_id__in=planned)
        .select_related("customer")
        .order_by("-rating", "customer_id")
    )
    return render(
        request,
        "work/plans/plan_list.html",
        {
            "plans": listed,
            "without_plan": without_plan,
            "status": status,
            "statuses": AccountPlan._meta.get_field("status").choices,
            "may_edit": has_function(request.user, Function.EDIT_ACCOUNTS),
        },
    )


@login_required
def plan_create(request: HttpRequest, customer_pk: int) -> HttpResponse:
    """A new plan for one core or key customer."""
    _require_edit(request)
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=customer_pk)
    form = AccountPlanForm(
        request.POST or None, initial={"owner": customer.owner_id}, customer=customer
    )
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            plan = plans.create_plan(customer=customer, **fields)
        except plans.PlanError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The account plan was created."))
            return redirect("work:plan", pk=plan.pk)
    return render(request, "work/plans/plan_form.html", {"form": form, "customer": customer})


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a plan's header (strategy, objectives, period, review date, status, owner)."""
    _require_edit(request)
    plan = _plan_for(request, pk)
    form = AccountPlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            plans.update_plan(plan, version=form.cleaned_data.get("version") or 0, **fields)
        except plans.PlanError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The account plan was saved."))
            return redirect("work:plan", pk=plan.pk)
    context = {"form": form, "customer": plan.customer, "plan": plan}
    return render(request, "work/plans/plan_form.html", context)


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One plan with its goals and actions; ``?print=1`` gives the printable page."""
    plan = _plan_for(request, pk)
    today = timezone.localdate()
    actions = list(plan.actions.select_related("owner", "goal"))
    for action in actions:
        action.overdue = bool(  # type: ignore[attr-defined]  # shown as a flag on the page
            action.due_date
            and action.due_date < today
            and action.status in plans.OPEN_ACTION_STATUSES
        )
    context: dict[str, Any] = {
        "plan": plan,
        "goals": plan.goals.all(),
        "actions": actions,
        "tier": plans.current_tier(plan.customer),
    }
    if request.GET.get("print"):
        return render(request, "work/plans/plan_print.html", context)
    context.update(
        may_edit=has_function(request.user, Function.EDIT_ACCOUNTS),
        may_export=may_export(request.user),
        goal_form=GoalForm(),
        action_form=ActionForm(plan=plan, initial={"owner": request.user.pk}),
        action_statuses=ActionStatus.choices,
    )
    return render(request, "work/plans/plan_detail.html", context)


@login_required
@require_POST
def plan_add(request: HttpRequest, pk: int, part: str) -> HttpResponse:
    """Add a goal or an action to a plan (POST from the plan page)."""
    _require_edit(request)
    plan = _plan_for(request, pk)
    form = GoalForm(request.POST) if part == "goal" else ActionForm(request.POST, plan=plan)
    if not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(e)}" for name, e in form.errors.items())
        messages.error(request, errors)
        return redirect("work:plan", pk=plan.pk)
    try:
        if part == "goal":
            plans.add_goal(plan, **form.cleaned_data)
        else:
            plans.add_action(plan, **form.cleaned_data)
    except plans.PlanError as error:
        show_domain_error(request, error)
    return redirect("work:plan", pk=plan.pk)


@login_required
@require_POST
def plan_action_status(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    """Move one action of the plan to another status."""
    _require_edit(request)
    plan = _plan_for(request, pk)
    action = get_object_or_404(plan.actions.all(), pk=action_pk)
    version = posted_version(request)
    if version is None:
        return redirect("work:plan", pk=plan.pk)
    try:
        plans.set_action_status(action, request.POST.get("status", ""), plan_version=version)
    except plans.PlanError as error:
        show_domain_error(request, error)
    except StaleVersionError:
        show_stale_version(request, pgettext_lazy("record", "plan"))
    else:
        messages.success(request, _("The action was updated."))
    return redirect("work:plan", pk=plan.pk)


@login_required
@require_GET
def plan_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan as an Excel file (an audited export, formula-safe)."""
    require_export(request, "account_plan")
    plan = _plan_for(request, pk)
    record_export(request, "account_plan", "xlsx")
    headers, rows = plans.plan_sheet(plan)
    safe_rows = ([neutralise(value) for value in row] for row in rows)
    filename = f"{_('account plan')}-{plan.customer.code}-{plan.pk}.xlsx"
    return xlsx_response(headers, safe_rows, filename)
